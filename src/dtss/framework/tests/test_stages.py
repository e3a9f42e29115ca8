from __future__ import annotations

from fractions import Fraction

from dtss.framework.stages import Rule, StrategyState, item_stage


def states(spec: str) -> list[StrategyState]:
    """'D:ie D:i- A:p-' → code, stage, status (i=implemented, e=embedded, p=planned, n=not
    started) and evidence (e / -)."""
    out = []
    status = {"i": "implemented", "e": "embedded", "p": "planned", "n": "not_started"}
    for n, token in enumerate(spec.split()):
        stage, flags = token.split(":")
        out.append(
            StrategyState(
                code=f"X.{stage}{n}",
                stage=stage,
                status=status[flags[0]],
                has_evidence=flags[1] == "e",
            )
        )
    return out


def test_nothing_met_is_before_development() -> None:
    result = item_stage(states("D:n- D:n- A:n- M:n-"), Rule())
    assert result.stage is None and result.next_stage == "D"
    assert result.next_total == 2 and result.next_met == 0 and len(result.next_steps) == 2


def test_default_rule_needs_every_strategy_with_evidence() -> None:
    # Both development strategies implemented, but one without evidence: not yet D.
    result = item_stage(states("D:ie D:i- A:ie"), Rule())
    assert result.stage is None and result.next_steps == ("X.D1",)
    result = item_stage(states("D:ie D:ee A:ie A:p-"), Rule())
    assert result.stage == "D" and result.next_stage == "A"
    assert (result.next_met, result.next_needed, result.next_total) == (1, 2, 2)


def test_stages_are_cumulative() -> None:
    # Every maturity strategy met but acceleration incomplete: the item stays at D.
    result = item_stage(states("D:ie A:ie A:n- M:ie M:ie"), Rule())
    assert result.stage == "D" and result.next_stage == "A"
    result = item_stage(states("D:ie A:ie A:ie M:ie M:ie"), Rule())
    assert result.stage == "M" and result.next_stage is None and result.next_steps == ()


def test_a_looser_share_rounds_up() -> None:
    two_thirds = Rule(share=Fraction(2, 3))
    # 2 of 3 development strategies is enough at two-thirds, not at the default.
    spec = "D:ie D:ie D:n- A:n- A:n- A:n- A:n-"
    assert item_stage(states(spec), two_thirds).stage == "D"
    assert item_stage(states(spec), Rule()).stage is None
    # 4 acceleration strategies at 2/3 need ceil(8/3) = 3.
    assert item_stage(states(spec), two_thirds).next_needed == 3


def test_evidence_can_be_waived_by_the_cycle() -> None:
    result = item_stage(states("D:i- D:e- A:n-"), Rule(require_evidence=False))
    assert result.stage == "D"


def test_an_empty_stage_counts_as_met() -> None:
    # An item whose maturity stage has no strategies (never in the official tables, possible
    # with a county's own framework) reaches M once A is met.
    assert item_stage(states("D:ie A:ie"), Rule()).stage == "M"


def test_a_stored_two_thirds_share_is_two_thirds() -> None:
    from decimal import Decimal
    from types import SimpleNamespace

    from dtss.framework.selectors import rule_of

    rule = rule_of(SimpleNamespace(rule_share=Decimal("0.667"), require_evidence=True))
    assert rule.needed(3) == 2 and rule.needed(6) == 4 and rule.needed(4) == 3
    assert (
        rule_of(SimpleNamespace(rule_share=Decimal("0.750"), require_evidence=True)).needed(4) == 3
    )
    assert rule_of(SimpleNamespace(rule_share=Decimal("1"), require_evidence=True)).needed(5) == 5
