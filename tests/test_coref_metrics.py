"""Clustering metrics (storyline.evaluate.coref) against hand-computed values."""

from __future__ import annotations

import itertools
import random

import pytest

from storyline.evaluate.coref import (
    ConllScore,
    Score,
    b3,
    bcubed,
    ceaf_e,
    conll,
    max_weight_assignment,
    muc,
    pairwise,
)

# The worked example: gold {a,b,c} {d,e} {f}; predicted {a,b} {c,d,e,f}.
GOLD = {"a": "G1", "b": "G1", "c": "G1", "d": "G2", "e": "G2", "f": "G3"}
PRED = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P2"}
SINGLETONS = {item: item for item in GOLD}
ONE_CLUSTER = dict.fromkeys(GOLD, "all")


def _close(score: Score, precision: float, recall: float, f1: float) -> None:
    assert score.precision == pytest.approx(precision)
    assert score.recall == pytest.approx(recall)
    assert score.f1 == pytest.approx(f1)


def test_score_of_computes_f1() -> None:
    # 2 * 0.5 * 0.25 / 0.75 = 1/3
    _close(Score.of(0.5, 0.25), 0.5, 0.25, 1 / 3)
    assert Score.of(0.0, 0.0) == Score(0.0, 0.0, 0.0)


def test_perfect_clustering_scores_one_everywhere() -> None:
    # Labels need not be equal, only the partition: rename every gold label.
    renamed = {item: f"x{label}" for item, label in GOLD.items()}
    for metric in (pairwise, bcubed, b3, muc, ceaf_e):
        assert metric(GOLD, renamed) == Score(1.0, 1.0, 1.0)
    assert conll(GOLD, renamed).f1 == pytest.approx(1.0)


def test_worked_example_muc() -> None:
    # Recall: G1 {a,b,c} is split into 2 predicted parts -> 3-2 = 1; G2 {d,e}: 2-1 = 1;
    # G3 {f}: 1-1 = 0. Sum 2 over (3-1)+(2-1)+(1-1) = 3 -> R = 2/3.
    # Precision: P1 {a,b} lies in 1 gold cluster -> 2-1 = 1; P2 {c,d,e,f} in 3 -> 4-3 = 1.
    # Sum 2 over (2-1)+(4-1) = 4 -> P = 1/2. F1 = 2*(1/2)(2/3)/(1/2+2/3) = 4/7.
    _close(muc(GOLD, PRED), 1 / 2, 2 / 3, 4 / 7)


def test_worked_example_b3() -> None:
    # Precision per item |G∩P|/|P|: a,b 2/2; c 1/4; d,e 2/4; f 1/4.
    # Sum 1+1+0.25+0.5+0.5+0.25 = 3.5 over 6 items -> 7/12.
    # Recall per item |G∩P|/|G|: a,b 2/3; c 1/3; d,e 2/2; f 1/1.
    # Sum 2/3+2/3+1/3+1+1+1 = 14/3 over 6 -> 7/9.
    # F1 = 2*(7/12)(7/9)/(7/12+7/9) = (49/54)/(49/36) = 2/3.
    _close(b3(GOLD, PRED), 7 / 12, 7 / 9, 2 / 3)
    assert bcubed(GOLD, PRED) == b3(GOLD, PRED)


def test_worked_example_ceaf_e() -> None:
    # phi4 = 2|K∩R|/(|K|+|R|): G1-P1 2*2/5 = 0.8; G1-P2 2*1/7; G2-P2 2*2/6 = 2/3;
    # G3-P2 2*1/5 = 0.4. Best one-to-one alignment: G1-P1 + G2-P2 = 0.8 + 2/3 = 22/15
    # (G1-P1 + G3-P2 = 1.2; G1-P2 + anything with P1 = 2/7).
    # R = (22/15)/3 gold clusters = 22/45; P = (22/15)/2 predicted clusters = 11/15.
    # F1 = 2*(22/45)(11/15)/(22/45+33/45) = 44/75.
    _close(ceaf_e(GOLD, PRED), 11 / 15, 22 / 45, 44 / 75)


