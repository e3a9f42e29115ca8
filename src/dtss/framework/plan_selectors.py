"""Reads of action plans (短中長程計畫) and good-practice cases (案例).

Every query starts from `visible_to(user)`. "Overdue" is one rule, used by the list, the plan
page and the timeline: an action that is neither done nor cancelled whose end date is before
`today` (passed in, so tests can fix it).
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.framework.models import (
    Action,
    Assessment,
    Case,
    Goal,
    Item,
    Level,
    Plan,
    Response,
    Stage,
    Strategy,
)
from dtss.framework.stages import MET_STATUSES

OPEN_STATUSES = (Action.Status.PLANNED, Action.Status.IN_PROGRESS)


def overdue_q(today: date, prefix: str = "") -> Q:
    """Actions neither done nor cancelled whose end date has passed."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}ends_on__lt": today})


def is_overdue(action: Action, today: date) -> bool:
    return action.status in OPEN_STATUSES and action.ends_on is not None and action.ends_on < today


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Who may write -----------------------------------------------------------------------


def may_edit_scope(user: Any, *, county_id: int, school_id: int | None) -> bool:
    """A school's plans and cases are written by its administrators (county administrators
    may help); the county's own by its administrators and office staff. Same rule as filling
    the assessment (permissions.can_fill)."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    if school_id is None:
        return county_id in scope.county_ids
    return school_id in scope.admin_school_ids or county_id in scope.admin_county_ids


def can_edit(user: Any, obj: Plan | Goal | Action | Case) -> bool:
    return may_edit_scope(user, county_id=obj.county_id, school_id=obj.school_id)


def plan_org_choices(*, user: Any) -> list[tuple[str, str, Any, Any]]:
    """Where the user may start a plan: (value, label, county, school) — the county's own plan
    first, then schools by code."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    out: list[tuple[str, str, Any, Any]] = []
    counties = (
        County.objects.all() if scope.superuser else County.objects.filter(pk__in=scope.county_ids)
    )
    for county in counties.order_by("code"):
        out.append((f"county:{county.public_id}", county.name, county, None))
    schools = School.objects.filter(active=True)
    if not scope.superuser:
        schools = schools.filter(
            Q(pk__in=scope.admin_school_ids) | Q(county_id__in=scope.admin_county_ids)
        )
    for school in schools.select_related("county").order_by("county__code", "code"):
        out.append(
            (f"school:{school.public_id}", f"{school.code} {school.name}", school.county, school)
        )
    return out


def plan_owner_choices(*, plan: Plan) -> QuerySet[Any]:
    """Who may own an action: the school's administrators and teachers, or, for the county's
    own plan, its administrators and office staff."""
    from dtss.orgs.models import Membership, Person, Role

    if plan.school_id is None:
        members = Membership.objects.filter(
            county_id=plan.county_id,
            school__isnull=True,
            role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF],
        )
    else:
        members = Membership.objects.filter(
            school_id=plan.school_id, role__in=[Role.SCHOOL_ADMIN, Role.TEACHER]
        )
    return Person.objects.filter(pk__in=members.values("person_id"), active=True).order_by(
        "name", "id"
    )


def plan_strategy_choices(*, plan: Plan) -> QuerySet[Strategy]:
    """Strategies a goal of this plan may link to: the plan's level (S items for a school, L for
    the county), official or the plan county's local ones, of the current framework."""
    level = Level.COUNTY if plan.school_id is None else Level.SCHOOL
    return (
        Strategy.objects.filter(item__version__is_current=True, item__level=level)
        .filter(Q(county__isnull=True) | Q(county_id=plan.county_id))
        .select_related("item")
        .order_by("item__order", "stage", "county_id", "order")
    )


# --- Plans --------------------------------------------------------------------------------


def plan_list(
    *,
    user: Any,
    today: date | None = None,
    q: str = "",
    school: str = "",
    horizon: str = "",
    overdue: bool = False,
) -> QuerySet[Plan]:
    """The plans the user may see, newest first, each with `action_total`, `done_total`,
    `overdue_total` and `budget_total`. `school` is a school's public id, or "county" for the
    counties' own plans; an unknown value matches nothing."""
    today = today or timezone.localdate()
    qs = Plan.objects.visible_to(user).select_related("county", "school", "cycle")
    if q:
        qs = qs.filter(title__icontains=q)
    if school == "county":
        qs = qs.filter(school__isnull=True)
    elif school:
        school_id = _uuid(school)
        qs = qs.filter(school__public_id=school_id) if school_id else qs.none()
    if horizon:
        qs = qs.filter(horizon=horizon) if horizon in Plan.Horizon.values else qs.none()
    qs = qs.annotate(
        action_total=Count("goals__actions", distinct=True),
        done_total=Count(
            "goals__actions", filter=Q(goals__actions__status=Action.Status.DONE), distinct=True
        ),
        overdue_total=Count(
            "goals__actions", filter=overdue_q(today, "goals__actions__"), distinct=True
        ),
        goal_total=Count("goals", distinct=True),
    )
    if overdue:
        qs = qs.filter(overdue_total__gt=0)
    return qs.order_by("-created_at", "-id")


