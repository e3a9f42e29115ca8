"""JSON API of the framework app, mounted at /api/v1/: Tables 6 and 7, cycles, self-assessments
with their responses and evidence, review, history, action plans and good-practice cases.

Reads start from `visible_to(request.user)`; writes go through `dtss.framework.services` and
`plan_services`, with the same permissions as the pages (`permissions.can_fill` / `can_review`,
`plan_selectors.can_edit`; county administrators open and close cycles). See `dtss.api.access`
for the rules on 403, 404 and 422.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dtss.api.access import (
    get_for_write,
    ref_or_422,
    require_county_admin,
    require_staff,
    scope_of,
)
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core import indicators as registry
from dtss.core.tenancy import Scope, get_visible_or_404
from dtss.framework import plan_selectors, plan_services, selectors, services
from dtss.framework.assess_views import evidence_file_response
from dtss.framework.forms import EvidenceForm
from dtss.framework.models import (
    Action,
    Assessment,
    Case,
    Cycle,
    Evidence,
    Goal,
    Item,
    Level,
    Plan,
    Response,
    Stage,
    Strategy,
)
from dtss.framework.permissions import can_fill, can_review
from dtss.framework.schemas import (
    EDITABLE,
    ActionIn,
    ActionOut,
    ActionPatch,
    AssessmentDetailOut,
    AssessmentOut,
    AssessmentQuery,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseQuery,
    CycleDetailOut,
    CycleIn,
    CycleOut,
    CycleQuery,
    EventOut,
    EvidenceAddedOut,
    EvidenceIn,
    FrameworkOut,
    FrameworkQuery,
    GoalIn,
    GoalOut,
    LocalStrategyIn,
    NoteIn,
    PlanDetailOut,
    PlanFromStepsIn,
    PlanIn,
    PlanOut,
    PlanQuery,
    ResponseChangedOut,
    ResponseOut,
    ResponsePatch,
    ResponseQuery,
    ReviewIn,
    SampleIn,
    SampleOut,
    StrategyDetailOut,
    file_url,
    has_file,
)
from dtss.framework.selectors import ItemView
from dtss.framework.stages import STAGES
from dtss.orgs.models import AcademicTerm, County, School

logger = logging.getLogger(__name__)
router = Router()

AssessmentId = Annotated[UUID, Path(description="The assessment's id (its public_id).")]
ActionId = Annotated[UUID, Path(description="The action's id (its public_id).")]
CaseId = Annotated[UUID, Path(description="The case's id (its public_id).")]
CycleId = Annotated[UUID, Path(description="The cycle's id (its public_id).")]
EvidenceId = Annotated[UUID, Path(description="The evidence's id (its public_id).")]
GoalId = Annotated[UUID, Path(description="The goal's id (its public_id).")]
PlanId = Annotated[UUID, Path(description="The plan's id (its public_id).")]
ResponseId = Annotated[
    UUID, Path(description="The response's id (one strategy of one assessment; its public_id).")
]
StrategyCode = Annotated[str, Path(description="The strategy ID, e.g. S1.D1 or L3.AL1.")]

STAFF_ONLY = "Only school staff, county staff and MOE viewers may use this (403 for others)."
SCOPED = "Lists only what you can see under the tenancy rule."
NOT_FOUND = "Missing and out-of-scope objects are both 404."
FILL = (
    "Only those who fill the assessment may do this: the school's administrators (and the "
    "county's administrators) for a school, the county's administrators and staff for the "
    "county's own (403 for others, including teachers and MOE viewers)."
)
REVIEW = (
    "Only the county's administrators and staff review a school's assessment (403 for others; "
    "the county's own assessment is not reviewed)."
)
NOT_EDITABLE = (
    "A submitted or accepted assessment, or one of a closed cycle, is not changed: 422 with the "
    "reason (field null), nothing changed."
)
PLAN_EDIT = (
    "Only the plan's editors: a school's administrators (and the county's administrators) for "
    "a school's plan, the county's administrators and staff for the county's own (403 for "
    "others)."
)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _choice(value: Any) -> str:
    """A choice of a query schema as the selectors take it: its value, "" when not sent."""
    return _value(value) or ""


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members from request schemas to the plain values the services expect."""
    return {k: _value(v) for k, v in data.items()}


def _raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _where[M: models.Model](qs: models.QuerySet[M], **lookups: Any) -> models.QuerySet[M]:
    """The queryset narrowed by each lookup that was asked for (None: not asked for)."""
    return qs.filter(**{k: v for k, v in lookups.items() if v is not None})


type Check = Callable[[HttpRequest, Any], None]


def _visible[M: models.Model](
    request: HttpRequest,
    model: type[M],
    public_id: UUID,
    *related: str,
    check: Check | None = None,
) -> M:
    """One object for the staff endpoints: 403 first for roles that may never use them, then
    404 unless the user can see the object, then `check` (403 unless the user may do what the
    endpoint does with it). `related` are loaded with it."""
    require_staff(request)
    obj = get_visible_or_404(model, request.user, public_id)
    if related:
        manager: Any = model._default_manager
        obj = manager.select_related(*related).get(pk=obj.pk)
    if check is not None:
        check(request, obj)
    return obj


# --- the framework ------------------------------------------------------------------------


def _home_county_ids(scope: Scope) -> list[int]:
    """The counties the user belongs to: county roles, and the counties of their schools."""
    ids = set(scope.county_ids)
    school_ids = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
    if school_ids:
        ids |= set(School.objects.filter(pk__in=school_ids).values_list("county_id", flat=True))
    return sorted(ids)


def _reads_all_counties(scope: Scope) -> bool:
    return scope.superuser or scope.everything


def _strategy_query() -> Any:
    return Strategy.objects.select_related("item", "item__version", "county")


def _strategies_for(request: HttpRequest) -> Any:
    """Strategies the user may read: the official ones and their counties' local ones."""
    scope = scope_of(request)
    qs = _strategy_query()
    if _reads_all_counties(scope):
        return qs
    return qs.filter(Q(county__isnull=True) | Q(county_id__in=_home_county_ids(scope)))


