"""Normalize a time expression (as a NER model delimits it) against a publication date.

The words come from `data/time.yaml`. An expression is parsed into a spec, which is then
resolved: explicit dates need nothing else; relative ones use the publication date and the
tense of their clause, or stay unanchored (value None, `relative` set) without one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.time.value import (
    Period,
    Relative,
    TimeValue,
    add_months,
    day_period,
    decade_period,
    month_period,
    season_period,
    week_period,
    weekend_period,
    year_period,
)

TENSES = frozenset({"past", "present", "future"})

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u2032]")
_DAY_NUMBER = re.compile(r"([0-9]{1,2})(st|nd|rd|th)?")
_YEAR = re.compile(r"[12][0-9]{3}")
_DECADE = re.compile(r"([12][0-9]{2})0s")
_ISO_DAY = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(t[0-9:.+z-]*)?")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_ISO_WEEK = re.compile(r"([0-9]{4})-w([0-9]{2})")
_CLOCK = re.compile(r"[0-9]{1,2}([:.][0-9]{2})?(am|pm)|[0-9]{1,2}:[0-9]{2}")


# ---------------------------------------------------------------------------
# Vocabulary (data/time.yaml)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocab:
    """The words of data/time.yaml, as lookup tables."""

    months: dict[str, int]
    weekdays: dict[str, int]
    weekday_names: tuple[str, ...]
    seasons: dict[str, str]
    season_codes: dict[str, tuple[str, int]]
    part_adjectives: dict[str, str]
    part_nouns: dict[str, str]
    part_spans: dict[str, dict[str, tuple[int, int]]]
    modifiers: dict[tuple[str, ...], str]
    relative_days: dict[tuple[str, ...], int]
    units: dict[str, str]
    weekend: frozenset[str]
    numbers: dict[tuple[str, ...], int]
    ordinals: dict[tuple[str, ...], int]
    leading: frozenset[str]
    ignored: frozenset[str]
    time_of_day: frozenset[str]
    time_zones: frozenset[str]


def _words(raw: Any) -> list[str]:
    """A YAML list of words, checked to be strings (an unquoted `on` reads as True)."""
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise TypeError(f"data/time.yaml: expected a list of strings, got {raw!r}")
    return [w.casefold() for w in raw]


def _inverse(raw: dict[Any, Any]) -> dict[str, int]:
    """{number: [words]} -> {word: number}."""
    return {word: int(key) for key, words in raw.items() for word in _words(words)}


def _phrase(text: str) -> tuple[str, ...]:
    """A data phrase as the token tuple an expression would give."""
    return tuple(t for t in _tokens(text) if t not in ("the", "of"))


@cache
def _vocab() -> _Vocab:
    """Load data/time.yaml once."""
    data = load_data("time.yaml")
    weekdays = {int(k): _words(v) for k, v in data["weekdays"].items()}
    seasons = data["seasons"]
    parts = data["parts"]
    return _Vocab(
        months=_inverse(data["months"]),
        weekdays=_inverse(data["weekdays"]),
        weekday_names=tuple(weekdays[i][0] for i in range(7)),
        seasons={w: name for name, s in seasons.items() for w in _words(s["words"])},
        season_codes={name: (str(s["code"]), int(s["start_month"]))
                      for name, s in seasons.items()},
        part_adjectives={w: p for p, s in parts.items() for w in _words(s["adjectives"])},
        part_nouns={w: p for p, s in parts.items() for w in _words(s["nouns"])},
        part_spans={unit: {p: (int(a), int(b)) for p, (a, b) in spans.items()}
                    for unit, spans in data["part_spans"].items()},
        modifiers={_phrase(k): str(v) for k, v in data["modifiers"].items()},
        relative_days={_phrase(k): int(v) for k, v in data["relative_days"].items()},
        units={w: unit for unit, ws in data["units"].items() for w in _words(ws)},
        weekend=frozenset(_words(data["weekend"])),
        numbers={_phrase(k): int(v) for k, v in data["numbers"].items()},
        ordinals={_phrase(k): int(v) for k, v in data["ordinals"].items()},
        leading=frozenset(_words(data["leading"])),
        ignored=frozenset(_words(data["ignored"])),
        time_of_day=frozenset(_words(data["time_of_day"])),
        time_zones=frozenset(_words(data["time_zones"])),
    )


# ---------------------------------------------------------------------------
# Specs: what an expression says, before the publication date is known
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fixed:
    """A period written out in full ("April 25, 2025", "June 2025", "the 1990s")."""

    period: Period
    part: str | None = None


@dataclass(frozen=True)
class _Shift:
    """The publication's day/week/month/year shifted by `offset` units."""

    unit: str
    offset: int
    part: str | None = None

    def relative(self) -> dict[str, str | int]:
        """What is known without a publication date."""
        return {"unit": self.unit, "offset": self.offset}


