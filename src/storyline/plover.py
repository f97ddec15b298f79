"""Canonical events as PLOVER/POLECAT-style JSON records (docs/export.md#plover-records).

Field names follow the POLECAT dataset's columns in snake case ("Event Date" is
`event_date`), with the NGEC coder's `event_text` and `headline`; fields Storyline does
not know (countries, sectors, coordinates, intensity) are null. What Storyline adds
(story, modality, score, supporting documents, outlets, origins, conflicts and the spans
of every supporting sentence) is under `storyline`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from storyline.store import Store
from storyline.stories.story import StoryReader
from storyline.version import __version__

#: PLOVER's quad categories (1 verbal cooperation, 2 material cooperation, 3 verbal
#: conflict, 4 material conflict). REQUEST is PLOVER's DEMAND; Storyline's own types
#: (STATEMENT, BORDER, ...) have none.
QUAD_CODES: dict[str, int] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def plover_records(store: Store, *, min_score: float = 0.5) -> Iterator[dict[str, Any]]:
    """One record per canonical event coded with at least `min_score`, oldest first."""
    builder = _RecordBuilder(store)
    rows = store.events.listing(min_score=min_score)
    rows.sort(key=lambda r: (r["date_start"] is None, r["date_start"] or "", r["id"]))
    for row in rows:
        event = store.events.get(row["id"])
        if event is not None:
            yield builder.record(event)


def write_plover(store: Store, out: TextIO, *, jsonl: bool = False,
                 min_score: float = 0.5) -> int:
    """Write the records as one JSON list, or one per line; returns how many."""
    count = 0
    if not jsonl:
        out.write("[")
    for record in plover_records(store, min_score=min_score):
        text = json.dumps(record, ensure_ascii=False)
        if jsonl:
            out.write(text + "\n")
        else:
            out.write((",\n  " if count else "\n  ") + text)
        count += 1
    if not jsonl:
        out.write("\n]\n" if count else "]\n")
    return count


class _RecordBuilder:
    """Builds records, remembering documents and actors already read."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reader = StoryReader(store)
        self._documents: dict[str, dict[str, Any] | None] = {}
        self._actors: dict[str, dict[str, Any] | None] = {}

    def document(self, doc_id: str) -> dict[str, Any] | None:
        if doc_id not in self._documents:
            self._documents[doc_id] = self.store.document(doc_id)
        return self._documents[doc_id]

    def actor(self, actor_id: str) -> dict[str, Any] | None:
        if actor_id not in self._actors:
            self._actors[actor_id] = self.store.actors.find(actor_id)
        return self._actors[actor_id]

    def record(self, event: dict[str, Any]) -> dict[str, Any]:
        extras = self.reader.event_extras(event["id"])
        members = self.store.events.members(event["id"])
        raw = _raw_names(members)
        parts = event["participants"]
        actors, recipients = parts.get("actor", []), parts.get("recipient", [])
        doc_id, span, text = _source_sentence(event, extras)
        doc = self.document(doc_id) if doc_id else None
        documents = extras["documents"]
        return {
            "event_id": event["id"],
            "event_date": event["date_value"] if _DAY.match(event["date_value"] or "")
            else None,
            "event_type": event["type"],
            "event_mode": event["mode"],
            "event_intensity": None,
            "quad_code": QUAD_CODES.get(event["type"]),
            "contexts": event["topics"],
            **self._side("actor", actors, raw, documents, doc_id),
            **self._side("recipient", recipients, raw, documents, doc_id),
            "placename": event["location"],
            "raw_placename": _raw_place(event, members),
            "city": None, "district": None, "province": None, "country": None,
            "latitude": None, "longitude": None, "geonames_id": None, "feature_type": None,
            "event_text": text,
            "headline": doc["title"] if doc else None,
            "source": doc["outlet"] if doc else None,
            "url": doc["source"] if doc and _is_url(doc["source"]) else None,
            "publication_date": doc["published"] if doc else None,
            "language": doc["language"] if doc else None,
            "story_people": None, "story_organizations": None, "story_locations": None,
            "version": f"storyline {__version__}",
            "storyline": {
                "story": event["story_id"],
                "modality": event["modality"],
                "score": event["score"],
                "date": {"value": event["date_value"], "start": event["date_start"],
                         "end": event["date_end"], "precision": event["date_precision"]},
                "location_actor": event["location_actor"],
                "actors": actors, "recipients": recipients,
                "participants": {k: v for k, v in parts.items()
                                 if k not in ("actor", "recipient")},
                "source_document": doc_id,
                "source_span": span,
                "documents": documents,
                "outlets": extras["outlets"],
                "origins": extras["origins"],
                "origin_names": extras["origin_names"],
                "single_origin": extras["single_origin"],
                "conflicts": extras["conflicts"],
                "mentions": [{"document": m["document_id"], "start": m["source_start"],
                              "end": m["source_end"], "quote": m["quote"],
                              "trigger": m["trigger"], "modality": m["modality"]}
                             for m in event["mentions"]],
            },
        }

    def _side(self, side: str, people: list[dict[str, Any]], raw: dict[str, str],
              documents: list[str], source_doc: str | None) -> dict[str, Any]:
        """POLECAT's actor (or recipient) columns, lists in participant order."""
        ids = [p["id"] for p in people]
        records = [self.actor(i) if i else None for i in ids]
        titles = [_title(r, documents, source_doc) if r else None for r in records]
        wiki = [r["external_id"] if r else None for r in records]
        return {
            f"{side}_name": [p["name"] for p in people],
            f"{side}_country": None,
            f"{side}_cow": None,
            f"primary_{side}_sector": None,
            f"{side}_sectors": None,
            f"{side}_title": titles if any(titles) else None,
            f"{side}_name_raw": [raw.get(i or p["name"], p["name"]) for i, p in zip(
                ids, people, strict=True)],
            f"wikipedia_{side}_id": wiki if any(wiki) else None,
        }


def _source_sentence(event: dict[str, Any], extras: dict[str, Any]
                     ) -> tuple[str | None, list[int] | None, str | None]:
    """The document, original-input span and text of the event's best report."""
    for sentence in extras["summary"]:
        cite = next((c for c in sentence["citations"] if c["role"] == "source"), None)
        if cite is not None:
            span = [cite["start"], cite["end"]] if cite["start"] is not None else None
            return cite["document"], span, sentence["text"]
    if event["mentions"]:
        m = event["mentions"][0]
        return m["document_id"], [m["source_start"], m["source_end"]], m["quote"]
    return None, None, None


def _raw_names(members: list[dict[str, Any]]) -> dict[str, str]:
    """Each participant's first wording, by actor id (or by name when unresolved)."""
    raw: dict[str, str] = {}
    for member in members:
        for p in member["participants"]:
            raw.setdefault(p["actor_id"] or p["name"], p["text"])
    return raw


def _raw_place(event: dict[str, Any], members: list[dict[str, Any]]) -> str | None:
    if not event["location"]:
        return None
    for member in members:
        place = member["place"]
        if place and (place["name"] == event["location"]
                      or place["key"] == event["location_actor"]):
            return str(place["text"])
    return str(event["location"])


def _title(actor: dict[str, Any], documents: list[str], source_doc: str | None) -> str | None:
    """The actor's title as the event's reports give it, the source document's first."""
    roles = [r for r in actor["roles"] if r["document"] in documents]
    roles.sort(key=lambda r: r["document"] != source_doc)
    for role in roles:
        if role["title"]:
            return " ".join(x for x in (role["qualifier"], role["title"]) if x)
    return None


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))