def _strategy_detail(strategy: Strategy) -> Strategy:
    """The strategy with its indicators and its links to other framework versions."""
    strategy.item_detail = strategy.item  # type: ignore[attr-defined]
    strategy.indicators = [  # type: ignore[attr-defined]
        _indicator(i) for i in registry.for_strategy(strategy.code)
    ]
    strategy.continues = [  # type: ignore[attr-defined]
        {"version": m.old.item.version.code, "code": m.old.code}
        for m in strategy.mapped_from.select_related("old__item__version")
    ]
    strategy.continued_by = [  # type: ignore[attr-defined]
        {"version": m.new.item.version.code, "code": m.new.code}
        for m in strategy.mapped_to.select_related("new__item__version")
    ]
    return strategy


def _indicator(ind: registry.Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "title_zh": ind.title_zh,
        "title_en": ind.title_en,
        "level": ind.level,
        "unit": ind.unit,
        "achieved_at": ind.achieved_at,
        "higher_is_better": ind.higher_is_better,
        "description_zh": ind.description_zh,
        "description_en": ind.description_en,
        "strategies": list(ind.strategies),
    }


@router.get(
    "/framework",
    response=responses({200: FrameworkOut}, 404, 422),
    tags=["framework"],
    summary="Get the framework",
    description=(
        "The current version of Tables 6 and 7: items → stages (development, acceleration, "
        "maturity) → strategies, with the local strategies of one county: yours by default, or "
        "the one named by `county` (one you belong to; another county is 404). Every signed-in "
        "user may read it."
    ),
)
def framework_tree(request: HttpRequest, params: Query[FrameworkQuery]) -> Any:
    scope = scope_of(request)
    county = None
    if params.county:
        county = County.objects.filter(code=params.county).first()
        if county is None or not (
            _reads_all_counties(scope) or county.pk in _home_county_ids(scope)
        ):
            raise Http404
    else:
        home = _home_county_ids(scope)
        county = County.objects.filter(pk=home[0]).first() if home else None
    version = selectors.current_version()
    tree = selectors.framework_tree(
        version=version,
        county_id=county.pk if county else None,
        level=_choice(params.level),
    )
    labels = dict(Stage.choices)
    items = []
    for item, strategies in tree:
        for s in strategies:
            s.item = item  # the item is known: no query per strategy
        stages = [
            {
                "stage": stage,
                "label": str(labels[stage]),
                "strategies": [s for s in strategies if s.stage == stage],
            }
            for stage in STAGES
        ]
        items.append(
            {
                "code": item.code,
                "level": item.level,
                "title_zh": item.title_zh,
                "title_en": item.title_en,
                "stages": stages,
            }
        )
    return {"version": version, "county": county, "items": items}


@router.get(
    "/framework/strategies/{code}",
    response=responses({200: StrategyDetailOut}, 404, 422),
    tags=["framework"],
    summary="Get a strategy",
    description=(
        "One strategy of the current framework version with the registered indicators that "
        "evidence it and its links to other versions. A county's local strategy is read only "
        f"by people of that county (and MOE viewers). {NOT_FOUND}"
    ),
)
def strategy_detail(request: HttpRequest, code: StrategyCode) -> Any:
    strategy = (
        _strategies_for(request).filter(item__version__is_current=True, code=code.upper()).first()
    )
    if strategy is None:
        raise Http404
    return _strategy_detail(strategy)


def _admin_county(request: HttpRequest, scope: Scope, code: str | None) -> County:
    """A county the user administers: the one named, or their only one."""
    writable = County.objects.visible_to(request.user, write=True)
    if code:
        return ref_or_422(writable, "county", code=code)
    if len(scope.admin_county_ids) == 1:
        return writable.get(pk=next(iter(scope.admin_county_ids)))
    raise ValidationError({"county": _("Say which county.")})


@router.post(
    "/framework/strategies",
    response=responses({201: StrategyDetailOut}, 403, 422),
    tags=["framework"],
    summary="Add a local strategy",
    description=(
        "A county's own strategy for one item and stage, coded e.g. S1.AL1 (L = local); it "
        "joins the county's cycles opened from now on. The official strategies are never "
        "edited. Only county administrators (403 for others); the county must be one you "
        "administer (else 422)."
    ),
)
def local_strategy_create(request: HttpRequest, payload: LocalStrategyIn) -> Any:
    scope = require_county_admin(request)
    county = _admin_county(request, scope, payload.county)
    item = ref_or_422(
        Item.objects.filter(version=selectors.current_version()),
        "item",
        message=_("No such item in the current framework."),
        code=payload.item.strip().upper(),
    )
    strategy = services.strategy_local_add(
        county=county,
        item=item,
        stage=payload.stage.value,
        text_zh=payload.text_zh,
        text_en=payload.text_en,
        actor=request.user,
    )
    return Status(201, _strategy_detail(_strategy_query().get(pk=strategy.pk)))


# --- cycles -------------------------------------------------------------------------------


def _cycle_out(request: HttpRequest, cycle: Cycle) -> Cycle:
    """The cycle with its totals, as the list shows it."""
    return selectors.cycle_list(user=request.user).select_related("term").get(pk=cycle.pk)


@router.get(
    "/cycles",
    response=responses({200: list[CycleOut]}, 403, 422),
    tags=["cycles"],
    summary="List assessment cycles",
    description=(
        "Cycles you can see, newest first: county staff their county's, school staff those "
        f"their school takes part in. {STAFF_ONLY} {SCOPED}"
    ),
)
@paged
def cycle_list(request: HttpRequest, filters: Query[CycleQuery]) -> Any:
    require_staff(request)
    qs = selectors.cycle_list(user=request.user).select_related("term")
    qs = _where(qs, county__code=filters.county or None, status=_value(filters.status))
    return qs.order_by("-opens_on", "-id")