@dataclass(frozen=True)
class _Named:
    """A recurring period (weekday, weekend, month, month+day, season) found by direction.

    direction: past = latest starting on or before publication; last = latest ended
    before it; future = earliest not ended before it; next = earliest starting after it;
    present = the one labelled with the publication year (a season containing the
    publication date first).
    """

    kind: str
    direction: str
    number: int = 0
    day: int = 0
    season: str = ""
    part: str | None = None

    def relative(self) -> dict[str, str | int]:
        """What is known without a publication date."""
        vocab = _vocab()
        rel: dict[str, str | int]
        if self.kind == "weekday":
            rel = {"weekday": vocab.weekday_names[self.number]}
        elif self.kind == "weekend":
            rel = {"unit": "weekend"}
        elif self.kind == "season":
            rel = {"season": self.season}
        elif self.kind == "monthday":
            rel = {"month": self.number, "day": self.day}
        else:
            rel = {"month": self.number}
        rel["direction"] = self.direction
        return rel


_Spec = _Fixed | _Shift | _Named

_PRECISION = {"weekday": "day", "monthday": "day", "weekend": "week", "month": "month",
              "season": "season"}


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """Casefolded words; punctuation dropped, hyphens split words, ISO dates kept whole."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", _DASHES.sub("-", text))
    out: list[str] = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch == "." and before.isalpha():
            continue
        if ch in "-/:." and before.isascii() and before.isdigit() and after.isascii() and (
            after.isalnum()
        ):
            out.append(ch)
        elif unicodedata.category(ch)[0] in "PSZC":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out).split()


def _drop_clock(tokens: list[str]) -> list[str]:
    """Remove a clock time with its 'at' and time zone ("at 10 am GMT")."""
    vocab = _vocab()
    out: list[str] = []
    for i, token in enumerate(tokens):
        clock = _CLOCK.fullmatch(token) is not None
        if token in ("am", "pm") and out and _DAY_NUMBER.fullmatch(out[-1]):
            out.pop()
            clock = True
        if clock:
            if out and out[-1] == "at":
                out.pop()
            rest = tokens[i + 1:]
            while rest and rest[0] in vocab.time_zones:
                rest = rest[1:]
            return out + _drop_clock(rest)
        out.append(token)
    return out


def _split_part(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Skip leading prepositions; take a part word ("late", "the end of") if there is one."""
    vocab = _vocab()
    part: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if part is None and token in vocab.part_adjectives:
            part = vocab.part_adjectives[token]
        elif part is None and token in vocab.part_nouns and after is not None and (
            after == "of" or after not in vocab.leading
        ):
            part = vocab.part_nouns[token]
        elif token not in vocab.leading:
            break
        i += 1
    return part, [t for t in tokens[i:] if t not in vocab.ignored]


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _parse(expression: str, tense: str) -> _Spec | None:
    """The spec an expression describes, or None if it names no point/period in time."""
    tokens = _drop_clock(_tokens(expression))
    if tokens[:1] == ["in"]:
        counted = _count_unit(tokens[1:])
        if counted is not None:  # "in two weeks": a point only when looking ahead
            return _Shift(counted[1], counted[0]) if tense == "future" else None
    part, core = _split_part(tokens)
    spec = _parse_core(core, tense, part is not None)
    if spec is None or part is None:
        return spec
    return replace(spec, part=part)


