"""Time normalization: time expressions to calendar periods (see data/time.yaml)."""

from __future__ import annotations

from storyline.time.normalize import normalize, resolve_weekday
from storyline.time.value import TimeValue

__all__ = ["TimeValue", "normalize", "resolve_weekday"]
