"""Writes of assignments, take-home loans, loaners and loan requests.

Keyword-only, atomic, validating before saving (DESIGN.md rule 2). Every change keeps
`Device.holder`/`holder_class`/`status` in step through `services.holder_set` and appends to
the device's history through `services.event_record`; the database allows one open
`Assignment` per device.

The life of a take-home loan: `loan_create` (awaiting the agreement; the device is reserved)
→ `loan_sign` by a parent or guardian (or `loan_sign_on_paper` by the school) → active, the
device on loan → optionally `loan_recall` → `assignment_return`. A loan still waiting for its
signature can be cancelled (`loan_cancel`). While a person's own device is in repair,
`loaner_issue` lends them another one in the same step and `loaner_return` swaps back.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from dtss.core.net import client_ip
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.devices import access, services
from dtss.devices.models import (
    CONNECTIVITY_KINDS,
    STUDENT_DEVICE_KINDS,
    Assignment,
    Device,
    DeviceEvent,
    LoanRequest,
)
from dtss.orgs.models import Guardianship, Membership, Person, Role, SchoolClass

# Kinds of device a family may take home.
LENDABLE_KINDS = (*STUDENT_DEVICE_KINDS, *CONNECTIVITY_KINDS)
# The mark of an agreement the school recorded from a paper form (kept in the loan's note).
PAPER_MARK = "紙本簽署 / signed on paper"
DEFAULT_AGREEMENT_TEMPLATE = "devices/loans/agreement.txt"
OPEN_STATUSES = (
    Assignment.Status.AWAITING_SIGNATURE,
    Assignment.Status.ACTIVE,
    Assignment.Status.RECALLED,
)


def _today() -> dt.date:
    return timezone.localdate()


def _person_of(user: Any) -> Person | None:
    return getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None


def _require_manager(actor: Any, school_id: int, county_id: int) -> None:
    if actor is None:  # system callers (demo, commands)
        return
    if not access.may_manage_school(scope_for(actor), school_id=school_id, county_id=county_id):
        raise PermissionDenied(_("Only the school's administrators may change its loans."))


def _lock(device: Device) -> Device:
    return Device.objects.select_for_update().get(pk=device.pk)


def _check_free(device: Device, field: str = "device") -> None:
    """The device is in the school's stock and nobody holds or has reserved it."""
    if device.school_id is None:
        raise ValidationError(
            {field: _("Move the device from the county's stock to a school first.")}
        )
    if Assignment.objects.filter(device=device, ended_at__isnull=True).exists():
        raise ValidationError({field: _("This device is already assigned or lent.")})
    if device.status != Device.Status.IN_STOCK:
        raise ValidationError(
            {
                field: _("Only a device in stock can be given out (it is: %(status)s).")
                % {"status": device.get_status_display()}
            }
        )


def is_student_of(person: Person, school_id: int) -> bool:
    return Membership.objects.filter(person=person, school_id=school_id, role=Role.STUDENT).exists()


def is_staff_of(person: Person, school_id: int) -> bool:
    return Membership.objects.filter(
        person=person, school_id=school_id, role__in=(Role.TEACHER, Role.SCHOOL_ADMIN)
    ).exists()


def is_guardian(person: Person | None, student: Person) -> bool:
    return bool(person) and Guardianship.objects.filter(parent=person, child=student).exists()


