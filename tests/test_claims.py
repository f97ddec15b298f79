"""Claims: who says, reports or thinks what, read off the parse of invented sentences.

Each test is one attribution rule of `storyline.events.attribution`: the cue, its source,
the content it attributes, the channel, the stance, and the chain of authority back to
the outlet. The real spaCy pipeline runs once for the module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from storyline.ingest.run import ingest
from storyline.model import Claim, Document
from storyline.pipeline import Pipeline
from storyline.store import Store
from storyline.store.events import attribution_chain

OUTLET = "Lantern Wire"

Process = Callable[[str], Document]


@pytest.fixture(scope="module")
def process() -> Process:
    pipeline = Pipeline()

    def run(text: str) -> Document:
        doc = Document(source="t.json", name="t", raw=text, format="json",
                       given={"published": "2026-03-13", "outlet": OUTLET})
        return pipeline(doc)

    return run


def _content(doc: Document, claim: Claim) -> list[str]:
    return [doc.text[a:b] for a, b in claim.content]


def _source_name(doc: Document, claim: Claim) -> str | None:
    return doc.mentions[claim.source_mention].text if claim.source_mention is not None \
        else None


def test_said_that_gives_source_cue_and_indirect_content(process: Process) -> None:
    doc = process("Foreign Minister Lina Varga said that the talks with Ostrana would "
                  "resume in May.")
    (claim,) = doc.claims
    assert claim.cue == "said"
    assert doc.text[claim.cue_span[0]:claim.cue_span[1]] == "said"
    assert claim.source == "Foreign Minister Lina Varga"
    assert claim.source_span is not None
    assert doc.text[claim.source_span[0]:claim.source_span[1]] == claim.source
    assert _source_name(doc, claim) == "Lina Varga"
    assert _content(doc, claim) == ["that the talks with Ostrana would resume in May"]
    assert (claim.direct, claim.kind, claim.stance) == (False, "speech", "neutral")
    assert (claim.via, claim.source_ref, claim.channel) == (None, None, None)


def test_quotation_with_inverted_attribution_is_direct(process: Process) -> None:
    doc = process("\"We will not give up the harbour,\" the minister said.")
    (claim,) = doc.claims
    assert (claim.cue, claim.source) == ("said", "the minister")
    assert claim.source_mention is None  # a description, not a name
    assert _content(doc, claim) == ["\"We will not give up the harbour,\""]
    assert claim.direct is True


def test_according_to_takes_the_rest_of_the_clause(process: Process) -> None:
    doc = process("The dam will be finished next year, according to the Ministry of Water.")
    (claim,) = doc.claims
    assert (claim.cue, claim.kind) == ("according to", "speech")
    assert claim.source == "the Ministry of Water"
    assert _source_name(doc, claim) == "Ministry of Water"
    assert _content(doc, claim) == ["The dam will be finished next year"]
    assert claim.direct is False


def test_cited_as_saying_that_reads_the_content_from_saying(process: Process) -> None:
    doc = process("The Veldt Press Agency cited an unnamed official as saying that the convoy "
                  "had crossed the river.")
    outer, inner = doc.claims
    assert (outer.cue, outer.source, inner.cue, inner.source, inner.via) == (
        "cited", "The Veldt Press Agency", "as saying", "an unnamed official", 0)
    assert _content(doc, outer) == _content(doc, inner) == [
        "that the convoy had crossed the river"]
    assert not inner.direct


def test_cited_as_saying_gives_a_second_claim_carried_by_the_first(process: Process) -> None:
    doc = process("\"The convoy crossed the river at dawn,\" the Brelin News Agency quoted an "
                  "unnamed officer as saying.")
    outer, inner = doc.claims
    assert (outer.cue, outer.kind, outer.source) == ("quoted", "report",
                                                     "the Brelin News Agency")
    assert _source_name(doc, outer) == "Brelin News Agency"
    assert (inner.cue, inner.kind, inner.source) == ("as saying", "speech",
                                                     "an unnamed officer")
    assert inner.source_mention is None
    assert inner.via == 0 and outer.via is None
    quote = ["\"The convoy crossed the river at dawn,\""]
    assert _content(doc, outer) == _content(doc, inner) == quote
    assert outer.direct and inner.direct


def test_attribution_chain_runs_from_the_source_to_the_outlet(process: Process) -> None:
    doc = process("\"The convoy crossed the river at dawn,\" the Brelin News Agency quoted an "
                  "unnamed officer as saying.")
    chain = attribution_chain(doc, 1)
    assert [link["source"] for link in chain] == ["an unnamed officer",
                                                  "the Brelin News Agency", OUTLET]
    assert [link["role"] for link in chain] == ["source", "source", "outlet"]
    assert [link["cue"] for link in chain] == ["as saying", "quoted", None]
    assert attribution_chain(doc, None) == [{"source": OUTLET, "role": "outlet",
                                             "actor": None, "cue": None, "channel": None,
                                             "direct": False}]


def test_pronoun_source_points_at_the_earlier_claim(process: Process) -> None:
    doc = process("Mayor Tomas Brandt said that the bridge would open in June. He added "
                  "that the tolls would be cut.")
    first, second = doc.claims
    assert (second.cue, second.source) == ("added", "He")
    assert second.source_ref == 0
    assert second.source_mention == first.source_mention
    assert _source_name(doc, second) == "Tomas Brandt"
    assert _content(doc, second) == ["that the tolls would be cut"]


def test_description_source_points_at_the_earlier_claim(process: Process) -> None:
    doc = process("The Ministry of Water said the dam was safe. The ministry added that the "
                  "river was rising.")
    first, second = doc.claims
    assert second.source == "The ministry"
    assert second.source_ref == 0
    assert _source_name(doc, second) == "Ministry of Water"
    assert _content(doc, first) == ["the dam was safe"]
    assert attribution_chain(doc, 1)[0]["source"] == "The Ministry of Water"


@pytest.mark.parametrize(("text", "channel", "channel_word"), [
    ("The Ministry of Water said in a statement that the curfew would end on Monday.",
     "statement", "statement"),
    ("Governor Ilse Marek wrote on Facebook that the airport would reopen.",
     "Facebook", "Facebook"),
    ("The Ministry of Water said in a statement on X that the dam was safe.",
     "statement on X", "X"),
    ("Governor Ilse Marek told reporters that the port would reopen on Friday.",
     "remarks to reporters", "reporters"),
])
def test_channel_is_kept(process: Process, text: str, channel: str,
                         channel_word: str) -> None:
    doc = process(text)
    (claim,) = doc.claims
    assert claim.channel == channel
    assert claim.channel_span is not None
    assert doc.text[claim.channel_span[0]:claim.channel_span[1]] == channel_word
    assert claim.source is not None and claim.channel not in claim.source


@pytest.mark.parametrize(("verb", "stance"), [
    ("said", "neutral"), ("claimed", "distancing"), ("alleged", "distancing"),
    ("confirmed", "factive"),
])
def test_stance_comes_from_the_cue(process: Process, verb: str, stance: str) -> None:
    doc = process(f"The opposition leader Paulo Renzi {verb} that the vote had been rigged.")
    (claim,) = doc.claims
    assert (claim.cue, claim.stance, claim.kind) == (verb, stance, "speech")
    assert _source_name(doc, claim) == "Paulo Renzi"
    assert _content(doc, claim) == ["that the vote had been rigged"]


def test_verb_inside_a_quotation_is_not_a_cue_for_it(process: Process) -> None:
    doc = process("\"Our farmers know the river,\" the governor said.")
    assert [(c.cue, c.source) for c in doc.claims] == [("said", "the governor")]
    assert _content(doc, doc.claims[0]) == ["\"Our farmers know the river,\""]


def test_quotation_with_no_cue_continues_the_claim_before_it(process: Process) -> None:
    doc = process("\"We are ready for peace,\" Foreign Minister Lina Varga said. \"The talks "
                  "will go on.\"")
    (claim,) = doc.claims
    assert _content(doc, claim) == ["\"We are ready for peace,\"",
                                    "\"The talks will go on.\""]
    assert claim.direct is True
    assert _source_name(doc, claim) == "Lina Varga"


def test_agentless_report_has_no_source(process: Process) -> None:
    doc = process("It was reported that the dam had been breached.")
    (claim,) = doc.claims
    assert (claim.cue, claim.kind, claim.source, claim.source_mention) == (
        "reported", "report", None, None)
    assert _content(doc, claim) == ["that the dam had been breached"]
    assert attribution_chain(doc, 0)[0]["source"] == "an unnamed source"


def test_sentence_without_a_cue_has_no_claim(process: Process) -> None:
    doc = process("The weather in Brelin was cold and wet on Tuesday.")
    assert doc.claims == []


def test_claims_are_stored_with_spans_into_the_original_input(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    text = ("Mayor Tomas Brandt said that the bridge would open in June. "
            "He added that the tolls would be cut.")
    feed.write_text(json.dumps({"id": "c1", "published": "2026-05-07", "outlet": OUTLET,
                                "text": text}) + "\n", encoding="utf-8")
    with Store(tmp_path / "kb.db") as store:
        report = ingest([str(feed)], store)
        assert report.stored == 1
        rows = list(store.events.iter_claims())
    assert [(r["idx"], r["cue"], r["source"], r["content_text"], r["source_ref"])
            for r in rows] == [
        (0, "said", "Mayor Tomas Brandt", "that the bridge would open in June", None),
        (1, "added", "He", "that the tolls would be cut", 0)]
    assert rows[0]["source_actor"] is not None
    assert rows[0]["source_actor"] == rows[1]["source_actor"]
    for r in rows:
        (a, b), = r["original"]["content"]
        assert text[a:b] == r["content_text"]
        s, e = r["original"]["source"]
        assert text[s:e] == r["source"]
