"""API schemas of the framework app: Tables 6 and 7, cycles, assessments, responses, evidence,
the review history, action plans and good-practice cases.

Objects are named by their ``public_id`` (a UUID); strategies and items by their codes
(``S1.D1``, ``S1``), counties by their MOI ``code``. Every field carries a description, so the
OpenAPI document at /api/v1/openapi.json explains itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dtss.framework.models import (
    Action,
    Assessment,
    AssessmentEvent,
    Cycle,
    Evidence,
    Level,
    Plan,
    Response,
    Stage,
)
from dtss.orgs.models import School
from dtss.orgs.schemas import CountyRef, PersonRef, SchoolRef, TermRef

EDITABLE = (Assessment.Status.DRAFT, Assessment.Status.CHANGES)
MET = ("implemented", "embedded")


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def _who(user: Any) -> str | None:
    """A user as the pages show them: the person's name, else the login name."""
    if user is None:
        return None
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def has_file(evidence: Evidence) -> bool:
    return evidence.kind == Evidence.Kind.FILE and bool(evidence.file)


def file_url(evidence: Evidence) -> str | None:
    """Where API clients download the evidence's file (`GET /evidence/{id}/file`); None when
    it has no file."""
    return reverse("api:evidence_file", args=[evidence.public_id]) if has_file(evidence) else None


def _no_nulls(value: Any) -> Any:
    if value is None:
        raise ValueError(_("may be left out but not null"))
    return value


# --- the framework ------------------------------------------------------------------------


class VersionOut(Schema):
    code: str = Field(description="The framework version's code, e.g. 2025.")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English (may be empty).")


class ItemRef(Schema):
    code: str = Field(description="The item's code: L1–L7 (county, Table 6), S1–S5 (school).")
    level: Level = Field(description="county (Table 6) or school (Table 7).")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English (may be empty).")


class StrategyOut(Schema):
    code: str = Field(description="The strategy ID, e.g. S1.D1; local ones look like S1.AL1.")
    item: str = Field(description="The code of the item the strategy belongs to.")
    stage: Stage = Field(description="D (development), A (acceleration) or M (maturity).")
    text_zh: str = Field(description="The strategy in Chinese.")
    text_en: str = Field(description="The strategy in English (may be empty).")
    local: bool = Field(description="True for a county's own (local) strategy.")
    county: str | None = Field(description="For a local strategy: the county's code.")
    inferred: bool = Field(
        description="True where the source table's layout left the stage uncertain."
    )

    @staticmethod
    def resolve_item(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_local(obj: Any) -> bool:
        return obj.county_id is not None

    @staticmethod
    def resolve_county(obj: Any) -> str | None:
        return obj.county.code if obj.county_id is not None else None


class StageStrategiesOut(Schema):
    stage: Stage = Field(description="D, A or M.")
    label: str = Field(description="The stage's name in the request's language.")
    strategies: list[StrategyOut] = Field(description="The stage's strategies, in order.")


class ItemOut(ItemRef):
    stages: list[StageStrategiesOut] = Field(
        description="The three stages, each with its strategies (official, then local)."
    )


class FrameworkOut(Schema):
    version: VersionOut = Field(description="The current framework version.")
    county: CountyRef | None = Field(
        description="The county whose local strategies are included (null: official only)."
    )
    items: list[ItemOut] = Field(description="Items in order, each with its stages.")


class IndicatorOut(Schema):
    id: str = Field(description="The indicator's id in the registry.")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English.")
    level: Literal["county", "school"] = Field(description="The org level it is measured at.")
    unit: str = Field(description="Unit of the value (%, ratio, count, yes/no, hours …).")
    achieved_at: float | None = Field(
        description="The value from which the strategy counts as achieved (null: none)."
    )
    higher_is_better: bool = Field(description="Whether higher values are better.")
    description_zh: str = Field(description="How it is computed, in Chinese.")
    description_en: str = Field(description="How it is computed, in English.")
    strategies: list[str] = Field(description="The strategy IDs the indicator evidences.")


class StrategyLinkOut(Schema):
    version: str = Field(description="The framework version of the linked strategy.")
    code: str = Field(description="The linked strategy's ID in that version.")


class StrategyDetailOut(StrategyOut):
    version: str = Field(description="The framework version the strategy belongs to.")
    item_detail: ItemRef = Field(description="The item the strategy belongs to.")
    indicators: list[IndicatorOut] = Field(
        description="The registered indicators that evidence this strategy."
    )
    continues: list[StrategyLinkOut] = Field(
        description="Strategies of older framework versions this one continues."
    )
    continued_by: list[StrategyLinkOut] = Field(
        description="Strategies of newer framework versions that continue this one."
    )

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return obj.item.version.code


class LocalStrategyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None, description="County code; may be left out if you administer one county only."
    )
    item: str = Field(description="The item's code in the current version, e.g. S1 or L3.")
    stage: Stage = Field(description="D, A or M.")
    text_zh: str = Field(min_length=1, max_length=2000, description="The strategy in Chinese.")
    text_en: str = Field("", max_length=2000, description="The strategy in English.")


