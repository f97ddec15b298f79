"""Storyline: raw news articles in, a provenance-tracked knowledge base of events out.

The public API::

    from storyline import Store, ingest
    with Store("storyline.db") as store:
        report = ingest(["articles/"], store)
        print(report.summary())
"""

from __future__ import annotations

from storyline.errors import InputError, StoreError, StorylineError
from storyline.export import export
from storyline.ingest.readers import ReadOptions, read
from storyline.ingest.run import IngestReport, ingest
from storyline.model import Document, Evidence, Paragraph, Passage, Rejection
from storyline.offsets import OffsetMap
from storyline.pipeline import Pipeline, Stage
from storyline.store import Store
from storyline.version import __version__

__all__ = [
    "Document",
    "Evidence",
    "IngestReport",
    "InputError",
    "OffsetMap",
    "Paragraph",
    "Passage",
    "Pipeline",
    "ReadOptions",
    "Rejection",
    "Stage",
    "Store",
    "StoreError",
    "StorylineError",
    "__version__",
    "export",
    "ingest",
    "read",
]
