"""Events, their mentions and participants, and claims: the SQL side of events.

One canonical event row stands for the mentions of one real event; inside a document the
mentions linked by `EventMention.same_as` share it, and the cross-document stages may
merge rows later. Participants point at mentions, so an actor is always read through
`mentions.actor_id` and follows later re-resolution.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from storyline.model import Claim, Document, EventMention
from storyline.store.sql import IN_CHUNK, rows_in


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def event_id(document_id: str, index: int) -> str:
    """The id of the event first mentioned as `index` in the document (stable)."""
    return "ev_" + hashlib.sha1(f"{document_id}:{index}".encode()).hexdigest()[:12]


def attribution_chain(doc: Document, claim_index: int | None) -> list[dict[str, Any]]:
    """Who vouches for a statement, innermost source first, the outlet last."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    k = claim_index
    while k is not None and k not in seen:
        seen.add(k)
        c = doc.claims[k]
        chain.append(_link(doc, c))
        k = c.via
    chain.append({"source": doc.outlet or "the publishing outlet", "role": "outlet",
                  "actor": None, "cue": None, "channel": None, "direct": False})
    return chain


def _link(doc: Document, c: Claim) -> dict[str, Any]:
    name = c.source
    ref = c.source_ref
    hops = 0
    while ref is not None and hops < 10:  # "it", "the agency": name the first wording
        name = doc.claims[ref].source or name
        ref = doc.claims[ref].source_ref
        hops += 1
    actor = doc.mentions[c.source_mention].actor if c.source_mention is not None else None
    if name is None:
        name = "an unnamed source"
    return {"source": name, "role": "source", "actor": actor, "cue": c.cue,
            "channel": c.channel, "direct": c.direct}


def date_of(doc: Document, ev: EventMention) -> dict[str, Any]:
    """The event's date: its time expression's value, else the publication date as the
    latest it can have happened (precision `published`), else unknown."""
    if ev.time is not None and doc.mentions[ev.time].time is not None:
        tv = doc.mentions[ev.time].time.to_json()
        if tv.get("start"):
            return {"value": tv.get("value"), "start": tv["start"], "end": tv.get("end"),
                    "precision": tv.get("precision")}
    if doc.published is not None and ev.modality in ("asserted", "reported", "negated"):
        day = doc.published.isoformat()
        return {"value": day, "start": day, "end": day, "precision": "published"}
    return {"value": None, "start": None, "end": None, "precision": None}


def restore_own(conn: sqlite3.Connection, where: str, params: Sequence[Any] = ()) -> None:
    """Give the events `where` selects their own values back where a merge had
    overwritten them (kept in `own` by `EventTable.merge`)."""
    rows = conn.execute(f"SELECT id, own FROM events WHERE {where}", params).fetchall()
    for r in rows:
        own = json.loads(r["own"])
        conn.execute(
            "UPDATE events SET date_value = ?, date_start = ?, date_end = ?, "
            "date_precision = ?, location = ?, location_document = ?, "
            "location_mention = ?, topics = ?, score = ?, own = NULL WHERE id = ?",
            (own["date_value"], own["date_start"], own["date_end"], own["date_precision"],
             own["location"], own["location_document"], own["location_mention"],
             own["topics"], own["score"], r["id"]))


