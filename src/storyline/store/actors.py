"""Actors, their aliases and lookup keys, mentions and roles: the SQL side of resolution."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import unicodedata
from functools import lru_cache
from typing import Any

from storyline.actors.names import is_arabic
from storyline.model import Document


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of an alias, for exact alias lookups."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch != "\u0640")
    return " ".join(text.casefold().split())


def script_of(text: str) -> str:
    return "arabic" if is_arabic(text) else "latin"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class ActorTable:
    """Queries over the actor tables of one open store connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # --- lookups used by resolution ----------------------------------------------------

    def by_alias(self, alias: str, kind: str | None = None) -> list[tuple[str, str, str]]:
        """(actor id, origin, kind) of actors with this alias, alias-file entries first."""
        rows = self.conn.execute(
            "SELECT a.actor_id, a.origin, x.kind FROM actor_aliases a JOIN actors x ON x.id = "
            "a.actor_id WHERE a.folded = ? AND (? IS NULL OR x.kind = ?) ORDER BY "
            "a.origin = 'alias-file' DESC, a.count DESC", (fold(alias), kind, kind))
        return [(r[0], r[1], r[2]) for r in rows]

    def by_key(self, kind: str, key: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT actor_id FROM actor_keys WHERE kind = ? AND key = ? ORDER BY actor_id",
            (kind, key))]

    def alias_names(self, actor_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT alias FROM actor_aliases WHERE actor_id = ? ORDER BY count DESC",
            (actor_id,))]

    def title_holders(self, group: str) -> list[tuple[str, str]]:
        """(actor, organization) of the roles with a title of `group` that name an
        organization, each pair once.

        Every document naming a holder adds a role row, so the rows are not read: the
        query skips from one distinct pair to the next in the index `roles_title_holder`,
        and the cost grows with the number of holders, not with the store.
        """
        out: list[tuple[str, str]] = []
        organization = ""
        while True:  # each step is one seek in the index
            organization = self.conn.execute(
                "SELECT min(organization) FROM roles WHERE title_group = ? AND "
                "organization > ?", (group, organization)).fetchone()[0]
            if organization is None:
                return out
            actor = ""
            while True:
                actor = self.conn.execute(
                    "SELECT min(actor_id) FROM roles WHERE title_group = ? AND "
                    "organization = ? AND actor_id > ?", (group, organization, actor)
                ).fetchone()[0]
                if actor is None:
                    break
                out.append((actor, organization))

    def person_names(self, limit: int = 50000) -> list[str]:
        """Multi-word person aliases, most used first: the gazetteer for Arabic text."""
        return [r[0] for r in self.conn.execute(
            "SELECT a.alias FROM actor_aliases a JOIN actors x ON x.id = a.actor_id "
            "WHERE x.kind = 'person' AND a.alias LIKE '% %' ORDER BY a.count DESC LIMIT ?",
            (limit,))]

    # --- writing -------------------------------------------------------------------------

    def create(self, kind: str, name: str, *, seed: str, origin: str = "extracted",
               romanized: str | None = None, external_id: str | None = None) -> str:
        base = hashlib.sha1(f"{kind}|{name}|{seed}".encode()).hexdigest()
        actor_id = f"{kind[:3]}-{base[:10]}"
        self.conn.execute(
            "INSERT OR IGNORE INTO actors (id, kind, name, romanized, external_id, origin, "
            "created_at) VALUES (?,?,?,?,?,?,datetime('now'))",
            (actor_id, kind, name, romanized, external_id, origin))
        return actor_id

    def update(self, actor_id: str, *, name: str | None = None, kind: str | None = None,
               external_id: str | None = None) -> None:
        self.conn.execute(
            "UPDATE actors SET name = coalesce(?, name), kind = coalesce(?, kind), "
            "external_id = coalesce(?, external_id) WHERE id = ?",
            (name, kind, external_id, actor_id))

    def refresh_name(self, actor_id: str) -> None:
        """An extracted actor is named by its most used full Latin-script alias."""
        row = self.conn.execute("SELECT origin FROM actors WHERE id = ?",
                                (actor_id,)).fetchone()
        if row is None or row["origin"] != "extracted":
            return
        aliases = self.conn.execute(
            "SELECT alias, count FROM actor_aliases WHERE actor_id = ? AND script = 'latin'",
            (actor_id,)).fetchall()
        if not aliases:
            return
        best = max(aliases, key=lambda a: (" " in a[0], "’s " not in a[0] and "'s " not in a[0],
                                           a[1], len(a[0])))
        self.conn.execute("UPDATE actors SET name = ? WHERE id = ?", (best[0], actor_id))

    def add_keys(self, actor_id: str, kind: str, keys: set[str]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO actor_keys VALUES (?,?,?)",
                              [(kind, k, actor_id) for k in keys if k])

    def add_alias(self, actor_id: str, alias: str, *, origin: str = "extracted",
                  count: int = 1) -> None:
        self.conn.execute(
            "INSERT INTO actor_aliases (actor_id, alias, folded, script, origin, count) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (actor_id, alias) DO UPDATE SET "
            "count = count + excluded.count", (actor_id, alias, fold(alias), script_of(alias),
                                               origin, count))

    def add_mentions(self, doc: Document) -> None:
        rows = []
        for i, m in enumerate(doc.mentions):
            tv = m.time
            tj = tv.to_json() if tv is not None else None
            rows.append((doc.id, i, m.start, m.end, *doc.original_span(m.start, m.end), m.text,
                         m.kind, m.method, m.paragraph, m.language, m.entity, m.long_form,
                         m.actor, _json(m.resolution), m.tense,
                         tj.get("value") if tj else None, tj.get("precision") if tj else None,
                         tj.get("start") if tj else None, tj.get("end") if tj else None,
                         _json(tj) if tj else None))
        self.conn.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def add_roles(self, doc: Document) -> None:
        from storyline.nlp.roles import title_group

        rows = []
        for r in doc.roles:
            actor = doc.mentions[r.person].actor
            if actor is None:
                continue
            org_actor = (doc.mentions[r.organization_mention].actor
                         if r.organization_mention is not None else None)
            rows.append((actor, doc.id, r.person, r.title, title_group(r.title), r.qualifier,
                         r.organization, org_actor,
                         r.as_of.isoformat() if r.as_of else None, r.start, r.end,
                         *doc.original_span(r.start, r.end)))
        self.conn.executemany(
            "INSERT INTO roles (actor_id, document_id, mention, title, title_group, qualifier, "
            "organization, organization_actor_id, as_of, char_start, char_end, source_start, "
            "source_end) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def unresolved_titles(self, doc_ids: list[str]) -> list[tuple[str, int, str]]:
        """(document, index, text) of title-only mentions not linked to an actor."""
        out: list[tuple[str, int, str]] = []
        for doc_id in doc_ids:
            out += [(r[0], r[1], r[2]) for r in self.conn.execute(
                "SELECT document_id, idx, text FROM mentions WHERE document_id = ? AND "
                "method = 'rule:title-only' AND actor_id IS NULL", (doc_id,))]
        return out

    def link_mention(self, doc_id: str, idx: int, actor_id: str,
                     resolution: dict[str, Any]) -> None:
        self.conn.execute("UPDATE mentions SET actor_id = ?, resolution = ? WHERE "
                          "document_id = ? AND idx = ?",
                          (actor_id, _json(resolution), doc_id, idx))

    def lone_names(self, actor_ids: list[str]) -> list[tuple[str, str]]:
        """(actor, alias) for persons among `actor_ids` known by one one-word alias only."""
        out = []
        for actor_id in actor_ids:
            rows = self.conn.execute(
                "SELECT a.alias FROM actor_aliases a JOIN actors x ON x.id = a.actor_id "
                "WHERE x.id = ? AND x.kind = 'person' AND x.origin = 'extracted'",
                (actor_id,)).fetchall()
            if len(rows) == 1:
                out.append((actor_id, str(rows[0][0])))
        return out

    def merge(self, source: str, target: str, evidence: str) -> None:
        """Fold actor `source` into `target`: mentions, aliases, keys and roles move."""
        for row in self.conn.execute("SELECT document_id, idx, resolution FROM mentions WHERE "
                                     "actor_id = ?", (source,)).fetchall():
            how = json.loads(row[2])
            how.update(status="linked", evidence=evidence, merged_from=source)
            self.link_mention(row[0], row[1], target, how)
        for alias, count, origin in self.conn.execute(
                "SELECT alias, count, origin FROM actor_aliases WHERE actor_id = ?",
                (source,)).fetchall():
            self.add_alias(target, alias, origin=origin, count=count)
        self.conn.execute("UPDATE roles SET actor_id = ? WHERE actor_id = ?", (target, source))
        self.conn.execute("UPDATE roles SET organization_actor_id = ? WHERE "
                          "organization_actor_id = ?", (target, source))
        self.conn.execute("DELETE FROM actors WHERE id = ?", (source,))

    # --- reading -------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM actors").fetchone()[0])

    def listing(self, *, kind: str | None = None, limit: int | None = None,
             name: str | None = None) -> list[dict[str, Any]]:
        """Actors with their mention counts, most mentioned first."""
        sql = ("SELECT x.*, (SELECT count(*) FROM mentions m WHERE m.actor_id = x.id) AS "
               "mentions, (SELECT count(DISTINCT document_id) FROM mentions m WHERE "
               "m.actor_id = x.id) AS documents FROM actors x WHERE (? IS NULL OR x.kind = ?)"
               " ORDER BY mentions DESC, x.name LIMIT ?")
        rows = self.conn.execute(sql, (kind, kind, -1 if limit is None else limit))
        return [self.record(r) for r in rows]

    def record(self, row: sqlite3.Row) -> dict[str, Any]:
        actor_id = row["id"]
        aliases = [{"alias": a["alias"], "count": a["count"], "script": a["script"],
                    "origin": a["origin"]} for a in self.conn.execute(
            "SELECT * FROM actor_aliases WHERE actor_id = ? ORDER BY count DESC, alias",
            (actor_id,))]
        roles = [{"title": r["title"], "qualifier": r["qualifier"],
                  "organization": r["organization"],
                  "organization_actor": r["organization_actor_id"], "as_of": r["as_of"],
                  "document": r["document_id"], "span": [r["source_start"], r["source_end"]]}
                 for r in self.conn.execute(
                     "SELECT * FROM roles WHERE actor_id = ? ORDER BY as_of, id", (actor_id,))]
        keys = row.keys()
        return {"id": actor_id, "name": row["name"], "kind": row["kind"],
                "romanized": row["romanized"], "external_id": row["external_id"],
                "origin": row["origin"], "aliases": aliases, "roles": roles,
                "mentions": row["mentions"] if "mentions" in keys else None,
                "documents": row["documents"] if "documents" in keys else None}

    def find(self, name: str) -> dict[str, Any] | None:
        """One actor by id or by any alias (case- and accent-insensitive)."""
        exists = self.conn.execute("SELECT 1 FROM actors WHERE id = ?", (name,)).fetchone()
        if exists is None:
            hits = self.by_alias(name)
            if not hits:
                return None
            name = hits[0][0]
        full = self.conn.execute(
            "SELECT x.*, (SELECT count(*) FROM mentions m WHERE m.actor_id = x.id) AS "
            "mentions, (SELECT count(DISTINCT document_id) FROM mentions m WHERE "
            "m.actor_id = x.id) AS documents FROM actors x WHERE x.id = ?",
            (name,)).fetchone()
        return self.record(full)

    def matching(self, name: str) -> list[str]:
        """Actors a filter names: by id or alias, else every actor with an alias containing
        it (case-insensitive), most mentioned first."""
        record = self.find(name)
        if record is not None:
            return [record["id"]]

        def like(text: str) -> str:
            return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"

        return [r[0] for r in self.conn.execute(
            "SELECT actor_id FROM actor_aliases WHERE alias LIKE ? ESCAPE '\\' OR folded "
            "LIKE ? ESCAPE '\\' GROUP BY actor_id ORDER BY max(count) DESC, actor_id",
            (like(name), like(fold(name) or name)))]

    def mentions_of(self, actor_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT m.document_id, m.text, m.kind, m.method, m.source_start, m.source_end, "
            "m.char_start, m.char_end, m.resolution, d.outlet, d.published FROM mentions m "
            "JOIN documents d ON d.id = m.document_id WHERE m.actor_id = ? "
            "ORDER BY d.rowid, m.idx LIMIT ?", (actor_id, limit))]

    def iter_mentions(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT document_id, idx, char_start, char_end, source_start, source_end, text, "
            "kind, method, language, entity, actor_id, resolution, tense, time FROM mentions "
            "ORDER BY document_id, idx")
        out = []
        for r in rows:
            d = dict(r)
            d["resolution"] = json.loads(d["resolution"])
            d["time"] = json.loads(d["time"]) if d["time"] else None
            out.append(d)
        return out
