"""Clustering and coreference metrics: pairwise, B-cubed, MUC, CEAF-e and CoNLL F1.

A clustering is a mapping from items (anything hashable: mention ids, (doc, m_id)
tuples ...) to cluster labels; two items are in the same cluster when their labels are
equal. Every function takes the gold clustering first and the predicted one second and
returns a `Score` (precision, recall, F1 as fractions in [0, 1]).

Items present on one side only. Only the items of `gold` are scored: a predicted item
missing from `gold` is ignored (dropped from its predicted cluster), and a gold item
missing from `pred` is treated as a predicted singleton. So precision and recall are
always computed over the same set of items, as with gold mentions.

Definitions (G_i is the gold cluster of item i, P_i its predicted cluster, N the number of
gold items, n_gp the number of items in gold cluster g and predicted cluster p):

* pairwise: the links are the unordered pairs of items sharing a cluster. Precision is the
  share of predicted links that are gold links, recall the share of gold links that are
  predicted links.
* B-cubed (`bcubed`, `b3`; Bagga and Baldwin 1998): per item, precision |G_i ∩ P_i| / |P_i|
  and recall |G_i ∩ P_i| / |G_i|, each averaged over the N items. Singletons count.
* MUC (Vilain et al. 1995): recall is sum over gold clusters K of (|K| - parts(K)) divided
  by sum of (|K| - 1), where parts(K) is the number of predicted clusters K is split
  into; precision swaps the roles. A singleton adds 0 to both sums, so singletons are
  ignored by construction.
* CEAF-e (Luo 2005): entity similarity phi4(K, R) = 2 |K ∩ R| / (|K| + |R|); the gold and
  predicted clusters are aligned one-to-one so that the total similarity S is maximal
  (unaligned clusters score 0); recall is S / (number of gold clusters), precision
  S / (number of predicted clusters). Singletons count as clusters.
* CoNLL F1 (Pradhan et al. 2011, 2014): the unweighted mean of the MUC, B3 and CEAF-e F1.

A ratio whose denominator is 0 is 0 (as in the reference CoNLL scorer): MUC precision and
recall are 0 when either side has only singletons, pairwise precision is 0 when nothing
is linked, and every score of an empty gold clustering is 0. F1 is the harmonic mean of
precision and recall, 0 when both are 0.

The optimal CEAF alignment uses `scipy.optimize.linear_sum_assignment` when SciPy is
installed and an exact Hungarian algorithm otherwise; it is solved separately on each
connected group of overlapping gold and predicted clusters, which gives the same optimum
(non-overlapping clusters have similarity 0) and keeps the matrices small.
"""

from __future__ import annotations

import importlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "ConllScore",
    "Score",
    "b3",
    "bcubed",
    "ceaf_e",
    "conll",
    "max_weight_assignment",
    "muc",
    "pairwise",
]

