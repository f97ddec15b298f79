"""Main text of an HTML page, as blocks that keep their offsets in the page source.

Two parts work together. `parse_blocks` walks the source with the standard library's
HTML parser (lenient with broken markup) and cuts the visible text into blocks at
block-level tags, recording for every character its offset in the source; blocks
inside navigation, footers, asides, forms and comment sections are marked. trafilatura
then decides which text is the article: a block is kept when its text is part of
trafilatura's extraction (run with comments excluded). When trafilatura finds nothing,
the unmarked blocks are used and a warning says so.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from typing import Any

from storyline.clean.rules import cleaning_rules
from storyline.offsets import Piece, collapse_spaces

log = logging.getLogger(__name__)

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas",
         "select", "button"}
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "td",
          "th", "table", "section", "article", "blockquote", "figcaption", "figure", "header",
          "footer", "nav", "aside", "main", "hr", "pre", "dd", "dt", "dl", "form", "address",
          "caption", "body", "html", "title"}
_BOILER_TAGS = {"nav", "footer", "aside", "form", "header", "menu"}
_BOILER_ATTR = re.compile(
    r"comment|related|share|sharing|social|footer|navbar|\bnav\b|menu|sidebar|advert|promo|"
    r"newsletter|subscribe|cookie|breadcrumb|byline-share|recommend", re.I)
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col",
         "embed", "param", "track"}
_KIND = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading",
         "h6": "heading", "figcaption": "caption", "caption": "caption", "title": "page-title"}


@dataclass
class Block:
    """A run of visible text between block-level tags."""

    piece: Piece
    tag: str
    boilerplate: bool = False
    direction: str | None = None
    language: str | None = None

    @property
    def kind(self) -> str:
        return _KIND.get(self.tag, "body")


@dataclass
class _Frame:
    tag: str
    boilerplate: bool
    direction: str | None
    language: str | None


@dataclass
class _BlockParser(HTMLParser):
    source: str = ""
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0]
        for i, ch in enumerate(self.source):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self._stack: list[_Frame] = []
        self._skip = 0
        self._chars: list[str] = []
        self._offs: list[int] = []
        self._in_title = False

    # positions
    def _here(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    # structure
    def _flush(self) -> None:
        if self._chars:
            piece = collapse_spaces(Piece("".join(self._chars), list(self._offs))).strip()
            if piece.text:
                top = self._stack[-1] if self._stack else _Frame("body", False, None, None)
                tag = "title" if self._in_title else self._block_tag()
                self.blocks.append(Block(piece, tag, self._boiler(), top.direction, top.language))
        self._chars.clear()
        self._offs.clear()

    def _block_tag(self) -> str:
        for frame in reversed(self._stack):
            if frame.tag in _BLOCK:
                return frame.tag
        return "body"

    def _boiler(self) -> bool:
        return any(f.boilerplate for f in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._skip:
            self._flush()
            self._in_title = True
            return
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip += 1
            return
        if self._skip:
            return  # inside a skipped element: its tags open no frames
        if tag in _BLOCK:
            self._flush()
        if tag in _VOID:
            return
        a = {k: v or "" for k, v in attrs}
        marker = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", "")))
        boiler = tag in _BOILER_TAGS or bool(_BOILER_ATTR.search(marker))
        top = self._stack[-1] if self._stack else None
        direction = a.get("dir") or (top.direction if top else None)
        language = a.get("lang") or (top.language if top else None)
        self._stack.append(_Frame(tag, boiler, direction, language))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self._skip:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._flush()
            self._in_title = False
            return
        if tag in _SKIP:
            if tag not in _VOID and self._skip:
                self._skip -= 1
            return
        if self._skip or tag in _VOID:
            return
        if tag in _BLOCK:
            self._flush()
        # Close up to the matching open tag (tolerates unclosed inner tags).
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i].tag == tag:
                del self._stack[i:]
                break

    def _text(self, text: str, at: int, per_char: bool) -> None:
        if self._skip and not self._in_title:
            return
        self._chars.append(text) if not per_char else self._chars.extend(text)
        if per_char:
            self._offs.extend(range(at, at + len(text)))
        else:
            self._offs.extend([at] * len(text))

    def handle_data(self, data: str) -> None:
        self._text(data, self._here(), per_char=True)

    def handle_entityref(self, name: str) -> None:
        decoded = htmllib.unescape(f"&{name};")
        if decoded == f"&{name};":  # unknown entity: keep it as written
            decoded = f"&{name}"
        self._text(decoded, self._here(), per_char=False)

    def handle_charref(self, name: str) -> None:
        decoded = htmllib.unescape(f"&#{name};")
        self._text(decoded, self._here(), per_char=False)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_blocks(source: str) -> list[Block]:
    """Visible text of an HTML source as blocks with per-character source offsets."""
    parser = _BlockParser(source=source)
    parser.feed(source)
    parser.close()
    return parser.blocks


@dataclass
class HtmlArticle:
    """What an HTML page yields: main-text blocks plus page metadata."""

    blocks: list[Block]
    title: Piece | None
    metadata: dict[str, Any]
    warnings: list[str]


@cache
def _invisible() -> dict[int, None]:
    """The characters cleaning takes for invisible (`invisible` in data/cleaning.yaml,
    the joiners too), to be dropped by `str.translate`: trafilatura drops them from the
    text it returns (the zero-width non-joiner of Persian "سه‌شنبه", soft hyphens,
    marks of direction)."""
    rules = cleaning_rules()
    return dict.fromkeys(map(ord, rules.invisible | rules.joiners))


def _norm(text: str) -> str:
    """Text as trafilatura's and the blocks' can be compared: spaces collapsed, case
    folded, invisible characters dropped."""
    return re.sub(r"\s+", " ", text.translate(_invisible())).strip().casefold()


def _date_in_page(source: str) -> str | None:
    """A date found in the page's visible text ("Sept 5, 2026" in a byline box) when
    its markup gives none; a bare year ("built since 2015"), which the search reads as
    the 1st of January, is not a date."""
    from htmldate import find_date

    try:
        found = find_date(source, extensive_search=True, original_date=True)
    except Exception:  # htmldate raises many kinds on odd markup: no date then
        return None
    return found if found and not found.endswith("-01-01") else None


def _as_written(found: str, source: str) -> str:
    """The page's date as the page writes it when it writes it only as "09/08/2026":
    trafilatura and htmldate read such a date day first, and the cleaning stage settles
    it instead by the weekday the lead names, the dates the text names or the language
    (`clean.dates.settle`). A date the page also gives unambiguously (ISO 8601 in its
    markup) is kept."""
    day = found[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or day in source:
        return found
    year, month, date = int(day[:4]), int(day[5:7]), int(day[8:10])
    for m in cleaning_rules().numeric_date.finditer(source):  # the text's own date forms
        if m.group("ab_year"):
            a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("ab_year"))
        elif m.group("dot_year"):
            a, b, y = int(m.group("dot_day")), int(m.group("dot_month")), int(m.group("dot_year"))
        else:
            continue
        if y == year and a != b and a <= 12 and b <= 12 and {a, b} == {month, date}:
            return m.group(0)
    return found


#: The most words of a block above the article's text read for a date (a byline box).
DATE_BLOCK_WORDS = 12


def _date_above(blocks: list[Block], kept: list[Block]) -> str | None:
    """The text of a short block above the article's text that writes a date in the
    month names and digits of any language the cleaning rules know (a byline box:
    "القامشلي – الجسر الشمالي · الأحد 6 أيلول/سبتمبر 2026"), which neither the page's
    markup nor htmldate's search (English and a few more) gives."""
    from storyline.clean.text import written_date

    first = next((b for b in kept if b.kind != "heading"), None)  # below the headline
    for block in blocks:
        if block is first:
            break
        text = block.piece.text
        if len(text.split()) <= DATE_BLOCK_WORDS and written_date(text) is not None:
            return text
    return None


