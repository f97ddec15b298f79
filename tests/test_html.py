"""HTML input: main text out of a page, boilerplate left behind, offsets into the source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import assert_offsets_into_source
from storyline.ingest.html import extract_article, parse_blocks
from storyline.model import Document
from storyline.pipeline import CLEAN_STAGES, Pipeline

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"
HARBOR = CORPUS / "harbor-times_earlier-visit.html"


def run_html(source: str, name: str = "page.html") -> Document:
    doc = Document(source=name, name=name, raw=source, format="html", markup="html")
    return Pipeline(CLEAN_STAGES)(doc)


def texts(doc: Document) -> list[str]:
    return [doc.text[p.start:p.end] for p in doc.paragraphs]


# ---------------------------------------------------------------------------
# The example page
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harbor() -> Document:
    return run_html(HARBOR.read_text(encoding="utf-8"), HARBOR.name)


def test_html_harbor_boilerplate_absent(harbor: Document) -> None:
    for gone in ("AbuSami_Trucks", "Any quota above zero is mining water",
                 "Metering every well is the only sensible idea",  # comments
                 "Reader comments", "Post comment", "Join the discussion",
                 "Related stories", "Stranded in Ruwaished", "Who owns fossil water",  # aside
                 "Business & Ports", "Home", "Subscribe",  # nav
                 "© 2026 The Harbor Times", "All rights reserved", "Privacy policy",  # footer
                 "htConfig", "createElement", "comments.min.js", "schema.org",  # scripts
                 "independent daily since 1998", "Tags:"):
        assert gone not in harbor.text, gone
    assert all(not c.text.startswith("Two officials") for c in harbor.captions)


def test_html_harbor_body_paragraphs_in_order(harbor: Document) -> None:
    paragraphs = texts(harbor)
    assert len(paragraphs) == 8
    starts = ["Jordan’s water minister and Iraq’s top border-waters official agreed",
              "Khaled el-Rawashdeh, Jordan’s Minister of Water & Irrigation, flew to Baghdad",
              "Iraqi authorities closed the crossing in late November",
              '"We agreed that the commission will meet again, in Amman,',
              "«نحن لا نغلق الحدود في وجه أشقائنا",
              '"We do not close the border in the face of our brothers',
              "In Amman, government spokesman Faris al-Qudah said",
              "The closure is costing Jordanian exporters an estimated $1.3 million a day"]
    for paragraph, start in zip(paragraphs, starts, strict=True):
        assert paragraph.startswith(start), (paragraph[:60], start)
    assert paragraphs[-1].endswith("adding up to two days to each trip.")
    assert all(p.kind == "body" for p in harbor.paragraphs)


def test_html_harbor_headline_not_in_body(harbor: Document) -> None:
    assert harbor.title is not None
    title = "Jordan and Iraq agree to revive water commission as Bir Marfa crossing stays shut"
    assert harbor.title.text == title
    assert title not in harbor.text
    assert harbor.evidence["title"].method == "html:title"
    span = harbor.title.span
    assert span is not None
    assert harbor.raw[span[0]:span[1]] == title


def test_html_harbor_dateline_from_entity_dash(harbor: Document) -> None:
    assert harbor.dateline == "Baghdad"
    assert not harbor.text.startswith("BAGHDAD")


def test_html_harbor_entities_decoded(harbor: Document) -> None:
    assert "&#8217;" not in harbor.text and "&amp;" not in harbor.text
    assert "&quot;" not in harbor.text
    assert "Minister of Water & Irrigation" in harbor.text
    assert "Aqaba Freight Forwarders’ Association" in harbor.text


def test_html_harbor_caption_kept_without_credit(harbor: Document) -> None:
    assert [c.text for c in harbor.captions] == [
        "Jordanian Water Minister Khaled el-Rawashdeh (left) and Mohammed Shakir al-Obeidi, "
        "chairman of Iraq’s General Authority for Border Waters, speak to reporters in "
        "Baghdad on January 21, 2026."]
    assert "Harbor Times/Omar Saleh" not in harbor.text
    assert "speak to reporters in Baghdad on January 21" not in harbor.text
    caption = harbor.captions[0]
    assert caption.span is not None
    assert harbor.raw[caption.span[0]:caption.span[1]].startswith(
        "Jordanian Water Minister Khaled el-Rawashdeh (left)")


def test_html_harbor_metadata(harbor: Document) -> None:
    assert harbor.published == dt.date(2026, 1, 22)
    assert harbor.evidence["published"].method == "html:meta"
    assert harbor.outlet == "The Harbor Times"
    assert harbor.evidence["outlet"].method == "html:site-name"
    assert harbor.page["sitename"] == "The Harbor Times"
    assert harbor.language == "en"


def test_html_harbor_arabic_paragraph_rtl(harbor: Document) -> None:
    [arabic] = [p for p in harbor.paragraphs if p.language == "ar"]
    assert arabic.direction == "rtl"
    assert harbor.text[arabic.start:arabic.end] == (
        "«نحن لا نغلق الحدود في وجه أشقائنا، لكننا لن نسمح باستنزاف مياه أجيالنا القادمة»")
    others = [p for p in harbor.paragraphs if p is not arabic]
    assert all((p.language, p.direction) == ("en", "ltr") for p in others)


def test_html_harbor_offsets_map_into_source(harbor: Document) -> None:
    assert_offsets_into_source(harbor)
    first = harbor.paragraphs[0]
    s, _ = harbor.original_span(first.start, first.end)
    assert harbor.raw[s:].startswith("Jordan&#8217;s water minister")
    # A character written as an entity maps to the entity's '&'.
    i = harbor.text.index("Water & Irrigation") + len("Water ")
    o = harbor.offsets.original(i)
    assert harbor.raw[o:o + 5] == "&amp;"


# ---------------------------------------------------------------------------
# Small hand-written pages
# ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lighthouse keepers return to Skerra Point | Coastline Chronicle</title>
<meta property="og:site_name" content="Coastline Chronicle">
<meta property="og:title" content="Lighthouse keepers return to Skerra Point">
<meta property="article:published_time" content="2025-11-04T08:15:00Z">
<script>var trackingCode = "SECRET-SCRIPT-TEXT";</script>
<style>.story { color: #123456; }</style>
</head><body>
<nav class="menu"><ul><li><a href="/">Front page</a></li><li><a href="/coast/">Coastal news</a>
</li><li><a href="/weather/">Weather desk</a></li></ul></nav>
<main><article>
<h1>Lighthouse keepers return to Skerra Point</h1>
<figure><img src="/img/lamp.jpg" alt="lamp"><figcaption>The restored lamp room at Skerra Point
on November 3, 2025. <span>Photo: Coastline Picture Desk</span></figcaption></figure>
<p>Two keepers moved back into the Skerra Point lighthouse on Monday, forty years after the
light was automated and the last staff left the rocky headland.</p>
<p>The coastal trust that owns the tower said the keepers would guide visitors, record the
weather every three hours and look after the restored brass lamp.</p>
<p>&quot;It feels like the building has woken up again,&quot; said Ilse Marrow, one of the two
keepers, who grew up in the fishing village below the cliffs.</p>
<p>The trust expects about twelve thousand visitors next summer &amp; hopes the income will
pay for a new roof on the keepers&#8217; cottage.</p>
</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Storm damages harbour
wall at Skerra Bay</a></li><li><a href="/b">Ferry timetable cut for the winter season</a></li>
</ul></aside>
<section id="comments" class="comments"><h2>Reader comments</h2>
<div class="comment"><p>Wonderful news for the whole peninsula, I will visit with my
grandchildren.</p></div>
<div class="comment"><p>Waste of public money on an old tower nobody needs anymore.</p></div>
</section>
</main>
<footer><p>&copy; 2025 Coastline Chronicle. All rights reserved.</p>
<p>Contact the newsroom desk</p></footer>
<script>document.write("ANOTHER-SCRIPT-STRING");</script>
</body></html>
"""

