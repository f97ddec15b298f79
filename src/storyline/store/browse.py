"""Filtered, paginated listings for browsing a store (the web app and the REST API).

Every listing takes a `Filters` and returns a `Page`: the ids of one page of rows, best
or newest first, and the total number of matching rows. The callers turn ids into
records with the tables' own readers, so a record looks the same everywhere.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

MAX_LIMIT = 200


@dataclass(frozen=True)
class Filters:
    """What a user can narrow a listing by; empty fields do not filter."""

    actor_ids: list[str] | None = None  # None: no actor filter; []: an unknown actor
    type: str | None = None
    topic: str | None = None
    outlet: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    story: str | None = None
    document: str | None = None
    kind: str | None = None
    min_score: float = 0.0
    limit: int = 50
    offset: int = 0


@dataclass
class Page:
    ids: list[str]
    total: int
    limit: int
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.ids)
        return end if end < self.total else None


def _marks(values: list[str]) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _end_of(date: str | None) -> str | None:
    """`YYYY` or `YYYY-MM` as an upper bound covers the whole year or month."""
    if date is None:
        return None
    return date + {4: "-12-31", 7: "-31"}.get(len(date), "")


class _Where:
    """A WHERE clause built from the filters a user set; unset filters add nothing."""

    def __init__(self, *always: str, args: tuple[Any, ...] = ()) -> None:
        self.clauses = list(always)
        self.args: list[Any] = list(args)

    def add(self, value: Any, clause: str) -> None:
        """`clause` with one `?` per use of `value`, when `value` is set."""
        if value is not None and value != "":
            self.clauses.append(clause)
            self.args.extend([value] * clause.count("?"))

    def among(self, ids: list[str] | None, clause: str) -> None:
        """`clause` with `{ids}` for the placeholders of a list (None: no filter)."""
        if ids is not None:
            self.clauses.append(clause.format(ids=_marks(ids)))
            self.args.extend(ids)

    def page(self, conn: sqlite3.Connection, select: str, order: str, f: Filters) -> Page:
        clause = f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""
        total = int(conn.execute(f"SELECT count(*) FROM ({select}{clause})",
                                 self.args).fetchone()[0])
        limit = max(1, min(int(f.limit), MAX_LIMIT))
        offset = max(0, int(f.offset))
        rows = conn.execute(f"{select}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                            [*self.args, limit, offset])
        return Page([r[0] for r in rows], total, limit, offset)


_TOPIC = "EXISTS (SELECT 1 FROM json_each({}.topics) t WHERE t.value = ?)"


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def events(conn: sqlite3.Connection, f: Filters) -> Page:
    """Canonical events, newest first (undated last)."""
    w = _Where("e.canonical = e.id", "e.score >= ?", args=(f.min_score,))
    w.add(f.type and f.type.upper(), "e.type = ?")
    w.add(f.topic and f.topic.lower(), _TOPIC.format("e"))
    w.add(f.date_from, "coalesce(e.date_end, e.date_start) >= ?")
    w.add(_end_of(f.date_to), "e.date_start <= ?")
    w.add(f.story, "e.story_id = ?")
    reports = ("EXISTS (SELECT 1 FROM events x JOIN event_mentions m ON m.event_id = x.id "
               "JOIN documents d ON d.id = m.document_id WHERE x.canonical = e.id AND {})")
    w.add(f.outlet, reports.format("d.outlet = ? COLLATE NOCASE"))
    w.add(f.document, reports.format("m.document_id = ?"))
    w.among(f.actor_ids, "EXISTS (SELECT 1 FROM events x JOIN event_participants p ON "
                         "p.event_id = x.id JOIN mentions m ON m.document_id = p.document_id "
                         "AND m.idx = p.mention WHERE x.canonical = e.id AND m.actor_id IN "
                         "({ids}))")
    return w.page(conn, "SELECT e.id FROM events e",
                  "e.date_start IS NULL, e.date_start DESC, e.id", f)


def documents(conn: sqlite3.Connection, f: Filters) -> Page:
    """Documents, newest published first (undated last), then in arrival order."""
    w = _Where()
    w.add(f.outlet, "d.outlet = ? COLLATE NOCASE")
    w.add(f.date_from, "d.published >= ?")
    w.add(_end_of(f.date_to), "substr(d.published, 1, 10) <= ?")
    w.add(f.story, "d.id IN (SELECT document_id FROM story_documents WHERE story_id = ?)")
    w.among(f.actor_ids, "EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = d.id AND "
                         "m.actor_id IN ({ids}))")
    reports = "EXISTS (SELECT 1 FROM event_mentions m WHERE m.document_id = d.id AND {})"
    w.add(f.type and f.type.upper(), reports.format("m.type = ?"))
    w.add(f.topic and f.topic.lower(), reports.format(_TOPIC.format("m")))
    return w.page(conn, "SELECT d.id FROM documents d",
                  "d.published IS NULL, d.published DESC, d.rowid DESC", f)


def stories(conn: sqlite3.Connection, f: Filters) -> Page:
    """Stories, most recently active first (undated last)."""
    w = _Where()
    w.add(f.date_from, "s.last_date >= ?")
    w.add(_end_of(f.date_to), "s.first_date <= ?")
    w.add(f.outlet, "EXISTS (SELECT 1 FROM story_documents sd JOIN documents d ON d.id = "
                    "sd.document_id WHERE sd.story_id = s.id AND d.outlet = ? COLLATE NOCASE)")
    w.among(f.actor_ids, "EXISTS (SELECT 1 FROM story_documents sd JOIN mentions m ON "
                         "m.document_id = sd.document_id WHERE sd.story_id = s.id AND "
                         "m.actor_id IN ({ids}))")
    has_event = "EXISTS (SELECT 1 FROM events e WHERE e.story_id = s.id AND {})"
    w.add(f.type and f.type.upper(), has_event.format("e.type = ?"))
    w.add(f.topic and f.topic.lower(), has_event.format(_TOPIC.format("e")))
    return w.page(conn, "SELECT s.id FROM stories s",
                  "s.last_date IS NULL, s.last_date DESC, s.size DESC, s.id", f)


def actors(conn: sqlite3.Connection, f: Filters, name: str | None = None) -> Page:
    """Actors, most mentioned first; `name` matches any alias (case-insensitive)."""
    w = _Where()
    w.add(f.kind and f.kind.lower(), "x.kind = ?")
    w.add(name and _like(name), "EXISTS (SELECT 1 FROM actor_aliases a WHERE a.actor_id = "
                                "x.id AND a.alias LIKE ? ESCAPE '\\')")
    w.among(f.actor_ids, "x.id IN ({ids})")
    return w.page(conn, "SELECT x.id FROM actors x",
                  "(SELECT count(*) FROM mentions m WHERE m.actor_id = x.id) DESC, x.name", f)


def claims(conn: sqlite3.Connection, f: Filters) -> Page:
    """Claims, by document (newest first) and position; ids are `document_id:idx`."""
    w = _Where()
    w.add(f.document, "c.document_id = ?")
    w.add(f.kind, "c.kind = ?")
    w.add(f.outlet, "d.outlet = ? COLLATE NOCASE")
    w.add(f.date_from, "d.published >= ?")
    w.add(_end_of(f.date_to), "substr(d.published, 1, 10) <= ?")
    w.among(f.actor_ids, "EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = "
                         "c.document_id AND m.idx = c.source_mention AND m.actor_id IN "
                         "({ids}))")
    select = ("SELECT c.document_id || ':' || c.idx AS id FROM claims c JOIN documents d ON "
              "d.id = c.document_id")
    return w.page(conn, select, "d.published IS NULL, d.published DESC, d.rowid DESC, c.idx",
                  f)


def claim(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """One claim by `document_id:idx`, with its source's actor and its document."""
    doc_id, _, idx = key.rpartition(":")
    if not doc_id or not idx.isdigit():
        return None
    row = conn.execute(
        "SELECT c.*, m.actor_id AS source_actor, d.outlet, d.title, d.published FROM claims c "
        "JOIN documents d ON d.id = c.document_id LEFT JOIN mentions m ON m.document_id = "
        "c.document_id AND m.idx = c.source_mention WHERE c.document_id = ? AND c.idx = ?",
        (doc_id, int(idx))).fetchone()
    return dict(row) if row else None


