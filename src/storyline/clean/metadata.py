"""Outlet, publication date, dateline and title: from fields first, then from the text.

Each value records how it was found (`Document.evidence`), in this order of trust:
a field of the input record; the HTML page's metadata; a cue found in the text (a
"date 2025-04-25" header, an outlet prefix, a comment policy, a photo caption's date);
the URL's host name for the outlet.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from urllib.parse import urlparse

from dateutil import parser as dateparser

from storyline.clean.dates import settle
from storyline.clean.text import written_date
from storyline.model import Document, Evidence, Passage
from storyline.offsets import OffsetMap

#: Trust order of the ways a value can be found (earlier wins).
PUBLISHED_ORDER = ("field:published", "html:meta", "text:date-label", "text:date-line",
                   "text:dateline", "text:caption-date")
OUTLET_ORDER = ("field:outlet", "html:site-name", "text:outlet-prefix", "text:credit-line",
                "text:comment-policy", "text:notice", "url:host")

#: How much of the text is the lead, where a weekday may settle "04/12/2026".
LEAD_CHARS = 600

_EPOCH_MIN, _EPOCH_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def parse_date(value: object) -> dt.date | None:
    """A calendar date from an ISO string, an RFC 2822 string, a common written date (in
    the month names and digits of the languages `data/cleaning.yaml` knows, and the
    Solar Hijri calendar), or a Unix time stamp; None when it cannot be read with
    confidence."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            stamp = float(value) / (1000 if value > 1e11 else 1)
            date = dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
        return date if _EPOCH_MIN <= date <= _EPOCH_MAX else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{9,10}|\d{12,13}", text):  # a Unix time stamp written as a string
        return parse_date(int(text))
    try:
        date = dateparser.isoparse(text).date()
    except ValueError:
        if not re.search(r"\d{4}", text):
            return None  # a date without a year would be a guess
        written = written_date(text)  # "منگل 12 مئی 2026ء", "۱۴۰۵/۰۱/۲۴" (Solar Hijri)
        if written is not None:
            return written if _EPOCH_MIN <= written <= _EPOCH_MAX else None
        try:
            # "13/04/2026" and "04.12.2026" (a dotted date) are day first
            dayfirst = bool(re.match(r"\d{1,2}\.\d{1,2}\.\d{4}", text)) or (
                bool(re.match(r"\d{1,2}/\d{1,2}/\d{4}", text)) and int(text.split("/")[0]) > 12)
            with warnings.catch_warnings():  # "BRT", "ICT": a zone it does not know
                warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
                date = dateparser.parse(text, dayfirst=dayfirst).date()
        except (ValueError, OverflowError):
            return None
    return date if _EPOCH_MIN <= date <= _EPOCH_MAX else None


def _clean_outlet(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip(" -–—|·:")


def resolve_metadata(doc: Document) -> Document:
    """Stage: settle title, outlet, publication date, language and dateline."""
    given = doc.given
    html = doc.page

    # Title: a field wins; else the page's title; else what cleaning found in the text.
    title = given.get("title")
    if isinstance(title, str) and title.strip():
        doc.title = Passage("title", title.strip(), OffsetMap(), "field:title")
    if doc.title is not None:
        doc.evidence["title"] = Evidence(doc.title.evidence, doc.title.span, None)

    # Outlet.
    candidates: list[tuple[str, Evidence]] = []
    if isinstance(given.get("outlet"), str) and given["outlet"].strip():
        candidates.append((given["outlet"], Evidence("field:outlet")))
    if html.get("sitename"):
        candidates.append((html["sitename"], Evidence("html:site-name")))
    candidates += [(c.value, c.evidence) for c in doc.cues if c.field == "outlet"]
    url = given.get("url") if isinstance(given.get("url"), str) else None
    if url:
        host = urlparse(url).hostname
        if host:
            candidates.append((host.removeprefix("www."), Evidence("url:host", None, url)))
    best = _best(candidates, OUTLET_ORDER)
    if best:
        doc.outlet = _clean_outlet(best[0])
        doc.evidence["outlet"] = best[1]

    # Publication date.
    dates: list[tuple[str, Evidence]] = []
    if given.get("published") not in (None, ""):
        raw = given["published"]
        if parse_date(raw) is None:
            doc.warnings.append(f"could not read the published date {raw!r}; "
                                "kept it in metadata as published_raw")
            doc.extra["published_raw"] = raw
        else:
            dates.append((raw, Evidence("field:published", None, str(raw))))
    if html.get("date"):
        dates.append((html["date"], Evidence("html:meta", None, html["date"])))
    dates += [(c.value, c.evidence) for c in doc.cues if c.field == "published"]
    dates = [(v, e) for v, e in dates if parse_date(v) is not None]
    best = _best(dates, PUBLISHED_ORDER)
    if best:
        # "04/12/2026" is settled by a weekday in the lead, else by a day and month the
        # lead or a dateline names, else by the order of the text's other dates, else by
        # the language's custom
        days = frozenset((int(c.value[2:4]), int(c.value[5:7])) for c in doc.cues
                         if c.field == "day" and re.fullmatch(r"--\d\d-\d\d", c.value))
        doc.published = settle(str(best[0]), doc.text[:LEAD_CHARS], doc.language,
                               doc.text, days) or parse_date(best[0])
        doc.evidence["published"] = best[1]
    else:  # a day with no year ("21 June"): kept for the story stage to date by the run
        day = next((c for c in doc.cues if c.field == "day"), None)
        if day is not None:
            doc.extra["published_day"] = day.value
            doc.evidence["published_day"] = day.evidence

    # Language: a given field wins over detection.
    language = given.get("language")
    if isinstance(language, str) and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z]{2,4})?", language):
        doc.language = language.lower().replace("_", "-")
        doc.evidence["language"] = Evidence("field:language")
    elif doc.language:
        doc.evidence["language"] = Evidence("detected")

    # Dateline, agency and author (a byline) from the text.
    for field_name in ("dateline", "agency", "author"):
        cue = next((c for c in doc.cues if c.field == field_name), None)
        if cue:
            if field_name == "dateline":
                doc.dateline = _titlecase_place(cue.value)
            else:
                doc.extra.setdefault(field_name, cue.value)
            doc.evidence[field_name] = cue.evidence
    return doc


def _best(candidates: list[tuple[str, Evidence]],
          order: tuple[str, ...]) -> tuple[str, Evidence] | None:
    ranked = [(order.index(e.method) if e.method in order else len(order), i, v, e)
              for i, (v, e) in enumerate(candidates) if str(v).strip()]
    if not ranked:
        return None
    _, _, value, evidence = min(ranked)
    return str(value), evidence


def _titlecase_place(place: str) -> str:
    """ "ERBIL, Kurdistan Region" -> "Erbil, Kurdistan Region"."""
    parts = []
    for word in place.split(" "):
        if word.isupper() and len(word.strip(",.")) > 2:
            word = "-".join(w.capitalize() for w in word.split("-"))
        parts.append(word)
    return " ".join(parts)
