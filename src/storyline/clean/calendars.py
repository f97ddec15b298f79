"""Calendars other than the Gregorian one that outlets print dates in.

The Solar Hijri calendar (Iran and Afghanistan: "۱۲ اردیبهشت ۱۴۰۵", "۱۶ میزان ۱۴۰۵",
"۱۴۰۵/۰۱/۲۴") begins its year at Nowruz, on 20 or 21 March; its first six months have
31 days, the next five 30 and the last 29, or 30 in a leap year. Leap years follow the
33-year arithmetic cycle, which agrees with the astronomical calendar from 1343 to 1472
(1964 to 2093); outside `YEARS` a four-digit number is not read as a Solar Hijri year.

The Bikram Sambat calendar (Nepal: "भदौ ३, २०८३") is lunisolar in its month lengths,
which follow no rule and are published year by year: its dates are read through the
tables of `nepali_datetime` (MIT), for the years it knows (1975 to 2100 BS, 1918 to
2044), and only with a month name of that calendar (`bikram_sambat_months`).

The Ethiopian calendar (Ethiopia and Eritrea: "ሚያዝያ 13 ቀን 2018 ዓ.ም.") has twelve months of
30 days and a thirteenth, Pagume, of 5 days, or 6 in the year before a Gregorian leap
year (an Ethiopian year that leaves 3 divided by 4); its year begins on 11 September, or
12 September after such a year, and counts 7 or 8 years behind the Gregorian one
(Amete Mihret era). Read only with a month name of that calendar (`ethiopian_months`).
"""

from __future__ import annotations

import datetime as dt

import nepali_datetime

#: Solar Hijri years read as such (1300 is 1921-22, 1499 is 2120-21).
YEARS = range(1300, 1500)

#: Remainders of a year divided by 33 that make it a leap year (30 days in Esfand).
_LEAP = frozenset({1, 5, 9, 13, 17, 22, 26, 30})
#: A Nowruz the cycle counts from: 1 Farvardin 1405 is 21 March 2026.
_ANCHOR_YEAR, _ANCHOR = 1405, dt.date(2026, 3, 21)


def solar_hijri_leap(year: int) -> bool:
    return year % 33 in _LEAP


def solar_hijri(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of a Solar Hijri one, or None when it is not a date of that
    calendar (a month over 12, a day past the month's end, a year outside `YEARS`)."""
    if year not in YEARS or not 1 <= month <= 12:
        return None
    length = 31 if month <= 6 else 30 if month <= 11 else 30 if solar_hijri_leap(year) else 29
    if not 1 <= day <= length:
        return None
    step = 1 if year >= _ANCHOR_YEAR else -1
    days = sum(step * (366 if solar_hijri_leap(y) else 365)
               for y in (range(_ANCHOR_YEAR, year) if step > 0 else range(year, _ANCHOR_YEAR)))
    days += sum(31 if m <= 6 else 30 for m in range(1, month)) + day - 1
    return _ANCHOR + dt.timedelta(days=days)


#: The Julian day number of the day before 1 Meskerem of year 1 (Amete Mihret), and of
#: the day before 1 January of year 1 (the proleptic Gregorian calendar's day 1).
_ETHIOPIAN_EPOCH, _GREGORIAN_EPOCH = 1724220, 1721425


def ethiopian(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of an Ethiopian one, or None when it is not a date of that
    calendar (a month over 13, a day past the month's end, a year before 1)."""
    if year < 1 or not 1 <= month <= 13:
        return None
    length = 30 if month <= 12 else 6 if year % 4 == 3 else 5
    if not 1 <= day <= length:
        return None
    julian_day = _ETHIOPIAN_EPOCH + 365 * (year - 1) + year // 4 + 30 * (month - 1) + day
    return dt.date.fromordinal(julian_day - _GREGORIAN_EPOCH)


def bikram_sambat(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of a Bikram Sambat one, or None when it is not a date of that
    calendar (a month over 12, a day past the month's end, a year the tables lack)."""
    try:
        found: dt.date = nepali_datetime.date(year, month, day).to_datetime_date()
    except (ValueError, OverflowError, KeyError, IndexError):
        return None
    return found