def extract_article(source: str, url: str | None = None) -> HtmlArticle:
    """Main text and metadata of an HTML page (trafilatura selects, blocks keep offsets)."""
    import trafilatura

    blocks = parse_blocks(source)
    warnings: list[str] = []
    page_title = next((b for b in blocks if b.tag == "title"), None)
    body_blocks = [b for b in blocks if b.tag != "title"]
    metadata: dict[str, Any] = {}
    extracted: Any = None
    try:
        extracted = trafilatura.bare_extraction(
            source, url=url, include_comments=False, include_tables=False,
            with_metadata=True, favor_precision=True,
            # the page's own date markup only: a search through its text guesses a
            # year in a sentence ("schools built since 2015") as the 1st of January
            date_extraction_params={"extensive_search": False, "original_date": True})
    except Exception as exc:  # trafilatura raises many kinds on odd markup; fall back
        warnings.append(f"trafilatura failed ({type(exc).__name__}: {exc}); "
                        "used the page's visible text outside navigation and footers")
    main_text = ""
    if extracted is not None:
        main_text = extracted.text or ""
        for key in ("title", "date", "sitename", "author", "hostname", "description"):
            value = getattr(extracted, key, None)
            if value:
                metadata[key] = value
        if "date" not in metadata:
            guessed = _date_in_page(source)
            if guessed:
                metadata["date"] = guessed
    if metadata.get("date"):
        metadata["date"] = _as_written(str(metadata["date"]), source)
    kept = _select(body_blocks, _norm(main_text)) if main_text else []
    if not kept:
        kept = [b for b in body_blocks if not b.boilerplate]
        if kept:
            warnings.append("no main article text recognised; used the page's visible text "
                            "outside navigation, footers and comment sections")
    if "date" not in metadata:
        written = _date_above(body_blocks, kept)
        if written:
            metadata["date"] = written
    title_piece = None
    title_text = metadata.get("title")
    if title_text:
        for block in blocks:
            if _norm(block.piece.text) == _norm(title_text):
                title_piece = block.piece
                break
    elif page_title is not None:
        title_piece = page_title.piece
    # Drop the headline from the body when it repeats the title.
    if title_text and kept and kept[0].kind == "heading" and _norm(kept[0].piece.text) == _norm(
            title_text):
        title_piece = kept[0].piece
        kept = kept[1:]
    return HtmlArticle(kept, title_piece, metadata, warnings)


def _select(blocks: list[Block], main: str) -> list[Block]:
    """Blocks whose text trafilatura kept, matched in order."""
    kept: list[Block] = []
    cursor = 0
    for block in blocks:
        if block.kind == "caption" and not block.boilerplate:
            kept.append(block)  # provisional: kept only if article text follows it
            continue
        text = _norm(block.piece.text)
        if not text:
            continue
        words = len(text.split())
        pos = main.find(text, cursor)
        if pos < 0:
            continue
        if words < 5 and block.kind != "caption":
            # Short blocks (menu items, labels) must come next in the main text, or be
            # headings somewhere close, to avoid matching a word inside a paragraph.
            gap = main[cursor:pos].strip()
            if gap and not (block.kind == "heading" and len(gap) < 40):
                continue
        kept.append(block)
        cursor = pos + len(text)
    # A caption counts when it sits inside the article, between two kept blocks.
    while kept and kept[-1].kind == "caption" and _norm(kept[-1].piece.text) not in main:
        kept.pop()
    return kept