def normalise_name(name: str) -> str:
    """Names compare without spaces, width or case differences (王 小明 = 王小明)."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split()).casefold()


def is_paper_signed(assignment: Assignment) -> bool:
    return bool(assignment.signed_at) and PAPER_MARK in (assignment.note or "")


def agreement_render(*, assignment: Assignment) -> str:
    """The borrowing agreement (借用切結書) for one loan, in Chinese and English. The template
    can be replaced per installation with the setting DEVICES_LOAN_AGREEMENT_TEMPLATE."""
    name = getattr(settings, "DEVICES_LOAN_AGREEMENT_TEMPLATE", DEFAULT_AGREEMENT_TEMPLATE)
    device = assignment.device
    school = assignment.school
    with override("zh-hant"):
        return render_to_string(
            name,
            {
                "loan": assignment,
                "device": device,
                "school": school,
                "student": assignment.person,
                "kind_label": str(device.get_kind_display()),
                "report_days": 3,
            },
        ).strip()


def _audit(actor: Any, action: str, obj: Any, request: Any, **detail: Any) -> None:
    audit_record(actor=actor, action=action, obj=obj, request=request, detail=detail or None)


# --------------------------------------------------------------------------- assignments


@transaction.atomic
def assignment_create(
    *,
    device: Device,
    person: Person | None = None,
    school_class: SchoolClass | None = None,
    starts_on: dt.date | None = None,
    due_on: dt.date | None = None,
    accessories: str = "",
    condition_out: str = "",
    note: str = "",
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """Give a device for use at school to a student, a teacher or a classroom of its school."""
    device = _lock(device)
    _check_free(device)
    _require_manager(actor, device.school_id, device.county_id)
    errors: dict[str, str] = {}
    if (person is None) == (school_class is None):
        errors["person"] = _("Choose either a person or a classroom.")
    elif person is not None and not (
        is_student_of(person, device.school_id) or is_staff_of(person, device.school_id)
    ):
        errors["person"] = _("Choose a student or a teacher of the device's school.")
    elif school_class is not None and school_class.school_id != device.school_id:
        errors["school_class"] = _("Choose a classroom of the device's school.")
    starts_on = starts_on or _today()
    if due_on and due_on < starts_on:
        errors["due_on"] = _("The return date cannot be before the start.")
    if errors:
        raise ValidationError(errors)
    assignment = Assignment.objects.create(
        county_id=device.county_id,
        school_id=device.school_id,
        device=device,
        kind=Assignment.Kind.ASSIGN,
        status=Assignment.Status.ACTIVE,
        person=person,
        school_class=school_class,
        starts_on=starts_on,
        due_on=due_on,
        accessories=accessories.strip()[:200],
        condition_out=condition_out.strip()[:200],
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    services.holder_set(
        device=device, person=person, school_class=school_class, status=Device.Status.ASSIGNED
    )
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.ASSIGNED,
        actor=actor,
        person=person,
        detail={"assignment": str(assignment.public_id)}
        | ({"class": str(school_class)} if school_class else {}),
    )
    _audit(actor, "assignment.create", assignment, request)
    return assignment


# --------------------------------------------------------------------------- loans


@transaction.atomic
def loan_create(
    *,
    device: Device,
    student: Person,
    due_on: dt.date | None,
    accessories: str = "",
    condition_out: str = "",
    starts_on: dt.date | None = None,
    loan_request: LoanRequest | None = None,
    note: str = "",
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """Prepare a take-home loan: the device is reserved for the student and the agreement
    waits for a parent's signature."""
    device = _lock(device)
    _check_free(device)
    _require_manager(actor, device.school_id, device.county_id)
    errors: dict[str, str] = {}
    if device.kind not in LENDABLE_KINDS:
        errors["device"] = _("Only tablets, laptops, Chromebooks and hotspots are lent home.")
    if not is_student_of(student, device.school_id):
        errors["student"] = _("Choose a student of the device's school.")
    starts_on = starts_on or _today()
    if due_on is None:
        errors["due_on"] = _("Give the expected return date.")
    elif due_on <= starts_on:
        errors["due_on"] = _("The expected return date must be after the start.")
    if loan_request is not None:
        if loan_request.student_id != student.pk:
            errors["request"] = _("The request is for another student.")
        elif loan_request.status != LoanRequest.Status.OPEN:
            errors["request"] = _("The request is no longer waiting.")
    if errors:
        raise ValidationError(errors)
    assignment = Assignment(
        county_id=device.county_id,
        school_id=device.school_id,
        device=device,
        kind=Assignment.Kind.LOAN,
        status=Assignment.Status.AWAITING_SIGNATURE,
        person=student,
        starts_on=starts_on,
        due_on=due_on,
        accessories=accessories.strip()[:200],
        condition_out=condition_out.strip()[:200],
        note=note.strip()[:300],
        request=loan_request,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.device = device
    assignment.agreement_text = agreement_render(assignment=assignment)
    assignment.save()
    if loan_request is not None:
        loan_request.status = LoanRequest.Status.FULFILLED
        loan_request.decided_at = timezone.now()
        loan_request.save(update_fields=["status", "decided_at", "updated_at"])
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.LOAN_CREATED,
        actor=actor,
        person=student,
        detail={"assignment": str(assignment.public_id), "due_on": due_on.isoformat()},
    )
    _audit(actor, "loan.create", assignment, request)
    return assignment


