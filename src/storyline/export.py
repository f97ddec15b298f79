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

from storyline.store import Store
from storyline.version import __version__

EXPORT_VERSION = 1
FORMATS = ("json", "jsonl", "csv")
#: Tables, and for CSV the columns written (nested values are JSON-encoded).
TABLES: dict[str, tuple[str, ...]] = {
    "documents": ("id", "external_id", "source", "line", "format", "title", "title_from",
                  "outlet", "outlet_from", "published", "published_from", "language",
                  "dateline", "duplicate_of", "duplicate_kind", "similarity", "content_hash",
                  "encoding", "text", "paragraphs", "captions", "evidence", "metadata",
                  "warnings", "ingested_at"),
    "actors": ("id", "name", "kind", "romanized", "external_id", "origin", "mentions",
               "documents", "aliases", "roles"),
    "mentions": ("document_id", "idx", "char_start", "char_end", "source_start",
                 "source_end", "text", "kind", "method", "language", "entity", "actor_id",
                 "resolution", "tense", "time"),
}


def table_rows(store: Store, table: str, *, include_raw: bool = False) -> Iterator[dict[str, Any]]:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    if table == "actors":
        yield from store.actors.listing()
    elif table == "mentions":
        yield from store.actors.iter_mentions()
    else:
        yield from store.iter_documents(include_raw=include_raw)


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

    `json` goes to `output` (a file) or stdout. `jsonl` and `csv` write one file per
    table into the folder `output`, or the one `table` to stdout when `output` is None.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    written: dict[str, int] = {}
    if fmt == "json":
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                written[output] = write_json(store, handle, include_raw=include_raw)
        else:
            written["-"] = write_json(store, stdout or io.StringIO(), include_raw=include_raw)
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
