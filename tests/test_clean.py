"""Cleaning through the real pipeline: paragraphs, boilerplate, metadata cues, provenance.

Articles here are invented for these tests. Documents are built by hand (no reader)
except for the example-corpus provenance checks, which read the bundled files.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_offsets_into_source
from storyline.errors import NoContent
from storyline.ingest.readers import read
from storyline.model import Document
from storyline.pipeline import CLEAN_STAGES, Pipeline

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

#: Characters cleaning removes (data/cleaning.yaml, invisible.always).
INVISIBLE = set("\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                "\u2066\u2067\u2068\u2069\u061c")


def run(raw: str, given: dict[str, Any] | None = None, fmt: str = "txt") -> Document:
    doc = Document(source="x.txt", name="x.txt", raw=raw, format=fmt, given=given or {})
    return Pipeline(CLEAN_STAGES)(doc)


def texts(doc: Document) -> list[str]:
    return [doc.text[p.start:p.end] for p in doc.paragraphs]


def normalise(original: str) -> str:
    """Invisible characters out, white space collapsed, ends stripped."""
    return " ".join("".join(ch for ch in original if ch not in INVISIBLE).split())


def assert_text_provenance(doc: Document) -> None:
    """For plain-text input: every paragraph's original span, normalised, is the
    paragraph; every non-space character of doc.text maps to the same character."""
    assert doc.offsets.length == len(doc.text)
    for p in doc.paragraphs:
        start, end = doc.original_span(p.start, p.end)
        assert 0 <= start < end <= len(doc.raw)
        assert normalise(doc.raw[start:end]) == doc.text[p.start:p.end]
    for i, ch in enumerate(doc.text):
        if not ch.isspace():
            assert doc.raw[doc.offsets.original(i)] == ch, (i, ch)


# ---------------------------------------------------------------------------
# Hand-written articles
# ---------------------------------------------------------------------------

WRAPPED_BLANK = (
    "The harbour council of Port Velmar voted late on Tuesday to close the old\n"
    "fish market for a year of repairs, ending weeks of argument between traders\n"
    "and the city engineers who said the roof could fall at any moment.\n"
    "\n"
    "Traders said they would move their stalls to the car park beside the ferry\n"
    "terminal, where the council has promised water, light and a temporary awning\n"
    "for the winter months ahead of the busy spring season.\n"
    "\n"
    "A spokeswoman for the council said the repairs would cost about four million\n"
    "crowns and that the market should reopen before the summer festival next year.\n"
)

WRAPPED_NO_BLANK = (
    "The harbour council of Port Velmar voted late on Tuesday to close the old fish\n"
    "market for a year of repairs, ending weeks of argument between traders and the\n"
    "city engineers who said the roof could fall at any moment.\n"
    "Traders said they would move their stalls to the car park beside the ferry\n"
    "terminal, where the council has promised water, light and a temporary awning\n"
    "for the winter months ahead of the busy spring season.\n"
    "A spokeswoman for the council said the repairs would cost about four million\n"
    "crowns and that the market should reopen before the summer festival.\n"
)

ONE_PER_LINE = (
    "Officials in Dunmore asked residents to save water during the long heatwave.\n"
    "“We are asking everyone to take shorter showers and skip the garden,” the mayor said.\n"
    "Will the reservoir last until the autumn rains arrive?\n"
    "Engineers at the water board say it will, if the rain returns in September.\n"
)

HEADINGS = (
    "The ferry line between Port Velmar and the island of Korsa will resume sailings "
    "next week, the operator said on Wednesday.\n"
    "Engineers finished work on the damaged pier after nine days of repairs, a spokesman "
    "said.\n"
    "Timetable Changes for the Winter\n"
    "The first boat will leave at six in the morning and the last one at nine in the "
    "evening.\n"
    "What Islanders Say\n"
    "Islanders welcomed the news after a long week without a regular service.\n"
)

COMMENT_TAIL = (
    "The mayor of Dunmore announced on Friday that the old tram bridge would be closed "
    "to cars from next month.\n"
    "Cyclists and pedestrians will still be able to cross while engineers check the "
    "steel supports.\n"
    "Comments\n"
    "Dunmore Gazette moderates all comments on this page and removes abuse.\n"
    "Read our community guidelines before you post.\n"
    "Post a comment\n"
)

TWEET = (
    "The river authority posted a warning about rising water levels on its account.\n"
    "Water in the lower basin is rising fast, please stay away from the banks tonight "
    "pic.twitter.com/AbC123xyz— River Authority (@RiverAuthDun) February 4, 2026\n"
    "pic.twitter.com/xyz\n"
    "Emergency crews were sent to three villages along the lower river on Friday night.\n"
)

CAPTION = (
    "Farmers load sacks of grain onto a truck near Kessel on February 9, 2026. "
    "Photo: Northern Wire Agency\n"
    "Grain prices in the Kessel region rose sharply this week after heavy snow closed "
    "the mountain roads.\n"
    "Traders said stocks in the town warehouses would last about two weeks.\n"
)

DATE_LABEL = (
    "date 2026-02-03 Orchard growers fear late frost\n"
    "Fruit growers in the Kessel valley said a cold night on Monday damaged many of the "
    "apricot blossoms.\n"
    "Local officials will visit the orchards on Friday to count the losses.\n"
)

OUTLET_PREFIX = (
    "Velmar Daily/ The ferry line between Port Velmar and the island of Korsa will "
    "resume sailings next week, the operator said on Wednesday.\n"
    "Engineers finished work on the damaged pier after nine days of repairs.\n"
)

DATELINE = (
    "BASRA, Iraq - The city's new water plant started pumping on Sunday, officials said.\n"
    "The plant will serve about forty thousand homes in the northern districts.\n"
    "Residents of the southern districts will be connected later this year.\n"
)

INVISIBLES = (
    "The new co\u200boperative bank opened its first branch in the market square on "
    "Monday morning.\n"
    "\u200fA clerk said that \u202eforty\u202c accounts were opened within the first hour.\n"
    "The bank plans to open two more branches before the end of the year.\n"
)

ARABIC_MIXED = (
    "The council published a statement in Arabic after the meeting on Tuesday evening.\n"
    "قال رئيس المجلس البلدي إن أعمال الصيانة في السوق القديم ستنتهي قبل بداية فصل "
    "الصيف المقبل.\n"
    "The statement was also shared on the council website later that night.\n"
)

FIELDS_VS_CUES = (
    "date 2026-02-03 Orchard growers fear late frost\n"
    "Velmar Daily/ Fruit growers in the Kessel valley said a cold night on Monday "
    "damaged many of the apricot blossoms.\n"
    "Local officials will visit the orchards on Friday to count the losses.\n"
)

CRLF_TITLE = (
    "Ferry Service Resumes\r\n"
    "\r\n"
    "The ferry line between Port Velmar and Korsa resumed sailings on Monday.\r\n"
    "The first boat left at six in the morning.\r\n"
)

OWN_CASES = {
    "wrapped-blank": WRAPPED_BLANK,
    "wrapped-no-blank": WRAPPED_NO_BLANK,
    "one-per-line": ONE_PER_LINE,
    "headings": HEADINGS,
    "comment-tail": COMMENT_TAIL,
    "tweet": TWEET,
    "caption": CAPTION,
    "date-label": DATE_LABEL,
    "outlet-prefix": OUTLET_PREFIX,
    "dateline": DATELINE,
    "invisibles": INVISIBLES,
    "arabic": ARABIC_MIXED,
    "fields-vs-cues": FIELDS_VS_CUES,
    "crlf-title": CRLF_TITLE,
}


def test_clean_hard_wrapped_lines_rejoined_blank_lines_kept() -> None:
    doc = run(WRAPPED_BLANK)
    assert texts(doc) == [
        "The harbour council of Port Velmar voted late on Tuesday to close the old fish "
        "market for a year of repairs, ending weeks of argument between traders and the "
        "city engineers who said the roof could fall at any moment.",
        "Traders said they would move their stalls to the car park beside the ferry "
        "terminal, where the council has promised water, light and a temporary awning for "
        "the winter months ahead of the busy spring season.",
        "A spokeswoman for the council said the repairs would cost about four million "
        "crowns and that the market should reopen before the summer festival next year.",
    ]
    assert [p.meta.get("lines") for p in doc.paragraphs] == [3, 3, 2]
    assert doc.text == "\n\n".join(texts(doc))
    assert "\n" not in doc.text.replace("\n\n", "")


def test_clean_hard_wrapped_without_blank_lines_splits_at_short_sentence_end() -> None:
    doc = run(WRAPPED_NO_BLANK)
    assert len(doc.paragraphs) == 3
    assert texts(doc)[0].startswith("The harbour council of Port Velmar voted")
    assert texts(doc)[0].endswith("who said the roof could fall at any moment.")
    assert texts(doc)[1] == (
        "Traders said they would move their stalls to the car park beside the ferry "
        "terminal, where the council has promised water, light and a temporary awning for "
        "the winter months ahead of the busy spring season.")
    assert texts(doc)[2] == (
        "A spokeswoman for the council said the repairs would cost about four million "
        "crowns and that the market should reopen before the summer festival.")


def test_clean_one_paragraph_per_line_keeps_each_line() -> None:
    doc = run(ONE_PER_LINE)
    assert texts(doc) == [line for line in ONE_PER_LINE.split("\n") if line]
    assert all(p.kind == "body" for p in doc.paragraphs)
    assert all("lines" not in p.meta for p in doc.paragraphs)


def test_clean_title_case_subheadings_are_headings() -> None:
    doc = run(HEADINGS)
    assert [(p.kind, doc.text[p.start:p.end]) for p in doc.paragraphs] == [
        ("body", "The ferry line between Port Velmar and the island of Korsa will resume "
                 "sailings next week, the operator said on Wednesday."),
        ("body", "Engineers finished work on the damaged pier after nine days of repairs, "
                 "a spokesman said."),
        ("heading", "Timetable Changes for the Winter"),
        ("body", "The first boat will leave at six in the morning and the last one at nine "
                 "in the evening."),
        ("heading", "What Islanders Say"),
        ("body", "Islanders welcomed the news after a long week without a regular service."),
    ]


def test_clean_comment_policy_tail_removed_and_gives_outlet() -> None:
    doc = run(COMMENT_TAIL)
    assert texts(doc) == [
        "The mayor of Dunmore announced on Friday that the old tram bridge would be closed "
        "to cars from next month.",
        "Cyclists and pedestrians will still be able to cross while engineers check the "
        "steel supports.",
    ]
    for gone in ("Comments", "moderates", "guidelines", "Post a comment"):
        assert gone not in doc.text
    cues = [c for c in doc.cues if c.field == "outlet"]
    assert [(c.value, c.evidence.method) for c in cues] == [
        ("Dunmore Gazette", "text:comment-policy")]
    assert doc.outlet == "Dunmore Gazette"
    assert doc.evidence["outlet"].method == "text:comment-policy"
    span = doc.evidence["outlet"].span
    assert span is not None
    assert doc.raw[span[0]:span[1]] == "Dunmore Gazette moderates all comments"


def test_clean_tweet_embed_kept_as_embed_paragraph() -> None:
    doc = run(TWEET)
    assert [(p.kind, doc.text[p.start:p.end]) for p in doc.paragraphs] == [
        ("body", "The river authority posted a warning about rising water levels on its "
                 "account."),
        ("embed", "Water in the lower basin is rising fast, please stay away from the banks "
                  "tonight"),
        ("body", "Emergency crews were sent to three villages along the lower river on "
                 "Friday night."),
    ]
    embed = doc.paragraphs[1]
    assert embed.meta["handle"] == "RiverAuthDun"
    assert embed.meta["name"] == "River Authority"
    assert embed.meta["date"] == "February 4, 2026"
    start, end = embed.meta["trailer_span"]
    assert doc.raw[start:end].strip() == (
        "pic.twitter.com/AbC123xyz— River Authority (@RiverAuthDun) February 4, 2026")
    assert "pic.twitter.com" not in doc.text
    assert "@RiverAuthDun" not in doc.text


def test_clean_bare_pic_twitter_line_dropped() -> None:
    doc = run("The storm knocked down three power lines near the old quarry on Sunday.\n"
              "pic.twitter.com/xyz\n"
              "Crews restored electricity to most homes by the evening.\n")
    assert texts(doc) == [
        "The storm knocked down three power lines near the old quarry on Sunday.",
        "Crews restored electricity to most homes by the evening.",
    ]
    assert "pic.twitter" not in doc.text
    assert "xyz" not in doc.text


def test_clean_photo_caption_kept_apart_and_dates_the_article() -> None:
    doc = run(CAPTION)
    assert [c.text for c in doc.captions] == [
        "Farmers load sacks of grain onto a truck near Kessel on February 9, 2026."]
    caption = doc.captions[0]
    assert caption.kind == "caption"
    assert caption.span is not None
    assert CAPTION[caption.span[0]:caption.span[1]] == caption.text
    assert "Northern Wire Agency" not in caption.text
    assert "Farmers load sacks" not in doc.text
    assert "Photo" not in doc.text
    assert "Northern Wire Agency" not in doc.text
    assert texts(doc) == [
        "Grain prices in the Kessel region rose sharply this week after heavy snow closed "
        "the mountain roads.",
        "Traders said stocks in the town warehouses would last about two weeks.",
    ]
    assert doc.published == dt.date(2026, 2, 9)
    evidence = doc.evidence["published"]
    assert evidence.method == "text:caption-date"
    assert evidence.span is not None
    assert CAPTION[evidence.span[0]:evidence.span[1]] == "February 9, 2026"


def test_clean_date_label_line_gives_date_and_title() -> None:
    doc = run(DATE_LABEL)
    assert doc.published == dt.date(2026, 2, 3)
    assert doc.evidence["published"].method == "text:date-label"
    span = doc.evidence["published"].span
    assert span is not None
    assert DATE_LABEL[span[0]:span[1]] == "date 2026-02-03"
    assert doc.title is not None
    assert doc.title.text == "Orchard growers fear late frost"
    assert doc.title.evidence == "text:header-line"
    assert doc.evidence["title"].method == "text:header-line"
    assert doc.title.span is not None
    assert DATE_LABEL[doc.title.span[0]:doc.title.span[1]] == "Orchard growers fear late frost"
    assert "Orchard growers" not in doc.text
    assert "2026-02-03" not in doc.text
    assert texts(doc) == [
        "Fruit growers in the Kessel valley said a cold night on Monday damaged many of the "
        "apricot blossoms.",
        "Local officials will visit the orchards on Friday to count the losses.",
    ]


HEADER_CASES = [
    # (raw article, published, author, title, first paragraph)
    ("Ferry line resumes after storm\n\nBy Mira Castell | February 9, 2026\n\n"
     "PORT VELMAR - The ferry line resumed sailings on Monday after a three-day halt.\n",
     dt.date(2026, 2, 9), "Mira Castell", "Ferry line resumes after storm",
     "The ferry line resumed sailings on Monday after a three-day halt."),
    ("02/02/2026\n\nKessel council votes to close old bridge\n\nBy Aron Veldt\n\n"
     "The Kessel council voted on Monday to close the old river bridge to lorries.\n",
     dt.date(2026, 2, 2), "Aron Veldt", "Kessel council votes to close old bridge",
     "The Kessel council voted on Monday to close the old river bridge to lorries."),
    ("Korsa port strike ends\nPublished 15:32 GMT, 9 February 2026\nBy Lena Moss\n\n"
     "Dock workers in Korsa ended a week-long strike on Sunday, the union said.\n",
     dt.date(2026, 2, 9), "Lena Moss", "Korsa port strike ends",
     "Dock workers in Korsa ended a week-long strike on Sunday, the union said."),
    ("Orchard frost losses counted\n\nPublished 18:05 Velmar time, 13 January 2026\n\n"
     "Growers in the Kessel valley said frost had destroyed a third of the blossoms.\n",
     dt.date(2026, 1, 13), None, "Orchard frost losses counted",
     "Growers in the Kessel valley said frost had destroyed a third of the blossoms."),
    ("Velmar opens new tram line\n\nCity desk | Velmar Chronicle | 8 March 2026\n\n"
     "The first trams ran on the new eastern line on Sunday morning.\n",
     dt.date(2026, 3, 8), None, "Velmar opens new tram line",
     "The first trams ran on the new eastern line on Sunday morning."),
    ("Tuesday, 14 April 2026\n\nKorsa and Velmar sign fishing accord\n\n"
     "The two towns signed an accord on shared fishing grounds on Tuesday.\n",
     dt.date(2026, 4, 14), None, "Korsa and Velmar sign fishing accord",
     "The two towns signed an accord on shared fishing grounds on Tuesday."),
    ("Velmar Chronicle | 2 Apr 2026, 17:52\n\nKorsa ferry fares to rise\n\n"
     "Fares on the Korsa ferry will rise by a tenth from May, the operator said on Monday.\n",
     dt.date(2026, 4, 2), None, "Korsa ferry fares to rise",
     "Fares on the Korsa ferry will rise by a tenth from May, the operator said on Monday."),
    ("Velmar reaches the cup final\n\nSat 21 Mar 2026 | 10:00\n\n"
     "Velmar beat Korsa 2-1 on Friday night to reach their first cup final in a decade.\n",
     dt.date(2026, 3, 21), None, "Velmar reaches the cup final",
     "Velmar beat Korsa 2-1 on Friday night to reach their first cup final in a decade."),
    ("Korsa grain prices climb\n\nApril 16, 2026 — Velmar Business Weekly\n\n"
     "Grain prices in Korsa rose for a third week as the harvest was delayed by rain.\n",
     dt.date(2026, 4, 16), None, "Korsa grain prices climb",
     "Grain prices in Korsa rose for a third week as the harvest was delayed by rain."),
    ("Le port de Korsa rouvre\n\nPar Amina Velt\nPublié le 5 mars 2026 à 16h20\n\n"
     "Le port de Korsa a rouvert jeudi après trois jours de tempête, selon la capitainerie.\n",
     dt.date(2026, 3, 5), "Amina Velt", "Le port de Korsa rouvre",
     "Le port de Korsa a rouvert jeudi après trois jours de tempête, selon la capitainerie."),
    ("Korsa dock strike ends\n\n21.01.2026\n\n"
     "Dock workers in Korsa went back to work on Wednesday after a two-week strike.\n",
     dt.date(2026, 1, 21), None, "Korsa dock strike ends",
     "Dock workers in Korsa went back to work on Wednesday after a two-week strike."),
    ("Velmar library reopens\n\nPosted on 3rd of February 2026 | Velmar Chronicle\n\n"
     "The town library reopened on Monday after a year of building work.\n",
     dt.date(2026, 2, 3), None, "Velmar library reopens",
     "The town library reopened on Monday after a year of building work."),
    ("KORSA FERRY RESUMES\n\nMARCH 9, 2026\n\n"
     "The Korsa ferry resumed sailing on Monday after the storm.\n",
     dt.date(2026, 3, 9), None, "KORSA FERRY RESUMES",
     "The Korsa ferry resumed sailing on Monday after the storm."),
    ("Velmar budget passed\n\nBy Ilse Varn\n2026-03-12T09:15:00+01:00\n\n"
     "The Velmar council passed the budget on Thursday by nine votes to four.\n",
     dt.date(2026, 3, 12), "Ilse Varn", "Velmar budget passed",
     "The Velmar council passed the budget on Thursday by nine votes to four."),
    ("Korsa market fire\n\n2026/03/14 | Velmar Chronicle\n\n"
     "A fire destroyed six stalls in the Korsa covered market on Saturday.\n",
     dt.date(2026, 3, 14), None, "Korsa market fire",
     "A fire destroyed six stalls in the Korsa covered market on Saturday."),
    ("افتتاح جسر جديد في كورسا\n\nالمنارة - كورسا | ١٠ شباط ٢٠٢٦\n\n"
     "افتتحت بلدية كورسا اليوم الثلاثاء جسراً جديداً فوق النهر.\n",
     dt.date(2026, 2, 10), None, "افتتاح جسر جديد في كورسا",
     "افتتحت بلدية كورسا اليوم الثلاثاء جسراً جديداً فوق النهر."),
]


def test_clean_a_title_case_dateline_with_a_full_date_dates_the_article() -> None:
    raw = ("Presiden meresmikan jembatan Korsa\n\n"
           "Velmar, 27 Agustus 2026 - Presiden meresmikan jembatan baru di atas sungai "
           "Korsa pada Kamis pagi.\n\nJembatan itu dibangun selama dua tahun.\n")
    doc = run(raw)
    assert doc.published == dt.date(2026, 8, 27)
    evidence = doc.evidence["published"]
    assert evidence.method == "text:dateline" and evidence.span is not None
    assert raw[evidence.span[0]:evidence.span[1]] == "27 Agustus 2026"
    assert doc.dateline == "Velmar"
    assert texts(doc)[0].startswith("Presiden meresmikan jembatan baru")
    # a place in title case without a date is not a dateline
    doc = run("Korsa bridge opens\n\nVelmar, the capital, opened a bridge on Thursday. "
              "It took two years.\n")
    assert doc.dateline is None and texts(doc)[0].startswith("Velmar, the capital")


@pytest.mark.parametrize(("line", "published"), [
    ("Agosto 25, 2026", dt.date(2026, 8, 25)),
    ("Lumajang, 3 Oktober 2026", dt.date(2026, 10, 3)),
    ("3. März 2026", dt.date(2026, 3, 3)),
    ("12 maggio 2026", dt.date(2026, 5, 12)),
    ("Kuala Lumpur, 9 Ogos 2026", dt.date(2026, 8, 9)),
])
def test_clean_month_names_of_more_languages(line: str, published: dt.date) -> None:
    doc = run(f"Korsa ferry sails again\n\n{line}\n\n"
              "The Korsa ferry resumed sailing on Monday after the storm.\n")
    assert doc.published == published
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm."]


@pytest.mark.parametrize(("header", "published"), [
    ("Τρίτη 21 Ιουλίου 2026 - 12:30", dt.date(2026, 7, 21)),
    ("14 Temmuz 2026 Salı, 19:48", dt.date(2026, 7, 14)),
    ("الأربعاء ٥ آب (أغسطس) ٢٠٢٦ - ١١:٢٠", dt.date(2026, 8, 5)),
    ("Pubblicato il 10 giugno 2026 alle 08:15 | Ultimo aggiornamento: 10 giugno 2026, 13:40",
     dt.date(2026, 6, 10)),
    ("Algeciras, lunes 21 de septiembre de 2026 - 19:32 h", dt.date(2026, 9, 21)),
    ("The Korsa Ledger, 24 June 2026 - 14:55", dt.date(2026, 6, 24)),
    ("Last updated 28-07-2026 23:50", dt.date(2026, 7, 28)),
    ("Le 12 juin 2026 à 18h30 — Mis à jour le 12 juin 2026 à 21h05", dt.date(2026, 6, 12)),
    ("2026年6月23日 12時40分（最終更新 6月23日 18時02分）", dt.date(2026, 6, 23)),
    ("2026-09-16 17:42\u3000来源：东方晨讯\u3000作者：许佳宁", dt.date(2026, 9, 16)),
    ("东方晨讯 2026年10月07日 09:26  来源：东方晨讯", dt.date(2026, 10, 7)),
    ("입력 2026.07.14 21:16 | 수정 2026.07.15 08:40", dt.date(2026, 7, 14)),
    ("2026 оны 11 сарын 3, 14:22", dt.date(2026, 11, 3)),
])
def test_clean_date_lines_of_more_forms(header: str, published: dt.date) -> None:
    doc = run(f"Korsa ferry sails again\n\n{header}\n\n"
              "The Korsa ferry resumed sailing on Monday after the storm.\n")
    assert doc.published == published
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm."]


def test_clean_a_standfirst_does_not_end_the_header_and_a_closing_date_line_dates() -> None:
    raw = ("Korsa ferry sails again\n\n"
           "The operator restores the crossing after three days and promises a second boat "
           "for the holiday weekend; fares stay the same\n\n"
           "By Ilse Varn\n12.06.2026 - 18:30\n\n"
           "The Korsa ferry resumed sailing on Monday after the storm.\n")
    doc = run(raw)
    assert doc.published == dt.date(2026, 6, 12) and doc.extra.get("author") == "Ilse Varn"
    assert texts(doc)[-1] == "The Korsa ferry resumed sailing on Monday after the storm."
    doc = run("Korsa ferry sails again\n\nThe Korsa ferry resumed sailing on Monday.\n\n"
              "It carried 300 people.\n\nVelmar Evening Herald, 8 September 2026\n")
    assert doc.published == dt.date(2026, 9, 8)
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday.", "It carried 300 people."]
    # a closing sentence with a date stays
    doc = run("Korsa ferry sails again\n\nThe Korsa ferry resumed sailing on Monday.\n\n"
              "Polls close 3 March 2026.\n")
    assert texts(doc)[-1] == "Polls close 3 March 2026."


def test_clean_tags_and_arabic_credit_lines_leave_the_text() -> None:
    for tail in ("Tags: Korsa, ferries, storm", "(Velmar Press Service)",
                 "(Velmar Press Service; editing by Ilse Varn)", "The Korsa Ledger, with agencies",
                 "Wire", "اقرأ أيضاً: انقطاع الكهرباء في كورسا", "تابعونا على فيسبوك وتلغرام"):
        doc = run("Korsa ferry sails again\n\nThe Korsa ferry resumed sailing on Monday.\n\n"
                  f"{tail}\n")
        assert texts(doc) == ["The Korsa ferry resumed sailing on Monday."], tail
    doc = run("استئناف رحلات عبّارة كورسا\n\nالمنارة - اقتصاد\nكتبت: ريم الحاج\n\n"
              "استأنفت عبّارة كورسا رحلاتها يوم الاثنين بعد العاصفة.\n")
    assert texts(doc) == ["استأنفت عبّارة كورسا رحلاتها يوم الاثنين بعد العاصفة."]
    assert doc.outlet == "المنارة"


def test_clean_links_credits_and_promotion_leave_the_text() -> None:
    raw = ("Korsa ferry sails again\n\nMonsoon Herald staff with agencies\n\n"
           "The Korsa ferry resumed sailing on Monday after the storm.\n\n"
           "Read more: Velmar bridge closed after landslide\n\n"
           "More passengers are expected on Tuesday, the operator said.\n\n"
           "(Reporting by Ilse Varn; Editing by Tomas Brek)\n\n"
           "Follow The Monsoon Herald on Facebook and WhatsApp for breaking news.\n\n"
           "Baca juga:\n\n- Jembatan Velmar ditutup setelah longsor\n\n"
           "- Harga beras naik di pasar Korsa minggu ini menurut pedagang\n")
    doc = run(raw)
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm.",
                          "More passengers are expected on Tuesday, the operator said."]
    assert doc.outlet == "Monsoon Herald"
    # the first line is a title even when it looks like a link label
    doc = run("Editorial: Count the passengers\n\n"
              "Every launch on the river should carry a passenger counter.\n")
    assert doc.title is not None and doc.title.text == "Editorial: Count the passengers"


@pytest.mark.parametrize(("header", "author"), [
    ("Oleh: Dewi Lestari", "Dewi Lestari"),
    ("Reporter: Arief Santoso", "Arief Santoso"),
    ("Penulis: Yohan Rumbo | Editor: Dewi Lestari", "Yohan Rumbo"),
    ("Ni Marlon dela Paz", "Marlon dela Paz"),
    ("Staff Correspondent", None),
    ("Ilse Varn reporting from Velmar", None),
])
def test_clean_labelled_bylines_and_correspondents_leave_the_header(
        header: str, author: str | None) -> None:
    doc = run(f"Korsa ferry sails again\n\n{header}\n\n"
              "The Korsa ferry resumed sailing on Monday after the storm.\n")
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm."]
    assert doc.extra.get("author") == author


@pytest.mark.parametrize(("raw", "published", "author", "title", "first"), HEADER_CASES)
def test_clean_bylines_and_date_lines_are_metadata(raw: str, published: dt.date,
                                                   author: str | None, title: str,
                                                   first: str) -> None:
    doc = run(raw)
    assert doc.published == published
    assert doc.evidence["published"].method == "text:date-line"
    span = doc.evidence["published"].span
    assert span is not None and parse_date_text(raw[span[0]:span[1]]) == published
    assert doc.extra.get("author") == author
    if author is not None:
        author_span = doc.evidence["author"].span
        assert author_span is not None and raw[author_span[0]:author_span[1]] == author
    assert doc.title is not None and doc.title.text == title
    assert texts(doc)[0] == first
    assert all(not t.startswith(("By ", "Published")) for t in texts(doc))


@pytest.mark.parametrize(("line", "published"), [
    ("Friday 04/12/2026", dt.date(2026, 12, 4)),   # 4 December 2026 is a Friday
    ("Sunday 04/12/2026", dt.date(2026, 4, 12)),   # 12 April 2026 is a Sunday
    ("Wed, 04/12/2026", dt.date(2026, 4, 12)),     # neither: month first, as without one
    ("04/12/2026", dt.date(2026, 4, 12)),
    ("25/12/2026", dt.date(2026, 12, 25)),         # only the day-first reading is a date
])
def test_clean_a_weekday_tells_which_way_a_numeric_date_is_written(
        line: str, published: dt.date) -> None:
    raw = f"Korsa harbour crane collapses\n\n{line}\n\nA crane fell into the harbour.\n"
    doc = run(raw)
    assert doc.published == published
    span = doc.evidence["published"].span
    assert span is not None and raw[span[0]:span[1]] == line.split()[-1]


@pytest.mark.parametrize(("raw", "published", "author", "first"), [
    # Spanish and Portuguese date lines, labels and bylines
    ("Paro en el puerto de Korsa\n\nPor Inés Varela\nKorsa, 14 de abril de 2026 | 19:30\n\n"
     "Los estibadores de Korsa pararon el martes por un aumento salarial.\n",
     dt.date(2026, 4, 14), "Inés Varela", "Los estibadores de Korsa pararon"),
    ("Porto de Korsa reabre\n\nPublicado em 09/05/2026 às 18h40\nPor Júlia Venn\n\n"
     "O porto de Korsa reabriu no sábado depois de três dias de tempestade.\n",
     dt.date(2026, 5, 9), "Júlia Venn", "O porto de Korsa reabriu"),
    # a long title does not end the header
    ("Tragedia en la carretera de Korsa: nueve muertos al caer un autobús a un barranco "
     "junto al río\n\nRedacción Velmar\nPublicado: 2026-03-10 07:15\n\n"
     "Nueve personas murieron cuando un autobús cayó a un barranco cerca de Korsa.\n",
     dt.date(2026, 3, 10), None, "Nueve personas murieron"),
    # a date segment set off by a hyphen
    ("Velmar sprinter banned\n\nJune 16, 2026 - Velmar Sports (Athletics)\n\n"
     "The Velmar sprinter Ana Kessel was banned for two years on Tuesday.\n",
     dt.date(2026, 6, 16), None, "The Velmar sprinter Ana Kessel"),
    # "12/06/2026" settled by the lead's weekday (12 June 2026 is a Friday, 6 December a
    # Sunday), and day first in a language that writes it so
    ("Korsa cement workers ask for guarantees\n\n12/06/2026\n\n"
     "The union at the Korsa cement plant asked its new owners on Friday for written "
     "guarantees against job cuts.\n", dt.date(2026, 6, 12), None, "The union at"),
    ("Korsa vende o seu avançado\n\n03/06/2026 - 21h15\n\n"
     "O clube de Korsa vendeu o avançado Davi Kessel a um clube do estrangeiro por uma "
     "quantia recorde, anunciou a direção.\n", dt.date(2026, 6, 3), None, "O clube de Korsa"),
])
def test_clean_date_lines_in_other_languages_and_forms(raw: str, published: dt.date,
                                                       author: str | None, first: str) -> None:
    doc = run(raw)
    assert doc.published == published
    assert doc.evidence["published"].method == "text:date-line"
    assert doc.extra.get("author") == author
    assert texts(doc)[0].startswith(first)


@pytest.mark.parametrize(("credit", "outlet"), [
    ("Velmar Chronicle staff", "Velmar Chronicle"),
    ("Velmar Chronicle sports desk", "Velmar Chronicle"),
    ("The Korsa Times, Central Europe desk", "The Korsa Times"),
    ("Korsa Ledger | Energy", "Korsa Ledger"),
    ("Korsa Ledger - Business", "Korsa Ledger"),
    ("By Velmar Chronicle staff and agencies", "Velmar Chronicle"),
    ("Redacción Velmar Hoy", "Velmar Hoy"),
    ("Da Redação", None),
    ("Velmar Daily News", "Velmar Daily News"),
])
def test_clean_credit_lines_leave_the_text_and_name_the_outlet(credit: str,
                                                               outlet: str | None) -> None:
    raw = (f"Korsa ferry fares to rise\n\n{credit}\nApril 2, 2026\n\n"
           "Fares on the Korsa ferry will rise by a tenth from May, the operator said.\n")
    doc = run(raw)
    assert texts(doc)[0].startswith("Fares on the Korsa ferry")
    assert doc.published == dt.date(2026, 4, 2)
    assert doc.outlet == outlet
    if outlet is not None:
        assert doc.evidence["outlet"].method == "text:credit-line"
        span = doc.evidence["outlet"].span
        assert span is not None and raw[span[0]:span[1]] == outlet


def test_clean_a_credit_like_first_line_stays_the_title() -> None:
    doc = run("Velmar Chronicle staff\n\nThe Velmar Chronicle's staff voted to strike on "
              "Monday over pay, the union said.\n")
    assert doc.title is not None and doc.title.text == "Velmar Chronicle staff"


def parse_date_text(text: str) -> dt.date | None:
    """A date as a header line writes it (Arabic month names and digits included)."""
    from storyline.clean.metadata import parse_date
    from storyline.clean.rules import cleaning_rules

    rules = cleaning_rules()
    m = rules.named_date.fullmatch(text)
    if m is None:
        return parse_date(text)
    digits = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
    first = "first_" if m["first_month"] else ""  # "Agosto 25, 2026"
    return dt.date(int(m[first + "year"].translate(digits)),
                   rules.month_names[m[first + "month"].lower()],
                   int(m[first + "day"].translate(digits)))


@pytest.mark.parametrize("raw", [
    # A title with a date in it, and body sentences that start with "By" or name a date.
    "Harbour reopened on 4 November 2025 after repairs\n\nThe harbour of Korsa reopened "
    "to ships on Tuesday after a month of repairs, the port office said.\n",
    "Bridge vote\n\nBy the time the council met on February 3, 2026, the bridge had "
    "already been closed to lorries for a week.\n",
    "Bridge vote\n\nBy Monday the council had voted.\n\nThe bridge closed on "
    "February 3, 2026, and reopened later.\n",
])
def test_clean_lines_that_only_look_like_header_lines_stay_text(raw: str) -> None:
    doc = run(raw)
    assert doc.evidence.get("published") is None or \
        doc.evidence["published"].method != "text:date-line"
    assert doc.published is None
    assert "author" not in doc.extra


def test_clean_first_line_followed_by_blank_is_title() -> None:
    doc = run(CRLF_TITLE)
    assert doc.title is not None
    assert doc.title.text == "Ferry Service Resumes"
    assert doc.title.evidence == "text:first-line"
    assert texts(doc) == [
        "The ferry line between Port Velmar and Korsa resumed sailings on Monday.",
        "The first boat left at six in the morning.",
    ]
    assert "\r" not in doc.text


def test_clean_outlet_prefix_gives_outlet() -> None:
    doc = run(OUTLET_PREFIX)
    assert doc.outlet == "Velmar Daily"
    assert doc.evidence["outlet"].method == "text:outlet-prefix"
    span = doc.evidence["outlet"].span
    assert span is not None
    assert OUTLET_PREFIX[span[0]:span[1]].rstrip() == "Velmar Daily/"
    assert doc.text.startswith("The ferry line between Port Velmar")
    assert "Velmar Daily" not in doc.text


def test_clean_dateline_removed_and_kept_as_metadata() -> None:
    doc = run(DATELINE)
    assert doc.dateline == "Basra, Iraq"
    assert doc.evidence["dateline"].method == "text:dateline"
    assert texts(doc) == [
        "The city's new water plant started pumping on Sunday, officials said.",
        "The plant will serve about forty thousand homes in the northern districts.",
        "Residents of the southern districts will be connected later this year.",
    ]
    assert "BASRA" not in doc.text
    first = doc.paragraphs[0]
    assert doc.original_span(first.start, first.end)[0] == DATELINE.index("The city's")


def test_clean_removes_zero_width_and_bidi_controls() -> None:
    doc = run(INVISIBLES)
    for ch in ("\u200b", "\u200f", "\u202e", "\u202c"):
        assert ch not in doc.text
    assert texts(doc) == [
        "The new cooperative bank opened its first branch in the market square on Monday "
        "morning.",
        "A clerk said that forty accounts were opened within the first hour.",
        "The bank plans to open two more branches before the end of the year.",
    ]
    i = doc.text.index("cooperative") + 2  # the 'o' after the removed U+200B
    assert INVISIBLES[doc.offsets.original(i) - 1] == "\u200b"


def test_clean_arabic_paragraph_language_and_direction() -> None:
    doc = run(ARABIC_MIXED)
    assert [(p.language, p.direction) for p in doc.paragraphs] == [
        ("en", "ltr"), ("ar", "rtl"), ("en", "ltr")]
    assert [p.language_from for p in doc.paragraphs] == ["detected"] * 3
    assert doc.language == "en"
    assert texts(doc)[1].startswith("قال رئيس المجلس البلدي")


def test_clean_given_fields_win_over_text_cues() -> None:
    given = {"title": "Frost hits Kessel orchards",
             "published": "Thu, 12 Mar 2026 11:20:00 GMT",
             "outlet": "Kessel Courier"}
    doc = run(FIELDS_VS_CUES, given=given, fmt="json")
    # The text does hold competing cues ...
    assert {(c.field, c.value) for c in doc.cues} >= {
        ("published", "2026-02-03"), ("outlet", "Velmar Daily")}
    # ... but the fields win.
    assert doc.title is not None
    assert doc.title.text == "Frost hits Kessel orchards"
    assert doc.title.evidence == "field:title"
    assert doc.title.span is None
    assert doc.published == dt.date(2026, 3, 12)
    assert doc.outlet == "Kessel Courier"
    assert {k: doc.evidence[k].method for k in ("title", "published", "outlet")} == {
        "title": "field:title", "published": "field:published", "outlet": "field:outlet"}
    assert doc.evidence["published"].text == "Thu, 12 Mar 2026 11:20:00 GMT"
    assert doc.warnings == []


def test_clean_given_title_repeated_as_first_line_is_not_body() -> None:
    raw = ("Frost hits Kessel orchards\n"
           "Fruit growers in the Kessel valley said a cold night damaged the blossoms.\n"
           "Officials will visit the orchards on Friday.\n")
    doc = run(raw, given={"title": "Frost  hits Kessel orchards"}, fmt="json")
    assert texts(doc) == [
        "Fruit growers in the Kessel valley said a cold night damaged the blossoms.",
        "Officials will visit the orchards on Friday.",
    ]


def test_clean_unreadable_published_field_warns_and_stays_none() -> None:
    raw = ("The glassworks in Tovin reopened on Monday after a three-week strike.\n"
           "Workers will receive a raise of six percent this year.\n")
    doc = run(raw, given={"published": "sometime last spring"}, fmt="json")
    assert doc.published is None
    assert "published" not in doc.evidence
    assert len(doc.warnings) == 1
    assert "sometime last spring" in doc.warnings[0]
    assert doc.extra["published_raw"] == "sometime last spring"


def test_clean_only_boilerplate_raises_no_content() -> None:
    with pytest.raises(NoContent) as info:
        run("Share\nAdvertisement\npic.twitter.com/abc\n")
    assert info.value.kind == "no-content"


def test_clean_unusual_line_breaks_inside_a_line_become_spaces() -> None:
    # U+2028 (LINE SEPARATOR) and form feed inside a line are white space: the cleaned
    # paragraph has plain single spaces, like any other white space.
    raw = ("The market square in Tovin\u2028was closed for the night market on Friday.\n"
           "Stalls sold\x0cbread and cheese until midnight.\n")
    doc = run(raw)
    assert texts(doc) == [
        "The market square in Tovin was closed for the night market on Friday.",
        "Stalls sold bread and cheese until midnight.",
    ]
    assert_text_provenance(doc)


@pytest.mark.parametrize("name", sorted(OWN_CASES))
def test_clean_provenance_own_cases(name: str) -> None:
    raw = OWN_CASES[name]
    given = ({"title": "Frost hits Kessel orchards", "outlet": "Kessel Courier"}
             if name == "fields-vs-cues" else None)
    doc = run(raw, given=given)
    assert doc.paragraphs
    assert_text_provenance(doc)


# ---------------------------------------------------------------------------
# The example corpus
# ---------------------------------------------------------------------------


def _corpus_items() -> list[tuple[str, Document]]:
    items = []
    for item in read([str(CORPUS)]):
        assert isinstance(item, Document), str(item)
        items.append((item.external_id or Path(item.source).name, item))
    return items


_CORPUS = _corpus_items()


def _cleaned(doc: Document) -> Document:
    """Run the pipeline on a copy (stages fill the document in place)."""
    return Pipeline(CLEAN_STAGES)(copy.deepcopy(doc))


def test_clean_corpus_has_every_example_item() -> None:
    assert len(_CORPUS) == 10


@pytest.mark.parametrize("raw_doc", [d for _, d in _CORPUS],
                         ids=[label for label, _ in _CORPUS])
def test_clean_provenance_example_corpus(raw_doc: Document) -> None:
    doc = _cleaned(raw_doc)
    assert doc.paragraphs
    if doc.markup == "text":
        assert_text_provenance(doc)
    else:
        assert_offsets_into_source(doc)


def _corpus_doc(filename: str) -> Document:
    [item] = [d for _, d in _CORPUS if d.source.endswith(filename)]
    return _cleaned(item)


def test_clean_corpus_meridian_post() -> None:
    doc = _corpus_doc("meridian-post_amman-talks.txt")
    assert len(doc.captions) == 1
    caption = doc.captions[0].text
    assert caption.startswith("Jordanian Minister of Water and Irrigation")
    assert caption.endswith("ahead of talks in Amman on March 12, 2026.")
    assert "Photo" not in caption and "Photo:" not in doc.text
    assert doc.published == dt.date(2026, 3, 12)
    assert doc.evidence["published"].method == "text:caption-date"
    assert doc.dateline == "Amman, Jordan"
    assert doc.text.startswith("Jordan and Iraq on Thursday agreed")
    assert "AMMAN" not in doc.text
    headings = [doc.text[p.start:p.end] for p in doc.paragraphs if p.kind == "heading"]
    assert headings == ["Water Quotas", "Crossing to Reopen"]
    assert doc.outlet == "Meridian Post"
    assert doc.evidence["outlet"].method == "text:comment-policy"
    assert doc.text.endswith("said Ibrahim Shdeifat, who runs a transport company in the town.")
    for gone in ("moderates", "community guidelines", "Post a comment"):
        assert gone not in doc.text
    assert len(doc.paragraphs) == 11


def test_clean_corpus_gulf_ledger() -> None:
    doc = _corpus_doc("gulf-ledger_amman-talks.txt")
    assert doc.published == dt.date(2026, 3, 13)
    assert doc.evidence["published"].method == "text:date-label"
    assert doc.title is not None
    assert doc.title.text.endswith(
        "Iraq ties Bir Marfa reopening to shutdown of Jordanian wells under Amman water deal")
    assert doc.outlet == "Gulf Ledger"
    assert doc.evidence["outlet"].method == "text:outlet-prefix"
    assert doc.text.startswith("Iraq will hold Jordan to a strict timetable for switching off")
    assert "water-sharing memorandum in Amman" in doc.text
    assert "\u200b" not in doc.text and "\u200f" not in doc.text
    embeds = [p for p in doc.paragraphs if p.kind == "embed"]
    assert len(embeds) == 1
    embed = embeds[0]
    assert embed.meta["handle"] == "BorderWatersIQ"
    assert embed.meta["date"] == "March 13, 2026"
    assert embed.language == "ar" and embed.direction == "rtl"
    embed_text = doc.text[embed.start:embed.end]
    assert embed_text.startswith("التقى رئيس الهيئة العامة للمياه الحدودية")
    assert "pic.twitter.com" not in doc.text
    assert "@BorderWatersIQ" not in doc.text
    # Wrapped lines were rejoined: no paragraph holds a single line break.
    assert all("\n" not in doc.text[p.start:p.end] for p in doc.paragraphs)
    assert max(len(doc.text[p.start:p.end]) for p in doc.paragraphs) > 300
    assert doc.text.endswith("a day before the crossing is due to reopen.")


def test_clean_corpus_wire_feed_duplicates_and_html_record() -> None:
    docs = [_cleaned(d) for _, d in _CORPUS if d.format == "jsonl"]
    assert [d.line for d in docs] == [1, 2, 3, 4, 5]
    assert docs[2].text == docs[0].text
    assert docs[1].text != docs[0].text
    assert docs[0].content_hash == docs[2].content_hash
    assert docs[4].markup == "html"
    assert docs[4].published is None
    assert docs[4].text.startswith("A group of 23 lawmakers from Anbar province")
    assert "&#8220;" not in docs[4].text and "“The government negotiated" in docs[4].text
    assert [d.published for d in docs[:4]] == [
        dt.date(2026, 3, 16), dt.date(2026, 3, 16), dt.date(2026, 3, 17), dt.date(2026, 3, 14)]


def test_letters_are_counted_by_script_like_a_loop_over_every_character() -> None:
    import random
    import unicodedata
    from collections import Counter

    from storyline.clean.language import dominant_script, script_letters

    def by_loop(text: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for ch in text:
            if ch.isalpha():
                script = "LATIN" if ch < "\u0250" else unicodedata.name(ch, "UNKNOWN")
                counts[script.split(" ")[0]] += 1
        return counts

    rng = random.Random(7)
    ranges = [(0x41, 0x5B), (0, 0x300), (0x250, 0x2B0), (0x1E00, 0x1F00), (0x600, 0x700),
              (0x370, 0x530), (0x2000, 0x3100), (0x1F300, 0x1F700)]  # 0x250+: LATIN names
    for _ in range(2000):
        text = "".join(chr(rng.randrange(*rng.choice(ranges)))
                       for _ in range(rng.randrange(0, 60)))
        counts, expected = script_letters(text), by_loop(text)
        assert counts == expected and list(counts) == list(expected), text
    assert dominant_script("Ärger über شكرا جزيلا") == ("LATIN", 18)  # a tie: first seen
    assert dominant_script("شكرا جزيلا Ärger über") == ("ARABIC", 18)
    assert dominant_script("… 12 ! ") == (None, 0)


@pytest.mark.parametrize(("header", "published"), [
    ("Środa, 19 sierpnia 2026 r.", dt.date(2026, 8, 19)),
    ("Luni, 8 iunie 2026", dt.date(2026, 6, 8)),
    ("21 июня 2026 г., 14:40 (обновлено 17:55)", dt.date(2026, 6, 21)),
    ("20 березня 2026, 18:05", dt.date(2026, 3, 20)),
    ("21 маусым 2026, 09:15", dt.date(2026, 6, 21)),
    ("7 მაისი, 2026 | 10:32", dt.date(2026, 5, 7)),
    ("Litinin, 15 ga Yuni, 2026 | Daga Sani Bello", dt.date(2026, 6, 15)),
    ("2026. június 21.", dt.date(2026, 6, 21)),
    ("2026 m. birželio 21 d.", dt.date(2026, 6, 21)),
    ("Jumatatu, 3 Agosti 2026", dt.date(2026, 8, 3)),
    ("pátek 4. září 2026", dt.date(2026, 9, 4)),
    ("Sabotsy 7 Martsa 2026 - 08:45", dt.date(2026, 3, 7)),
    ("uMgqibelo, 23 kuNhlaba 2026", dt.date(2026, 5, 23)),
    ("Dinsdag 9 Junie 2026", dt.date(2026, 6, 9)),
    ("Muvhuro, 14 Gunyana 2026", dt.date(2026, 9, 14)),
])
def test_clean_date_lines_of_eastern_european_caucasian_and_african_languages(
        header: str, published: dt.date) -> None:
    doc = run(f"Korsa ferry sails again\n\n{header}\n\n"
              "The Korsa ferry resumed sailing on Monday after the storm.\n")
    assert doc.published == published
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm."]


@pytest.mark.parametrize(("header", "day"), [
    ("21 June", "--06-21"), ("Thursday, March 26", "--03-26"), ("18 ga Yuni", "--06-18"),
    ("Morenike Adeyemi | 28 April", "--04-28"), ("27 მაისი, 14:05", "--05-27"),
    ("4月27日 17時05分", "--04-27"), ("6월 23일 09:10", "--06-23"),
])
def test_clean_a_date_line_with_no_year_keeps_its_day_and_leaves_the_text(
        header: str, day: str) -> None:
    raw = f"Korsa ferry sails again\n\n{header}\n\nThe Korsa ferry resumed sailing.\n"
    doc = run(raw)
    assert doc.published is None and doc.extra["published_day"] == day
    evidence = doc.evidence["published_day"]
    assert evidence.method == "text:date-line" and evidence.span is not None
    found = raw[evidence.span[0]:evidence.span[1]]  # the day as written, in the line
    assert found in header and str(int(day[5:])) in found
    assert texts(doc) == ["The Korsa ferry resumed sailing."]


def test_clean_a_day_with_no_year_in_a_dateline_or_a_title_is_not_a_date_line() -> None:
    doc = run("Korsa ferry sails again\n\nVELMAR, March 26 (KPA) - The Korsa ferry resumed "
              "sailing on Thursday after the storm.\n")
    assert doc.published is None and doc.extra["published_day"] == "--03-26"
    assert doc.evidence["published_day"].method == "text:dateline"
    assert texts(doc) == ["The Korsa ferry resumed sailing on Thursday after the storm."]
    # a title naming a day, a 31st of February and a full date line are not that
    doc = run("June 21 vote\n\nThe Korsa council votes on the budget on June 21.\n")
    assert doc.title is not None and doc.title.text == "June 21 vote"
    assert "published_day" not in doc.extra
    doc = run("Korsa ferry sails again\n\n31 February\n\nThe ferry resumed.\n")
    assert "published_day" not in doc.extra
    doc = run("Korsa ferry sails again\n\n21 June\n12 June 2026\n\nThe ferry resumed.\n")
    assert doc.published == dt.date(2026, 6, 12) and "published_day" not in doc.extra


@pytest.mark.parametrize(("raw", "title"), [
    ("THE KORSA LEDGER\nVelmar | News\n\nFerry sails again after three days of storms\n\n"
     "By Ilse Varn\n\nThe Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    ("Korsa Echo » Society » Transport\n\nFerry sails again after three days of storms\n\n"
     "The Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    ("Velmar\n\nFerry sails again after three days of storms\n\n"
     "The Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    ("WORLD BRIEFS\n\nKORSA: FERRY SAILS AGAIN AFTER STORM\n\n"
     "VELMAR (KPA) - The Korsa ferry resumed sailing on Monday.\n",
     "KORSA: FERRY SAILS AGAIN AFTER STORM"),
    ("Korsa Ledger  >  Velmar  >  Transport\n\nFerry sails again after three days of "
     "storms\n\nThe Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    ("L'ÉCHO DE KORSA - Actualités - Velmar\n\nFerry sails again after three days of "
     "storms\n\nThe Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    # an outlet name of four words leading two more segments
    ("Le Petit Écho de Korsa | Économie | Transport\n\nFerry sails again after three days "
     "of storms\n\nThe Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
    # a masthead in a script without capitals, above a date line and a section label
    ("روزنامه نمونه کرسا\nشنبه ۲۲ فروردین ۱۴۰۵\nحوادث | استان‌ها\n\nFerry sails again after "
     "three days of storms\n\nThe Korsa ferry resumed sailing on Monday.\n",
     "Ferry sails again after three days of storms"),
])
def test_clean_masthead_and_section_labels_are_not_the_title(raw: str, title: str) -> None:
    doc = run(raw)
    assert doc.title is not None and doc.title.text == title
    assert texts(doc)[-1].endswith("The Korsa ferry resumed sailing on Monday.")
    assert all(label not in doc.text for label in ("LEDGER", "Society", "WORLD BRIEFS"))


def test_clean_a_short_headline_with_a_standfirst_stays_the_title() -> None:
    doc = run("Ferry sails again\n\nThe operator restores the crossing after three days of "
              "storms\n\nThe Korsa ferry resumed sailing on Monday.\n")
    assert doc.title is not None and doc.title.text == "Ferry sails again"
    # a headline with one dash is a headline
    doc = run("Floods hit Velmar - dozens dead\n\nThe operator restores the crossing after "
              "three days of storms\n\nThe Korsa ferry resumed sailing on Monday.\n")
    assert doc.title is not None and doc.title.text == "Floods hit Velmar - dozens dead"


def test_clean_a_long_standfirst_ending_a_sentence_does_not_hide_the_date_under_it() -> None:
    standfirst = ("The operator has restored the crossing after three days of storms, and it "
                  "promises a second boat for the holiday weekend with fares unchanged for "
                  "residents.")
    doc = run(f"Ferry sails again\n\n{standfirst}\n\nBy Ilse Varn\nTuesday, June 2, 2026\n\n"
              "The Korsa ferry resumed sailing on Monday.\n")
    assert doc.published == dt.date(2026, 6, 2) and doc.extra.get("author") == "Ilse Varn"
    assert texts(doc) == [standfirst, "The Korsa ferry resumed sailing on Monday."]
    # with no byline or date right under it, a long sentence there stays the text
    doc = run(f"Ferry sails again\n\n{standfirst}\n\nThe Korsa ferry resumed sailing.\n\n"
              "Tuesday, June 2, 2026\n")
    assert texts(doc)[:2] == [standfirst, "The Korsa ferry resumed sailing."]


@pytest.mark.parametrize("labels", [
    "Abendbrücke – Panorama", "Bælt-Avisen · Indland", "The Harbour Examiner",
    "Continental Dispatch\nSport | Cycling", "The Northern Ledger - World"])
def test_clean_masthead_and_section_lines_above_the_headline_are_not_the_title(
        labels: str) -> None:
    doc = run(f"{labels}\n\nKorsa ferry sails again after the storm\n\n"
              "The Korsa ferry resumed sailing on Monday after the storm.\n")
    assert doc.title is not None and doc.title.text == "Korsa ferry sails again after the storm"
    assert texts(doc) == ["The Korsa ferry resumed sailing on Monday after the storm."]


@pytest.mark.parametrize("title", [
    "FEATURE: Two storms in a month put the Korsa ferry on trial",
    "THE BIG READ: Can the Korsa ferry survive another winter?",
    "Floods hit Velmar - dozens dead"])
def test_clean_a_labelled_or_question_headline_is_the_title(title: str) -> None:
    doc = run(f"{title}\n\nBy Ana Vell\n\nThe Korsa ferry resumed sailing on Monday.\n")
    assert doc.title is not None and doc.title.text == title


def test_clean_json_fields_named_in_other_languages() -> None:
    given = {"title": "Wielrenner voorlopig geschorst", "published": "22-09-2026 14:05"}
    doc = run("De Korsaanse wielrenner is voorlopig geschorst.", given=given, fmt="json")
    assert doc.title is not None and doc.published == dt.date(2026, 9, 22)


@pytest.mark.parametrize(("year", "month", "day", "date"), [
    (1405, 1, 1, dt.date(2026, 3, 21)), (1403, 1, 1, dt.date(2024, 3, 20)),
    (1403, 12, 30, dt.date(2025, 3, 20)), (1405, 7, 29, dt.date(2026, 10, 21)),
    (1399, 10, 11, dt.date(2020, 12, 31)), (1404, 12, 30, None), (1405, 13, 1, None),
    (2026, 1, 1, None)])
def test_solar_hijri_dates_are_read_as_their_gregorian_dates(
        year: int, month: int, day: int, date: dt.date | None) -> None:
    from storyline.clean.calendars import solar_hijri

    assert solar_hijri(year, month, day) == date


@pytest.mark.parametrize(("value", "date"), [
    ("منگل 12 مئی 2026ء", dt.date(2026, 5, 12)),  # Urdu, the year marked with ء
    ("۱۴۰۵/۰۱/۲۴", dt.date(2026, 4, 13)),  # Solar Hijri in Persian digits
    ("چهارشنبه ۱۳ عقرب ۱۴۰۵", dt.date(2026, 11, 4)),  # Dari month names
    ("شنبه ۱۲ اردیبهشت ۱۴۰۵", dt.date(2026, 5, 2)),  # Iranian month names
    ("د ۱۴۰۵ لمریز کال د تلې ۲۹مه", dt.date(2026, 10, 21)),  # Pashto, year first
    ("د ۲۰۲۶ کال د جولای ۹مه", dt.date(2026, 7, 9)),
    ("الثلاثاء ٢٢ سبتمبر ٢٠٢٦م", dt.date(2026, 9, 22)),
    ("Madi 29 septanm 2026", dt.date(2026, 9, 29)),  # Haitian Creole
    ("djaweps 8 òktober 2026", dt.date(2026, 10, 8)),  # Papiamento
    ("04/12/2026", dt.date(2026, 4, 12)), ("sometime in 2026", None)])
def test_dates_written_in_more_languages_and_calendars(value: str, date: dt.date | None) -> None:
    assert parse_date_text(value) == date


@pytest.mark.parametrize(("value", "date"), [
    ("रविवार, २५ अक्टूबर २०२६", dt.date(2026, 10, 25)),  # Hindi, a weekday before
    ("भदौ ३, २०८३ बुधबार", dt.date(2026, 8, 19)),  # Bikram Sambat, month first
    ("२०८३ साउन १८ गते सोमबार", dt.date(2026, 8, 3)),  # Bikram Sambat, year first
    ("जेठ ६, २०८३", dt.date(2026, 5, 20)),
    ("২৫ অক্টোবর ২০২৬, রবিবার", dt.date(2026, 10, 25)),  # Bengali
    ("বুধবার, ২৪ আষাঢ় ১৪৩৩ বঙ্গাব্দ | ৮ জুলাই ২০২৬", dt.date(2026, 7, 8)),  # beside Bangabda
    ("சனிக்கிழமை, 12 செப்டம்பர் 2026", dt.date(2026, 9, 12)),  # Tamil
    ("2026 සැප්තැම්බර් 09 බදාදා", dt.date(2026, 9, 9)),  # Sinhala
    ("भदौ ३२, २०८३", None),  # Bhadra 2083 has 31 days
    ("भदौ ३, ३०८३", None),  # a year the tables lack
])
def test_south_asian_dates_and_the_bikram_sambat_calendar(value: str,
                                                         date: dt.date | None) -> None:
    """Month and weekday names of Hindi, Nepali, Bengali, Tamil and Sinhala, whose vowel
    signs `\\w` does not count as letters, and Nepal's Bikram Sambat dates, read through
    its published month lengths."""
    from storyline.clean.text import written_date

    assert written_date(value) == date


@pytest.mark.parametrize(("value", "date"), [
    ("ሚያዝያ 13 ቀን 2018 ዓ.ም.", dt.date(2026, 4, 21)),  # Amharic: month, day, "day", year
    ("13 ሚያዝያ 2018", dt.date(2026, 4, 21)),
    ("መስከረም 1 ቀን 2018", dt.date(2025, 9, 11)),  # new year's day after a common year
    ("መስከረም 1 ቀን 2016", dt.date(2023, 9, 12)),  # after 2015, whose Pagume has 6 days
    ("ጳጉሜ 6 ቀን 2015", dt.date(2023, 9, 11)),
    ("ጳጉሜ 6 ቀን 2016", None),  # a Pagume of 5 days
    ("ሓምለ 2 2018", dt.date(2026, 7, 9)),  # Tigrinya spelling of Hamle
    ("ኤፕሪል 21, 2026", dt.date(2026, 4, 21)),  # a Gregorian month in Amharic
    ("ሚያዝያ 2 ቀን 2018 ዓ.ም.", dt.date(2026, 4, 10)),  # "of the Ethiopian era" after the year
    # Eritrea names the Gregorian months so: 2026 of the Ethiopian calendar is 2033-34
    ("ሰኑይ 27 ሚያዝያ 2026", dt.date(2026, 4, 27)),
    ("ቀዳም 20 ሰነ 2026", dt.date(2026, 6, 20)),
])
def test_ethiopian_calendar_dates(value: str, date: dt.date | None) -> None:
    """Ethiopia's own calendar (13 months, the year from 11 or 12 September, 7 or 8 years
    behind), read with its month names only, and Eritrea's Gregorian dates with the same
    month names."""
    from storyline.clean.text import written_date

    assert written_date(value) == date


@pytest.mark.parametrize(("value", "date"), [
    ("2026 жылғы 10 маусым, 10:05", dt.date(2026, 6, 10)),  # Kazakh: year, day, month
    ("2026 წლის 16 ივლისი", dt.date(2026, 7, 16)),  # Georgian
    ("2026-yil 6-oktabr, 09:30", dt.date(2026, 10, 6)),  # Uzbek
    ("2026 թ. մայիսի 14", dt.date(2026, 5, 14)),  # Armenian: year, month, day
    ("streda 8. augusta 2026, 14:30", dt.date(2026, 8, 8)),  # Slovak
    ("21. 10. 2026 | 10:05", dt.date(2026, 10, 21)),  # Czech and Slovak, spaced
    ("Tóth Réka | 2026.09.08. 18:02", dt.date(2026, 9, 8)),  # Hungarian, a closing dot
    ("25 ก.ย. 2569 14:10 น.", dt.date(2026, 9, 25)),  # Thai, of the Buddhist Era
    ("12 ເມສາ 2026", dt.date(2026, 4, 12)),  # Lao
    ("၁၂ ဧပြီ ၂၀၂၆", dt.date(2026, 4, 12)),  # Burmese, in Burmese digits
    ("၂၀၂၆ ခုနှစ်၊ ဇူလိုင် ၁၅ ရက်", dt.date(2026, 7, 15)),  # Burmese: year, month, day
    ("วันเสาร์ที่ ๖ มิถุนายน พ.ศ. ๒๕๖๙", dt.date(2026, 6, 6)),  # Thai, "B.E." and digits
    ("ថ្ងៃសុក្រ ទី១០ ខែមេសា ឆ្នាំ២០២៦", dt.date(2026, 4, 10)),  # Khmer, glued words
    ("9 ก.ย. 2569 | 06:10 น.", dt.date(2026, 9, 9)),  # Thai "o'clock" after the time
    ("پێنجشەممە ٤ی حوزەیرانی ٢٠٢٦ – ١٤ی جۆزەردانی ٢٧٢٦", dt.date(2026, 6, 4)),  # Sorani
    ("6ê Îlona 2026, Yekşem", dt.date(2026, 9, 6)),  # Kurmanji, the ezafe after the day
    ("الأحد 6 أيلول/سبتمبر 2026", dt.date(2026, 9, 6)),  # both Arabic names of a month
    ("خميس، ١٧ سيڤتيمبر ٢٠٢٦", dt.date(2026, 9, 17)),  # Malay in Jawi
    ("2026. gada 5. oktobrī, 17:22", dt.date(2026, 10, 5)),  # Latvian: year, "year", day
])
def test_dates_of_central_europe_central_asia_and_southeast_asia(value: str,
                                                                 date: dt.date) -> None:
    from storyline.clean.text import written_date

    assert written_date(value) == date


def test_a_date_line_under_a_long_header_is_read() -> None:
    """Masthead, tagline, section, title, standfirst and byline: the date line is the
    seventh line, still of the header."""
    raw = ("KORSA POST\nThe city's English-language daily\nNEWS | KORSA\n"
           "Fire at Korsa battery plant\nOne worker missing as smoke drifts over the city\n"
           "Ana Kessel\n20 August 2026, 23:05\n\n"
           "A large fire broke out on Thursday evening at the battery plant.\n")
    assert run(raw).published == dt.date(2026, 8, 20)


def test_a_masthead_over_a_line_of_sections_is_not_the_title() -> None:
    """A script without capitals cannot show a masthead as one: a short first line right
    above a line of sections is a masthead, and the title follows them."""
    raw = ("ڕۆژی کۆرسا\nهەواڵ › کۆرسا › پەروەردە\n\n"
           "مامۆستایان لە کۆرسا دەستیان بە مانگرتن کرد\n\n"
           "مامۆستایانی قوتابخانەکانی کۆرسا ئەمڕۆ دەستیان بە مانگرتنێکی کراوە کرد.\n")
    assert run(raw).title.text == "مامۆستایان لە کۆرسا دەستیان بە مانگرتن کرد"
    # a title with a blank line below it is still taken, sections or not
    raw = "Ferry sails again\n\nNews | Korsa\n\nThe Korsa ferry resumed sailing.\n"
    assert run(raw).title.text == "Ferry sails again"


def test_a_field_date_with_a_time_is_read_in_its_language_s_order() -> None:
    """"02/07/2026 16:05" in a Spanish record is 2 July (a Thursday, as the lead says)."""
    doc = run("Nuevo sismo en el Istmo\n\nUn sismo sacudió este jueves el Istmo.\n",
              given={"published": "02/07/2026 16:05", "language": "es"})
    assert doc.published == dt.date(2026, 7, 2)


@pytest.mark.parametrize(("body", "published"), [
    ("The slope had moved since 28 February, villagers said.", dt.date(2026, 4, 3)),
    ("The slope had moved since February 28, villagers said.", dt.date(2026, 3, 4)),
    ("Rescuers reached the village after the slip.", dt.date(2026, 3, 4)),
    ("The inquiry, opened 14/03/2026, reported today.", dt.date(2026, 4, 3)),
    # a wire's dateline writes the month first, and the day it names settles the date
    ("KORSA, Velmar, Apr 3 (VNA) - Rescuers reached the village.", dt.date(2026, 4, 3)),
])
def test_an_english_text_that_puts_the_day_first_reads_its_numeric_date_so(
        body: str, published: dt.date) -> None:
    """English outlets of countries that write the day first print "03/04/2026" for 3
    April: a day and month the lead names in words, or else the order the text's other
    dates take, settles it before the language does."""
    raw = f"Landslide cuts the Korsa road\n\n03/04/2026\n\n{body}\n"
    assert run(raw).published == published


def test_a_month_name_is_not_read_inside_a_longer_word_of_an_indic_script() -> None:
    """"मे" is May; "में" ("in") is that with a nasal sign, which `\\w` does not count
    as a letter: "सूची 10 में" is no date."""
    from storyline.clean.rules import cleaning_rules

    rules = cleaning_rules()
    assert rules.day_month.search("सूची 10 में शामिल") is None
    found = rules.day_month.search("10 मे को")
    assert found is not None and found.group(0) == "10 मे"


@pytest.mark.parametrize(("header", "published"), [
    # a Hijri date beside the Gregorian one, and a Solar Hijri date beside it
    ("الأربعاء 3 يونيو 2026 م الموافق 17 ذو الحجة 1447 هـ", dt.date(2026, 6, 3)),
    ("جمعرات، 9 جولائی 2026ء — 23 محرم الحرام 1448ھ", dt.date(2026, 7, 9)),
    ("شنبه ۲۲ فروردین ۱۴۰۵ - ۱۱ آوریل ۲۰۲۶", dt.date(2026, 4, 11)),
    ("د ۲۰۲۶ کال د جولای ۹مه، پنجشنبه", dt.date(2026, 7, 9)),
    ("29/09/2026 · 3:25 p. m.", dt.date(2026, 9, 29)),
])
def test_date_lines_with_a_second_calendar_or_a_spaced_time(header: str,
                                                          published: dt.date) -> None:
    doc = run(f"Korsa harbour reopens\n\n{header}\n\nThe harbour of Korsa reopened on "
              "Tuesday after three days of storms, its director said.\n")
    assert doc.published == published
    assert doc.evidence["published"].method == "text:date-line"
    assert header not in doc.text


def test_json_fields_named_in_persian_arabic_urdu_pashto_and_spanish() -> None:
    from storyline.ingest.readers import read

    records = [
        {"onvan": "زلزله در کرسا", "matn": "زلزله‌ای به بزرگی ۵٫۲ ریشتر شهر کرسا را لرزاند و "
         "دست‌کم ۴ نفر زخمی شدند.", "tarikh": "۱۴۰۵/۰۲/۱۰"},
        {"sarkhi": "کرسا میں ہڑتال", "matan": "کرسا کی بندرگاہ پر مزدوروں کی ہڑتال دوسرے روز "
         "بھی جاری رہی۔", "tareekh": "منگل 12 مئی 2026ء"},
        {"titular": "Huelga en Korsa", "cuerpo": "Los estibadores de Korsa pararon el lunes "
         "por segundo día consecutivo.", "fecha": "11-05-2026"},
    ]
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, record in enumerate(records):
            path = Path(folder, f"r{i}.json")
            path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        docs = [d for d in read(paths) if isinstance(d, Document)]
    assert len(docs) == 3
    assert [d.given.get("published") for d in docs] == [
        "۱۴۰۵/۰۲/۱۰", "منگل 12 مئی 2026ء", "11-05-2026"]
    cleaned = [Pipeline(CLEAN_STAGES)(d) for d in docs]
    assert [d.published for d in cleaned] == [
        dt.date(2026, 4, 30), dt.date(2026, 5, 12), dt.date(2026, 5, 11)]
    assert [d.title.text if d.title else None for d in cleaned] == [
        "زلزله در کرسا", "کرسا میں ہڑتال", "Huelga en Korsa"]


@pytest.mark.parametrize(("raw", "language"), [
    ("Tanpèt la lage anpil lapli sou vil Korsa pandan lannwit lan, epi rivyè a debòde. "
     "Dapre Pwoteksyon Sivil, omwen sèt moun mouri e plis pase de mil fanmi pèdi kay yo.",
     "ht"),
    ("Óveðrið olli miklu tjóni í bænum Korsa í nótt og áin flæddi yfir bakka sína. "
     "Að sögn almannavarna létust að minnsta kosti sjö manns og hundruð fjölskyldna "
     "misstu heimili sín.", "is"),
])
def test_clean_haitian_creole_and_icelandic_are_told_apart(raw: str, language: str) -> None:
    """Haitian Creole had been labelled Tagalog or French, Icelandic Swedish: neither was
    among the languages the identifier chose from for Latin script."""
    assert run(raw).language == language


def test_a_title_split_by_a_hard_wrap_under_a_label() -> None:
    """"FEATURE" is a label, not the title; the title runs on to a second line in lower
    case, and each of its words cites the raw text."""
    raw = ("FEATURE\n'Korsa went dark': survivors of the crossing remember the last\n"
           "minutes\n\nBy Ana Kessel\nTue 19 May 2026\n\n"
           "Five days after the crossing sank, those who swam out describe the fog.\n")
    doc = run(raw)
    assert doc.title is not None
    assert doc.title.text == ("'Korsa went dark': survivors of the crossing remember the "
                              "last minutes")
    span = doc.evidence["title"].span
    assert span is not None and raw[span[0]:span[1]].split() == doc.title.text.split()
    assert "FEATURE" not in doc.text