def _open_loan(assignment: Assignment, *statuses: str) -> Assignment:
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("device", "person")
    assignment = locked.get(pk=assignment.pk)
    if assignment.ended_at is not None or assignment.status not in statuses:
        raise ValidationError(
            {
                "status": _("This cannot be done now: the loan is %(status)s.")
                % {"status": assignment.get_status_display()}
            }
        )
    return assignment


def _activate(
    assignment: Assignment, *, actor: Any, signer: Person | None, on_paper: bool
) -> Assignment:
    device = _lock(assignment.device)
    assignment.status = Assignment.Status.ACTIVE
    assignment.save()
    services.holder_set(device=device, person=assignment.person, status=Device.Status.ON_LOAN)
    detail = {"assignment": str(assignment.public_id), "signed_name": assignment.signed_name}
    if on_paper:
        detail["on_paper"] = True
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.LOAN_SIGNED,
        actor=actor,
        person=signer,
        note=PAPER_MARK if on_paper else "",
        detail=detail,
    )
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.LOANED,
        actor=actor,
        person=assignment.person,
        detail={"assignment": str(assignment.public_id)},
    )
    return assignment


@transaction.atomic
def loan_sign(
    *,
    assignment: Assignment,
    user: Any,
    signed_name: str,
    agree: bool,
    request: Any = None,
    ip: str | None = None,
) -> Assignment:
    """A parent or guardian of the student signs the agreement online. Nobody else may: not
    the student (whatever the school stage), not a teacher or administrator for the family."""
    signer = _person_of(user)
    if signer is None or not is_guardian(signer, assignment.person):
        if signer is not None and signer.pk == assignment.person_id:
            raise PermissionDenied(
                _("Only a parent or guardian may sign the agreement, not the student.")
            )
        raise PermissionDenied(_("Only a parent or guardian of the student may sign."))
    assignment = _open_loan(assignment, Assignment.Status.AWAITING_SIGNATURE)
    errors: dict[str, str] = {}
    if not agree:
        errors["agree"] = _("Tick the box to confirm that you have read and agree.")
    typed = (signed_name or "").strip()
    if not typed:
        errors["signed_name"] = _("Type your full name.")
    elif normalise_name(typed) != normalise_name(signer.name):
        errors["signed_name"] = _(
            "The name does not match the name the school has for you (%(name)s). "
            "Type it exactly as the school has it, or ask the school to correct it."
        ) % {"name": signer.name}
    if errors:
        raise ValidationError(errors)
    assignment.signed_by = signer
    assignment.signed_name = typed[:100]
    assignment.signed_at = timezone.now()
    assignment.signed_ip = ip or client_ip(request)
    _activate(assignment, actor=user, signer=signer, on_paper=False)
    _audit(user, "loan.sign", assignment, request)
    return assignment