PAGE_BODY = [
    "Two keepers moved back into the Skerra Point lighthouse on Monday, forty years after "
    "the light was automated and the last staff left the rocky headland.",
    "The coastal trust that owns the tower said the keepers would guide visitors, record "
    "the weather every three hours and look after the restored brass lamp.",
    '"It feels like the building has woken up again," said Ilse Marrow, one of the two '
    "keepers, who grew up in the fishing village below the cliffs.",
    "The trust expects about twelve thousand visitors next summer & hopes the income will "
    "pay for a new roof on the keepers’ cottage.",
]


def test_html_small_page_body_only() -> None:
    doc = run_html(PAGE)
    assert texts(doc) == PAGE_BODY
    for gone in ("Front page", "Coastal news", "Weather desk", "Related stories",
                 "Storm damages harbour", "Reader comments", "Wonderful news",
                 "Waste of public money", "Coastline Chronicle", "newsroom desk",
                 "SECRET-SCRIPT-TEXT", "ANOTHER-SCRIPT-STRING", "#123456"):
        assert gone not in doc.text, gone


def test_html_small_page_metadata_and_caption() -> None:
    doc = run_html(PAGE)
    assert doc.title is not None
    assert doc.title.text == "Lighthouse keepers return to Skerra Point"
    assert doc.published == dt.date(2025, 11, 4)
    assert doc.evidence["published"].method == "html:meta"
    assert doc.outlet == "Coastline Chronicle"
    assert doc.evidence["outlet"].method == "html:site-name"
    assert [c.text for c in doc.captions] == [
        "The restored lamp room at Skerra Point on November 3, 2025."]
    assert "Picture Desk" not in doc.text
    assert "restored lamp room" not in doc.text