def outlets(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Outlet names with their document counts, most documents first."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT outlet, count(*) FROM documents WHERE outlet IS NOT NULL GROUP BY outlet "
        "ORDER BY count(*) DESC, outlet")]


def event_types(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT type, count(*) FROM events WHERE canonical = id GROUP BY type "
        "ORDER BY count(*) DESC, type")]


def topics(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT t.value, count(*) FROM events e, json_each(e.topics) t WHERE e.canonical = "
        "e.id GROUP BY t.value ORDER BY count(*) DESC, t.value")]


def document_spans(conn: sqlite3.Connection, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """What to highlight in a document's cleaned text: entity mentions (with their
    actors) and event triggers/sentences (with their canonical events)."""
    mentions = [dict(r) for r in conn.execute(
        "SELECT m.idx, m.char_start, m.char_end, m.source_start, m.source_end, m.text, "
        "m.kind, m.actor_id, a.name AS actor_name FROM mentions m LEFT JOIN actors a ON "
        "a.id = m.actor_id WHERE m.document_id = ? AND m.kind NOT IN ('time', 'duration') "
        "ORDER BY m.char_start", (doc_id,))]
    times = [dict(r) for r in conn.execute(
        "SELECT idx, char_start, char_end, source_start, source_end, text, time_value "
        "FROM mentions WHERE document_id = ? AND time_value IS NOT NULL ORDER BY char_start",
        (doc_id,))]
    events = [dict(r) for r in conn.execute(
        "SELECT m.idx, m.trigger, m.trigger_start, m.trigger_end, m.sentence_start, "
        "m.sentence_end, m.source_start, m.source_end, m.type, e.canonical AS event_id "
        "FROM event_mentions m JOIN events e ON e.id = m.event_id WHERE m.document_id = ? "
        "ORDER BY m.trigger_start", (doc_id,))]
    return {"mentions": mentions, "times": times, "events": events}


def last_document_rowid(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM documents").fetchone()[0])


def documents_since(conn: sqlite3.Connection, rowid: int) -> list[dict[str, Any]]:
    """Documents stored after `rowid`, in order, with their story and their events
    (`canonical` differs from `id` when the event was merged into an earlier one)."""
    out = []
    for r in conn.execute("SELECT rowid, id, title, outlet, published, duplicate_of, "
                          "duplicate_kind FROM documents WHERE rowid > ? ORDER BY rowid",
                          (rowid,)):
        doc = dict(r)
        del doc["rowid"]
        story = conn.execute("SELECT story_id FROM story_documents WHERE document_id = ?",
                             (doc["id"],)).fetchone()
        doc["story"] = story[0] if story else None
        doc["events"] = [dict(e) for e in conn.execute(
            "SELECT DISTINCT e.id, e.type, e.canonical, g.score AS merge_score FROM events e "
            "JOIN event_mentions m ON m.event_id = e.id LEFT JOIN event_merges g ON "
            "g.event_id = e.id WHERE m.document_id = ? ORDER BY e.id", (doc["id"],))]
        out.append(doc)
    return out
