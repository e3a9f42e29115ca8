"""API of the devices module: assignments and loans, loaners, loan requests, the priority
queue and equity (support records).

The same rules as the pages (`loan_views.py`): reads start from `visible_to(user)` (students
see their own loans, parents their children's); changes are for the school's administrators
and the county's office (`access.may_manage_school`), 403 for other roles; only a parent or
guardian signs. Support records and the queue are for `access.may_see_equity` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices import equity_selectors as eq_sel
from dtss.devices import equity_services as eq_svc
from dtss.devices import loan_selectors as sel
from dtss.devices import loan_services as svc
from dtss.devices.models import Assignment, Device, LoanRequest, StudentSupport
from dtss.orgs.models import Person, School, SchoolClass

router = Router(tags=["devices"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class AssignmentOut(Schema):
    public_id: UUID = Field(description="The assignment's id.")
    kind: str = Field(description="assign (at school), loan (take-home) or loaner (during repair).")
    status: str = Field(
        description="awaiting (the agreement), active, recalled, returned, cancelled."
    )
    device: UUID = Field(description="The device's id.")
    asset_tag: str = Field(description="The device's asset tag.")
    device_kind: str = Field(description="The kind of device (tablet, laptop, hotspot …).")
    school: UUID = Field(description="The school's id.")
    person: UUID | None = Field(description="The holder's person id (null for a classroom).")
    person_name: str | None = Field(description="The holder's name.")
    school_class: UUID | None = Field(description="The classroom's id (null for a person).")
    starts_on: dt.date = Field(description="From.")
    due_on: dt.date | None = Field(description="Expected return.")
    accessories: str = Field(description="Accessories given with the device.")
    condition_out: str = Field(description="Condition when lent.")
    condition_in: str = Field(description="Condition when returned.")
    agreement_text: str = Field(description="The borrowing agreement as shown to the family.")
    signed_name: str = Field(description="The name typed (or written on paper) by the signer.")
    signed_at: dt.datetime | None = Field(description="When the agreement was signed.")
    signed_on_paper: bool = Field(description="Whether the school recorded a paper signature.")
    recalled_at: dt.datetime | None = Field(description="When the loan was recalled.")
    recall_reason: str = Field(description="Why it was recalled.")
    recall_due_on: dt.date | None = Field(description="The date to return it by after a recall.")
    ended_at: dt.datetime | None = Field(description="When it ended (returned or cancelled).")
    replaces: UUID | None = Field(description="For a loaner: the id of the device in repair.")
    request: UUID | None = Field(description="The loan request it fulfils, if any.")
    overdue: bool = Field(description="Past the expected return, or past the recall date.")


class AssignmentFilters(Schema):
    school: UUID | None = Field(None, description="Only this school's (its public_id).")
    state: Literal["awaiting", "active", "recalled", "overdue", "returned"] | None = Field(
        None, description="awaiting, active, recalled, overdue or returned (incl. cancelled)."
    )
    kind: Literal["assign", "loan", "loaner"] | None = Field(None, description="Only this kind.")
    q: str = Field("", max_length=100, description="Student name or ID, asset tag or serial.")


class AssignmentIn(Schema):
    kind: Literal["assign", "loan"] = Field(
        description="assign (use at school) or loan (take-home: waits for a parent's signature)."
    )
    device: UUID = Field(description="The device's id; it must be in stock at a school.")
    person: UUID | None = Field(None, description="The student (loan) or student/teacher (assign).")
    school_class: UUID | None = Field(None, description="A classroom instead of a person (assign).")
    due_on: dt.date | None = Field(None, description="Expected return (required for a loan).")
    accessories: str = Field("", max_length=200, description="Charger, case …")
    condition_out: str = Field("", max_length=200, description="Condition when given.")
    note: str = Field("", max_length=300, description="A note for the school.")
    request: UUID | None = Field(None, description="The loan request this loan fulfils.")


class SignIn(Schema):
    signed_name: str = Field(
        max_length=100, description="The signer's full name, as the school has it."
    )
    agree: bool = Field(description="I have read and agree (must be true).")


class PaperSignIn(Schema):
    signed_name: str = Field(max_length=100, description="The name on the paper form.")
    signed_on: dt.date | None = Field(None, description="The date on the form (default today).")


class RecallIn(Schema):
    reason: str = Field(max_length=300, description="Why; the family sees it.")
    return_by: dt.date = Field(description="The date to bring it back by.")


class ReturnIn(Schema):
    condition_in: str = Field("", max_length=200, description="Condition when returned.")
    send_for_repair: bool = Field(False, description="Damaged: put the device in repair.")


class CancelIn(Schema):
    reason: str = Field("", max_length=300, description="Why the loan is cancelled.")


class LoanerIn(Schema):
    loaner: UUID = Field(description="The device lent meanwhile (in stock, same school).")
    due_on: dt.date | None = Field(None, description="Expected back from repair.")
    accessories: str = Field("", max_length=200, description="Accessories of the loaner.")
    note: str = Field("", max_length=300, description="What is wrong with the own device.")


class LoanRequestOut(Schema):
    public_id: UUID = Field(description="The request's id.")
    student: UUID = Field(description="The student's person id.")
    student_name: str = Field(description="The student's name.")
    school: UUID = Field(description="The student's school.")
    need: str = Field(description="device, connection or both.")
    reason: str = Field(description="Why, in the requester's words.")
    status: str = Field(description="open, fulfilled, declined or withdrawn.")
    created_at: dt.datetime = Field(description="When it was asked.")
    decided_at: dt.datetime | None = Field(description="When the school decided.")
    decision_note: str = Field(description="The school's note when declining.")


class LoanRequestFilters(Schema):
    school: UUID | None = Field(None, description="Only this school's.")
    status: Literal["open", "fulfilled", "declined", "withdrawn"] | None = Field(
        None, description="Only this status."
    )


class LoanRequestIn(Schema):
    student: UUID = Field(description="The student's person id.")
    need: Literal["device", "connection", "both"] = Field(description="What is needed.")
    reason: str = Field("", max_length=500, description="Why, in plain words.")


class DeclineIn(Schema):
    note: str = Field(max_length=300, description="Why; the family sees it.")


class QueueOut(Schema):
    rank: int = Field(description="1 = first in line.")
    student: UUID = Field(description="The student's person id.")
    student_name: str = Field(description="The student's name.")
    need: str = Field(description="device, connection or both.")
    reasons: list[str] = Field(description="Why, in plain language (confidential).")
    request: UUID | None = Field(description="The waiting request, if any.")


class SupportOut(Schema):
    student: UUID = Field(description="The student's person id.")
    student_name: str = Field(description="The student's name.")
    school: UUID = Field(description="The student's school.")
    low_income: bool | None = Field(description="Low-income household (null: not shown to you).")
    middle_low_income: bool | None = Field(description="Middle-low-income household.")
    disability: bool | None = Field(description="Disability.")
    indigenous: bool | None = Field(description="Indigenous.")
    remote: bool | None = Field(description="Remote area.")
    other: bool | None = Field(description="Other need.")
    other_note: str | None = Field(description="Other need: details.")
    needs_support: bool | None = Field(description="Any category set.")
    device_at_home: str = Field(description="yes, shared, no or empty (unknown).")
    internet_at_home: str = Field(description="yes, shared, no or empty (unknown).")
    updated_at: dt.datetime = Field(description="Last change.")


class SupportFilters(Schema):
    school: UUID | None = Field(None, description="Only this school's.")
    filter: Literal["needs", "no_device", "no_internet"] | None = Field(
        None, description="needs (any category), no_device or no_internet (none or shared)."
    )


class SupportIn(Schema):
    low_income: bool | None = Field(None, description="Low-income household.")
    middle_low_income: bool | None = Field(None, description="Middle-low-income household.")
    disability: bool | None = Field(None, description="Disability.")
    indigenous: bool | None = Field(None, description="Indigenous.")
    remote: bool | None = Field(None, description="Remote area.")
    other: bool | None = Field(None, description="Other need.")
    other_note: str | None = Field(None, max_length=200, description="Other need: details.")
    device_at_home: Literal["yes", "shared", "no", ""] | None = Field(
        None, description="Device for learning at home."
    )
    internet_at_home: Literal["yes", "shared", "no", ""] | None = Field(
        None, description="Internet at home."
    )


# --------------------------------------------------------------------------- helpers


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "kind": a.kind,
        "status": a.status,
        "device": a.device.public_id,
        "asset_tag": a.device.asset_tag,
        "device_kind": a.device.kind,
        "school": a.school.public_id,
        "person": a.person.public_id if a.person else None,
        "person_name": a.person.name if a.person else None,
        "school_class": a.school_class.public_id if a.school_class else None,
        "starts_on": a.starts_on,
        "due_on": a.due_on,
        "accessories": a.accessories,
        "condition_out": a.condition_out,
        "condition_in": a.condition_in,
        "agreement_text": a.agreement_text,
        "signed_name": a.signed_name,
        "signed_at": a.signed_at,
        "signed_on_paper": svc.is_paper_signed(a),
        "recalled_at": a.recalled_at,
        "recall_reason": a.recall_reason,
        "recall_due_on": a.recall_due_on,
        "ended_at": a.ended_at,
        "replaces": a.replaces.public_id if a.replaces else None,
        "request": a.request.public_id if a.request else None,
        "overdue": sel.is_overdue(a),
    }


def _loan_request(r: LoanRequest) -> dict[str, Any]:
    return {
        "public_id": r.public_id,
        "student": r.student.public_id,
        "student_name": r.student.name,
        "school": r.school.public_id,
        "need": r.need,
        "reason": r.reason,
        "status": r.status,
        "created_at": r.created_at,
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
    }


def _support(s: StudentSupport, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "student": s.student.public_id,
        "student_name": s.student.name,
        "school": s.school.public_id,
        "device_at_home": s.device_at_home,
        "internet_at_home": s.internet_at_home,
        "updated_at": s.updated_at,
    }
    for name in (*StudentSupport.CATEGORY_FIELDS, "other_note"):
        out[name] = getattr(s, name) if full else None
    out["needs_support"] = s.needs_support if full else None
    return out


def _reload(a: Assignment) -> Assignment:
    return Assignment.objects.select_related(
        "device", "school", "person", "school_class", "replaces", "request"
    ).get(pk=a.pk)


def _manageable(request: HttpRequest, public_id: UUID, model: Any = Assignment) -> Any:
    obj = get_visible_or_404(model, request.user, public_id)
    scope = scope_for(request.user)
    if not access.may_manage_school(scope, school_id=obj.school_id or 0, county_id=obj.county_id):
        raise PermissionDenied(_("Only the school's administrators may change its loans."))
    return obj


def _school_ref(request: HttpRequest, public_id: UUID | None) -> School | None:
    if public_id is None:
        return None
    return get_visible_or_404(School, request.user, public_id)


# --------------------------------------------------------------------------- assignments


@router.get(
    "/assignments",
    response=responses({200: list[AssignmentOut]}, 404, 422),
    summary="Assignments and loans",
    description=(
        "Assignments at school, take-home loans and loaners the caller may see, newest first: "
        "a school's staff its school's, county staff the county's, a student their own, a "
        "parent their children's. Filters: school, state (awaiting, active, recalled, overdue, "
        "returned), kind, q (student, asset tag or serial)."
    ),
)
@paged
def assignment_list(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    school = _school_ref(request, filters.school)
    rows = sel.assignment_list(
        user=request.user,
        school=school,
        state=filters.state or "",
        kind=filters.kind or "",
        query=filters.q.strip(),
    )
    return [_assignment(a) for a in rows.select_related("request")]


@router.post(
    "/assignments",
    response=responses({201: AssignmentOut}, 403, 422),
    summary="Assign or lend a device",
    description=(
        "kind=assign gives a device in stock to a student, teacher or classroom of its school "
        "for use at school (active at once). kind=loan prepares a take-home loan for a student "
        "(status awaiting until a parent signs the agreement); due_on is required. For the "
        "school's administrators and the county's office; 403 for other roles; a device, "
        "person, class or request you cannot use is a 422 naming the field."
    ),
)
def assignment_create(request: HttpRequest, data: AssignmentIn) -> Any:
    if not access.manages_any(request.user):
        raise PermissionDenied(_("Only the school's administrators may change its loans."))
    device = ref_or_422(Device.objects.visible_to(request.user), "device", public_id=data.device)
    persons = Person.objects.visible_to(request.user)
    person = ref_or_422(persons, "person", public_id=data.person) if data.person else None
    school_class = (
        ref_or_422(
            SchoolClass.objects.visible_to(request.user),
            "school_class",
            public_id=data.school_class,
        )
        if data.school_class
        else None
    )
    if data.kind == "loan":
        if person is None:
            raise ValidationError({"person": _("Choose the student.")})
        loan_request = (
            ref_or_422(
                LoanRequest.objects.visible_to(request.user), "request", public_id=data.request
            )
            if data.request
            else None
        )
        a = svc.loan_create(
            device=device,
            student=person,
            due_on=data.due_on,
            accessories=data.accessories,
            condition_out=data.condition_out,
            note=data.note,
            loan_request=loan_request,
            actor=request.user,
            request=request,
        )
    else:
        a = svc.assignment_create(
            device=device,
            person=person,
            school_class=school_class,
            due_on=data.due_on,
            accessories=data.accessories,
            condition_out=data.condition_out,
            note=data.note,
            actor=request.user,
            request=request,
        )
    return Status(201, _assignment(_reload(a)))


@router.get(
    "/assignments/{public_id}",
    response=responses({200: AssignmentOut}, 404),
    summary="One assignment or loan",
    description="With its agreement and signature. 404 if missing or not yours to see.",
)
def assignment_get(request: HttpRequest, public_id: PublicId) -> Any:
    a = get_visible_or_404(Assignment, request.user, public_id)
    return _assignment(_reload(a))


@router.post(
    "/assignments/{public_id}/sign",
    response=responses({200: AssignmentOut}, 403, 404, 422),
    summary="Sign a borrowing agreement (parent)",
    description=(
        "A parent or guardian of the student signs the agreement of a loan awaiting it: the "
        "typed name must match the parent's name in DTSS and agree must be true. The loan "
        "becomes active and the device on loan. Students, teachers and administrators get 403 "
        "(they may not sign for the family); another family's loan is a 404."
    ),
)
def assignment_sign(request: HttpRequest, public_id: PublicId, data: SignIn) -> Any:
    a = get_visible_or_404(Assignment, request.user, public_id)
    a = svc.loan_sign(
        assignment=a,
        user=request.user,
        signed_name=data.signed_name,
        agree=data.agree,
        request=request,
    )
    return _assignment(_reload(a))


@router.post(
    "/assignments/{public_id}/sign-on-paper",
    response=responses({200: AssignmentOut}, 403, 404, 422),
    summary="Record a paper agreement",
    description=(
        "The school records that a parent signed the agreement on paper; the record is marked "
        "as signed on paper. The name must be one of the student's parents or guardians in "
        "DTSS (when any are recorded). For the school's administrators."
    ),
)
def assignment_sign_paper(request: HttpRequest, public_id: PublicId, data: PaperSignIn) -> Any:
    a = _manageable(request, public_id)
    a = svc.loan_sign_on_paper(
        assignment=a,
        signed_name=data.signed_name,
        signed_on=data.signed_on,
        actor=request.user,
        request=request,
    )
    return _assignment(_reload(a))


@router.post(
    "/assignments/{public_id}/recall",
    response=responses({200: AssignmentOut}, 403, 404, 422),
    summary="Recall a loan",
    description=(
        "Ask the family to return an active take-home loan or loaner by a date, with a reason "
        "they see. For the school's administrators."
    ),
)
def assignment_recall(request: HttpRequest, public_id: PublicId, data: RecallIn) -> Any:
    a = _manageable(request, public_id)
    a = svc.loan_recall(
        assignment=a,
        reason=data.reason,
        return_by=data.return_by,
        actor=request.user,
        request=request,
    )
    return _assignment(_reload(a))


@router.post(
    "/assignments/{public_id}/return",
    response=responses({200: AssignmentOut}, 403, 404, 422),
    summary="Take a device back",
    description=(
        "Ends an active or recalled assignment or loan: the device is in stock again, or in "
        "repair with send_for_repair (describe the damage in condition_in). For a loaner this "
        "is the swap back: the person's own device returns from repair to them. For the "
        "school's administrators."
    ),
)
def assignment_return(request: HttpRequest, public_id: PublicId, data: ReturnIn) -> Any:
    a = _manageable(request, public_id)
    if a.kind == Assignment.Kind.LOANER and a.replaces_id:
        a = svc.loaner_return(
            assignment=a, condition_in=data.condition_in, actor=request.user, request=request
        )
    else:
        a = svc.assignment_return(
            assignment=a,
            condition_in=data.condition_in,
            send_for_repair=data.send_for_repair,
            actor=request.user,
            request=request,
        )
    return _assignment(_reload(a))


@router.post(
    "/assignments/{public_id}/cancel",
    response=responses({200: AssignmentOut}, 403, 404, 422),
    summary="Cancel a loan not yet signed",
    description="Only a loan awaiting its agreement; the device is free again.",
)
def assignment_cancel(request: HttpRequest, public_id: PublicId, data: CancelIn) -> Any:
    a = _manageable(request, public_id)
    a = svc.loan_cancel(assignment=a, reason=data.reason, actor=request.user, request=request)
    return _assignment(_reload(a))


@router.post(
    "/devices/{public_id}/loaner",
    response=responses({201: AssignmentOut}, 403, 404, 422),
    summary="Issue a loaner during repair",
    description=(
        "The device (held by a person) goes in repair and the loaner (in stock, same school) "
        "is lent to that person in one step. Returning the loaner "
        "(POST /assignments/{id}/return) swaps back. For the school's administrators."
    ),
)
def loaner_issue(request: HttpRequest, public_id: PublicId, data: LoanerIn) -> Any:
    device = _manageable(request, public_id, Device)
    loaner = ref_or_422(Device.objects.visible_to(request.user), "loaner", public_id=data.loaner)
    a = svc.loaner_issue(
        own_device=device,
        loaner=loaner,
        due_on=data.due_on,
        accessories=data.accessories,
        note=data.note,
        actor=request.user,
        request=request,
    )
    return Status(201, _assignment(_reload(a)))


# --------------------------------------------------------------------------- requests, queue


@router.get(
    "/loan-requests",
    response=responses({200: list[LoanRequestOut]}, 404, 422),
    summary="Loan requests",
    description=(
        "Requests for a take-home device or connection the caller may see: the school's staff "
        "their school's, county staff the county's, students and parents their own. Oldest "
        "first."
    ),
)
@paged
def loan_request_list(request: HttpRequest, filters: Query[LoanRequestFilters]) -> Any:
    school = _school_ref(request, filters.school)
    rows = sel.request_list(user=request.user, school=school, status=filters.status or "")
    return [_loan_request(r) for r in rows]


@router.post(
    "/loan-requests",
    response=responses({201: LoanRequestOut}, 403, 422),
    summary="Ask for a device or connection",
    description=(
        "A parent for their child, a student for themselves, a teacher for a student of their "
        "school, or the school's administrators. One waiting request per student. 403 for "
        "anyone else; a student you cannot see is a 422."
    ),
)
def loan_request_create(request: HttpRequest, data: LoanRequestIn) -> Any:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.roles - {"moe_viewer"}):
        # no role that may ever ask (an account without one, the MOE viewer): 403 at once
        raise PermissionDenied(_("Your role may not request a loan."))
    student = ref_or_422(Person.objects.visible_to(request.user), "student", public_id=data.student)
    r = svc.loan_request_create(
        student=student, need=data.need, reason=data.reason, actor=request.user, request=request
    )
    return Status(201, _loan_request(r))


@router.post(
    "/loan-requests/{public_id}/decline",
    response=responses({200: LoanRequestOut}, 403, 404, 422),
    summary="Decline a loan request",
    description="With a note the family sees. For the school's administrators.",
)
def loan_request_decline(request: HttpRequest, public_id: PublicId, data: DeclineIn) -> Any:
    r = _manageable(request, public_id, LoanRequest)
    r = svc.loan_request_decline(
        loan_request=r, note=data.note, actor=request.user, request=request
    )
    return _loan_request(r)


def _equity_school(request: HttpRequest, public_id: UUID) -> School:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied(_("Only the school's administrators and the county's office."))
    school = get_visible_or_404(School, request.user, public_id)
    if not eq_sel.may_see(request.user, school):
        if scope.everything or school.pk in scope.staff_school_ids:
            raise PermissionDenied(_("Only the school's administrators and the county's office."))
        raise Http404
    return school


@router.get(
    "/loan-queue",
    response=responses({200: list[QueueOut]}, 403, 404, 422),
    summary="A school's loan priority queue",
    description=(
        "Students in need, or with a waiting request, who still lack a device or a connection "
        "at home, most urgent first (low-income, middle-low-income, disability, indigenous, "
        "remote, other; no internet before shared; a waiting request first; oldest first). "
        "Confidential: for the school's administrators and the county's office (others 403; "
        "another school 404)."
    ),
)
def loan_queue(
    request: HttpRequest, school: Annotated[UUID, Query(description="The school's id.")]
) -> Any:
    s = _equity_school(request, school)
    return [
        {
            "rank": r.rank,
            "student": r.student.public_id,
            "student_name": r.student.name,
            "need": r.need,
            "reasons": r.reasons,
            "request": r.request.public_id if r.request else None,
        }
        for r in sel.loan_queue(user=request.user, school=s)
    ]


# --------------------------------------------------------------------------- equity


@router.get(
    "/student-support",
    response=responses({200: list[SupportOut]}, 403, 404, 422),
    summary="Support records (confidential)",
    description=(
        "Students' support categories and home access. For the school's administrators and "
        "the county's office only: teachers, students, parents and the MOE viewer get 403."
    ),
)
@paged
def support_list(request: HttpRequest, filters: Query[SupportFilters]) -> Any:
    if not eq_sel.equity_schools_any(request.user):
        raise PermissionDenied(_("Only the school's administrators and the county's office."))
    qs = eq_sel.support_queryset(user=request.user).select_related("student", "school")
    if filters.school:
        qs = qs.filter(school=_equity_school(request, filters.school))
    if filters.filter == "needs":
        qs = qs.filter(eq_sel.needs_q())
    elif filters.filter == "no_device":
        qs = qs.filter(device_at_home__in=eq_sel.LACKING)
    elif filters.filter == "no_internet":
        qs = qs.filter(internet_at_home__in=eq_sel.LACKING)
    return [_support(s, full=True) for s in qs.order_by("school__code", "student__name", "id")]


@router.put(
    "/student-support/{student_public_id}",
    response=responses({200: SupportOut}, 403, 404, 422),
    summary="Set a student's support record",
    description=(
        "Creates or updates the record; only the fields given change. The school's "
        "administrators and the county's office set every field; a parent may set only their "
        "child's device_at_home and internet_at_home (categories: 403) and gets the categories "
        "back as null. Others 403; a student you cannot see 404."
    ),
)
def support_put(
    request: HttpRequest,
    student_public_id: Annotated[UUID, Path(description="The student's person id.")],
    data: SupportIn,
) -> Any:
    student = get_visible_or_404(Person, request.user, student_public_id)
    values = data.dict(exclude_unset=True)
    values = {k: v for k, v in values.items() if v is not None}
    scope = scope_for(request.user)
    school = svc.student_school(student)
    if school is None:
        raise Http404
    if eq_sel.may_see(request.user, school):
        support = eq_svc.support_set(student=student, actor=request.user, request=request, **values)
        return _support(
            StudentSupport.objects.select_related("student", "school").get(pk=support.pk), full=True
        )
    if student.pk in scope.child_ids and set(values) <= set(eq_svc.ACCESS_FIELDS):
        current = StudentSupport.objects.filter(student=student).first()
        support = eq_svc.home_access_set(
            student=student,
            device_at_home=values.get("device_at_home", current.device_at_home if current else ""),
            internet_at_home=values.get(
                "internet_at_home", current.internet_at_home if current else ""
            ),
            actor=request.user,
            request=request,
        )
        return _support(
            StudentSupport.objects.select_related("student", "school").get(pk=support.pk),
            full=False,
        )
    raise PermissionDenied(_("Only the school's administrators and the county's office."))