class FrameworkQuery(Schema):
    level: Level | None = Field(
        None, description="Only the county's (Table 6) or the schools' (Table 7) items."
    )
    county: str = Field(
        "",
        description="Include this county's local strategies (code; one of your counties). "
        "Defaults to your own county.",
    )


# --- cycles -------------------------------------------------------------------------------


class CycleRef(Schema):
    public_id: UUID = Field(description="The cycle's id.")
    name: str = Field(description="The cycle's name, e.g. 114學年度第1學期.")
    status: Cycle.Status = Field(description="open or closed.")
    opens_on: date = Field(description="The first day of the cycle.")
    deadline: date = Field(description="The day assessments are due.")


class CycleOut(CycleRef):
    county: CountyRef = Field(description="The county that opened the cycle.")
    version: str = Field(description="The framework version the cycle assesses.")
    term: TermRef | None = Field(description="The academic term, if one was chosen.")
    rule_share: float = Field(
        description="Share of a stage's strategies needed (1 = all, 0.667 = two-thirds)."
    )
    require_evidence: bool = Field(description="Whether a strategy counts only with evidence.")
    school_total: int = Field(description="How many schools take part.")
    submitted_total: int = Field(description="How many schools have submitted (or are accepted).")
    can_sample: bool = Field(description="Whether you may draw schools for verification.")
    can_close: bool = Field(description="Whether you may close the cycle.")

    @staticmethod
    def resolve_version(obj: Cycle) -> str:
        return obj.version.code

    @staticmethod
    def resolve_rule_share(obj: Cycle) -> float:
        return float(obj.rule_share)

    @staticmethod
    def resolve_school_total(obj: Cycle) -> int:
        total = getattr(obj, "school_total", None)
        return total if total is not None else obj.assessments.filter(school__isnull=False).count()

    @staticmethod
    def resolve_submitted_total(obj: Cycle) -> int:
        total = getattr(obj, "submitted_total", None)
        if total is not None:
            return total
        return obj.assessments.filter(
            school__isnull=False, status__in=["submitted", "accepted"]
        ).count()

    @staticmethod
    def resolve_can_sample(obj: Cycle, context: Any) -> bool:
        from dtss.core.tenancy import scope_for

        scope = scope_for(_user(context))
        return obj.status == Cycle.Status.OPEN and (
            scope.superuser or obj.county_id in scope.county_ids
        )

    @staticmethod
    def resolve_can_close(obj: Cycle, context: Any) -> bool:
        from dtss.core.tenancy import scope_for

        scope = scope_for(_user(context))
        return obj.status == Cycle.Status.OPEN and scope.may_administer_county(obj.county_id)


class StatusCountOut(Schema):
    status: Assessment.Status = Field(description="An assessment status.")
    count: int = Field(description="How many of the cycle's schools are in it.")


class CycleDetailOut(CycleOut):
    status_counts: list[StatusCountOut] = Field(
        description="Schools per assessment status (of the schools you can see)."
    )
    sampled_total: int = Field(
        description="How many schools (of those you can see) were drawn for verification."
    )
    overdue_total: int = Field(
        description="Schools (of those you can see) not yet submitted after the deadline."
    )


class TermIn(Schema):
    model_config = ConfigDict(extra="forbid")

    roc_year: int = Field(ge=50, le=300, description="Academic year (ROC), e.g. 114.")
    semester: Literal[1, 2] = Field(description="Semester: 1 or 2.")


class CycleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None, description="County code; may be left out if you administer one county only."
    )
    name: str = Field(
        min_length=1, max_length=100, description="The cycle's name, unique in the county."
    )
    opens_on: date = Field(description="First day (YYYY-MM-DD).")
    deadline: date = Field(description="Due date (YYYY-MM-DD), on or after opens_on.")
    rule_share: Decimal = Field(
        Decimal("1"),
        ge=Decimal("0.5"),
        le=Decimal("1"),
        max_digits=4,
        decimal_places=3,
        description="Share of a stage's strategies needed, 0.5–1 (0.667 for two-thirds).",
    )
    require_evidence: bool = Field(True, description="A strategy counts only with evidence.")
    include_county: bool = Field(True, description="Include the county's own Table 6.")
    schools: Literal["all"] | list[UUID] = Field(
        description='"all" for every active school of the county, or a list of school ids '
        "(each must be an active school of the county; [] for the county's own only)."
    )
    term: TermIn | None = Field(None, description="The academic term, if any (must exist).")

    @field_validator("schools", mode="before")
    @classmethod
    def _schools(cls, value: Any) -> Any:
        """One message on `schools` (not one per member of the union)."""
        if value == "all":
            return value
        if not isinstance(value, list):
            raise ValueError(_('give "all" or a list of school ids'))
        bad = []
        for v in value:
            try:
                UUID(str(v))
            except ValueError:
                bad.append(str(v))
        if bad:
            raise ValueError(_("not school ids: %(ids)s") % {"ids": ", ".join(bad)})
        return value


class SampleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(ge=1, le=10000, description="How many schools to draw at random.")


class CycleQuery(Schema):
    county: str = Field("", description="Only cycles of this county (code).")
    status: Cycle.Status | None = Field(None, description="Only open or only closed cycles.")


# --- assessments --------------------------------------------------------------------------


class AssessmentOut(Schema):
    public_id: UUID = Field(description="The assessment's id.")
    cycle: CycleRef = Field(description="The cycle.")
    county: CountyRef = Field(description="The county.")
    school: SchoolRef | None = Field(description="The school; null for the county's own.")
    level: Level = Field(description="county (Table 6) or school (Table 7).")
    status: Assessment.Status = Field(
        description="draft, submitted, changes_requested or accepted."
    )
    sampled: bool = Field(description="Drawn by the county for verification.")
    overdue: bool = Field(description="Not submitted and the deadline has passed.")
    submitted_at: datetime | None = Field(description="When it was last submitted.")
    accepted_at: datetime | None = Field(description="When the county accepted it.")
    stages: dict[str, Stage | None] = Field(
        description="Item code → the stage reached (D, A, M; null: not yet D)."
    )

    @staticmethod
    def resolve_overdue(obj: Assessment) -> bool:
        return obj.status in EDITABLE and obj.cycle.deadline < timezone.localdate()


class StageCountOut(Schema):
    stage: Stage = Field(description="D, A or M.")
    met: int = Field(description="How many of the stage's strategies meet the cycle's rule.")
    total: int = Field(description="How many strategies the stage has.")


class ItemResultOut(Schema):
    code: str = Field(description="The item's code.")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English.")
    stage: Stage | None = Field(description="The stage reached; null: not yet development.")
    next_stage: Stage | None = Field(description="The next stage; null at maturity.")
    next_met: int = Field(description="Strategies of the next stage already met.")
    next_needed: int = Field(description="Strategies of the next stage needed by the rule.")
    next_total: int = Field(description="Strategies of the next stage.")
    next_share: float = Field(description="Share of the next stage met (0–1; 1 at maturity).")
    next_steps: list[str] = Field(description="The next stage's unmet strategy IDs.")
    met_by_stage: list[StageCountOut] = Field(description="Met and total per stage.")
    strategy_total: int = Field(description="How many strategies the item has here.")
    evidence_total: int = Field(description="How many pieces of evidence the item has.")


class IndicatorReadingOut(Schema):
    strategy: str = Field(description="The strategy ID the reading is shown beside.")
    indicator: str = Field(description="The indicator's id.")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English.")
    unit: str = Field(description="Unit of the value.")
    value: float | None = Field(
        description="The measured value: recorded for the cycle once accepted, else live."
    )
    achieved_at: float | None = Field(description="The value that counts as achieved.")
    achieved: bool | None = Field(description="Whether the value is achieved (null: unknown).")
    disagreement: Literal["", "claimed_not_measured", "measured_not_claimed"] = Field(
        description="Where the self-rating and the measured value disagree: claimed "
        "implemented but not achieved, or achieved but not claimed; empty if they agree."
    )


