"""Event coreference on ECB+ (storyline.evaluate.ecbplus_events): units and one real run."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from storyline.evaluate.coref import conll
from storyline.evaluate.ecbplus import EcbDocument, parse_document
from storyline.evaluate.ecbplus_events import (
    DEFAULT_CORPUS,
    LINK_THRESHOLD,
    PAIR_FEATURES,
    PAIR_WEIGHTS,
    EventCorefReport,
    EventMention,
    Token,
    average_link,
    event_mentions,
    fit_pair_weights,
    format_report,
    gold_clusters,
    gold_subtopics,
    gold_topics,
    is_event_category,
    pair_features,
    run,
    same_lemma,
    stem,
    storyline_linker,
)

# ---------------------------------------------------------------------------
# A tiny hand-made ECB+ document and its hand-made parse
# ---------------------------------------------------------------------------

SENTENCES = [
    "Gunmen attacked the embassy on Friday .",
    "The attack left Ann Lee on the run .",
    "Police said nothing .",
]
# (lemma, pos, head index in the document, entity type) per token, in order.
PARSE = [
    ("gunman", "NOUN", 1, ""), ("attack", "VERB", 1, ""), ("the", "DET", 3, ""),
    ("embassy", "NOUN", 1, ""), ("on", "ADP", 1, ""), ("Friday", "PROPN", 4, "DATE"),
    (".", "PUNCT", 1, ""),
    ("the", "DET", 8, ""), ("attack", "NOUN", 9, ""), ("leave", "VERB", 9, ""),
    ("Ann", "PROPN", 11, "PERSON"), ("Lee", "PROPN", 9, "PERSON"), ("on", "ADP", 9, ""),
    ("the", "DET", 14, ""), ("run", "NOUN", 12, ""), (".", "PUNCT", 9, ""),
    ("police", "NOUN", 17, ""), ("say", "VERB", 17, ""), ("nothing", "PRON", 17, ""),
    (".", "PUNCT", 17, ""),
]
# Markables: (m_id, tag, token ids); t_ids count from 1 over the whole document.
MARKABLES = [
    ("1", "ACTION_OCCURRENCE", [2]),  # attacked
    ("2", "HUMAN_PART_PER", [1]),  # Gunmen
    ("3", "ACTION_OCCURRENCE", [9]),  # attack
    ("4", "ACTION_STATE", [13, 14, 15]),  # on the run
    ("5", "ACTION_OCCURRENCE", [10]),  # left
    ("6", "ACTION_REPORTING", [18]),  # said (sentence 2: not annotated)
    ("7", "TIME_DATE", [5, 6]),  # on Friday
    ("8", "NEG_ACTION_OCCURRENCE", [4]),  # "embassy", tagged as a negated event for the test
]


def _xml() -> bytes:
    tokens, t_id = [], 0
    for number, sentence in enumerate(SENTENCES):
        for position, word in enumerate(sentence.split()):
            t_id += 1
            tokens.append(f'<token t_id="{t_id}" sentence="{number}" number="{position}">'
                          f"{word}</token>")
    markables = "".join(
        f'<{tag} m_id="{m_id}">' + "".join(f'<token_anchor t_id="{t}"/>' for t in ids)
        + f"</{tag}>" for m_id, tag, ids in MARKABLES)
    relation = ('<CROSS_DOC_COREF r_id="1" note="ACT1"><source m_id="1"/><source m_id="3"/>'
                '<target m_id="9"/></CROSS_DOC_COREF>')
    return (f'<Document doc_name="1_1ecb.xml">{"".join(tokens)}<Markables>{markables}'
            f'<ACTION_OCCURRENCE m_id="9" instance_id="ACT1"/></Markables>'
            f"<Relations>{relation}</Relations></Document>").encode()


@pytest.fixture
def doc() -> EcbDocument:
    return parse_document(_xml(), "1_1ecb", frozenset({0, 1}), annotated_only_sentences=True)


def _tokens(doc: EcbDocument) -> list[Token]:
    return [Token(start, end, doc.tokens[i], lemma, pos, "dep", head, ent)
            for i, ((start, end), (lemma, pos, head, ent))
            in enumerate(zip(doc.token_offsets, PARSE, strict=True))]


def test_event_categories() -> None:
    assert is_event_category("ACTION_OCCURRENCE")
    assert is_event_category("NEG_ACTION_REPORTING")
    assert not is_event_category("HUMAN_PART_PER")
    assert not is_event_category("TIME_DATE")


def test_event_mentions_of_a_hand_parsed_document(doc: EcbDocument) -> None:
    mentions = event_mentions(doc, _tokens(doc))
    # "said" is in sentence 2, which is not annotated; entity and time markables are not
    # events; the NEG_ACTION_ markable is.
    assert [(m.m_id, m.text, m.lemma) for m in mentions] == [
        ("1", "attacked", "attack"), ("8", "embassy", "embassy"), ("3", "attack", "attack"),
        ("5", "left", "leave"), ("4", "on the run", "run")]
    attacked, _, attack, left, on_the_run = mentions
    assert attacked.key == ("1_1ecb", "1")
    assert attacked.cluster == attack.cluster == "ACT1"
    assert left.cluster == "1_1ecb:singleton:5"
    # The head of "on the run" is the content word "run", governed inside the mention.
    assert on_the_run.pos == "NOUN"
    # Context: content words of the sentence outside the mention; "near": nouns within
    # three dependency arcs (Friday is two arcs away through "on").
    assert attacked.context == {"gunman", "embassy", "friday"}
    assert attacked.near == {"gunman", "embassy", "friday"}
    assert attacked.times == {"friday"}
    assert attacked.names == frozenset()
    assert left.names == {"ann", "lee"}
    assert left.times == frozenset()
    assert gold_clusters(mentions)[("1_1ecb", "3")] == "ACT1"


def test_document_clusters_from_names(doc: EcbDocument) -> None:
    assert gold_subtopics([doc]) == {"1_1ecb": "1ecb"}
    assert gold_topics([doc]) == {"1_1ecb": "1"}


@pytest.mark.parametrize(("word", "expected"), [
    ("attacked", "attack"), ("attacks", "attack"), ("killing", "kill"), ("stopped", "stop"),
    ("explosion", "explod"), ("explode", "explod"), ("nominee", "nomin"),
    ("nomination", "nomin"), ("nominate", "nomin"), ("Arrested", "arrest"), ("die", "die"),
    ("dies", "die"), ("agree", "agre"), ("run", "run"),
])
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


# ---------------------------------------------------------------------------
# Systems on hand-built mentions
# ---------------------------------------------------------------------------


def _m(doc: str, m_id: str, lemma: str, cluster: str, *, sentence: int = 1,
       pos: str = "VERB", names: frozenset[str] = frozenset(),
       times: frozenset[str] = frozenset(), context: frozenset[str] = frozenset()
       ) -> EventMention:
    return EventMention(doc=doc, m_id=m_id, sentence=sentence, text=lemma, lemma=lemma,
                        pos=pos, names=names, times=times, context=context, cluster=cluster)


A = _m("1_1ecb", "1", "attack", "E1")
B = _m("1_2ecb", "1", "attacked", "E1")  # a lemmatizer miss: same stem
C = _m("1_1ecbplus", "1", "attack", "E9")  # the other sub-topic
D = _m("1_2ecb", "2", "quake", "E2")
E = _m("1_1ecb", "2", "earthquake", "E2")
F = _m("1_1ecb", "3", "say", "E3")
G = _m("1_2ecb", "3", "say", "E4")
MENTIONS = [A, B, C, D, E, F, G]
DOC_CLUSTERS = {"1_1ecb": "1ecb", "1_2ecb": "1ecb", "1_1ecbplus": "1ecbplus"}


def _partition(pred: dict[tuple[str, str], object]) -> set[frozenset[tuple[str, str]]]:
    groups: dict[object, set[tuple[str, str]]] = {}
    for key, label in pred.items():
        groups.setdefault(label, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_same_lemma_links_within_document_clusters_only() -> None:
    pred = dict(same_lemma(MENTIONS, DOC_CLUSTERS))
    assert _partition(pred) == {
        frozenset({A.key}), frozenset({B.key}), frozenset({C.key}), frozenset({D.key}),
        frozenset({E.key}), frozenset({F.key, G.key})}
    # One document cluster for all: the two "attack" mentions are linked.
    everything = dict.fromkeys(DOC_CLUSTERS, "all")
    assert frozenset({A.key, C.key}) in _partition(dict(same_lemma(MENTIONS, everything)))


def test_documents_missing_from_the_mapping_are_their_own_cluster() -> None:
    pred = dict(same_lemma([A, F, G], {"1_1ecb": "1ecb"}))  # 1_2ecb not named
    assert pred[F.key] != pred[G.key]


def test_pair_features_lexical_levels_are_exclusive() -> None:
    index = PAIR_FEATURES.index
    same = pair_features(A, C)
    assert same[index("same_lemma")] == 1.0 and same[index("same_stem")] == 0.0
    stemmed = pair_features(A, B)
    assert stemmed[index("same_stem")] == 1.0 and stemmed[index("same_lemma")] == 0.0
    synonym = pair_features(D, E)
    assert synonym[index("synonym")] == 1.0 and synonym[index("same_stem")] == 0.0
    related = pair_features(_m("d", "1", "die", "x"), _m("d", "2", "murder", "x"))
    assert related[index("related")] == 1.0 and related[index("synonym")] == 0.0
    # "assault" and "kidnap" share only the ontology type ASSAULT.
    typed = pair_features(_m("d", "1", "assault", "x"), _m("d", "2", "kidnap", "x"))
    assert typed[index("same_type")] == 1.0 and typed[index("related")] == 0.0
    assert pair_features(F, G)[index("both_reporting")] == 1.0
    # Pronoun heads match nothing lexically ("it" ... "it").
    it1, it2 = _m("d", "1", "it", "x", pos="PRON"), _m("d", "2", "it", "x", pos="PRON")
    assert pair_features(it1, it2)[index("same_lemma")] == 0.0


def test_pair_features_context() -> None:
    index = PAIR_FEATURES.index
    friday = _m("d1", "1", "fall", "x", names=frozenset({"rait"}),
                times=frozenset({"friday"}), context=frozenset({"climber", "ridge"}))
    saturday = _m("d2", "1", "fall", "y", names=frozenset({"buckley"}),
                  times=frozenset({"saturday"}), context=frozenset({"climber", "hut"}))
    values = pair_features(friday, saturday)
    assert values[index("match_x_name_conflict")] == 1.0
    assert values[index("match_x_name")] == 0.0
    assert values[index("match_x_time_conflict")] == 1.0
    assert values[index("match_x_context")] == pytest.approx(1 / 3)  # {climber} / 3 words
    same_sentence = pair_features(_m("d", "1", "a", "x"), _m("d", "2", "b", "x"))
    assert same_sentence[index("same_sentence")] == 1.0
    assert same_sentence[index("match_x_context")] == 0.0  # no lexical match


def test_average_link_uses_the_mean_similarity() -> None:
    sim = np.array([[0, .9, .7, .2], [.9, 0, .1, .2], [.7, .1, 0, .8], [.2, .2, .8, 0]])
    # Merge 0+1 (0.9), then 2+3 (0.8); the mean between them is (.7+.2+.1+.2)/4 = 0.3.
    assert average_link(sim, 0.5) == [[0, 1], [2, 3]]
    assert average_link(sim, 0.25) == [[0, 1, 2, 3]]
    assert average_link(sim, 0.95) == [[0], [1], [2], [3]]
    assert average_link(np.zeros((0, 0)), 0.5) == []


def test_storyline_linker_on_hand_built_mentions() -> None:
    pred = dict(storyline_linker(MENTIONS, DOC_CLUSTERS))
    # attack/attacked (stem) and quake/earthquake (synonym) are linked; the same word in
    # the other sub-topic is not; two "say" reports stay apart:
    # sigmoid(-3.51 + 4.72 - 1.29) = 0.48 < LINK_THRESHOLD.
    assert _partition(pred) == {
        frozenset({A.key, B.key}), frozenset({C.key}), frozenset({D.key, E.key}),
        frozenset({F.key}), frozenset({G.key})}
    bias, lemma, report = (PAIR_WEIGHTS[k] for k in ("bias", "same_lemma", "both_reporting"))
    assert 1 / (1 + math.exp(-(bias + lemma + report))) < LINK_THRESHOLD
    gold = gold_clusters(MENTIONS)
    assert conll(gold, pred).f1 == pytest.approx(1.0)
    assert conll(gold, dict(same_lemma(MENTIONS, DOC_CLUSTERS))).f1 < 1.0
    # A threshold of 0.4 lets the reports merge.
    low = dict(storyline_linker(MENTIONS, DOC_CLUSTERS, threshold=0.4))
    assert low[F.key] == low[G.key]


def test_storyline_linker_rejects_unknown_weights() -> None:
    with pytest.raises(ValueError, match="unknown pair feature"):
        storyline_linker(MENTIONS, DOC_CLUSTERS, weights={"colour": 1.0})


def test_fit_pair_weights_learns_that_same_lemma_links() -> None:
    mentions = []
    for n in range(6):  # per document cluster: two mentions of event "a", one of "b"
        doc = f"{n}_1ecb"
        mentions += [_m(doc, "1", "win", f"a{n}", sentence=1),
                     _m(doc, "2", "win", f"a{n}", sentence=2),
                     _m(doc, "3", "rain", f"b{n}", sentence=3)]
    weights = fit_pair_weights(mentions, {f"{n}_1ecb": n for n in range(6)})
    assert set(weights) == set(PAIR_FEATURES)
    assert weights["same_lemma"] > 3
    assert weights["bias"] < -3


def test_format_report_is_a_markdown_table() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    report = EventCorefReport(
        split="dev", documents=2, mentions=3, gold_events=2, document_clusters=1,
        scores={"same_lemma": conll(gold, {"a": 1, "b": 2, "c": 3}),
                "storyline_linker": conll(gold, gold)})
    table = format_report(report)
    lines = table.splitlines()
    assert lines[0].startswith("ECB+ dev split: 2 documents, 3 gold event mentions")
    assert lines[2].startswith("| system | MUC P | MUC R | MUC F1 | B3 P")
    assert lines[-1] == ("| storyline_linker | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | "
                         "100.0 | 100.0 | 100.0 | 100.0 | 100.0 |")
    # All singletons: MUC 0; B3 P 1, R (1/2+1/2+1)/3 = 2/3; CEAF-e P 2/3, R 2/2.
    assert lines[-2].startswith("| same_lemma | 0.0 | 0.0 | 0.0 | 100.0 | 66.7 | 80.0 |")
    assert report.to_dict()["scores"]["same_lemma"]["b3"]["recall"] == pytest.approx(2 / 3)


def test_run_rejects_an_unknown_split() -> None:
    with pytest.raises(ValueError, match="unknown split"):
        run("validation")


# ---------------------------------------------------------------------------
# The real corpus
# ---------------------------------------------------------------------------


def test_real_corpus_linker_beats_same_lemma_on_two_dev_topics() -> None:
    if not DEFAULT_CORPUS.is_file():
        pytest.skip(f"ECB+ corpus not found at {DEFAULT_CORPUS}")
    started = time.perf_counter()
    report = run("dev", topics=(21, 23))
    elapsed = time.perf_counter() - started
    assert report.documents == 47
    assert report.mentions == 320
    baseline, linker = report.scores["same_lemma"], report.scores["storyline_linker"]
    assert linker.f1 > baseline.f1 + 0.02
    assert elapsed < 30
