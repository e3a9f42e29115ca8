"""Reads of the framework and of assessments. Every query starts from visible_to(user)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet

from dtss.framework.models import (
    Assessment,
    Cycle,
    FrameworkVersion,
    Item,
    Level,
    Response,
    Strategy,
)
from dtss.framework.stages import ItemStage, Rule, StrategyState, item_stage


def current_version() -> FrameworkVersion:
    return FrameworkVersion.objects.get(is_current=True)


def framework_tree(
    *, version: FrameworkVersion | None = None, county_id: int | None = None, level: str = ""
) -> list[tuple[Item, list[Strategy]]]:
    """Items with their strategies in order: the official ones plus one county's local ones."""
    version = version or current_version()
    items = Item.objects.filter(version=version)
    if level:
        items = items.filter(level=level)
    strategies = Strategy.objects.filter(item__version=version).filter(
        Q(county__isnull=True) | Q(county_id=county_id)
    )
    by_item: dict[int, list[Strategy]] = defaultdict(list)
    for s in strategies.order_by("stage", "county_id", "order"):
        by_item[s.item_id].append(s)
    stage_order = {"D": 0, "A": 1, "M": 2}
    return [
        (item, sorted(by_item[item.pk], key=lambda s: (stage_order[s.stage], s.is_local, s.order)))
        for item in items.order_by("order")
    ]


def cycle_list(*, user: Any) -> QuerySet[Cycle]:
    return (
        Cycle.objects.visible_to(user)
        .select_related("county", "version")
        .annotate(
            school_total=Count("assessments", filter=Q(assessments__school__isnull=False)),
            submitted_total=Count(
                "assessments",
                filter=Q(assessments__school__isnull=False)
                & Q(assessments__status__in=["submitted", "accepted"]),
            ),
        )
    )


def rule_of(cycle: Cycle) -> Rule:
    """The cycle's rule. A share stored as 0.667 or 0.333 means two-thirds or one third: a
    share within 1/2000 of a simple fraction (denominator ≤ 12) is taken as that fraction."""
    share = Fraction(str(cycle.rule_share))
    simple = share.limit_denominator(12)
    if abs(simple - share) <= Fraction(1, 2000):
        share = simple
    return Rule(share=share, require_evidence=cycle.require_evidence)


@dataclass
class ItemView:
    item: Item
    result: ItemStage
    responses: list[Response]


def assessment_items(*, assessment: Assessment) -> list[ItemView]:
    """Each item of the assessment with its computed stage, next steps and responses."""
    responses = list(
        assessment.responses.select_related("strategy", "strategy__item", "owner")
        .annotate(evidence_total=Count("evidence"))
        .order_by("strategy__item__order", "strategy__stage", "strategy__order")
    )
    stage_order = {"D": 0, "A": 1, "M": 2}
    responses.sort(
        key=lambda r: (
            r.strategy.item.order,
            stage_order[r.strategy.stage],
            r.strategy.is_local,
            r.strategy.order,
        )
    )
    rule = rule_of(assessment.cycle)
    by_item: dict[int, list[Response]] = defaultdict(list)
    for r in responses:
        by_item[r.strategy.item_id].append(r)
    level = Level.COUNTY if assessment.school_id is None else Level.SCHOOL
    items = Item.objects.filter(version=assessment.cycle.version, level=level).order_by("order")
    out = []
    for item in items:
        rs = by_item.get(item.pk, [])
        states = [
            StrategyState(
                code=r.strategy.code,
                stage=r.strategy.stage,
                status=r.status,
                has_evidence=r.evidence_total > 0,
            )
            for r in rs
        ]
        out.append(ItemView(item=item, result=item_stage(states, rule), responses=rs))
    return out


def compute_stages(*, assessment: Assessment) -> dict[str, str | None]:
    return {view.item.code: view.result.stage for view in assessment_items(assessment=assessment)}


# --- Reads added for the assessment pages (assess_views) -----------------------------------


