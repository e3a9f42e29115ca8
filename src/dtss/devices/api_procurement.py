"""API of the devices module: needs collections and procurement plans (L3.D1, L3.A3, S1.D2).

The same rules as the pages (`procurement_views.py`): the county office (administrators and
staff) runs collections and plans; a school's administrators fill and submit their school's
needs and record arrivals for their school; teachers, students and parents get 403; another
county's or school's object is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import scope_for
from dtss.devices import procurement_selectors as sel
from dtss.devices import procurement_services as svc
from dtss.devices.models import (
    NeedLine,
    NeedsCollection,
    NeedSubmission,
    ProcurementAllocation,
    ProcurementLine,
    ProcurementPlan,
)
from dtss.orgs.models import County, School

router = Router(tags=["devices"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class CollectionOut(Schema):
    public_id: UUID = Field(description="The collection's id.")
    county: str = Field(description="The county's code.")
    title: str = Field(description="The title.")
    instructions: str = Field(description="What the county asks schools to consider.")
    kinds: list[str] = Field(description="Kinds of device asked for; empty for every kind.")
    opens_on: dt.date = Field(description="The first day.")
    closes_on: dt.date = Field(description="The last day schools may submit.")
    status: str = Field(description="draft (county only), open or closed.")


class CollectionIn(Schema):
    title: str = Field(description="The title.")
    instructions: str = Field("", description="What schools should consider.")
    kinds: list[str] = Field(
        default_factory=list, description="Kinds asked for (tablet, laptop …); empty: every kind."
    )
    opens_on: dt.date = Field(description="The first day.")
    closes_on: dt.date = Field(description="The last day (not before opens_on).")
    county: str | None = Field(
        None, description="The county's code; only needed by a superuser or a multi-county user."
    )


class CollectionPatch(Schema):
    title: str | None = Field(None, description="The title.")
    instructions: str | None = Field(None, description="What schools should consider.")
    kinds: list[str] | None = Field(None, description="Kinds asked for; empty: every kind.")
    opens_on: dt.date | None = Field(None, description="The first day.")
    closes_on: dt.date | None = Field(None, description="The last day (not before opens_on).")


class SchoolStatusOut(Schema):
    school: str = Field(description="The school's MOE code.")
    school_name: str = Field(description="The school's name.")
    submission: UUID | None = Field(description="The submission's id (null: not started).")
    status: str = Field(description="not_started, draft, submitted or returned.")
    quantities: dict[str, int] = Field(description="Quantity asked for by kind.")
    quantity: int = Field(description="Total quantity asked for.")
    budget: int = Field(description="Estimated budget (NT$) of the lines with a unit cost.")


class NeedLineOut(Schema):
    public_id: UUID = Field(description="The need's id.")
    kind: str = Field(description="The kind of item.")
    description: str = Field(description="A description.")
    quantity: int = Field(description="How many.")
    unit_cost: int | None = Field(description="Estimated unit cost (NT$), if given.")
    priority: int = Field(description="1 high, 2 medium, 3 low.")
    justification: str = Field(description="Why the school needs it.")


class FactsOut(Schema):
    students: int = Field(description="Students of the school.")
    student_devices: int = Field(description="Tablets, laptops and Chromebooks in use.")
    per_student: float | None = Field(description="Student devices per student.")
    warranty_ended: int = Field(description="Devices in use whose warranty has ended.")


class SubmissionOut(Schema):
    public_id: UUID = Field(description="The submission's id.")
    collection: UUID = Field(description="The collection's id.")
    school: str = Field(description="The school's MOE code.")
    school_name: str = Field(description="The school's name.")
    status: str = Field(description="draft, submitted or returned.")
    submitted_at: dt.datetime | None = Field(description="When it was last submitted.")
    county_comment: str = Field(description="The county's comment when it returned it.")
    lines: list[NeedLineOut] = Field(description="The needs.")
    facts: FactsOut = Field(description="The school's current facts from the register.")


class SubmissionStartIn(Schema):
    school: str | None = Field(
        None,
        description="The school's MOE code; may be left out by an administrator of one school.",
    )


class NeedLineIn(Schema):
    kind: str = Field(description="One of the kinds the collection asks for.")
    description: str = Field("", description="A description.")
    quantity: int = Field(description="How many (at least 1).")
    unit_cost: int | None = Field(None, description="Estimated unit cost (NT$).")
    priority: int = Field(2, description="1 high, 2 medium, 3 low.")
    justification: str = Field(description="Why the school needs it (required).")


class NeedLinePatch(Schema):
    kind: str | None = Field(None, description="One of the kinds the collection asks for.")
    description: str | None = Field(None, description="A description.")
    quantity: int | None = Field(None, description="How many (at least 1).")
    unit_cost: int | None = Field(None, description="Estimated unit cost (NT$).")
    priority: int | None = Field(None, description="1 high, 2 medium, 3 low.")
    justification: str | None = Field(None, description="Why the school needs it.")


class ReturnIn(Schema):
    comment: str = Field(description="What the school should change (required).")


class AllocationOut(Schema):
    public_id: UUID = Field(description="The allocation's id (receive items against it).")
    school: str = Field(description="The school's MOE code.")
    school_name: str = Field(description="The school's name.")
    quantity: int = Field(description="How many go to the school.")
    received: int = Field(description="How many have arrived.")


class PlanLineOut(Schema):
    public_id: UUID = Field(description="The line's id.")
    kind: str = Field(description="The kind of item.")
    description: str = Field(description="The specification (the model of received devices).")
    quantity: int = Field(description="How many.")
    unit_cost: int = Field(description="Unit cost (NT$).")
    budget: int = Field(description="quantity × unit cost (NT$).")
    funding_source: str = Field(description="central, county, school, donation or other.")
    programme: str = Field(description="The programme, e.g. 生生用平板.")
    warranty_months: int = Field(description="Warranty from the receipt date, in months.")
    allocations: list[AllocationOut] = Field(description="The schools' shares you may see.")


class FundingOut(Schema):
    source: str = Field(description="The funding source.")
    budget: int = Field(description="Its budget (NT$).")


class PlanOut(Schema):
    public_id: UUID = Field(description="The plan's id.")
    county: str = Field(description="The county's code.")
    title: str = Field(description="The title.")
    fiscal_year: int | None = Field(description="The ROC fiscal year.")
    status: str = Field(description="draft, approved, ordered or completed.")
    collection: UUID | None = Field(description="The needs collection it came from.")
    notes: str = Field(description="Notes.")


class PlanDetailOut(PlanOut):
    lines: list[PlanLineOut] = Field(description="The lines with their allocations.")
    by_funding: list[FundingOut] = Field(description="Budget by funding source.")
    total_budget: int = Field(description="The plan's budget (NT$).")


class PlanIn(Schema):
    title: str = Field(description="The title.")
    fiscal_year: int | None = Field(None, description="The ROC fiscal year.")
    notes: str = Field("", description="Notes.")
    collection: UUID | None = Field(
        None,
        description="Consolidate the submitted needs of this collection into the first lines.",
    )
    county: str | None = Field(
        None, description="The county's code; only needed by a superuser or a multi-county user."
    )


class AllocationIn(Schema):
    school: str = Field(description="The school's MOE code.")
    quantity: int = Field(description="How many go to the school (0 removes it).")


class PlanLineIn(Schema):
    kind: str = Field(description="The kind of item.")
    description: str = Field("", description="The specification.")
    quantity: int = Field(description="How many (at least 1).")
    unit_cost: int = Field(description="Unit cost (NT$).")
    funding_source: str = Field("central", description="central, county, school, donation, other.")
    programme: str = Field("", description="The programme, e.g. 生生用平板.")
    warranty_months: int = Field(36, description="Warranty from the receipt date, in months.")
    allocations: list[AllocationIn] = Field(description="The schools' shares (sum = quantity).")


class PlanLinePatch(Schema):
    kind: str | None = Field(None, description="The kind of item.")
    description: str | None = Field(None, description="The specification.")
    quantity: int | None = Field(None, description="How many.")
    unit_cost: int | None = Field(None, description="Unit cost (NT$).")
    funding_source: str | None = Field(None, description="The funding source.")
    programme: str | None = Field(None, description="The programme.")
    warranty_months: int | None = Field(None, description="Warranty in months.")
    allocations: list[AllocationIn] | None = Field(
        None, description="The schools' shares (sum = quantity); schools left out keep theirs."
    )


class ReceiveItemIn(Schema):
    serial: str = Field(description="The serial number (unique in the county).")
    asset_tag: str = Field("", description="The asset tag; empty: one is made.")


class ReceiveIn(Schema):
    items: list[ReceiveItemIn] = Field(description="The items that arrived.")
    received_on: dt.date | None = Field(None, description="Receipt date (default today).")


class DeviceRefOut(Schema):
    public_id: UUID = Field(description="The new device's id.")
    asset_tag: str = Field(description="Its asset tag.")
    serial: str = Field(description="Its serial number.")


class ReceiveOut(Schema):
    allocation: AllocationOut = Field(description="The allocation after receiving.")
    plan_status: str = Field(description="The plan's status (completed when all arrived).")
    devices: list[DeviceRefOut] = Field(description="The devices entered into the register.")


# --------------------------------------------------------------------------- helpers


def _collection(c: NeedsCollection) -> dict[str, Any]:
    return {
        "public_id": c.public_id,
        "county": c.county.code,
        "title": c.title,
        "instructions": c.instructions,
        "kinds": list(c.kinds or []),
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "status": c.status,
    }


def _need(line: NeedLine) -> dict[str, Any]:
    return {
        "public_id": line.public_id,
        "kind": line.kind,
        "description": line.description,
        "quantity": line.quantity,
        "unit_cost": int(line.unit_cost) if line.unit_cost is not None else None,
        "priority": line.priority,
        "justification": line.justification,
    }


def _submission(sub: NeedSubmission) -> dict[str, Any]:
    from django.utils import timezone

    facts = sel.school_facts(school=sub.school, today=timezone.localdate())
    return {
        "public_id": sub.public_id,
        "collection": sub.collection.public_id,
        "school": sub.school.code,
        "school_name": sub.school.name,
        "status": sub.status,
        "submitted_at": sub.submitted_at,
        "county_comment": sub.county_comment,
        "lines": [_need(line) for line in sub.lines.all()],
        "facts": {
            "students": facts.students,
            "student_devices": facts.student_devices,
            "per_student": facts.per_student,
            "warranty_ended": facts.warranty_ended,
        },
    }


def _allocation(a: ProcurementAllocation) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "school": a.school.code,
        "school_name": a.school.name,
        "quantity": a.quantity,
        "received": a.received,
    }


def _plan(p: ProcurementPlan) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "county": p.county.code,
        "title": p.title,
        "fiscal_year": p.fiscal_year,
        "status": p.status,
        "collection": p.collection.public_id if p.collection_id else None,
        "notes": p.notes,
    }


def _plan_detail(request: HttpRequest, p: ProcurementPlan) -> dict[str, Any]:
    summary = sel.plan_summary(plan=p, user=request.user)
    return {
        **_plan(p),
        "lines": [
            {
                "public_id": line.public_id,
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "unit_cost": int(line.unit_cost),
                "budget": line.budget,
                "funding_source": line.funding_source,
                "programme": line.programme,
                "warranty_months": line.warranty_months,
                "allocations": [_allocation(a) for a in line.allocation_list],  # type: ignore[attr-defined]
            }
            for line in summary.lines
        ],
        "by_funding": [{"source": f["source"], "budget": f["budget"]} for f in summary.by_funding],
        "total_budget": summary.total_budget,
    }


def _own_county(request: HttpRequest, code: str | None) -> County:
    """The county a new object belongs to: the caller's (named by `code` when ambiguous)."""
    scope = sel.require_user(request.user)
    if not sel.is_county_office(scope):
        raise PermissionDenied(_("Only the county office may do this."))
    qs = County.objects.all() if scope.superuser else County.objects.filter(pk__in=scope.county_ids)
    if code:
        return ref_or_422(qs, "county", code=code)
    if qs.count() != 1:
        raise ValidationError({"county": _("Name the county.")})
    return qs.get()


