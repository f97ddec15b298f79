"""Stages that fail on purpose, for the worker and Ray tests: each acts on the example
corpus's documents that mention Amman and passes the others through."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from storyline.ingest.run import IngestReport
from storyline.model import Document
from storyline.pipeline import CLEAN_STAGES, Pipeline, stage


def explode(doc: Document) -> Document:
    if "Amman" in doc.text:
        raise RuntimeError("stage bug on purpose")
    return doc


def unpicklable(doc: Document) -> Document:
    if "Amman" in doc.text:
        doc.extra["lock"] = threading.Lock()
    return doc


def die(doc: Document) -> Document:
    if "Amman" in doc.text:
        os._exit(3)
    return doc


def clean_then(func: Callable[[Document], Document]) -> Pipeline:
    """The cleaning stages, then `func` (no language model: workers start fast)."""
    return Pipeline((*CLEAN_STAGES, stage(func.__name__, func, requires={"text"},
                                          assigns=())))


def check_same_internal_errors(alone: IngestReport, apart: IngestReport) -> None:
    """A stage bug rejects the same items, with the same reasons, however the stages run."""
    assert apart.summary() == alone.summary()
    assert apart.rejections == alone.rejections
    assert alone.rejected >= 2
    assert all(r.kind == "internal" and r.reason == "internal error while processing: "
               "RuntimeError: stage bug on purpose" for r in alone.rejections)


def check_unsendable_rejected_alone(report: IngestReport) -> None:
    """Results that cannot be sent back are rejected, each alone; the others are kept."""
    assert report.rejected >= 2
    assert report.stored + report.duplicates == report.read - report.rejected
    assert all(r.kind == "internal" and "pickle" in r.reason for r in report.rejections)
