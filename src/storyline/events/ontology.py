"""The event ontology and topic vocabulary, loaded from data/events.yaml and topics.yaml.

The files are checked when loaded: a trigger naming a mode its type lacks, or an
unknown setting, is an `OntologyError` that says which entry is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.errors import StorylineError

TRIGGER_KEYS = frozenset({"mode", "weight", "object", "object_kind", "prep", "modifier",
                          "particle", "unless", "object_role", "plural"})
OBJECT_ROLES = frozenset({"recipient", "target", "location", "none"})
PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                "COERCE", "ASSAULT")


class OntologyError(StorylineError):
    """The ontology or topic file is malformed."""


@dataclass(frozen=True)
class Trigger:
    """A word that evokes an event type, with the conditions it needs."""

    type: str
    pos: str  # verb | noun
    lemma: str
    mode: str | None = None
    weight: float = 0.8
    object: frozenset[str] | None = None  # None: any; empty: the verb takes no object
    object_kind: frozenset[str] | None = None  # None: any; empty: not an actor
    prep: frozenset[str] = frozenset()
    modifier: frozenset[str] = frozenset()
    particle: str | None = None
    unless: frozenset[str] = frozenset()
    object_role: str = "recipient"
    plural: bool = False


@dataclass(frozen=True)
class EventType:
    name: str
    group: str  # plover | storyline
    description: str
    modes: dict[str, str]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    words: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Ontology:
    types: dict[str, EventType]
    triggers: dict[tuple[str, str], tuple[Trigger, ...]]
    topics: dict[str, Topic]
    light_verbs: frozenset[str]
    future_verbs: frozenset[str]
    negating_verbs: frozenset[str]
    hypothetical_marks: frozenset[str]
    reported_adverbs: frozenset[str]
    future_modifiers: frozenset[str]
    participant_preps: dict[str, str]
    group_nouns: frozenset[str]
    membership_verbs: frozenset[str]
    collective_references: frozenset[str]
    repeat_types: frozenset[str] = frozenset()
    travel_verbs: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)

    def topics_of(self, text: str) -> list[str]:
        """Topic names whose words occur in `text`, in vocabulary order."""
        return [t.name for t in self.topics.values() if t.pattern.search(text)]


def _words(value: Any) -> frozenset[str]:
    return frozenset(str(v).lower() for v in value or ())


def _trigger(type_name: str, pos: str, lemma: str, spec: dict[str, Any],
             modes: dict[str, str]) -> Trigger:
    where = f"{type_name} {pos} trigger {lemma!r}"
    unknown = set(spec) - TRIGGER_KEYS
    if unknown:
        raise OntologyError(f"{where}: unknown setting(s) {sorted(unknown)}; known: "
                            f"{sorted(TRIGGER_KEYS)}")
    mode = spec.get("mode")
    if mode is not None and mode not in modes:
        raise OntologyError(f"{where}: mode {mode!r} is not one of {type_name}'s modes "
                            f"{sorted(modes)}")
    role = spec.get("object_role", "recipient")
    if role not in OBJECT_ROLES:
        raise OntologyError(f"{where}: object_role {role!r} is not one of "
                            f"{sorted(OBJECT_ROLES)}")
    weight = float(spec.get("weight", 0.8))
    if not 0 < weight <= 1:
        raise OntologyError(f"{where}: weight {weight} is not in (0, 1]")
    return Trigger(
        type=type_name, pos=pos, lemma=lemma.lower(), mode=mode, weight=weight,
        object=_words(spec["object"]) if "object" in spec else None,
        object_kind=_words(spec["object_kind"]) if "object_kind" in spec else None,
        prep=_words(spec.get("prep")), modifier=_words(spec.get("modifier")),
        particle=spec.get("particle"), unless=_words(spec.get("unless")),
        object_role=role, plural=bool(spec.get("plural", False)))


def _topic_pattern(words: list[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w.lower()).replace(r"\ ", r"[\s-]+") for w in words),
                          key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")(?:s|es)?\b")


def build(events: dict[str, Any], topics: dict[str, Any]) -> Ontology:
    """An Ontology from the parsed YAML of the two files (checked)."""
    types: dict[str, EventType] = {}
    triggers: dict[tuple[str, str], list[Trigger]] = {}
    for name, spec in events["types"].items():
        modes = {str(k): str(v) for k, v in (spec.get("modes") or {}).items()}
        group = spec.get("group", "storyline")
        if group == "plover" and name not in PLOVER_TYPES:
            raise OntologyError(f"{name} is marked plover but PLOVER has no such type")
        types[name] = EventType(name, group, str(spec.get("description", "")), modes,
                                tuple(spec.get("examples") or ()))
        for pos, entries in (spec.get("triggers") or {}).items():
            if pos not in ("verb", "noun"):
                raise OntologyError(f"{name}: trigger part of speech {pos!r} is not verb or "
                                    "noun")
            for lemma, tspec in (entries or {}).items():
                trig = _trigger(name, pos, str(lemma), dict(tspec or {}), modes)
                triggers.setdefault((pos, trig.lemma), []).append(trig)
    missing = [t for t in PLOVER_TYPES if t not in types]
    if missing:
        raise OntologyError(f"the ontology lacks PLOVER type(s) {missing}")
    vocab = {}
    for name, spec in topics["topics"].items():
        words = [str(w) for w in spec["words"]]
        vocab[name] = Topic(name, str(spec.get("description", "")), tuple(words),
                            _topic_pattern(words))
    return Ontology(
        types=types, triggers={k: tuple(v) for k, v in triggers.items()}, topics=vocab,
        light_verbs=_words(events.get("light_verbs")),
        future_verbs=_words(events.get("future_verbs")),
        negating_verbs=_words(events.get("negating_verbs")),
        hypothetical_marks=_words(events.get("hypothetical_marks")),
        reported_adverbs=_words(events.get("reported_adverbs")),
        future_modifiers=_words(events.get("future_modifiers")),
        participant_preps={str(k).lower(): str(v) for k, v in
                           (events.get("participant_preps") or {}).items()},
        group_nouns=_words(events.get("group_nouns")),
        membership_verbs=_words(events.get("membership_verbs")),
        collective_references=_words(events.get("collective_references")),
        repeat_types=_repeat_types(events.get("repeat_types"), types),
        travel_verbs=_words(events.get("travel_verbs")))


def _repeat_types(value: Any, types: dict[str, EventType]) -> frozenset[str]:
    names = frozenset(str(v) for v in value or ())
    unknown = names - set(types)
    if unknown:
        raise OntologyError(f"repeat_types: unknown event type(s) {sorted(unknown)}")
    return names


@cache
def ontology() -> Ontology:
    """The shipped ontology (data/events.yaml and data/topics.yaml)."""
    return build(load_data("events.yaml"), load_data("topics.yaml"))


def markdown_tables(onto: Ontology | None = None) -> str:
    """The ontology's types, modes, triggers and topics as Markdown (docs/ontology.md)."""
    onto = onto or ontology()
    lines = ["| type | group | description | modes | example |", "|---|---|---|---|---|"]
    for t in onto.types.values():
        modes = "; ".join(f"`{k}`" for k in t.modes) or "-"
        example = t.examples[0] if t.examples else ""
        lines.append(f"| `{t.name}` | {t.group} | {t.description} | {modes} | {example} |")
    lines += ["", "| type | verb triggers | noun triggers |", "|---|---|---|"]
    for t in onto.types.values():
        cells = []
        for pos in ("verb", "noun"):
            words = sorted({trig.lemma for (p, _), trigs in onto.triggers.items() if p == pos
                            for trig in trigs if trig.type == t.name})
            cells.append(", ".join(words) or "-")
        lines.append(f"| `{t.name}` | {cells[0]} | {cells[1]} |")
    lines += ["", "| topic | description | words (any of) |", "|---|---|---|"]
    for topic in onto.topics.values():
        lines.append(f"| `{topic.name}` | {topic.description} | {', '.join(topic.words)} |")
    return "\n".join(lines) + "\n"