def test_html_small_page_offsets_map_into_source() -> None:
    doc = run_html(PAGE)
    assert_offsets_into_source(doc)
    for p, expected in zip(doc.paragraphs, PAGE_BODY, strict=True):
        s, _ = doc.original_span(p.start, p.end)
        assert PAGE[s:].startswith(expected.split()[0].replace('"', "&quot;"))
    last = doc.paragraphs[-1]
    s, e = doc.original_span(last.start, last.end)
    assert PAGE[s:e].startswith("The trust expects about twelve thousand visitors next summer "
                                "&amp; hopes")


def test_html_malformed_markup_still_yields_text() -> None:
    page = (
        '<html><body><div class="story"><p>The old mill at Harrow Creek will be turned into '
        "a library, the town council decided on Thursday evening after a long debate.\n"
        "<p>Builders will start work in the spring and the library should open its doors in "
        "the autumn of next year, the council said.</div></div>\n"
        "<p>Local historians welcomed the plan and offered to lend <b>photographs of the mill "
        "for an exhibition in the new reading room.</span>\n"
        "</body>"
    )
    doc = run_html(page)
    assert texts(doc) == [
        "The old mill at Harrow Creek will be turned into a library, the town council decided "
        "on Thursday evening after a long debate.",
        "Builders will start work in the spring and the library should open its doors in the "
        "autumn of next year, the council said.",
        "Local historians welcomed the plan and offered to lend photographs of the mill for an "
        "exhibition in the new reading room.",
    ]
    assert_offsets_into_source(doc)


def test_html_tiny_fragment_yields_text() -> None:
    source = "<p>One short paragraph here.</p><p>Another.</p>"
    doc = run_html(source)
    assert texts(doc) == ["One short paragraph here.", "Another."]
    assert doc.offsets.original(0) == source.index("One")
    assert_offsets_into_source(doc)


def test_html_fallback_when_extractor_finds_nothing_is_reported() -> None:
    # trafilatura finds no article in a lone table cell (tables are excluded); the page's
    # visible text is used instead, and (html.py's docstring) "a warning says so".
    source = ("<table><tr><td>The lake froze over for the first time in twenty years on "
              "Sunday night.</td></tr></table>")
    doc = run_html(source)
    assert texts(doc) == [
        "The lake froze over for the first time in twenty years on Sunday night."]
    assert any("no main article text recognised" in w for w in doc.warnings), doc.warnings