#: The type of the clustered items (both clusterings must use the same one).
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Score:
    """Precision, recall and their harmonic mean F1, as fractions in [0, 1]."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, precision: float, recall: float) -> Score:
        """A Score whose F1 is computed from `precision` and `recall`."""
        total = precision + recall
        return cls(precision, recall, 2 * precision * recall / total if total else 0.0)

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class ConllScore:
    """MUC, B3 and CEAF-e, and the CoNLL F1: the mean of their three F1 values."""

    muc: Score
    b3: Score
    ceaf_e: Score
    f1: float

    def to_dict(self) -> dict[str, Any]:
        return {"muc": self.muc.to_dict(), "b3": self.b3.to_dict(),
                "ceaf_e": self.ceaf_e.to_dict(), "f1": self.f1}


class _Missing:
    """Label of a gold item absent from the prediction: a singleton of its own."""

    __slots__ = ("item",)

    def __init__(self, item: Hashable) -> None:
        self.item = item

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Missing) and other.item == self.item

    def __hash__(self) -> int:
        return hash((_Missing, self.item))


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _aligned(pred: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> dict[K, Hashable]:
    """`pred` restricted to the gold items, missing ones as singletons (see module doc)."""
    return {item: pred[item] if item in pred else _Missing(item) for item in gold}


def _contingency(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> tuple[
        Counter[Hashable], Counter[Hashable], Counter[tuple[Hashable, Hashable]]]:
    """Gold cluster sizes, predicted cluster sizes and the overlap counts n_gp."""
    aligned = _aligned(pred, gold)
    cells: Counter[tuple[Hashable, Hashable]] = Counter(
        (label, aligned[item]) for item, label in gold.items())
    gold_sizes: Counter[Hashable] = Counter()
    pred_sizes: Counter[Hashable] = Counter()
    for (g, p), n in cells.items():
        gold_sizes[g] += n
        pred_sizes[p] += n
    return gold_sizes, pred_sizes, cells


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> Score:
    """Pairwise (link) precision, recall and F1."""
    gold_sizes, pred_sizes, cells = _contingency(gold, pred)
    common = sum(_pairs(n) for n in cells.values())
    return Score.of(_ratio(common, sum(_pairs(n) for n in pred_sizes.values())),
                    _ratio(common, sum(_pairs(n) for n in gold_sizes.values())))


def bcubed(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> Score:
    """B-cubed precision, recall and F1, averaged over the gold items."""
    gold_sizes, pred_sizes, cells = _contingency(gold, pred)
    # Each of the n_gp items of cell (g, p) has precision n_gp/|p| and recall n_gp/|g|.
    precision = sum(n * n / pred_sizes[p] for (_, p), n in cells.items())
    recall = sum(n * n / gold_sizes[g] for (g, _), n in cells.items())
    return Score.of(_ratio(precision, len(gold)), _ratio(recall, len(gold)))


def b3(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> Score:
    """B3 as named in the CoNLL coreference scorer (the same as `bcubed`)."""
    return bcubed(gold, pred)


def muc(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> Score:
    """MUC link-based precision, recall and F1."""
    gold_sizes, pred_sizes, cells = _contingency(gold, pred)
    parts_of_gold: Counter[Hashable] = Counter(g for g, _ in cells)
    parts_of_pred: Counter[Hashable] = Counter(p for _, p in cells)
    recall = _ratio(sum(size - parts_of_gold[g] for g, size in gold_sizes.items()),
                    sum(size - 1 for size in gold_sizes.values()))
    precision = _ratio(sum(size - parts_of_pred[p] for p, size in pred_sizes.items()),
                       sum(size - 1 for size in pred_sizes.values()))
    return Score.of(precision, recall)


def ceaf_e(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> Score:
    """Entity-based CEAF (phi4 similarity, optimal one-to-one cluster alignment)."""
    gold_sizes, pred_sizes, cells = _contingency(gold, pred)
    total = 0.0
    for g_labels, p_labels in _components(cells):
        weights = [[2 * cells.get((g, p), 0) / (gold_sizes[g] + pred_sizes[p])
                    for p in p_labels] for g in g_labels]
        total += sum(weights[i][j] for i, j in max_weight_assignment(weights))
    return Score.of(_ratio(total, len(pred_sizes)), _ratio(total, len(gold_sizes)))


def conll(gold: Mapping[K, Hashable], pred: Mapping[K, Hashable]) -> ConllScore:
    """MUC, B3, CEAF-e and their mean F1 (the CoNLL-2012 score)."""
    m, b, c = muc(gold, pred), b3(gold, pred), ceaf_e(gold, pred)
    return ConllScore(m, b, c, (m.f1 + b.f1 + c.f1) / 3)


def _components(cells: Mapping[tuple[Hashable, Hashable], int]
                ) -> list[tuple[list[Hashable], list[Hashable]]]:
    """Connected groups of gold and predicted clusters that share items (union-find)."""
    parent: dict[tuple[int, Hashable], tuple[int, Hashable]] = {}

    def find(node: tuple[int, Hashable]) -> tuple[int, Hashable]:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while node != root:
            parent[node], node = root, parent[node]
        return root

    for g, p in cells:
        a, b = find((0, g)), find((1, p))
        if a != b:
            parent[a] = b
    groups: dict[tuple[int, Hashable], tuple[list[Hashable], list[Hashable]]] = (
        defaultdict(lambda: ([], [])))
    for node in parent:
        side, label = node
        groups[find(node)][side].append(label)
    return list(groups.values())


def _scipy_solver() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("scipy.optimize")
    except ImportError:
        return None
    solver: Callable[..., Any] = module.linear_sum_assignment
    return solver


_SCIPY_ASSIGNMENT = _scipy_solver()


def max_weight_assignment(weights: Sequence[Sequence[float]], *,
                          use_scipy: bool = True) -> list[tuple[int, int]]:
    """Row/column pairs of a one-to-one assignment maximizing the total weight.

    `weights` is a rectangular matrix (rows x columns); min(rows, columns) pairs are
    returned, sorted by row. SciPy solves it when installed (and `use_scipy`), else
    `_hungarian`.
    """
    rows = len(weights)
    cols = len(weights[0]) if rows else 0
    if rows == 0 or cols == 0:
        return []
    if rows == 1:
        best = max(range(cols), key=lambda j: weights[0][j])
        return [(0, best)]
    if cols == 1:
        best = max(range(rows), key=lambda i: weights[i][0])
        return [(best, 0)]
    if use_scipy and _SCIPY_ASSIGNMENT is not None:
        row_ind, col_ind = _SCIPY_ASSIGNMENT([list(r) for r in weights], maximize=True)
        return sorted(zip((int(i) for i in row_ind), (int(j) for j in col_ind), strict=True))
    if rows <= cols:
        return _hungarian([[-w for w in row] for row in weights])
    transposed = _hungarian([[-weights[i][j] for i in range(rows)] for j in range(cols)])
    return sorted((i, j) for j, i in transposed)


def _hungarian(cost: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Minimum-cost assignment of every row of `cost` (rows <= columns) to a column.

    The shortest-augmenting-path form of the Hungarian method: rows are added one at a
    time, and dual potentials u (rows) and v (columns) keep every reduced cost
    cost[i][j] - u[i] - v[j] non-negative and zero on assigned pairs. Index 0 is a
    virtual column from which each augmenting path starts. O(rows^2 * columns).
    """
    n, m = len(cost), len(cost[0])
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    row_of = [0] * (m + 1)  # row_of[j]: the row (1-based) assigned to column j, 0 if none
    for i in range(1, n + 1):
        row_of[0] = i
        col = 0
        slack = [math.inf] * (m + 1)
        previous = [0] * (m + 1)
        done = [False] * (m + 1)
        while True:
            done[col] = True
            row, delta, next_col = row_of[col], math.inf, 0
            for j in range(1, m + 1):
                if done[j]:
                    continue
                reduced = cost[row - 1][j - 1] - u[row] - v[j]
                if reduced < slack[j]:
                    slack[j], previous[j] = reduced, col
                if slack[j] < delta:
                    delta, next_col = slack[j], j
            for j in range(m + 1):
                if done[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            col = next_col
            if row_of[col] == 0:
                break
        while col:  # flip the augmenting path back to the virtual column
            prev = previous[col]
            row_of[col] = row_of[prev]
            col = prev
    return sorted((row_of[j] - 1, j - 1) for j in range(1, m + 1) if row_of[j])
