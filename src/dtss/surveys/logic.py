"""Skip logic and answer checking: plain functions over plain data, no database.

A condition is `{"q": "<question code>", "op": <op>, "value": …}`; a section or a question with
a list of conditions is shown only when every one holds. Operators:
- `answered` / `not_answered`
- `eq` / `ne`: the answer equals the value (a multiple-choice answer "equals" when it contains it)
- `in` / `not_in`: the answer (or any chosen option) is one of the values
- `gte` / `lte`: numbers and the 1–5 scale (N/A never satisfies them)
Conditions may refer only to questions that come earlier; a hidden question is never required
and its answer is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

OPS = ("answered", "not_answered", "eq", "ne", "in", "not_in", "gte", "lte")
MAX_TEXT = {"short_text": 300, "long_text": 5000}
NA = 0  # the scale's "not applicable / don't know"


@dataclass
class Q:
    """What logic needs of a question."""

    code: str
    kind: str
    required: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    show_if: list[dict[str, Any]] = field(default_factory=list)
    section_show_if: list[dict[str, Any]] = field(default_factory=list)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _holds(
    cond: Mapping[str, Any], answers: Mapping[str, Any], kinds: Mapping[str, str] | None = None
) -> bool:
    op = cond.get("op")
    value = answers.get(cond.get("q", ""))
    target = cond.get("value")
    if op == "answered":
        return not is_empty(value)
    if op == "not_answered":
        return is_empty(value)
    if is_empty(value):
        return op in ("ne", "not_in")
    chosen = value if isinstance(value, list) else [value]
    chosen_s = {str(v) for v in chosen}
    if op == "eq":
        return str(target) in chosen_s
    if op == "ne":
        return str(target) not in chosen_s
    targets = {str(t) for t in (target if isinstance(target, list) else [target])}
    if op == "in":
        return bool(chosen_s & targets)
    if op == "not_in":
        return not (chosen_s & targets)
    if op in ("gte", "lte"):
        try:
            number, bound = float(value), float(target)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if number == NA and (kinds or {}).get(cond.get("q", "")) == "scale5":
            return False  # N/A on the agreement scale is not a low (or high) score
        return number >= bound if op == "gte" else number <= bound
    return False


def conditions_hold(
    conditions: Iterable[Mapping[str, Any]],
    answers: Mapping[str, Any],
    kinds: Mapping[str, str] | None = None,
) -> bool:
    return all(_holds(c, answers, kinds) for c in conditions or [])


def visible_codes(questions: list[Q], answers: Mapping[str, Any]) -> set[str]:
    """The questions shown for these answers, in order: a question hidden by its own or its
    section's conditions does not count as answered for later conditions either."""
    shown: set[str] = set()
    effective: dict[str, Any] = {}
    kinds = {q.code: q.kind for q in questions}
    for q in questions:
        if conditions_hold(q.section_show_if, effective, kinds) and conditions_hold(
            q.show_if, effective, kinds
        ):
            shown.add(q.code)
            if q.code in answers:
                effective[q.code] = answers[q.code]
    return shown


def check_conditions(
    conditions: list[dict[str, Any]], earlier: Mapping[str, Q], where: str
) -> list[str]:
    """Problems with a list of conditions (for the editor): unknown or later questions, bad
    operators, values that are not options of the question."""
    problems = []
    if not isinstance(conditions, list):
        return [f"{where}: conditions must be a list"]
    for i, c in enumerate(conditions, start=1):
        if not isinstance(c, dict):
            problems.append(f"{where} #{i}: not a condition")
            continue
        code, op = c.get("q"), c.get("op")
        if code not in earlier:
            problems.append(f"{where} #{i}: {code!r} is not an earlier question")
            continue
        if op not in OPS:
            problems.append(f"{where} #{i}: unknown operator {op!r}")
            continue
        q = earlier[code]
        if op in ("gte", "lte") and q.kind not in ("number", "scale5"):
            problems.append(f"{where} #{i}: {op} needs a number or scale question")
        if op in ("eq", "ne", "in", "not_in") and q.kind in ("single", "multiple"):
            values = {str(o.get("value")) for o in q.options}
            wanted = c.get("value")
            for v in wanted if isinstance(wanted, list) else [wanted]:
                if str(v) not in values:
                    problems.append(f"{where} #{i}: {v!r} is not an option of {code}")
    return problems


class AnswerError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean_value(q: Q, raw: Any) -> Any:
    """One raw answer (from a form or JSON) → the stored value; ValueError with a message."""
    if is_empty(raw):
        return None
    kind = q.kind
    if kind == "scale5":
        try:
            n = int(raw)
        except (TypeError, ValueError):
            raise ValueError("choose a point of the scale") from None
        if not 0 <= n <= 5:
            raise ValueError("choose a point of the scale")
        return n
    if kind == "single":
        values = {str(o.get("value")) for o in q.options}
        if isinstance(raw, list):
            if len(raw) != 1:
                raise ValueError("choose one option")
            raw = raw[0]
        if str(raw) not in values:
            raise ValueError(f"{raw!r} is not one of the options")
        return str(raw)
    if kind == "multiple":
        values = [str(o.get("value")) for o in q.options]
        chosen = raw if isinstance(raw, list) else [raw]
        unknown = [c for c in chosen if str(c) not in values]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of the options")
        picked = {str(c) for c in chosen}
        return [v for v in values if v in picked]  # option order, no duplicates
    if kind == "number":
        try:
            n = float(str(raw).strip().replace(",", ""))
        except ValueError:
            raise ValueError("enter a number") from None
        if not math.isfinite(n):
            raise ValueError("enter a number")
        if q.min_value is not None and n < q.min_value:
            raise ValueError(f"at least {q.min_value:g}")
        if q.max_value is not None and n > q.max_value:
            raise ValueError(f"at most {q.max_value:g}")
        return int(n) if n.is_integer() else n
    if kind in MAX_TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT[kind]:
            raise ValueError(f"at most {MAX_TEXT[kind]} characters")
        return text or None
    if kind == "date":
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("enter a date as YYYY-MM-DD") from None
    if kind == "file":
        return str(raw)
    raise ValueError(f"unknown question kind {kind!r}")


def clean_answers(questions: list[Q], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a whole questionnaire's answers. Returns {code: value} for the visible, answered
    questions; raises AnswerError({code: message}) listing every problem."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    known = {q.code for q in questions}
    for code in raw:
        if code not in known:
            errors[code] = "no such question"
    for q in questions:
        if q.code in raw:
            try:
                value = clean_value(q, raw[q.code])
            except ValueError as exc:
                errors[q.code] = str(exc)
                continue
            if value is not None:
                cleaned[q.code] = value
    shown = visible_codes(questions, cleaned)
    for q in questions:
        if q.code not in shown:
            cleaned.pop(q.code, None)
            errors.pop(q.code, None)
        elif q.required and q.code not in cleaned and q.code not in errors:
            errors[q.code] = "this question is required"
    if errors:
        raise AnswerError(errors)
    return cleaned
