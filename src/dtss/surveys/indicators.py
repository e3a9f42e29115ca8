"""Indicators from survey results (DESIGN.md rule 4).

- `surveys.groups_heard` / `surveys.groups_heard_all`: how many of the four stakeholder groups
  (leaders, teachers, students, parents) a school heard in runs closed in the last 12 months,
  counting a group only when at least the run's minimum number answered (S2.D4, S2.A4, S2.M6).
- `surveys.agreement.<strategy>`: in the org's latest closed run, the share of "agree" and
  "strongly agree" among the scale answers to questions tagged with the strategy (N/A left out,
  groups under the minimum size left out; None when fewer than the minimum answered).

Every indicator here computes many orgs at once; inside `shared_work()` (the framework's
readings) all agreement indicators share one pass over the answers: three queries in all.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db.models import Count

from dtss.core.indicators import Indicator, memoized, register

STAKEHOLDERS = ("leaders", "teachers", "students", "parents")
BANK_FILE = Path(__file__).parent / "data" / "question-bank.json"


def _level_ids(orgs: Sequence[Any]) -> tuple[str, tuple[int, ...]]:
    from dtss.orgs.models import County

    level = "county" if orgs and isinstance(orgs[0], County) else "school"
    return level, tuple(sorted(o.pk for o in orgs))


def _closed_runs(level: str, ids: tuple[int, ...], as_of: date) -> list[tuple[int, int, Any, int]]:
    """(run id, org pk, closed_at, minimum group size) of the orgs' closed runs up to as_of."""
    from dtss.surveys.models import Run

    qs = Run.objects.filter(status=Run.Status.CLOSED, closed_at__date__lte=as_of)
    if level == "county":
        qs = qs.filter(county_id__in=ids, school__isnull=True)
        return list(qs.values_list("id", "county_id", "closed_at", "min_group_size"))
    qs = qs.filter(school_id__in=ids)
    return list(qs.values_list("id", "school_id", "closed_at", "min_group_size"))


def _respondents(run_ids: list[int]) -> dict[tuple[int, str], int]:
    from dtss.surveys.models import Submission

    return {
        (run_id, group): n
        for run_id, group, n in Submission.objects.filter(run_id__in=run_ids)
        .values_list("run_id", "part__group")
        .annotate(n=Count("id"))
        .values_list("run_id", "part__group", "n")
    }


def _groups_heard(level: str, ids: tuple[int, ...], as_of: date) -> dict[int, float | None]:
    since = as_of - timedelta(days=365)
    runs = [r for r in _closed_runs(level, ids, as_of) if r[2].date() > since]
    owner = {run_id: org for run_id, org, _at, _k in runs}
    k = {run_id: max(size, 5) for run_id, _org, _at, size in runs}
    heard: dict[int, set[str]] = defaultdict(set)
    for (run_id, group), n in _respondents(list(owner)).items():
        if group in STAKEHOLDERS and n >= k[run_id]:
            heard[owner[run_id]].add(group)
    return {pk: float(len(heard.get(pk, ()))) for pk in ids}


def groups_heard_many(orgs: Sequence[Any], as_of: date) -> dict[int, float | None]:
    level, ids = _level_ids(orgs)
    return memoized(
        ("surveys.groups_heard", level, ids, as_of), lambda: _groups_heard(level, ids, as_of)
    )


def _agreement_all(
    level: str, ids: tuple[int, ...], as_of: date
) -> dict[str, dict[int, float | None]]:
    """strategy code → org pk → agreement %, over each org's latest closed run."""
    from dtss.surveys.models import Answer

    latest: dict[int, tuple[Any, int, int]] = {}
    for run_id, org, closed_at, size in _closed_runs(level, ids, as_of):
        if org not in latest or (closed_at, run_id) > latest[org][:2]:
            latest[org] = (closed_at, run_id, max(size, 5))
    run_org = {run_id: org for org, (_at, run_id, _k) in latest.items()}
    k = {run_id: size for _org, (_at, run_id, size) in latest.items()}
    if not run_org:
        return {}
    big_enough = {key for key, n in _respondents(list(run_org)).items() if n >= k[key[0]]}
    scored: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for run_id, group, strategies, value in Answer.objects.filter(
        submission__run_id__in=run_org, question__kind="scale5"
    ).values_list("submission__run_id", "submission__part__group", "question__strategies", "value"):
        if not value or (run_id, group) not in big_enough:
            continue
        for code in strategies or []:
            scored[code][run_org[run_id]].append(int(value))
    out: dict[str, dict[int, float | None]] = {}
    for code, per_org in scored.items():
        out[code] = {}
        for org, values in per_org.items():
            if len(values) >= latest[org][2]:
                out[code][org] = round(100 * sum(1 for v in values if v >= 4) / len(values), 1)
    return out


def _agreement_many(code: str) -> Any:
    def many(orgs: Sequence[Any], as_of: date) -> dict[int, float | None]:
        level, ids = _level_ids(orgs)
        every = memoized(
            ("surveys.agreement", level, ids, as_of), lambda: _agreement_all(level, ids, as_of)
        )
        return dict(every.get(code, {}))

    return many


def _one(many: Any) -> Any:
    return lambda org, as_of: many([org], as_of).get(org.pk)


register(
    Indicator(
        id="surveys.groups_heard",
        level="school",
        strategies=("S2.D4", "S2.A4"),
        title_zh="近一年問卷聽取的利害關係人群組數",
        title_en="Stakeholder groups surveyed in the last 12 months",
        compute=_one(groups_heard_many),
        compute_many=groups_heard_many,
        unit="count",
        achieved_at=2.0,
        description_zh="近 12 個月內結案的問卷中，達最小人數而有結果的群組"
        "（行政、教師、學生、家長）數。",
        description_en="Of leaders, teachers, students and parents: the groups with results "
        "(at least the minimum number answering) in runs closed in the last 12 months.",
    )
)
register(
    Indicator(
        id="surveys.groups_heard_all",
        level="school",
        strategies=("S2.M6",),
        title_zh="近一年問卷聽取的利害關係人群組數（四類皆有）",
        title_en="Stakeholder groups surveyed in the last 12 months (all four)",
        compute=_one(groups_heard_many),
        compute_many=groups_heard_many,
        unit="count",
        achieved_at=4.0,
        description_zh="同上；成熟期策略 S2.M6 需學生、教師、行政與家長四類皆有。",
        description_en="As above; the maturity strategy S2.M6 asks for all four groups.",
    )
)


def _bank_strategies() -> list[str]:
    try:
        data = json.loads(BANK_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(
        {
            c
            for q in data.get("questions", [])
            if q.get("kind") == "scale5"
            for c in q.get("strategies", [])
        }
    )


for _code in _bank_strategies():
    _many = _agreement_many(_code)
    register(
        Indicator(
            id=f"surveys.agreement.{_code}",
            level="county" if _code.startswith("L") else "school",
            strategies=(_code,),
            title_zh=f"問卷同意度（{_code} 相關題目）",
            title_en=f"Survey agreement on {_code} questions",
            compute=_one(_many),
            compute_many=_many,
            unit="%",
            description_zh="最近一次結案問卷中，標記此策略的題目回答「同意」或「非常同意」的比率"
            "（不含不適用；未達最小人數的群組不計）。",
            description_en="In the latest closed run: the share of agree and strongly agree "
            "among answers to questions tagged with this strategy (N/A and groups under the "
            "minimum size left out).",
        )
    )
