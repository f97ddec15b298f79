"""Time normalization (storyline.time): one hand-written table per reporting convention,
plus Hypothesis properties for weekday resolution and fuzzing of arbitrary input."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.clean.rules import load_data
from storyline.time import TimeValue, normalize, resolve_weekday

# See tests/test_offsets.py: keeps a failing property test from aborting the run under
# `filterwarnings = error` (Hypothesis' patch suggestion imports libcst, which warns).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import hypothesis.extra._patching  # noqa: F401

D = dt.date
THU = D(2025, 8, 28)  # a Thursday in ISO week 2025-W35
SAT = D(2025, 8, 30)
FRI_APR = D(2025, 4, 25)
FRI_MAR = D(2026, 3, 13)
MAR_25 = D(2026, 3, 25)  # a Wednesday


def norm(text: str, published: dt.date | None = THU, tense: str = "past") -> TimeValue:
    value = normalize(text, published=published, tense=tense)
    assert value is not None, text
    return value


def span(value: TimeValue) -> tuple[str | None, dt.date | None, dt.date | None]:
    return value.value, value.start, value.end


# ---------------------------------------------------------------------------
# Weekdays
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "published", "tense", "expected"), [
    ("on Thursday", THU, "past", D(2025, 8, 28)),  # published on that weekday: same day
    ("Thursday", THU, "present", D(2025, 8, 28)),
    ("on Thursday", SAT, "past", D(2025, 8, 28)),
    ("on Friday", FRI_APR, "past", D(2025, 4, 25)),
    ("Friday", THU, "past", D(2025, 8, 22)),
    ("on Monday", FRI_MAR, "future", D(2026, 3, 16)),
    ("Friday", FRI_MAR, "future", D(2026, 3, 13)),  # future: on or after publication
    ("last Thursday", THU, "past", D(2025, 8, 21)),  # strictly before: previous week's
    ("last Thursday", SAT, "past", D(2025, 8, 28)),
    ("this past Thursday", SAT, "past", D(2025, 8, 28)),
    ("next Monday", D(2026, 3, 16), "future", D(2026, 3, 23)),  # strictly after
    ("next Monday", FRI_MAR, "future", D(2026, 3, 16)),
    ("this coming Friday", FRI_MAR, "future", D(2026, 3, 20)),
    ("this Thursday", SAT, "past", D(2025, 8, 28)),
    ("Thursday night", THU, "past", D(2025, 8, 28)),
    ("late on Thursday", SAT, "past", D(2025, 8, 28)),
    ("Thurs.", SAT, "past", D(2025, 8, 28)),
])
def test_weekday(text: str, published: dt.date, tense: str, expected: dt.date) -> None:
    value = norm(text, published, tense)
    assert span(value) == (expected.isoformat(), expected, expected)
    assert (value.precision, value.anchor) == ("day", "published")


def test_resolve_weekday_directions() -> None:
    assert resolve_weekday(3, THU, "past") == THU
    assert resolve_weekday(3, THU, "past", strict=True) == D(2025, 8, 21)
    assert resolve_weekday(3, THU, "future", strict=True) == D(2025, 9, 4)
    assert resolve_weekday(0, FRI_MAR, "future") == D(2026, 3, 16)
    with pytest.raises(ValueError, match="direction"):
        resolve_weekday(0, THU, "sideways")


@given(st.dates(min_value=D(1, 1, 8), max_value=D(9999, 12, 24)), st.integers(0, 6))
def test_weekday_resolution_stays_within_a_week(published: dt.date, weekday: int) -> None:
    past = resolve_weekday(weekday, published, "past")
    future = resolve_weekday(weekday, published, "future")
    last = resolve_weekday(weekday, published, "past", strict=True)
    assert past.weekday() == future.weekday() == last.weekday() == weekday
    assert published - dt.timedelta(days=6) <= past <= published
    assert published <= future <= published + dt.timedelta(days=6)
    assert published - dt.timedelta(days=7) <= last < published


WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@given(st.dates(min_value=D(1, 1, 8), max_value=D(9999, 12, 24)), st.integers(0, 6),
       st.sampled_from(["past", "present", "future"]))
def test_normalized_weekday_has_that_weekday(published: dt.date, weekday: int,
                                             tense: str) -> None:
    value = norm(f"on {WEEKDAY_NAMES[weekday].title()}", published, tense)
    assert value.start is not None
    assert value.start == value.end
    assert value.start.weekday() == weekday
    if tense == "future":
        assert published <= value.start <= published + dt.timedelta(days=6)
    else:
        assert published - dt.timedelta(days=6) <= value.start <= published


# ---------------------------------------------------------------------------
# Units relative to the publication date: last/this/next week, month, year
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("last week", THU, ("2025-W34", D(2025, 8, 18), D(2025, 8, 24))),
    ("this week", THU, ("2025-W35", D(2025, 8, 25), D(2025, 8, 31))),
    ("next week", THU, ("2025-W36", D(2025, 9, 1), D(2025, 9, 7))),
    ("last week", D(2025, 1, 1), ("2024-W52", D(2024, 12, 23), D(2024, 12, 29))),
    ("this week", D(2024, 12, 31), ("2025-W01", D(2024, 12, 30), D(2025, 1, 5))),
    ("last month", THU, ("2025-07", D(2025, 7, 1), D(2025, 7, 31))),
    ("this month", THU, ("2025-08", D(2025, 8, 1), D(2025, 8, 31))),
    ("next month", D(2025, 12, 5), ("2026-01", D(2026, 1, 1), D(2026, 1, 31))),
    ("last month", D(2025, 1, 5), ("2024-12", D(2024, 12, 1), D(2024, 12, 31))),
    ("last year", THU, ("2024", D(2024, 1, 1), D(2024, 12, 31))),
    ("this year", THU, ("2025", D(2025, 1, 1), D(2025, 12, 31))),
    ("next year", THU, ("2026", D(2026, 1, 1), D(2026, 12, 31))),
    ("the current year", THU, ("2025", D(2025, 1, 1), D(2025, 12, 31))),
    ("earlier this month", THU, ("2025-08", D(2025, 8, 1), D(2025, 8, 31))),
    ("later this year", THU, ("2025", D(2025, 1, 1), D(2025, 12, 31))),
    ("since last week", THU, ("2025-W34", D(2025, 8, 18), D(2025, 8, 24))),
])
def test_unit_relative_to_publication(text: str, published: dt.date,
                                      expected: tuple[str, dt.date, dt.date]) -> None:
    value = norm(text, published)
    assert span(value) == expected
    assert value.anchor == "published"


@pytest.mark.parametrize("text", ["last week", "this week", "next week"])
def test_week_runs_monday_to_sunday(text: str) -> None:
    value = norm(text)
    assert value.precision == "week"
    assert value.start is not None and value.end is not None
    assert (value.start.weekday(), value.end.weekday()) == (0, 6)


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("the end of the year", THU, ("2025", D(2025, 9, 1), D(2025, 12, 31))),
    ("at the end of the month", THU, ("2025-08", D(2025, 8, 21), D(2025, 8, 31))),
    ("the beginning of the month", THU, ("2025-08", D(2025, 8, 1), D(2025, 8, 10))),
    ("by the end of the week", THU, ("2025-W35", D(2025, 8, 29), D(2025, 8, 31))),
    ("early next week", THU, ("2025-W36", D(2025, 9, 1), D(2025, 9, 2))),
    ("the end of last year", THU, ("2024", D(2024, 9, 1), D(2024, 12, 31))),
])
def test_part_of_publication_unit(text: str, published: dt.date,
                                  expected: tuple[str, dt.date, dt.date]) -> None:
    assert span(norm(text, published)) == expected


# ---------------------------------------------------------------------------
# Bare months, month + day without a year
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "published", "tense", "expected"), [
    ("In June", THU, "past", ("2025-06", D(2025, 6, 1), D(2025, 6, 30))),
    ("June", THU, "past", ("2025-06", D(2025, 6, 1), D(2025, 6, 30))),
    ("August", THU, "past", ("2025-08", D(2025, 8, 1), D(2025, 8, 31))),
    ("in December", THU, "past", ("2024-12", D(2024, 12, 1), D(2024, 12, 31))),
    ("late November", THU, "past", ("2024-11", D(2024, 11, 21), D(2024, 11, 30))),
    ("at the end of November", THU, "past", ("2024-11", D(2024, 11, 21), D(2024, 11, 30))),
    ("in April", MAR_25, "future", ("2026-04", D(2026, 4, 1), D(2026, 4, 30))),
    ("March", MAR_25, "future", ("2026-03", D(2026, 3, 1), D(2026, 3, 31))),
    ("February", MAR_25, "future", ("2027-02", D(2027, 2, 1), D(2027, 2, 28))),
    ("early May", MAR_25, "future", ("2026-05", D(2026, 5, 1), D(2026, 5, 10))),
    ("December", THU, "present", ("2025-12", D(2025, 12, 1), D(2025, 12, 31))),
    ("January", THU, "present", ("2025-01", D(2025, 1, 1), D(2025, 1, 31))),
    ("mid-April", THU, "past", ("2025-04", D(2025, 4, 11), D(2025, 4, 20))),
    ("last November", D(2025, 12, 2), "past", ("2025-11", D(2025, 11, 1), D(2025, 11, 30))),
    ("last November", D(2025, 11, 20), "past", ("2024-11", D(2024, 11, 1), D(2024, 11, 30))),
    ("next April", MAR_25, "future", ("2026-04", D(2026, 4, 1), D(2026, 4, 30))),
    ("this December", THU, "past", ("2025-12", D(2025, 12, 1), D(2025, 12, 31))),
])
def test_bare_month(text: str, published: dt.date, tense: str,
                    expected: tuple[str, dt.date, dt.date]) -> None:
    value = norm(text, published, tense)
    assert span(value) == expected
    assert (value.precision, value.anchor) == ("month", "published")


def test_will_focus_in_april() -> None:
    value = norm("in April", D(2026, 3, 25), "future")
    assert value.value == "2026-04"


def test_late_november_records_part() -> None:
    assert norm("late November").part == "late"
    assert norm("early May", MAR_25, "future").part == "early"


@pytest.mark.parametrize(("text", "published", "tense", "expected"), [
    ("March 16", FRI_MAR, "future", D(2026, 3, 16)),
    ("16 March", FRI_MAR, "past", D(2025, 3, 16)),
    ("March 16", D(2026, 3, 16), "past", D(2026, 3, 16)),
    ("March 16", D(2026, 3, 17), "future", D(2027, 3, 16)),
    ("March 16", D(2026, 8, 1), "present", D(2026, 3, 16)),
    ("the 16th of March", FRI_MAR, "future", D(2026, 3, 16)),
    ("March first", THU, "past", D(2025, 3, 1)),
    ("Sept. 3", THU, "past", D(2024, 9, 3)),
    ("Thursday, August 28", SAT, "past", D(2025, 8, 28)),
    ("February 29", D(2025, 8, 1), "past", D(2024, 2, 29)),
    ("December 31", D(2025, 1, 2), "past", D(2024, 12, 31)),
])
def test_month_day_without_year(text: str, published: dt.date, tense: str,
                                expected: dt.date) -> None:
    value = norm(text, published, tense)
    assert span(value) == (expected.isoformat(), expected, expected)
    assert value.anchor == "published"


# ---------------------------------------------------------------------------
# Explicit dates: win over tense and need no publication date
# ---------------------------------------------------------------------------

EXPLICIT = [
    ("April 25, 2025", ("2025-04-25", D(2025, 4, 25), D(2025, 4, 25)), "day"),
    ("25 April 2025", ("2025-04-25", D(2025, 4, 25), D(2025, 4, 25)), "day"),
    ("2025-04-25", ("2025-04-25", D(2025, 4, 25), D(2025, 4, 25)), "day"),
    ("on Friday, April 25th, 2025", ("2025-04-25", D(2025, 4, 25), D(2025, 4, 25)), "day"),
    ("Thursday, August 28, 2025 at 10 a.m. GMT",
     ("2025-08-28", D(2025, 8, 28), D(2025, 8, 28)), "day"),
    ("2025-W35", ("2025-W35", D(2025, 8, 25), D(2025, 8, 31)), "week"),
    ("June 2025", ("2025-06", D(2025, 6, 1), D(2025, 6, 30)), "month"),
    ("2025-06", ("2025-06", D(2025, 6, 1), D(2025, 6, 30)), "month"),
    ("in 2024", ("2024", D(2024, 1, 1), D(2024, 12, 31)), "year"),
    ("summer 2024", ("2024-SU", D(2024, 6, 1), D(2024, 8, 31)), "season"),
    ("the 1990s", ("199", D(1990, 1, 1), D(1999, 12, 31)), "decade"),
    ("early 2024", ("2024", D(2024, 1, 1), D(2024, 4, 30)), "year"),
    ("late November 2024", ("2024-11", D(2024, 11, 21), D(2024, 11, 30)), "month"),
]


@pytest.mark.parametrize("tense", ["past", "present", "future"])
@pytest.mark.parametrize("published", [THU, D(2031, 1, 1), None])
@pytest.mark.parametrize(("text", "expected", "precision"), EXPLICIT)
def test_explicit_dates_ignore_tense_and_publication(
        text: str, expected: tuple[str, dt.date, dt.date], precision: str,
        published: dt.date | None, tense: str) -> None:
    value = norm(text, published, tense)
    assert span(value) == expected
    assert (value.precision, value.anchor, value.relative) == (precision, "explicit", None)


@pytest.mark.parametrize("text", ["February 30, 2025", "2025-13-01", "2025-02-30", "2025-W54"])
def test_impossible_dates_return_none(text: str) -> None:
    assert normalize(text, published=THU) is None


# ---------------------------------------------------------------------------
# Days and counts relative to publication
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tense", "expected"), [
    ("yesterday", "past", ("2025-08-27", D(2025, 8, 27), D(2025, 8, 27))),
    ("today", "present", ("2025-08-28", D(2025, 8, 28), D(2025, 8, 28))),
    ("tomorrow", "future", ("2025-08-29", D(2025, 8, 29), D(2025, 8, 29))),
    ("tomorrow morning", "future", ("2025-08-29", D(2025, 8, 29), D(2025, 8, 29))),
    ("last night", "past", ("2025-08-27", D(2025, 8, 27), D(2025, 8, 27))),
    ("earlier today", "past", ("2025-08-28", D(2025, 8, 28), D(2025, 8, 28))),
    ("a day earlier", "past", ("2025-08-27", D(2025, 8, 27), D(2025, 8, 27))),
    ("the day before", "past", ("2025-08-27", D(2025, 8, 27), D(2025, 8, 27))),
    ("the day before yesterday", "past", ("2025-08-26", D(2025, 8, 26), D(2025, 8, 26))),
    ("10 days ago", "past", ("2025-08-18", D(2025, 8, 18), D(2025, 8, 18))),
    ("twenty one days ago", "past", ("2025-08-07", D(2025, 8, 7), D(2025, 8, 7))),
    ("two weeks ago", "past", ("2025-W33", D(2025, 8, 11), D(2025, 8, 17))),
    ("a couple of weeks ago", "past", ("2025-W33", D(2025, 8, 11), D(2025, 8, 17))),
    ("three months ago", "past", ("2025-05", D(2025, 5, 1), D(2025, 5, 31))),
    ("a year ago", "past", ("2024", D(2024, 1, 1), D(2024, 12, 31))),
    ("two weeks from now", "future", ("2025-W37", D(2025, 9, 8), D(2025, 9, 14))),
    ("in two weeks", "future", ("2025-W37", D(2025, 9, 8), D(2025, 9, 14))),
])
def test_relative_to_publication(text: str, tense: str,
                                 expected: tuple[str, dt.date, dt.date]) -> None:
    value = norm(text, THU, tense)
    assert span(value) == expected
    assert value.anchor == "published"


def test_published_datetime_is_taken_as_its_date() -> None:
    value = norm("yesterday", dt.datetime(2025, 8, 28, 23, 30))
    assert value.value == "2025-08-27"


# ---------------------------------------------------------------------------
# Seasons (northern hemisphere, meteorological; winter labelled with its December's year)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "published", "tense", "expected"), [
    ("summer", THU, "past", ("2025-SU", D(2025, 6, 1), D(2025, 8, 31))),
    ("this summer", THU, "past", ("2025-SU", D(2025, 6, 1), D(2025, 8, 31))),
    ("last summer", THU, "past", ("2024-SU", D(2024, 6, 1), D(2024, 8, 31))),
    ("last summer", D(2025, 10, 10), "past", ("2025-SU", D(2025, 6, 1), D(2025, 8, 31))),
    ("next summer", THU, "future", ("2026-SU", D(2026, 6, 1), D(2026, 8, 31))),
    ("this winter", D(2025, 1, 15), "present", ("2024-WI", D(2024, 12, 1), D(2025, 2, 28))),
    ("this winter", THU, "future", ("2025-WI", D(2025, 12, 1), D(2026, 2, 28))),
    ("winter", D(2024, 1, 15), "past", ("2023-WI", D(2023, 12, 1), D(2024, 2, 29))),
    ("in the autumn", THU, "future", ("2025-FA", D(2025, 9, 1), D(2025, 11, 30))),
    ("fall", THU, "past", ("2024-FA", D(2024, 9, 1), D(2024, 11, 30))),
    ("late spring", THU, "past", ("2025-SP", D(2025, 5, 1), D(2025, 5, 31))),
])
def test_season(text: str, published: dt.date, tense: str,
                expected: tuple[str, dt.date, dt.date]) -> None:
    value = norm(text, published, tense)
    assert span(value) == expected
    assert value.precision == "season"


# ---------------------------------------------------------------------------
# Weekends (value "YYYY-Www-WE", precision week, Saturday..Sunday)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "published", "tense", "expected"), [
    ("over the weekend", THU, "past", ("2025-W34-WE", D(2025, 8, 23), D(2025, 8, 24))),
    ("the weekend", THU, "future", ("2025-W35-WE", D(2025, 8, 30), D(2025, 8, 31))),
    ("last weekend", D(2025, 9, 1), "past", ("2025-W35-WE", D(2025, 8, 30), D(2025, 8, 31))),
    ("next weekend", THU, "future", ("2025-W35-WE", D(2025, 8, 30), D(2025, 8, 31))),
])
def test_weekend(text: str, published: dt.date, tense: str,
                 expected: tuple[str, dt.date, dt.date]) -> None:
    assert span(norm(text, published, tense)) == expected


# ---------------------------------------------------------------------------
# Parts (data/time.yaml part_spans)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "start", "end"), [
    ("early February 2024", D(2024, 2, 1), D(2024, 2, 10)),
    ("mid-February 2024", D(2024, 2, 11), D(2024, 2, 20)),
    ("late February 2024", D(2024, 2, 21), D(2024, 2, 29)),  # leap year
    ("late February 2025", D(2025, 2, 21), D(2025, 2, 28)),
    ("the end of February 2024", D(2024, 2, 21), D(2024, 2, 29)),
    ("end-February 2024", D(2024, 2, 21), D(2024, 2, 29)),
    ("the beginning of 2024", D(2024, 1, 1), D(2024, 4, 30)),
    ("mid-2024", D(2024, 5, 1), D(2024, 8, 31)),
    ("the middle of 2024", D(2024, 5, 1), D(2024, 8, 31)),
    ("late 2024", D(2024, 9, 1), D(2024, 12, 31)),
    ("the early 1990s", D(1990, 1, 1), D(1993, 12, 31)),
    ("the mid-1990s", D(1994, 1, 1), D(1996, 12, 31)),
    ("the late 1990s", D(1997, 1, 1), D(1999, 12, 31)),
    ("early winter 2024", D(2024, 12, 1), D(2024, 12, 31)),
    ("late winter 2023", D(2024, 2, 1), D(2024, 2, 29)),
])
def test_part_boundaries(text: str, start: dt.date, end: dt.date) -> None:
    value = norm(text, None)
    assert (value.start, value.end) == (start, end)
    assert value.part in ("early", "mid", "late")


# ---------------------------------------------------------------------------
# No publication date: explicit dates resolve, relative ones stay unanchored
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tense", "precision", "part", "relative"), [
    ("on Thursday", "past", "day", None, {"weekday": "thursday", "direction": "past"}),
    ("Monday", "future", "day", None, {"weekday": "monday", "direction": "future"}),
    ("last Thursday", "past", "day", None, {"weekday": "thursday", "direction": "last"}),
    ("last week", "past", "week", None, {"unit": "week", "offset": -1}),
    ("two months ago", "past", "month", None, {"unit": "month", "offset": -2}),
    ("yesterday", "past", "day", None, {"unit": "day", "offset": -1}),
    ("In June", "past", "month", None, {"month": 6, "direction": "past"}),
    ("late November", "past", "month", "late",
     {"month": 11, "direction": "past", "part": "late"}),
    ("March 16", "future", "day", None, {"month": 3, "day": 16, "direction": "future"}),
    ("this summer", "past", "season", None, {"season": "summer", "direction": "present"}),
    ("the end of the year", "past", "year", "late", {"unit": "year", "offset": 0,
                                                     "part": "late"}),
    ("the weekend", "past", "week", None, {"unit": "weekend", "direction": "past"}),
])
def test_unknown_publication_keeps_expression_unresolved(
        text: str, tense: str, precision: str, part: str | None,
        relative: dict[str, str | int]) -> None:
    value = norm(text, None, tense)
    assert (value.value, value.start, value.end) == (None, None, None)
    assert (value.precision, value.part, value.anchor) == (precision, part, "unanchored")
    assert value.relative == relative


# ---------------------------------------------------------------------------
# Not a point or period in calendar time
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "30 days", "two years", "a year", "daily", "every week", "weekly", "the past two years",
    "the past week", "three days later", "a week earlier", "the next day",
    "the following week", "in two weeks", "the year", "month", "years", "recently", "soon",
    "now", "", "   ", "2024-2025", "the '90s", "Q1", "10 am", "yesterday's",
])
def test_not_a_calendar_point(text: str) -> None:
    assert normalize(text, published=THU, tense="past") is None


@pytest.mark.parametrize("text", [
    "يوم الخميس", "الأسبوع الماضي", "昨天", "mañana", "décembre 2024", "٢٠٢٥", "\x00\ud800",
    "🙂 Thursday 🙂x",
])
def test_other_languages_and_odd_unicode_return_none(text: str) -> None:
    assert normalize(text, published=THU) is None


# ---------------------------------------------------------------------------
# Case and leading words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "LAST WEEK", "Last Week", "during last week", "until last week", "by last week",
    "as of last week", "from last week", "sometime last week", "(last week)", "last week.",
])
def test_case_and_leading_words(text: str) -> None:
    assert norm(text).value == "2025-W34"


@pytest.mark.parametrize("text", [
    "Ｊｕｎｅ", "June\u00a0", "JUNE", "in the June", "Ｊｕｎｅ\u200b", "🙂 June",
])
def test_unicode_normal_forms(text: str) -> None:
    assert norm(text).value == "2025-06"


# ---------------------------------------------------------------------------
# TimeValue
# ---------------------------------------------------------------------------


def test_to_json_is_plain() -> None:
    assert norm("late November").to_json() == {
        "value": "2024-11", "precision": "month", "start": "2024-11-21",
        "end": "2024-11-30", "part": "late", "anchor": "published", "relative": None,
    }
    loose = norm("Thursday", None).to_json()
    assert loose["relative"] == {"weekday": "thursday", "direction": "past"}
    assert type(loose["relative"]) is dict


def test_time_value_is_frozen_and_hashable() -> None:
    value = norm("Thursday", None)
    assert hash(value) == hash(norm("Thursday", None))
    assert value == norm("Thursday", None)
    assert value != norm("last Thursday", None)
    assert len({value, norm("Friday", None), norm("Thursday", None)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.value = "2025"  # type: ignore[misc]
    with pytest.raises(TypeError):
        value.relative["weekday"] = "friday"  # type: ignore[index]


@pytest.mark.parametrize("kwargs", [
    {"value": "2025", "precision": "fortnight", "start": D(2025, 1, 1), "end": D(2025, 12, 31)},
    {"value": "2025", "precision": "year", "start": D(2025, 12, 31), "end": D(2025, 1, 1)},
    {"value": "2025", "precision": "year", "start": D(2025, 1, 1), "end": None},
    {"value": None, "precision": "year", "anchor": "guessed"},
    {"value": None, "precision": "year", "anchor": "unanchored", "part": "late-ish"},
])
def test_time_value_rejects_inconsistent_fields(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TimeValue(**kwargs)  # type: ignore[arg-type]


def test_unknown_tense_is_an_error() -> None:
    with pytest.raises(ValueError, match="tense"):
        normalize("Thursday", published=THU, tense="pluperfect")


def test_vocabulary_is_all_strings() -> None:
    data = load_data("time.yaml")
    for key in ("leading", "ignored", "time_of_day", "time_zones", "weekend"):
        assert all(isinstance(word, str) for word in data[key]), key


# ---------------------------------------------------------------------------
# Fuzzing: never raises
# ---------------------------------------------------------------------------

PUBLISHED = st.one_of(st.none(), st.dates())
TENSE = st.sampled_from(["past", "present", "future"])
VOCABULARY = st.sampled_from([
    "on", "in", "the", "of", "end", "late", "early", "mid", "last", "next", "this", "past",
    "coming", "week", "weeks", "month", "year", "years", "day", "days", "ago", "from", "now",
    "weekend", "thursday", "monday", "june", "february", "december", "summer", "winter",
    "16", "29", "31", "16th", "first", "2024", "2025", "9999", "0001", "1990s", "2025-02-29",
    "2025-w53", "9999-12", "yesterday", "tomorrow", "a", "two", "twenty", "one", "at", "10",
    "am", "gmt", "night", "-", ",", ".", "'",
])


@given(st.text(), PUBLISHED, TENSE)
def test_normalize_never_raises_on_text(text: str, published: dt.date | None,
                                        tense: str) -> None:
    value = normalize(text, published=published, tense=tense)
    assert value is None or isinstance(value, TimeValue)


@given(st.lists(VOCABULARY, max_size=6).map(" ".join), PUBLISHED, TENSE)
def test_normalize_never_raises_on_time_words(text: str, published: dt.date | None,
                                              tense: str) -> None:
    value = normalize(text, published=published, tense=tense)
    if value is not None and value.start is not None and value.end is not None:
        assert value.start <= value.end
        assert value.anchor in ("explicit", "published")
