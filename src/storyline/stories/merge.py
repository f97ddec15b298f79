"""Cross-document event coreference: the reports of one real event become one event.

When a document joins a story, each of its events is compared with the canonical events
of that story that no earlier mention of the document belongs to, of the same type and a
compatible modality, and still reported: like a story, an event stays open to a dated
report while one of its reports lies within the story window (`window_days`) of it (an
undated report, or an event that has one, has no such limit); of a long story, only the
100 most recently stored events of a type are compared. The evidence (shared
participants, place, date or weekday, topics; a place or a date that cannot both hold
counts against) is added up with the weights of `data/stories.yaml`; the event is merged
into the best candidate that reaches the threshold, and the evidence is kept. Merged
events then fill each other's gaps: a report with no publication date that says
"Thursday" gets the date another report gives, and its document's publication date is
inferred from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from storyline.store.events import EventTable
from storyline.stories.rules import StoryRules, story_rules

#: Date precisions from the most to the least exact (None: no date).
PRECISIONS = ("day", "week", "month", "season", "quarter", "half", "year", "decade",
              "published")
#: Canonical events of one type in the document's story compared with its events: the
#: most recently stored, so that a long story does not slow every addition.
CANDIDATES = 100
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


@dataclass
class Profile:
    """What the reports merged into one event say about it, for comparison."""

    id: str
    type: str
    modality: str
    documents: set[str] = field(default_factory=set)
    participants: dict[str, str] = field(default_factory=dict)  # key -> name
    places: dict[str, str] = field(default_factory=dict)
    topics: set[str] = field(default_factory=set)
    dates: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)  # exact ones
    published: list[dt.date] = field(default_factory=list)  # "no later than" bounds
    weekdays: set[str] = field(default_factory=set)  # unanchored "Thursday"

    @classmethod
    def of(cls, event_id: str, members: list[dict[str, Any]]) -> Profile:
        first = members[0]
        p = cls(event_id, first["type"], first["modality"])
        for m in members:
            p.documents.add(m["document_id"])
            for part in m["participants"]:
                p.participants.setdefault(part["key"], part["name"])
            if m["place"]:
                p.places.setdefault(m["place"]["key"], m["place"]["name"])
            p.topics.update(m["topics"])
            start, end = _day(m["date_start"]), _day(m["date_end"] or m["date_start"])
            if start and end:
                if m["date_precision"] == "published":
                    p.published.append(start)
                else:
                    p.dates.append((start, end, m["date_value"] or start.isoformat()))
            for mention in m["mentions"]:
                rel = (mention["time"] or {}).get("relative") or {}
                if (mention["time"] or {}).get("anchor") == "unanchored" and rel.get("weekday"):
                    p.weekdays.add(str(rel["weekday"]).lower())
        return p


def score(a: Profile, b: Profile, rules: StoryRules) -> tuple[float, list[dict[str, Any]]]:
    """How much the evidence says `a` and `b` are one event, and the evidence itself."""
    w = rules.weights
    evidence: list[dict[str, Any]] = [{"feature": "same_type", "weight": w["same_type"],
                                       "detail": a.type}]
    shared = sorted(set(a.participants) & set(b.participants))
    if shared:
        evidence.append({"feature": "shared_participant",
                         "weight": w["shared_participant"] * min(len(shared), rules.max_shared),
                         "detail": [a.participants[k] for k in shared]})
    if a.places and b.places:
        common = sorted(set(a.places) & set(b.places))
        if common:
            evidence.append({"feature": "same_place", "weight": w["same_place"],
                             "detail": [a.places[k] for k in common]})
        else:
            evidence.append({"feature": "other_place", "weight": w["other_place"],
                             "detail": [sorted(a.places.values()), sorted(b.places.values())]})
    evidence += _date_evidence(a, b, rules) or _date_evidence(b, a, rules, mirrored=True)
    topics = sorted(a.topics & b.topics)
    if topics:
        evidence.append({"feature": "same_topic",
                         "weight": w["same_topic"] * min(len(topics), rules.max_topics),
                         "detail": topics})
    total = round(sum(e["weight"] for e in evidence), 4)
    return total, evidence


def _date_evidence(a: Profile, b: Profile, rules: StoryRules,
                   mirrored: bool = False) -> list[dict[str, Any]]:
    w = rules.weights
    if a.dates and b.dates:
        if mirrored:
            return []
        for s1, e1, v1 in a.dates:
            for s2, e2, v2 in b.dates:
                if s1 <= e2 and s2 <= e1:
                    return [{"feature": "same_date", "weight": w["same_date"],
                             "detail": [v1, v2]}]
        return [{"feature": "other_date", "weight": w["other_date"],
                 "detail": [a.dates[0][2], b.dates[0][2]]}]
    days = [(s, v) for s, e, v in a.dates if s == e]
    if days and b.weekdays:
        day, value = days[0]
        name = WEEKDAYS[day.weekday()]
        if name in b.weekdays:
            return [{"feature": "same_date", "weight": w["same_date"],
                     "detail": [value, name.capitalize()]}]
        return [{"feature": "other_date", "weight": w["other_date"],
                 "detail": [value, ", ".join(sorted(b.weekdays))]}]
    if a.dates and b.published:
        start = a.dates[0][0]
        latest = max(b.published)
        if start > latest:  # a report cannot tell of a past event after it was published
            return [{"feature": "other_date", "weight": w["other_date"],
                     "detail": [a.dates[0][2], f"reported by {latest.isoformat()}"]}]
    if (a.published and b.published and not mirrored
            and abs((max(a.published) - max(b.published)).days)
            > rules.published_window_days * 2):
        return [{"feature": "other_date", "weight": w["other_date"],
                 "detail": [f"reported by {max(a.published).isoformat()}",
                            f"reported by {max(b.published).isoformat()}"]}]
    return []


def merged_values(members: list[dict[str, Any]]) -> dict[str, Any]:
    """The canonical values of merged reports: the most exact date, the place most
    reports give, every topic, the best score."""
    def rank(m: dict[str, Any]) -> int:
        p = m["date_precision"]
        return PRECISIONS.index(p) if p in PRECISIONS else len(PRECISIONS)

    dated = min(members, key=rank)
    places: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        if m["place"]:
            places.setdefault(m["place"]["key"], []).append(m)
    located = max(places.values(), key=len)[0] if places else None
    topics: list[str] = []
    for m in members:
        topics += [t for t in m["topics"] if t not in topics]
    return {
        "date_value": dated["date_value"], "date_start": dated["date_start"],
        "date_end": dated["date_end"], "date_precision": dated["date_precision"],
        "location": located["location"] if located else None,
        "location_document": located["location_document"] if located else None,
        "location_mention": located["location_mention"] if located else None,
        "topics": topics, "score": max(m["score"] for m in members),
    }


class ReportCache:
    """The reports of events read while one document is placed in a story.

    Clustering asks how well the document's events match each close story (`affinity`),
    then linking merges them into the chosen one: both compare the same pairs of events,
    so each event's reports are read from the store once (many at a time) and each pair
    is scored once. An event that absorbs a report is forgotten, since it changed.
    """

    def __init__(self) -> None:
        self.events: dict[str, list[str]] = {}  # document -> its events
        self.reports: dict[str, list[dict[str, Any]]] = {}  # event -> its reports
        self.profiles: dict[str, Profile] = {}
        self.scores: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}
        # (story, type, document, window) -> the story's newest events, open or not
        self.newest: dict[tuple[Any, ...], list[tuple[str, bool]]] = {}
        self.absorbed: set[str] = set()  # events that took in one of the document's

    def forget(self, event: str) -> None:
        """`event` absorbed a report of the document: it is no longer a candidate."""
        self.absorbed.add(event)
        self.reports.pop(event, None)
        self.profiles.pop(event, None)
        self.scores = {k: v for k, v in self.scores.items() if event not in k}


class EventMerger:
    """Merges a newly stored document's events into the canonical events of its story."""

    def __init__(self, events: EventTable, rules: StoryRules | None = None) -> None:
        self.events = events
        self.rules = rules or story_rules()

    def _read(self, cache: ReportCache, event_ids: list[str]) -> None:
        missing = [e for e in event_ids if e not in cache.reports]
        if missing:
            found = self.events.reports(missing)
            for e in missing:
                cache.reports[e] = found.get(e, [])

    def _profile(self, cache: ReportCache, event_id: str) -> Profile:
        if event_id not in cache.profiles:
            cache.profiles[event_id] = Profile.of(event_id, cache.reports[event_id])
        return cache.profiles[event_id]

    def _document_events(self, cache: ReportCache, doc_id: str) -> list[str]:
        if doc_id not in cache.events:
            cache.events[doc_id] = self.events.document_events(doc_id)
            self._read(cache, cache.events[doc_id])
        return cache.events[doc_id]

    def best_match(self, eid: str, story: str, doc_id: str, cache: ReportCache | None = None
                   ) -> tuple[float, str, list[dict[str, Any]]] | None:
        """The canonical event of `story` that event `eid` would merge into, if any."""
        cache = cache if cache is not None else ReportCache()
        self._read(cache, [eid])
        mine = self._profile(cache, eid)
        group = self.rules.modality_group(mine.modality)
        best: tuple[float, str, list[dict[str, Any]]] | None = None
        candidates = self._candidates(cache, story, mine.type, doc_id,
                                      self._window(cache.reports[eid]))
        self._read(cache, candidates)
        for cid in candidates:
            other = self._profile(cache, cid)
            if self.rules.modality_group(other.modality) != group:
                continue
            if (eid, cid) not in cache.scores:
                cache.scores[eid, cid] = score(mine, other, self.rules)
            total, evidence = cache.scores[eid, cid]
            if total >= self.rules.merge_threshold and (best is None or total > best[0]):
                best = (total, cid, evidence)
        return best

    def _candidates(self, cache: ReportCache, story: str, type: str, doc_id: str,
                    window: tuple[str, str] | None) -> list[str]:
        """`EventTable.story_candidates` for the document, read once per story and type:
        a few more of the newest events are read than are compared, so that the list
        stays the same as the store's after the document's events merge into some."""
        key = (story, type, doc_id, window)
        if key not in cache.newest:
            more = len(cache.events.get(doc_id, ()))
            cache.newest[key] = self.events.newest_events(story, type, doc_id,
                                                          CANDIDATES + more, window)
        newest = [e for e in cache.newest[key] if e[0] not in cache.absorbed][:CANDIDATES]
        return [event for event, open_ in newest if open_]

    def _window(self, reports: list[dict[str, Any]]) -> tuple[str, str] | None:
        """The days within which a canonical event must have been reported (or have an
        undated report) to be compared with these reports, those of one new document:
        as far as a story reaches (`window_days` from its publication date), and no
        limit when it is undated."""
        days = [day for r in reports if (day := _day(r["published"])) is not None]
        if not days:
            return None
        reach = dt.timedelta(days=self.rules.window_days)
        return (min(days) - reach).isoformat(), (max(days) + reach).isoformat()

    def affinity(self, doc_id: str, story: str, cache: ReportCache | None = None) -> float:
        """How well a document's events match a story's: the sum of their best merge
        scores there (0 when none would merge)."""
        cache = cache if cache is not None else ReportCache()
        total = 0.0
        for eid in self._document_events(cache, doc_id):
            if cache.reports[eid]:
                found = self.best_match(eid, story, doc_id, cache)
                total += found[0] if found else 0.0
        return total

    def link(self, doc_id: str, story: str, cache: ReportCache | None = None
             ) -> list[dict[str, Any]]:
        """Merge what can be merged; returns one record per merge made. `cache` may hold
        what `affinity` read for the same document."""
        cache = cache if cache is not None else ReportCache()
        merges = []
        for eid in self._document_events(cache, doc_id):
            members = cache.reports[eid]
            if not members:
                continue
            best = self.best_match(eid, story, doc_id, cache)
            if best is None:
                continue
            total, into, evidence = best
            everyone = cache.reports[into] + members
            self.events.merge(eid, into, total, evidence, merged_values(everyone))
            cache.forget(into)
            self.fill_gaps(into)
            merges.append({"event": eid, "into": into, "score": total, "evidence": evidence})
        return merges

    def fill_gaps(self, canonical: str) -> None:
        """Date an unanchored weekday ("Thursday") of a report with no publication date
        from the exact date another merged report gives, and infer when it was
        published from that."""
        members = self.events.members(canonical)
        exact = [m for m in members if m["date_precision"] == "day" and m["date_start"]]
        if not exact:
            return
        source = exact[0]
        day = _day(source["date_start"])
        assert day is not None
        for m in members:
            if m["published"] is not None or m["document_id"] == source["document_id"]:
                continue
            for mention in m["mentions"]:
                time = mention["time"] or {}
                rel = time.get("relative") or {}
                if time.get("anchor") != "unanchored" or not rel.get("weekday"):
                    continue
                if str(rel["weekday"]).lower() != WEEKDAYS[day.weekday()]:
                    continue
                future = rel.get("direction") == "future"
                lo, hi = (day - dt.timedelta(days=6), day) if future else \
                    (day, day + dt.timedelta(days=6))
                self.events.infer_date(
                    m["document_id"], mention["time_mention"], day.isoformat(),
                    (lo.isoformat(), hi.isoformat()), canonical, source["document_id"],
                    {"time_text": mention["time_text"], "weekday": rel["weekday"],
                     "direction": rel.get("direction"), "date_from": source["outlet"],
                     "reasoning": f"'{mention['time_text']}' is {day.isoformat()}, the "
                                  f"date {source['outlet'] or source['document_id']} gives "
                                  "for the same event, so the report was written within "
                                  "the following week" if not future else
                                  f"'{mention['time_text']}' is {day.isoformat()}, so the "
                                  "report was written within the week before"})