def _allocations(plan: ProcurementPlan, rows: list[AllocationIn]) -> dict[School, int]:
    schools = School.objects.filter(county_id=plan.county_id)
    out: dict[School, int] = {}
    for i, row in enumerate(rows):
        school = ref_or_422(schools, f"allocations.{i}.school", code=row.school)
        out[school] = row.quantity
    return out


# --------------------------------------------------------------------------- collections


@router.get(
    "/needs-collections",
    response=responses({200: list[CollectionOut]}, 403, 422),
    summary="Needs collections",
    description=(
        "The county's needs collections, newest first, paged: every one for the county office, "
        "open and closed ones for school administrators. Teachers, students, parents: 403."
    ),
)
@paged
def needs_collection_list(request: HttpRequest) -> Any:
    return [_collection(c) for c in sel.collections_for(request.user)]


@router.post(
    "/needs-collections",
    response=responses({201: CollectionOut}, 403, 422),
    summary="Start a needs collection",
    description=(
        "A draft collection of the caller's county (county office only; others 403). "
        "422 names each bad field (e.g. closes_on before opens_on, an unknown kind)."
    ),
)
def needs_collection_create(request: HttpRequest, data: CollectionIn) -> Any:
    county = _own_county(request, data.county)
    c = svc.collection_create(
        county=county,
        actor=request.user,
        request=request,
        **data.dict(exclude={"county"}),
    )
    return Status(201, _collection(c))