def money(value: Decimal | int | None) -> str:
    """NT$ with a comma every three digits, as budgets are written in Taiwan (the zh-Hant
    locale's own number format has no separator)."""
    return "" if value is None else f"{Decimal(value):,.0f}"


class FundingTotal(NamedTuple):
    funding: str  # an Action.Funding value, "" when not given
    label: str
    total: Decimal

    @property
    def shown(self) -> str:
        return money(self.total)


def budget_by_funding(*, plan_ids: list[int]) -> dict[int, list[FundingTotal]]:
    """Per plan: the budget of every funding source with one, in the order of Action.Funding,
    unspecified last. Cancelled actions spend nothing."""
    rows = (
        Action.objects.filter(goal__plan_id__in=plan_ids, budget__isnull=False)
        .exclude(status=Action.Status.CANCELLED)
        .values("goal__plan_id", "funding")
        .annotate(total=Sum("budget"))
    )
    order = {v: i for i, v in enumerate(Action.Funding.values)}
    labels = dict(Action.Funding.choices)
    out: dict[int, list[FundingTotal]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: order.get(r["funding"], 99)):
        label = labels.get(row["funding"]) or ""
        out[row["goal__plan_id"]].append(
            FundingTotal(row["funding"], str(label), row["total"] or Decimal(0))
        )
    return out


def plan_overdue_total(*, user: Any, today: date | None = None) -> int:
    """How many overdue actions the user's visible plans hold (the list's badge)."""
    today = today or timezone.localdate()
    return Action.objects.visible_to(user).filter(overdue_q(today)).count()


@dataclass
class StrategyLine:
    strategy: Strategy
    status: str = ""  # in the org's latest assessment; "" when none
    status_label: str = ""
    met: bool = False


@dataclass
class GoalView:
    goal: Goal
    strategies: list[StrategyLine]
    actions: list[Action]


@dataclass
class PlanView:
    plan: Plan
    goals: list[GoalView]
    action_total: int = 0
    done_total: int = 0
    overdue_total: int = 0
    budget_total: Decimal = Decimal(0)
    funding: list[FundingTotal] = field(default_factory=list)
    latest: Assessment | None = None
    progress: int = 0

    @property
    def budget_shown(self) -> str:
        return money(self.budget_total)


def latest_assessment(*, county_id: int, school_id: int | None) -> Assessment | None:
    """The organisation's most recent assessment, whatever the cycle: plans carry across
    cycles, so a goal's strategies show where they stand now."""
    qs = Assessment.objects.filter(county_id=county_id, school_id=school_id)
    if school_id is None:
        qs = qs.filter(school__isnull=True)
    return qs.select_related("cycle").order_by("-cycle__opens_on", "-cycle_id").first()


def plan_detail(*, plan: Plan, today: date | None = None) -> PlanView:
    """Goals with their strategies (and where each stands in the latest assessment), actions
    with `overdue` set, and the totals by funding source."""
    today = today or timezone.localdate()
    goals = list(
        plan.goals.prefetch_related("strategies", "strategies__item").order_by("order", "id")
    )
    actions = list(
        Action.objects.filter(goal__plan=plan)
        .select_related("owner")
        .order_by("goal_id", "starts_on", "id")
    )
    by_goal: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        action.overdue = is_overdue(action, today)  # type: ignore[attr-defined]
        action.budget_shown = money(action.budget)  # type: ignore[attr-defined]
        by_goal[action.goal_id].append(action)
    latest = latest_assessment(county_id=plan.county_id, school_id=plan.school_id)
    states: dict[int, tuple[str, bool]] = {}
    if latest is not None:
        strategy_ids = {s.pk for g in goals for s in g.strategies.all()}
        require_evidence = latest.cycle.require_evidence
        for r in Response.objects.filter(assessment=latest, strategy_id__in=strategy_ids).annotate(
            evidence_total=Count("evidence")
        ):
            met = r.status in MET_STATUSES and (r.evidence_total > 0 or not require_evidence)
            states[r.strategy_id] = (r.status, met)
    labels = dict(Response.Status.choices)
    views = []
    for goal in goals:
        lines = []
        for s in sorted(goal.strategies.all(), key=lambda s: (s.item.order, s.stage, s.order)):
            status, met = states.get(s.pk, ("", False))
            lines.append(
                StrategyLine(
                    strategy=s, status=status, status_label=str(labels.get(status, "")), met=met
                )
            )
        views.append(GoalView(goal=goal, strategies=lines, actions=by_goal.get(goal.pk, [])))
    live = [a for a in actions if a.status != Action.Status.CANCELLED]
    funding = budget_by_funding(plan_ids=[plan.pk]).get(plan.pk, [])
    return PlanView(
        plan=plan,
        goals=views,
        action_total=len(actions),
        done_total=sum(1 for a in actions if a.status == Action.Status.DONE),
        overdue_total=sum(1 for a in actions if a.overdue),  # type: ignore[attr-defined]
        budget_total=sum((t for _, _, t in funding), Decimal(0)),
        funding=funding,
        latest=latest,
        progress=round(sum(a.progress for a in live) / len(live)) if live else 0,
    )


