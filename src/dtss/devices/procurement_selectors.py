"""Reads of needs collections and procurement plans (L3.D1, L3.A3, S1.D2).

Who may use this part at all: the county's office (administrators and staff) and school
administrators; the MOE viewer reads. Teachers, students and parents get 403
(`require_user`). Everything else starts from `Model.objects.visible_to(user)`:

- a needs collection: the county's office; school administrators of the county once it is
  open (never a draft);
- a school's submission and its lines: the county's office, and that school's administrators;
- a procurement plan: the county's office; school administrators once it is approved and
  allocates something to their school.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dtss.core.tenancy import Scope, get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices.models import (
    STUDENT_DEVICE_KINDS,
    Device,
    DeviceKind,
    NeedLine,
    NeedsCollection,
    NeedSubmission,
    ProcurementAllocation,
    ProcurementLine,
    ProcurementPlan,
)
from dtss.orgs.models import Enrollment, School

GONE = (Device.Status.RETIRED, Device.Status.LOST)


# --------------------------------------------------------------------------- who


def require_user(user: Any) -> Scope:
    """The county's office, school administrators and the MOE viewer; 403 for every other
    role (teachers, students, parents, accounts without a role)."""
    scope = scope_for(user)
    if not (scope.superuser or scope.everything or scope.county_ids or scope.admin_school_ids):
        raise PermissionDenied(_("Only the county office and school administrators may use this."))
    return scope


def is_county_office(scope: Scope) -> bool:
    return scope.superuser or bool(scope.county_ids)


def require_county(user: Any, county_id: int) -> Scope:
    """The county's office (administrators and staff): 403 for anyone else who sees it."""
    scope = require_user(user)
    if not access.may_manage_county(scope, county_id=county_id):
        raise PermissionDenied(_("Only the county office may change this."))
    return scope


def may_fill(scope: Scope, school: School) -> bool:
    """Whether the scope fills this school's submission: its administrators only."""
    return scope.superuser or school.pk in scope.admin_school_ids


def may_receive(scope: Scope, allocation: ProcurementAllocation) -> bool:
    return access.may_manage_school(
        scope, school_id=allocation.school_id, county_id=allocation.county_id
    )


# --------------------------------------------------------------------------- collections


def collections_for(user: Any) -> QuerySet[NeedsCollection]:
    require_user(user)
    return NeedsCollection.objects.visible_to(user).select_related("county")


def collection_or_404(user: Any, public_id: Any) -> NeedsCollection:
    require_user(user)
    return get_visible_or_404(NeedsCollection, user, public_id)


def kinds_of(collection: NeedsCollection) -> list[tuple[str, str]]:
    """The kinds the collection asks for (every kind when it names none), as choices."""
    wanted = set(collection.kinds or [])
    return [(v, str(label)) for v, label in DeviceKind.choices if not wanted or v in wanted]


def is_accepting(collection: NeedsCollection, today: dt.date) -> bool:
    """Whether schools may still change and submit their needs."""
    return collection.status == NeedsCollection.Status.OPEN and today <= collection.closes_on


def schools_filled_by(user: Any, collection: NeedsCollection) -> QuerySet[School]:
    """The schools of the collection's county whose needs the user fills."""
    scope = scope_for(user)
    qs = School.objects.filter(county_id=collection.county_id, active=True)
    if scope.superuser:
        return qs
    return qs.filter(pk__in=scope.admin_school_ids)


def school_for_submission(user: Any, collection: NeedsCollection, school_ref: str) -> School:
    """The school whose submission the page shows: `school_ref` (a public id) for the county
    office; the user's own school for a school administrator. 404 outside the scope."""
    scope = scope_for(user)
    county = is_county_office(scope) or scope.everything
    qs = School.objects.filter(county_id=collection.county_id)
    if school_ref:
        school = qs.filter(public_id=school_ref).first() if _is_uuid(school_ref) else None
        if school is not None and (county or school.pk in scope.admin_school_ids):
            return school
        raise Http404
    own = list(qs.filter(pk__in=scope.admin_school_ids)[:1])
    if own:
        return own[0]
    raise Http404


def submission_of(collection: NeedsCollection, school: School) -> NeedSubmission | None:
    return NeedSubmission.objects.filter(collection=collection, school=school).first()


def submission_or_404(user: Any, public_id: Any) -> NeedSubmission:
    require_user(user)
    sub = get_visible_or_404(NeedSubmission, user, public_id)
    scope = scope_for(user)
    # teachers of the school see its rows through the generic rule; not here
    if not (scope.superuser or scope.everything or scope.county_ids or may_fill(scope, sub.school)):
        raise Http404
    return sub


def line_or_404(user: Any, public_id: Any) -> NeedLine:
    require_user(user)
    line = get_visible_or_404(NeedLine, user, public_id)
    submission_or_404(user, line.submission.public_id)
    return line