@router.get(
    "/needs-collections/{public_id}",
    response=responses({200: CollectionOut}, 403, 404),
    summary="One needs collection",
    description="A draft is visible to the county office only (404 for schools).",
)
def needs_collection_detail(request: HttpRequest, public_id: PublicId) -> Any:
    return _collection(sel.collection_or_404(request.user, public_id))


@router.patch(
    "/needs-collections/{public_id}",
    response=responses({200: CollectionOut}, 403, 404, 422),
    summary="Change a needs collection",
    description="County office only (school administrators: 403). A closed one cannot change.",
)
def needs_collection_update(
    request: HttpRequest, public_id: PublicId, data: CollectionPatch
) -> Any:
    c = sel.collection_or_404(request.user, public_id)
    sel.require_county(request.user, c.county_id)
    c = svc.collection_update(
        collection=c, actor=request.user, request=request, **data.dict(exclude_unset=True)
    )
    return _collection(c)


@router.post(
    "/needs-collections/{public_id}/open",
    response=responses({200: CollectionOut}, 403, 404, 422),
    summary="Open a needs collection to the schools",
    description="County office only. 422 when it is already open or its closing date passed.",
)
def needs_collection_open(request: HttpRequest, public_id: PublicId) -> Any:
    c = sel.collection_or_404(request.user, public_id)
    sel.require_county(request.user, c.county_id)
    return _collection(svc.collection_open(collection=c, actor=request.user, request=request))