def _parse_core(core: list[str], tense: str, has_part: bool) -> _Spec | None:
    """Parse the tokens left after prepositions and the part word."""
    vocab = _vocab()
    if tuple(core) in vocab.relative_days:
        return _Shift("day", vocab.relative_days[tuple(core)])
    while len(core) > 1 and core[-1] in vocab.time_of_day:
        core = core[:-1]
    if tuple(core) in vocab.relative_days:
        return _Shift("day", vocab.relative_days[tuple(core)])
    if not core:
        return None
    if core[-1] == "ago":
        counted = _count_unit(core[:-1])
        return _Shift(counted[1], -counted[0]) if counted else None
    if core[-2:] == ["from", "now"]:
        counted = _count_unit(core[:-2])
        return _Shift(counted[1], counted[0]) if counted else None
    for size in (2, 1):
        modifier = vocab.modifiers.get(tuple(core[:size]))
        if modifier is not None and len(core) == size + 1:
            return _modified(modifier, core[size], tense)
    if len(core) == 1:
        return _single(core[0], tense, has_part)
    return _written_date(core, tense)


def _count_unit(tokens: Sequence[str]) -> tuple[int, str] | None:
    """(count, unit) for "two weeks", "3 days", "a couple of months"; else None."""
    vocab = _vocab()
    tokens = [t for t in tokens if t not in vocab.ignored]
    if len(tokens) < 2 or tokens[-1] not in vocab.units:
        return None
    count = _number(tokens[:-1])
    return (count, vocab.units[tokens[-1]]) if count is not None and count > 0 else None


def _number(tokens: Sequence[str]) -> int | None:
    """A count written in digits or words ("12", "twelve", "twenty one")."""
    numbers = _vocab().numbers
    if len(tokens) == 1 and tokens[0].isascii() and tokens[0].isdigit() and len(tokens[0]) < 5:
        return int(tokens[0])
    if tuple(tokens) in numbers:
        return numbers[tuple(tokens)]
    if len(tokens) == 2 and all((t,) in numbers for t in tokens):
        tens, units = numbers[(tokens[0],)], numbers[(tokens[1],)]
        if tens >= 20 and tens % 10 == 0 and 0 < units < 10:
            return tens + units
    return None


def _weekday_direction(tense: str) -> str:
    """A bare weekday: on or before publication unless the clause looks ahead."""
    return "future" if tense == "future" else "past"


def _weekend_direction(tense: str) -> str:
    """A bare weekend: the past one in past tense, else the current or coming one."""
    return "past" if tense == "past" else "future"


def _named(token: str, tense: str, this: bool = False) -> _Named | None:
    """A weekday, weekend, month or season word, with the direction its tense implies."""
    vocab = _vocab()
    if token in vocab.weekdays:
        return _Named("weekday", _weekday_direction(tense), vocab.weekdays[token])
    if token in vocab.weekend:
        return _Named("weekend", _weekend_direction(tense))
    direction = "present" if this else tense
    if token in vocab.months:
        return _Named("month", direction, vocab.months[token])
    if token in vocab.seasons:
        return _Named("season", direction, season=vocab.seasons[token])
    return None


def _modified(modifier: str, token: str, tense: str) -> _Spec | None:
    """"last week", "next Monday", "this summer", "last November"."""
    units = _vocab().units
    if token in units:
        unit = units[token]
        offset = {"last": -1, "this": 0, "next": 1}[modifier]
        return _Shift(unit, offset) if unit != "day" and token == unit else None
    named = _named(token, tense, this=modifier == "this")
    if named is None or modifier == "this":
        return named
    return replace(named, direction=modifier)


def _single(token: str, tense: str, has_part: bool) -> _Spec | None:
    """One word: a weekday, month, season, year, decade, ISO date, or a unit with a part."""
    named = _named(token, tense)
    if named is not None:
        return named
    units = _vocab().units
    if has_part and units.get(token) == token and token != "day":
        return _Shift(token, 0)  # "the end of the year": the publication's year
    period = _iso(token)
    return _Fixed(period) if period is not None else None


