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


def _page(conn: sqlite3.Connection, select: str, where: list[str], args: list[Any],
          order: str, f: Filters) -> Page:
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = int(conn.execute(f"SELECT count(*) FROM ({select}{clause})", args).fetchone()[0])
    limit = max(1, min(int(f.limit), MAX_LIMIT))
    offset = max(0, int(f.offset))
    rows = conn.execute(f"{select}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*args, limit, offset])
    return Page([r[0] for r in rows], total, limit, offset)


def events(conn: sqlite3.Connection, f: Filters) -> Page:
    """Canonical events, newest first (undated last)."""
    where = ["e.canonical = e.id", "e.score >= ?"]
    args: list[Any] = [f.min_score]
    if f.type:
        where.append("e.type = ?")
        args.append(f.type.upper())
    if f.topic:
        where.append("EXISTS (SELECT 1 FROM json_each(e.topics) t WHERE t.value = ?)")
        args.append(f.topic.lower())
    if f.date_from:
        where.append("coalesce(e.date_end, e.date_start) >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("e.date_start <= ?")
        args.append(f.date_to)
    if f.story:
        where.append("e.story_id = ?")
        args.append(f.story)
    if f.outlet or f.document:
        sub = ["x.canonical = e.id"]
        if f.outlet:
            sub.append("d.outlet = ? COLLATE NOCASE")
            args.append(f.outlet)
        if f.document:
            sub.append("m.document_id = ?")
            args.append(f.document)
        where.append("EXISTS (SELECT 1 FROM events x JOIN event_mentions m ON m.event_id = "
                     "x.id JOIN documents d ON d.id = m.document_id WHERE "
                     f"{' AND '.join(sub)})")
    if f.actor_ids is not None:
        where.append(f"EXISTS (SELECT 1 FROM events x JOIN event_participants p ON p.event_id "
                     f"= x.id JOIN mentions m ON m.document_id = p.document_id AND m.idx = "
                     f"p.mention WHERE x.canonical = e.id AND m.actor_id IN "
                     f"({_marks(f.actor_ids)}))")
        args.extend(f.actor_ids)
    return _page(conn, "SELECT e.id FROM events e", where, args,
                 "e.date_start IS NULL, e.date_start DESC, e.id", f)


def documents(conn: sqlite3.Connection, f: Filters) -> Page:
    """Documents, newest published first (undated last), then in arrival order."""
    where: list[str] = []
    args: list[Any] = []
    if f.outlet:
        where.append("d.outlet = ? COLLATE NOCASE")
        args.append(f.outlet)
    if f.date_from:
        where.append("d.published >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("substr(d.published, 1, 10) <= ?")
        args.append(f.date_to)
    if f.story:
        where.append("d.id IN (SELECT document_id FROM story_documents WHERE story_id = ?)")
        args.append(f.story)
    if f.actor_ids is not None:
        where.append(f"EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = d.id AND "
                     f"m.actor_id IN ({_marks(f.actor_ids)}))")
        args.extend(f.actor_ids)
    if f.topic or f.type:
        sub, sub_args = ["m.document_id = d.id"], []
        if f.type:
            sub.append("m.type = ?")
            sub_args.append(f.type.upper())
        if f.topic:
            sub.append("EXISTS (SELECT 1 FROM json_each(m.topics) t WHERE t.value = ?)")
            sub_args.append(f.topic.lower())
        where.append(f"EXISTS (SELECT 1 FROM event_mentions m WHERE {' AND '.join(sub)})")
        args.extend(sub_args)
    return _page(conn, "SELECT d.id FROM documents d", where, args,
                 "d.published IS NULL, d.published DESC, d.rowid DESC", f)


def stories(conn: sqlite3.Connection, f: Filters) -> Page:
    """Stories, most recently active first (undated last)."""
    where: list[str] = []
    args: list[Any] = []
    if f.date_from:
        where.append("s.last_date >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("s.first_date <= ?")
        args.append(f.date_to)
    if f.outlet:
        where.append("EXISTS (SELECT 1 FROM story_documents sd JOIN documents d ON d.id = "
                     "sd.document_id WHERE sd.story_id = s.id AND d.outlet = ? COLLATE NOCASE)")
        args.append(f.outlet)
    if f.actor_ids is not None:
        where.append(f"EXISTS (SELECT 1 FROM story_documents sd JOIN mentions m ON "
                     f"m.document_id = sd.document_id WHERE sd.story_id = s.id AND "
                     f"m.actor_id IN ({_marks(f.actor_ids)}))")
        args.extend(f.actor_ids)
    if f.type or f.topic:
        sub, sub_args = ["e.story_id = s.id"], []
        if f.type:
            sub.append("e.type = ?")
            sub_args.append(f.type.upper())
        if f.topic:
            sub.append("EXISTS (SELECT 1 FROM json_each(e.topics) t WHERE t.value = ?)")
            sub_args.append(f.topic.lower())
        where.append(f"EXISTS (SELECT 1 FROM events e WHERE {' AND '.join(sub)})")
        args.extend(sub_args)
    return _page(conn, "SELECT s.id FROM stories s", where, args,
                 "s.last_date IS NULL, s.last_date DESC, s.size DESC, s.id", f)


def actors(conn: sqlite3.Connection, f: Filters, name: str | None = None) -> Page:
    """Actors, most mentioned first; `name` matches any alias (case-insensitive)."""
    where: list[str] = []
    args: list[Any] = []
    if f.kind:
        where.append("x.kind = ?")
        args.append(f.kind.lower())
    if name:
        where.append("EXISTS (SELECT 1 FROM actor_aliases a WHERE a.actor_id = x.id AND "
                     "a.alias LIKE ? ESCAPE '\\')")
        args.append("%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    + "%")
    if f.actor_ids is not None:
        where.append(f"x.id IN ({_marks(f.actor_ids)})")
        args.extend(f.actor_ids)
    return _page(conn, "SELECT x.id FROM actors x", where, args,
                 "(SELECT count(*) FROM mentions m WHERE m.actor_id = x.id) DESC, x.name", f)


def claims(conn: sqlite3.Connection, f: Filters) -> Page:
    """Claims, by document (newest first) and position; ids are `document_id:idx`."""
    where: list[str] = []
    args: list[Any] = []
    if f.document:
        where.append("c.document_id = ?")
        args.append(f.document)
    if f.kind:
        where.append("c.kind = ?")
        args.append(f.kind)
    if f.outlet:
        where.append("d.outlet = ? COLLATE NOCASE")
        args.append(f.outlet)
    if f.date_from:
        where.append("d.published >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("substr(d.published, 1, 10) <= ?")
        args.append(f.date_to)
    if f.actor_ids is not None:
        where.append(f"EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = c.document_id "
                     f"AND m.idx = c.source_mention AND m.actor_id IN ({_marks(f.actor_ids)}))")
        args.extend(f.actor_ids)
    select = ("SELECT c.document_id || ':' || c.idx AS id FROM claims c JOIN documents d ON "
              "d.id = c.document_id")
    return _page(conn, select, where, args,
                 "d.published IS NULL, d.published DESC, d.rowid DESC, c.idx", f)


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