@router.post(
    "/needs-collections/{public_id}/close",
    response=responses({200: CollectionOut}, 403, 404, 422),
    summary="Close a needs collection",
    description="County office only; schools can no longer change or submit their needs.",
)
def needs_collection_close(request: HttpRequest, public_id: PublicId) -> Any:
    c = sel.collection_or_404(request.user, public_id)
    sel.require_county(request.user, c.county_id)
    return _collection(svc.collection_close(collection=c, actor=request.user, request=request))


@router.get(
    "/needs-collections/{public_id}/submissions",
    response=responses({200: list[SchoolStatusOut]}, 403, 404, 422),
    summary="Every school's answer to a collection",
    description=(
        "One row per school of the county (by code) with its status and needs by kind, paged. "
        "A school administrator gets only their own schools' rows."
    ),
)
@paged
def needs_collection_submissions(request: HttpRequest, public_id: PublicId) -> Any:
    c = sel.collection_or_404(request.user, public_id)
    scope = scope_for(request.user)
    rows = sel.collection_overview(collection=c).rows
    if not (sel.is_county_office(scope) or scope.everything):
        rows = [r for r in rows if r.school.pk in scope.admin_school_ids]
    return [
        {
            "school": r.school.code,
            "school_name": r.school.name,
            "submission": r.submission.public_id if r.submission else None,
            "status": r.status,
            "quantities": r.quantities,
            "quantity": r.quantity,
            "budget": r.budget,
        }
        for r in rows
    ]


@router.post(
    "/needs-collections/{public_id}/submissions",
    response=responses({200: SubmissionOut}, 403, 404, 422),
    summary="Start (or fetch) a school's submission",
    description=(
        "The school's submission to the collection, created as a draft when there is none "
        "(the collection must be open) or returned as it is. For the school's administrators "
        "(county office: 403)."
    ),
)
def need_submission_start(
    request: HttpRequest, public_id: PublicId, data: SubmissionStartIn
) -> Any:
    c = sel.collection_or_404(request.user, public_id)
    schools = sel.schools_filled_by(request.user, c)
    if not schools.exists():
        raise PermissionDenied(_("Only the school's administrators fill its needs."))
    if data.school:
        school = ref_or_422(schools, "school", code=data.school)
    elif schools.count() == 1:
        school = schools.get()
    else:
        raise ValidationError({"school": _("Name the school.")})
    sub = svc.submission_get_or_create(
        collection=c, school=school, actor=request.user, request=request
    )
    return _submission(sub)


def _fillable(request: HttpRequest, sub: NeedSubmission) -> None:
    if not sel.may_fill(scope_for(request.user), sub.school):
        raise PermissionDenied(_("Only the school's administrators fill its needs."))


