"""A day with no year ("21 June", "KYIV, March 26 (PNA) -") dated by the run it came
in: agency copy and briefs often give the day and month alone, and a report left
undated is placed in a story with no regard to time. The story stage gives such a day
(`Document.extra["published_day"]`, "--06-21") the year that puts it nearest the
middle of the run's dated reports (`nearest_year`), or of the store's latest when the
run has none, and places the report on that date; the document itself stays undated,
its day kept with the evidence it was read from.
"""

from __future__ import annotations

import datetime as dt


def is_day(value: str | None) -> bool:
    """Whether a story date is a day with no year ("--06-21")."""
    return bool(value) and str(value).startswith("--")


def nearest_year(day: str, reference: str) -> str | None:
    """The ISO date of `day` ("--MM-DD") in the year (of `reference`'s, the one before
    or the one after) that puts it nearest `reference` (an ISO date); None when the day
    is no day (30 February)."""
    month, mday = int(day[2:4]), int(day[5:7])
    ref = dt.date.fromisoformat(reference[:10])
    best: dt.date | None = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            date = dt.date(year, month, mday)
        except ValueError:
            continue
        if best is None or abs((date - ref).days) < abs((best - ref).days):
            best = date
    return best.isoformat() if best else None


def middle(dates: list[str]) -> str | None:
    """The median of ISO dates (the earlier of the two middle ones), None if none."""
    ordered = sorted(dates)
    return ordered[(len(ordered) - 1) // 2] if ordered else None
