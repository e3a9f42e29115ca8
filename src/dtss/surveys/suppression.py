"""Small-group suppression: which figures may be published. Plain functions, no database.

Rules (k = the run's minimum group size, never below 5):
1. Primary: a cell (a respondent group, a class, a school …) with 0 < n < k is suppressed.
2. Complementary: when the cells of one partition are published next to their total, the
   suppressed cells together must hold 0 or at least k respondents, else their figures could
   be recovered by subtracting the published cells from the total. While they hold fewer, the
   smallest published cell is suppressed too.
3. Differencing of filtered views: a filtered view (one school of a county run, one class of
   a school) is a cell of a partition (the run by school; the school by class, with the pupils
   of no class as a cell of their own), and it is shown only when rules 1 and 2 applied to the
   whole partition leave it published. For one subset this is `subset_shown`: the subset and
   the rest both hold 0 or at least k; with several subsets it also stops "the school minus
   two published classes" from revealing a small remainder.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def suppressed_cells[K: Hashable](counts: Mapping[K, int], k: int) -> set[K]:
    """The cells of one partition that must not be published (rules 1 and 2)."""
    hidden = {key for key, n in counts.items() if 0 < n < k}
    while hidden:
        hidden_total = sum(counts[key] for key in hidden)
        if hidden_total >= k:
            break
        candidates = sorted(
            (n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0
        )
        if not candidates:
            break  # the total itself is below k: the caller suppresses it (total_shown)
        hidden.add(candidates[0][2])
    return hidden


def total_shown(total: int, k: int) -> bool:
    return total == 0 or total >= k


def subset_shown(subset: int, whole: int, k: int) -> bool:
    """Rule 3: may a filtered view with `subset` respondents of `whole` be published?"""
    rest = whole - subset
    return (subset == 0 or subset >= k) and (rest == 0 or rest >= k)
