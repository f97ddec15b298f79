"""Cleaning: from raw lines to paragraphs of article text, keeping every offset.

The steps, in order: invisible characters out; the header line ("date 2025-04-25 ...")
and the title; bylines and date lines among the first lines ("By Dana Khouri | March 3,
2026", "Published 15:32 GMT, 9 February 2026"), kept as metadata cues; trailing
comment-policy and related-links blocks; lines that are never text (share buttons, bare
links, credits); tweet embeds (their trailer removed, their text kept as an `embed`
paragraph); photo captions (kept apart, credit removed); sub-headings; then hard-wrapped
lines are rejoined into paragraphs; finally the outlet prefix ("Shafaq News/") and the
dateline ("ERBIL, Kurdistan Region -") are taken off the first paragraph and kept as
metadata cues. All patterns are in data/cleaning.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from storyline.clean.calendars import bikram_sambat, ethiopian, solar_hijri
from storyline.clean.dates import named_weekdays, on_named_day, readings
from storyline.clean.letters import LETTERS, SCRIPT_STOPS
from storyline.clean.rules import CleaningRules, cleaning_rules
from storyline.errors import NoContent
from storyline.model import Cue, Document, Evidence, Paragraph, Passage
from storyline.offsets import Piece, TextBuilder, collapse_spaces, join_pieces

_CLOSERS = "\"”’'»)]*"
#: Full stops, question marks and ellipses, with those of scripts that have their own.
_SENTENCE_END = ".!?…" + SCRIPT_STOPS
_SPACES = "\t\xa0\u202f\u205f\u3000" + "".join(chr(c) for c in range(0x2000, 0x200B))


@dataclass
class Line:
    """One line of plain text, or one block of an HTML page, on its way to a paragraph."""

    piece: Piece
    hint: str | None = None  # heading | caption | body, from HTML tags
    gap: bool = False  # a blank line or a block boundary comes before it
    direction: str | None = None  # from an HTML dir attribute
    kind: str = "body"  # body | heading | caption | embed | drop
    meta: dict[str, Any] = field(default_factory=dict)


def text_lines(raw: str) -> list[Line]:
    """Lines of a plain-text article, each mapped to its offsets in `raw`."""
    lines: list[Line] = []
    gap = False
    start = 0
    n = len(raw)
    while start <= n:
        end = raw.find("\n", start)
        if end < 0:
            end = n
        stop = end - 1 if end > start and raw[end - 1] == "\r" else end
        piece = Piece.of(raw, start, stop)
        if piece.text.strip():
            lines.append(Line(piece, gap=gap))
            gap = False
        else:
            gap = True
        start = end + 1
    return lines


def strip_invisible(piece: Piece, rules: CleaningRules) -> Piece:
    """Drop zero-width and bidi controls; unusual spaces become plain spaces."""
    text = piece.text
    if not _special(rules).search(text):
        return piece
    chars: list[str] = []
    offs: list[int] = []
    for i, ch in enumerate(text):
        if ch in rules.invisible:
            continue
        if ch in rules.joiners:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            # Joiners matter inside Arabic/Persian words and emoji; elsewhere they are noise.
            if not (before > "\u024f" and after > "\u024f" and not before.isspace()):
                continue
        chars.append(" " if ch in _SPACES else ch)
        offs.append(piece.offsets[i])
    return Piece("".join(chars), offs)


@cache
def _special(rules: CleaningRules) -> re.Pattern[str]:
    chars = "".join(sorted(rules.invisible | rules.joiners)) + _SPACES
    return re.compile("[" + re.escape(chars) + "]")


def ends_sentence(text: str) -> bool:
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END


def is_heading(text: str, rules: CleaningRules) -> bool:
    """A short Title Case line with no sentence-final punctuation."""
    words = text.split()
    if not 1 <= len(words) <= rules.heading_max_words or ends_sentence(text):
        return False
    if text.rstrip()[-1] in ",;:-–—/":
        return False
    letters = False
    for word in words:
        core = word.strip("\"“”‘’'()[]-–—:,.")
        if not core:
            continue
        if core.lower() in rules.heading_small_words:
            continue
        if not (core[0].isupper() or core[0].isdigit()):
            return False
        letters = letters or any(c.isalpha() for c in core)
    return letters


def clean(doc: Document, lines: list[Line], *, unwrap: bool,
          rules: CleaningRules | None = None) -> None:
    """Fill `doc.text`, `doc.offsets`, `doc.paragraphs`, `doc.captions`, `doc.cues`."""
    rules = rules or cleaning_rules()
    lines = _visible(lines, rules)
    if lines and unwrap:
        lines = _header(doc, lines, rules)
    lines = _header_meta(doc, lines, rules)
    lines = _drop_tail(doc, lines, rules)
    lines = _footer_date(doc, lines, rules)
    for i, line in enumerate(lines):
        _classify(doc, line, rules)
        if i and any(p.match(line.piece.text) for p in rules.link_line):
            line.kind = "drop"
    lines = [line for line in lines if line.kind != "drop"]
    if unwrap and doc.title is None and lines:
        _first_line_title(doc, lines, rules)
        lines = [line for line in lines if line.kind != "drop"]
    for line in lines:
        if line.kind == "caption":
            doc.captions.append(Passage.from_piece("caption", line.piece, "text:caption"))
            for m in rules.explicit_date.finditer(line.piece.text):
                piece = line.piece[m.start():m.end()]
                doc.cues.append(Cue("published", m.group(0),
                                    Evidence("text:caption-date", piece.span, piece.text)))
    body = [line for line in lines if line.kind != "caption"]
    width = _wrap_width(body) if unwrap else None
    groups = _paragraphs(body, width)
    groups = _strip_lead(doc, groups, rules)
    _build(doc, groups)
    if not doc.text.strip():
        raise NoContent("no article text left after removing boilerplate (comment "
                        "policies, links, credits, captions)")


def _visible(lines: list[Line], rules: CleaningRules) -> list[Line]:
    out: list[Line] = []
    gap = False
    for line in lines:
        piece = collapse_spaces(strip_invisible(line.piece, rules)).strip()
        if piece.text:
            line.piece = piece
            line.gap = line.gap or gap
            out.append(line)
            gap = False
        else:
            gap = gap or line.gap
    return out


def _header(doc: Document, lines: list[Line], rules: CleaningRules) -> list[Line]:
    """A first line such as "date 2025-04-25 EXCLUSIVE: headline" gives date and title."""
    first = lines[0]
    for pattern in rules.date_label:
        m = pattern.match(first.piece.text)
        if not m:
            continue
        date = first.piece[m.start("date"):m.end("date")]
        label = first.piece[m.start():m.end()].strip()
        doc.cues.append(Cue("published", date.text,
                            Evidence("text:date-label", label.span, label.text)))
        rest = first.piece[m.end():].strip()
        if rest.text and not ends_sentence(rest.text) and len(rest.text.split()) <= 30:
            doc.title = Passage.from_piece("title", rest, "text:header-line")
            return lines[1:]
        if rest.text:
            first.piece = rest
            return lines
        return lines[1:]
    return lines


def _header_meta(doc: Document, lines: list[Line], rules: CleaningRules) -> list[Line]:
    """Bylines and date lines among the first lines become cues (author, published) and
    leave the text; the header ends at the first line longer than such a line can be."""
    out: list[Line] = []
    for i, line in enumerate(lines):
        long = len(line.piece.text.split()) > rules.header_max_words
        # a long title line, or a standfirst under it (below up to two label lines),
        # set apart by a blank line and not ending a sentence (or with a byline or date
        # line right after it), does not end the header
        title = long and i <= 3 and len(lines) > i + 1 and lines[i + 1].gap and (
            not ends_sentence(line.piece.text) or _meta_follows(lines, i, rules))
        if i >= rules.header_lines or (long and not title):
            return out + lines[i:]
        if long:  # the title or standfirst: never a date line itself
            out.append(line)
            continue
        if _meta_line(doc, line, rules) or (i > 0 and _credit_line(doc, line, rules)):
            if i + 1 < len(lines):
                lines[i + 1].gap = True  # what came before it ends there, as at a blank line
            continue
        out.append(line)
    return out


def _meta_follows(lines: list[Line], i: int, rules: CleaningRules) -> bool:
    """Whether a byline or date line comes right after line `i` (or after one more
    line): then a long line ending a sentence there is a standfirst, not the text."""
    return any(_meta_cues(line, rules) is not None
               for line in lines[i + 1:min(i + 3, rules.header_lines)])


def _credit_line(doc: Document, line: Line, rules: CleaningRules) -> bool:
    """Record the outlet of a credit line ("Andes Tribune staff", "LatAm Ledger |
    Energy") and say whether the line is one."""
    text = line.piece.text.strip()
    m = next((m for m in (p.match(text) for p in rules.credit_line) if m), None)
    if m is None:
        return False
    if m.groupdict().get("outlet"):
        start = line.piece.text.index(text) + m.start("outlet")
        piece = line.piece[start:start + len(m.group("outlet"))]
        doc.cues.append(Cue("outlet", piece.text, Evidence("text:credit-line", piece.span,
                                                           text)))
    return True


def _meta_line(doc: Document, line: Line, rules: CleaningRules) -> bool:
    """Record the byline and date of a header line and say whether it is one."""
    cues = _meta_cues(line, rules)
    if cues is None:
        return False
    doc.cues.extend(cues)
    return True


def _meta_cues(line: Line, rules: CleaningRules) -> list[Cue] | None:
    """The byline and date cues of a header line, None when it is no byline or date
    line."""
    text = line.piece.text
    byline = rules.byline.match(text)
    date = _header_date(text, rules)
    field = "published"
    if date is None:  # "21 June": a day with no year, which the run's reports give
        date, field = day_month(text, rules), "day"
    if byline is None and date is None:
        return None
    spans = [date[:2]] if date is not None else []
    if byline is not None:
        spans.append(byline.span())
        # "Penulis: A | Editor: B": a byline may open each segment of the line
        for sep in rules.header_separator.finditer(text):
            more = rules.byline.match(text[sep.end():])  # "^" holds at the start only
            if more is not None:
                spans.append((sep.end() + more.start(), sep.end() + more.end()))
    left = _words_left(text, spans, rules)
    if left and ends_sentence(text):
        return None  # "Polls close 3 March 2026.": a sentence, not a date line
    # a day with no year stands alone or in a segment of its own ("June 21 vote" is
    # a title)
    most = 0 if field == "day" and byline is None else rules.date_line_rest
    if left > most and not (
            date is not None and (_date_segment_alone(text, date[:2], rules)
                                  or _named_before_date(text, date, rules))):
        return None
    cues = []
    if date is not None:
        start, end, value = date
        piece = line.piece[start:end]
        cues.append(Cue(field, value, Evidence("text:date-line", piece.span, text)))
    if byline is not None:
        piece = line.piece[byline.start("author"):byline.end("author")]
        cues.append(Cue("author", piece.text, Evidence("text:byline", piece.span, text)))
    return cues


def day_month(text: str, rules: CleaningRules) -> tuple[int, int, str] | None:
    """The first day and month of a line that gives no year ("21 June", "March 26", "18
    ga Yuni", "4月27日"): (start, end, "--MM-DD")."""
    for m in rules.numeric_day_month.finditer(text):
        number, day = int(m.group("month")), int(m.group("day") or m.group("mn_day") or 0)
        if 1 <= number <= 12 and 1 <= day <= _DAYS_IN[number - 1]:
            return m.start(), m.end(), f"--{number:02d}-{day:02d}"
    for m in rules.day_month.finditer(text):
        first = "first_" if m.group("first_month") else ""
        name = m.group(first + "month").lower()
        month = rules.english_month_names.get(name) or rules.month_names.get(name)
        day = int(m.group(first + "day"))
        if month and 1 <= day <= _DAYS_IN[month - 1]:
            return m.start(), m.end(), f"--{month:02d}-{day:02d}"
    return None


_DAYS_IN = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _header_date(text: str, rules: CleaningRules) -> tuple[int, int, str] | None:
    """The first date of a header line: (start, end, value), the value as written or, for
    a month name of another language (Arabic, French), as an ISO date."""
    m = rules.explicit_date.search(text)
    if m is not None:
        return m.start(), m.end(), m.group(0)
    for m in rules.numeric_date.finditer(text):
        dates = readings(m)
        if len(dates) == 1:
            return m.start(), m.end(), dates[0].isoformat()
        if dates:  # "04/12/2026": a weekday on the line, else the lead and language tell
            named = on_named_day(dates, named_weekdays(text, rules))
            return m.start(), m.end(), named.isoformat() if named else m.group(0)
    m = rules.named_date.search(text)
    if m is None:
        return None
    # "Agosto 25, 2026", "2026. június 21.", "۱۲ اردیبهشت ۱۴۰۵" (Solar Hijri), "भदौ ३,
    # २०८३" (Bikram Sambat), "ሚያዝያ 13 ቀን 2018 ዓ.ም." (Ethiopian)
    first = "first_" if m.group("first_month") else "year_" if m.group("year_month") \
        else "ydm_" if m.group("ydm_month") else ""
    day, year = (int(m.group(first + g)) for g in ("day", "year"))  # digits of any script
    name = m.group(first + "month").lower()
    if name in rules.month_names:
        years, offset = rules.buddhist_era
        if year in years:  # "25 ก.ย. 2569"
            year -= offset
        return m.start(), m.end(), f"{year:04d}-{rules.month_names[name]:02d}-{day:02d}"
    date = solar_hijri(year, rules.solar_hijri_months[name], day) \
        if name in rules.solar_hijri_months else \
        _ethiopian_or_eritrean(year, rules.ethiopian_months[name], day) \
        if name in rules.ethiopian_months else \
        bikram_sambat(year, rules.bikram_sambat_months[name], day)
    return (m.start(), m.end(), date.isoformat()) if date else None


def _ethiopian_or_eritrean(year: int, month: int, day: int) -> dt.date | None:
    """A date with a month name of the Ethiopian calendar: of that calendar; but Eritrea
    gives the same names to the Gregorian months ("ሰኑይ 27 ሚያዝያ 2026" is 27 April, the
    Ethiopian reading 2034), so a date that would lie in the future is read so."""
    date = ethiopian(year, month, day)
    if date is not None and date <= dt.date.today() + dt.timedelta(days=1):
        return date
    if month > 12:
        return None
    try:  # Meskerem is September, Tir January, Miyazya April
        return dt.date(year, (month + 7) % 12 + 1, day)
    except ValueError:
        return None


def written_date(text: str) -> dt.date | None:
    """The calendar date a field's value writes in words or digits of any language
    ("منگل 12 مئی 2026ء", "۱۴۰۵/۰۱/۲۴", "الجمعة ٤ سبتمبر ٢٠٢٦م"), when it is one
    for certain; None otherwise."""
    found = _header_date(text, cleaning_rules())
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found[2])
    except ValueError:  # as written: an English date, or "04/12/2026" undecided
        return None


