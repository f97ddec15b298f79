"""Dates written in digits whose order is not certain ("04/12/2026": 4 December or
April 12?), settled by a weekday named beside them or in the lead, else by the order
the text's other dates take, else by the language's custom (`data/cleaning.yaml`:
`weekdays`, `month_first_languages`)."""

from __future__ import annotations

import datetime as dt
import re

from storyline.clean import calendars as solar
from storyline.clean.letters import LETTERS
from storyline.clean.rules import CleaningRules, cleaning_rules

_WORD = re.compile(rf"{LETTERS}(?:-{LETTERS})*")


def readings(m: re.Match[str]) -> list[dt.date]:
    """The calendar dates a `numeric_date` match can mean, the usual reading first:
    one for year-first and dotted (day-first) dates, up to two for "04/12/2026"
    (month first, then day first); a year-first date of a Solar Hijri year
    ("۱۴۰۵/۰۱/۲۴") as its Gregorian date."""
    if m.group("year"):
        parts = [(m.group("year"), m.group("month"), m.group("day"))]
    elif m.group("dot_year"):
        parts = [(m.group("dot_year"), m.group("dot_month"), m.group("dot_day"))]
    else:
        parts = [(m.group("ab_year"), m.group("a"), m.group("b")),
                 (m.group("ab_year"), m.group("b"), m.group("a"))]
    dates: list[dt.date] = []
    for year, month, day in parts:
        if int(year) in solar.YEARS:  # "۱۴۰۵/۰۱/۲۴": a Solar Hijri date
            found = solar.solar_hijri(int(year), int(month), int(day))
            if found is not None and found not in dates:
                dates.append(found)
            continue
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if date not in dates:
            dates.append(date)
    return dates


def named_weekdays(text: str, rules: CleaningRules | None = None) -> set[int]:
    """The weekdays (Monday 0) that `text` names."""
    known = (rules or cleaning_rules()).weekdays
    return {known[w] for w in (w.lower() for w in _WORD.findall(text)) if w in known}


def on_named_day(dates: list[dt.date], weekdays: set[int]) -> dt.date | None:
    """The one of `dates` that falls on a day of `weekdays`, if exactly one does."""
    found = [d for d in dates if d.weekday() in weekdays]
    return found[0] if len(found) == 1 else None


def _english_days(text: str, rules: CleaningRules) -> list[tuple[int, int, bool]]:
    """(month, day, whether the day comes first) of each date `text` writes with a
    capitalised English month name ("Oct 8", "8 October"; not "may 5")."""
    found = []
    for m in rules.day_month.finditer(text):
        first = "first_" if m.group("first_month") else ""
        name = m.group(first + "month")
        month = rules.english_month_names.get(name.lower())
        if month is not None and name[0].isupper():
            found.append((month, int(m.group(first + "day")), not first))
    return found


def named_days(text: str, rules: CleaningRules | None = None) -> set[tuple[int, int]]:
    """The (month, day) pairs `text` writes with an English month name ("Oct 8", "8
    October")."""
    return {(month, day) for month, day, _ in _english_days(text, rules or cleaning_rules())}


def writes_day_first(text: str, rules: CleaningRules | None = None) -> bool | None:
    """Whether the writer of `text` puts the day before the month: True when its English
    dates with a month name all do ("4 September", "21 June 2026"), or a date in digits
    can only be read so ("13/09/2026"); False when they all put the month first
    ("September 4", "09/13/2026"); None when the text says neither or both. An English
    outlet of a country that writes the day first (Britain, Australia, India, Papua New
    Guinea) writes "04/09/2026" for 4 September."""
    rules = rules or cleaning_rules()
    orders = [day_first for *_, day_first in _english_days(text, rules)]
    day_first, month_first = orders.count(True), orders.count(False)
    for m in rules.numeric_date.finditer(text):
        if m.group("ab_year"):
            a, b = int(m.group("a")), int(m.group("b"))
            day_first += a > 12 >= b
            month_first += b > 12 >= a
    if day_first and not month_first:
        return True
    if month_first and not day_first:
        return False
    return None


def settle(value: str, lead: str, language: str | None, text: str = "",
           days: frozenset[tuple[int, int]] = frozenset()) -> dt.date | None:
    """The date an ambiguous "04/12/2026" written as `value` means in a document whose
    lead is `lead`, whose language is `language` and whose text is `text`: the reading
    that falls on a weekday the lead names, if only one does; else the one whose day and
    month the lead writes in words, or `days` gives (a dateline's "Oct 8", cut from the
    text as a cue); else the order the text's
    other dates take (`writes_day_first`); else month first in the languages that write
    it so (English), day first in the others. None when `value` is not such a date."""
    rules = cleaning_rules()
    m = rules.numeric_date.search(value)  # "02/07/2026 16:05" with its time too
    if m is None or not m.group("ab_year") or rules.numeric_date.search(value, m.end()):
        return None
    dates = readings(m)
    if len(dates) < 2:
        return dates[0] if dates else None
    named = on_named_day(dates, named_weekdays(lead, rules))
    if named is not None:
        return named
    told = {(d.month, d.day) for d in dates} & (named_days(lead, rules) | days)
    if len(told) == 1:  # "08/10/2026" over "GALWAY, Ireland, Oct 8 (HNS) -"
        return next(d for d in dates if (d.month, d.day) in told)
    order = writes_day_first(text, rules) if text else None
    if order is not None:
        return dates[1] if order else dates[0]
    base = (language or "en").split("-")[0].lower()
    return dates[0] if base in rules.month_first_languages else dates[1]
