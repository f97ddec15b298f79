"""Exports of the knowledge base: one JSON document, or JSON Lines / CSV per table.

The record layout is a public interface, documented in docs/export.md; fields are only
ever added, never renamed or removed, within one `export_version`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from storyline.network import build_network, write_graphml
from storyline.plover import write_plover
from storyline.store import Store
from storyline.stories.corroborate import outlet_name
from storyline.stories.story import StoryReader
from storyline.version import __version__

EXPORT_VERSION = 1
FORMATS = ("json", "jsonl", "csv", "plover", "graphml")
#: Formats written as one document to `output` (a file) or stdout.
SINGLE_FILE = ("json", "plover", "graphml")
#: Tables, and for CSV the columns written (nested values are JSON-encoded).
TABLES: dict[str, tuple[str, ...]] = {
    "documents": ("id", "external_id", "source", "line", "format", "title", "title_from",
                  "outlet", "outlet_from", "published", "published_from", "language",
                  "dateline", "duplicate_of", "duplicate_kind", "similarity", "content_hash",
                  "encoding", "text", "paragraphs", "captions", "evidence", "metadata",
                  "warnings", "ingested_at", "story", "inferred_dates"),
    "actors": ("id", "name", "kind", "romanized", "external_id", "origin", "mentions",
               "documents", "aliases", "roles"),
    "mentions": ("document_id", "idx", "char_start", "char_end", "source_start",
                 "source_end", "text", "kind", "method", "language", "entity", "actor_id",
                 "resolution", "tense", "time"),
    "events": ("id", "type", "mode", "date", "location", "actors", "recipients",
               "participants", "topics", "modality", "score", "story", "documents", "outlets",
               "origins", "single_origin", "conflicts", "mentions"),
    "claims": ("document", "idx", "cue", "source", "content", "direct", "kind", "stance",
               "via", "source_ref", "channel", "score"),
    "stories": ("id", "title", "first_date", "last_date", "documents", "outlets", "events",
                "summary"),
}


def event_record(row: dict[str, Any], extras: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event as exported (docs/export.md#events); `extras` are the cross-document
    fields of `StoryReader.event_extras`."""
    parts = row["participants"]
    extras = extras or {}
    return {
        "id": row["id"], "type": row["type"], "mode": row["mode"],
        "date": {"value": row["date_value"], "start": row["date_start"],
                 "end": row["date_end"], "precision": row["date_precision"]},
        "location": ({"name": row["location"], "actor": row["location_actor"]}
                     if row["location"] else None),
        "actors": parts.get("actor", []), "recipients": parts.get("recipient", []),
        "participants": {k: v for k, v in parts.items() if k not in ("actor", "recipient")},
        "topics": row["topics"], "modality": row["modality"], "score": row["score"],
        "story": row["story_id"],
        "documents": extras.get("documents", sorted({m["document_id"]
                                                      for m in row["mentions"]})),
        "outlets": extras.get("outlets", []), "origins": extras.get("origins"),
        "origin_names": extras.get("origin_names", []),
        "single_origin": extras.get("single_origin"),
        "conflicts": extras.get("conflicts", []), "facts": extras.get("facts", []),
        "merges": [{"event": g["event_id"], "document": g["document_id"], "score": g["score"],
                    "evidence": g["evidence"]} for g in extras.get("merges", [])],
        "summary": extras.get("summary", []),
        "mentions": [{
            "document": m["document_id"], "start": m["source_start"], "end": m["source_end"],
            "char_start": m["sentence_start"], "char_end": m["sentence_end"],
            "quote": m["quote"], "trigger": m["trigger"],
            "trigger_start": m["trigger_start"], "trigger_end": m["trigger_end"],
            "modality": m["modality"], "score": m["score"], "rule": m["rule"],
            "attributed_to": m["attribution"]} for m in row["mentions"]],
    }


def claim_record(row: dict[str, Any]) -> dict[str, Any]:
    """A claim as exported (docs/export.md#claims)."""
    original = row["original"]
    return {
        "document": row["document_id"], "idx": row["idx"],
        "cue": {"text": row["cue"], "char_start": row["cue_start"],
                "char_end": row["cue_end"], "start": original["cue"][0],
                "end": original["cue"][1]},
        "source": ({"text": row["source"], "actor": row["source_actor"],
                    "char_start": row["source_start"], "char_end": row["source_end"],
                    "start": original["source"][0] if original["source"] else None,
                    "end": original["source"][1] if original["source"] else None}
                   if row["source"] is not None else None),
        "content": [{"char_start": a, "char_end": b, "start": oa, "end": ob}
                    for (a, b), (oa, ob) in zip(row["content"], original["content"],
                                                strict=True)],
        "content_text": row["content_text"], "direct": bool(row["direct"]),
        "kind": row["kind"], "stance": row["stance"], "via": row["via"],
        "source_ref": row["source_ref"], "channel": row["channel"], "score": row["score"],
    }