def test_html_paragraph_with_inline_markup_and_entities_maps_back() -> None:
    source = ("<article><p>The <a href='/x'>river authority</a> said the water had risen by "
              "1&nbsp;metre &ndash; the highest level since 1998 &ndash; and asked people to "
              "keep away from the banks.</p><p>Two <em>villages</em> were evacuated overnight "
              "as a precaution, a spokeswoman for the authority said on Friday.</p></article>")
    doc = run_html(source)
    assert texts(doc) == [
        "The river authority said the water had risen by 1 metre – the highest level since "
        "1998 – and asked people to keep away from the banks.",
        "Two villages were evacuated overnight as a precaution, a spokeswoman for the "
        "authority said on Friday.",
    ]
    assert_offsets_into_source(doc)
    i = doc.text.index("–")
    assert source[doc.offsets.original(i):].startswith("&ndash;")


# ---------------------------------------------------------------------------
# The block parser and extractor directly
# ---------------------------------------------------------------------------


def test_html_parse_blocks_marks_boilerplate_and_skips_scripts() -> None:
    source = ("<nav><p>Menu item text</p></nav><div class='comments'><p>A reader said so."
              "</p></div><script>var x = 'hidden';</script><p>Body text here.</p>"
              "<footer>Footer words</footer>")
    blocks = parse_blocks(source)
    assert [(b.piece.text, b.boilerplate) for b in blocks] == [
        ("Menu item text", True), ("A reader said so.", True), ("Body text here.", False),
        ("Footer words", True)]
    body = blocks[2]
    assert source[body.piece.offsets[0]:body.piece.offsets[-1] + 1] == "Body text here."


def test_html_parse_blocks_direction_language_and_kinds() -> None:
    source = ("<h2>Sub Heading</h2><figure><figcaption>A caption.</figcaption></figure>"
              "<blockquote dir='rtl' lang='ar'><p>نص عربي قصير</p></blockquote>")
    blocks = parse_blocks(source)
    assert [(b.piece.text, b.kind, b.direction, b.language) for b in blocks] == [
        ("Sub Heading", "heading", None, None),
        ("A caption.", "caption", None, None),
        ("نص عربي قصير", "body", "rtl", "ar")]


def test_html_extract_article_harbor_blocks_exclude_boilerplate() -> None:
    article = extract_article(HARBOR.read_text(encoding="utf-8"))
    joined = "\n".join(b.piece.text for b in article.blocks)
    assert "AbuSami_Trucks" not in joined
    assert "Stranded in Ruwaished" not in joined
    assert "© 2026 The Harbor Times" not in joined
    assert article.metadata["date"] == "2026-01-22"
    assert article.metadata["sitename"] == "The Harbor Times"
    assert article.blocks[0].kind == "caption"


def test_html_text_after_skipped_element_is_not_boilerplate() -> None:
    # A <button> (skipped) holding a span whose class says "share" must not make the rest
    # of the story look like boilerplate: the caption below it is part of the article.
    source = (
        '<div class="story"><button type="button"><span class="share-label">Share</span>'
        "</button>\n"
        "<figure><figcaption>A ferry leaves the harbour at dawn on June 2, 2025. "
        "Photo: Port Desk</figcaption></figure>\n"
        "<p>The ferry company added three sailings a day for the summer season, its director "
        "said on Monday morning.</p>\n"
        "<p>Tickets for the new evening crossings go on sale next week at the harbour office "
        "and online.</p></div>"
    )
    blocks = parse_blocks(source)
    assert [b.boilerplate for b in blocks] == [False, False, False]
    doc = run_html(source)
    assert [c.text for c in doc.captions] == ["A ferry leaves the harbour at dawn on June 2, 2025."]


def _page(body: str) -> str:
    return ("<!DOCTYPE html><html><head><title>Ferry sails again | Korsa Echo</title>"
            '<meta property="og:site_name" content="Korsa Echo"></head><body>'
            "<article><h1>Ferry sails again</h1>" + body + "</article></body></html>")


def test_html_a_year_in_a_sentence_is_not_the_pages_date() -> None:
    paragraphs = ("<p>The Korsa ferry, in service since 2015, resumed sailing on Monday after "
                  "three days of storms kept it in Velmar harbour.</p>"
                  "<p>The operator said a second boat would join it for the holiday weekend "
                  "and that fares would stay the same for residents of the island.</p>")
    doc = run_html(_page(paragraphs))
    assert doc.published is None
    # a full date shown in the page (a byline box) still dates it
    doc = run_html(_page('<div class="byline">Ilse Varn &mdash; <span class="date">Sept 5, '
                         "2026</span></div>" + paragraphs))
    assert doc.published == dt.date(2026, 9, 5)


