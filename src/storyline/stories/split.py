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
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["agglomerate", "average_link", "parts"]


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


def parts(similarity: npt.NDArray[np.float64], threshold: float, min_part: int
          ) -> list[list[int]] | None:
    """The groups a story's reports (rows of `similarity`, their pairwise scores) split
    into, or None when they hold together: average link stops below `threshold`; at
    least two groups must have `min_part` reports or more, and each report of a smaller
    group joins the large group with the highest mean score to it. Groups are sorted
    index lists, ordered by their first index."""
    groups = average_link(similarity, threshold)
    large = [g for g in groups if len(g) >= min_part]
    if len(large) < 2:
        return None
    out = [list(g) for g in large]
    for group in groups:
        if len(group) >= min_part:
            continue
        for i in group:
            best = max(range(len(large)),
                       key=lambda k: (float(similarity[i, large[k]].mean()), -k))
            out[best].append(i)
    return sorted(sorted(g) for g in out)
