"""The PolNeAR attribution harness on a tiny invented corpus in brat standoff."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from storyline.evaluate.polnear import (
    Attribution,
    AttributionReport,
    PolnearDocument,
    as_document,
    load,
    run,
    score,
    tokenize,
    trim,
)

FIXTURES = Path(__file__).parent / "fixtures" / "polnear"

MAYOR = Attribution(source=((23, 32),), cue=((33, 37),), content=((38, 79),))
REPORTED = Attribution(source=(), cue=((80, 95),), content=((101, 119),))
RUIZ = Attribution(source=((160, 186),), cue=((155, 159),), content=((125, 154), (188, 207)))


@pytest.fixture
def harbor() -> PolnearDocument:
    return load(FIXTURES, "dev")[0]


def counts(report: AttributionReport, label: str, level: str) -> tuple[int, int, int]:
    s = report.get(label, level)
    return s.tp, s.fp, s.fn


def test_load_groups_spans_by_relation(harbor: PolnearDocument) -> None:
    assert (harbor.name, harbor.split, harbor.skipped) == ("harbor-plan", "dev", 0)
    # The first annotator's file (1a2b) is read; Discard and notes are not gold.
    assert harbor.attributions == [MAYOR, REPORTED, RUIZ]
    text = harbor.text
    assert text[23:32] == "The mayor" and text[80:95] == "It was reported"
    assert [text[s:e] for s, e in RUIZ.content] == ['"It is a gift to developers,"',
                                                    '"and nothing more."']


def test_load_multiline_text_mismatch_content2_and_loose_spans() -> None:
    (talks,) = load(FIXTURES, "train")
    assert talks.skipped == 1  # "A spokesman" at wrong offsets
    (only,) = talks.attributions
    assert talks.text[slice(*only.content[0])] == "the talks would resume\nnext week in Geneva"
    (rain,) = load(FIXTURES, "test")
    assert rain.attributions == [
        Attribution(source=((14, 25),), cue=((26, 32),), content=((33, 56),)),
        Attribution(source=((58, 67),), cue=(), content=()),  # in no relation: kept
    ]


def test_load_limit_and_errors(tmp_path: Path) -> None:
    assert load(FIXTURES, "dev", limit=0) == []
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        load(FIXTURES, "validation")
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "nowhere" / "dev")):
        load(tmp_path / "nowhere", "dev")


def test_tokenize_and_trim() -> None:
    text = 'He said: "No, never."'
    assert [text[s:e] for s, e in tokenize(text)] == ["He", "said", ":", '"', "No", ",",
                                                      "never", ".", '"']
    assert trim(text, (9, 21)) == (10, 19)  # "No, never" without the quotes and period
    assert trim(text, (7, 9)) == (7, 9)  # nothing left: kept as is


def test_perfect_prediction(harbor: PolnearDocument) -> None:
    report = score([harbor], [harbor.attributions])
    assert all(s.f1 == 1.0 for s in report.scores) and len(report.scores) == 9
    assert counts(report, "source", "token") == (8, 0, 0)
    assert counts(report, "cue", "token") == (5, 0, 0)
    assert counts(report, "content", "token") == (29, 0, 0)
    assert counts(report, "content", "exact") == (4, 0, 0)  # each piece counts


def test_wrong_boundary(harbor: PolnearDocument) -> None:
    # The mayor's content loses its quotation; Ruiz's first piece loses only punctuation.
    mayor = replace(MAYOR, content=((38, 57),))
    ruiz = replace(RUIZ, content=((125, 152), (188, 207)))
    report = score([harbor], [[mayor, REPORTED, ruiz]])
    assert counts(report, "content", "token") == (20, 0, 9)
    assert counts(report, "content", "exact") == (3, 1, 1)
    assert counts(report, "content", "overlap") == (4, 0, 0)
    exact = report.get("content", "exact")
    assert (exact.precision, exact.recall) == (0.75, 0.75)
    assert counts(report, "cue", "exact") == (3, 0, 0)


def test_extra_predicted_span(harbor: PolnearDocument) -> None:
    extra = Attribution(source=(), cue=((12, 17),), content=())  # "draws" in the title
    report = score([harbor], [[*harbor.attributions, extra]])
    assert counts(report, "cue", "token") == (5, 1, 0)
    assert counts(report, "cue", "exact") == (3, 1, 0)
    assert counts(report, "cue", "overlap") == (3, 1, 0)
    assert round(100 * report.get("cue", "exact").f1, 1) == 85.7
    assert counts(report, "source", "exact") == (2, 0, 0)


def test_missing_spans(harbor: PolnearDocument) -> None:
    report = score([harbor], [[MAYOR]])
    assert counts(report, "source", "token") == (2, 0, 6)
    assert counts(report, "cue", "exact") == (1, 0, 2)
    assert counts(report, "content", "exact") == (1, 0, 3)
    assert report.get("content", "exact").precision == 1.0
    assert report.get("content", "exact").recall == 0.25
    empty = score([harbor], [[]])
    assert all((s.precision, s.recall, s.f1) == (0, 0, 0) for s in empty.scores)


def test_overlap_pairs_with_the_most_shared_tokens(harbor: PolnearDocument) -> None:
    # One content span over both quoted pieces (and the cue and source between them).
    whole = replace(RUIZ, content=((125, 207),))
    report = score([harbor], [[MAYOR, REPORTED, whole]])
    assert counts(report, "content", "exact") == (2, 1, 2)
    assert counts(report, "content", "overlap") == (3, 0, 1)
    assert counts(report, "content", "token") == (29, 8, 0)  # said, Ana ... member,


def test_predictions_must_match_documents(harbor: PolnearDocument) -> None:
    with pytest.raises(ValueError, match="0 predictions for 1 documents"):
        score([harbor], [])


def test_report_table_json_and_run() -> None:
    report = run(FIXTURES, "dev", lambda docs: [[MAYOR] for _ in docs])
    assert report.extra["split"] == "dev" and report.extra["documents"] == 1
    lines = report.table().splitlines()
    assert lines[0] == "| label | level | P | R | F1 | tp | fp | fn |"
    assert len(lines) == 2 + 9
    assert "| content | exact | 100.0 | 25.0 | 40.0 | 1 | 0 | 3 |" in lines
    data = json.loads(report.to_json())
    assert data["extra"]["gold_attributions"] == 3
    assert data["scores"][0] == {"label": "source", "level": "token", "tp": 2, "fp": 0,
                                 "fn": 6, "precision": 1.0, "recall": 0.25, "f1": 0.4}


def test_as_document_keeps_offsets(harbor: PolnearDocument) -> None:
    doc = as_document(harbor)
    assert doc.text == harbor.text and doc.language == "en" and doc.published is None
    assert doc.offsets.runs == ((0, 0, len(harbor.text)),)
    assert doc.offsets.span(160, 186) == (160, 186)
    spans = [(p.start, p.end) for p in doc.paragraphs]
    assert spans == [(0, 22), (23, 120), (125, 207), (210, 240)]
    assert {p.language for p in doc.paragraphs} == {"en"}
    assert harbor.text[210:240] == "Photo: City Hall press office."
