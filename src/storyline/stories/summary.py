"""Extractive summaries in which every sentence cites where it comes from.

An event's summary is the sentence of its best report (asserted before reported, then
the coding score, the number of participants named, the earliest document), then a
sentence from another outlet when one adds a different wording. A story's summary is
the lead sentence of its best-supported events, the most reported first. Every sentence is a
verbatim quote: its first citation is the document and the span of the original input
it was taken from, the others the documents that report the same event. Deterministic:
the same store gives the same summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from storyline.store import Store
from storyline.stories.corroborate import outlet_name
from storyline.stories.rules import StoryRules, story_rules

_MODALITY_ORDER = {"asserted": 0, "reported": 1, "negated": 2, "future": 3, "hypothetical": 4}


@dataclass
class Citation:
    """A document a summary sentence rests on: `source` when the words are taken from
    it (with the span of the original input), `corroborates` when it reports the same."""

    document: str
    outlet: str
    role: str
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "outlet": self.outlet, "role": self.role,
                "start": self.start, "end": self.end}


@dataclass
class Sentence:
    """One summary sentence and its citations (never empty)."""

    text: str
    event: str
    citations: list[Citation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "event": self.event,
                "citations": [c.to_json() for c in self.citations]}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _tidy(quote: str) -> str:
    return re.sub(r"\s+", " ", quote).strip()


class Summarizer:
    """Summaries of the canonical events and stories of one store."""

    def __init__(self, store: Store, rules: StoryRules | None = None) -> None:
        self.store = store
        self.rules = rules or story_rules()

    def event(self, canonical: str, sentences: int | None = None) -> list[Sentence]:
        members = self.store.events.members(canonical)
        reports = []
        for m in members:
            named = len(m["participants"])
            for k, mention in enumerate(m["mentions"]):
                # A report's first mention of the event introduces it; later ones refer
                # back to it ("the talks") and come after every introduction.
                reports.append((
                    _MODALITY_ORDER.get(mention["modality"], 9), k > 0, -mention["score"],
                    -named, m["doc_order"], mention["idx"], m, mention))
        reports.sort(key=lambda r: r[:6])
        documents: dict[str, Citation] = {}
        for m in members:
            first = m["mentions"][0] if m["mentions"] else None
            documents.setdefault(m["document_id"], Citation(
                m["document_id"], outlet_name(m["outlet"], m["document_id"]), "corroborates",
                first["source_start"] if first else None,
                first["source_end"] if first else None))
        out: list[Sentence] = []
        used: list[set[str]] = []
        for *_, m, mention in reports:
            if len(out) >= (sentences or self.rules.event_sentences):
                break
            text = _tidy(mention["quote"])
            words = _words(text)
            if any(_overlap(words, u) > 0.6 for u in used):
                continue
            if out and m["document_id"] in {s.citations[0].document for s in out}:
                continue  # a second sentence must bring another outlet's account
            doc = m["document_id"]
            cites = [Citation(doc, outlet_name(m["outlet"], doc), "source",
                              mention["source_start"], mention["source_end"])]
            cites += [c for d, c in documents.items() if d != doc]
            out.append(Sentence(text, canonical, cites))
            used.append(words)
        return out

    def story(self, story_id: str) -> list[Sentence]:
        ranked = []
        for eid in self.store.stories.event_ids(story_id):
            members = self.store.events.members(eid)
            docs = {m["document_id"] for m in members}
            best = max(m["score"] for m in members)
            happened = any(mm["modality"] in ("asserted", "reported")
                           for m in members for mm in m["mentions"])
            ranked.append((not happened, -len(docs), -best, eid, members))
        ranked.sort(key=lambda r: r[:4])
        chosen = ranked[:self.rules.story_events]
        out: list[Sentence] = []
        for *_, eid, _members in chosen:
            lead = self.event(eid, sentences=1)
            if lead and all(lead[0].text != s.text for s in out):
                out.append(lead[0])
        return out


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
