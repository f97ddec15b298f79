"""What the reports of one canonical event say, kept with the event.

Comparing a new report with the canonical events of its story needs, of each, only what
its reports say taken together: participants, places, topics, dates, weekdays, when they
were published. A `Digest` holds exactly that, with the stored order of the report each
value first came from (document, then event, then the value's place in the report), so
that two digests combine into the digest of all their reports, whatever order they
are combined in, and give the same `Profile` and merged values as reading every report
again. It is stored as JSON in `events.digest` of the canonical event: a candidate then
costs one row, however many reports it has and however large the store is.

A digest goes stale when a report's mention is linked to another actor; a trigger on
`mentions.actor_id` clears it, and it is computed again from the reports when next
needed. The names a digest keeps for participants and places linked to actors are
those they had when it was written; scoring does not use names, and the evidence of a
merge is rendered with the actors' current names (`profile(..., names)`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

#: Date precisions from the most to the least exact (None: no date).
PRECISIONS = ("day", "week", "month", "season", "quarter", "half", "year", "decade",
              "published")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Order = list[int]  # [document rowid, event rowid, place in the report]


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _rank(precision: str | None) -> int:
    return PRECISIONS.index(precision) if precision in PRECISIONS else len(PRECISIONS)


@dataclass
class Profile:
    """What the reports merged into one event say about it, for comparison."""

    id: str
    type: str
    modality: str
    participants: dict[str, str] = field(default_factory=dict)  # key -> name
    places: dict[str, str] = field(default_factory=dict)
    topics: set[str] = field(default_factory=set)
    dates: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)  # exact ones
    published: list[dt.date] = field(default_factory=list)  # "no later than" bounds
    weekdays: set[str] = field(default_factory=set)  # unanchored "Thursday"

    @classmethod
    def of(cls, event_id: str, members: list[dict[str, Any]]) -> Profile:
        return Digest.of(members).profile(event_id)


def _first(into: dict[str, list[Any]], key: str, entry: list[Any]) -> None:
    """Keep under `key` the entry whose order (its first item) comes first."""
    if key not in into or entry[0] < into[key][0]:
        into[key] = entry


def _earliest(into: dict[str, Order], key: str, order: Order) -> None:
    if key not in into or order < into[key]:
        into[key] = order


@dataclass
class Digest:
    """The combined reports of one canonical event; see the module docstring.

    Keyed values keep the order of their first report: `participants` and `places`
    key -> [order, name, linked to an actor]; `topics` topic -> order; `dates` (exact
    ones) "start|end|value" -> order; `votes` place key -> [reports naming it, order,
    location, location document, location mention]; `date` the most exact dated report
    as [rank, order, value, start, end, precision]; `first_day` the first report dated
    to the day as [order, date]."""

    type: str
    modality: str
    order: Order
    participants: dict[str, list[Any]] = field(default_factory=dict)
    places: dict[str, list[Any]] = field(default_factory=dict)
    topics: dict[str, Order] = field(default_factory=dict)
    dates: dict[str, Order] = field(default_factory=dict)
    published: str | None = None  # the latest "no later than" bound
    weekdays: list[str] = field(default_factory=list)
    undated_weekdays: list[str] = field(default_factory=list)  # of undated documents
    reported: list[str] = field(default_factory=list)  # documents' publication dates
    undated: bool = False  # a report's document has no publication date
    votes: dict[str, list[Any]] = field(default_factory=dict)
    date: list[Any] | None = None
    first_day: list[Any] | None = None
    score: float = 0.0

    @classmethod
    def of(cls, members: list[dict[str, Any]]) -> Digest:
        """The digest of reports as `EventTable.reports` gives them (in stored order)."""
        return functools.reduce(cls.combine, (cls._one(m, i) for i, m in enumerate(members)))

    @classmethod
    def _one(cls, m: dict[str, Any], position: int) -> Digest:
        base = [m.get("doc_order", position), m.get("event_order", 0)]
        d = cls(m.get("type", ""), m.get("modality", ""), [*base, 0], score=m["score"])
        for i, part in enumerate(m.get("participants", ())):
            _first(d.participants, part["key"],
                   [[*base, i], part["name"], part.get("actor_id") is not None])
        if m.get("place"):
            place = m["place"]
            d.places[place["key"]] = [[*base, 0], place["name"],
                                      place.get("actor_id") is not None]
            d.votes[place["key"]] = [1, [*base, 0], m["location"], m["location_document"],
                                     m["location_mention"]]
        for i, topic in enumerate(m["topics"]):
            _earliest(d.topics, topic, [*base, i])
        start, end = m["date_start"], m["date_end"] or m["date_start"]
        if start and end:
            if m["date_precision"] == "published":
                d.published = start[:10]
            else:
                value = m["date_value"] or start[:10]
                _earliest(d.dates, f"{start[:10]}|{end[:10]}|{value}", [*base, 0])
                if m["date_precision"] == "day":
                    d.first_day = [[*base, 0], start[:10]]
        d.date = [_rank(m["date_precision"]), [*base, 0], m["date_value"],
                  m["date_start"], m["date_end"], m["date_precision"]]
        weekdays = set()
        for mention in m.get("mentions", ()):
            time = mention["time"] or {}
            rel = time.get("relative") or {}
            if time.get("anchor") == "unanchored" and rel.get("weekday"):
                weekdays.add(str(rel["weekday"]).lower())
        d.weekdays = sorted(weekdays)
        published = m.get("published")
        d.undated = "published" in m and published is None
        d.undated_weekdays = d.weekdays if d.undated else []
        d.reported = [published] if published is not None else []
        return d

    def combine(self, other: Digest) -> Digest:
        """The digest of the reports of both."""
        a, b = (self, other) if self.order <= other.order else (other, self)
        out = Digest(a.type, a.modality, a.order, dict(a.participants), dict(a.places),
                     dict(a.topics), dict(a.dates))
        for key, entry in b.participants.items():
            _first(out.participants, key, entry)
        for key, entry in b.places.items():
            _first(out.places, key, entry)
        for topic, order in b.topics.items():
            _earliest(out.topics, topic, order)
        for value, order in b.dates.items():
            _earliest(out.dates, value, order)
        out.published = max(filter(None, (a.published, b.published)), default=None)
        out.weekdays = sorted({*a.weekdays, *b.weekdays})
        out.undated_weekdays = sorted({*a.undated_weekdays, *b.undated_weekdays})
        out.reported = sorted({*a.reported, *b.reported})
        out.undated = a.undated or b.undated
        out.votes = {k: list(v) for k, v in a.votes.items()}
        for key, (count, order, *where) in b.votes.items():
            if key in out.votes:
                mine = out.votes[key]
                out.votes[key] = [mine[0] + count, *(min(mine[1:], [order, *where]))]
            else:
                out.votes[key] = [count, order, *where]
        dated = [d for d in (a.date, b.date) if d is not None]
        out.date = min(dated, key=lambda d: (d[0], d[1])) if dated else None
        days = [d for d in (a.first_day, b.first_day) if d is not None]
        out.first_day = min(days) if days else None
        out.score = max(a.score, b.score)
        return out

    def profile(self, event_id: str, names: dict[str, str] | None = None) -> Profile:
        """The profile to score; `names`: actor id -> current name, for linked values."""
        def named(entries: dict[str, list[Any]]) -> dict[str, str]:
            ordered = sorted(entries.items(), key=lambda kv: kv[1][0])
            return {k: (names or {}).get(k, e[1]) if e[2] else e[1] for k, e in ordered}

        dates = []
        for value, _ in sorted(self.dates.items(), key=lambda kv: kv[1]):
            start, end, text = value.split("|", 2)
            dates.append((dt.date.fromisoformat(start), dt.date.fromisoformat(end), text))
        return Profile(event_id, self.type, self.modality, named(self.participants),
                       named(self.places), set(self.topics), dates,
                       [dt.date.fromisoformat(self.published)] if self.published else [],
                       set(self.weekdays))

    def actors(self) -> set[str]:
        """The actor ids whose names `profile` needs."""
        return {k for entries in (self.participants, self.places)
                for k, e in entries.items() if e[2]}

    def values(self) -> dict[str, Any]:
        """The canonical values of the merged reports: the most exact date, the place
        most reports give (the first of them on a tie), every topic, the best score."""
        located = None
        if self.votes:
            located = min(self.votes.values(), key=lambda v: (-v[0], v[1]))
        date = self.date or [None, None, None, None, None, None]
        return {
            "date_value": date[2], "date_start": date[3], "date_end": date[4],
            "date_precision": date[5],
            "location": located[2] if located else None,
            "location_document": located[3] if located else None,
            "location_mention": located[4] if located else None,
            "topics": [t for t, _ in sorted(self.topics.items(), key=lambda kv: kv[1])],
            "score": self.score,
        }

    def open_within(self, reported: tuple[str, str] | None) -> bool:
        """Whether a report was published within `reported` (first and last day, ISO,
        compared as stored text) or has no publication date; True without `reported`."""
        if reported is None or self.undated:
            return True
        return any(reported[0] <= r <= reported[1] for r in self.reported)

    def may_fill_gaps(self) -> bool:
        """Whether a report of an undated document names the weekday of the first report
        dated to the day (see `EventMerger.fill_gaps`)."""
        if self.first_day is None:
            return False
        first = dt.date.fromisoformat(self.first_day[1])
        return WEEKDAYS[first.weekday()] in self.undated_weekdays

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Digest:
        return cls(**json.loads(text))