@dataclass
class Facts:
    """A school's current facts to justify its needs from, computed from the register."""

    students: int
    student_devices: int
    per_student: float | None
    warranty_ended: int
    by_kind: dict[str, int] = field(default_factory=dict)


def school_facts(*, school: School, today: dt.date) -> Facts:
    students = school.student_count
    if not students:
        latest = (
            Enrollment.objects.filter(school=school)
            .aggregate(term=Max("school_class__term_id"))
            .get("term")
        )
        if latest is not None:
            students = (
                Enrollment.objects.filter(school=school, school_class__term_id=latest)
                .values("student_id")
                .distinct()
                .count()
            )
    live = Device.objects.filter(school=school).exclude(status__in=GONE)
    by_kind = dict(live.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    student_devices = sum(by_kind.get(k, 0) for k in STUDENT_DEVICE_KINDS)
    return Facts(
        students=students or 0,
        student_devices=student_devices,
        per_student=round(student_devices / students, 2) if students else None,
        warranty_ended=live.filter(warranty_end__lt=today).count(),
        by_kind=by_kind,
    )


def line_budget(line: NeedLine) -> int | None:
    return None if line.unit_cost is None else int(line.quantity * line.unit_cost)


@dataclass
class SchoolRow:
    school: School
    submission: NeedSubmission | None
    status: str  # not_started, draft, submitted, returned
    quantities: dict[str, int]
    cells: list[int]
    quantity: int
    budget: int
    lines: int


@dataclass
class Overview:
    kinds: list[tuple[str, str]]
    rows: list[SchoolRow]
    totals: list[dict[str, Any]]  # per kind: kind, label, quantity, budget (submitted only)
    total_quantity: int
    total_budget: int
    counts: dict[str, int]


STATUS_NOT_STARTED = "not_started"


def status_labels() -> dict[str, str]:
    return {
        STATUS_NOT_STARTED: _("Not started"),
        **{v: str(label) for v, label in NeedSubmission.Status.choices},
    }


def collection_overview(*, collection: NeedsCollection) -> Overview:
    """Every active school of the county with its submission's status and needs by kind;
    totals by kind count submitted needs only (what a plan consolidates)."""
    kinds = kinds_of(collection)
    subs = {s.school_id: s for s in collection.submissions.all()}
    per_school: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    budget_school: dict[int, int] = defaultdict(int)
    lines_school: dict[int, int] = defaultdict(int)
    totals_q: dict[str, int] = defaultdict(int)
    totals_b: dict[str, int] = defaultdict(int)
    for line in NeedLine.objects.filter(submission__collection=collection).select_related(
        "submission"
    ):
        per_school[line.school_id][line.kind] += line.quantity
        budget_school[line.school_id] += line_budget(line) or 0
        lines_school[line.school_id] += 1
        if line.submission.status == NeedSubmission.Status.SUBMITTED:
            totals_q[line.kind] += line.quantity
            totals_b[line.kind] += line_budget(line) or 0
    # a kind dropped from the collection after schools asked for it still shows
    asked = {k for per_kind in per_school.values() for k in per_kind}
    shown = {k for k, _label in kinds}
    kinds += [(k, str(DeviceKind(k).label)) for k in DeviceKind.values if k in asked - shown]
    rows = []
    counts: dict[str, int] = defaultdict(int)
    schools = School.objects.filter(
        Q(county_id=collection.county_id, active=True) | Q(pk__in=list(subs))
    )
    for school in schools.order_by("code"):
        sub = subs.get(school.pk)
        status = sub.status if sub else STATUS_NOT_STARTED
        counts[status] += 1
        q = dict(per_school.get(school.pk, {}))
        rows.append(
            SchoolRow(
                school=school,
                submission=sub,
                status=status,
                quantities=q,
                cells=[q.get(k, 0) for k, _label in kinds],
                quantity=sum(q.values()),
                budget=budget_school.get(school.pk, 0),
                lines=lines_school.get(school.pk, 0),
            )
        )
    totals = [
        {"kind": k, "label": label, "quantity": totals_q.get(k, 0), "budget": totals_b.get(k, 0)}
        for k, label in kinds
    ]
    return Overview(
        kinds=kinds,
        rows=rows,
        totals=totals,
        total_quantity=sum(totals_q.values()),
        total_budget=sum(totals_b.values()),
        counts=dict(counts),
    )


def export_lines(*, collection: NeedsCollection) -> QuerySet[NeedLine]:
    return (
        NeedLine.objects.filter(submission__collection=collection)
        .select_related("school", "submission")
        .order_by("school__code", "priority", "id")
    )


@dataclass
class Proposal:
    kind: str
    quantity: int
    unit_cost: Decimal
    allocations: dict[int, int]  # school id → quantity


def consolidate(*, collection: NeedsCollection) -> list[Proposal]:
    """One line per kind: the total of the submitted needs, the average estimated unit cost
    (weighted by quantity, over the needs that give one), and each school's share."""
    qty: dict[str, int] = defaultdict(int)
    cost_sum: dict[str, Decimal] = defaultdict(Decimal)
    cost_qty: dict[str, int] = defaultdict(int)
    alloc: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in NeedLine.objects.filter(
        submission__collection=collection, submission__status=NeedSubmission.Status.SUBMITTED
    ):
        qty[line.kind] += line.quantity
        alloc[line.kind][line.school_id] += line.quantity
        if line.unit_cost is not None:
            cost_sum[line.kind] += line.unit_cost * line.quantity
            cost_qty[line.kind] += line.quantity
    order = [v for v in DeviceKind.values if v in qty]
    return [
        Proposal(
            kind=k,
            quantity=qty[k],
            unit_cost=(cost_sum[k] / cost_qty[k]).quantize(Decimal("1"))
            if cost_qty[k]
            else Decimal(0),
            allocations=dict(alloc[k]),
        )
        for k in order
    ]


# --------------------------------------------------------------------------- plans


def plans_for(user: Any) -> QuerySet[ProcurementPlan]:
    require_user(user)
    return ProcurementPlan.objects.visible_to(user).select_related("county", "collection")


def plan_or_404(user: Any, public_id: Any) -> ProcurementPlan:
    require_user(user)
    return get_visible_or_404(ProcurementPlan, user, public_id)


def plan_line_or_404(user: Any, public_id: Any) -> ProcurementLine:
    """A line of a plan the user sees (lines carry no school: a school administrator sees
    those of the approved plans allocating to their school)."""
    line = (
        ProcurementLine.objects.filter(plan__in=plans_for(user), public_id=public_id)
        .select_related("plan")
        .first()
        if _is_uuid(public_id)
        else None
    )
    if line is None:
        raise Http404
    return line


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def allocation_or_404(user: Any, public_id: Any) -> ProcurementAllocation:
    require_user(user)
    alloc = get_visible_or_404(ProcurementAllocation, user, public_id)
    plan_or_404(user, alloc.line.plan.public_id)
    scope = scope_for(user)
    if not (scope.superuser or scope.everything or scope.county_ids or may_receive(scope, alloc)):
        raise Http404
    return alloc


@dataclass
class PlanSchool:
    school: School
    allocated: int
    received: int
    budget: int
    allocations: list[ProcurementAllocation]


@dataclass
class PlanSummary:
    lines: list[ProcurementLine]
    by_funding: list[dict[str, Any]]
    schools: list[PlanSchool]
    total_quantity: int
    total_budget: int
    allocated: int
    received: int


def plan_summary(*, plan: ProcurementPlan, user: Any) -> PlanSummary:
    """Lines with their allocations, budget by funding source and by school, and what has
    arrived per school. A school administrator sees only their own schools' allocations."""
    scope = scope_for(user)
    lines = list(plan.lines.all())
    allocs = ProcurementAllocation.objects.filter(line__plan=plan).select_related("school", "line")
    if not (scope.superuser or scope.everything or scope.county_ids):
        allocs = allocs.filter(school_id__in=scope.admin_school_ids)
    by_line: dict[int, list[ProcurementAllocation]] = defaultdict(list)
    by_school: dict[int, PlanSchool] = {}
    for a in allocs.order_by("school__code", "line_id"):
        by_line[a.line_id].append(a)
        row = by_school.setdefault(a.school_id, PlanSchool(a.school, 0, 0, 0, []))
        row.allocated += a.quantity
        row.received += a.received
        row.budget += int(a.quantity * a.line.unit_cost)
        row.allocations.append(a)
    for line in lines:
        line.allocation_list = by_line.get(line.pk, [])  # type: ignore[attr-defined]
        line.allocated_sum = sum(a.quantity for a in line.allocation_list)  # type: ignore[attr-defined]
    funding: dict[str, int] = defaultdict(int)
    for line in lines:
        funding[line.funding_source] += line.budget
    labels = dict(
        (v, str(label)) for v, label in ProcurementLine._meta.get_field("funding_source").choices
    )
    return PlanSummary(
        lines=lines,
        by_funding=[
            {"source": k, "label": labels.get(k, k), "budget": v} for k, v in funding.items()
        ],
        schools=sorted(by_school.values(), key=lambda r: r.school.code),
        total_quantity=sum(line.quantity for line in lines),
        total_budget=sum(line.budget for line in lines),
        allocated=sum(r.allocated for r in by_school.values()),
        received=sum(r.received for r in by_school.values()),
    )


def collections_for_plan(user: Any) -> QuerySet[NeedsCollection]:
    """Collections a plan may be made from: the user's counties', not drafts."""
    scope = scope_for(user)
    qs = NeedsCollection.objects.visible_to(user).exclude(status=NeedsCollection.Status.DRAFT)
    if not scope.superuser:
        qs = qs.filter(county_id__in=scope.county_ids)
    return qs
