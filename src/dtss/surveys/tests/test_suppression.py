"""Small-group suppression rules, including the differencing of overlapping reports."""

from __future__ import annotations

from dtss.surveys.suppression import subset_shown, suppressed_cells, total_shown


def test_primary_suppression() -> None:
    assert suppressed_cells({"a": 12, "b": 7, "c": 0}, 5) == set()
    assert suppressed_cells({"a": 12, "b": 4, "c": 3}, 5) == {"b", "c"}  # together 7 ≥ 5


def test_complementary_suppression_when_one_small_cell_could_be_recovered() -> None:
    # Publishing a (12), b (9) and the total 24 would reveal c (3): suppress b too.
    assert suppressed_cells({"a": 12, "b": 9, "c": 3}, 5) == {"b", "c"}
    # Two small cells that together still fall short pull in the smallest large one.
    assert suppressed_cells({"a": 20, "b": 6, "c": 1, "d": 2}, 5) == {"b", "c", "d"}


def test_totals_and_subsets() -> None:
    assert total_shown(0, 5) and total_shown(5, 5) and not total_shown(4, 5)
    assert subset_shown(20, 30, 5)
    assert not subset_shown(4, 30, 5)  # the class itself is too small
    assert not subset_shown(27, 30, 5)  # the rest of the school (3) would be revealed
    assert subset_shown(30, 30, 5)  # the class is the whole school