def test_worked_example_conll_and_the_metrics_differ() -> None:
    score = conll(GOLD, PRED)
    assert isinstance(score, ConllScore)
    # (4/7 + 2/3 + 44/75) / 3 = (0.571429 + 0.666667 + 0.586667) / 3 = 0.608254
    assert score.f1 == pytest.approx((4 / 7 + 2 / 3 + 44 / 75) / 3)
    assert score.f1 == pytest.approx(0.608254, abs=1e-6)
    assert len({round(s.f1, 6) for s in (score.muc, score.b3, score.ceaf_e)}) == 3
    assert score.to_dict()["muc"]["recall"] == pytest.approx(2 / 3)


def test_worked_example_pairwise() -> None:
    # Gold links: C(3,2) + C(2,2) = 4; predicted: C(2,2) + C(4,2) = 7;
    # common: (a,b) and (d,e) = 2. P = 2/7, R = 2/4, F1 = 2*(1/7)/(2/7+1/2) = 4/11.
    _close(pairwise(GOLD, PRED), 2 / 7, 1 / 2, 4 / 11)


def test_all_singletons_prediction() -> None:
    # MUC: every gold cluster is split into |K| parts -> recall 0; no predicted link ->
    # precision 0/0 = 0.
    _close(muc(GOLD, SINGLETONS), 0.0, 0.0, 0.0)
    # B3: precision 1 for every item; recall a,b,c 1/3, d,e 1/2, f 1 -> 3/6 = 1/2.
    # F1 = 2*1*(1/2)/(3/2) = 2/3.
    _close(b3(GOLD, SINGLETONS), 1.0, 1 / 2, 2 / 3)
    # CEAF-e: each gold cluster takes one of its own singletons: 2/(3+1) + 2/(2+1) +
    # 2/(1+1) = 1/2 + 2/3 + 1 = 13/6. R = (13/6)/3 = 13/18; P = (13/6)/6 = 13/36.
    # F1 = 2*(13/18)(13/36)/(13/18+13/36) = 2*(169/648)/(39/36) = 13/27.
    _close(ceaf_e(GOLD, SINGLETONS), 13 / 36, 13 / 18, 13 / 27)
    _close(pairwise(GOLD, SINGLETONS), 0.0, 0.0, 0.0)


def test_all_in_one_cluster_prediction() -> None:
    # MUC: recall (3-1)+(2-1)+(1-1) over 3 = 1; precision: one cluster of 6 lying in 3
    # gold clusters -> (6-3)/(6-1) = 3/5. F1 = 2*(3/5)/(8/5) = 3/4.
    _close(muc(GOLD, ONE_CLUSTER), 3 / 5, 1.0, 3 / 4)
    # B3: recall 1; precision a,b,c 3/6, d,e 2/6, f 1/6 -> (3/2 + 2/3 + 1/6)/6 = 7/18.
    # F1 = 2*(7/18)/(25/18) = 14/25.
    _close(b3(GOLD, ONE_CLUSTER), 7 / 18, 1.0, 14 / 25)
    # CEAF-e: the one predicted cluster aligns with G1: 2*3/(3+6) = 2/3.
    # P = (2/3)/1, R = (2/3)/3 = 2/9, F1 = 2*(2/3)(2/9)/(8/9) = 1/3.
    _close(ceaf_e(GOLD, ONE_CLUSTER), 2 / 3, 2 / 9, 1 / 3)
    # Pairwise: 4 gold links among C(6,2) = 15 predicted. P = 4/15, R = 1, F1 = 8/19.
    _close(pairwise(GOLD, ONE_CLUSTER), 4 / 15, 1.0, 8 / 19)


