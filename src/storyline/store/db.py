"""The SQLite store: the only module that speaks SQL.

One file, WAL journal, foreign keys on. Writes happen in explicit transactions, so a
run that is interrupted (Ctrl-C, kill -9, power loss) leaves every committed document
whole and nothing half-written; re-running the same ingest stores what is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from storyline.errors import SchemaVersionError, StoreError, StorylineError
from storyline.ingest.identity import NEAR_DUPLICATE_THRESHOLD, band_keys, similarity
from storyline.model import Document, Rejection
from storyline.store.actors import ActorTable
from storyline.store.events import EventTable
from storyline.store.migrations import LATEST, MIGRATIONS
from storyline.store.stories import StoryTable

DEFAULT_DB = "storyline.db"


class SearchError(StorylineError):
    """A full-text search query that SQLite FTS5 cannot parse."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _mmap_bytes() -> int:
    """`STORYLINE_MMAP_MB`: how much of the database file SQLite reads through a memory
    map instead of `read()` calls (0, the default: none). On a large store it makes each
    look-up cheaper (adding a document at 100,000 stored: 43 -> 32 ms, measured); the
    mapped pages count in the process's RSS, as shared file pages the system can drop.
    SQLite caps the map (about 2 GB in common builds)."""
    value = os.environ.get("STORYLINE_MMAP_MB", "").strip()
    if not value:
        return 0
    try:
        megabytes = int(value)
    except ValueError:
        raise StoreError(f"STORYLINE_MMAP_MB must be a whole number of megabytes, not "
                         f"{value!r}") from None
    return max(0, megabytes) * 1024 * 1024


