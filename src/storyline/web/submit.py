"""Ingest through the API: the CLI's readers, validation and pipeline, one writer at a time."""

from __future__ import annotations

from typing import Any

from storyline.ingest.readers import Upload
from storyline.ingest.run import ingest
from storyline.nlp import Recognizer
from storyline.pipeline import Pipeline, full_stages
from storyline.store import Store, browse
from storyline.web.app import Settings


def ingest_body(settings: Settings, body: bytes, name: str | None) -> dict[str, Any]:
    """Ingest one request body as the CLI ingests one input file; say what happened."""
    with settings.writer_lock:
        store = Store(settings.db, create=False)
        try:
            pipeline = _pipeline(settings, store)
            before = browse.last_document_rowid(store.conn)
            report = ingest(["-"], store, pipeline=pipeline, stdin=Upload(body, name))
            added = browse.documents_since(store.conn, before)
        finally:
            store.close()
    stored = [d for d in added if d["duplicate_of"] is None]
    duplicates = [d for d in added if d["duplicate_of"] is not None]
    return {
        "run": report.run_id,
        "read": report.read,
        "stored": [_stored(d) for d in stored],
        "duplicates": [{"id": d["id"], "title": d["title"], "outlet": d["outlet"],
                        "duplicate_of": d["duplicate_of"], "kind": d["duplicate_kind"]}
                       for d in duplicates],
        "already_stored": report.unchanged,
        "rejected": [{"source": r.source, "line": r.line, "kind": r.kind, "reason": r.reason}
                     for r in report.rejections],
        "merged": [{"event": e["id"], "into": e["canonical"], "score": e["merge_score"],
                    "document": d["id"]}
                   for d in stored for e in d["events"] if e["canonical"] != e["id"]],
        "warnings": report.warnings,
    }


def _stored(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "title": doc["title"], "outlet": doc["outlet"],
            "published": doc["published"], "story": doc["story"],
            "events": [e["canonical"] for e in doc["events"]]}


def _pipeline(settings: Settings, store: Store) -> Pipeline:
    """One pipeline per server (the language model loads once); its gazetteer of known
    person names is refreshed from the store before every write."""
    recognizer: Recognizer | None = settings.shared.get("recognizer")
    if recognizer is None:
        recognizer = Recognizer()
        settings.shared["recognizer"] = recognizer
        settings.shared["pipeline"] = Pipeline(full_stages(recognizer))
    recognizer.gazetteer = store.actors.person_names()
    pipeline: Pipeline = settings.shared["pipeline"]
    return pipeline
