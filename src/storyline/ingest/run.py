"""An ingest run: read inputs, run the per-document pipeline, keep results in the store."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from storyline.actors.resolve import Resolver
from storyline.errors import InputError
from storyline.ingest.readers import ReadOptions, read
from storyline.model import Document, Rejection
from storyline.nlp import Recognizer
from storyline.pipeline import Pipeline, full_stages
from storyline.store import Store
from storyline.stories import StoryBuilder


@dataclass
class IngestReport:
    """What one run did; `summary()` is the one line the CLI prints at the end."""

    run_id: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "stored": self.stored, "duplicates": self.duplicates,
                "unchanged": self.unchanged, "rejected": self.rejected}

    def summary(self) -> str:
        line = (f"read {self.read}, stored {self.stored}, duplicates {self.duplicates}, "
                f"already stored {self.unchanged}, rejected {self.rejected}")
        return f"interrupted: {line}" if self.interrupted else line


ProgressHook = Callable[[IngestReport, str], None]


def ingest(paths: Iterable[str], store: Store, *, options: ReadOptions | None = None,
           pipeline: Pipeline | None = None, stdin: BinaryIO | None = None,
           progress: ProgressHook | None = None, batch_size: int = 50,
           batch_seconds: float = 1.0) -> IngestReport:
    """Ingest every item under `paths` into `store` and report what happened.

    Documents are committed in small batches (every `batch_size` documents or
    `batch_seconds`), each one atomically, so an interrupted run keeps what it
    committed and a re-run of the same inputs completes the job.
    """
    paths = list(paths)
    recognizer = Recognizer(gazetteer=store.actors.person_names())
    pipeline = pipeline or Pipeline(full_stages(recognizer))
    resolver = Resolver(store.actors)
    stories = StoryBuilder(store)
    report = IngestReport()
    report.run_id = store.start_run(paths)
    store.begin()
    last_commit = time.monotonic()
    pending = 0
    try:
        for item in read(paths, options, stdin=stdin):
            report.read += 1
            if isinstance(item, Rejection):
                _reject(store, report, item)
            else:
                _process(item, pipeline, store, report, resolver, stories)
            pending += 1
            if pending >= batch_size or time.monotonic() - last_commit >= batch_seconds:
                store.commit()
                store.begin()
                pending, last_commit = 0, time.monotonic()
            if progress:
                progress(report, item.source)
        resolver.finish()
    except KeyboardInterrupt:
        report.interrupted = True
    store.finish_run(report.run_id, "interrupted" if report.interrupted else "done",
                     report.counts())
    store.commit()
    return report


def _process(doc: Document, pipeline: Pipeline, store: Store, report: IngestReport,
             resolver: Resolver, stories: StoryBuilder) -> None:
    try:
        doc = pipeline(doc)
    except InputError as exc:
        exc.locate(doc.source, doc.line)
        _reject(store, report, Rejection(doc.source, exc.reason, exc.kind, doc.line))
        return
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a bug must not lose the other documents of the run
        _reject(store, report, Rejection(doc.source, f"internal error while processing: "
                                         f"{type(exc).__name__}: {exc}", "internal", doc.line))
        return
    doc.analyses = []  # the spaCy parses are not kept
    outcome = store.add(doc, resolver.resolve, stories)
    if outcome == "stored":
        report.stored += 1
    elif outcome == "duplicate":
        report.duplicates += 1
    else:
        report.unchanged += 1
    for warning in doc.warnings:
        report.warnings.append(f"{doc.where}: {warning}")


def _reject(store: Store, report: IngestReport, rejection: Rejection) -> None:
    report.rejected += 1
    report.rejections.append(rejection)
    store.add_rejection(report.run_id, rejection)
