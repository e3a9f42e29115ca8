"""The stage rule (DESIGN.md), as plain functions with no Django imports.

Stages are cumulative: an item is at stage X when the strategies of X and of every stage below
meet the cycle's rule. The default rule is "every strategy implemented, with evidence"; a county
may set a looser share (e.g. two-thirds) per cycle. The next stage's unmet strategies are the
next steps, with the share already met.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

STAGES = ("D", "A", "M")
MET_STATUSES = frozenset({"implemented", "embedded"})


@dataclass(frozen=True)
class StrategyState:
    code: str
    stage: str
    status: str = "not_started"
    has_evidence: bool = False


@dataclass(frozen=True)
class Rule:
    share: Fraction = Fraction(1)
    require_evidence: bool = True

    def needed(self, total: int) -> int:
        """How many of `total` strategies must be met: the share, rounded up."""
        return math.ceil(self.share * total) if total else 0

    def is_met(self, state: StrategyState) -> bool:
        return state.status in MET_STATUSES and (state.has_evidence or not self.require_evidence)


@dataclass(frozen=True)
class ItemStage:
    stage: str | None  # None: not yet at the development stage
    next_stage: str | None  # None: at maturity
    next_met: int = 0
    next_needed: int = 0
    next_total: int = 0
    next_steps: tuple[str, ...] = field(default_factory=tuple)  # unmet codes of the next stage
    met_by_stage: dict[str, tuple[int, int]] = field(default_factory=dict)  # stage -> (met, total)

    @property
    def next_share(self) -> float:
        return self.next_met / self.next_total if self.next_total else 1.0


def item_stage(states: Iterable[StrategyState], rule: Rule) -> ItemStage:
    by_stage: dict[str, list[StrategyState]] = {s: [] for s in STAGES}
    for state in states:
        by_stage[state.stage].append(state)
    met_by_stage = {
        s: (sum(1 for x in by_stage[s] if rule.is_met(x)), len(by_stage[s])) for s in STAGES
    }
    reached: str | None = None
    for s in STAGES:
        met, total = met_by_stage[s]
        if met >= rule.needed(total):
            reached = s
        else:
            break
    next_stage = (
        None if reached == "M" else STAGES[0 if reached is None else STAGES.index(reached) + 1]
    )
    if next_stage is None:
        return ItemStage(stage=reached, next_stage=None, met_by_stage=met_by_stage)
    met, total = met_by_stage[next_stage]
    return ItemStage(
        stage=reached,
        next_stage=next_stage,
        next_met=met,
        next_needed=rule.needed(total),
        next_total=total,
        next_steps=tuple(x.code for x in by_stage[next_stage] if not rule.is_met(x)),
        met_by_stage=met_by_stage,
    )