class AssessmentDetailOut(AssessmentOut):
    items: list[ItemResultOut] = Field(
        description="Each item's stage, the next stage, the share met and the next steps."
    )
    indicators: list[IndicatorReadingOut] = Field(
        description="Indicator readings beside the strategies, with disagreement flags."
    )
    can_fill: bool = Field(description="Whether you may fill this assessment in.")
    can_review: bool = Field(description="Whether you may review it (county staff).")
    editable: bool = Field(
        description="Whether it can be changed now (draft or changes asked, "
        "cycle open) and you may fill it."
    )
    snapshot: dict[str, Any] = Field(description="The frozen copy made on acceptance ({} before).")


class AssessmentQuery(Schema):
    cycle: UUID | None = Field(None, description="Only assessments of this cycle (id).")
    school: UUID | None = Field(None, description="Only assessments of this school (id).")
    status: Assessment.Status | None = Field(None, description="Only assessments in this status.")
    level: Level | None = Field(None, description="Only the county's own, or only schools'.")
    district: UUID | None = Field(None, description="Only schools of this district (id).")
    school_stage: School.Stage | None = Field(None, description="Only schools of this stage.")
    sampled: bool | None = Field(None, description="true: only those drawn for verification.")


# --- responses and evidence ---------------------------------------------------------------


class EvidenceOut(Schema):
    public_id: UUID = Field(description="The evidence's id.")
    kind: Evidence.Kind = Field(description="file, link, text or indicator.")
    title: str = Field(description="Title.")
    url: str = Field(description="For a link: the address.")
    text: str = Field(description="For a text: the text.")
    file_name: str | None = Field(description="For a file: its name.")
    content_type: str = Field(description="For a file: its media type.")
    size: int = Field(description="For a file: its size in bytes.")
    download_url: str | None = Field(
        description="For a file: where signed-in staff download it (browser session)."
    )
    file_url: str | None = Field(
        description="For a file: where to download it through this API (token or session); "
        "null for a link, a text or an indicator value."
    )
    indicator_id: str = Field(description="For an indicator value: the indicator's id.")
    indicator_value: float | None = Field(description="For an indicator value: the value.")
    added_by: str | None = Field(description="Who added it.")
    created_at: datetime = Field(description="When it was added.")

    @staticmethod
    def resolve_file_name(obj: Evidence) -> str | None:
        return obj.file.name.rsplit("/", 1)[-1] if obj.file else None

    @staticmethod
    def resolve_download_url(obj: Evidence) -> str | None:
        if not has_file(obj):
            return None
        return reverse("framework:evidence_download", args=[obj.public_id])

    @staticmethod
    def resolve_file_url(obj: Evidence) -> str | None:
        return file_url(obj)

    @staticmethod
    def resolve_added_by(obj: Evidence) -> str | None:
        return _who(obj.added_by)


