"""Cleaning on the three real seed articles in ../shared/corpora/seeds (read by path)."""

from __future__ import annotations

import re

import pytest

from conftest import SHARED
from storyline.ingest.readers import read
from storyline.model import Document
from storyline.pipeline import CLEAN_STAGES, Pipeline

SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="shared corpora not present")


def _seed(prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    (doc,) = list(read([str(path)]))
    assert isinstance(doc, Document)
    return Pipeline(CLEAN_STAGES)(doc)


def _paragraphs(doc: Document) -> list[str]:
    return [doc.text[p.start:p.end] for p in doc.paragraphs]


def test_hard_wrapped_seed_is_rejoined_into_paragraphs() -> None:
    doc = _seed("004")
    paragraphs = _paragraphs(doc)
    assert paragraphs[0].startswith("Iraqi government spokesman Bassem Al-Awadi on Friday")
    assert paragraphs[0].endswith("step forward in bilateral coordination.")
    assert "\n" not in paragraphs[0]
    assert len(paragraphs) == 8
    assert doc.title is not None and doc.title.text.startswith("EXCLUSIVE: Shafaq News reveals")
    assert (doc.outlet, doc.evidence["outlet"].method) == ("Shafaq News", "text:outlet-prefix")
    assert (str(doc.published), doc.evidence["published"].method) == ("2025-04-25",
                                                                      "text:date-label")


def test_embedded_arabic_statement_is_marked_arabic_rtl() -> None:
    doc = _seed("004")
    arabic = [p for p in doc.paragraphs if p.language == "ar"]
    assert len(arabic) == 1
    (paragraph,) = arabic
    assert (paragraph.kind, paragraph.direction) == ("embed", "rtl")
    assert paragraph.meta["handle"] == "IraqiPMO"
    assert "pic.twitter.com" not in doc.text
    assert all(p.language == "en" for p in doc.paragraphs if p is not paragraph)


def test_comment_policy_removed_and_outlet_inferred() -> None:
    doc = _seed("002")
    assert "moderates all comments" not in doc.text
    assert "Post a comment" not in doc.text
    assert "community guidelines" not in doc.text
    assert doc.text.endswith("a reflection of this convergence.\"")
    assert (doc.outlet, doc.evidence["outlet"].method) == ("Rudaw", "text:comment-policy")


def test_caption_and_dateline_kept_apart_from_body() -> None:
    doc = _seed("002")
    assert len(doc.captions) == 1
    assert doc.captions[0].text.endswith("in Damascus on August 28, 2025.")
    assert "Photo:" not in doc.captions[0].text
    assert "Photo:" not in doc.text and "(left)" not in doc.text
    assert doc.dateline == "Erbil, Kurdistan Region"
    assert doc.text.startswith("Hamid al-Shatri, head of the Iraqi National Intelligence")
    assert (str(doc.published), doc.evidence["published"].method) == ("2025-08-28",
                                                                      "text:caption-date")


def test_unwrapped_seed_keeps_lines_and_finds_headings() -> None:
    doc = _seed("000")
    kinds = [(p.kind, doc.text[p.start:p.end][:25]) for p in doc.paragraphs]
    assert [k for k in kinds if k[0] == "heading"] == [("heading", "Security Situation"),
                                                       ("heading", "Enhancing Cooperation")]
    assert len(doc.paragraphs) == 10
    assert doc.outlet is None and doc.published is None  # nothing in the text says


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_every_paragraph_cites_its_original_span(prefix: str) -> None:
    doc = _seed(prefix)
    for p in doc.paragraphs:
        start, end = doc.original_span(p.start, p.end)
        original = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", doc.raw[start:end])
        assert " ".join(original.split()) == doc.text[p.start:p.end]
