"""Corroboration and conflicts: fact by fact, who reports it, on whose authority.

A canonical event's facts are that it happened, each participant, its place, its date
and each topic. Every fact lists the mentions that support it, their documents and
outlets, and its independent origins: a report rests on the innermost named authority
of its attribution chain (two outlets citing the Iraqi News Agency are one origin; an
unnamed source is no origin of its own, the agency relaying it is), and a report that
cites nobody rests on its outlet. A fact with one origin is flagged.

Conflicts put side by side what the merged reports say differently: dates, places,
counts ("12 killed" against "15 killed"), titles of a participant ("President" against
"interim President") and participants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from storyline.store import Store
from storyline.stories.rules import StoryRules, story_rules

#: Modalities under which a report says the event took place.
HAPPENED = ("asserted", "reported")


@dataclass(frozen=True)
class Origin:
    """An original authority: the key that identifies it and a name to show."""

    key: str
    name: str


@dataclass
class Support:
    """One mention backing a fact: where it is and on whose authority."""

    document: str
    mention: int
    quote: str
    start: int  # span of the quote in the original input
    end: int
    outlet: str
    origin: Origin

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "mention": self.mention, "quote": self.quote,
                "start": self.start, "end": self.end, "outlet": self.outlet,
                "origin": self.origin.name}


@dataclass
class Fact:
    """One thing the reports say about an event, with everything that supports it."""

    kind: str  # occurred | participant | place | date | topic
    value: str
    role: str | None = None
    support: list[Support] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        return sorted({s.document for s in self.support})

    @property
    def outlets(self) -> list[str]:
        return sorted({s.outlet for s in self.support})

    @property
    def origins(self) -> list[str]:
        return sorted({s.origin.name for s in {s.origin.key: s for s in self.support}.values()})

    @property
    def single_origin(self) -> bool:
        return len({s.origin.key for s in self.support}) == 1

    @property
    def label(self) -> str:
        if self.kind == "occurred":
            return "it happened"
        role = f" ({self.role})" if self.role else ""
        return f"{self.kind}: {self.value}{role}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "role": self.role,
                "documents": self.documents, "outlets": self.outlets,
                "origins": self.origins, "single_origin": self.single_origin,
                "support": [s.to_json() for s in self.support]}


@dataclass
class Conflict:
    """What merged reports say differently about one aspect of an event."""

    kind: str  # date | place | number | title | participant
    subject: str  # what differs: "date", "killed people", "title of Ahmad al-Sharaa"
    values: dict[str, list[str]]  # each value -> the documents that give it

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject,
                "values": [{"value": v, "documents": d} for v, d in self.values.items()]}


def outlet_name(outlet: str | None, document: str) -> str:
    """An outlet to show; a document with none stands for itself."""
    return outlet or f"unknown outlet ({document[:12]})"


def _fold(name: str) -> str:
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.I)
    return re.sub(r"\s+", " ", name).strip(" .,:;").lower()


@cache
def _agency_lookup() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for agency in story_rules().agencies:
        for n in agency.names:
            names[n] = agency.origin
        for c in agency.countries:
            countries[c.lower()] = agency.origin
    return names, countries


def origin_of(chain: list[dict[str, Any]], outlet: Origin,
              rules: StoryRules | None = None) -> Origin:
    """The original authority of an attribution chain (innermost source first, the
    outlet last): the innermost named source, else the outlet."""
    rules = rules or story_rules()
    for link in chain:
        if link.get("role") == "outlet":
            break
        name = str(link.get("source") or "")
        if not name or any(p.search(name) for p in rules.unnamed):
            continue
        return canonical_origin(name, link.get("actor"), rules)
    return outlet


def canonical_origin(name: str, actor: str | None, rules: StoryRules) -> Origin:
    """One key for the names of one authority (agencies and descriptions of state
    media from `data/stories.yaml`), else the actor, else the folded name."""
    names, countries = _agency_lookup()
    for known, origin in names.items():
        if re.search(rf"(?<!\w){re.escape(known)}(?!\w)", name):
            return Origin("agency:" + origin, origin)
    state = rules.state_media.search(name)
    if state:
        country = state.group("country")
        word = re.findall(r"[\w-]+", name[state.start("country"):])[0]  # "Lebanese", not "Leban"
        origin = countries.get(word.lower()) or countries.get(country.lower(),
                                                              f"state media of {country}")
        return Origin("agency:" + origin, origin)
    if actor:
        return Origin("actor:" + actor, name)
    return Origin("name:" + _fold(name), name)


class Corroboration:
    """Facts and conflicts of the canonical events of one store."""

    def __init__(self, store: Store, rules: StoryRules | None = None) -> None:
        self.store = store
        self.rules = rules or story_rules()
        self._originals: dict[str, Origin] = {}

    def outlet_origin(self, document: str, outlet: str | None) -> Origin:
        """What a report citing nobody rests on: its outlet, or for a duplicate the
        outlet of the first copy (a reprint is not an independent report)."""
        if document not in self._originals:
            row = self.store.conn.execute(
                "SELECT coalesce(o.id, d.id) AS id, coalesce(o.outlet, d.outlet) AS outlet "
                "FROM documents d LEFT JOIN documents o ON o.id = d.duplicate_of "
                "WHERE d.id = ?", (document,)).fetchone()
            first, name = (row["id"], row["outlet"]) if row else (document, outlet)
            self._originals[document] = Origin("outlet:" + (name or first),
                                               outlet_name(name, first))
        return self._originals[document]

    def facts(self, canonical: str,
              members: list[dict[str, Any]] | None = None) -> list[Fact]:
        """`members`: the event's reports when the caller has read them already."""
        members = members if members is not None else self.store.events.members(canonical)
        facts: dict[tuple[str, str], Fact] = {}

        def add(kind: str, key: str, value: str, support: Support,
                role: str | None = None) -> None:
            fact = facts.setdefault((kind, key), Fact(kind, value, role))
            if all((s.document, s.mention) != (support.document, support.mention)
                   for s in fact.support):
                fact.support.append(support)

        for m in members:
            doc, outlet = m["document_id"], outlet_name(m["outlet"], m["document_id"])
            base = self.outlet_origin(doc, m["outlet"])
            supports = {}
            for mention in m["mentions"]:
                supports[mention["idx"]] = Support(
                    doc, mention["idx"], mention["quote"], mention["source_start"],
                    mention["source_end"], outlet,
                    origin_of(mention["attribution"], base, self.rules))
            for mention in m["mentions"]:
                s = supports[mention["idx"]]
                if mention["modality"] in HAPPENED:
                    add("occurred", "", "it happened", s)
                for topic in mention["topics"]:
                    add("topic", topic, topic, s)
                if mention["location_mention"] is not None and m["place"]:
                    add("place", m["place"]["key"], m["place"]["name"], s)
                if mention["time_mention"] is not None and m["date_precision"] not in (
                        None, "published"):
                    add("date", m["date_value"], m["date_value"], s)
            for part in m["participants"]:
                found = supports.get(part["event_mention"])
                if found is not None:
                    add("participant", part["key"], part["name"], found, part["role"])
        order = {"occurred": 0, "participant": 1, "place": 2, "date": 3, "topic": 4}
        return sorted(facts.values(), key=lambda f: (order[f.kind], f.value))

    def conflicts(self, canonical: str,
                  members: list[dict[str, Any]] | None = None) -> list[Conflict]:
        members = members if members is not None else self.store.events.members(canonical)
        if len({m["document_id"] for m in members}) < 2:
            return []
        found: list[Conflict] = []
        dates: dict[str, set[str]] = {}
        for m in members:
            if m["date_precision"] not in (None, "published") and m["date_value"]:
                dates.setdefault(m["date_value"], set()).add(m["document_id"])
        if len(dates) > 1 and not _nested(list(dates)):
            found.append(Conflict("date", "date", {v: sorted(d) for v, d in dates.items()}))
        places: dict[str, tuple[str, set[str]]] = {}
        for m in members:
            if m["place"]:
                entry = places.setdefault(m["place"]["key"], (m["place"]["name"], set()))
                entry[1].add(m["document_id"])
        if len(places) > 1 and not self._places_agree(places):
            found.append(Conflict("place", "place",
                                  {n: sorted(d) for n, d in places.values()}))
        found += self._number_conflicts(members)
        found += self._title_conflicts(members)
        found += _participant_conflicts(members)
        return found

    def _places_agree(self, places: dict[str, tuple[str, set[str]]]) -> bool:
        """Different places agree when each document also names the others' places
        ("Damascus" in one report, "Syria ... Damascus" in another)."""
        names = [name for name, _ in places.values()]
        for name, docs in places.values():
            for doc in docs:
                text = self.store.conn.execute("SELECT text FROM documents WHERE id = ?",
                                               (doc,)).fetchone()["text"]
                if any(other not in text for other in names if other != name):
                    return False
        return True

    def _number_conflicts(self, members: list[dict[str, Any]]) -> list[Conflict]:
        counts: dict[str, dict[str, set[str]]] = {}
        for m in members:
            for mention in m["mentions"]:
                for noun, number in _counts(mention["quote"], self.rules):
                    counts.setdefault(noun, {}).setdefault(number, set()).add(m["document_id"])
        return [Conflict("number", noun, {v: sorted(d) for v, d in values.items()})
                for noun, values in sorted(counts.items()) if len(values) > 1]

    def _title_conflicts(self, members: list[dict[str, Any]]) -> list[Conflict]:
        docs = sorted({m["document_id"] for m in members})
        actors: dict[str, str] = {}
        for m in members:
            for part in m["participants"]:
                if part["actor_id"]:
                    actors[part["actor_id"]] = part["name"]
        found = []
        for actor, name in sorted(actors.items()):
            marks = ",".join("?" * len(docs))
            titles: dict[str, set[str]] = {}
            groups: dict[str, tuple[str, str | None]] = {}
            for r in self.store.conn.execute(
                    f"SELECT document_id, title, title_group, qualifier FROM roles WHERE "
                    f"actor_id = ? AND document_id IN ({marks})", [actor, *docs]):
                shown = " ".join(x for x in (r["qualifier"], r["title"]) if x)
                titles.setdefault(shown, set()).add(r["document_id"])
                groups[shown] = (r["title_group"], r["qualifier"])
            # Different titles count when they differ in kind or qualifier ("head" and
            # "chief" do not) and not every document uses all of them.
            if len(set(groups.values())) > 1 and len({frozenset(d) for d in titles.values()}) > 1:
                found.append(Conflict("title", f"title of {name}",
                                      {t: sorted(d) for t, d in sorted(titles.items())}))
        return found