class Store:
    """A Storyline knowledge base in one SQLite file."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, create: bool = True,
                 readonly: bool = False) -> None:
        """Open (and migrate) the store at `path`; `readonly` opens an existing, current
        store for reading only (no migration), for the readers of a server."""
        self.path = str(path)
        if (not create or readonly) and self.path != ":memory:" and not Path(
                self.path).exists():
            raise StoreError(f"no database at {self.path}; run `storyline ingest` first "
                             "or pass --db")
        try:
            if readonly:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30,
                                            check_same_thread=False)
            else:
                self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.conn.row_factory = sqlite3.Row
            if not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            if mmap := _mmap_bytes():
                self.conn.execute(f"PRAGMA mmap_size = {mmap}")
            if readonly:
                self.conn.execute("PRAGMA query_only=ON")
                if self.schema_version != LATEST:
                    raise SchemaVersionError(
                        f"{self.path} has schema version {self.schema_version}, this Storyline "
                        f"reads {LATEST}; open it once for writing (e.g. `storyline ingest`) "
                        "to migrate it, or upgrade Storyline")
            else:
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot use {self.path} as a Storyline database: {exc}") from exc
        self._in_tx = False
        self.actors = ActorTable(self.conn)
        self.events = EventTable(self.conn)
        self.stories = StoryTable(self.conn)

    # --- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        if self._in_tx:
            self.conn.execute("ROLLBACK")
            self._in_tx = False
            self.stories.forget()
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        self.conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)""")
        current = self.schema_version
        if current > LATEST:
            raise SchemaVersionError(
                f"{self.path} has schema version {current}, newer than this Storyline "
                f"understands ({LATEST}); upgrade Storyline to read it")
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(migration.sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                                  (migration.version, migration.name, _now()))
                self.conn.execute(f"PRAGMA user_version = {migration.version}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def migrations(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")]

    # --- transactions ----------------------------------------------------------------

    def begin(self) -> None:
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self.conn.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        if self._in_tx:
            self.conn.execute("ROLLBACK")
            self._in_tx = False
            self.stories.forget()  # states read or written since are gone

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    @contextmanager
    def savepoint(self, name: str = "step") -> Iterator[None]:
        """All of the block is written or none of it: a savepoint inside the open
        transaction (which goes on), or a transaction of its own when none is open."""
        own = not self._in_tx
        self.begin()
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            self.stories.forget()
            if own:
                self.rollback()
            raise
        self.conn.execute(f"RELEASE {name}")
        if own:
            self.commit()

    # --- writing ---------------------------------------------------------------------

    def has(self, doc_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row is not None

    def add(self, doc: Document, resolve: Callable[[Document], None] | None = None,
            relate: Callable[[Document], Any] | None = None) -> str:
        """Keep one processed document; returns `stored`, `duplicate` or `unchanged`.

        `resolve` links the document's entities to actors (see `storyline.actors`); it runs
        inside the document's savepoint, before its mentions and roles are written.
        `relate` (see `storyline.stories`) places the stored document in a story and
        merges its events with those of other reports, inside the same savepoint.

        Exact and near duplicates of a document already kept are stored too, linked to
        it by `duplicate_of` (always the first, independent report).
        """
        if self.has(doc.id):
            return "unchanged"
        # A savepoint per document: an interruption half-way through leaves no trace of it.
        self.conn.execute("SAVEPOINT document")
        try:
            outcome = self._insert(doc)
            if resolve is not None:
                resolve(doc)
            if doc.mentions:
                self.actors.add_mentions(doc)
                self.actors.add_roles(doc)
                self.events.add(doc)
            if relate is not None:
                relate(doc)
        except BaseException:
            self.conn.execute("ROLLBACK TO document")
            self.conn.execute("RELEASE document")
            self.stories.forget()
            raise
        self.conn.execute("RELEASE document")
        return outcome

    def _insert(self, doc: Document) -> str:
        self._link_duplicate(doc)
        evidence = {k: v.to_json() for k, v in doc.evidence.items()}
        self.conn.execute(
            """INSERT INTO documents (id, external_id, source, name, line, format, markup,
               encoding, title, title_from, outlet, outlet_from, published, published_from,
               language, dateline, raw, text, offsets, content_hash, minhash, duplicate_of,
               duplicate_kind, similarity, evidence, extra, page, warnings, ingested_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (doc.id, doc.external_id, doc.source, doc.name, doc.line, doc.format, doc.markup,
             doc.encoding, doc.title.text if doc.title else None,
             doc.title.evidence if doc.title else None, doc.outlet,
             doc.evidence["outlet"].method if "outlet" in doc.evidence else None,
             doc.published.isoformat() if doc.published else None,
             doc.evidence["published"].method if "published" in doc.evidence else None,
             doc.language, doc.dateline, doc.raw, doc.text, _json(doc.offsets.to_json()),
             doc.content_hash, doc.minhash.tobytes() if doc.minhash is not None else None,
             doc.duplicate_of, doc.duplicate_kind, doc.similarity, _json(evidence),
             _json(doc.extra), _json(doc.page), _json(doc.warnings), _now()))
        self.conn.executemany(
            """INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            [(doc.id, i, p.kind, p.start, p.end, *doc.original_span(p.start, p.end),
              p.language, p.language_from, p.direction, _json(p.meta))
             for i, p in enumerate(doc.paragraphs)])
        passages = ([doc.title] if doc.title else []) + doc.captions
        self.conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)",
            [(doc.id, p.kind, i if p.kind == "caption" else 0, p.text,
              _json(p.offsets.to_json()), *(p.span or (None, None)), p.evidence)
             for i, p in enumerate(passages)])
        if doc.minhash is not None:
            self.conn.executemany(
                "INSERT OR IGNORE INTO minhash_bands VALUES (?,?,?)",
                [(band, key, doc.id) for band, key in band_keys(doc.minhash)])
        return "duplicate" if doc.duplicate_of else "stored"

    def _link_duplicate(self, doc: Document) -> None:
        row = self.conn.execute(
            "SELECT id, duplicate_of FROM documents WHERE content_hash = ? ORDER BY rowid "
            "LIMIT 1", (doc.content_hash,)).fetchone()
        if row:
            doc.duplicate_of = row["duplicate_of"] or row["id"]
            doc.duplicate_kind, doc.similarity = "exact", 1.0
            return
        if doc.minhash is None:
            return
        keys = band_keys(doc.minhash)
        candidates: set[str] = set()
        for band, key in keys:
            for (cid,) in self.conn.execute(
                    "SELECT document_id FROM minhash_bands WHERE band = ? AND key = ?",
                    (band, key)):
                candidates.add(cid)
        best: tuple[float, str, str | None] | None = None
        for cid in sorted(candidates):
            r = self.conn.execute("SELECT minhash, duplicate_of, rowid FROM documents "
                                  "WHERE id = ?", (cid,)).fetchone()
            if r is None or r["minhash"] is None:
                continue
            sim = similarity(doc.minhash, np.frombuffer(r["minhash"], dtype=np.uint32))
            if sim >= NEAR_DUPLICATE_THRESHOLD and (best is None or sim > best[0]):
                best = (sim, cid, r["duplicate_of"])
        if best:
            doc.duplicate_of = best[2] or best[1]
            doc.duplicate_kind, doc.similarity = "near", round(best[0], 3)

    # --- runs and rejections ---------------------------------------------------------

    def start_run(self, inputs: list[str]) -> int:
        cur = self.conn.execute(
            "INSERT INTO ingest_runs (started_at, status, inputs) VALUES (?, 'running', ?)",
            (_now(), _json(inputs)))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        self.conn.execute(
            """UPDATE ingest_runs SET finished_at = ?, status = ?, read = ?, stored = ?,
               duplicates = ?, unchanged = ?, rejected = ? WHERE id = ?""",
            (_now(), status, counts.get("read", 0), counts.get("stored", 0),
             counts.get("duplicates", 0), counts.get("unchanged", 0),
             counts.get("rejected", 0), run_id))

    def add_rejection(self, run_id: int | None, rejection: Rejection) -> None:
        self.conn.execute(
            "INSERT INTO rejections (run_id, source, line, kind, reason) VALUES (?,?,?,?,?)",
            (run_id, rejection.source, rejection.line, rejection.kind, rejection.reason))

    def rejections(self, run_id: int | None = None) -> list[dict[str, Any]]:
        if run_id is None:
            rows = self.conn.execute("SELECT * FROM rejections ORDER BY id")
        else:
            rows = self.conn.execute("SELECT * FROM rejections WHERE run_id = ? ORDER BY id",
                                     (run_id,))
        return [dict(r) for r in rows]

    def runs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM ingest_runs ORDER BY id")]

    # --- reading ---------------------------------------------------------------------

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def iter_documents(self, *, include_raw: bool = False) -> Iterator[dict[str, Any]]:
        """Every document as its export record, in the order they were stored."""
        rows = self.conn.execute("SELECT rowid, * FROM documents ORDER BY rowid")
        for row in rows:
            yield self._record(row, include_raw)

    def document(self, key: str, *, include_raw: bool = False) -> dict[str, Any] | None:
        """One document by id, id prefix, or external id."""
        row = self.conn.execute("SELECT rowid, * FROM documents WHERE id = ? OR external_id = ? "
                                "ORDER BY rowid LIMIT 1", (key, key)).fetchone()
        if row is None and len(key) >= 6:
            row = self.conn.execute("SELECT rowid, * FROM documents WHERE id LIKE ? "
                                    "ORDER BY rowid LIMIT 1", (f"{key}%",)).fetchone()
        return self._record(row, include_raw) if row else None

    def _record(self, row: sqlite3.Row, include_raw: bool) -> dict[str, Any]:
        doc_id = row["id"]
        paragraphs = [
            {"start": p["char_start"], "end": p["char_end"], "kind": p["kind"],
             "language": p["language"], "language_from": p["language_from"],
             "direction": p["direction"], "source_start": p["source_start"],
             "source_end": p["source_end"], **_meta(p["meta"])}
            for p in self.conn.execute("SELECT * FROM paragraphs WHERE document_id = ? "
                                       "ORDER BY idx", (doc_id,))]
        captions = [
            {"text": c["text"], "source_start": c["source_start"], "source_end": c["source_end"]}
            for c in self.conn.execute("SELECT * FROM passages WHERE document_id = ? AND "
                                       "kind = 'caption' ORDER BY idx", (doc_id,))]
        record: dict[str, Any] = {
            "id": doc_id,
            "external_id": row["external_id"],
            "source": row["source"],
            "line": row["line"],
            "format": row["format"],
            "title": row["title"],
            "title_from": row["title_from"],
            "outlet": row["outlet"],
            "outlet_from": row["outlet_from"],
            "published": row["published"],
            "published_from": row["published_from"],
            "language": row["language"],
            "dateline": row["dateline"],
            "text": row["text"],
            "paragraphs": paragraphs,
            "captions": captions,
            "duplicate_of": row["duplicate_of"],
            "duplicate_kind": row["duplicate_kind"],
            "similarity": row["similarity"],
            "content_hash": row["content_hash"],
            "encoding": row["encoding"],
            "evidence": json.loads(row["evidence"]),
            "metadata": json.loads(row["extra"]),
            "warnings": json.loads(row["warnings"]),
            "offsets": json.loads(row["offsets"]),
            "ingested_at": row["ingested_at"],
        }
        if include_raw:
            record["raw"] = row["raw"]
        return record

    def search(self, query: str, limit: int = 20,
               marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """Full-text search (SQLite FTS5 syntax) over titles and texts, best first; the
        snippets put `marks` around the matched words."""
        try:
            rows = self.conn.execute(
                """SELECT d.id, d.title, d.outlet, d.published,
                          snippet(documents_fts, 1, ?, ?, '…', 12) AS snippet
                   FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
                   WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?""",
                (marks[0], marks[1], query, limit))
            return [dict(r) for r in rows]
        except sqlite3.OperationalError as exc:
            raise SearchError(f"cannot search for {query!r}: {exc} (FTS5 query syntax: words, "
                              '"exact phrases", OR, NOT, prefix*)') from exc

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _meta(text: str) -> dict[str, Any]:
    meta = json.loads(text)
    return {"meta": meta} if meta else {}


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (triggers contain semicolons)."""
    out: list[str] = []
    buf = ""
    for line in sql.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
