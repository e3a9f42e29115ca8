"""API of the homeschool: a school's contact-book settings (rules, leave types, periods, the
classes' timetables) and class forms (調查表) with reply tracking and reminders.

The same rules as the pages (`school_views.py`, `form_views.py`): the school's staff and its
county's office read the settings, the school's and the county's administrators change them;
the class's homeroom teacher and the school's administrators send, track, remind and close
forms. Students and parents get 403; another county's or school's object is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import access, services
from dtss.homeschool import form_selectors as fsel
from dtss.homeschool import form_services as fsvc
from dtss.homeschool import school_selectors as sel
from dtss.homeschool import school_services as svc
from dtss.homeschool.models import LeaveType, Period

router = Router(tags=["homeschool"])
SchoolId = Annotated[UUID, Path(description="The school's id (its public_id).")]
ClassId = Annotated[UUID, Path(description="The class's id (its public_id).")]
LeaveTypeId = Annotated[UUID, Path(description="The leave type's id (its public_id).")]
PeriodId = Annotated[UUID, Path(description="The period's id (its public_id).")]
FormId = Annotated[UUID, Path(description="The form's id (the survey run's public_id).")]


# --------------------------------------------------------------------------- schemas


class SchoolSettingsOut(Schema):
    school: UUID = Field(description="The school's id.")
    stage: str = Field(description="The school's stage (elementary, junior, senior …).")
    students_may_request_leave: bool = Field(
        description="Students request their own leave (senior, vocational, complete only)."
    )
    second_approval_days: int | None = Field(
        description="Leave of this many school days or more needs the second approver; null: never."
    )
    second_approver: UUID | None = Field(
        description="The second approver (a person's id); null: any school administrator."
    )
    second_approver_name: str | None = Field(description="The second approver's name.")
    count_in_days: bool = Field(description="Absence is counted in days (else in periods).")
    quiet_start: dt.time = Field(description="The school's default quiet hours start.")
    quiet_end: dt.time = Field(description="The school's default quiet hours end.")
    is_default: bool = Field(description="True while the school has saved no settings.")


class SchoolSettingsIn(Schema):
    students_may_request_leave: bool = Field(
        False, description="Only senior high, vocational and complete high schools may set it."
    )
    second_approval_days: int | None = Field(
        None, description="1–60 school days, or null for no second approval."
    )
    second_approver: UUID | None = Field(
        None, description="An administrator or teacher of this school (a person's id), or null."
    )
    count_in_days: bool = Field(False, description="Count absence in days rather than periods.")
    quiet_start: dt.time = Field(description="Quiet hours start, e.g. 21:00.")
    quiet_end: dt.time = Field(description="Quiet hours end, e.g. 07:00.")


class LeaveTypeOut(Schema):
    id: UUID = Field(description="The leave type's id.")
    code: str = Field(description="Its short code, e.g. sick.")
    name_zh: str = Field(description="Its Chinese name, e.g. 病假.")
    name_en: str = Field(description="Its English name.")
    needs_attachment: bool = Field(description="A request needs a document.")
    needs_reason: bool = Field(description="A request needs a reason.")
    active: bool = Field(description="Offered for new requests.")
    order: int = Field(description="Its place in the list.")
    in_use: bool = Field(description="Used by a leave request or an attendance record.")


class LeaveTypeIn(Schema):
    code: str = Field(max_length=20, description="Letters, digits, - or _; unique in the school.")
    name_zh: str = Field(max_length=50, description="The Chinese name.")
    name_en: str = Field("", max_length=80, description="The English name.")
    needs_attachment: bool = Field(False, description="A request needs a document.")
    needs_reason: bool = Field(True, description="A request needs a reason.")
    active: bool = Field(True, description="Offered for new requests.")
    order: int = Field(0, description="Its place in the list (0–999).")


class LeaveTypePatch(Schema):
    code: str | None = Field(None, max_length=20, description="A new code.")
    name_zh: str | None = Field(None, max_length=50, description="A new Chinese name.")
    name_en: str | None = Field(None, max_length=80, description="A new English name.")
    needs_attachment: bool | None = Field(None, description="A request needs a document.")
    needs_reason: bool | None = Field(None, description="A request needs a reason.")
    active: bool | None = Field(None, description="False deactivates it (kept for the records).")
    order: int | None = Field(None, description="Its place in the list (0–999).")


class PeriodOut(Schema):
    id: UUID = Field(description="The period's id.")
    code: str = Field(description="Its short code, e.g. p1 (used in timetable files).")
    name_zh: str = Field(description="Its Chinese name, e.g. 第一節.")
    name_en: str = Field(description="Its English name.")
    order: int = Field(description="Its place in the school day.")
    starts: dt.time | None = Field(description="When it starts (optional).")
    ends: dt.time | None = Field(description="When it ends (optional).")
    active: bool = Field(description="Part of the school day now.")
    in_use: bool = Field(description="Used by leave, attendance or a timetable.")


class PeriodIn(Schema):
    code: str = Field(max_length=20, description="Letters, digits, - or _; unique in the school.")
    name_zh: str = Field(max_length=50, description="The Chinese name.")
    name_en: str = Field("", max_length=80, description="The English name.")
    order: int | None = Field(None, description="Its place (0–999); default: at the end.")
    starts: dt.time | None = Field(None, description="When it starts.")
    ends: dt.time | None = Field(None, description="When it ends (after the start).")
    active: bool = Field(True, description="Part of the school day.")


class PeriodPatch(Schema):
    code: str | None = Field(None, max_length=20, description="A new code.")
    name_zh: str | None = Field(None, max_length=50, description="A new Chinese name.")
    name_en: str | None = Field(None, max_length=80, description="A new English name.")
    order: int | None = Field(None, description="A new place in the day (0–999).")
    starts: dt.time | None = Field(None, description="When it starts.")
    ends: dt.time | None = Field(None, description="When it ends.")
    active: bool | None = Field(None, description="False deactivates it (kept for the records).")


class SlotOut(Schema):
    weekday: int = Field(description="1 = Monday … 5 = Friday.")
    period: str = Field(description="The period's code.")
    period_name: str = Field(description="The period's name.")
    subject: str = Field(description="The subject.")
    teacher: UUID | None = Field(description="The teacher (a person's id), if set.")
    teacher_name: str | None = Field(description="The teacher's name.")


class SlotIn(Schema):
    weekday: int = Field(description="1 = Monday … 5 = Friday.")
    period: str = Field(description="An active period's code of the school.")
    subject: str = Field(max_length=50, description="The subject.")
    teacher: UUID | None = Field(None, description="A teacher of the school (a person's id).")


class TimetableOut(Schema):
    school_class: UUID = Field(description="The class's id.")
    slots: list[SlotOut] = Field(description="The class's periods, by weekday and period.")


class TimetableIn(Schema):
    slots: list[SlotIn] = Field(
        description="The whole timetable (replaces the old one). All or nothing; errors name "
        "`cell-<weekday>-<period code>`."
    )


class FormOut(Schema):
    id: UUID = Field(description="The form's id (the survey run's).")
    title: str = Field(description="The form's title.")
    classes: list[UUID] = Field(description="The classes it was sent to.")
    group: str = Field(description="parents or students.")
    status: str = Field(description="open or closed (draft never for a sent form).")
    opens_at: dt.datetime = Field(description="When it was sent.")
    closes_at: dt.datetime = Field(description="When it closes.")
    invited: int = Field(description="Invitations (a parent one per child).")
    answered: int = Field(description="Invitations answered.")
    rate: int | None = Field(description="Response rate in % (null when nobody is asked).")


class FormSendIn(Schema):
    questionnaire: UUID = Field(
        description="A questionnaire of the class's school or county with questions."
    )
    group: Literal["parents", "students"] = Field(description="Who answers.")
    title: str = Field(max_length=200, description="The form's title.")
    closes_at: dt.datetime = Field(description="When it closes (in the future).")


class TrackOut(Schema):
    invitation: UUID = Field(description="The invitation's id.")
    person: UUID = Field(description="Who is asked (a person's id).")
    name: str = Field(description="Their name.")
    about: UUID | None = Field(description="For a parent: the child the answer is about.")
    about_name: str | None = Field(description="That child's name.")
    answered_at: dt.datetime | None = Field(description="When they answered; null: not yet.")
    reminded_at: dt.datetime | None = Field(description="When they were last reminded.")
    reminders: int = Field(description="How many reminders they got.")
    answers: dict[str, str] = Field(
        description="Their answers by question code, as text (a choice by its label); empty "
        "until they answer."
    )


class QuestionOut(Schema):
    code: str = Field(description="The question's code (Q1, Q2 …), the key of `answers`.")
    text: str = Field(description="The question (Chinese).")
    text_en: str = Field(description="The question in English; empty if not written.")


class FormDetailOut(FormOut):
    questions: list[QuestionOut] = Field(description="The form's questions, in order.")
    tracking: list[TrackOut] = Field(description="Every invitation, not answered first.")


class RemindOut(Schema):
    sent: int = Field(description="Reminders emailed.")
    no_email: int = Field(description="Not answered and without an email address.")
    skipped: int = Field(description="Reminded less than 20 hours ago: not reminded again.")
    notified: int = Field(description="In-app notifications made.")


# --------------------------------------------------------------------------- helpers


def _require_staff(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.staff_school_ids or scope.county_ids):
        raise PermissionDenied(_("Only the school's staff may use this."))


def _school(request: HttpRequest, public_id: UUID, *, write: bool = False) -> Any:
    from dtss.orgs.models import School

    _require_staff(request)
    school = get_visible_or_404(School, request.user, public_id)
    if not sel.may_read_school(request.user, school):
        raise PermissionDenied(_("Only the school's staff may read its settings."))
    if write and not access.may_configure_school(request.user, school):
        raise PermissionDenied(_("Only the school's administrators may change its settings."))
    services.school_setup_ensure(school=school)
    return school


def _class(request: HttpRequest, public_id: UUID) -> Any:
    from dtss.orgs.models import SchoolClass

    _require_staff(request)
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not sel.may_read_school(request.user, school_class.school):
        raise PermissionDenied(_("Only the school's staff may read the timetable."))
    services.school_setup_ensure(school=school_class.school)
    return school_class


def _settings(school: Any) -> dict[str, Any]:
    row = services.settings_get(school)
    return {
        "school": school.public_id,
        "stage": school.stage,
        "students_may_request_leave": row.students_may_request_leave,
        "second_approval_days": row.second_approval_days,
        "second_approver": row.second_approver.public_id if row.second_approver_id else None,
        "second_approver_name": row.second_approver.name if row.second_approver_id else None,
        "count_in_days": row.count_in_days,
        "quiet_start": row.quiet_start,
        "quiet_end": row.quiet_end,
        "is_default": row.pk is None,
    }


def _leave_type(t: LeaveType, in_use: bool | None = None) -> dict[str, Any]:
    return {
        "id": t.public_id,
        "code": t.code,
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "needs_attachment": t.needs_attachment,
        "needs_reason": t.needs_reason,
        "active": t.active,
        "order": t.order,
        "in_use": svc.leave_type_in_use(t) if in_use is None else in_use,
    }


def _period(p: Period, in_use: bool | None = None) -> dict[str, Any]:
    return {
        "id": p.public_id,
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "order": p.order,
        "starts": p.starts,
        "ends": p.ends,
        "active": p.active,
        "in_use": svc.period_in_use(p) if in_use is None else in_use,
    }


def _timetable(school_class: Any) -> dict[str, Any]:
    return {
        "school_class": school_class.public_id,
        "slots": [
            {
                "weekday": s.weekday,
                "period": s.period.code,
                "period_name": s.period.name,
                "subject": s.subject,
                "teacher": s.teacher.public_id if s.teacher else None,
                "teacher_name": s.teacher.name if s.teacher else None,
            }
            for s in sel.timetable_slots(school_class=school_class)
        ],
    }


def _form(run: Any) -> dict[str, Any]:
    s = fsel.summary(run=run)
    return {
        "id": run.public_id,
        "title": run.title,
        "classes": [c.public_id for c in run.classes.all()],
        "group": fsel.form_group(run),
        "status": run.status,
        "opens_at": run.opens_at,
        "closes_at": run.closes_at,
        "invited": s["invited"],
        "answered": s["answered"],
        "rate": s["rate"],
    }


def _form_detail(run: Any) -> dict[str, Any]:
    out = _form(run)
    questions, answered = fsel.answers(run=run, language=get_language() or "zh-hant")
    out["questions"] = [
        {"code": q.code, "text": q.text_zh, "text_en": q.text_en} for q in questions
    ]
    out["tracking"] = [
        {
            "invitation": r.invitation.public_id,
            "person": r.person.public_id,
            "name": r.person.name,
            "about": r.about.public_id if r.about else None,
            "about_name": r.about.name if r.about else None,
            "answered_at": r.answered_at,
            "reminded_at": r.reminded_at,
            "reminders": r.reminders,
            "answers": dict(
                zip([q.code for q in questions], answered.get(r.invitation.pk, []), strict=False)
            ),
        }
        for r in fsel.tracking(run=run)
    ]
    return out


def _run(request: HttpRequest, public_id: UUID) -> Any:
    from dtss.surveys.models import Run

    scope = scope_for(request.user)
    if not (scope.superuser or scope.staff_school_ids):
        raise PermissionDenied(_("Only the class's teacher and the school manage its forms."))
    run = get_visible_or_404(Run, request.user, public_id)
    if not fsvc.may_manage_form(request.user, run):
        raise PermissionDenied(_("Only the class's teacher and the school manage its forms."))
    return run


# --------------------------------------------------------------------------- settings


@router.get(
    "/homeschool/schools/{public_id}/settings",
    response=responses({200: SchoolSettingsOut}, 403, 404),
    summary="A school's contact-book rules",
    description=(
        "Student leave, second approval, counting in days and the default quiet hours (the "
        "defaults while the school has saved none). For the school's staff and the county's "
        "office; students and parents 403; another school or county 404."
    ),
)
def homeschool_settings_get(request: HttpRequest, public_id: SchoolId) -> Any:
    return _settings(_school(request, public_id))


@router.put(
    "/homeschool/schools/{public_id}/settings",
    response=responses({200: SchoolSettingsOut}, 403, 404, 422),
    summary="Set a school's contact-book rules",
    description=(
        "For the school's and the county's administrators. Student leave only at senior, "
        "vocational and complete high schools; the second approver an administrator or "
        "teacher of this school; a bad field is a 422 naming it, nothing changed."
    ),
)
def homeschool_settings_put(
    request: HttpRequest, public_id: SchoolId, data: SchoolSettingsIn
) -> Any:
    from dtss.orgs.models import Person

    school = _school(request, public_id, write=True)
    approver = None
    if data.second_approver:
        approver = ref_or_422(
            Person.objects.filter(pk__in=[p.pk for p in svc.school_teachers(school)]),
            "second_approver",
            public_id=data.second_approver,
        )
    svc.settings_save(
        user=request.user,
        school=school,
        students_may_request_leave=data.students_may_request_leave,
        second_approval_days=data.second_approval_days,
        second_approver=approver,
        count_in_days=data.count_in_days,
        quiet_start=data.quiet_start,
        quiet_end=data.quiet_end,
    )
    return _settings(school)


# --------------------------------------------------------------------------- leave types


@router.get(
    "/homeschool/schools/{public_id}/leave-types",
    response=responses({200: list[LeaveTypeOut]}, 403, 404, 422),
    summary="A school's leave types",
    description="Every leave type (active or not) in order, with whether it is in use.",
)
@paged
def homeschool_leave_types_list(request: HttpRequest, public_id: SchoolId) -> Any:
    school = _school(request, public_id)
    return [_leave_type(t, t.in_use) for t in sel.leave_types(school=school)]


@router.post(
    "/homeschool/schools/{public_id}/leave-types",
    response=responses({201: LeaveTypeOut}, 403, 404, 422),
    summary="Add a leave type",
    description="For the school's administrators. The code is unique in the school.",
)
def homeschool_leave_type_create(
    request: HttpRequest, public_id: SchoolId, data: LeaveTypeIn
) -> Any:
    school = _school(request, public_id, write=True)
    row = svc.leave_type_save(user=request.user, school=school, **data.dict())
    return Status(201, _leave_type(row, False))


@router.patch(
    "/homeschool/leave-types/{public_id}",
    response=responses({200: LeaveTypeOut}, 403, 404, 422),
    summary="Change a leave type",
    description=(
        "For the school's administrators; only the fields sent change. A type in use is never "
        "deleted: set active to false instead."
    ),
)
def homeschool_leave_type_update(
    request: HttpRequest, public_id: LeaveTypeId, data: LeaveTypePatch
) -> Any:
    _require_staff(request)
    row = get_visible_or_404(LeaveType, request.user, public_id)
    if not access.may_configure_school(request.user, row.school):
        raise PermissionDenied(_("Only the school's administrators may change its settings."))
    values = {
        "code": row.code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "needs_attachment": row.needs_attachment,
        "needs_reason": row.needs_reason,
        "active": row.active,
        "order": row.order,
    }
    values.update({k: v for k, v in data.dict(exclude_unset=True).items() if v is not None})
    row = svc.leave_type_save(user=request.user, school=row.school, leave_type=row, **values)
    return _leave_type(row)


# --------------------------------------------------------------------------- periods


@router.get(
    "/homeschool/schools/{public_id}/periods",
    response=responses({200: list[PeriodOut]}, 403, 404, 422),
    summary="The periods of a school's day",
    description="Every period (active or not) in the order of the day, with whether it is in use.",
)
@paged
def homeschool_periods_list(request: HttpRequest, public_id: SchoolId) -> Any:
    school = _school(request, public_id)
    return [_period(p, p.in_use) for p in sel.periods(school=school)]


@router.post(
    "/homeschool/schools/{public_id}/periods",
    response=responses({201: PeriodOut}, 403, 404, 422),
    summary="Add a period",
    description="For the school's administrators. Times optional; the end after the start.",
)
def homeschool_period_create(request: HttpRequest, public_id: SchoolId, data: PeriodIn) -> Any:
    school = _school(request, public_id, write=True)
    row = svc.period_save(user=request.user, school=school, **data.dict())
    return Status(201, _period(row, False))


@router.patch(
    "/homeschool/periods/{public_id}",
    response=responses({200: PeriodOut}, 403, 404, 422),
    summary="Change a period",
    description=(
        "For the school's administrators; only the fields sent change (send a time as null "
        "to clear it). A period in use is never deleted: set active to false instead."
    ),
)
def homeschool_period_update(request: HttpRequest, public_id: PeriodId, data: PeriodPatch) -> Any:
    _require_staff(request)
    row = get_visible_or_404(Period, request.user, public_id)
    if not access.may_configure_school(request.user, row.school):
        raise PermissionDenied(_("Only the school's administrators may change its settings."))
    sent = data.dict(exclude_unset=True)
    values = {
        "code": row.code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "order": row.order,
        "starts": row.starts,
        "ends": row.ends,
        "active": row.active,
    }
    for k, v in sent.items():
        if v is not None or k in ("starts", "ends"):
            values[k] = v
    row = svc.period_save(user=request.user, school=row.school, period=row, **values)
    return _period(row)


# --------------------------------------------------------------------------- timetable


@router.get(
    "/homeschool/classes/{public_id}/timetable",
    response=responses({200: TimetableOut}, 403, 404),
    summary="A class's timetable",
    description="The subject and teacher of each period of each weekday. For the school's staff.",
)
def homeschool_timetable_get(request: HttpRequest, public_id: ClassId) -> Any:
    return _timetable(_class(request, public_id))


@router.put(
    "/homeschool/classes/{public_id}/timetable",
    response=responses({200: TimetableOut}, 403, 404, 422),
    summary="Replace a class's timetable",
    description=(
        "For the school's administrators. All or nothing: weekdays 1–5, the school's active "
        "periods, teachers of the school; errors name `cell-<weekday>-<period code>`."
    ),
)
def homeschool_timetable_put(request: HttpRequest, public_id: ClassId, data: TimetableIn) -> Any:
    school_class = _class(request, public_id)
    if not access.may_configure_school(request.user, school_class.school):
        raise PermissionDenied(_("Only the school's administrators may change the timetable."))
    periods = {p.code: p for p in Period.objects.filter(school_id=school_class.school_id)}
    teachers = {p.public_id: p for p in svc.school_teachers(school_class.school)}
    cells, errors = [], {}
    for s in data.slots:
        key = f"cell-{s.weekday}-{s.period}"
        period = periods.get(s.period)
        if period is None:
            errors[key] = _("Not an active period of this school.")
            continue
        teacher = teachers.get(s.teacher) if s.teacher else None
        if s.teacher and teacher is None:
            errors[key] = _("The teacher must be a teacher of this school.")
            continue
        cells.append(svc.Cell(s.weekday, period, s.subject, teacher))
    errors = {**svc.timetable_check(school_class, cells), **errors}
    if errors:
        raise ValidationError(errors)
    svc.timetable_save(user=request.user, school_class=school_class, cells=cells)
    return _timetable(school_class)


# --------------------------------------------------------------------------- forms


@router.get(
    "/homeschool/forms",
    response=responses({200: list[FormOut]}, 403, 422),
    summary="The forms of my classes",
    description=(
        "Named forms sent to the classes the user writes for (homeroom teacher, the school's "
        "administrators), open first, with the response rate. Students and parents 403."
    ),
)
@paged
def homeschool_forms_list(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.staff_school_ids):
        raise PermissionDenied(_("Only the school's staff send forms."))
    return [_form(r) for r in fsel.forms_for(user=request.user)]


@router.post(
    "/homeschool/classes/{public_id}/forms",
    response=responses({201: FormDetailOut}, 403, 404, 422),
    summary="Send a form to a class",
    description=(
        "A named survey run limited to the class, open now: its parents (one invitation per "
        "child) or its students are invited and notified. For the class's homeroom teacher "
        "and the school's administrators."
    ),
)
def homeschool_form_send(request: HttpRequest, public_id: ClassId, data: FormSendIn) -> Any:
    from dtss.orgs.models import SchoolClass

    scope = scope_for(request.user)
    if not (scope.superuser or scope.staff_school_ids):
        raise PermissionDenied(_("Only the school's staff send forms."))
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not access.may_write_class(request.user, school_class):
        raise PermissionDenied(_("Only the class's homeroom teacher and the school send forms."))
    questionnaire = ref_or_422(
        fsvc.form_questionnaires(school=school_class.school),
        "questionnaire",
        public_id=data.questionnaire,
    )
    run = fsvc.form_send(
        user=request.user,
        school_class=school_class,
        questionnaire=questionnaire,
        group=data.group,
        title=data.title,
        closes_at=data.closes_at,
    )
    return Status(201, _form_detail(run))


@router.get(
    "/homeschool/forms/{public_id}",
    response=responses({200: FormDetailOut}, 403, 404),
    summary="A form's reply tracking",
    description="Each person asked (a parent: about which child), answered when, reminded when.",
)
def homeschool_form_get(request: HttpRequest, public_id: FormId) -> Any:
    return _form_detail(_run(request, public_id))


@router.post(
    "/homeschool/forms/{public_id}/remind",
    response=responses({200: RemindOut}, 403, 404, 422),
    summary="Remind those who have not answered",
    description=(
        "By email and in the app, each person at most once every 20 hours. A closed form is a 422."
    ),
)
def homeschool_form_remind(request: HttpRequest, public_id: FormId) -> Any:
    return fsvc.form_remind(user=request.user, run=_run(request, public_id))


@router.post(
    "/homeschool/forms/{public_id}/close",
    response=responses({200: FormDetailOut}, 403, 404, 422),
    summary="Close a form",
    description="No more answers. A form already closed is a 422.",
)
def homeschool_form_close(request: HttpRequest, public_id: FormId) -> Any:
    run = fsvc.form_close(user=request.user, run=_run(request, public_id))
    return _form_detail(run)