def assessment_list(
    *,
    user: Any,
    cycle: str = "",
    status: str = "",
    district: str = "",
    school_stage: str = "",
    sampled: bool = False,
) -> QuerySet[Assessment]:
    """The assessments the user can see, newest cycle first, the county's own (Table 6) first
    within a cycle, then schools by code. Filters take public ids and choice values; an unknown
    value matches nothing."""
    import uuid

    from django.db.models import F

    def _uuid(value: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(value)
        except ValueError:
            return None

    qs = Assessment.objects.visible_to(user).select_related(
        "cycle", "county", "school", "school__district"
    )
    if cycle:
        cycle_id = _uuid(cycle)
        qs = qs.filter(cycle__public_id=cycle_id) if cycle_id else qs.none()
    if status:
        qs = qs.filter(status=status) if status in Assessment.Status.values else qs.none()
    if district:
        district_id = _uuid(district)
        qs = qs.filter(school__district__public_id=district_id) if district_id else qs.none()
    if school_stage:
        qs = qs.filter(school__stage=school_stage)
    if sampled:
        qs = qs.filter(sampled=True)
    return qs.order_by(
        "-cycle__opens_on", "-cycle_id", F("school__code").asc(nulls_first=True), "id"
    )


def assessment_owner_choices(*, assessment: Assessment) -> QuerySet[Any]:
    """People who may own a strategy: the school's administrators and teachers, or, for the
    county's own assessment, its administrators and office staff."""
    from dtss.orgs.models import Membership, Person, Role

    if assessment.school_id is None:
        members = Membership.objects.filter(
            county_id=assessment.county_id,
            school__isnull=True,
            role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF],
        )
    else:
        members = Membership.objects.filter(
            school_id=assessment.school_id, role__in=[Role.SCHOOL_ADMIN, Role.TEACHER]
        )
    return Person.objects.filter(pk__in=members.values("person_id"), active=True).order_by(
        "name", "id"
    )


def assessment_events(*, assessment: Assessment) -> QuerySet[Any]:
    """The history of an assessment, oldest first: who, when, what, the note."""
    return assessment.events.select_related("by", "by__person", "item", "strategy").order_by(
        "at", "id"
    )


# --- Indicators beside the strategies ---------------------------------------------------------


@dataclass
class IndicatorReading:
    indicator: Any  # dtss.core.indicators.Indicator
    value: float | None
    achieved: bool | None
    disagreement: str  # "" | "claimed_not_measured" | "measured_not_claimed"
    status: str = ""  # the self-rated status of the strategy ("" when not answered)


def _org_of(assessment: Assessment) -> Any:
    return assessment.school if assessment.school_id is not None else assessment.county


def _disagreement(achieved: bool | None, status: str | None) -> str:
    claimed = status in ("implemented", "embedded")
    if achieved is False and claimed:
        return "claimed_not_measured"
    if achieved is True and status is not None and not claimed:
        return "measured_not_claimed"
    return ""


def indicator_readings_many(
    *, assessments: list[Assessment], as_of: Any = None, judged_only: bool = False
) -> dict[int, dict[str, list[IndicatorReading]]]:
    """Assessment pk → strategy code → the indicators that evidence it, with their value and
    whether the self-rating disagrees.

    An accepted (frozen) assessment uses the values recorded for its cycle when it was
    accepted; any other is measured live. With `judged_only`, only the indicators that have an
    "achieved" value (the ones that can disagree with a self-rating). Costs one query for the
    self-ratings, one for the recorded values and each indicator's own queries (one per
    indicator that has `compute_many`, else one per org)."""
    from django.utils import timezone

    from dtss.core import indicators as registry
    from dtss.framework.models import IndicatorValue

    as_of = as_of or timezone.localdate()
    by_level: dict[str, list[Assessment]] = {"county": [], "school": []}
    for a in assessments:
        by_level["county" if a.school_id is None else "school"].append(a)
    indicators = {
        level: [
            ind
            for ind in (registry.for_level(level) if by_level[level] else [])  # type: ignore[arg-type]
            # an indicator without an "achieved" value never disagrees with a self-rating
            if not judged_only or ind.achieved_at is not None
        ]
        for level in by_level
    }
    codes = {c for inds in indicators.values() for ind in inds for c in ind.strategies}
    out: dict[int, dict[str, list[IndicatorReading]]] = {a.pk: {} for a in assessments}
    if not codes or not assessments:
        return out
    statuses = {
        (assessment_id, code): status
        for assessment_id, code, status in Response.objects.filter(
            assessment_id__in=[a.pk for a in assessments], strategy__code__in=codes
        ).values_list("assessment_id", "strategy__code", "status")
    }
    frozen = [a for a in assessments if a.is_frozen]
    recorded: dict[tuple[int | None, int, int | None, str], float | None] = {}
    if frozen:
        for v in IndicatorValue.objects.filter(
            cycle_id__in={a.cycle_id for a in frozen},
            county_id__in={a.county_id for a in frozen},
        ).only("cycle_id", "county_id", "school_id", "indicator_id", "value"):
            recorded[(v.cycle_id, v.county_id, v.school_id, v.indicator_id)] = v.value
    with registry.shared_work():
        _read_indicators(indicators, by_level, recorded, statuses, as_of, out)
    return out