def test_singletons_in_gold_and_prediction() -> None:
    # All singletons on both sides: a perfect clustering, but MUC has no link to count.
    assert muc(SINGLETONS, dict(SINGLETONS)) == Score(0.0, 0.0, 0.0)
    assert b3(SINGLETONS, dict(SINGLETONS)) == Score(1.0, 1.0, 1.0)
    assert ceaf_e(SINGLETONS, dict(SINGLETONS)) == Score(1.0, 1.0, 1.0)
    # A singleton the prediction gets right leaves MUC unchanged but raises B3/CEAF-e:
    # gold {a,b} {c}; predicted {a,b,c} vs {a,b} {c}.
    gold = {"a": 1, "b": 1, "c": 2}
    merged, split = {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 2}
    assert muc(gold, merged).recall == muc(gold, split).recall == 1.0
    # Merged: MUC precision (3-2)/(3-1) = 1/2; B3 precision (2/3+2/3+1/3)/3 = 5/9.
    assert muc(gold, merged).precision == pytest.approx(1 / 2)
    assert b3(gold, merged).precision == pytest.approx(5 / 9)
    assert b3(gold, split) == Score(1.0, 1.0, 1.0)


def test_items_missing_on_one_side() -> None:
    # "z" is predicted but not gold: ignored. "f" is gold but not predicted: a singleton.
    pred = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "z": "P2"}
    # Equivalent to predicting {a,b} {c,d,e} {f}.
    explicit = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}
    for metric in (pairwise, b3, muc, ceaf_e):
        assert metric(GOLD, pred) == metric(GOLD, explicit)
    # MUC on {a,b} {c,d,e} {f}: recall (3-2)+(2-1)+0 over 3 = 2/3; precision
    # (2-1)+(3-2)+(1-1) over 1+2+0 = 2/3.
    _close(muc(GOLD, pred), 2 / 3, 2 / 3, 2 / 3)


def test_empty_gold_scores_zero() -> None:
    for metric in (pairwise, b3, muc, ceaf_e):
        assert metric({}, {"a": 1}) == Score(0.0, 0.0, 0.0)
    assert conll({}, {}).f1 == 0.0


def test_labels_of_any_hashable_type() -> None:
    gold = {("d1", 1): ("x",), ("d1", 2): ("x",), ("d2", 1): 7}
    pred = {("d1", 1): 0, ("d1", 2): 0, ("d2", 1): 0}
    # One predicted cluster of 3 over gold {2, 1}: MUC R = 1/1, P = (3-2)/(3-1) = 1/2.
    _close(muc(gold, pred), 1 / 2, 1.0, 2 / 3)


def _brute_force(weights: list[list[float]]) -> float:
    rows, cols = len(weights), len(weights[0])
    if rows <= cols:
        return max(sum(weights[i][j] for i, j in enumerate(perm))
                   for perm in itertools.permutations(range(cols), rows))
    return max(sum(weights[i][j] for j, i in enumerate(perm))
               for perm in itertools.permutations(range(rows), cols))


@pytest.mark.parametrize("use_scipy", [True, False])
def test_assignment_is_optimal(use_scipy: bool) -> None:
    rng = random.Random(7)
    for rows, cols in [(2, 2), (3, 3), (2, 5), (5, 2), (4, 6), (6, 4), (5, 5)]:
        for _ in range(5):
            weights = [[rng.choice([0.0, 0.25, 0.5, rng.random()]) for _ in range(cols)]
                       for _ in range(rows)]
            pairs = max_weight_assignment(weights, use_scipy=use_scipy)
            assert len(pairs) == min(rows, cols)
            assert len({i for i, _ in pairs}) == len({j for _, j in pairs}) == len(pairs)
            total = sum(weights[i][j] for i, j in pairs)
            assert total == pytest.approx(_brute_force(weights))


def test_assignment_small_cases() -> None:
    assert max_weight_assignment([]) == []
    assert max_weight_assignment([[0.1, 0.9, 0.3]]) == [(0, 1)]
    assert max_weight_assignment([[0.1], [0.9]]) == [(1, 0)]
    # Greedy would take 0.9 (0,0) and then 0.1 (1,1) = 1.0; the optimum is 0.8 + 0.8.
    assert max_weight_assignment([[0.9, 0.8], [0.8, 0.1]], use_scipy=False) == [(0, 1), (1, 0)]