def _words_left(text: str, spans: list[tuple[int, int]], rules: CleaningRules) -> int:
    """Words of `text` outside `spans` once times, labels, weekdays and other dates are
    taken out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    # a second date is no more words ("شنبه ۲۲ فروردین ۱۴۰۵ - ۱۱ آوریل ۲۰۲۶")
    for pattern in (rules.named_date, rules.numeric_date, *rules.date_line_noise):
        text = pattern.sub(" ", text)
    return sum(1 for w in re.findall(LETTERS, text) if w.lower() not in rules.weekdays)


_NAME_COMMA = re.compile(r"^(?:The )?[A-Z][\w&.'’-]*(?: (?:&|[A-Z][\w&.'’-]*)){0,3},$")


def _named_before_date(text: str, date: tuple[int, int, str], rules: CleaningRules) -> bool:
    """"The Maghreb Ledger, 24 June 2026 - 14:55", "Algeciras, lunes 21 de septiembre":
    an outlet's or a place's name and a comma, then the date and nothing but noise."""
    words = text[:date[0]].split()
    while words and words[-1].lower() in rules.weekdays:  # "lunes" before the date
        words.pop()
    return bool(_NAME_COMMA.match(" ".join(words))) and \
        _words_left(text[date[1]:], [], rules) == 0


def _date_segment_alone(text: str, date: tuple[int, int], rules: CleaningRules) -> bool:
    """The date stands in a segment of its own ("Desk | 8 March 2026")."""
    bounds = [0] + [x for m in rules.header_separator.finditer(text)
                    for x in (m.start(), m.end())] + [len(text)]
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        if start <= date[0] and date[1] <= end:
            return len(bounds) > 2 and _words_left(
                text[start:end], [(date[0] - start, date[1] - start)], rules) \
                <= rules.date_line_rest
    return False


def _label_line(text: str, rules: CleaningRules) -> bool:
    """A masthead or section label ("THE BALTIC LEDGER", "Latvia | News", "روزنامه
    سپیده امروز")."""
    most = rules.label_max_words
    segments = rules.label_separator.split(text)
    dashed = rules.label_dash.split(text)
    if len(segments) > 1 or len(dashed) > 2:
        parts = segments if len(segments) > 1 else dashed
        # three segments or more: a longer outlet name may lead them ("Le Courrier de
        # Basse-Terre | Économie | Transport maritime")
        longest = most + 2 if len(parts) > 2 else most
        return all(1 <= len(s.split()) <= longest for s in parts)
    words = text.split()
    if len(dashed) == 2:  # "Abendbrücke – Panorama", not "Floods hit Lagos - dozens dead"
        return len(words) - 1 <= most + 1 and _capitalised(words) and all(
            s.strip() for s in dashed)
    cased = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    return 1 <= len(words) <= most and (len(words) == 1 or _capitalised(words) or (
        bool(cased) and all(c.isupper() for c in cased)) or (
        not cased and words[0].casefold() in rules.masthead_words))


def _capitalised(words: list[str]) -> bool:
    """Every word begins with a capital ("The Harbour Examiner")."""
    return all(w[:1].isupper() for w in words if w not in "-–—")


def _masthead_over_sections(lines: list[Line], rules: CleaningRules) -> bool:
    """A short first line right above a line of sections ("ڕۆژی نوێ" over "هەواڵ ›
    سلێمانی › پەروەردە"): a masthead, in a script without capitals to show it."""
    return len(lines) > 2 and not lines[1].gap and \
        1 <= len(lines[0].piece.text.split()) <= rules.label_max_words and \
        len(rules.label_separator.split(lines[1].piece.text)) > 1 and \
        _label_line(lines[1].piece.text, rules)


def _first_line_title(doc: Document, lines: list[Line], rules: CleaningRules) -> None:
    labels = 0
    while labels < 2 and len(lines) > labels + 1 and lines[labels].kind in (
            "body", "heading") and (_label_line(lines[labels].piece.text, rules) or (
                labels == 0 and _masthead_over_sections(lines, rules))):
        labels += 1
    if labels and (_title_line(doc, lines[labels:], rules)
                   or _wrapped_title(doc, lines[labels:])):
        for line in lines[:labels]:
            line.kind = "drop"
        return
    if not _title_line(doc, lines, rules):
        _wrapped_title(doc, lines)


def _wrapped_title(doc: Document, lines: list[Line]) -> bool:
    """Take the first two lines for the title when a hard wrap split it ("'The river
    went white': survivors of the Zimbrul remember the last" / "minutes"): the second
    goes on in lower case, a blank line follows, neither ends a sentence and together
    they are a headline's length. Say whether it did."""
    if len(lines) < 3 or lines[1].gap or not lines[2].gap:
        return False
    first, second = lines[0], lines[1]
    text = second.piece.text.strip()
    if first.kind not in ("body", "heading") or second.kind not in ("body", "heading") or \
            not text[:1].islower() or ends_sentence(first.piece.text) or \
            ends_sentence(text) or len(f"{first.piece.text} {text}".split()) > 25:
        return False
    piece = collapse_spaces(join_pieces([first.piece, second.piece])).strip()
    doc.title = Passage.from_piece("title", piece, "text:first-line")
    first.kind = second.kind = "drop"
    return True


def _title_line(doc: Document, lines: list[Line], rules: CleaningRules) -> bool:
    """Take the first line for the title if it reads as one; say whether it did."""
    first = lines[0]
    text = first.piece.text
    followed_by_gap = len(lines) > 1 and lines[1].gap
    # a question is a headline's when a line of its own ("... can Hong Kong inspect its
    # way out?")
    question = followed_by_gap and text.rstrip().rstrip(_CLOSERS).endswith(("?", "？"))
    if first.kind not in ("body", "heading") or (ends_sentence(text) and not question):
        return False
    if rules.outlet_prefix.match(text) or any(
            (m := p.match(text)) and not text[m.end():].isupper()
            and not (followed_by_gap and m.group(0).rstrip().endswith(":"))
            for p in rules.dateline):
        # a dateline opens a report; "UKRAINE: TOLL REACHES NINE" and a line of its own
        # after a label and a colon ("FEATURE: Two crashes in three weeks") are titles
        return False
    if first.kind == "heading" or (followed_by_gap and len(text.split()) <= 25):
        doc.title = Passage.from_piece("title", first.piece, "text:first-line")
        first.kind = "drop"
        return True
    return False


def _drop_tail(doc: Document, lines: list[Line], rules: CleaningRules) -> list[Line]:
    """Remove comment-policy and related-links blocks (they usually close the article)."""
    out: list[Line] = []
    in_tail = False
    for line in lines:
        text = line.piece.text
        _outlet_cue(doc, line, rules)
        if any(p.search(text) for p in rules.tail_start):
            in_tail = True
            continue
        if in_tail and (rules.tail_vocabulary.search(text)
                        or len(text.split()) <= rules.tail_short_words
                        or rules.tail_list_item.match(text)):
            continue
        in_tail = False
        out.append(line)
    return out


def _footer_date(doc: Document, lines: list[Line], rules: CleaningRules) -> list[Line]:
    """A date line closing the article ("Nile Evening Herald, 8 September 2026",
    "Cedar & Coast | 03.08.2026") dates it and leaves the text, as a header's would; a
    sentence (ending with a full stop) never does."""
    if len(lines) < 2:
        return lines
    last = lines[-1]
    text = last.piece.text.strip()
    if not text or ends_sentence(text) or len(text.split()) > rules.header_max_words:
        return lines
    return lines[:-1] if _meta_line(doc, last, rules) else lines


def _outlet_cue(doc: Document, line: Line, rules: CleaningRules) -> None:
    for pattern in rules.outlet_in_text:
        m = pattern.search(line.piece.text)
        if m:
            piece = line.piece[m.start("outlet"):m.end("outlet")].strip()
            whole = line.piece[m.start():m.end()]
            method = "text:comment-policy" if "moderat" in m.group(0).lower() else "text:notice"
            doc.cues.append(Cue("outlet", piece.text, Evidence(method, whole.span, whole.text)))
            return


def _classify(doc: Document, line: Line, rules: CleaningRules) -> None:
    text = line.piece.text
    if any(p.match(text) for p in rules.drop_line):
        line.kind = "drop"
        return
    for pattern in rules.embed_trailer:
        m = pattern.search(text)
        if m and m.start() > 0:
            line.meta = {k: v for k, v in m.groupdict().items() if v}
            trailer = line.piece[m.start():]
            line.meta["trailer_span"] = list(trailer.span)
            line.piece = line.piece[: m.start()].strip()
            line.kind = "embed" if line.piece.text else "drop"
            return
    if line.hint == "caption" or len(text.split()) <= 60:
        for pattern in rules.credit_suffix:
            m = pattern.search(text)
            if m and m.start() > 0 and '"' not in text[: m.start()]:
                line.meta = {"credit": m.group("credit").strip()}
                line.piece = line.piece[: m.start()].strip()
                line.kind = "caption"
                return
    if line.hint == "caption":
        line.kind = "caption"
        return
    if rules.caption_marker.search(text) and len(text.split()) <= 40 and not any(
            q in text for q in "\"“”"):
        line.kind = "caption"
        return
    if line.hint == "heading" or (line.hint is None and is_heading(text, rules)):
        line.kind = "heading"


def _wrap_width(lines: list[Line]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None if it is not wrapped."""
    body = [line for line in lines if line.kind == "body"]
    short = sorted(len(line.piece) for line in body if len(line.piece) <= 120)
    if len(short) < 4:
        return None
    width = short[int(0.9 * (len(short) - 1))]
    if width < 40:
        return None
    wrapped = sum(
        1 for i, line in enumerate(body[:-1])
        if width - 20 <= len(line.piece) <= width + 2
        and not ends_sentence(line.piece.text) and not body[i + 1].gap)
    if wrapped >= 3 and wrapped >= 0.3 * len(body):
        return width
    return None


def _paragraphs(lines: list[Line], width: int | None) -> list[list[Line]]:
    groups: list[list[Line]] = []
    blank_separated = width is not None and sum(1 for line in lines if line.gap) >= 2
    for line in lines:
        prev = groups[-1][-1] if groups else None
        if prev is not None and _joins(prev, line, width, blank_separated):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _joins(a: Line, b: Line, width: int | None, blank_separated: bool) -> bool:
    if b.gap or a.kind != "body" or b.kind != "body" or a.hint or b.hint:
        return False
    starts_lower = b.piece.text[:1].islower()
    if width is None:
        return not ends_sentence(a.piece.text) and starts_lower
    if len(a.piece) > width + 10:
        return False
    if blank_separated:
        return True
    if not ends_sentence(a.piece.text):
        return True
    return len(a.piece) >= width - 12 and starts_lower


def _strip_lead(doc: Document, groups: list[list[Line]],
                rules: CleaningRules) -> list[list[Line]]:
    """Take the outlet prefix and the dateline off the first body paragraphs."""
    seen = 0
    for group in groups:
        head = group[0]
        if head.kind != "body":
            continue
        seen += 1
        if seen > 2:
            break
        m = rules.outlet_prefix.match(head.piece.text)
        if m and seen == 1:
            outlet = head.piece[m.start("outlet"):m.end("outlet")]
            whole = head.piece[: m.end()]
            doc.cues.append(Cue("outlet", outlet.text,
                                Evidence("text:outlet-prefix", whole.span, whole.text.strip())))
            head.piece = head.piece[m.end():]
        m = next((m for p in rules.dateline if (m := p.match(head.piece.text))), None)
        if m:
            place = head.piece[m.start("place"):m.end("place")]
            whole = head.piece[: m.end()]
            doc.cues.append(Cue("dateline", place.text,
                                Evidence("text:dateline", whole.span, whole.text.strip())))
            if m.group("agency"):
                agency = head.piece[m.start("agency"):m.end("agency")]
                doc.cues.append(Cue("agency", agency.text,
                                    Evidence("text:dateline", agency.span, agency.text)))
            found = _header_date(whole.text, rules)
            field = "published"
            if found is None:  # "KYIV, March 26 (PNA) -": a day with no year
                found, field = day_month(whole.text, rules), "day"
            if found is not None:
                date = whole[found[0]:found[1]]
                doc.cues.append(Cue(field, found[2],
                                    Evidence("text:dateline", date.span, date.text)))
            head.piece = head.piece[m.end():]
            break
    return groups


def _build(doc: Document, groups: list[list[Line]]) -> None:
    builder = TextBuilder()
    paragraphs: list[Paragraph] = []
    for group in groups:
        piece = collapse_spaces(join_pieces([line.piece for line in group])).strip()
        if not piece.text:
            continue
        if paragraphs:
            builder.add_separator("\n\n", piece.offsets[0])
        start, end = builder.add(piece)
        head = group[0]
        meta = dict(head.meta)
        if len(group) > 1:
            meta["lines"] = len(group)
        paragraph = Paragraph(start, end, head.kind, meta=meta)
        if head.direction:
            paragraph.direction = head.direction
        paragraphs.append(paragraph)
    doc.text, doc.offsets = builder.build()
    doc.paragraphs = paragraphs
