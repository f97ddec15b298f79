"""Incremental story clustering: each new document joins a story or starts one.

A document is a sparse vector of keys: its content words and its actors (`@` + actor
id, weighted by kind: people most), each weighted by `(1 + log count) * idf` with the
document frequencies known when it arrives. Blocking keeps the cost flat: the document is
compared only with the stories indexed under its strongest keys (a capped, recency
ordered posting list per key), and only with stories whose dates are near its own.
It joins the most similar one when the cosine similarity reaches the threshold, and the
story's centroid (the sum of its documents' vectors, strongest keys kept) moves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storyline.store.stories import StoryState, StoryTable
from storyline.stories.rules import StoryRules, story_rules

Vector = dict[str, float]
Entities = dict[str, tuple[str, int]]  # actor id -> (kind, mentions in the document)


@dataclass
class Assignment:
    """Where a document went, how similar it was, and why."""

    story: str
    similarity: float | None
    new: bool
    evidence: dict[str, Any] = field(default_factory=dict)


def story_id(document_id: str) -> str:
    """The id of the story a document starts (stable)."""
    return "st_" + hashlib.sha1(document_id.encode()).hexdigest()[:12]


def keys_of(terms: dict[str, int], entities: Entities) -> dict[str, int]:
    """Content words and actors (prefixed `@`) with their counts."""
    keys = dict(terms)
    keys.update({"@" + a: n for a, (_, n) in entities.items()})
    return keys


def key_weights(entities: Entities, rules: StoryRules) -> dict[str, float]:
    """How much each actor key counts against a word (`entity_weights` of its kind)."""
    return {"@" + a: rules.entity_weights[kind] for a, (kind, _) in entities.items()}


def vectorize(keys: dict[str, int], documents: int, df: dict[str, int],
              weights: Mapping[str, float]) -> Vector:
    """Unit-length tf-idf vector; a key in `weights` counts that many times a word."""
    vec: Vector = {}
    for key, n in keys.items():
        idf = math.log((documents + 1) / (df.get(key, 0) + 1)) + 1.0
        vec[key] = (1.0 + math.log(n)) * idf * weights.get(key, 1.0)
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {k: w / norm for k, w in vec.items()}


def cosine(vec: Vector, centroid: Vector, norm: float | None = None) -> float:
    """Cosine similarity of a unit vector with an unnormalized centroid (`norm`: the
    centroid's length, when known)."""
    if norm is None:
        norm = math.sqrt(sum(w * w for w in centroid.values()))
    if not norm:
        return 0.0
    return sum(w * centroid[k] for k, w in vec.items() if k in centroid) / norm


def strongest(vec: Vector, n: int) -> list[str]:
    return [k for k, _ in sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _days_apart(date: str, first: str | None, last: str | None) -> int | None:
    if first is None or last is None:
        return None
    day, lo, hi = (dt.date.fromisoformat(x[:10]) for x in (date, first, last))
    if lo <= day <= hi:
        return 0
    return min(abs((day - lo).days), abs((day - hi).days))


class StoryClusterer:
    """Assigns documents to stories through a `StoryTable`."""

    def __init__(self, table: StoryTable, rules: StoryRules | None = None) -> None:
        self.table = table
        self.rules = rules or story_rules()

    def assign(self, doc_id: str, terms: dict[str, int], entities: Entities,
               date: str | None, affinity: Callable[[str], float] | None = None
               ) -> Assignment:
        """Place a document. `affinity(story)` (how well the document's events match the
        story's) decides between stories whose similarities are within `margin` of the
        best, so words alone do not pick an earlier, similar story for an undated report.
        """
        rules = self.rules
        keys = keys_of(terms, entities)
        documents, df = self.table.document_frequencies(keys)
        vec = vectorize(keys, documents, df, key_weights(entities, rules))
        self.table.count_keys(keys)
        best: tuple[float, StoryState] | None = None
        close: list[tuple[float, StoryState]] = []
        skipped: list[dict[str, Any]] = []
        near: list[str] = []
        versions: dict[str, int] = {}
        for sid, first, last, version in self.table.candidate_dates(
                strongest(vec, rules.query_keys), rules.per_key):
            apart = _days_apart(date, first, last) if date else None
            if apart is not None and apart > rules.window_days:
                skipped.append({"story": sid, "days_apart": apart})
            else:
                near.append(sid)
                versions[sid] = version
        # Only the stories within the date window are read whole (centroids).
        states = self.table.states(near, versions)
        for sid in near:
            story = states[sid]
            sim = cosine(vec, story.centroid, story.norm)
            if sim >= rules.threshold:
                close.append((sim, story))
            if best is None or sim > best[0]:
                best = (sim, story)
        if best is not None and best[0] >= rules.threshold:
            sim, story = best
            evidence = {"shared": self._shared(vec, story.centroid),
                        "threshold": rules.threshold, "too_far_in_time": skipped[:5]}
            rivals = [c for c in close if c[0] >= sim - rules.margin]
            if affinity is not None and len(rivals) > 1:
                scored = sorted(((affinity(st.id), s, st) for s, st in rivals),
                                key=lambda x: (-x[0], -x[1], x[2].id))
                _, sim, story = scored[0]
                evidence["events_decided"] = [{"story": st.id, "similarity": round(s, 4),
                                               "event_affinity": round(a, 4)}
                                              for a, s, st in scored]
            self._grow(story, vec, date)
            self.table.assign(doc_id, story.id, round(sim, 4), evidence, story.size - 1)
            return Assignment(story.id, round(sim, 4), False, evidence)
        story = StoryState(story_id(doc_id), {}, None, None, 0, 0)
        evidence = {"closest": round(best[0], 4) if best else None,
                    "closest_story": best[1].id if best else None,
                    "threshold": rules.threshold, "too_far_in_time": skipped[:5]}
        self._grow(story, vec, date)
        self.table.assign(doc_id, story.id, None, evidence, story.size - 1)
        return Assignment(story.id, None, True, evidence)

    def _grow(self, story: StoryState, vec: Vector, date: str | None) -> None:
        centroid = dict(story.centroid)
        for k, w in vec.items():
            centroid[k] = centroid.get(k, 0.0) + w
        kept = strongest(centroid, self.rules.centroid_keys)
        story.centroid = {k: round(centroid[k], 5) for k in kept}
        if date:
            day = date[:10]
            story.first_date = min(story.first_date or day, day)
            story.last_date = max(story.last_date or day, day)
        story.size += 1
        story.version = self.table.next_version()
        self.table.save(story, strongest(story.centroid, self.rules.index_keys))

    @staticmethod
    def _shared(vec: Vector, centroid: Vector) -> list[str]:
        shared = {k: w * centroid[k] for k, w in vec.items() if k in centroid}
        return strongest(shared, 8)