@router.get(
    "/cycles/{public_id}",
    response=responses({200: CycleDetailOut}, 403, 404, 422),
    tags=["cycles"],
    summary="Get a cycle",
    description=(
        "One cycle with the number of its schools per status, drawn and overdue. The "
        f"schools' assessments are listed by `GET /assessments?cycle=…`. {STAFF_ONLY} "
        f"{NOT_FOUND}"
    ),
)
def cycle_detail(request: HttpRequest, public_id: CycleId) -> Any:
    cycle = _cycle_out(request, _visible(request, Cycle, public_id))
    schools = Assessment.objects.visible_to(request.user).filter(cycle=cycle, school__isnull=False)
    counts = dict(schools.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    cycle.status_counts = [  # type: ignore[attr-defined]
        {"status": s, "count": counts.get(s, 0)} for s in Assessment.Status.values
    ]
    cycle.sampled_total = schools.filter(sampled=True).count()  # type: ignore[attr-defined]
    overdue = schools.filter(status__in=EDITABLE) if cycle.deadline < timezone.localdate() else None
    cycle.overdue_total = overdue.count() if overdue is not None else 0  # type: ignore[attr-defined]
    return cycle


def _cycle_schools(county: County, schools: Any) -> list[School]:
    active = School.objects.filter(county=county, active=True).order_by("code")
    if schools == "all":
        return list(active)
    wanted = list(dict.fromkeys(schools))
    found = {s.public_id: s for s in active.filter(public_id__in=wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {
                "schools": _("Not an active school of this county: %(ids)s")
                % {"ids": ", ".join(missing)}
            }
        )
    return [found[i] for i in wanted]


@router.post(
    "/cycles",
    response=responses({201: CycleDetailOut}, 403, 422),
    tags=["cycles"],
    summary="Open an assessment cycle",
    description=(
        "Open a cycle for the county itself (Table 6, `include_county`) and for the chosen "
        "schools (Table 7): one assessment each, with every strategy of the current framework "
        "and the county's local ones. Only county administrators (403 for others); the county "
        "and every school must be yours (else 422 on `county` / `schools`). All or nothing."
    ),
)
def cycle_create(request: HttpRequest, payload: CycleIn) -> Any:
    scope = require_county_admin(request)
    county = _admin_county(request, scope, payload.county)
    errors: dict[str, str] = {}
    name = payload.name.strip()
    if name and Cycle.objects.filter(county=county, name=name).exists():
        errors["name"] = _("This county has a cycle of that name already.")
    if payload.deadline < payload.opens_on:
        errors["deadline"] = _("The deadline must be on or after the opening day.")
    term = None
    if payload.term is not None:
        term = AcademicTerm.objects.filter(
            roc_year=payload.term.roc_year, semester=payload.term.semester
        ).first()
        if term is None:
            errors["term"] = _("No such academic term.")
    try:
        schools = _cycle_schools(county, payload.schools)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        schools = []
    _raise_errors(errors)
    cycle = services.cycle_open(
        county=county,
        name=name,
        opens_on=payload.opens_on,
        deadline=payload.deadline,
        schools=schools,
        include_county=payload.include_county,
        rule_share=payload.rule_share,
        require_evidence=payload.require_evidence,
        term=term,
        actor=request.user,
    )
    return Status(201, cycle_detail(request, cycle.public_id))


def _sampler(request: HttpRequest, cycle: Cycle) -> None:
    scope = scope_of(request)
    if not (scope.superuser or cycle.county_id in scope.county_ids):
        raise PermissionDenied(_("Only the county's staff draw schools."))


@router.post(
    "/cycles/{public_id}/sample",
    response=responses({200: SampleOut}, 403, 404, 422),
    tags=["cycles"],
    summary="Draw schools for verification",
    description=(
        "Draw `size` schools of the cycle at random (among those not drawn yet) for an "
        "evidence check or visit; each draw is in the assessment's history. The county's "
        "administrators and staff only (403 for others, including MOE viewers and school "
        f"staff); a closed cycle is 422. {NOT_FOUND}"
    ),
)
def cycle_sample(request: HttpRequest, payload: SampleIn, public_id: CycleId) -> Any:
    cycle = _visible(request, Cycle, public_id, check=_sampler)
    if cycle.status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is closed."))
    drawn = services.cycle_draw_sample(cycle=cycle, size=payload.size, actor=request.user)
    ids = [a.pk for a in drawn]
    return {
        "drawn": list(
            Assessment.objects.filter(pk__in=ids)
            .select_related("cycle", "county", "school")
            .defer("snapshot")
            .order_by("school__code")
        ),
        "sampled_total": cycle.assessments.filter(school__isnull=False, sampled=True).count(),
    }


@router.post(
    "/cycles/{public_id}/close",
    response=responses({200: CycleDetailOut}, 403, 404, 422),
    tags=["cycles"],
    summary="Close a cycle",
    description=(
        "Close the cycle: nothing in it can be edited or submitted any more; reviews stay "
        "possible. Only the county's administrators (403 for others, including county staff "
        f"who can see it); a closed cycle is 422. {NOT_FOUND}"
    ),
)
def cycle_close(request: HttpRequest, public_id: CycleId) -> Any:
    require_county_admin(request)
    cycle = get_for_write(Cycle, request, public_id)
    services.cycle_close(cycle=cycle, actor=request.user)
    return cycle_detail(request, cycle.public_id)


# --- assessments --------------------------------------------------------------------------


def _assessment(request: HttpRequest, public_id: UUID, check: Check | None = None) -> Assessment:
    return _visible(
        request, Assessment, public_id, "cycle", "cycle__version", "county", "school", check=check
    )


def _item_result(view: ItemView) -> dict[str, Any]:
    r = view.result
    return {
        "code": view.item.code,
        "title_zh": view.item.title_zh,
        "title_en": view.item.title_en,
        "stage": r.stage,
        "next_stage": r.next_stage,
        "next_met": r.next_met,
        "next_needed": r.next_needed,
        "next_total": r.next_total,
        "next_share": r.next_share,
        "next_steps": list(r.next_steps),
        "met_by_stage": [
            {
                "stage": s,
                "met": r.met_by_stage.get(s, (0, 0))[0],
                "total": r.met_by_stage.get(s, (0, 0))[1],
            }
            for s in STAGES
        ],
        "strategy_total": len(view.responses),
        "evidence_total": sum(getattr(x, "evidence_total", 0) for x in view.responses),
    }


def _item_of(assessment: Assessment, item_id: int) -> dict[str, Any]:
    views = selectors.assessment_items(assessment=assessment)
    return _item_result(next(v for v in views if v.item.pk == item_id))


def _readings(assessment: Assessment) -> list[dict[str, Any]]:
    """Indicator readings beside the strategies. An indicator that fails to compute is logged
    and left out, as on the page: the assessment must still be readable."""
    try:
        readings = selectors.indicator_readings(assessment=assessment)
    except Exception:
        logger.exception("indicator readings failed for assessment %s", assessment.public_id)
        return []
    out = []
    for code in sorted(readings):
        for r in readings[code]:
            ind = r.indicator
            out.append(
                {
                    "strategy": code,
                    "indicator": ind.id,
                    "title_zh": ind.title_zh,
                    "title_en": ind.title_en,
                    "unit": ind.unit,
                    "value": r.value,
                    "achieved_at": ind.achieved_at,
                    "achieved": r.achieved,
                    "disagreement": r.disagreement,
                }
            )
    return out


def _editable(assessment: Assessment) -> bool:
    return assessment.status in EDITABLE and assessment.cycle.status == Cycle.Status.OPEN


def _assessment_detail(request: HttpRequest, assessment: Assessment) -> Assessment:
    fill = can_fill(request.user, assessment)
    assessment.items = [  # type: ignore[attr-defined]
        _item_result(v) for v in selectors.assessment_items(assessment=assessment)
    ]
    assessment.indicators = _readings(assessment)  # type: ignore[attr-defined]
    assessment.can_fill = fill  # type: ignore[attr-defined]
    assessment.can_review = can_review(request.user, assessment)  # type: ignore[attr-defined]
    assessment.editable = fill and _editable(assessment)  # type: ignore[attr-defined]
    return assessment


@router.get(
    "/assessments",
    response=responses({200: list[AssessmentOut]}, 403, 422),
    tags=["assessments"],
    summary="List self-assessments",
    description=(
        "Assessments you can see, newest cycle first, the county's own (Table 6) before its "
        "schools': county staff see their county's, school staff their school's. Filters that "
        f"name an object you cannot see match nothing. {STAFF_ONLY} {SCOPED}"
    ),
)
@paged
def assessment_list(request: HttpRequest, filters: Query[AssessmentQuery]) -> Any:
    require_staff(request)
    qs = selectors.assessment_list(
        user=request.user,
        cycle=str(filters.cycle or ""),
        status=_choice(filters.status),
        district=str(filters.district or ""),
        school_stage=_choice(filters.school_stage),
        sampled=bool(filters.sampled),
    ).defer("snapshot")
    return _where(
        qs,
        sampled=False if filters.sampled is False else None,
        school__public_id=filters.school,
        school__isnull={Level.COUNTY: True, Level.SCHOOL: False}.get(filters.level),
    )


@router.get(
    "/assessments/{public_id}",
    response=responses({200: AssessmentDetailOut}, 403, 404, 422),
    tags=["assessments"],
    summary="Get a self-assessment",
    description=(
        "One assessment: its status, each item's stage with the next stage, the share met "
        "and the next steps (the unmet strategies of the next stage), and the indicator "
        "readings beside the strategies with the places where the self-rating and the "
        "measured value disagree. The strategies themselves are under "
        f"`/assessments/{{id}}/responses`. {STAFF_ONLY} {NOT_FOUND}"
    ),
)
def assessment_detail(request: HttpRequest, public_id: AssessmentId) -> Any:
    return _assessment_detail(request, _assessment(request, public_id))


@router.get(
    "/assessments/{public_id}/responses",
    response=responses({200: list[ResponseOut]}, 403, 404, 422),
    tags=["assessments"],
    summary="List an assessment's strategies",
    description=(
        "One entry per strategy of the assessment, in the framework's order: status, notes, "
        f"owner, evidence and whether it meets the cycle's rule. {STAFF_ONLY} {NOT_FOUND}"
    ),
)
@paged
def assessment_responses(
    request: HttpRequest, public_id: AssessmentId, filters: Query[ResponseQuery]
) -> Any:
    qs = _response_query().filter(assessment=_assessment(request, public_id))
    return _where(
        qs.order_by("strategy__item__order", "strategy__stage", "strategy__order", "id"),
        strategy__item__code=filters.item.strip().upper() if filters.item else None,
        status=_value(filters.status),
    )


@router.get(
    "/assessments/{public_id}/events",
    response=responses({200: list[EventOut]}, 403, 404, 422),
    tags=["assessments"],
    summary="Read an assessment's history",
    description=(
        "Every status change, submission, review comment, request for changes, acceptance and "
        f"draw, oldest first: who, when, what and the note. {STAFF_ONLY} {NOT_FOUND}"
    ),
)
@paged
def assessment_events(request: HttpRequest, public_id: AssessmentId) -> Any:
    assessment = _assessment(request, public_id)
    return selectors.assessment_events(assessment=assessment)


def _filler(request: HttpRequest, obj: Assessment | Response | Evidence) -> None:
    """403 unless the user fills the assessment (of the response, of the evidence)."""
    if isinstance(obj, Evidence):
        obj = _response(request, obj.response.public_id)
    assessment = obj.assessment if isinstance(obj, Response) else obj
    if not can_fill(request.user, assessment):
        raise PermissionDenied(_("You may not change this assessment."))


def _reviewer(request: HttpRequest, assessment: Assessment) -> None:
    if not can_review(request.user, assessment):
        raise PermissionDenied(_("Only the county reviews this assessment."))


def _review_item(assessment: Assessment, code: str | None) -> Item | None:
    if not code:
        return None
    return ref_or_422(
        Item.objects.filter(version=assessment.cycle.version, level=assessment.level),
        "item",
        message=_("No such item in this assessment."),
        code=code.strip().upper(),
    )


@router.post(
    "/assessments/{public_id}/submit",
    response=responses({200: AssessmentDetailOut}, 403, 404, 422),
    tags=["assessments"],
    summary="Submit a self-assessment",
    description=(
        "Submit a draft (or answer a request for changes) to the county; it is then read-only "
        f"until the county asks for changes. {FILL} Another status or a closed cycle is 422. "
        f"{NOT_FOUND}"
    ),
)
def assessment_submit(request: HttpRequest, payload: NoteIn, public_id: AssessmentId) -> Any:
    assessment = _assessment(request, public_id, check=_filler)
    if assessment.cycle.status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is closed."))
    services.assessment_submit(assessment=assessment, actor=request.user, note=payload.note)
    return assessment_detail(request, public_id)


@router.post(
    "/assessments/{public_id}/comment",
    response=responses({201: EventOut}, 403, 404, 422),
    tags=["review"],
    summary="Comment on a self-assessment",
    description=(
        "A review comment, on one item or on the whole; it goes into the history. "
        f"{REVIEW} {NOT_FOUND}"
    ),
)
def assessment_comment(request: HttpRequest, payload: ReviewIn, public_id: AssessmentId) -> Any:
    assessment = _assessment(request, public_id, check=_reviewer)
    item = _review_item(assessment, payload.item)
    event = services.assessment_comment(
        assessment=assessment, actor=request.user, item=item, note=payload.note
    )
    return Status(201, selectors.assessment_events(assessment=assessment).get(pk=event.pk))


@router.post(
    "/assessments/{public_id}/request-changes",
    response=responses({200: AssessmentDetailOut}, 403, 404, 422),
    tags=["review"],
    summary="Ask for changes",
    description=(
        "Send a submitted assessment back to the school with a note (on one item or the "
        f"whole); the school can edit and submit it again. {REVIEW} Only a submitted "
        f"assessment (else 422). {NOT_FOUND}"
    ),
)
def assessment_request_changes(
    request: HttpRequest, payload: ReviewIn, public_id: AssessmentId
) -> Any:
    assessment = _assessment(request, public_id, check=_reviewer)
    item = _review_item(assessment, payload.item)
    services.assessment_request_changes(
        assessment=assessment, actor=request.user, item=item, note=payload.note
    )
    return assessment_detail(request, public_id)


@router.post(
    "/assessments/{public_id}/accept",
    response=responses({200: AssessmentDetailOut}, 403, 404, 422),
    tags=["review"],
    summary="Accept a self-assessment",
    description=(
        "Accept and freeze a submitted assessment: its stages and answers are kept as a "
        "snapshot and the indicators' values are recorded for the cycle. "
        f"{REVIEW} Only a submitted assessment (else 422). {NOT_FOUND}"
    ),
)
def assessment_accept(request: HttpRequest, payload: NoteIn, public_id: AssessmentId) -> Any:
    assessment = _assessment(request, public_id, check=_reviewer)
    services.assessment_accept(assessment=assessment, actor=request.user, note=payload.note)
    return assessment_detail(request, public_id)


# --- responses and evidence ---------------------------------------------------------------


def _response(request: HttpRequest, public_id: UUID, check: Check | None = None) -> Response:
    return _visible(
        request,
        Response,
        public_id,
        "strategy",
        "strategy__item",
        "owner",
        "assessment",
        "assessment__cycle",
        "assessment__county",
        "assessment__school",
        check=check,
    )


def _response_out(response: Response) -> Response:
    fresh = _response_query().get(pk=response.pk)
    fresh.item = _item_of(fresh.assessment, fresh.strategy.item_id)  # type: ignore[attr-defined]
    return fresh


def _response_query() -> Any:
    return Response.objects.select_related(
        "strategy",
        "strategy__item",
        "owner",
        "updated_by",
        "updated_by__person",
        "assessment",
        "assessment__cycle",
    ).prefetch_related("evidence", "evidence__added_by", "evidence__added_by__person")


@router.patch(
    "/responses/{public_id}",
    response=responses({200: ResponseChangedOut}, 403, 404, 422),
    tags=["assessments"],
    summary="Change a strategy's status, notes or owner",
    description=(
        "Save one strategy of an assessment, like the page's autosave: only the fields sent "
        "are changed, every status change is kept in the history, and the answer carries the "
        f"item's stage after the change. {FILL} {NOT_EDITABLE} An owner who is not an "
        f"administrator or teacher of the school (or county staff, for the county's own) is "
        f"422 on `owner`. {NOT_FOUND}"
    ),
)
def response_update(request: HttpRequest, payload: ResponsePatch, public_id: ResponseId) -> Any:
    response = _response(request, public_id, check=_filler)
    data = payload.dict(exclude_unset=True)
    kwargs: dict[str, Any] = {}
    if "status" in data:
        kwargs["status"] = _value(data["status"])
    if "notes" in data:
        kwargs["notes"] = data["notes"]
    if "owner" in data:
        owner = None
        if data["owner"] is not None:
            owner = ref_or_422(
                selectors.assessment_owner_choices(assessment=response.assessment),
                "owner",
                message=_(
                    "The owner must be an administrator or teacher of this school, or "
                    "for the county's own assessment one of its staff."
                ),
                public_id=data["owner"],
            )
        kwargs.update(owner=owner, set_owner=True)
    if not kwargs:
        raise ValidationError(_("Nothing to save: send a status, an owner or notes."))
    services.response_update(response=response, actor=request.user, **kwargs)
    return _response_out(response)


EVIDENCE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": EvidenceIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The file: PDF, images, Office documents, text or "
                        "video; at most 20 MB.",
                    },
                    "title": {"type": "string", "description": "Title (else the file name)."},
                },
                "required": ["file"],
            }
        },
    },
}