@router.get(
    "/need-submissions/{public_id}",
    response=responses({200: SubmissionOut}, 403, 404),
    summary="One school's needs",
    description=(
        "The lines, status, the county's comment and the school's facts from the register. "
        "The county office and the school's administrators; other schools: 404."
    ),
)
def need_submission_detail(request: HttpRequest, public_id: PublicId) -> Any:
    return _submission(sel.submission_or_404(request.user, public_id))


@router.post(
    "/need-submissions/{public_id}/lines",
    response=responses({201: NeedLineOut}, 403, 404, 422),
    summary="Add a need",
    description=(
        "For the school's administrators while the collection is open and the submission is a "
        "draft or returned. 422: a kind not asked for, quantity below 1, no justification."
    ),
)
def need_line_add(request: HttpRequest, public_id: PublicId, data: NeedLineIn) -> Any:
    sub = sel.submission_or_404(request.user, public_id)
    _fillable(request, sub)
    line = svc.need_line_add(submission=sub, actor=request.user, request=request, **data.dict())
    return Status(201, _need(line))


@router.patch(
    "/need-lines/{public_id}",
    response=responses({200: NeedLineOut}, 403, 404, 422),
    summary="Change a need",
    description="The same rules as adding one.",
)
def need_line_update(request: HttpRequest, public_id: PublicId, data: NeedLinePatch) -> Any:
    line = sel.line_or_404(request.user, public_id)
    _fillable(request, line.submission)
    line = svc.need_line_update(
        line=line, actor=request.user, request=request, **data.dict(exclude_unset=True)
    )
    return _need(line)


@router.delete(
    "/need-lines/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    summary="Delete a need",
    description="The same rules as adding one.",
)
def need_line_delete(request: HttpRequest, public_id: PublicId) -> Any:
    line = sel.line_or_404(request.user, public_id)
    _fillable(request, line.submission)
    svc.need_line_delete(line=line, actor=request.user, request=request)
    return Status(204, None)


@router.post(
    "/need-submissions/{public_id}/submit",
    response=responses({200: SubmissionOut}, 403, 404, 422),
    summary="Submit a school's needs",
    description=(
        "For the school's administrators: needs at least one line, the collection open and "
        "not past its closing date. Afterwards only the county can return it for changes."
    ),
)
def need_submission_submit(request: HttpRequest, public_id: PublicId) -> Any:
    sub = sel.submission_or_404(request.user, public_id)
    _fillable(request, sub)
    sub = svc.submission_submit(submission=sub, actor=request.user, request=request)
    return _submission(sub)


@router.post(
    "/need-submissions/{public_id}/return",
    response=responses({200: SubmissionOut}, 403, 404, 422),
    summary="Return a school's needs for changes",
    description="County office only, with a comment; the submission must be submitted.",
)
def need_submission_return(request: HttpRequest, public_id: PublicId, data: ReturnIn) -> Any:
    sub = sel.submission_or_404(request.user, public_id)
    sel.require_county(request.user, sub.county_id)
    sub = svc.submission_return(
        submission=sub, comment=data.comment, actor=request.user, request=request
    )
    return _submission(sub)


# --------------------------------------------------------------------------- plans


@router.get(
    "/procurement-plans",
    response=responses({200: list[PlanOut]}, 403, 422),
    summary="Procurement plans",
    description=(
        "Newest first, paged: every plan for the county office; approved plans allocating to "
        "their school for school administrators. Teachers, students, parents: 403."
    ),
)
@paged
def procurement_plan_list(request: HttpRequest) -> Any:
    return [_plan(p) for p in sel.plans_for(request.user)]


@router.post(
    "/procurement-plans",
    response=responses({201: PlanDetailOut}, 403, 422),
    summary="Make a procurement plan",
    description=(
        "A draft plan of the caller's county (county office only). With `collection`, one line "
        "per kind consolidates the submitted needs (total quantity, average estimated unit "
        "cost) with each school's share allocated."
    ),
)
def procurement_plan_create(request: HttpRequest, data: PlanIn) -> Any:
    county = _own_county(request, data.county)
    collection = None
    if data.collection:
        collection = ref_or_422(
            sel.collections_for_plan(request.user).filter(county=county),
            "collection",
            public_id=data.collection,
        )
    plan = svc.plan_create(
        county=county,
        title=data.title,
        fiscal_year=data.fiscal_year,
        notes=data.notes,
        collection=collection,
        actor=request.user,
        request=request,
    )
    return Status(201, _plan_detail(request, plan))