def test_html_a_date_written_in_another_language_above_the_text_dates_the_page() -> None:
    """htmldate reads English dates in a byline box; a box above the article's text with
    a date in another language's month names dates the page too, not one inside it."""
    paragraphs = ("<p>ارتفعت حصيلة ضحايا انفجار في فرن بمدينة كورسا إلى ثمانية قتلى بعد وفاة "
                  "امرأة متأثرة بجروحها فجر اليوم الأحد في المستشفى الوطني.</p>"
                  "<p>وقال متحدث باسم الدفاع المدني إن الانفجار وقع صباح السبت حين كان "
                  "عشرات الأشخاص ينتظرون أمام الفرن للحصول على الخبز.</p>")
    from storyline.ingest.html import extract_article

    box = ('<div class="meta"><span>كورسا – صدى كورسا</span> · <span>'
           "الأحد 6 أيلول/سبتمبر 2026</span></div>")
    assert extract_article(_page(paragraphs)).metadata.get("date") is None
    found = extract_article(_page(box + paragraphs)).metadata["date"]
    assert found.endswith("الأحد 6 أيلول/سبتمبر 2026")
    assert run_html(_page(box + paragraphs)).published == dt.date(2026, 9, 6)
    first, second = paragraphs.split("</p>", 1)  # below the text's first paragraph: not
    assert extract_article(_page(first + "</p>" + box + second)).metadata.get("date") is None


def test_html_a_numeric_date_the_page_writes_only_so_is_settled_by_the_text() -> None:
    """trafilatura reads "09/08/2026" in a byline day first (9 August); the page writes
    it no other way, so the cleaning stage settles it: the lead's Tuesday is 8 September
    (9 August 2026 is a Sunday). A date the markup also gives in ISO 8601 is kept."""
    from storyline.ingest.html import _as_written

    paragraphs = ("<p>About 600 dock workers at the port of Korsa walked out on Tuesday "
                  "over plans to automate two cranes, the union said.</p>"
                  "<p>The stevedoring company said talks would resume on Thursday and that "
                  "ships would be diverted to the next harbour in the meantime.</p>")
    byline = '<p class="byline">By Ilse Varn | <time>09/08/2026</time> 11:40</p>'
    doc = run_html(_page(byline + paragraphs))
    assert doc.published == dt.date(2026, 9, 8)
    assert _as_written("2026-08-09", byline) == "09/08/2026"
    assert _as_written("2026-08-09", byline + '<meta content="2026-08-09">') == "2026-08-09"
    assert _as_written("2026-08-09", "<p>13/08/2026</p>") == "2026-08-09"


def test_html_paragraphs_with_zero_width_non_joiners_are_kept() -> None:
    """trafilatura drops the zero-width non-joiner that Persian writes inside words
    ("سه‌شنبه", "می‌گوید"); the page's paragraphs, which keep it, still match its text, so
    the body is not lost (it had been reduced to the headline)."""
    page = ("<!DOCTYPE html><html lang='fa'><head><meta charset='utf-8'>"
            "<title>سیلاب در کرسا | روزنامه نمونه</title></head><body><article>"
            "<h1>سیلاب در کرسا</h1>"
            "<p class='date'>سه\u200cشنبه ۱۴ میزان ۱۴۰۵</p>"
            "<p>سیلاب روز سه\u200cشنبه بخش\u200cهایی از شهر کرسا را فرا گرفت و دست\u200cکم "
            "۱۲ خانه ویران شد.</p>"
            "<p>مسئولان محلی می\u200cگویند که آب رودخانه در طول شب دو متر بالا آمد و "
            "راه\u200cهای روستایی بسته شد.</p></article></body></html>")
    doc = run_html(page)
    body = " ".join(texts(doc))
    assert "۱۲ خانه ویران شد" in body and "دو متر بالا آمد" in body
    assert doc.published == dt.date(2026, 10, 6)