def _evidence_input(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The evidence sent: a link or a text as JSON, or a file as multipart/form-data. Returns
    the form data and files for EvidenceForm, the same checks as the page."""
    if request.content_type == "multipart/form-data":
        data = {k: request.POST.get(k, "") for k in ("title", "url", "text")}
        if "file" not in request.FILES:
            raise ValidationError({"file": _("Choose a file.")})
        return data, {"file": request.FILES["file"]}
    try:
        raw = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("Send a JSON object (a link or a text) or a multipart form with a file.")
        ) from exc
    try:
        payload = EvidenceIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise NinjaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]
        ) from exc
    if payload.kind == "link":
        if not payload.url.strip():
            raise ValidationError({"url": _("Give the link.")})
        return {"url": payload.url.strip(), "title": payload.title}, {}
    if not payload.text.strip():
        raise ValidationError({"text": _("Write the evidence.")})
    return {"text": payload.text, "title": payload.title}, {}


@router.post(
    "/responses/{public_id}/evidence",
    response=responses({201: EvidenceAddedOut}, 403, 404, 422),
    tags=["assessments"],
    summary="Add evidence to a strategy",
    description=(
        'A link or a text as JSON (`{"kind": "link", "url": …}` or `{"kind": "text", '
        '"text": …}`), or a file as multipart/form-data (`file`, optional `title`): PDF, '
        "images, Office documents, text or video up to 20 MB, checked like the page (a renamed "
        "file is refused). The answer carries the item's stage after the change. "
        f"{FILL} {NOT_EDITABLE} {NOT_FOUND}"
    ),
    openapi_extra={"requestBody": EVIDENCE_BODY},
)
def evidence_create(request: HttpRequest, public_id: ResponseId) -> Any:
    response = _response(request, public_id, check=_filler)
    data, files = _evidence_input(request)
    form = EvidenceForm(data, files)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    # the form's fields are the service's: title, file, url, text
    evidence = services.evidence_add(
        response=response, actor=request.user, kind=form.kind, **form.cleaned_data
    )
    evidence = Evidence.objects.select_related("response", "added_by", "added_by__person").get(
        pk=evidence.pk
    )
    evidence.item = _item_of(response.assessment, response.strategy.item_id)  # type: ignore[attr-defined]
    return Status(201, evidence)


@router.delete(
    "/evidence/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=["assessments"],
    summary="Remove evidence",
    description=(
        f"Remove one piece of evidence (and its file) from a strategy. {FILL} {NOT_EDITABLE} "
        f"{NOT_FOUND}"
    ),
)
def evidence_delete(request: HttpRequest, public_id: EvidenceId) -> Any:
    evidence = _visible(request, Evidence, public_id, check=_filler)
    services.evidence_remove(evidence=evidence, actor=request.user)
    return Status(204, None)


FILE_RESPONSE = {
    "description": "The file itself, as an attachment named as uploaded, or as its title where "
    "that keeps the file's extension (`Content-Disposition`, RFC 5987 `filename*` for "
    "non-ASCII names); `Content-Type` is the file's own media type.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get(
    "/evidence/{public_id}/file",
    response=responses({200: None}, 403, 404, 422),
    tags=["assessments"],
    summary="Download an evidence file",
    description=(
        "The file of one piece of file evidence (its `file_url`), for everyone who may read "
        "the assessment, with a token or a session. Link and text evidence have no file: 404 "
        f"saying so. {STAFF_ONLY} {NOT_FOUND}"
    ),
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def evidence_file(request: HttpRequest, public_id: EvidenceId) -> Any:
    evidence = _visible(request, Evidence, public_id)
    if evidence.kind != Evidence.Kind.FILE:
        raise HttpError(
            404,
            _("There is no file to download: this evidence is of the kind “%(kind)s”.")
            % {"kind": evidence.get_kind_display()},
        )
    return evidence_file_response(evidence, attachment=True)


# --- plans --------------------------------------------------------------------------------


def _plan_org(request: HttpRequest, payload: PlanIn) -> tuple[County, School | None]:
    """Where the new plan belongs: a school the user administers (or whose county they
    administer), or a county where they are administrator or staff."""
    orgs = plan_selectors.plan_org_choices(user=request.user)
    if not orgs:
        raise PermissionDenied(_("Only administrators and county staff write plans."))
    if payload.school is not None:
        match = next(
            ((c, s) for _v, _l, c, s in orgs if s is not None and s.public_id == payload.school),
            None,
        )
        if match is None:
            raise ValidationError({"school": _("No such school, or not one you may plan for.")})
        if payload.county and payload.county != match[0].code:
            raise ValidationError({"county": _("The school belongs to another county.")})
        return match
    if payload.county:
        found = next((c for _v, _l, c, s in orgs if s is None and c.code == payload.county), None)
        if found is None:
            raise ValidationError({"county": _("No such county, or not one you may plan for.")})
        return found, None
    if len(orgs) == 1:
        return orgs[0][2], orgs[0][3]
    raise ValidationError({"school": _("Say which school (or county) the plan is for.")})


def _plan_out(request: HttpRequest, plan: Plan) -> Plan:
    """The plan with its goals, actions and totals, as the plan page shows them."""
    view = plan_selectors.plan_detail(plan=plan, today=timezone.localdate())
    labels = dict(Action.Funding.choices)
    plan.goal_views = [  # type: ignore[attr-defined]
        {
            "public_id": g.goal.public_id,
            "plan": plan.public_id,
            "title": g.goal.title,
            "order": g.goal.order,
            "strategies": [
                {**_strategy_ref(line.strategy), "status": line.status, "met": line.met}
                for line in g.strategies
            ],
            "actions": g.actions,
        }
        for g in view.goals
    ]
    plan.goal_total = len(view.goals)  # type: ignore[attr-defined]
    plan.action_total = view.action_total  # type: ignore[attr-defined]
    plan.done_total = view.done_total  # type: ignore[attr-defined]
    plan.overdue_total = view.overdue_total  # type: ignore[attr-defined]
    plan.budget_total = int(view.budget_total)  # type: ignore[attr-defined]
    plan.funding = [  # type: ignore[attr-defined]
        {"funding": f, "label": str(labels.get(f, label) or ""), "total": int(total)}
        for f, label, total in view.funding
    ]
    plan.progress = view.progress  # type: ignore[attr-defined]
    plan.latest_assessment = view.latest.public_id if view.latest else None  # type: ignore[attr-defined]
    return plan


def _strategy_ref(s: Strategy) -> dict[str, Any]:
    return {
        "code": s.code,
        "item": s.item.code,
        "stage": s.stage,
        "text_zh": s.text_zh,
        "text_en": s.text_en,
        "local": s.county_id is not None,
    }


def _plan(request: HttpRequest, public_id: UUID, check: Check | None = None) -> Plan:
    return _visible(request, Plan, public_id, "county", "school", "cycle", check=check)


def _plan_editor(request: HttpRequest, obj: Plan | Goal | Action | Case | Assessment) -> None:
    """403 unless the user edits the plan (goal, action, case), or for an assessment may plan
    for its school or county."""
    if isinstance(obj, Assessment):
        allowed = plan_selectors.may_edit_scope(
            request.user, county_id=obj.county_id, school_id=obj.school_id
        )
    else:
        allowed = plan_selectors.can_edit(request.user, obj)
    if not allowed:
        raise PermissionDenied(_("Only the administrators of this school or county may do this."))


@router.get(
    "/plans",
    response=responses({200: list[PlanOut]}, 403, 422),
    tags=["plans"],
    summary="List action plans",
    description=(
        "Short-, mid- and long-term plans (短中長程計畫) you can see, newest first, with their "
        f"goal and action totals. {STAFF_ONLY} {SCOPED}"
    ),
)
@paged
def plan_list(request: HttpRequest, filters: Query[PlanQuery]) -> Any:
    require_staff(request)
    return plan_selectors.plan_list(
        user=request.user,
        today=timezone.localdate(),
        q=filters.q.strip(),
        school=filters.school.strip(),
        horizon=_choice(filters.horizon),
        overdue=filters.overdue,
    )


@router.post(
    "/plans",
    response=responses({201: PlanDetailOut}, 403, 422),
    tags=["plans"],
    summary="Start an action plan",
    description=(
        "A school's plan (`school`: one you administer, or of a county you administer) or the "
        "county's own (`county`: one where you are administrator or staff). Teachers, MOE "
        "viewers and others who may plan nowhere get 403; a school or county outside your "
        "scope is 422 on that field."
    ),
)
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    require_staff(request)
    county, school = _plan_org(request, payload)
    cycle = None
    if payload.cycle is not None:
        cycle = ref_or_422(Cycle.objects.visible_to(request.user), "cycle", public_id=payload.cycle)
    plan = plan_services.plan_create(
        county=county,
        school=school,
        title=payload.title,
        horizon=payload.horizon.value,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        cycle=cycle,
        actor=request.user,
    )
    return Status(201, plan_detail(request, plan.public_id))


@router.post(
    "/assessments/{public_id}/plan",
    response=responses({201: PlanDetailOut}, 403, 404, 422),
    tags=["plans"],
    summary="Make a plan from the next steps",
    description=(
        "Turn an assessment's next steps into a plan: one goal per item whose next stage "
        "still has unmet strategies, linked to exactly those strategies. Only the plan's "
        "editors for the assessment's school or county (403 for others); an assessment with "
        f"no next steps is 422. {NOT_FOUND}"
    ),
)
def plan_from_assessment(
    request: HttpRequest, payload: PlanFromStepsIn, public_id: AssessmentId
) -> Any:
    assessment = _assessment(request, public_id, check=_plan_editor)
    plan = plan_services.plan_from_next_steps(
        assessment=assessment,
        actor=request.user,
        title=payload.title,
        horizon=payload.horizon.value,
    )
    return Status(201, plan_detail(request, plan.public_id))


@router.get(
    "/plans/{public_id}",
    response=responses({200: PlanDetailOut}, 403, 404, 422),
    tags=["plans"],
    summary="Get an action plan",
    description=(
        "One plan: goals with the strategies they work towards (and where each stands in the "
        "org's latest assessment), actions with owners, dates, budgets and whether they are "
        f"overdue, and the budget per funding source. {STAFF_ONLY} {NOT_FOUND}"
    ),
)
def plan_detail(request: HttpRequest, public_id: PlanId) -> Any:
    return _plan_out(request, _plan(request, public_id))


@router.post(
    "/plans/{public_id}/goals",
    response=responses({201: GoalOut}, 403, 404, 422),
    tags=["plans"],
    summary="Add a goal to a plan",
    description=(
        "A goal linked to strategies of the plan's level (S… for a school, L… for the county; "
        f"official or the county's local ones; else 422 on `strategies`). {PLAN_EDIT} "
        f"{NOT_FOUND}"
    ),
)
def goal_create(request: HttpRequest, payload: GoalIn, public_id: PlanId) -> Any:
    plan = _plan(request, public_id, check=_plan_editor)
    choices = plan_selectors.plan_strategy_choices(plan=plan)
    codes = list(dict.fromkeys(c.strip().upper() for c in payload.strategies))
    found = {s.code: s for s in choices.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            {
                "strategies": _("Not a strategy this plan may link to: %(codes)s")
                % {"codes": ", ".join(missing)}
            }
        )
    goal = plan_services.goal_create(
        plan=plan, title=payload.title, strategies=[found[c] for c in codes], actor=request.user
    )
    out = _plan_out(request, plan)
    return Status(
        201,
        next(g for g in out.goal_views if g["public_id"] == goal.public_id),  # type: ignore[attr-defined]
    )


def _owner(plan: Plan, public_id: UUID | None) -> Any:
    if public_id is None:
        return None
    return ref_or_422(
        plan_selectors.plan_owner_choices(plan=plan),
        "owner",
        message=_(
            "The owner must be an administrator or teacher of this school, or for the "
            "county's own plan one of its staff."
        ),
        public_id=public_id,
    )


def _action_out(action: Action) -> Action:
    return Action.objects.select_related("goal", "owner").get(pk=action.pk)


@router.post(
    "/goals/{public_id}/actions",
    response=responses({201: ActionOut}, 403, 404, 422),
    tags=["plans"],
    summary="Add an action to a goal",
    description=(
        "An action with an owner, dates, budget, funding source and success measure. A "
        "budget needs a funding source, programme funding needs the programme's name, the "
        f"end is not before the start (each 422 on its field). {PLAN_EDIT} {NOT_FOUND}"
    ),
)
def action_create(request: HttpRequest, payload: ActionIn, public_id: GoalId) -> Any:
    goal = _visible(request, Goal, public_id, check=_plan_editor)
    data = _plain(payload.dict())
    data["owner"] = _owner(goal.plan, payload.owner)
    action = plan_services.action_create(goal=goal, actor=request.user, **data)
    return Status(201, _action_out(action))


@router.patch(
    "/actions/{public_id}",
    response=responses({200: ActionOut}, 403, 404, 422),
    tags=["plans"],
    summary="Change an action",
    description=(
        "Change the fields sent (status, progress, owner, dates, budget …); marking it done "
        "sets the progress to 100. Every change is in the audit log with old and new values. "
        f"{PLAN_EDIT} {NOT_FOUND}"
    ),
)
def action_update(request: HttpRequest, payload: ActionPatch, public_id: ActionId) -> Any:
    action = _visible(request, Action, public_id, check=_plan_editor)
    data = _plain(payload.dict(exclude_unset=True))
    if "owner" in data:
        data["owner"] = _owner(action.goal.plan, payload.owner)
    if not data:
        raise ValidationError(_("Nothing to save: send at least one field."))
    action = plan_services.action_update(action=action, actor=request.user, **data)
    return _action_out(action)


@router.delete(
    "/actions/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=["plans"],
    summary="Delete an action",
    description=(
        "Delete one action of a plan; the audit log keeps everything it held. "
        f"{PLAN_EDIT} {NOT_FOUND}"
    ),
)
def action_delete(request: HttpRequest, public_id: ActionId) -> Any:
    action = _visible(request, Action, public_id, check=_plan_editor)
    plan_services.action_delete(action=action, actor=request.user)
    return Status(204, None)


@router.delete(
    "/goals/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=["plans"],
    summary="Delete a goal",
    description=(
        "Delete a goal. A goal with actions is deleted with them only when `confirm_actions` "
        "is the number of its actions the client has seen (from the plan): if it has more "
        "(someone added one meanwhile), 422 on `confirm_actions` and nothing is deleted. "
        f"The audit log keeps the goal and its actions. {PLAN_EDIT} {NOT_FOUND}"
    ),
)
def goal_delete(
    request: HttpRequest,
    public_id: GoalId,
    confirm_actions: int = Query(
        0, ge=0, description="How many actions of the goal the client agrees to delete with it."
    ),
) -> Any:
    goal = _visible(request, Goal, public_id, check=_plan_editor)
    plan_services.goal_delete(goal=goal, actor=request.user, confirm_actions=confirm_actions)
    return Status(204, None)


# --- cases --------------------------------------------------------------------------------


@router.get(
    "/cases",
    response=responses({200: list[CaseOut]}, 403, 422),
    tags=["cases"],
    summary="Search good-practice cases",
    description=(
        "Published good-practice cases (案例), newest first. Staff of every school and county "
        f"read every published case (sharing is the point). {STAFF_ONLY}"
    ),
)
@paged
def case_list(request: HttpRequest, filters: Query[CaseQuery]) -> Any:
    require_staff(request)
    return plan_selectors.case_search(
        user=request.user,
        q=filters.q.strip(),
        item=filters.item.strip(),
        stage=_choice(filters.stage),
        school_stage=_choice(filters.school_stage),
        subject=filters.subject.strip(),
    )


def _case_out(request: HttpRequest, case: Case) -> Case:
    """The case with the evidence it came from: a link or a text is shown to every reader of
    the case, a file only inside the evidence's own school or county (as on the page)."""
    case = Case.objects.select_related("county", "school", "item", "strategy", "evidence").get(
        pk=case.pk
    )
    evidence = case.evidence
    out = None
    if evidence is not None:
        visible = Evidence.objects.visible_to(request.user).filter(pk=evidence.pk).exists()
        is_file = has_file(evidence)
        out = {
            "kind": evidence.kind,
            "title": evidence.title,
            "url": evidence.url,
            "text": evidence.text,
            "download_url": (
                reverse("framework:evidence_download", args=[evidence.public_id])
                if visible and is_file
                else None
            ),
            "file_url": file_url(evidence) if visible and is_file else None,
        }
    case.evidence_out = out  # type: ignore[attr-defined]
    return case


@router.get(
    "/cases/{public_id}",
    response=responses({200: CaseDetailOut}, 403, 404, 422),
    tags=["cases"],
    summary="Get a good-practice case",
    description=(
        "One published case with the evidence it came from (a file only to the evidence's own "
        f"school or county). {STAFF_ONLY} {NOT_FOUND}"
    ),
)
def case_detail(request: HttpRequest, public_id: CaseId) -> Any:
    return _case_out(request, _visible(request, Case, public_id))


@router.post(
    "/evidence/{public_id}/case",
    response=responses({201: CaseDetailOut}, 403, 404, 422),
    tags=["cases"],
    summary="Publish evidence as a case",
    description=(
        "Publish a piece of evidence as a good-practice case; its item, strategy and stage "
        f"come from the evidence's strategy. {FILL} Evidence already published is 422 on "
        f"`evidence`. {NOT_FOUND}"
    ),
)
def case_create(request: HttpRequest, payload: CaseIn, public_id: EvidenceId) -> Any:
    evidence = _visible(request, Evidence, public_id, check=_filler)
    case = plan_services.case_publish(
        evidence=evidence,
        title=payload.title,
        summary=payload.summary,
        tags=payload.tags,
        subject=payload.subject,
        actor=request.user,
    )
    return Status(201, _case_out(request, case))


@router.patch(
    "/cases/{public_id}",
    response=responses({200: CaseDetailOut}, 403, 404, 422),
    tags=["cases"],
    summary="Change a case",
    description=(
        "Change the fields sent: title, summary, tags, subject. Only the case's own "
        "school's administrators (and its county's administrators), or for a county's case its "
        f"administrators and staff (403 for other readers). {NOT_FOUND}"
    ),
)
def case_update(request: HttpRequest, payload: CasePatch, public_id: CaseId) -> Any:
    case = _visible(request, Case, public_id, check=_plan_editor)
    current = {
        "title": case.title,
        "summary": case.summary,
        "tags": case.tags,
        "subject": case.subject,
    }
    plan_services.case_update(
        case=case, actor=request.user, **{**current, **payload.dict(exclude_unset=True)}
    )
    return _case_out(request, case)


@router.delete(
    "/cases/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=["cases"],
    summary="Withdraw a case",
    description=(
        "Take a case down; the evidence stays with the assessment. Same editors as changing "
        f"it (403 for other readers). {NOT_FOUND}"
    ),
)
def case_delete(request: HttpRequest, public_id: CaseId) -> Any:
    case = _visible(request, Case, public_id, check=_plan_editor)
    plan_services.case_unpublish(case=case, actor=request.user)
    return Status(204, None)