def _iso(token: str) -> Period | None:
    """A year, decade or ISO-style day/week/month token."""
    if _YEAR.fullmatch(token):
        return year_period(int(token))
    if match := _DECADE.fullmatch(token):
        return decade_period(int(match[1]) * 10)
    try:
        if match := _ISO_DAY.fullmatch(token):
            return day_period(dt.date(int(match[1]), int(match[2]), int(match[3])))
        if match := _ISO_MONTH.fullmatch(token):
            return month_period(int(match[1]), int(match[2]))
        if match := _ISO_WEEK.fullmatch(token):
            return week_period(dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError:
        return None
    return None


def _day_of_month(tokens: Sequence[str]) -> int | None:
    """A day number: "16", "16th", "sixteenth", "twenty first"."""
    if len(tokens) == 1 and (match := _DAY_NUMBER.fullmatch(tokens[0])):
        day = int(match[1])
    else:
        day = _vocab().ordinals.get(tuple(tokens), 0)
    return day if 1 <= day <= 31 else None


def _written_date(core: list[str], tense: str) -> _Spec | None:
    """"April 25, 2025", "25 April", "Thursday, March 16", "June 2025", "summer 2024"."""
    vocab = _vocab()
    if core[0] in vocab.weekdays:
        core = core[1:]
    if len(core) == 2 and core[0] in vocab.seasons and _YEAR.fullmatch(core[1]):
        code, start_month = vocab.season_codes[vocab.seasons[core[0]]]
        return _Fixed(season_period(int(core[1]), code, start_month))
    at = [i for i, token in enumerate(core) if token in vocab.months]
    if len(at) != 1:
        return None
    month, before, after = vocab.months[core[at[0]]], core[:at[0]], core[at[0] + 1:]
    year = int(after[-1]) if after and _YEAR.fullmatch(after[-1]) else None
    if year is not None:
        after = after[:-1]
    if before and after:
        return None
    day = _day_of_month(before or after) if before or after else None
    if (before or after) and day is None:
        return None
    try:
        if year is None:
            return _Named("monthday", tense, month, day) if day else None
        if day is None:
            return _Fixed(month_period(year, month))
        return _Fixed(day_period(dt.date(year, month, day)))
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def resolve_weekday(weekday: int, published: dt.date, direction: str,
                    *, strict: bool = False) -> dt.date:
    """The `weekday` (Monday = 0) nearest `published` going "past" or "future" from it.

    Non-strict includes the publication day itself; strict ("last"/"next") excludes it.
    """
    if direction == "past":
        back = (published.weekday() - weekday) % 7 or (7 if strict else 0)
        return published - dt.timedelta(days=back)
    if direction == "future":
        ahead = (weekday - published.weekday()) % 7 or (7 if strict else 0)
        return published + dt.timedelta(days=ahead)
    raise ValueError(f"direction must be 'past' or 'future', not {direction!r}")


def with_part(period: Period, part: str | None) -> Period:
    """Narrow a period to its early/mid/late part (data/time.yaml part_spans)."""
    spans = _vocab().part_spans.get(period.precision)
    if part is None or spans is None or part not in spans:
        return period
    first, last = spans[part]
    start = period.start
    if period.precision == "month":
        days = calendar.monthrange(start.year, start.month)[1]
        return period._replace(start=start.replace(day=min(first, days)),
                               end=start.replace(day=min(last, days)))
    if period.precision == "week":
        if start.weekday() != 0:  # a weekend has no parts
            return period
        return period._replace(start=start + dt.timedelta(days=first - 1),
                               end=start + dt.timedelta(days=last - 1))
    if period.precision == "decade":
        return period._replace(start=dt.date(start.year + first - 1, 1, 1),
                               end=dt.date(start.year + last - 1, 12, 31))
    first_y, first_m = add_months(start.year, start.month, first - 1)
    last_y, last_m = add_months(start.year, start.month, last - 1)
    return period._replace(start=dt.date(first_y, first_m, 1),
                           end=dt.date(last_y, last_m, calendar.monthrange(last_y, last_m)[1]))


def _shifted(spec: _Shift, published: dt.date) -> Period:
    """The publication's unit period moved by the spec's offset."""
    if spec.unit == "day":
        return day_period(published + dt.timedelta(days=spec.offset))
    if spec.unit == "week":
        return week_period(published + dt.timedelta(weeks=spec.offset))
    if spec.unit == "month":
        return month_period(*add_months(published.year, published.month, spec.offset))
    return year_period(published.year + spec.offset)


def _occurrence(spec: _Named, published: dt.date, step: int) -> tuple[int, Period] | None:
    """(label year, period) of the occurrence `step` years (weekends: weeks) from publication.

    None when it falls off the calendar (February 29 of a common year, year 0).
    """
    year = published.year + step
    try:
        if spec.kind == "weekend":
            saturday = resolve_weekday(5, published, "past") + dt.timedelta(weeks=step)
            return year, with_part(weekend_period(saturday), spec.part)
        if spec.kind == "month":
            return year, with_part(month_period(year, spec.number), spec.part)
        if spec.kind == "monthday":
            return year, day_period(dt.date(year, spec.number, spec.day))
        code, start_month = _vocab().season_codes[spec.season]
        return year, with_part(season_period(year, code, start_month), spec.part)
    except (ValueError, OverflowError):
        return None


def _candidates(spec: _Named, published: dt.date) -> list[tuple[int, Period]]:
    """(label year, period) for the occurrences of a recurring period around publication."""
    around = 8 if spec.kind == "monthday" else 2  # February 29 recurs every 4 or 8 years
    steps = range(-1, 3) if spec.kind == "weekend" else range(-around, around + 1)
    found = (_occurrence(spec, published, step) for step in steps)
    return [item for item in found if item is not None]


def _start(period: Period) -> dt.date:
    """Sort key: a period's first day."""
    return period.start


def _choose(spec: _Named, published: dt.date) -> Period | None:
    """The occurrence the spec's direction picks."""
    if spec.kind == "weekday":
        strict = spec.direction in ("last", "next")
        direction = "past" if spec.direction in ("past", "last") else "future"
        day = resolve_weekday(spec.number, published, direction, strict=strict)
        return with_part(day_period(day), spec.part)
    found = _candidates(spec, published)
    periods = [p for _, p in found]
    if spec.direction == "past":
        return max((p for p in periods if p.start <= published), key=_start, default=None)
    if spec.direction == "last":
        return max((p for p in periods if p.end < published), key=_start, default=None)
    if spec.direction == "future":
        return min((p for p in periods if p.end >= published), key=_start, default=None)
    if spec.direction == "next":
        return min((p for p in periods if p.start > published), key=_start, default=None)
    if spec.kind == "season":
        around = [p for p in periods if p.start <= published <= p.end]
        if around:
            return around[0]
    return next((p for y, p in found if y == published.year), None)


def _resolve(spec: _Spec, published: dt.date | None) -> TimeValue | None:
    """Turn a spec into a TimeValue."""
    if isinstance(spec, _Fixed):
        period = with_part(spec.period, spec.part)
        return _value(period, spec.part, "explicit")
    if published is None:
        precision = spec.unit if isinstance(spec, _Shift) else _PRECISION[spec.kind]
        relative: Relative = spec.relative()
        if spec.part is not None:
            relative = {**relative, "part": spec.part}
        return TimeValue(None, precision, part=spec.part, anchor="unanchored",
                         relative=relative)
    if isinstance(spec, _Shift):
        period = with_part(_shifted(spec, published), spec.part)
        return _value(period, spec.part, "published")
    chosen = _choose(spec, published)
    return _value(chosen, spec.part, "published") if chosen is not None else None


def _value(period: Period, part: str | None, anchor: str) -> TimeValue:
    """A TimeValue for a resolved period."""
    return TimeValue(period.value, period.precision, period.start, period.end, part, anchor)


def normalize(expression: str, *, published: dt.date | None,
              tense: str = "past") -> TimeValue | None:
    """Normalize a time expression; None if it is not a point or period in calendar time."""
    if tense not in TENSES:
        raise ValueError(f"tense must be one of {sorted(TENSES)}, not {tense!r}")
    if isinstance(published, dt.datetime):
        published = published.date()
    spec = _parse(expression, tense)
    if spec is None:
        return None
    try:
        return _resolve(spec, published)
    except (ValueError, OverflowError):  # the period would fall off the calendar
        return None