def _read_indicators(
    indicators: dict[str, list[Any]],
    by_level: dict[str, list[Assessment]],
    recorded: dict[tuple[int | None, int, int | None, str], float | None],
    statuses: dict[tuple[int, str], str],
    as_of: Any,
    out: dict[int, dict[str, list[IndicatorReading]]],
) -> None:
    for level, level_assessments in by_level.items():
        for ind in indicators[level]:

            def key(a: Assessment, ind_id: str = ind.id) -> tuple[Any, int, int | None, str]:
                return (a.cycle_id, a.county_id, a.school_id, ind_id)

            live = [a for a in level_assessments if not (a.is_frozen and key(a) in recorded)]
            live_values = ind.values([_org_of(a) for a in live], as_of)
            live_pks = {a.pk for a in live}
            for a in level_assessments:
                live_value = a.pk in live_pks
                value = live_values.get(_org_of(a).pk) if live_value else recorded[key(a)]
                achieved = ind.is_achieved(value)
                for code in ind.strategies:
                    status = statuses.get((a.pk, code))
                    out[a.pk].setdefault(code, []).append(
                        IndicatorReading(
                            ind, value, achieved, _disagreement(achieved, status), status or ""
                        )
                    )


def indicator_readings(
    *, assessment: Assessment, as_of: Any = None
) -> dict[str, list[IndicatorReading]]:
    """Strategy code → the indicators that evidence it, with their current value and whether
    the self-rating disagrees with them (see `indicator_readings_many`)."""
    return indicator_readings_many(assessments=[assessment], as_of=as_of)[assessment.pk]


@dataclass
class Disagreement:
    assessment: Assessment
    code: str  # strategy ID
    reading: IndicatorReading


def disagreements(*, assessments: list[Assessment], as_of: Any = None) -> list[Disagreement]:
    """Where a self-rating and its indicators disagree, over many assessments (a dashboard):
    the county first, then schools by code; by strategy within each."""
    readings = indicator_readings_many(assessments=assessments, as_of=as_of, judged_only=True)
    out = [
        Disagreement(a, code, r)
        for a in assessments
        for code, rs in readings[a.pk].items()
        for r in rs
        if r.disagreement
    ]
    out.sort(
        key=lambda d: (
            d.assessment.school_id is not None,
            _org_of(d.assessment).code,
            d.code,
            d.reading.indicator.id,
        )
    )
    return out


def code_mapping(*, old_version: Any, new_version: Any) -> dict[str, list[str]]:
    """Old strategy ID → the IDs that continue it in a newer framework version. An ID that is
    the same in both versions maps to itself unless a mapping says otherwise."""
    from dtss.framework.models import StrategyMapping

    new_codes = set(
        Strategy.objects.filter(item__version=new_version, county__isnull=True).values_list(
            "code", flat=True
        )
    )
    mapped: dict[str, list[str]] = defaultdict(list)
    for old, new in StrategyMapping.objects.filter(
        old__item__version=old_version, new__item__version=new_version
    ).values_list("old__code", "new__code"):
        mapped[old].append(new)
    out: dict[str, list[str]] = {}
    for code in Strategy.objects.filter(item__version=old_version, county__isnull=True).values_list(
        "code", flat=True
    ):
        out[code] = (
            sorted(mapped[code]) if code in mapped else ([code] if code in new_codes else [])
        )
    return out
