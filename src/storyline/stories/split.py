"""Splitting a story whose reports fall into groups that would not join each other.

A story grows one report at a time, so one early report that fits two events of the
same kind (two fires in one town, two arrests of players of one team) can draw the
reports of both into one story: each later report fits the story as a whole, and
looking at reports one by one (`StoryClusterer.reconsider`) cannot undo it, since no
other story is there to move to. Looked at all together, the reports of such a story
form groups that score high within and low across (a report of one fire against a report
of the other). `parts` finds those groups with average-link clustering over the
reports' pairwise story scores; a story is split only when at least two groups hold
`min_part` reports or more (a lone odd report stays where it is), and the reports of
smaller groups go to the large group they fit best.

Average link can miss such a split: when a report of one event scores high against a
report of the other (one outlet's template, a follow-up that recalls the first event),
it merges the two into a mixed group early on. Dated reports give a second way to look:
reports of one event come in a burst, and a second event of the same kind starts a
burst of its own after days of silence. `bursts` cuts the story at each gap of
`gap_days` or more between its reports' dates (undated reports go to the side they
score higher against) and splits it at the cut whose two sides score lowest across,
when that is below the threshold and each side holds together (scores more than the
threshold within).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

__all__ = ["agglomerate", "apart_in_bursts", "average_link", "bursts", "mean_within",
           "parts"]


def average_link(similarity: npt.NDArray[np.float64], threshold: float) -> list[list[int]]:
    """Average-link agglomerative clustering of a symmetric similarity matrix.

    Starting from singletons, the two clusters with the highest mean pairwise similarity
    are merged while that mean is strictly above `threshold`. Returns the clusters as
    sorted index lists, ordered by their first index.
    """
    n = similarity.shape[0]
    return agglomerate(similarity, np.ones(n, dtype=np.float64), threshold)


def agglomerate(total: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64],
                threshold: float) -> list[list[int]]:
    """Average link over groups: `total[i, j]` is the summed similarity between the items
    of groups i and j (the diagonal is ignored), `sizes[i]` how many items group i holds.
    The two groups with the highest mean (`total / (size * size)`) merge while that mean
    is strictly above `threshold`. Returns the merged groups as sorted lists of group
    indices, ordered by their first index."""
    n = total.shape[0]
    if n == 0:
        return []
    total = total.astype(np.float64, copy=True)
    np.fill_diagonal(total, 0.0)
    sizes = sizes.astype(np.float64, copy=True)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        mean = total / np.outer(sizes, sizes)
        mean[~alive, :] = -np.inf
        mean[:, ~alive] = -np.inf
        np.fill_diagonal(mean, -np.inf)
        flat = int(np.argmax(mean))
        i, j = divmod(flat, n)
        if not mean[i, j] > threshold:
            break
        i, j = min(i, j), max(i, j)
        total[i, :] += total[j, :]
        total[:, i] += total[:, j]
        total[i, i] = 0.0
        total[j, :] = 0.0
        total[:, j] = 0.0
        sizes[i] += sizes[j]
        alive[j] = False
        members[i] += members.pop(j)
    return sorted(sorted(c) for c in members.values())


def parts(similarity: npt.NDArray[np.float64], threshold: float, min_part: int,
          days: Sequence[str | None] | None = None, gap_days: int = 0, ratio: float = 0.0
          ) -> list[list[int]] | None:
    """The groups a story's reports (rows of `similarity`, their pairwise scores) split
    into, or None when they hold together: average link stops below `threshold`; at
    least two groups must have `min_part` reports or more, and each report of a smaller
    group joins the large group with the highest mean score to it. When average link
    finds no split and the reports' `days` (ISO dates or None) are given, the story is
    cut between bursts of reports (`bursts`, gaps of `gap_days` or more; 0: never).
    Groups are sorted index lists, ordered by their first index."""
    groups = average_link(similarity, threshold)
    large = [g for g in groups if len(g) >= min_part]
    if len(large) < 2:
        if days is None or gap_days <= 0:
            return None
        return bursts(similarity, threshold, min_part, days, gap_days, ratio)
    out = [list(g) for g in large]
    for group in groups:
        if len(group) >= min_part:
            continue
        for i in group:
            best = max(range(len(large)),
                       key=lambda k: (float(similarity[i, large[k]].mean()), -k))
            out[best].append(i)
    return sorted(sorted(g) for g in out)


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def mean_within(scores: npt.NDArray[np.float64]) -> float:
    """The mean of a group's pairwise scores, the diagonal left out (a single report:
    infinite)."""
    n = scores.shape[0]
    return float(scores.sum() / (n * (n - 1))) if n > 1 else float("inf")


def _within(similarity: npt.NDArray[np.float64], group: npt.NDArray[np.intp]) -> float:
    """The mean score between the reports of a group."""
    return mean_within(similarity[np.ix_(group, group)])


def bursts(similarity: npt.NDArray[np.float64], threshold: float, min_part: int,
           days: Sequence[str | None], gap_days: int, ratio: float = 0.0
           ) -> list[list[int]] | None:
    """Split a story between bursts of its dated reports, or None.

    Each gap of `gap_days` or more between two consecutive dates of the reports is a
    candidate cut: the reports dated before it on one side, those after on the other,
    and each undated report on the side whose dated reports it scores higher against
    on average. A cut counts when both sides hold `min_part` reports or more, the mean
    score across them is below `threshold` and the mean score within each side above
    it; of those, the cut with the lowest score across is taken, and each side is split
    again the same way (`parts`). Groups are sorted index lists, ordered by their first
    index."""
    n = similarity.shape[0]
    when = [_day(d) for d in days]
    dated = sorted({d for d in when if d is not None})
    if n < 2 * min_part or len(dated) < 2:
        return None
    best: tuple[float, list[int], list[int]] | None = None
    for before, after in pairwise(dated):
        if (after - before).days < gap_days:
            continue
        early = np.array([d is not None and d <= before for d in when])
        late = np.array([d is not None and d > before for d in when])
        side = early.copy()
        for i in range(n):
            if when[i] is None:
                side[i] = similarity[i, early].mean() > similarity[i, late].mean()
        a, b = np.flatnonzero(side), np.flatnonzero(~side)
        if len(a) < min_part or len(b) < min_part:
            continue
        across = float(similarity[np.ix_(a, b)].mean())
        within = min(_within(similarity, a), _within(similarity, b))
        if across < max(threshold, ratio * within) and within > threshold and (
                best is None or across < best[0]):
            best = (across, a.tolist(), b.tolist())
    if best is None:
        return None
    out: list[list[int]] = []
    for side_ in best[1:]:
        sub = np.array(side_)
        again = parts(similarity[np.ix_(sub, sub)], threshold, min_part,
                      [days[i] for i in side_], gap_days, ratio)
        out += [side_] if again is None else [[side_[i] for i in g] for g in again]
    return sorted(sorted(g) for g in out)


def apart_in_bursts(days: Sequence[str | None], other_days: Sequence[str | None],
                    gap_days: int) -> bool:
    """Whether two groups' dated reports lie in bursts at least `gap_days` apart (all of
    one group's dates before all of the other's)."""
    mine = [d for d in map(_day, days) if d is not None]
    theirs = [d for d in map(_day, other_days) if d is not None]
    if gap_days <= 0 or not mine or not theirs:
        return False
    return (min(theirs) - max(mine)).days >= gap_days or \
        (min(mine) - max(theirs)).days >= gap_days
