"""Tests for storyline.evaluate: the ECB+ loader and the entity/time scoring.

The fixture under tests/fixtures/ecbplus is an invented ECB+-format corpus (two topics
with two texts each) laid out like the extracted release, with its own index of
annotated sentences; the tests pack it into a .tgz when they need an archive.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from storyline.evaluate import ecbplus
from storyline.evaluate.ecbplus import EcbDocument, load, parse_document
from storyline.evaluate.entities import (
    EntityReport,
    PredictedSpan,
    evaluate,
    evaluate_batch,
    gold_spans,
    is_named,
    spacy_baseline_extractor,
    trim_span,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ecbplus"
REAL_CORPUS = ROOT.parent / "shared" / "corpora" / "ecbplus" / "ecbplus.tgz"


def _docs(path: Path = FIXTURE, **kwargs: bool) -> dict[str, EcbDocument]:
    return {doc.name: doc for doc in load(path, **kwargs)}


def _span(doc: EcbDocument, phrase: str, category: str, occurrence: int = 0) -> PredictedSpan:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(phrase, start + 1)
    return PredictedSpan(start, start + len(phrase), category)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """The fixture packed as ecbplus.tgz, with the sentence index next to it."""
    path = tmp_path / "ecbplus.tgz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(FIXTURE / "ECB+", arcname="ECB+")
    shutil.copy(FIXTURE / ecbplus.SENTENCE_INDEX_NAME, tmp_path)
    return path


# ---------------------------------------------------------------------------
# Loader
# ---------------------------------------------------------------------------


def test_split_constants_cover_the_43_existing_topics() -> None:
    assert len(ecbplus.ALL_TOPICS) == 43
    assert 15 not in ecbplus.ALL_TOPICS and 17 not in ecbplus.ALL_TOPICS
    assert len(ecbplus.TRAIN_TOPICS) == 25
    assert ecbplus.DEV_TOPICS == (2, 5, 12, 18, 21, 23, 34, 35)
    assert tuple(range(36, 46)) == ecbplus.TEST_TOPICS
    assert not set(ecbplus.TRAIN_TOPICS) & set(ecbplus.DEV_TOPICS)
    assert ecbplus.SPLITS["dev"] == ecbplus.DEV_TOPICS


def test_load_folder_orders_documents_and_reads_names() -> None:
    docs = list(load(FIXTURE))
    assert [d.name for d in docs] == ["1_1ecb", "1_1ecbplus", "2_1ecb", "2_1ecbplus"]
    first = docs[0]
    assert (first.topic, first.subtopic, first.number) == (1, "ecb", 1)
    assert docs[1].subtopic == "ecbplus"


def test_text_joins_tokens_with_spaces_and_sentences_with_newlines() -> None:
    doc = _docs()["1_1ecb"]
    assert doc.text.split("\n") == [
        "The Harbor Council named Mara Velde keeper of the Esk Lighthouse on Tuesday .",
        "She starts in May , the council 's spokesman said .",
        "Velde grew up in Port Alden .",
    ]
    assert doc.sentences == ((0, 77), (78, 129), (130, 159))
    assert doc.sentence_numbers == (0, 1, 2)
    assert len(doc.tokens) == 32
    assert doc.token_offsets[:3] == ((0, 3), (4, 10), (11, 18))
    assert doc.token_offsets[14] == (78, 81)  # "She" opens the second line
    for token, (start, end) in zip(doc.tokens, doc.token_offsets, strict=True):
        assert doc.text[start:end] == token
    assert doc.token_sentences[13:16] == (0, 1, 1)
    assert doc.sentence_text(2) == "Velde grew up in Port Alden ."


def test_whitespace_only_token_becomes_empty_and_adds_no_space() -> None:
    doc = _docs()["1_1ecbplus"]
    assert doc.sentence_text(3) == "The new keeper had waited for ten years ."
    assert doc.tokens[-3:] == ("years", "", ".")
    assert doc.token_offsets[-3:] == ((168, 173), (173, 173), (174, 175))


def test_sentence_lookup_by_offset() -> None:
    doc = _docs()["1_1ecb"]
    assert doc.sentence_at(0) == 0
    assert doc.sentence_at(77) == 0  # the line break belongs to the sentence before it
    assert doc.sentence_at(78) == 1
    assert doc.sentence_at(158) == 2
    assert doc.sentence_at(500) is None
    assert doc.sentence_span_at(80) == (1, 78, 129)


def test_mentions_have_offsets_tokens_text_and_sentence() -> None:
    doc = _docs()["1_1ecb"]
    by_id = {m.m_id: m for m in doc.mentions}
    velde = by_id["3"]
    assert (velde.category, velde.start, velde.end, velde.text) == (
        "HUMAN_PART_PER",
        25,
        35,
        "Mara Velde",
    )
    assert velde.tokens == (4, 5)
    assert velde.sentence == 0
    assert by_id["12"].text == "in Port Alden" and by_id["12"].sentence == 2
    assert [m.start for m in doc.mentions] == sorted(m.start for m in doc.mentions)
    for mention in doc.mentions:
        assert doc.text[mention.start : mention.end] == mention.text


def test_non_contiguous_mention_keeps_its_anchored_tokens() -> None:
    doc = _docs()["2_1ecb"]
    shut = next(m for m in doc.mentions if m.category == "ACTION_OCCURRENCE")
    assert shut.text == "shut the Corran bridge down"
    assert [doc.tokens[i] for i in shut.tokens] == ["shut", "down"]


def test_descriptor_markables_are_skipped() -> None:
    doc = _docs()["1_1ecb"]
    ids = {m.m_id for m in doc.mentions}
    assert ids == {str(i) for i in range(1, 14)}
    assert not ids & {"50", "51", "52"}


def test_clusters_cross_doc_intra_doc_and_singletons() -> None:
    docs = _docs()
    by_id = {m.m_id: m for m in docs["1_1ecb"].mentions}
    assert by_id["3"].cluster == by_id["6"].cluster == by_id["11"].cluster == "HUM9001"
    assert by_id["3"].relation == "CROSS_DOC_COREF"
    assert by_id["2"].cluster == by_id["10"].cluster == "1_1ecb:intra:703"
    assert by_id["2"].relation == "INTRA_DOC_COREF"
    assert by_id["5"].cluster == "1_1ecb:singleton:5"
    assert by_id["5"].is_singleton and not by_id["3"].is_singleton
    # The same instance id links mentions across documents of a topic.
    plus = {m.m_id: m for m in docs["1_1ecbplus"].mentions}
    assert plus["4"].cluster == "HUM9001"
    bridges = [m for d in ("2_1ecb", "2_1ecbplus") for m in docs[d].mentions]
    assert {m.cluster for m in bridges if m.category == "LOC_FAC"} == {"LOC9200"}
    assert sum(m.category == "LOC_FAC" for m in bridges) == 2


def test_annotated_sentences_come_from_the_index() -> None:
    docs = _docs()
    assert docs["1_1ecb"].annotated_sentences == frozenset({0, 1})
    assert docs["1_1ecbplus"].annotated_sentences == frozenset({1, 2, 3})
    assert docs["2_1ecbplus"].annotated_sentences == frozenset()  # not in the index
    assert docs["1_1ecb"].is_annotated(1) and not docs["1_1ecb"].is_annotated(2)


def test_annotated_only_sentences_drops_other_mentions_but_keeps_text() -> None:
    full = _docs()["1_1ecb"]
    only = _docs(annotated_only_sentences=True)
    assert {m.m_id for m in only["1_1ecb"].mentions} == {str(i) for i in range(1, 11)}
    assert only["1_1ecb"].text == full.text
    assert only["2_1ecbplus"].mentions == ()


def test_load_without_index(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE / "ECB+", tmp_path / "ECB+")
    docs = _docs(tmp_path)
    assert docs["1_1ecb"].annotated_sentences is None
    assert docs["1_1ecb"].is_annotated(2)
    with pytest.raises(FileNotFoundError):
        list(load(tmp_path, annotated_only_sentences=True))


def test_load_from_tgz_matches_folder(archive: Path) -> None:
    from_tgz = list(load(archive))
    assert from_tgz == list(load(FIXTURE))
    assert from_tgz[0].annotated_sentences == frozenset({0, 1})


def test_load_from_tgz_filters_topics_and_reads_index_inside(tmp_path: Path) -> None:
    path = tmp_path / "inner.tgz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(FIXTURE, arcname="release")
    docs = list(load(path, topics=[2]))
    assert [d.name for d in docs] == ["2_1ecb", "2_1ecbplus"]
    assert docs[0].annotated_sentences == frozenset({0})


def test_load_from_extracted_ecb_folder_finds_index_in_parent() -> None:
    docs = list(load(FIXTURE / "ECB+", topics={1}))
    assert [d.name for d in docs] == ["1_1ecb", "1_1ecbplus"]
    assert docs[1].annotated_sentences == frozenset({1, 2, 3})


def test_parse_document_rejects_foreign_names() -> None:
    with pytest.raises(ValueError, match="not an ECB"):
        parse_document(b"<Document/>", "notes.xml")


# ---------------------------------------------------------------------------
# Span trimming and the named rule
# ---------------------------------------------------------------------------


def test_trim_span_strips_determiner_possessive_and_preposition() -> None:
    text = "the council 's | The Gulf | on Friday | in the Gulf of Aden | Next Year ’ s | the"

    def trimmed(phrase: str, prepositions: bool = True) -> str:
        start = text.index(phrase)
        s, e = trim_span(text, start, start + len(phrase), prepositions=prepositions)
        return text[s:e]

    assert trimmed("the council 's") == "council"
    assert trimmed("The Gulf") == "Gulf"
    assert trimmed("on Friday") == "Friday"
    assert trimmed("on Friday", prepositions=False) == "on Friday"
    assert trimmed("in the Gulf of Aden") == "Gulf of Aden"
    assert trimmed("Next Year ’ s") == "Next Year"
    assert trimmed("| the")[-3:] == "the"  # never trimmed to nothing
    assert trim_span("the", 0, 3) == (0, 3)


def test_named_rule() -> None:
    docs = _docs()
    ecb, plus, bridge = docs["1_1ecb"], docs["1_1ecbplus"], docs["2_1ecb"]

    def named(doc: EcbDocument, text: str, category: str) -> bool:
        mention = next(m for m in doc.mentions if m.text == text)
        return is_named(doc, mention, category)

    assert named(ecb, "The Harbor Council", "organization")  # "Harbor" mid-sentence
    assert named(ecb, "Mara Velde", "person")
    assert not named(ecb, "She", "person")  # pronoun
    assert not named(ecb, "the council 's", "organization")
    assert not named(ecb, "spokesman", "person")
    assert named(ecb, "Velde", "person")  # sentence-initial, but "Velde" is a name
    assert named(ecb, "in May", "time")
    # Headline capitals: the text also writes "new keeper" in lowercase.
    assert not named(plus, "New Keeper", "person")
    assert named(plus, "Esk Lighthouse", "place")  # "Esk" also appears mid-sentence
    assert named(plus, "on 3 May 2021", "time")
    assert named(bridge, "US", "place")  # all-capital abbreviation, not the pronoun "us"
    assert not named(bridge, "Engineers", "person")  # sentence-initial common noun
    assert not named(bridge, "US officials", "person")  # contains a name, is no name


def test_gold_spans_map_categories_and_keep_annotated_sentences_only() -> None:
    docs = _docs()
    gold = gold_spans(docs["1_1ecb"])
    assert [(g.category, docs["1_1ecb"].text[g.start : g.end]) for g in gold] == [
        ("organization", "The Harbor Council"),
        ("person", "Mara Velde"),
        ("place", "the Esk Lighthouse"),
        ("time", "on Tuesday"),
        ("person", "She"),
        ("time", "in May"),
        ("organization", "the council 's"),
        ("person", "spokesman"),
    ]
    assert [g.named for g in gold] == [True, True, True, True, False, True, False, False]
    plus = gold_spans(docs["1_1ecbplus"])
    duration = [g for g in plus if g.tag == "TIME_DURATION"]
    assert len(duration) == 1 and not duration[0].scored
    assert next(g for g in gold_spans(docs["2_1ecb"]) if g.tag == "HUMAN_PART_GPE").category == (
        "place"
    )
    assert gold_spans(docs["2_1ecbplus"]) == []  # no annotated sentence


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _predictions(doc: EcbDocument) -> list[PredictedSpan]:
    if doc.name != "1_1ecb":
        return []
    return [
        _span(doc, "Mara Velde", "person"),  # exact hit
        _span(doc, "Harbor Council", "organization"),  # hit once "The" is trimmed
        _span(doc, "Esk", "place"),  # overlap only
        _span(doc, "Tuesday", "time"),  # hit once "on" is trimmed
        _span(doc, "council", "person"),  # wrong category: gold says organization
        _span(doc, "Port Alden", "place"),  # sentence 2 is not annotated: dropped
        _span(doc, "Harbor", "group"),  # not scored
    ]


def _report(**kwargs: bool) -> EntityReport:
    docs = [doc for doc in load(FIXTURE, topics=[1]) if doc.name == "1_1ecb"]
    return evaluate(docs, _predictions, **kwargs)


def _prf(report: EntityReport, category: str, gold_set: str, match: str) -> tuple[float, ...]:
    row = report.row(category, gold_set, match)
    return (row.tp, row.fp, row.fn, row.ignored, row.precision, row.recall, row.f1)


def test_exact_scores_against_all_gold() -> None:
    report = _report()
    assert _prf(report, "person", "all", "exact") == pytest.approx((1, 1, 2, 0, 0.5, 1 / 3, 0.4))
    assert _prf(report, "organization", "all", "exact") == pytest.approx(
        (1, 0, 1, 0, 1.0, 0.5, 2 / 3)
    )
    assert _prf(report, "place", "all", "exact")[:3] == (0, 1, 1)
    assert _prf(report, "time", "all", "exact")[:3] == (1, 0, 1)
    # gold: 3 persons + 2 organizations + 1 place + 2 times in the annotated sentences
    assert _prf(report, "micro", "all", "exact") == pytest.approx((3, 2, 5, 0, 0.6, 3 / 8, 6 / 13))
    # Ignoring categories, "council" matches the gold organization "the council 's".
    assert _prf(report, "any", "all", "exact")[:3] == (4, 1, 4)


def test_overlap_scores_against_all_gold() -> None:
    report = _report()
    assert _prf(report, "place", "all", "overlap")[:3] == (1, 0, 0)
    assert _prf(report, "micro", "all", "overlap") == pytest.approx((4, 1, 4, 0, 0.8, 0.5, 8 / 13))
    assert _prf(report, "any", "all", "overlap")[:3] == (5, 0, 3)


def test_named_gold_makes_unnamed_mentions_optional() -> None:
    report = _report()
    # Named gold: Harbor Council, Mara Velde, Esk Lighthouse, on Tuesday, in May.
    assert _prf(report, "person", "named", "exact")[:4] == (1, 1, 0, 0)
    assert _prf(report, "organization", "named", "exact")[:4] == (1, 0, 0, 0)
    assert _prf(report, "micro", "named", "exact") == pytest.approx((3, 2, 2, 0, 0.6, 0.6, 0.6))
    # "council" lands on the unnamed "the council 's": ignored, neither hit nor error.
    assert _prf(report, "any", "named", "exact")[:4] == (3, 1, 2, 1)


def test_without_preposition_trimming_on_tuesday_is_missed_exactly() -> None:
    report = _report(prepositions=False)
    assert _prf(report, "time", "all", "exact")[:3] == (0, 1, 2)
    assert _prf(report, "time", "all", "overlap")[:3] == (1, 0, 1)


def test_report_counts_sentence_filter_and_unscored_predictions() -> None:
    report = _report()
    assert report.documents == 1
    assert report.sentences == 2
    assert report.predictions_outside == 1
    assert report.predictions == {
        "group": 1,
        "organization": 1,
        "person": 2,
        "place": 1,
        "time": 1,
    }
    # Gold outside the annotated sentences (Velde, Port Alden in sentence 2) is absent.
    assert "LOC_GEO" not in report.gold
    assert report.gold["HUMAN_PART_PER"] == 3


def test_ignored_durations_and_coverage() -> None:
    docs = list(load(FIXTURE, topics=[1]))
    plus = docs[1]

    def extract(doc: EcbDocument) -> list[PredictedSpan]:
        if doc is not plus:
            return []
        return [_span(plus, "ten years", "time"), _span(plus, "3 May 2021", "time")]

    report = evaluate(docs, extract)
    # "ten years" hits the gold TIME_DURATION "for ten years": ignored, not a false alarm.
    assert _prf(report, "time", "all", "exact")[:4] == (1, 0, 2, 1)
    coverage = {(row.tag, row.match): (row.found, row.gold) for row in report.coverage}
    assert coverage[("TIME_DURATION", "exact")] == (1, 1)
    assert coverage[("TIME_REPETITION", "overlap")] == (0, 0)


def test_overlap_matching_is_one_to_one() -> None:
    docs = list(load(FIXTURE, topics=[1]))
    ecb = docs[0]

    def extract(doc: EcbDocument) -> list[PredictedSpan]:
        if doc is not ecb:
            return []
        return [_span(ecb, "Mara", "person"), _span(ecb, "Velde", "person")]

    report = evaluate(docs, extract)
    assert _prf(report, "person", "all", "overlap")[:3] == (1, 1, 5)


def test_prediction_running_past_its_sentence_is_cut() -> None:
    docs = list(load(FIXTURE, topics=[1]))
    plus = docs[1]
    start = plus.text.index("New Keeper\nMara Velde")

    def extract(doc: EcbDocument) -> list[PredictedSpan]:
        if doc is not plus:
            return []
        return [PredictedSpan(start, start + len("New Keeper\nMara Velde"), "person")]

    # Cut at the end of the headline, the span is exactly the gold "New Keeper".
    assert _prf(evaluate(docs, extract), "person", "all", "exact")[:3] == (1, 0, 5)


def test_batch_evaluation_equals_per_document_and_renders() -> None:
    docs = list(load(FIXTURE))
    single = evaluate(docs, _predictions)
    batched = evaluate_batch(docs, lambda batch: [_predictions(d) for d in batch], batch_size=3)
    assert batched.rows == single.rows
    table = single.format_table()
    lines = table.splitlines()
    assert lines[1].split()[:3] == ["category", "gold", "match"]
    assert len(lines) == 2 + 24 + 4  # summary, header, 6 rows x 4 modes, coverage
    assert len({len(line) for line in lines[1:26]}) == 1  # aligned columns
    data = single.to_dict()
    assert data["documents"] == 4
    assert data["rows"][0]["category"] == "person"
    assert '"precision"' in single.to_json()


def test_spacy_baseline_extractor_maps_labels() -> None:
    class FakeEnt:
        def __init__(self, start: int, end: int, label: str) -> None:
            self.start_char, self.end_char, self.label_ = start, end, label

    class FakeDoc:
        ents = (FakeEnt(25, 35, "PERSON"), FakeEnt(0, 3, "CARDINAL"), FakeEnt(4, 10, "NORP"))

    extract = spacy_baseline_extractor(lambda text: FakeDoc())
    doc = _docs()["1_1ecb"]
    assert extract(doc) == [PredictedSpan(25, 35, "person"), PredictedSpan(4, 10, "group")]


# ---------------------------------------------------------------------------
# The real corpus
# ---------------------------------------------------------------------------


def test_real_corpus_dev_split_counts() -> None:
    if not REAL_CORPUS.is_file():
        pytest.skip(f"ECB+ corpus not found at {REAL_CORPUS}")
    docs = list(load(REAL_CORPUS, ecbplus.DEV_TOPICS))
    assert len(docs) == 197
    assert {d.topic for d in docs} == set(ecbplus.DEV_TOPICS)
    assert sum(len(d.tokens) for d in docs) == 66688
    assert sum(len(d.mentions) for d in docs) == 5680
    assert sum(len(d.annotated_sentences or ()) for d in docs) == 346
    in_annotated = sum(1 for d in docs for m in d.mentions if d.is_annotated(m.sentence))
    assert in_annotated == 2721
    scored = [g for d in docs for g in gold_spans(d) if g.scored]
    assert len(scored) == 1245
    assert sum(g.named for g in scored) == 616
    for doc in docs:
        for mention in doc.mentions:
            assert doc.text[mention.start : mention.end] == mention.text