class EventTable:
    """Queries over the event and claim tables of one open store connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # --- writing -----------------------------------------------------------------------

    def add(self, doc: Document) -> None:
        """Keep a document's claims and events (inside the caller's savepoint)."""
        self._add_claims(doc)
        roots: dict[int, str] = {}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for k, ev in enumerate(doc.events):
            root = ev.same_as if ev.same_as is not None else k
            if root not in roots:
                roots[root] = event_id(doc.id, root)
                self._add_event(doc, roots[root], [e for j, e in enumerate(doc.events)
                                                   if j == root or e.same_as == root], now)
            self._add_mention(doc, k, ev, roots[root])

    def _add_claims(self, doc: Document) -> None:
        rows = []
        for k, c in enumerate(doc.claims):
            original = {"cue": doc.original_span(*c.cue_span),
                        "source": doc.original_span(*c.source_span) if c.source_span else None,
                        "content": [doc.original_span(a, b) for a, b in c.content]}
            rows.append((doc.id, k, c.cue, c.cue_span[0], c.cue_span[1], _json(c.content),
                         " … ".join(doc.text[a:b] for a, b in c.content), c.source,
                         c.source_span[0] if c.source_span else None,
                         c.source_span[1] if c.source_span else None, c.source_mention,
                         int(c.direct), c.kind, c.stance, c.via, c.source_ref, c.channel,
                         c.paragraph, c.score, _json(original)))
        self.conn.executemany(
            "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def _add_event(self, doc: Document, eid: str, mentions: list[EventMention],
                   now: str) -> None:
        first = mentions[0]
        timed = next((e for e in mentions if e.time is not None), first)
        date = date_of(doc, timed)
        located = next((e for e in mentions if e.location is not None), None)
        location = located.location if located is not None else None
        topics: list[str] = []
        for e in mentions:
            topics += [t for t in e.topics if t not in topics]
        self.conn.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (eid, first.type, first.mode, date["value"], date["start"], date["end"],
             date["precision"], doc.mentions[location].text if location is not None else None,
             doc.id if location is not None else None, location, first.modality,
             _json(topics), max(e.score for e in mentions), None, now, eid, None, None))

    def _add_mention(self, doc: Document, k: int, ev: EventMention, eid: str) -> None:
        a, b = ev.sentence
        self.conn.execute(
            "INSERT INTO event_mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, k, eid, ev.type, ev.mode, ev.trigger, ev.trigger_span[0],
             ev.trigger_span[1], a, b, *doc.original_span(a, b), doc.text[a:b], ev.location,
             ev.time, ev.theme, ev.modality, _json(ev.topics), ev.claim,
             _json(attribution_chain(doc, ev.claim)), ev.score, ev.rule, ev.paragraph,
             ev.same_as))
        roles = [("actor", m) for m in ev.actors] + [("recipient", m) for m in ev.recipients]
        roles += list(ev.others)
        self.conn.executemany(
            "INSERT OR IGNORE INTO event_participants VALUES (?,?,?,?,?)",
            [(doc.id, k, role, m, eid) for role, m in roles])

    # --- reading -----------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM events WHERE canonical = id")
                   .fetchone()[0])

    def listing(self, *, actor_ids: list[str] | None = None, type: str | None = None,
                date_from: str | None = None, date_to: str | None = None,
                min_score: float = 0.0, limit: int | None = None) -> list[dict[str, Any]]:
        """Events (newest first) with their participants and sources, filtered."""
        where: list[str] = ["canonical = id", "score >= ?"]
        args: list[Any] = [min_score]
        if type:
            where.append("type = ?")
            args.append(type.upper())
        if date_from:
            where.append("coalesce(date_end, date_start) >= ?")
            args.append(date_from)
        if date_to:
            where.append("date_start <= ?")
            args.append(date_to)
        if actor_ids is not None:
            marks = ",".join("?" * len(actor_ids)) or "NULL"
            where.append(f"id IN (SELECT e.canonical FROM event_participants p JOIN mentions m "
                         f"ON m.document_id = p.document_id AND m.idx = p.mention JOIN events e "
                         f"ON e.id = p.event_id WHERE m.actor_id IN ({marks}))")
            args.extend(actor_ids)
        sql = (f"SELECT * FROM events WHERE {' AND '.join(where)} "
               "ORDER BY date_start IS NULL, date_start DESC, id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._summary(dict(r)) for r in self.conn.execute(sql, args)]

    def get(self, eid: str) -> dict[str, Any] | None:
        """One event with every mention: quote, offsets, attribution chain, document."""
        row = self.conn.execute("SELECT * FROM events WHERE id = ?", (eid,)).fetchone()
        if row is None:
            rows = self.conn.execute("SELECT * FROM events WHERE id LIKE ? LIMIT 2",
                                     (eid + "%",)).fetchall()
            if len(rows) != 1:
                return None
            row = rows[0]
        if row["canonical"] != row["id"]:  # merged into another event: show that one
            row = self.conn.execute("SELECT * FROM events WHERE id = ?",
                                    (row["canonical"],)).fetchone()
        event = self._summary(dict(row))
        mentions = []
        for r in self.conn.execute(
                "SELECT e.*, d.outlet, d.title, d.text AS doc_text, d.published FROM "
                "event_mentions e JOIN documents d ON d.id = e.document_id WHERE e.event_id IN "
                "(SELECT id FROM events WHERE canonical = ?) ORDER BY d.published IS NULL, "
                "d.published, d.rowid, e.idx", (event["id"],)):
            rec = dict(r)
            text = rec.pop("doc_text")
            a, b = rec["sentence_start"], rec["sentence_end"]
            rec["trigger_in_quote"] = [rec["trigger_start"] - a, rec["trigger_end"] - a]
            rec["context"] = text[max(0, a - 200):a], text[b:b + 200]
            rec["attribution"] = json.loads(rec["attribution"])
            rec["topics"] = json.loads(rec["topics"])
            mentions.append(rec)
        event["mentions"] = mentions
        return event

    def _summary(self, row: dict[str, Any]) -> dict[str, Any]:
        for internal in ("own", "digest"):  # merge bookkeeping, not part of the event
            row.pop(internal, None)
        row["topics"] = json.loads(row["topics"])
        parts: dict[str, list[dict[str, Any]]] = {}
        for r in self.conn.execute(
                "SELECT p.role, m.text, m.actor_id, a.name FROM event_participants p JOIN "
                "mentions m ON m.document_id = p.document_id AND m.idx = p.mention LEFT JOIN "
                "actors a ON a.id = m.actor_id WHERE p.event_id IN (SELECT id FROM events "
                "WHERE canonical = ?) ORDER BY p.document_id, p.event_mention, p.mention",
                (row["id"],)):
            key = r["actor_id"] or r["text"]
            people = parts.setdefault(r["role"], [])
            if all((p["id"] or p["name"]) != key for p in people):
                people.append({"id": r["actor_id"], "name": r["name"] or r["text"]})
        row["participants"] = parts
        row["location_actor"] = None
        if row.get("location_mention") is not None:
            loc = self.conn.execute(
                "SELECT m.actor_id, a.name FROM mentions m LEFT JOIN actors a ON a.id = "
                "m.actor_id WHERE m.document_id = ? AND m.idx = ?",
                (row["location_document"], row["location_mention"])).fetchone()
            if loc is not None:
                row["location_actor"] = loc["actor_id"]
                row["location"] = loc["name"] or row["location"]
        sources = []
        for r in self.conn.execute(
                "SELECT e.attribution, e.document_id, d.outlet FROM event_mentions e JOIN "
                "documents d ON d.id = e.document_id WHERE e.event_id IN (SELECT id FROM "
                "events WHERE canonical = ?) ORDER BY e.document_id, e.idx", (row["id"],)):
            chain = [link["source"] for link in json.loads(r["attribution"])]
            if chain not in sources:
                sources.append(chain)
        row["sources"] = sources
        return row

    def iter_events(self) -> Any:
        for r in self.conn.execute("SELECT id FROM events WHERE canonical = id ORDER BY "
                                   "date_start, id"):
            yield self.get(r["id"])

    def iter_claims(self) -> Any:
        for r in self.conn.execute(
                "SELECT c.*, m.actor_id AS source_actor FROM claims c LEFT JOIN mentions m ON "
                "m.document_id = c.document_id AND m.idx = c.source_mention "
                "ORDER BY c.document_id, c.idx"):
            rec = dict(r)
            rec["content"] = json.loads(rec["content"])
            rec["original"] = json.loads(rec["original"])
            yield rec

    # --- canonical events (written by storyline.stories.merge) --------------------------

    def document_events(self, doc_id: str) -> list[str]:
        """The events first reported by one document, in order of their first mention."""
        return [r["id"] for r in self.conn.execute(
            "SELECT DISTINCT e.id FROM events e JOIN event_mentions m ON m.event_id = e.id "
            "WHERE m.document_id = ? ORDER BY m.idx", (doc_id,))]

    def newest_events(self, story_id: str, type: str, exclude_doc: str, limit: int
                      ) -> list[tuple[str, str | None]]:
        """The `limit` most recently stored canonical events of a story of one type that
        no mention of `exclude_doc` has, newest first, each with its digest (JSON, see
        `storyline.stories.digest`; None until computed or after a re-link cleared it).

        Read through the partial index `events_story_canonical` and the events' own
        rows, so neither the story's length, nor the events' merged reports, nor the
        size of the store slow the look-up.
        """
        return [(r["id"], r["digest"]) for r in self.conn.execute(
            "SELECT id, digest FROM events WHERE story_id = ? AND type = ? AND canonical = id "
            "AND id NOT IN (SELECT e.canonical FROM event_mentions m JOIN events e ON e.id = "
            "m.event_id WHERE m.document_id = ? AND e.canonical IS NOT NULL) ORDER BY rowid "
            "DESC LIMIT ?", (story_id, type, exclude_doc, limit))]

    def unmerge(self, documents: list[str]) -> int:
        """Undo the merges of the events `documents` report, as if they had never been
        placed: each event its own canonical event again, with its own values, in no
        story, its merge records and the dates inferred for `documents` gone. Meant for
        every document of the stories concerned (a canonical event's reports all lie in
        one story); returns how many events."""
        events = [r[0] for r in rows_in(
            self.conn, "SELECT DISTINCT event_id FROM event_mentions WHERE document_id IN "
            "({marks})", documents)]
        for chunk in (events[i:i + IN_CHUNK] for i in range(0, len(events), IN_CHUNK)):
            marks = ",".join("?" * len(chunk))
            restore_own(self.conn, f"id IN ({marks}) AND own IS NOT NULL", chunk)
            self.conn.execute(f"UPDATE events SET canonical = id, story_id = NULL, digest = "
                              f"NULL WHERE id IN ({marks}) OR canonical IN ({marks})",
                              chunk + chunk)
            self.conn.execute(f"DELETE FROM event_merges WHERE event_id IN ({marks}) OR "
                              f"into_id IN ({marks})", chunk + chunk)
        for chunk in (documents[i:i + IN_CHUNK] for i in range(0, len(documents), IN_CHUNK)):
            self.conn.execute(f"DELETE FROM inferred_dates WHERE document_id IN "
                              f"({','.join('?' * len(chunk))})", chunk)
        return len(events)

    def set_digest(self, event: str, digest: str | None) -> None:
        self.conn.execute("UPDATE events SET digest = ? WHERE id = ?", (digest, event))

    def actor_names(self, actor_ids: list[str]) -> dict[str, str]:
        return {r["id"]: r["name"] for r in rows_in(
            self.conn, "SELECT id, name FROM actors WHERE id IN ({marks})", actor_ids)}

    def members(self, canonical: str) -> list[dict[str, Any]]:
        """The per-document events merged into one canonical event, with what each says."""
        return self.reports([canonical]).get(canonical, [])

    def reports(self, canonicals: list[str]) -> dict[str, list[dict[str, Any]]]:
        """`members` of several canonical events at once (a few queries in all, not a few
        per event): canonical id -> its per-document events, in the order stored. The
        documents' outlets and dates come from the covering index `documents_dated`."""
        out: dict[str, list[dict[str, Any]]] = {}
        records: dict[str, dict[str, Any]] = {}  # event id -> its record
        for r in rows_in(
                self.conn,
                "SELECT e.*, e.rowid AS event_order, d.outlet, d.published, "
                "d.rowid AS doc_order, "
                "(SELECT document_id FROM event_mentions WHERE event_id = e.id LIMIT 1) "
                "AS document_id FROM events e JOIN documents d INDEXED BY documents_dated "
                "ON d.id = (SELECT document_id FROM event_mentions WHERE event_id = e.id "
                "LIMIT 1) WHERE e.canonical IN ({marks}) ORDER BY d.rowid, e.rowid",
                dict.fromkeys(canonicals)):
            rec = dict(r)
            own = json.loads(rec["own"]) if rec["own"] else None
            if own:  # the values this document gave, before merges overwrote them
                rec.update(own)
            rec["topics"] = json.loads(rec["topics"])
            rec["participants"], rec["place"], rec["mentions"] = [], None, []
            records[rec["id"]] = rec
            out.setdefault(rec["canonical"], []).append(rec)
        for p in rows_in(
                self.conn,
                "SELECT p.event_id AS event, p.role, p.event_mention, p.mention, m.text, "
                "m.actor_id, coalesce(m.actor_id, lower(m.text)) AS key, "
                "coalesce(a.name, m.text) AS name FROM event_participants p JOIN mentions "
                "m ON m.document_id = p.document_id AND m.idx = p.mention LEFT JOIN actors "
                "a ON a.id = m.actor_id WHERE p.event_id IN ({marks}) ORDER BY "
                "p.event_id, p.event_mention, p.mention", records):
            part = dict(p)
            records[part.pop("event")]["participants"].append(part)
        for m in rows_in(
                self.conn,
                "SELECT em.event_id AS event, em.idx, em.trigger, em.trigger_start, "
                "em.trigger_end, em.sentence_start, em.sentence_end, em.source_start, "
                "em.source_end, em.quote, em.modality, em.score, em.topics, "
                "em.attribution, em.time_mention, em.location_mention, mt.time AS time, "
                "mt.text AS time_text FROM event_mentions em LEFT JOIN mentions mt ON "
                "mt.document_id = em.document_id AND mt.idx = em.time_mention WHERE "
                "em.event_id IN ({marks}) ORDER BY em.event_id, em.idx", records):
            mention = dict(m)
            mention["topics"] = json.loads(mention["topics"])
            mention["attribution"] = json.loads(mention["attribution"])
            mention["time"] = json.loads(mention["time"]) if mention["time"] else None
            records[mention.pop("event")]["mentions"].append(mention)
        for rec in records.values():
            if rec["location_mention"] is None:
                continue
            loc = self.conn.execute(
                "SELECT m.text, m.actor_id, coalesce(a.name, m.text) AS name FROM mentions m "
                "LEFT JOIN actors a ON a.id = m.actor_id WHERE m.document_id = ? AND "
                "m.idx = ?", (rec["location_document"], rec["location_mention"])).fetchone()
            if loc is not None:
                rec["place"] = {"key": loc["actor_id"] or loc["text"].lower(),
                                "name": loc["name"], "text": loc["text"],
                                "actor_id": loc["actor_id"]}
        return out

    def merge(self, event: str, into: str, score: float, evidence: list[dict[str, Any]],
              values: dict[str, Any], digest: str | None = None) -> None:
        """Merge canonical `event` into canonical `into`, whose values become `values`
        and digest `digest` (None: computed again when next needed)."""
        row = self.conn.execute("SELECT * FROM events WHERE id = ?", (into,)).fetchone()
        if row["own"] is None:
            own = {k: row[k] for k in ("date_value", "date_start", "date_end",
                                       "date_precision", "location", "location_document",
                                       "location_mention", "topics", "score")}
            self.conn.execute("UPDATE events SET own = ? WHERE id = ?", (_json(own), into))
        self.conn.execute("UPDATE events SET canonical = ?, digest = NULL WHERE canonical = ?",
                          (into, event))
        self.conn.execute(
            "UPDATE events SET date_value = ?, date_start = ?, date_end = ?, "
            "date_precision = ?, location = ?, location_document = ?, location_mention = ?, "
            "topics = ?, score = ?, digest = ? WHERE id = ?",
            (values["date_value"], values["date_start"], values["date_end"],
             values["date_precision"], values["location"], values["location_document"],
             values["location_mention"], _json(values["topics"]), values["score"], digest,
             into))
        self.conn.execute("INSERT OR REPLACE INTO event_merges VALUES (?,?,?,?,?)",
                          (event, into, score, _json(evidence),
                           dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))

    def merges(self, canonical: str) -> list[dict[str, Any]]:
        """The evidence of every merge into a canonical event."""
        out = []
        for r in self.conn.execute(
                "SELECT g.*, (SELECT document_id FROM event_mentions WHERE event_id = g.event_id "
                "LIMIT 1) AS document_id FROM event_merges g JOIN events e ON e.id = g.event_id "
                "WHERE e.canonical = ? ORDER BY g.merged_at, g.event_id", (canonical,)):
            rec = dict(r)
            rec["evidence"] = json.loads(rec["evidence"])
            out.append(rec)
        return out

    def infer_date(self, doc_id: str, mention: int, value: str, published: tuple[str, str],
                   event: str, from_document: str, evidence: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO inferred_dates VALUES (?,?,?,?,?,?,?,?)",
                          (doc_id, mention, value, published[0], published[1], event,
                           from_document, _json(evidence)))

    def inferred_dates(self, doc_id: str) -> list[dict[str, Any]]:
        out = []
        for r in self.conn.execute("SELECT * FROM inferred_dates WHERE document_id = ? "
                                   "ORDER BY mention", (doc_id,)):
            rec = dict(r)
            rec["evidence"] = json.loads(rec["evidence"])
            out.append(rec)
        return out