@router.get(
    "/procurement-plans/{public_id}",
    response=responses({200: PlanDetailOut}, 403, 404),
    summary="One procurement plan",
    description=(
        "Lines, allocations (a school administrator sees only their schools'), budget by "
        "funding source. Drafts: county office only."
    ),
)
def procurement_plan_detail(request: HttpRequest, public_id: PublicId) -> Any:
    return _plan_detail(request, sel.plan_or_404(request.user, public_id))


@router.post(
    "/procurement-plans/{public_id}/lines",
    response=responses({201: PlanDetailOut}, 403, 404, 422),
    summary="Add a line to a draft plan",
    description="County office only. The allocations must add up to the quantity (422 otherwise).",
)
def procurement_line_add(request: HttpRequest, public_id: PublicId, data: PlanLineIn) -> Any:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    svc.plan_line_add(
        plan=plan,
        allocations=_allocations(plan, data.allocations),
        actor=request.user,
        request=request,
        **data.dict(exclude={"allocations"}),
    )
    return Status(201, _plan_detail(request, plan))


@router.patch(
    "/procurement-lines/{public_id}",
    response=responses({200: PlanDetailOut}, 403, 404, 422),
    summary="Change a line of a draft plan",
    description=(
        "County office only: quantity, unit cost, funding source, programme, warranty, and the "
        "schools' allocations, which must still add up to the quantity (422 naming the line)."
    ),
)
def procurement_line_update(request: HttpRequest, public_id: PublicId, data: PlanLinePatch) -> Any:
    line: ProcurementLine = sel.plan_line_or_404(request.user, public_id)
    plan = line.plan
    sel.require_county(request.user, plan.county_id)
    values = data.dict(exclude_unset=True, exclude={"allocations"})
    allocations = _allocations(plan, data.allocations) if data.allocations is not None else None
    svc.plan_line_update(
        line=line, allocations=allocations, actor=request.user, request=request, **values
    )
    return _plan_detail(request, plan)


@router.post(
    "/procurement-plans/{public_id}/approve",
    response=responses({200: PlanDetailOut}, 403, 404, 422),
    summary="Approve a plan",
    description=(
        "County office only. Every line must be fully allocated (422 lists the lines that are "
        "not); afterwards the plan no longer changes and items can be received."
    ),
)
def procurement_plan_approve(request: HttpRequest, public_id: PublicId) -> Any:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    plan = svc.plan_approve(plan=plan, actor=request.user, request=request)
    return _plan_detail(request, plan)


@router.post(
    "/procurement-plans/{public_id}/ordered",
    response=responses({200: PlanDetailOut}, 403, 404, 422),
    summary="Mark a plan as ordered",
    description="County office only; the plan must be approved.",
)
def procurement_plan_ordered(request: HttpRequest, public_id: PublicId) -> Any:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    plan = svc.plan_mark_ordered(plan=plan, actor=request.user, request=request)
    return _plan_detail(request, plan)


@router.post(
    "/allocations/{public_id}/receive",
    response=responses({200: ReceiveOut}, 403, 404, 422),
    summary="Receive items for a school's allocation",
    description=(
        "For the county office or the receiving school's administrators, while the plan is "
        "approved or ordered. Each item becomes a device of the school (kind, model, funding, "
        "programme, cost and warranty from the line); without an asset tag one is made as "
        "`<school code>-<YYYY>-<nnnn>`. All or nothing: a missing, repeated or already "
        "registered serial or tag, or more items than still due, is a 422 naming the item."
    ),
)
def allocation_receive(request: HttpRequest, public_id: PublicId, data: ReceiveIn) -> Any:
    alloc = sel.allocation_or_404(request.user, public_id)
    if not sel.may_receive(scope_for(request.user), alloc):
        raise PermissionDenied(_("Only the county office or the school records arrivals."))
    items = [
        svc.Item(row=i, serial=it.serial.strip(), asset_tag=it.asset_tag.strip())
        for i, it in enumerate(data.items, start=1)
    ]
    devices = svc.allocation_receive(
        allocation=alloc,
        items=items,
        received_on=data.received_on,
        actor=request.user,
        request=request,
    )
    alloc.refresh_from_db()
    plan = alloc.line.plan
    plan.refresh_from_db()
    return {
        "allocation": _allocation(alloc),
        "plan_status": plan.status,
        "devices": [
            {"public_id": d.public_id, "asset_tag": d.asset_tag, "serial": d.serial}
            for d in devices
        ],
    }
