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
from collections.abc import Iterable
from typing import Any

from storyline.store.events import EventTable
from storyline.store.sql import rows_in
from storyline.stories.digest import WEEKDAYS, Digest, Profile
from storyline.stories.digest import day as _day
from storyline.stories.rules import StoryRules, story_rules

__all__ = ["EventMerger", "Profile", "ReportCache", "merged_values", "score"]

#: Canonical events of one type in the document's story compared with its events: the
#: most recently stored, so that a long story does not slow every addition.
CANDIDATES = 100


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
    return Digest.of(members).values()


class ReportCache:
    """What is read while one document is placed in a story.

    Clustering asks how well the document's events match each close story (`affinity`),
    then linking merges them into the chosen one: both compare the same pairs of events,
    so the document's reports and the candidates' digests are read from the store once
    (many at a time) and each pair is scored once. An event that absorbs a report is
    forgotten, since it changed.
    """

    def __init__(self) -> None:
        self.events: dict[str, list[str]] = {}  # document -> its events
        self.reports: dict[str, list[dict[str, Any]]] = {}  # the document's events' reports
        self.digests: dict[str, Digest] = {}  # event -> what its reports say
        self.profiles: dict[str, Profile] = {}
        self.scores: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}
        # (story, type, document) -> the story's newest events, with their digests read
        self.newest: dict[tuple[str, str, str], list[str]] = {}
        self.absorbed: set[str] = set()  # events that took in one of the document's

    def forget(self, event: str) -> None:
        """`event` absorbed a report of the document: it is no longer a candidate."""
        self.absorbed.add(event)
        self.reports.pop(event, None)
        self.digests.pop(event, None)
        self.profiles.pop(event, None)
        self.scores = {k: v for k, v in self.scores.items() if event not in k}


