"""Storyline: raw news articles in, a provenance-tracked knowledge base of events out."""

from __future__ import annotations

__version__ = "0.1.0"