def table_rows(store: Store, table: str, *, include_raw: bool = False) -> Iterator[dict[str, Any]]:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    if table == "actors":
        yield from store.actors.listing()
    elif table == "mentions":
        yield from store.actors.iter_mentions()
    elif table == "events":
        reader = StoryReader(store)
        yield from (event_record(r, reader.event_extras(r["id"]))
                    for r in store.events.iter_events())
    elif table == "stories":
        yield from story_records(store)
    elif table == "claims":
        yield from (claim_record(r) for r in store.events.iter_claims())
    else:
        for record in store.iter_documents(include_raw=include_raw):
            record["story"] = store.stories.story_of(record["id"])
            record["inferred_dates"] = [
                {"mention": i["mention"], "value": i["value"],
                 "published_start": i["published_start"], "published_end": i["published_end"],
                 "event": i["event_id"], "from_document": i["from_document"],
                 "evidence": i["evidence"]} for i in store.events.inferred_dates(record["id"])]
            yield record


def story_records(store: Store) -> Iterator[dict[str, Any]]:
    """Stories as exported (docs/export.md#stories)."""
    reader = StoryReader(store)
    for row in store.stories.rows():
        docs = store.stories.documents(row["id"])
        yield {"id": row["id"], "title": reader.title(row["id"], docs),
               "first_date": row["first_date"], "last_date": row["last_date"],
               "documents": [d["id"] for d in docs],
               "outlets": sorted({outlet_name(d["outlet"], d["id"]) for d in docs}),
               "events": store.stories.event_ids(row["id"]),
               "summary": [{"text": s.text, "event": s.event,
                            "citations": [c.to_json() for c in s.citations]}
                           for s in reader.summarizer.story(row["id"])]}


def write_json(store: Store, out: TextIO, *, include_raw: bool = False) -> int:
    """The whole knowledge base as one JSON document; returns the number of records."""
    header = {
        "export_version": EXPORT_VERSION,
        "storyline_version": __version__,
        "schema_version": store.schema_version,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    count = 0
    for t, table in enumerate(TABLES):
        out.write(f"  {json.dumps(table)}: [")
        for i, row in enumerate(table_rows(store, table, include_raw=include_raw)):
            out.write(",\n    " if i else "\n    ")
            out.write(json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n  ]" + (",\n" if t < len(TABLES) - 1 else "\n"))
    out.write("}\n")
    return count


def write_jsonl(store: Store, table: str, out: TextIO, *, include_raw: bool = False) -> int:
    count = 0
    for row in table_rows(store, table, include_raw=include_raw):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(store: Store, table: str, out: TextIO) -> int:
    columns = TABLES[table]
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in table_rows(store, table):
        writer.writerow([_cell(row.get(c)) for c in columns])
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export(store: Store, fmt: str, output: str | None, *, table: str | None = None,
           include_raw: bool = False, stdout: TextIO | None = None) -> dict[str, int]:
    """Write an export; returns records written per file (or per table on stdout).

    `json`, `plover` (canonical events as PLOVER/POLECAT records, a JSON list) and
    `graphml` (the actor network; the count is its edges) go to `output` (a file) or
    stdout. `jsonl` and `csv` write one file per table into the folder `output`, or the
    one `table` to stdout when `output` is None.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    written: dict[str, int] = {}
    if fmt in SINGLE_FILE:
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                written[output] = _write_single(store, fmt, handle, include_raw=include_raw)
        else:
            written["-"] = _write_single(store, fmt, stdout or io.StringIO(),
                                         include_raw=include_raw)
        return written
    tables = [table] if table else list(TABLES)
    if output is None:
        if len(tables) != 1:
            tables = ["documents"]
        target = stdout or io.StringIO()
        for t in tables:
            written[t] = (write_jsonl(store, t, target, include_raw=include_raw)
                          if fmt == "jsonl" else write_csv(store, t, target))
        return written
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    for t in tables:
        path = folder / f"{t}.{fmt}"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            written[str(path)] = (write_jsonl(store, t, handle, include_raw=include_raw)
                                  if fmt == "jsonl" else write_csv(store, t, handle))
    return written


def _write_single(store: Store, fmt: str, out: TextIO, *, include_raw: bool) -> int:
    if fmt == "plover":
        return write_plover(store, out)
    if fmt == "graphml":
        return write_graphml(build_network(store), out)
    return write_json(store, out, include_raw=include_raw)