class EventMerger:
    """Merges a newly stored document's events into the canonical events of its story."""

    def __init__(self, events: EventTable, rules: StoryRules | None = None) -> None:
        self.events = events
        self.rules = rules or story_rules()

    def _profile(self, cache: ReportCache, event_id: str) -> Profile:
        if event_id not in cache.profiles:
            cache.profiles[event_id] = cache.digests[event_id].profile(event_id)
        return cache.profiles[event_id]

    def _document_events(self, cache: ReportCache, doc_id: str) -> list[str]:
        """The document's events, their reports and digests read (an event without a
        report has no digest)."""
        if doc_id not in cache.events:
            events = cache.events[doc_id] = self.events.document_events(doc_id)
            found = self.events.reports(events)
            for e in events:
                cache.reports[e] = found.get(e, [])
                if cache.reports[e]:
                    cache.digests[e] = Digest.of(cache.reports[e])
        return cache.events[doc_id]

    def best_match(self, eid: str, story: str, doc_id: str, cache: ReportCache | None = None
                   ) -> tuple[float, str, list[dict[str, Any]]] | None:
        """The canonical event of `story` that event `eid` (of document `doc_id`) would
        merge into, if any."""
        cache = cache if cache is not None else ReportCache()
        self._document_events(cache, doc_id)
        mine = self._profile(cache, eid)
        group = self.rules.modality_group(mine.modality)
        best: tuple[float, str, list[dict[str, Any]]] | None = None
        candidates = self.candidates(story, mine.type, doc_id,
                                     self._window(cache.reports[eid]), cache)
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

    def candidates(self, story: str, type: str, doc_id: str,
                   window: tuple[str, str] | None = None, cache: ReportCache | None = None
                   ) -> list[str]:
        """The canonical events of `story` of one type that the events of `doc_id` may
        merge into: of the `CANDIDATES` most recently stored that no mention of the
        document belongs to, those with a report published within `window` (first and
        last day, ISO) or undated; all of them without `window`.

        The newest events are read once per story and type with their digests (a few
        more than are compared, so that the list stays the same as the store's after
        the document's events merge into some); a missing digest is computed from the
        event's reports and stored.
        """
        cache = cache if cache is not None else ReportCache()
        key = (story, type, doc_id)
        if key not in cache.newest:
            more = len(cache.events.get(doc_id, ()))
            rows = self.events.newest_events(story, type, doc_id, CANDIDATES + more)
            missing = [e for e, text in rows if text is None and e not in cache.digests]
            found = self.events.reports(missing) if missing else {}
            for e, text in rows:
                if e in cache.digests:
                    continue
                if text is not None:
                    cache.digests[e] = Digest.from_json(text)
                elif found.get(e):
                    cache.digests[e] = Digest.of(found[e])
                    self.events.set_digest(e, cache.digests[e].to_json())
            cache.newest[key] = [e for e, _ in rows if e in cache.digests]
        newest = [e for e in cache.newest[key] if e not in cache.absorbed][:CANDIDATES]
        return [e for e in newest if cache.digests[e].open_within(window)]

    def _window(self, reports: list[dict[str, Any]]) -> tuple[str, str] | None:
        """The days within which a canonical event must have been reported (or have an
        undated report) to be compared with these reports, those of one new document:
        as far as a story reaches (`window_days` from its publication date), and no
        limit when it is undated."""
        days = [d for r in reports if (d := _day(r["published"])) is not None]
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
        what `affinity` read for the same document. Each event left canonical keeps its
        digest; a canonical event that absorbs one gets the digest of both."""
        cache = cache if cache is not None else ReportCache()
        merges = []
        for eid in self._document_events(cache, doc_id):
            if not cache.reports[eid]:
                continue
            mine = cache.digests[eid]
            best = self.best_match(eid, story, doc_id, cache)
            if best is None:
                self.events.set_digest(eid, mine.to_json())
                continue
            total, into, _ = best
            evidence = self._evidence(eid, mine, into, cache.digests[into])
            both = cache.digests[into].combine(mine)
            self.events.merge(eid, into, total, evidence, both.values(), both.to_json())
            cache.forget(into)
            if both.may_fill_gaps():
                self.fill_gaps(into)
            merges.append({"event": eid, "into": into, "score": total, "evidence": evidence})
        return merges

    def _evidence(self, eid: str, mine: Digest, into: str, theirs: Digest
                  ) -> list[dict[str, Any]]:
        """The evidence of a merge as kept, with the actors' current names (a digest
        keeps the name an actor had when it was written; scores do not use names, so
        candidates are scored without reading them)."""
        names = self.events.actor_names(sorted(mine.actors() | theirs.actors()))
        return score(mine.profile(eid, names), theirs.profile(into, names), self.rules)[1]

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

    def refresh_digests(self, documents: Iterable[str]) -> int:
        """Compute again the digests of the canonical events of `documents` that were
        cleared (relinking a mention to another actor at the end of a run clears those
        of its document's events), so a finished run leaves each of its canonical events
        its digest; returns how many were computed."""
        events = {r[0] for r in rows_in(
            self.events.conn,
            "SELECT DISTINCT e.canonical FROM event_mentions m JOIN events e "
            "ON e.id = m.event_id WHERE m.document_id IN ({marks})", documents)}
        missing = [r[0] for r in rows_in(
            self.events.conn,
            "SELECT id FROM events WHERE id IN ({marks}) AND digest IS NULL "
            "AND story_id IS NOT NULL", sorted(events))]
        reports = self.events.reports(missing) if missing else {}
        for event in missing:
            if reports.get(event):
                self.events.set_digest(event, Digest.of(reports[event]).to_json())
        return sum(1 for e in missing if reports.get(e))

    def stale_digests(self) -> list[str]:
        """Canonical events whose stored digest does not say what their reports say
        (the profile compared and the merged values it gives); [] when all agree."""
        stale = []
        rows = self.events.conn.execute(
            "SELECT id, digest FROM events WHERE canonical = id AND digest IS NOT NULL"
        ).fetchall()
        for i in range(0, len(rows), 500):
            chunk = {r["id"]: Digest.from_json(r["digest"]) for r in rows[i:i + 500]}
            reports = self.events.reports(list(chunk))
            names = self.events.actor_names(sorted({a for d in chunk.values()
                                                    for a in d.actors()}))
            for event, digest in chunk.items():
                if not reports.get(event):
                    stale.append(event)
                    continue
                kept = digest.profile(event, names)
                told = Digest.of(reports[event])
                if (_items(kept) != _items(told.profile(event))
                        or digest.values() != told.values()):
                    stale.append(event)
        return stale


def _items(p: Profile) -> tuple[Any, ...]:
    """A profile with its keyed values in order, for comparison."""
    return (p.type, p.modality, list(p.participants.items()), list(p.places.items()),
            p.topics, p.dates, max(p.published, default=None), p.weekdays)