def goal_actions(*, goal: Goal) -> QuerySet[Action]:
    """A goal's actions in the plan page's order: what deleting the goal deletes with it."""
    return Action.objects.filter(goal=goal).select_related("owner").order_by("starts_on", "id")


# --- Timeline -----------------------------------------------------------------------------


@dataclass
class Month:
    start: date
    left: float  # % of the timeline
    width: float


@dataclass
class Bar:
    action: Action
    goal: Goal
    start: date
    end: date
    left: float
    width: float
    overdue: bool


@dataclass
class Timeline:
    start: date | None
    end: date | None
    months: list[Month]
    bars: list[Bar]
    undated: list[Action]
    today: date
    today_left: float | None  # None when today is outside the timeline


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def plan_timeline(*, plan: Plan, today: date | None = None) -> Timeline:
    """One bar per dated action from its start to its end, across whole months; an action with
    only one date is a one-day bar. Positions are percentages of the whole span."""
    today = today or timezone.localdate()
    actions = list(
        Action.objects.filter(goal__plan=plan)
        .select_related("goal", "owner")
        .order_by("goal__order", "goal_id", "starts_on", "ends_on", "id")
    )
    dated = [a for a in actions if a.starts_on or a.ends_on]
    undated = [a for a in actions if not (a.starts_on or a.ends_on)]
    if not dated:
        return Timeline(
            start=None, end=None, months=[], bars=[], undated=undated, today=today, today_left=None
        )
    spans = [(a, a.starts_on or a.ends_on, a.ends_on or a.starts_on) for a in dated]
    start = _month_start(min(s for _, s, _ in spans))
    end = _month_end(max(e for _, _, e in spans))
    total = (end - start).days + 1

    def pct(days: int) -> float:
        return round(days * 100 / total, 3)

    months = []
    cursor = start
    while cursor <= end:
        last = _month_end(cursor)
        months.append(
            Month(
                start=cursor, left=pct((cursor - start).days), width=pct((last - cursor).days + 1)
            )
        )
        cursor = last + timedelta(days=1)
    bars = [
        Bar(
            action=a,
            goal=a.goal,
            start=s,
            end=e,
            left=pct((s - start).days),
            width=max(pct((e - s).days + 1), 0.5),
            overdue=is_overdue(a, today),
        )
        for a, s, e in spans
    ]
    today_left = pct((today - start).days) if start <= today <= end else None
    return Timeline(
        start=start,
        end=end,
        months=months,
        bars=bars,
        undated=undated,
        today=today,
        today_left=today_left,
    )


# --- Cases --------------------------------------------------------------------------------


def case_search(
    *,
    user: Any,
    q: str = "",
    item: str = "",
    stage: str = "",
    school_stage: str = "",
    subject: str = "",
) -> QuerySet[Case]:
    """Published cases the user may read, newest first. `q` matches every word in the title,
    summary, tags, subject or strategy ID (Chinese substrings work: no word splitting needed);
    `item` is an item code (S2) or a strategy ID (S2.M3); `school_stage` is School.stage;
    the county's own cases have no school stage."""
    qs = Case.objects.visible_to(user).select_related("county", "school", "item", "strategy")
    for word in q.split():
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(tags__icontains=word)
            | Q(subject__icontains=word)
            | Q(strategy__code__iexact=word)
            | Q(item__code__iexact=word)
        )
    if item:
        code = item.strip().upper()
        qs = qs.filter(strategy__code=code) if "." in code else qs.filter(item__code=code)
    if stage:
        qs = qs.filter(stage=stage) if stage in Stage.values else qs.none()
    if school_stage:
        qs = qs.filter(school__stage=school_stage)
    if subject:
        qs = qs.filter(subject__iexact=subject.strip())
    return qs.order_by("-published_at", "-id")


def case_filter_choices(*, user: Any) -> dict[str, Any]:
    """The values the case filters offer: items of the current framework, and the subjects
    used by visible cases."""
    from dtss.orgs.models import School

    items = Item.objects.filter(version__is_current=True).order_by("order")
    subjects = (
        Case.objects.visible_to(user)
        .exclude(subject="")
        .order_by("subject")
        .values_list("subject", flat=True)
        .distinct()
    )
    return {
        "items": items,
        "stages": Stage.choices,
        "school_stages": School.Stage.choices,
        "subjects": list(subjects[:200]),
    }


def cases_of_evidence(*, evidence: Any) -> QuerySet[Case]:
    return Case.objects.filter(evidence=evidence)
