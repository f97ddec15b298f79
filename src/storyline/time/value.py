"""A normalized time expression, and the calendar periods such a value can name."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

#: What an unanchored value records: weekday/month/season/unit, direction, offset, part.
Relative = Mapping[str, str | int]

PRECISIONS = frozenset({"day", "week", "month", "season", "year", "decade"})
ANCHORS = frozenset({"explicit", "published", "unanchored"})
PARTS = frozenset({"early", "mid", "late"})


@dataclass(frozen=True)
class TimeValue:
    """A time expression resolved to a calendar period (or kept relative when unanchored).

    `value` is ISO-like: "2025-08-28" (day), "2025-W35" (ISO week; a weekend is
    "2025-W35-WE"), "2024-11" (month), "2024-SU" (season, labelled with the year of its
    first month), "2025" (year), "199" (decade, the 1990s). `start`/`end` is the inclusive
    range, narrowed by `part`. `relative` is set only when `anchor` is "unanchored".
    """

    value: str | None
    precision: str
    start: dt.date | None = None
    end: dt.date | None = None
    part: str | None = None
    anchor: str = "explicit"
    relative: Relative | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        """Check the fields agree and freeze `relative`."""
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.anchor not in ANCHORS:
            raise ValueError(f"unknown anchor {self.anchor!r}")
        if self.part is not None and self.part not in PARTS:
            raise ValueError(f"unknown part {self.part!r}")
        if (self.start is None) != (self.end is None) or (self.start is None) != (
            self.value is None
        ):
            raise ValueError("value, start and end must be all set or all None")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start is after end")
        if self.relative is not None:
            object.__setattr__(self, "relative", MappingProxyType(dict(self.relative)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and copy through the constructor: a mappingproxy cannot be pickled, so
        `relative` travels as a plain dict and `__post_init__` freezes it again."""
        relative = dict(self.relative) if self.relative is not None else None
        return (type(self), (self.value, self.precision, self.start, self.end, self.part,
                             self.anchor, relative))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict; dates as ISO strings."""
        return {
            "value": self.value,
            "precision": self.precision,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "part": self.part,
            "anchor": self.anchor,
            "relative": dict(self.relative) if self.relative is not None else None,
        }


class Period(NamedTuple):
    """A whole calendar period: its value, precision and inclusive date range."""

    value: str
    precision: str
    start: dt.date
    end: dt.date


def day_period(day: dt.date) -> Period:
    """The single day."""
    return Period(day.isoformat(), "day", day, day)


def week_period(day: dt.date) -> Period:
    """The ISO week (Monday..Sunday) containing `day`."""
    iso = day.isocalendar()
    monday = day - dt.timedelta(days=day.weekday())
    return Period(f"{iso.year}-W{iso.week:02d}", "week", monday, monday + dt.timedelta(days=6))


def weekend_period(saturday: dt.date) -> Period:
    """The Saturday..Sunday weekend starting on `saturday`."""
    iso = saturday.isocalendar()
    return Period(
        f"{iso.year}-W{iso.week:02d}-WE", "week", saturday, saturday + dt.timedelta(days=1)
    )


def month_period(year: int, month: int) -> Period:
    """The calendar month."""
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year:04d}-{month:02d}", "month", dt.date(year, month, 1),
                  dt.date(year, month, last))


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) shifted by a number of months."""
    total = year * 12 + month - 1 + months
    return total // 12, total % 12 + 1


def season_period(year: int, code: str, start_month: int) -> Period:
    """The three-month season labelled `year` (the year of its first month)."""
    end_year, end_month = add_months(year, start_month, 2)
    last = calendar.monthrange(end_year, end_month)[1]
    return Period(f"{year:04d}-{code}", "season", dt.date(year, start_month, 1),
                  dt.date(end_year, end_month, last))


def year_period(year: int) -> Period:
    """The calendar year."""
    return Period(f"{year:04d}", "year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def decade_period(first_year: int) -> Period:
    """The decade starting at `first_year` (a multiple of ten); value "199" for the 1990s."""
    return Period(f"{first_year // 10:03d}", "decade", dt.date(first_year, 1, 1),
                  dt.date(first_year + 9, 12, 31))
