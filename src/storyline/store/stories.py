"""Stories, signatures, term statistics and canonical events: the SQL side of stories.

The clustering and merging decisions are made in `storyline.stories`; this module only
reads and writes their state. Every look-up a new document needs goes through an index
and is bounded (a capped posting list per key), so adding a document costs the same in
a store of a thousand documents as in one of a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from storyline.store.events import restore_own
from storyline.store.sql import rows_in

#: The row of `term_stats` that counts documents (no term is empty).
_DOCUMENTS = ""
#: Keys whose postings one statement reads (`StoryTable._postings`).
POSTING_KEYS = 50
#: Story states kept in memory between documents (the most recently used).
CACHED_STATES = 4096


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class StoryState:
    """What clustering keeps of a story: its centroid, dates, size and version."""

    id: str
    centroid: dict[str, float]
    first_date: str | None
    last_date: str | None
    size: int
    version: int
    # The centroid by channel (`storyline.stories.cluster.story_channels`), prepared once
    # per state: saving a state drops it, since the centroid may have changed in place.
    prepared: Any = field(default=None, repr=False, compare=False)


class Candidate(NamedTuple):
    """A story found through the key index, with what the index says of it."""

    story: str
    first_date: str | None
    last_date: str | None
    version: int


class StoryTable:
    """Queries over the story tables of one open store connection.

    Story states read for clustering are kept in memory by version: a story's version
    changes whenever it is saved, and the key index gives each candidate's version, so
    a kept state is used only while it is still the stored one. `forget` drops them
    (after a rollback, which can hand a version number out again, or a rebuild).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._states: OrderedDict[str, StoryState] = OrderedDict()
        self._version = 0  # the last version handed out

    def forget(self) -> None:
        """Drop the story states kept in memory."""
        self._states.clear()

    # --- signatures and term statistics -------------------------------------------------

    def save_signature(self, doc_id: str, terms: dict[str, int], date: str | None) -> None:
        self.conn.execute("INSERT OR REPLACE INTO signatures VALUES (?,?,?)",
                          (doc_id, _json(terms), date))

    def signature(self, doc_id: str) -> tuple[dict[str, int], str | None] | None:
        row = self.conn.execute("SELECT terms, date FROM signatures WHERE document_id = ?",
                                (doc_id,)).fetchone()
        return (json.loads(row["terms"]), row["date"]) if row else None

    def date_signature(self, doc_id: str, date: str | None) -> None:
        """Give a stored signature its date (a day's, once its year is known)."""
        self.conn.execute("UPDATE signatures SET date = ? WHERE document_id = ?",
                          (date, doc_id))

    def latest_date(self) -> str | None:
        """The latest full date of a stored signature."""
        row = self.conn.execute("SELECT max(date) FROM signatures WHERE date NOT LIKE "
                                "'--%'").fetchone()
        return row[0] if row else None

    def signature_with_language(self, doc_id: str
                                ) -> tuple[dict[str, int], str | None, str | None] | None:
        """A stored signature, its date and the document's language, in one look-up."""
        row = self.conn.execute(
            "SELECT s.terms, s.date, d.language FROM signatures s JOIN documents d ON "
            "d.id = s.document_id WHERE s.document_id = ?", (doc_id,)).fetchone()
        return (json.loads(row["terms"]), row["date"], row["language"]) if row else None

    def save_spellings(self, doc_id: str, names: Iterable[tuple[str, str]]) -> None:
        """Keep (skeleton, name) for each name of a document's lead (`spellings`)."""
        self.conn.executemany("INSERT OR IGNORE INTO name_spellings VALUES (?,?,?)",
                              [(sk, name, doc_id) for sk, name in names])

    def spellings(self, skeletons: Iterable[str]) -> dict[str, str]:
        """Skeleton -> the name of that skeleton the most documents' leads spell
        (of those kept; the first in code point order among equals)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        out: dict[str, str] = {}
        for skel, name, _ in cursor.execute(
                "SELECT skeleton, name, count(*) AS n FROM name_spellings WHERE skeleton IN "
                "(SELECT value FROM json_each(?)) GROUP BY skeleton, name "
                "ORDER BY skeleton, n DESC, name", (json.dumps(sorted(skeletons)),)):
            out.setdefault(skel, name)
        return out

    def signatures_with_language(self) -> Iterator[tuple[str, dict[str, int], str | None]]:
        """Every stored signature as (document id, terms, the document's language)."""
        for row in self.conn.execute(
                "SELECT s.document_id, s.terms, d.language FROM signatures s JOIN documents d "
                "ON d.id = s.document_id ORDER BY d.rowid"):
            yield row["document_id"], json.loads(row["terms"]), row["language"]

    def document_frequencies(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        """(documents counted, key -> number of documents holding it)."""
        # one statement for any number of keys, read as plain tuples
        cursor = self.conn.cursor()
        cursor.row_factory = None
        found = dict(cursor.execute(
            "SELECT term, df FROM term_stats WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),)))
        row = self.conn.execute("SELECT df FROM term_stats WHERE term = ?",
                                (_DOCUMENTS,)).fetchone()
        return (int(row["df"]) if row else 0), found

    def count_keys(self, keys: Iterable[str]) -> None:
        """One more document holds each of `keys`."""
        self.conn.executemany(
            "INSERT INTO term_stats VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(k,) for k in [_DOCUMENTS, *keys]])

    def entity_counts(self, doc_id: str, kinds: Iterable[str]) -> dict[str, tuple[str, int]]:
        """Actor id -> (kind, mentions of it in the document), for actors of the given
        kinds (the actor's kind, whatever kind each mention was given: one actor is one
        key in every document)."""
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        return {r["actor_id"]: (r["kind"], int(r["n"])) for r in self.conn.execute(
            f"SELECT m.actor_id, a.kind, count(*) AS n FROM mentions m JOIN actors a ON "
            f"a.id = m.actor_id WHERE m.document_id = ? AND a.kind IN ({marks}) GROUP BY "
            "m.actor_id", [doc_id, *kinds])}

    # --- stories ---------------------------------------------------------------------

    def candidates(self, keys: Iterable[str], per_key: int) -> list[str]:
        """Stories indexed under any of `keys`, the `per_key` most recent for each."""
        return [c.story for c in self.candidate_dates(keys, per_key)]

    def candidate_dates(self, keys: Iterable[str], per_key: int, limit: int | None = None
                        ) -> list[Candidate]:
        """`candidates` with their dates and versions, in the same order, read from the
        posting lists alone: a story's keys are written again with every version of it,
        with its version and dates, so a story outside a document's date window is
        passed over without reading its row (which holds the centroid). With `limit`,
        only that many are kept: those found under the most of `keys` (then the first
        found), still in the order found."""
        found: dict[str, Candidate] = {}
        hits: dict[str, int] = {}
        for r in self._postings(list(keys), per_key):
            sid = r["story_id"]
            hits[sid] = hits.get(sid, 0) + 1
            if sid not in found:
                found[sid] = Candidate(sid, r["first_date"], r["last_date"],
                                       int(r["version"]))
        if limit is not None and len(found) > limit:
            order = {sid: i for i, sid in enumerate(found)}
            kept = set(sorted(found, key=lambda sid: (-hits[sid], order[sid]))[:limit])
            return [c for sid, c in found.items() if sid in kept]
        return list(found.values())

    def _postings(self, keys: list[str], per_key: int) -> Iterator[sqlite3.Row]:
        """The `per_key` most recent postings of each key, key by key in the order
        given, each key's newest first: one statement for up to `POSTING_KEYS` keys
        (each its own indexed `LIMIT` query, joined by UNION ALL)."""
        for i in range(0, len(keys), POSTING_KEYS):
            chunk = keys[i:i + POSTING_KEYS]
            sql = " UNION ALL ".join(
                f"SELECT * FROM (SELECT story_id, first_date, last_date, version, {n} AS q "
                "FROM story_keys WHERE key = ? ORDER BY version DESC LIMIT ?)"
                for n in range(len(chunk)))
            yield from self.conn.execute(sql + " ORDER BY q, version DESC",
                                         [v for key in chunk for v in (key, per_key)])

    def state(self, story_id: str) -> StoryState | None:
        return self.states([story_id]).get(story_id)

    def states(self, story_ids: Iterable[str], versions: Mapping[str, int] | None = None
               ) -> dict[str, StoryState]:
        """Story id -> state (centroid included), for those of `story_ids` that exist.
        A story whose current version is given in `versions` (from `candidate_dates`)
        comes from memory when that version was read before; the others are read."""
        out: dict[str, StoryState] = {}
        missing: list[str] = []
        for sid in story_ids:
            kept = self._states.get(sid)
            if versions is not None and kept is not None and kept.version == versions.get(sid):
                self._states.move_to_end(sid)
                out[sid] = kept
            else:
                missing.append(sid)
        for row in rows_in(self.conn, "SELECT * FROM stories WHERE id IN ({marks})",
                           missing):
            out[row["id"]] = self._keep(StoryState(
                row["id"], json.loads(row["centroid"]), row["first_date"], row["last_date"],
                int(row["size"]), int(row["version"])))
        return out

    def _keep(self, story: StoryState) -> StoryState:
        self._states[story.id] = story
        self._states.move_to_end(story.id)
        while len(self._states) > CACHED_STATES:
            self._states.popitem(last=False)
        return story

    def next_version(self) -> int:
        """A version number no story of this table has had since it was opened (the
        highest stored plus one, and never one handed out before, even when the story
        that held the highest was deleted since)."""
        row = self.conn.execute("SELECT max(version) FROM stories").fetchone()
        self._version = max(int(row[0] or 0), self._version) + 1
        return self._version

    def save(self, story: StoryState, keys: list[str]) -> None:
        """Write a story's state and re-index it under its strongest `keys` (and keep
        the state in memory under its new version)."""
        story.prepared = None  # the centroid may have changed in place
        self._keep(story)
        now = _now()
        self.conn.execute(
            """INSERT INTO stories VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET
               first_date = excluded.first_date, last_date = excluded.last_date,
               size = excluded.size, centroid = excluded.centroid,
               version = excluded.version, updated_at = excluded.updated_at""",
            (story.id, story.first_date, story.last_date, story.size, _json(story.centroid),
             story.version, now, now))
        self.conn.execute("DELETE FROM story_keys WHERE story_id = ?", (story.id,))
        self.conn.executemany(
            "INSERT INTO story_keys (key, version, story_id, first_date, last_date) "
            "VALUES (?,?,?,?,?)",
            [(k, story.version, story.id, story.first_date, story.last_date) for k in keys])

    def assign(self, doc_id: str, story_id: str, similarity: float | None,
               evidence: dict[str, Any], seq: int) -> None:
        """Record that a document is the `seq`-th (from 0) of a story."""
        self.conn.execute("INSERT OR REPLACE INTO story_documents VALUES (?,?,?,?,?)",
                          (doc_id, story_id, similarity, _json(evidence), int(seq)))
        self.attach_events(doc_id, story_id)
        self.conn.execute("DELETE FROM story_pending WHERE document_id = ?", (doc_id,))

    def attach_events(self, doc_id: str, story_id: str | None) -> None:
        """The events a document reports belong to `story_id` (None: to no story yet)."""
        self.conn.execute("UPDATE events SET story_id = ? WHERE id IN (SELECT event_id FROM "
                          "event_mentions WHERE document_id = ?)", (story_id, doc_id))

    def placement(self, doc_id: str) -> tuple[float | None, dict[str, Any]]:
        """A placed document's score and evidence."""
        row = self.conn.execute("SELECT similarity, evidence FROM story_documents WHERE "
                                "document_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return row[0], json.loads(row[1]) if row[1] else {}

    def members(self, story_id: str) -> list[str]:
        """The documents of a story, in the order they joined."""
        return [r[0] for r in self.conn.execute(
            "SELECT document_id FROM story_documents WHERE story_id = ? ORDER BY seq",
            (story_id,))]

    def member_dates(self, story_id: str, without: str) -> tuple[str | None, str | None]:
        """The first and last day of a story's dated documents but `without`."""
        row = self.conn.execute(
            "SELECT min(substr(d.published, 1, 10)), max(substr(d.published, 1, 10)) FROM "
            "story_documents sd JOIN documents d ON d.id = sd.document_id WHERE "
            "sd.story_id = ? AND sd.document_id != ? AND d.published IS NOT NULL",
            (story_id, without)).fetchone()
        return row[0], row[1]

    def delete(self, story_id: str) -> None:
        """Remove a story that no document is left in (its keys go with it)."""
        self._states.pop(story_id, None)
        self.conn.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))
        self.conn.execute("DELETE FROM story_documents WHERE story_id = ?", (story_id,))
        self.conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))

    def story_of(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT story_id FROM story_documents WHERE document_id = ?",
                                (doc_id,)).fetchone()
        return str(row["story_id"]) if row else None

    def clear(self) -> None:
        """Forget every story, merge, inferred date and kept name spelling (before a
        rebuild)."""
        self.forget()
        for table in ("story_keys", "story_documents", "stories", "term_stats",
                      "event_merges", "inferred_dates", "story_pending", "name_spellings"):
            self.conn.execute(f"DELETE FROM {table}")
        # Restore each event's own values where a merge had overwritten them.
        restore_own(self.conn, "own IS NOT NULL")
        self.conn.execute("UPDATE events SET canonical = id, story_id = NULL, digest = NULL")

    def wait(self, doc_id: str, date: str | None) -> None:
        """Keep a signed document for placing later (`unplaced`)."""
        self.conn.execute("INSERT OR REPLACE INTO story_pending (document_id, date) "
                          "VALUES (?, ?)", (doc_id, date))

    def unplaced(self) -> list[tuple[str, str | None]]:
        """Documents waiting for a story, as (id, date): dated ones by date first, then
        the rest (a day with no year, "--06-21", among them), each group in the order
        they were stored (a run places its documents at its end; one cut off before then
        leaves them here for the next)."""
        return [(r["document_id"], r["date"]) for r in self.conn.execute(
            "SELECT document_id, date FROM story_pending "
            "ORDER BY date IS NULL OR date LIKE '--%', date, seq")]

    def documents_for_rebuild(self) -> list[tuple[str, str | None]]:
        """Every signed document as (id, date): dated ones by date first, then the rest."""
        return [(r["document_id"], r["date"]) for r in self.conn.execute(
            "SELECT s.document_id, s.date FROM signatures s JOIN documents d ON d.id = "
            "s.document_id "
            "ORDER BY s.date IS NULL OR s.date LIKE '--%', s.date, d.rowid")]

    # --- reading ---------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stories, the most recently dated first."""
        sql = ("SELECT id, first_date, last_date, size, created_at FROM stories ORDER BY "
               "last_date IS NULL, last_date DESC, created_at DESC, id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.conn.execute(sql)]

    def row(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT id, first_date, last_date, size, created_at FROM "
                                "stories WHERE id = ?", (key,)).fetchone()
        if row is None and len(key) >= 4:
            rows = self.conn.execute("SELECT id, first_date, last_date, size, created_at FROM "
                                     "stories WHERE id LIKE ? LIMIT 2", (key + "%",)).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return dict(row) if row else None

    def documents(self, story_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT d.id, d.title, d.outlet, d.published, d.text, sd.similarity, sd.evidence "
            "FROM story_documents sd JOIN documents d ON d.id = sd.document_id WHERE "
            "sd.story_id = ? ORDER BY sd.seq", (story_id,))]

    def event_ids(self, story_id: str) -> list[str]:
        return [r["id"] for r in self.conn.execute(
            "SELECT id FROM events WHERE story_id = ? AND canonical = id ORDER BY "
            "date_start IS NULL, date_start, id", (story_id,))]

    def assignments(self) -> Iterator[tuple[str, str]]:
        for r in self.conn.execute("SELECT document_id, story_id FROM story_documents"):
            yield r["document_id"], r["story_id"]
