"""Across documents: resolve each entity of a document to one canonical actor.

Runs when the store keeps a document, inside that document's savepoint, so an
interrupted run never leaves mentions pointing at half-made actors. For each entity,
in this order (the first that decides wins, and the reason is kept on every mention):

1. an alias from the user's alias file (exact, case- and accent-insensitive);
2. lookup keys: for persons the consonant skeleton of the full name, then of first and
   last name (a middle name left out), each candidate checked with `names_match`;
   for organizations `org_key`, the name without its country, and acronyms; for
   places and nationalities their keys;
3. a surname alone links to the only person in the store with that surname, and stays
   unresolved (with the candidates listed) when there are several: two different
   al-Hakims are never merged on a surname;
4. a title alone ("the Syrian president") links to the only actor the store knows with
   that title and country;
5. a one-word name in a paragraph of another language than the parse model's links to
   the one place the store knows by its skeleton, a case ending allowed ("w
   Pruszkowie" -> Pruszkow, whatever kind the model gave it);
6. otherwise a new actor, named by the fullest name (romanized for Arabic script).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from storyline.actors.local import (
    hints_match,
    is_full_name,
    name_tokens,
    org_hint,
    surname_spelling,
    title_of,
)
from storyline.actors.names import (
    acronym_of,
    display_name,
    name_key,
    name_rules,
    names_match,
    org_key,
    shapes_agree,
)
from storyline.clean.language import english
from storyline.model import Document, Entity
from storyline.store.actors import ActorTable, script_of


@lru_cache(maxsize=65536)
def _hint(organization: str | None) -> str:
    """`org_hint`, remembered: the holders of a title are compared for many documents."""
    return org_hint(organization)


def person_keys(name: str) -> set[str]:
    tokens = name_tokens(name)
    if len(tokens) < 2:
        return set()
    return {"full:" + " ".join(tokens), f"first-last:{tokens[0]} {tokens[-1]}",
            f"surname-spelling:{surname_spelling(name)}"}


def entity_keys(kind: str, name: str) -> set[str]:
    """The lookup keys an actor of `kind` called `name` is filed under."""
    if kind == "person":
        return person_keys(name)
    if kind == "organization":
        key = org_key(name)
        keys = {f"org:{key}", f"core:{key.split('|', 1)[-1]}"}
        if name.isupper() and " " not in name:
            keys.add(f"acronym:{name}")
        else:
            keys |= {f"acronym:{a}" for a in acronym_of(name) if len(a) >= 2}
        return keys
    if kind == "place":
        return {"place:" + " ".join(name_key(name))}
    return {f"{kind}:{name.casefold()}"}


def _foreign(doc: Document, entity: Entity) -> bool:
    """Whether every mention of `entity` is in a paragraph of a known language other
    than English (the parse model's, whose entity kinds are guesses there)."""
    for i in entity.mentions:
        m = doc.mentions[i]
        para = doc.paragraphs[m.paragraph] if 0 <= m.paragraph < len(doc.paragraphs) else None
        if english((para.language if para is not None else None) or doc.language):
            return False
    return True


def _shape_fits(name: str, names: list[str], *, ending: bool = False) -> bool:
    """Whether the place `name` agrees by syllables with one of a place's `names`
    (`shapes_agree`)."""
    return any(shapes_agree(name, other, ending=ending) for other in names)


class Resolver:
    """Links a processed document's entities to actors in the store."""

    def __init__(self, table: ActorTable) -> None:
        self.table = table
        self.documents: list[str] = []  # resolved in this run, for `finish`
        self.created: list[str] = []

    def finish(self) -> None:
        """End of a run: decide what the order of documents left open.

        A title-only mention read before the article naming its holder is retried, and a
        one-word "person" the model mistyped before the store knew the name as a place
        or organization ("Jordan") is folded into that actor, with the reason recorded.
        """
        holders: dict[str, list[tuple[str, str]]] = {}
        for doc_id, idx, text in self.table.unresolved_titles(self.documents):
            actor, how = self._by_title(text, holders)
            if actor is not None:
                self.table.link_mention(doc_id, idx, actor, how)
        for actor, alias in self.table.lone_names(self.created):
            other, how = self._other_kind([alias], "person")
            if other is not None:
                self.table.merge(actor, other, str(how["evidence"]))
        self.documents, self.created = [], []

    def resolve(self, doc: Document) -> None:
        self.documents.append(doc.id)
        for e, entity in enumerate(doc.entities):
            if not entity.mentions:
                continue
            actor, how = self._find(doc, entity)
            if actor is None and how.get("status") == "ambiguous":
                self._mark(doc, entity, None, how)
                continue
            if actor is None:
                actor = self._create(doc, e, entity)
                self.created.append(actor)
                how = {"status": "new", "evidence": entity.evidence}
            entity.actor = actor
            self._mark(doc, entity, actor, how)
            self._file(doc, entity, actor)
            self.table.refresh_name(actor)
        holders: dict[str, list[tuple[str, str]]] = {}
        for m in doc.mentions:
            if m.entity is None and m.method == "rule:title-only":
                actor, how = self._by_title(m.text, holders)
                m.actor, m.resolution = actor, how

    def _mark(self, doc: Document, entity: Entity, actor: str | None,
              how: dict[str, Any]) -> None:
        for i in entity.mentions:
            doc.mentions[i].actor = actor
            doc.mentions[i].resolution = {**how, "in_document": entity.evidence}

    def _file(self, doc: Document, entity: Entity, actor: str) -> None:
        """File the entity's names as aliases of `actor` (each counted once per mention)
        and under their look-up keys; each distinct name is written once."""
        names: Counter[str] = Counter()
        keyed: dict[str, None] = {}
        for i in entity.mentions:
            m = doc.mentions[i]
            if m.method == "rule:title-only":
                continue  # "the Syrian president" describes the actor; it is not a name
            names[m.text] += 1
            if entity.kind != "person" or is_full_name(m):
                keyed[m.text] = None  # surnames are filed with their full names only
        for text, count in names.items():
            self.table.add_alias(actor, text, count=count)
        keys: set[str] = set()
        for text in keyed:
            keys |= entity_keys(entity.kind, text)
        self.table.add_keys(actor, entity.kind, keys)

    def _create(self, doc: Document, e: int, entity: Entity) -> str:
        name = entity.name
        romanized = None
        if script_of(name) == "arabic":
            latin = [doc.mentions[i].text for i in entity.mentions
                     if script_of(doc.mentions[i].text) == "latin"]
            romanized = display_name(name)
            name = max(latin, key=len) if latin else romanized
        return self.table.create(entity.kind, name, seed=f"{doc.id}:{e}", romanized=romanized)

    def _find(self, doc: Document, entity: Entity) -> tuple[str | None, dict[str, Any]]:
        texts = list(dict.fromkeys(doc.mentions[i].text for i in entity.mentions
                                   if doc.mentions[i].method != "rule:title-only"))
        for text in texts:
            hits = [a for a, origin, _ in self.table.by_alias(text, entity.kind)
                    if origin == "alias-file"]
            if hits:
                return hits[0], {"status": "linked", "evidence": f"alias-file:{text}"}
        if entity.kind == "person":
            actor, how = self._person(doc, entity, texts)
            if actor is not None or how or any(is_full_name(doc.mentions[i])
                                               for i in entity.mentions):
                return actor, how
            return self._elsewhere(doc, entity, texts)
        for text in texts:
            for key in sorted(entity_keys(entity.kind, text)):
                if key.startswith("acronym:") and not text.isupper():
                    continue  # a long name never links through its initials alone
                candidates = self.table.by_key(entity.kind, key)
                if entity.kind == "place":
                    candidates = [a for a in candidates
                                  if _shape_fits(text, self.table.alias_names(a))]
                if len(candidates) == 1:
                    return candidates[0], {"status": "linked", "evidence": f"key {key}"}
        return self._elsewhere(doc, entity, texts)

    def _elsewhere(self, doc: Document, entity: Entity, texts: list[str]
                   ) -> tuple[str | None, dict[str, Any]]:
        """Nothing of the entity's own kind: the same name as another kind's actor, or
        an other-language word for a known place."""
        found = self._other_kind(texts, entity.kind)
        return found if found[0] is not None else self._foreign_place(doc, entity, texts)

    def _foreign_place(self, doc: Document, entity: Entity, texts: list[str]
                       ) -> tuple[str | None, dict[str, Any]]:
        """A one-word name read in paragraphs of another language only: the one place
        the store files under its skeleton, or under the skeleton less a case ending of
        up to `foreign_places.suffix` consonants."""
        if not _foreign(doc, entity):
            return None, {}
        rules = name_rules()
        for text in texts:
            key = name_key(text)
            if len(key) != 1:
                continue
            for cut in range(rules.foreign_suffix + 1):
                stem = key[0][:len(key[0]) - cut]
                if len(stem.strip("'")) < (rules.foreign_min_stem if cut
                                           else rules.foreign_min_skeleton):
                    break
                places = self.table.by_key("place", "place:" + stem)
                if len(places) == 1 and _shape_fits(text, self.table.alias_names(places[0]),
                                                     ending=True):
                    ending = f", less a case ending of {cut}" if cut else ""
                    return places[0], {"status": "linked", "evidence": (
                        f"place key {stem}{ending}: {text!r} in another language; "
                        f"the model said {entity.kind}")}
        return None, {}

    def _other_kind(self, texts: list[str], kind: str) -> tuple[str | None, dict[str, Any]]:
        """The model gave this name another kind than the store knows it by ("Jordan"
        tagged as a person): the same exact name of a known actor decides."""
        for text in texts:
            hits = [(a, k) for a, _, k in self.table.by_alias(text) if k not in (kind, "person")]
            if hits:
                actor, other = hits[0]
                return actor, {"status": "linked", "evidence":
                               f"same name as a known {other}; the model said {kind}"}
        return None, {}

    def _person(self, doc: Document, entity: Entity,
                texts: list[str]) -> tuple[str | None, dict[str, Any]]:
        full = [t for t in texts if len(name_tokens(t)) >= 2]
        for text in full:
            tokens = name_tokens(text)
            for key in ("full:" + " ".join(tokens), f"first-last:{tokens[0]} {tokens[-1]}"):
                for actor in self.table.by_key("person", key):
                    for alias in self.table.alias_names(actor):
                        match = names_match(text, alias)
                        if match is not None:
                            return actor, {"status": "linked", "evidence":
                                           f"name:{match.kind} {text!r} ~ {alias!r}"}
        if full:
            return None, {}
        spellings = {surname_spelling(t) for t in texts}
        candidates = sorted({a for s in spellings for a in self.table.by_key(
            "person", f"surname-spelling:{s}")})
        if len(candidates) == 1:
            return candidates[0], {"status": "linked",
                                   "evidence": "surname only; one person in the store has it"}
        if len(candidates) > 1:
            return None, {"status": "ambiguous", "candidates": candidates,
                          "evidence": "surname only; several persons in the store have it"}
        return None, {}

    def _by_title(self, text: str, holders: dict[str, list[tuple[str, str]]] | None = None
                  ) -> tuple[str | None, dict[str, Any]]:
        """`holders` keeps the holders of each title read while resolving one document
        (its own roles are stored after it is resolved)."""
        group, hint = title_of(text)
        if holders is None:
            holders = {}
        if group not in holders:
            holders[group] = self.table.title_holders(group)
        actors = {actor for actor, organization in holders[group]
                  if hints_match(hint, _hint(organization))}
        if len(actors) == 1:
            return actors.pop(), {"status": "linked",
                                  "evidence": f"title {group!r} of {hint!r} held by one actor"}
        return None, {"status": "unresolved", "evidence": f"title {group!r} of {hint!r}: "
                      f"{len(actors)} holders known"}