def _nested(values: list[str]) -> bool:
    """Dates at different precisions that contain each other ("2025-08", "2025-08-28")."""
    values = sorted(values, key=len)
    return all(b.startswith(a) for i, a in enumerate(values) for b in values[i + 1:])


def _counts(quote: str, rules: StoryRules) -> list[tuple[str, str]]:
    words = r"\d[\d,.]*|" + "|".join(sorted(rules.number_words, key=len, reverse=True))
    out = []
    # The counted noun is the word after the number or, after an adjective, the next one.
    for m in re.finditer(rf"\b({words})\s+([a-z-]+)(?:\s+([a-z]+))?\b", quote, re.I):
        number = m.group(1).lower()
        for noun in (m.group(2).lower(), (m.group(3) or "").lower()):
            singular = (noun[:-1] if noun.endswith("s") and noun[:-1] in rules.counted_nouns
                        else noun)
            if singular not in rules.counted_nouns and noun not in rules.counted_nouns:
                continue
            value = str(rules.number_words.get(number, number.replace(",", "")))
            out.append((singular, value))
            break
    return out


def _participant_conflicts(members: list[dict[str, Any]]) -> list[Conflict]:
    """Reports of one event that name participants and share none of them."""
    named: dict[str, dict[str, str]] = {}
    for m in members:
        for part in m["participants"]:
            if part["role"] in ("actor", "recipient"):
                named.setdefault(m["document_id"], {})[part["key"]] = part["name"]
    docs = sorted(named)
    for i, a in enumerate(docs):
        for b in docs[i + 1:]:
            if not set(named[a]) & set(named[b]):
                return [Conflict("participant", "participants", {
                    ", ".join(sorted(named[d].values())): [d] for d in docs})]
    return []