@transaction.atomic
def loan_sign_on_paper(
    *,
    assignment: Assignment,
    signed_name: str,
    signed_on: dt.date | None = None,
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """The school records an agreement a parent signed on paper; marked as such."""
    _require_manager(actor, assignment.school_id, assignment.county_id)
    assignment = _open_loan(assignment, Assignment.Status.AWAITING_SIGNATURE)
    typed = (signed_name or "").strip()
    guardians = list(
        Person.objects.filter(children_links__child=assignment.person).order_by("name")
    )
    signer = next((g for g in guardians if normalise_name(g.name) == normalise_name(typed)), None)
    if not typed:
        raise ValidationError({"signed_name": _("Type the name written on the paper form.")})
    if guardians and signer is None:
        raise ValidationError(
            {
                "signed_name": _(
                    "The name is not one of the student's parents or guardians: %(n)s."
                )
                % {"n": "、".join(g.name for g in guardians)}
            }
        )
    if signed_on and signed_on > _today():
        raise ValidationError({"signed_on": _("The date cannot be in the future.")})
    at = timezone.now()
    if signed_on and signed_on != _today():
        at = timezone.make_aware(dt.datetime.combine(signed_on, dt.time(12, 0)))
    assignment.signed_by = signer
    assignment.signed_name = typed[:100]
    assignment.signed_at = at
    assignment.signed_ip = None
    assignment.note = (PAPER_MARK + (" · " + assignment.note if assignment.note else ""))[:300]
    _activate(assignment, actor=actor, signer=signer, on_paper=True)
    _audit(actor, "loan.sign_on_paper", assignment, request)
    return assignment


@transaction.atomic
def loan_cancel(
    *, assignment: Assignment, reason: str = "", actor: Any = None, request: Any = None
) -> Assignment:
    """Cancel a loan still waiting for its signature; the device is free again."""
    _require_manager(actor, assignment.school_id, assignment.county_id)
    assignment = _open_loan(assignment, Assignment.Status.AWAITING_SIGNATURE)
    assignment.status = Assignment.Status.CANCELLED
    assignment.ended_at = timezone.now()
    assignment.save()
    if assignment.request_id:
        LoanRequest.objects.filter(
            pk=assignment.request_id, status=LoanRequest.Status.FULFILLED
        ).update(status=LoanRequest.Status.OPEN, decided_at=None)
    services.event_record(
        device=assignment.device,
        kind=DeviceEvent.Kind.LOAN_CANCELLED,
        actor=actor,
        person=assignment.person,
        note=reason[:300],
        detail={"assignment": str(assignment.public_id)},
    )
    _audit(actor, "loan.cancel", assignment, request)
    return assignment


@transaction.atomic
def loan_recall(
    *,
    assignment: Assignment,
    reason: str,
    return_by: dt.date | None,
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """Ask the family to bring the device back by a date; they see it on their page."""
    _require_manager(actor, assignment.school_id, assignment.county_id)
    assignment = _open_loan(assignment, Assignment.Status.ACTIVE)
    errors: dict[str, str] = {}
    if assignment.kind == Assignment.Kind.ASSIGN:
        errors["status"] = _("Only take-home loans are recalled; take the device back instead.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the recall.")
    if return_by is None:
        errors["return_by"] = _("Give the date by which it must be returned.")
    elif return_by < _today():
        errors["return_by"] = _("The date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    assignment.status = Assignment.Status.RECALLED
    assignment.recalled_at = timezone.now()
    assignment.recall_reason = reason.strip()[:300]
    assignment.recall_due_on = return_by
    assignment.save()
    services.event_record(
        device=assignment.device,
        kind=DeviceEvent.Kind.RECALLED,
        actor=actor,
        person=assignment.person,
        note=assignment.recall_reason,
        detail={"assignment": str(assignment.public_id), "return_by": return_by.isoformat()},
    )
    _audit(actor, "loan.recall", assignment, request)
    return assignment


@transaction.atomic
def assignment_return(
    *,
    assignment: Assignment,
    condition_in: str = "",
    send_for_repair: bool = False,
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """The device comes back: the assignment or loan ends; the device is in stock again, or
    in repair when the manager sends it."""
    _require_manager(actor, assignment.school_id, assignment.county_id)
    assignment = _open_loan(assignment, Assignment.Status.ACTIVE, Assignment.Status.RECALLED)
    if send_for_repair and not (condition_in or "").strip():
        raise ValidationError({"condition_in": _("Describe the damage when sending for repair.")})
    assignment.status = Assignment.Status.RETURNED
    assignment.condition_in = (condition_in or "").strip()[:200]
    assignment.ended_at = timezone.now()
    assignment.save()
    device = _lock(assignment.device)
    services.holder_set(device=device, person=None, school_class=None, status="in_stock")
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.RETURNED,
        actor=actor,
        person=assignment.person,
        note=assignment.condition_in,
        detail={"assignment": str(assignment.public_id)},
    )
    if send_for_repair:
        device.status = Device.Status.IN_REPAIR
        device.save(update_fields=["status", "updated_at"])
        services.event_record(
            device=device,
            kind=DeviceEvent.Kind.REPAIR_OUT,
            actor=actor,
            note=assignment.condition_in,
            detail={"from": "in_stock", "to": "in_repair"},
        )
    _audit(actor, "assignment.return", assignment, request, repair=send_for_repair)
    return assignment


# --------------------------------------------------------------------------- loaners


@transaction.atomic
def loaner_issue(
    *,
    own_device: Device,
    loaner: Device,
    due_on: dt.date | None = None,
    accessories: str = "",
    condition_out: str = "",
    note: str = "",
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """The person's own device goes in repair and another is lent to them, in one step."""
    own_device = _lock(own_device)
    _require_manager(actor, own_device.school_id or 0, own_device.county_id)
    own = (
        Assignment.objects.select_for_update()
        .filter(device=own_device, ended_at__isnull=True)
        .exclude(status=Assignment.Status.AWAITING_SIGNATURE)
        .first()
    )
    if own is None or own.person_id is None:
        raise ValidationError(
            {"device": _("A loaner stands in for a device a person holds; this one is not held.")}
        )
    if own_device.status == Device.Status.IN_REPAIR:
        raise ValidationError({"device": _("This device is already in repair.")})
    loaner = _lock(loaner)
    _check_free(loaner, "loaner")
    if loaner.pk == own_device.pk or loaner.school_id != own_device.school_id:
        raise ValidationError({"loaner": _("Choose another device of the same school.")})
    if due_on and due_on < _today():
        raise ValidationError({"due_on": _("The date cannot be in the past.")})
    assignment = Assignment(
        county_id=loaner.county_id,
        school_id=loaner.school_id,
        device=loaner,
        kind=Assignment.Kind.LOANER,
        status=Assignment.Status.ACTIVE,
        person=own.person,
        starts_on=_today(),
        due_on=due_on,
        accessories=accessories.strip()[:200],
        condition_out=condition_out.strip()[:200],
        note=note.strip()[:300],
        replaces=own_device,
        # the family's agreement for the own device covers the loaner
        signed_by=own.signed_by,
        signed_name=own.signed_name,
        signed_at=own.signed_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if own.kind != Assignment.Kind.ASSIGN:
        assignment.agreement_text = agreement_render(assignment=assignment)
    assignment.save()
    own_device.status = Device.Status.IN_REPAIR
    own_device.save(update_fields=["status", "updated_at"])
    services.event_record(
        device=own_device,
        kind=DeviceEvent.Kind.REPAIR_OUT,
        actor=actor,
        person=own.person,
        note=note[:300],
        detail={"loaner": loaner.asset_tag, "assignment": str(assignment.public_id)},
    )
    services.holder_set(device=loaner, person=own.person, status=Device.Status.ON_LOAN)
    services.event_record(
        device=loaner,
        kind=DeviceEvent.Kind.LOANED,
        actor=actor,
        person=own.person,
        detail={"replaces": own_device.asset_tag, "assignment": str(assignment.public_id)},
    )
    _audit(actor, "loaner.issue", assignment, request, replaces=str(own_device.public_id))
    return assignment


@transaction.atomic
def loaner_return(
    *,
    assignment: Assignment,
    condition_in: str = "",
    actor: Any = None,
    request: Any = None,
) -> Assignment:
    """The own device is back from repair: it returns to its holder and the loaner to stock."""
    _require_manager(actor, assignment.school_id, assignment.county_id)
    assignment = _open_loan(assignment, Assignment.Status.ACTIVE, Assignment.Status.RECALLED)
    if assignment.kind != Assignment.Kind.LOANER or assignment.replaces_id is None:
        raise ValidationError({"status": _("This is not a loaner.")})
    own_device = _lock(assignment.replaces)
    own = Assignment.objects.filter(device=own_device, ended_at__isnull=True).first()
    assignment.status = Assignment.Status.RETURNED
    assignment.condition_in = (condition_in or "").strip()[:200]
    assignment.ended_at = timezone.now()
    assignment.save()
    loaner = _lock(assignment.device)
    services.holder_set(device=loaner, person=None, school_class=None, status="in_stock")
    services.event_record(
        device=loaner,
        kind=DeviceEvent.Kind.RETURNED,
        actor=actor,
        person=assignment.person,
        note=assignment.condition_in,
        detail={"assignment": str(assignment.public_id)},
    )
    if own_device.status == Device.Status.IN_REPAIR:
        if own is not None:
            status = (
                Device.Status.ASSIGNED
                if own.kind == Assignment.Kind.ASSIGN
                else Device.Status.ON_LOAN
            )
        else:
            status = Device.Status.IN_STOCK
        own_device.status = status
        own_device.save(update_fields=["status", "updated_at"])
        services.event_record(
            device=own_device,
            kind=DeviceEvent.Kind.REPAIR_BACK,
            actor=actor,
            person=assignment.person,
            detail={"from": "in_repair", "to": status, "loaner": loaner.asset_tag},
        )
    _audit(actor, "loaner.return", assignment, request)
    return assignment


# --------------------------------------------------------------------------- loan requests


def may_request_for(user: Any, student: Person) -> bool:
    """A parent for their child, the student, a teacher of the student's school, the school's
    administrators and the county's office."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    person = _person_of(user)
    if person is not None and (person.pk == student.pk or student.pk in scope.child_ids):
        return True
    schools = set(
        Membership.objects.filter(person=student, role=Role.STUDENT).values_list(
            "school_id", flat=True
        )
    )
    if schools & set(scope.staff_school_ids):
        return True
    return student.county_id in scope.county_ids


def student_school(student: Person) -> Any:
    """The student's current school (latest enrolment; else the student membership)."""
    from dtss.orgs.selectors import current_enrollments

    enrolment = current_enrollments(people=[student]).get(student.pk)
    if enrolment is not None:
        return enrolment.school
    membership = (
        Membership.objects.filter(person=student, role=Role.STUDENT)
        .select_related("school")
        .order_by("-created_at")
        .first()
    )
    return membership.school if membership else None


@transaction.atomic
def loan_request_create(
    *, student: Person, need: str, reason: str = "", actor: Any = None, request: Any = None
) -> LoanRequest:
    """Ask for a take-home device and/or a connection for a student."""
    if actor is not None and not may_request_for(actor, student):
        raise PermissionDenied(_("You may not ask for a loan for this student."))
    errors: dict[str, str] = {}
    if need not in LoanRequest.Need.values:
        errors["need"] = _("Choose what is needed.")
    school = student_school(student)
    if school is None:
        errors["student"] = _("The student is not enrolled in a school.")
    elif LoanRequest.objects.filter(student=student, status=LoanRequest.Status.OPEN).exists():
        errors["student"] = _("A request for this student is already waiting.")
    if len(reason or "") > 500:
        errors["reason"] = _("Keep the reason under 500 characters.")
    if errors:
        raise ValidationError(errors)
    loan_request = LoanRequest.objects.create(
        county_id=school.county_id,
        school=school,
        student=student,
        need=need,
        reason=(reason or "").strip(),
        requested_by=_person_of(actor),
    )
    _audit(actor, "loan_request.create", loan_request, request)
    return loan_request


@transaction.atomic
def loan_request_decline(
    *, loan_request: LoanRequest, note: str = "", actor: Any = None, request: Any = None
) -> LoanRequest:
    _require_manager(actor, loan_request.school_id, loan_request.county_id)
    loan_request = LoanRequest.objects.select_for_update().get(pk=loan_request.pk)
    if loan_request.status != LoanRequest.Status.OPEN:
        raise ValidationError({"status": _("The request is no longer waiting.")})
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why, so the family knows.")})
    loan_request.status = LoanRequest.Status.DECLINED
    loan_request.decided_at = timezone.now()
    loan_request.decision_note = note.strip()[:300]
    loan_request.save()
    _audit(actor, "loan_request.decline", loan_request, request)
    return loan_request
