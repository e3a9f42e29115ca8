"""Skip logic and answer checking (plain functions)."""

from __future__ import annotations

import pytest

from dtss.surveys import logic
from dtss.surveys.logic import Q

OPTS = [{"value": "yes", "zh": "有"}, {"value": "no", "zh": "沒有"}]
QS = [
    Q("Q1", "single", required=True, options=OPTS),
    # only for those who have a device at home
    Q(
        "Q2",
        "multiple",
        required=True,
        options=[{"value": "tablet"}, {"value": "pc"}],
        show_if=[{"q": "Q1", "op": "eq", "value": "yes"}],
    ),
    Q("Q3", "scale5", required=True),
    # asked when the scale answer is 2 or lower (N/A is not low)
    Q("Q4", "long_text", required=True, show_if=[{"q": "Q3", "op": "lte", "value": 2}]),
    Q("Q5", "number", min_value=0, max_value=24),
    # a whole section shown only to those who answered Q2 with a PC
    Q("Q6", "date", required=True, section_show_if=[{"q": "Q2", "op": "in", "value": ["pc"]}]),
]


def test_branches_follow_the_answers() -> None:
    assert logic.visible_codes(QS, {"Q1": "no", "Q3": 4}) == {"Q1", "Q3", "Q5"}
    assert logic.visible_codes(QS, {"Q1": "yes", "Q2": ["pc"], "Q3": 1}) == {
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q5",
        "Q6",
    }
    # N/A (0) does not satisfy "at most 2"
    assert "Q4" not in logic.visible_codes(QS, {"Q1": "no", "Q3": 0})
    # a hidden question's answer does not open later branches
    assert "Q6" not in logic.visible_codes(QS, {"Q1": "no", "Q2": ["pc"], "Q3": 3})


def test_clean_drops_hidden_answers_and_requires_only_visible_ones() -> None:
    cleaned = logic.clean_answers(QS, {"Q1": "no", "Q2": ["tablet"], "Q3": "4", "Q5": "3"})
    assert cleaned == {"Q1": "no", "Q3": 4, "Q5": 3}
    with pytest.raises(logic.AnswerError) as err:
        logic.clean_answers(QS, {"Q1": "yes", "Q3": "2"})
    assert set(err.value.errors) == {"Q2", "Q4"}
    assert "required" in err.value.errors["Q2"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"Q1": "maybe", "Q3": 3}, "Q1"),
        ({"Q1": "no", "Q3": 6}, "Q3"),
        ({"Q1": "no", "Q3": "x"}, "Q3"),
        ({"Q1": "no", "Q3": 3, "Q5": "25"}, "Q5"),
        ({"Q1": "no", "Q3": 3, "Q5": "nan"}, "Q5"),
        ({"Q1": "yes", "Q2": ["phone"], "Q3": 3}, "Q2"),
        ({"Q1": "yes", "Q2": ["pc"], "Q3": 3, "Q6": "2026-13-01"}, "Q6"),
        ({"Q1": "no", "Q3": 3, "Q99": "x"}, "Q99"),
    ],
)
def test_bad_answers_name_the_question(raw: dict, field: str) -> None:
    with pytest.raises(logic.AnswerError) as err:
        logic.clean_answers(QS, raw)
    assert field in err.value.errors


def test_text_is_limited_and_multiple_keeps_option_order() -> None:
    q = Q("T", "short_text")
    with pytest.raises(ValueError):
        logic.clean_value(q, "字" * 301)
    assert logic.clean_value(
        Q("M", "multiple", options=[{"value": "a"}, {"value": "b"}]), ["b", "a", "b"]
    ) == ["a", "b"]


def test_condition_checks_for_the_editor() -> None:
    earlier = {"Q1": QS[0], "Q3": QS[2]}
    assert logic.check_conditions([{"q": "Q1", "op": "eq", "value": "yes"}], earlier, "Q2") == []
    problems = logic.check_conditions(
        [
            {"q": "Q9", "op": "eq", "value": "x"},
            {"q": "Q1", "op": "like", "value": "x"},
            {"q": "Q1", "op": "eq", "value": "maybe"},
            {"q": "Q1", "op": "gte", "value": 2},
        ],
        earlier,
        "Q4",
    )
    assert len(problems) == 4
    assert "not an earlier question" in problems[0] and "maybe" in problems[2]


def test_zero_is_na_only_on_the_scale() -> None:
    qs = [
        Q("N", "number", min_value=0),
        Q("F", "short_text", show_if=[{"q": "N", "op": "lte", "value": 2}]),
    ]
    assert "F" in logic.visible_codes(qs, {"N": 0})  # zero devices is a low number
    qs[0] = Q("N", "scale5")
    assert "F" not in logic.visible_codes(qs, {"N": 0})  # N/A is not a low score
