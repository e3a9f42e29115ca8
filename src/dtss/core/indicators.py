"""The indicator registry (DESIGN.md rule 4): operational data beside the framework.

A module registers an `Indicator`: an id, a title in both languages, the strategy IDs it
evidences, the org level (county or school), a compute function `(org, as_of) -> value`, a unit
and, where meaningful, the value that counts as achieved. The framework shows each indicator
beside the strategies it evidences, keeps its value per cycle, and flags where a self-rating and
the measured value disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Level = Literal["county", "school"]


@dataclass(frozen=True)
class Indicator:
    id: str
    title_zh: str
    title_en: str
    strategies: tuple[str, ...]
    level: Level
    compute: Callable[[Any, date], float | None]
    unit: str = ""  # "%", "ratio", "count", "yes/no", "hours" …
    achieved_at: float | None = None  # the value from which the strategy counts as achieved
    higher_is_better: bool = True
    description_zh: str = ""
    description_en: str = ""
    # Optional: the values of many orgs at once, {org pk: value}, so that a dashboard over
    # hundreds of schools costs one query per indicator instead of one per school.
    compute_many: Callable[[Sequence[Any], date], dict[int, float | None]] | None = None

    def values(self, orgs: Sequence[Any], as_of: date) -> dict[int, float | None]:
        """{org pk: value} for every org given (None where there is nothing to measure)."""
        if not orgs:
            return {}
        if self.compute_many is not None:
            many = self.compute_many(orgs, as_of)
            return {org.pk: many.get(org.pk) for org in orgs}
        return {org.pk: self.compute(org, as_of) for org in orgs}

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_zh

    def is_achieved(self, value: float | None) -> bool | None:
        if value is None or self.achieved_at is None:
            return None
        return value >= self.achieved_at if self.higher_is_better else value <= self.achieved_at


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.id in _REGISTRY and _REGISTRY[indicator.id] != indicator:
        raise ValueError(f"indicator {indicator.id} is registered twice")
    _REGISTRY[indicator.id] = indicator
    return indicator


def all_indicators() -> list[Indicator]:
    return sorted(_REGISTRY.values(), key=lambda i: i.id)


def get(indicator_id: str) -> Indicator:
    return _REGISTRY[indicator_id]


def for_strategy(code: str) -> list[Indicator]:
    return [i for i in all_indicators() if code in i.strategies]


def for_level(level: Level) -> list[Indicator]:
    return [i for i in all_indicators() if i.level == level]


# --- work shared between indicators ---------------------------------------------------------
# Several indicators often read the same rows (every survey-agreement indicator reads the same
# latest runs). Inside `shared_work()`, `memoized(key, fn)` computes each key once; outside it
# nothing is cached, so values are never stale.

_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("dtss_indicator_memo", default=None)


@contextmanager
def shared_work() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(key: Hashable, fn: Callable[[], Any]) -> Any:
    memo = _MEMO.get()
    if memo is None:
        return fn()
    if key not in memo:
        memo[key] = fn()
    return memo[key]