class StrategyRef(Schema):
    code: str = Field(description="The strategy ID.")
    item: str = Field(description="The item's code.")
    stage: Stage = Field(description="D, A or M.")
    text_zh: str = Field(description="The strategy in Chinese.")
    text_en: str = Field(description="The strategy in English.")
    local: bool = Field(description="True for a county's own strategy.")

    @staticmethod
    def resolve_item(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_local(obj: Any) -> bool:
        return obj.county_id is not None


class ResponseOut(Schema):
    public_id: UUID = Field(description="The response's id (one strategy in one assessment).")
    assessment: UUID = Field(description="The assessment's id.")
    strategy: StrategyRef = Field(description="The strategy.")
    status: Response.Status = Field(
        description="not_started, planned, in_progress, implemented or embedded."
    )
    notes: str = Field(description="Notes.")
    owner: PersonRef | None = Field(description="Who is responsible.")
    met: bool = Field(description="Whether it meets the cycle's rule (status and evidence).")
    evidence: list[EvidenceOut] = Field(description="The evidence, oldest first.")
    updated_by: str | None = Field(description="Who changed it last.")
    updated_at: datetime = Field(description="When it was changed last.")

    @staticmethod
    def resolve_assessment(obj: Response) -> UUID:
        return obj.assessment.public_id

    @staticmethod
    def resolve_evidence(obj: Response) -> list[Any]:
        return sorted(obj.evidence.all(), key=lambda e: (e.created_at, e.pk))

    @staticmethod
    def resolve_met(obj: Response) -> bool:
        has_evidence = bool(obj.evidence.all())
        return obj.status in MET and (has_evidence or not obj.assessment.cycle.require_evidence)

    @staticmethod
    def resolve_updated_by(obj: Response) -> str | None:
        return _who(obj.updated_by)


class ResponseChangedOut(ResponseOut):
    item: ItemResultOut = Field(description="The strategy's item after the change.")


class ResponsePatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    status: Response.Status | None = Field(None, description="The new status.")
    notes: str | None = Field(None, max_length=10000, description="The notes.")
    owner: UUID | None = Field(
        None,
        description="Id of the owner, an administrator or teacher of the school (for the "
        "county's own: a county administrator or staff member); null clears it.",
    )

    @field_validator("status", "notes", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


class ResponseQuery(Schema):
    item: str = Field("", description="Only strategies of this item (code, e.g. S1).")
    status: Response.Status | None = Field(None, description="Only strategies in this status.")


class EvidenceIn(Schema):
    """A link or a text as JSON; a file is sent as multipart/form-data instead."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["link", "text"] = Field(description="link or text.")
    title: str = Field("", max_length=200, description="Title (else the link or first words).")
    url: str = Field("", max_length=500, description="For a link: the address (http/https).")
    text: str = Field("", max_length=5000, description="For a text: the evidence itself.")


class EvidenceAddedOut(EvidenceOut):
    response: UUID = Field(description="The response the evidence belongs to.")
    item: ItemResultOut = Field(description="The strategy's item after the change.")

    @staticmethod
    def resolve_response(obj: Evidence) -> UUID:
        return obj.response.public_id


# --- submission, review, history ----------------------------------------------------------


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=5000, description="A note for the history (optional).")


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: str | None = Field(
        None, description="The item the note is about (code, e.g. S2); null for the whole."
    )
    note: str = Field(max_length=5000, description="The note (required).")


class EventOut(Schema):
    public_id: UUID = Field(description="The event's id.")
    at: datetime = Field(description="When it happened.")
    action: AssessmentEvent.Action = Field(
        description="status, submit, comment, request_changes, answer, accept, reopen, sample."
    )
    action_label: str = Field(description="The action in words (the request's language).")
    by: str | None = Field(description="Who did it (null: the system).")
    item: str | None = Field(description="The item it concerns (code), if any.")
    strategy: str | None = Field(description="The strategy it concerns (ID), if any.")
    from_status: str = Field(description="The status before (empty if none).")
    to_status: str = Field(description="The status after (empty if none).")
    note: str = Field(description="The note or comment.")

    @staticmethod
    def resolve_action_label(obj: AssessmentEvent) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_by(obj: AssessmentEvent) -> str | None:
        return _who(obj.by)

    @staticmethod
    def resolve_item(obj: AssessmentEvent) -> str | None:
        return obj.item.code if obj.item_id else None

    @staticmethod
    def resolve_strategy(obj: AssessmentEvent) -> str | None:
        return obj.strategy.code if obj.strategy_id else None


class SampleOut(Schema):
    drawn: list[AssessmentOut] = Field(description="The schools' assessments drawn now.")
    sampled_total: int = Field(description="How many of the cycle's schools are drawn in all.")


# --- plans --------------------------------------------------------------------------------


class PlanOut(Schema):
    public_id: UUID = Field(description="The plan's id.")
    title: str = Field(description="Title.")
    horizon: Plan.Horizon = Field(description="short, mid or long term.")
    starts_on: date | None = Field(description="When it starts.")
    ends_on: date | None = Field(description="When it ends.")
    county: CountyRef = Field(description="The county.")
    school: SchoolRef | None = Field(description="The school; null for the county's own plan.")
    cycle: CycleRef | None = Field(description="The cycle whose results it answers, if any.")
    goal_total: int = Field(description="How many goals it has.")
    action_total: int = Field(description="How many actions it has.")
    done_total: int = Field(description="How many actions are done.")
    overdue_total: int = Field(description="Actions not done or cancelled, past their end date.")
    can_edit: bool = Field(description="Whether you may change the plan.")
    created_at: datetime = Field(description="When it was created.")

    @staticmethod
    def resolve_can_edit(obj: Plan, context: Any) -> bool:
        from dtss.framework.plan_selectors import can_edit

        user = _user(context)
        return user is not None and can_edit(user, obj)


class StrategyLineOut(Schema):
    code: str = Field(description="The strategy ID.")
    item: str = Field(description="The item's code.")
    stage: Stage = Field(description="D, A or M.")
    text_zh: str = Field(description="The strategy in Chinese.")
    text_en: str = Field(description="The strategy in English.")
    local: bool = Field(description="True for a county's own strategy.")
    status: Response.Status | Literal[""] = Field(
        description="The strategy's status in the org's latest assessment ('' if none)."
    )
    met: bool = Field(description="Whether it meets that assessment's rule.")


class ActionOut(Schema):
    public_id: UUID = Field(description="The action's id.")
    goal: UUID = Field(description="The goal's id.")
    title: str = Field(description="What is to be done.")
    owner: PersonRef | None = Field(description="Who is responsible.")
    starts_on: date | None = Field(description="When it starts.")
    ends_on: date | None = Field(description="When it ends.")
    budget: int | None = Field(description="Budget in NT$.")
    funding: Action.Funding | Literal[""] = Field(description="Where the budget comes from.")
    programme: str = Field(description="The funding programme, if named.")
    success_measure: str = Field(description="How success is measured.")
    progress: int = Field(description="Progress in percent (0–100).")
    status: Action.Status = Field(description="planned, in_progress, done or cancelled.")
    overdue: bool = Field(description="Not done or cancelled, and past its end date.")

    @staticmethod
    def resolve_goal(obj: Action) -> UUID:
        return obj.goal.public_id

    @staticmethod
    def resolve_budget(obj: Action) -> int | None:
        return int(obj.budget) if obj.budget is not None else None

    @staticmethod
    def resolve_overdue(obj: Action) -> bool:
        from dtss.framework.plan_selectors import is_overdue

        return is_overdue(obj, timezone.localdate())


class GoalOut(Schema):
    public_id: UUID = Field(description="The goal's id.")
    plan: UUID = Field(description="The plan's id.")
    title: str = Field(description="The goal.")
    order: int = Field(description="Position in the plan.")
    strategies: list[StrategyLineOut] = Field(
        description="The strategies it works towards, with where each stands now."
    )
    actions: list[ActionOut] = Field(description="Its actions.")


class FundingOut(Schema):
    funding: Action.Funding | Literal[""] = Field(description="The funding source ('' unset).")
    label: str = Field(description="The source in words.")
    total: int = Field(description="Budget from this source in NT$ (cancelled actions left out).")


class PlanDetailOut(PlanOut):
    goals: list[GoalOut] = Field(description="Goals with strategies and actions.")

    @staticmethod
    def resolve_goals(obj: Any) -> list[Any]:
        return obj.goal_views

    budget_total: int = Field(description="Total budget in NT$ (cancelled actions left out).")
    funding: list[FundingOut] = Field(description="Budget per funding source.")
    progress: int = Field(description="Mean progress of the actions not cancelled (%).")
    latest_assessment: UUID | None = Field(
        description="The org's latest assessment, which the strategy statuses come from."
    )


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    school: UUID | None = Field(
        None, description="The school's id, for a school's plan (you must administer it)."
    )
    county: str | None = Field(
        None, description="County code, for the county's own plan (you must be its staff)."
    )
    title: str = Field(min_length=1, max_length=200, description="Title.")
    horizon: Plan.Horizon = Field(Plan.Horizon.SHORT, description="short, mid or long term.")
    starts_on: date | None = Field(None, description="When it starts.")
    ends_on: date | None = Field(None, description="When it ends (not before starts_on).")
    cycle: UUID | None = Field(None, description="Id of a cycle of the same county it answers.")


class PlanFromStepsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=200, description="Title (a default names the cycle).")
    horizon: Plan.Horizon = Field(Plan.Horizon.SHORT, description="short, mid or long term.")


class PlanQuery(Schema):
    q: str = Field("", description="Search in the title.")
    school: str = Field(
        "", description="Only plans of this school (id), or 'county' for counties' own plans."
    )
    horizon: Plan.Horizon | None = Field(None, description="Only plans of this horizon.")
    overdue: bool = Field(False, description="true: only plans with overdue actions.")


class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, description="The goal.")
    strategies: list[str] = Field(
        default_factory=list,
        description="Strategy IDs of the plan's level (S… for a school, L… for the county).",
    )


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, description="What is to be done.")
    owner: UUID | None = Field(
        None, description="Id of the owner: an administrator or teacher of the school."
    )
    starts_on: date | None = Field(None, description="When it starts.")
    ends_on: date | None = Field(None, description="When it ends (not before starts_on).")
    budget: int | None = Field(None, ge=0, description="Budget in NT$.")
    funding: Action.Funding | Literal[""] = Field("", description="Source of the budget.")
    programme: str = Field("", max_length=200, description="For programme funding: its name.")
    success_measure: str = Field("", max_length=300, description="How success is measured.")
    progress: int = Field(0, ge=0, le=100, description="Progress in percent.")
    status: Action.Status = Field(Action.Status.PLANNED, description="The status.")


class ActionPatch(Schema):
    """Only the fields sent are changed; owner, dates and budget may be null to clear them."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300, description="Title.")
    owner: UUID | None = Field(None, description="Id of the owner; null clears it.")
    starts_on: date | None = Field(None, description="Start; null clears it.")
    ends_on: date | None = Field(None, description="End; null clears it.")
    budget: int | None = Field(None, ge=0, description="Budget in NT$; null clears it.")
    funding: Action.Funding | Literal[""] | None = Field(None, description="Source of budget.")
    programme: str | None = Field(None, max_length=200, description="Funding programme.")
    success_measure: str | None = Field(None, max_length=300, description="Success measure.")
    progress: int | None = Field(None, ge=0, le=100, description="Progress in percent.")
    status: Action.Status | None = Field(None, description="Status (done sets progress 100).")

    @field_validator(
        "title", "funding", "programme", "success_measure", "progress", "status", mode="before"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


# --- cases --------------------------------------------------------------------------------


class CaseOut(Schema):
    public_id: UUID = Field(description="The case's id.")
    title: str = Field(description="Title.")
    summary: str = Field(description="What was done and how it went.")
    subject: str = Field(description="Subject or domain, if any.")
    tags: list[str] = Field(description="Tags.")
    item: str = Field(description="The item's code.")
    strategy: str | None = Field(description="The strategy ID, if known.")
    stage: Stage = Field(description="The strategy's stage.")
    county: CountyRef = Field(description="The county.")
    school: SchoolRef | None = Field(description="The school; null for the county's own.")
    published_at: datetime = Field(description="When it was published.")
    can_edit: bool = Field(description="Whether you may change or withdraw it.")

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return obj.tag_list

    @staticmethod
    def resolve_item(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_strategy(obj: Any) -> str | None:
        return obj.strategy.code if obj.strategy_id else None

    @staticmethod
    def resolve_can_edit(obj: Any, context: Any) -> bool:
        from dtss.framework.plan_selectors import can_edit

        user = _user(context)
        return user is not None and can_edit(user, obj)


class CaseEvidenceOut(Schema):
    kind: Evidence.Kind = Field(description="file, link, text or indicator.")
    title: str = Field(description="Title.")
    url: str = Field(description="For a link: the address.")
    text: str = Field(description="For a text: the text.")
    download_url: str | None = Field(
        description="For a file: where to download it; null outside the evidence's own "
        "school or county."
    )
    file_url: str | None = Field(
        description="For a file: where to download it through this API (token or session); "
        "null outside the evidence's own school or county."
    )


class CaseDetailOut(CaseOut):
    evidence: CaseEvidenceOut | None = Field(description="The evidence it was published from.")

    @staticmethod
    def resolve_evidence(obj: Any) -> Any:
        return obj.evidence_out


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="Title.")
    summary: str = Field(min_length=1, description="What was done and how it went.")
    tags: list[str] = Field(default_factory=list, description="Tags, e.g. 因材網, 平板.")
    subject: str = Field("", max_length=60, description="Subject or domain.")


class CasePatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200, description="Title.")
    summary: str | None = Field(None, min_length=1, description="What was done and how.")
    tags: list[str] | None = Field(None, description="Tags (replace the old ones).")
    subject: str | None = Field(None, max_length=60, description="Subject or domain.")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


class CaseQuery(Schema):
    q: str = Field("", description="Words to find in title, summary, tags, subject or IDs.")
    item: str = Field("", description="An item code (S2) or a strategy ID (S2.M3).")
    stage: Stage | None = Field(None, description="Only cases of this stage.")
    school_stage: School.Stage | None = Field(None, description="Only cases of such schools.")
    subject: str = Field("", description="Only cases of this subject.")
