"""API of the homeschool: online leave and attendance.

The same rules as the pages (`leave_views.py`, `attendance_views.py`): a parent reads and
requests their children's leave (at any school), a student their own (where the school lets
students request), the homeroom teacher and the school's administrators decide; attendance is
recorded by the class's teachers and the school's administrators and read by the school's
staff; a student's record by the student, their parents, homeroom teacher and the school's
administrators. Another school's, county's or family's object is a 404; a role that sees it but
may not act a 403; bad input a 422 naming the field, and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import access, services
from dtss.homeschool import attendance_selectors as asel
from dtss.homeschool import leave_selectors as sel
from dtss.homeschool import selectors as common
from dtss.homeschool.leave_views import file_response, may_cancel, may_decide_now
from dtss.homeschool.models import AttendanceRecord, LeaveAttachment, LeaveRequest, LeaveType

router = Router(tags=["homeschool"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class LeaveTypeOut(Schema):
    public_id: UUID = Field(description="The leave type's id.")
    code: str = Field(description="Its code at the school (sick, personal, official …).")
    name: str = Field(description="Its name in the reader's language.")
    needs_attachment: bool = Field(description="Whether a document must be attached.")
    needs_reason: bool = Field(description="Whether a reason must be given.")


class PeriodOut(Schema):
    public_id: UUID = Field(description="The period's id.")
    code: str = Field(description="Its code at the school (morning, flag, p1 …).")
    name: str = Field(description="Its name in the reader's language (早自習, 升旗, 第一節 …).")
    starts: dt.time | None = Field(description="When it starts.")
    ends: dt.time | None = Field(description="When it ends.")


class LeaveOptionsOut(Schema):
    student: UUID = Field(description="The student the options are for.")
    school: UUID = Field(description="The student's school.")
    school_name: str = Field(description="The school's name.")
    class_name: str = Field(description="The student's class.")
    how: str = Field(description="online (a parent or the student) or staff (a paper form).")
    leave_types: list[LeaveTypeOut] = Field(description="The school's active leave types.")
    periods: list[PeriodOut] = Field(description="The school's periods, in order.")


class AttachmentOut(Schema):
    public_id: UUID = Field(description="The document's id.")
    name: str = Field(description="The file name.")
    size: int = Field(description="Size in bytes.")
    content_type: str = Field(description="The file's media type.")
    url: str = Field(description="Where to download it through the API.")


class HistoryOut(Schema):
    at: dt.datetime | None = Field(description="When.")
    who: str = Field(description="Who (a name).")
    text: str = Field(description="What happened, in the reader's language.")
    note: str = Field(description="The reason given with a decision, if any.")


class LeaveOut(Schema):
    public_id: UUID = Field(description="The leave request's id.")
    student: UUID = Field(description="The student's id.")
    student_name: str = Field(description="The student's name.")
    school: UUID = Field(description="The school's id.")
    school_name: str = Field(description="The school's name.")
    school_class: UUID = Field(description="The class's id.")
    class_name: str = Field(description="The class.")
    leave_type: str = Field(description="The leave type's code.")
    leave_type_name: str = Field(description="The leave type in the reader's language.")
    start_date: dt.date = Field(description="The first day.")
    end_date: dt.date = Field(description="The last day.")
    days: int = Field(description="School days in the leave.")
    whole_day: bool = Field(description="True: every period of the day.")
    periods: list[str] = Field(description="The periods' codes (empty for the whole day).")
    reason: str = Field(description="The reason given.")
    status: str = Field(description="pending, second, approved, declined or cancelled.")
    status_label: str = Field(description="The status in the reader's language.")
    source: str = Field(description="online (family) or staff (a paper form).")
    requested_by_name: str = Field(description="Who requested it.")
    created_at: dt.datetime = Field(description="When it was requested.")
    decided_by_name: str = Field(description="Who decided first (empty while pending).")
    decided_at: dt.datetime | None = Field(description="When it was decided first.")
    second_decided_by_name: str = Field(description="The second approver (long leave).")
    second_decided_at: dt.datetime | None = Field(description="When the second approver decided.")
    decision_note: str = Field(description="The reason given with the decision.")
    waiting_for_you: bool = Field(description="Whether it waits for your decision.")
    may_decide: bool = Field(description="Whether you may decide it now.")
    may_cancel: bool = Field(description="Whether you may cancel it.")
    url: str = Field(description="The request's page.")


class LeaveDetailOut(LeaveOut):
    files: list[AttachmentOut] = Field(description="The documents attached.")
    history: list[HistoryOut] = Field(description="Who did what, when.")


class LeaveFilters(Schema):
    status: Literal["open", "pending", "second", "approved", "declined", "cancelled"] | None = (
        Field(None, description="Only this status; open = pending or second. Default: all.")
    )
    school_class: UUID | None = Field(None, description="Only this class (staff).")
    leave_type: str = Field("", max_length=20, description="Only this leave type's code.")
    date_from: dt.date | None = Field(None, description="Leave that ends on or after this day.")
    date_to: dt.date | None = Field(None, description="Leave that starts on or before this day.")
    q: str = Field("", max_length=100, description="In the student's name.")
    sort: Literal["waiting", "start", "created", "student"] = Field(
        "waiting",
        description="waiting: those waiting for your decision first; start: latest first day; "
        "created: newest; student: by name.",
    )


class DecideIn(Schema):
    approve: bool = Field(description="true approves, false declines.")
    note: str = Field("", max_length=2000, description="The reason (required to decline).")


class CellOut(Schema):
    student: UUID = Field(description="The student's id.")
    period: str = Field(description="The period's code.")
    status: str = Field(description="leave, unexcused or late (a missing cell: present).")
    leave_type: str = Field(description="The leave type's code for leave, else empty.")
    locked: bool = Field(description="From approved leave: not changed by recording.")
    note: str = Field(description="A note.")


class StudentRowOut(Schema):
    student: UUID = Field(description="The student's id.")
    name: str = Field(description="The student's name.")
    seat: int = Field(description="The seat number.")


class ClassDayOut(Schema):
    school_class: UUID = Field(description="The class's id.")
    date: dt.date = Field(description="The day.")
    school_day: bool = Field(description="Whether it is a school day.")
    may_record: bool = Field(description="Whether you may record attendance for the class.")
    periods: list[PeriodOut] = Field(description="The school's periods, in order.")
    students: list[StudentRowOut] = Field(description="The enrolled students, by seat.")
    records: list[CellOut] = Field(description="The absences (every other cell: present).")


class MarkIn(Schema):
    student: UUID = Field(description="A student of the class.")
    period: str = Field(description="A period's code of the school.")
    status: Literal["", "present", "leave", "unexcused", "late"] = Field(
        description="present (or empty) clears the cell; leave needs leave_type."
    )
    leave_type: str = Field("", description="The leave type's code, for leave.")
    note: str = Field("", max_length=200, description="A note.")


class ClassDayIn(Schema):
    date: dt.date = Field(description="The day (today or earlier).")
    marks: list[MarkIn] = Field(description="The cells to set; cells not named stay as they are.")


class ClassDaySetOut(Schema):
    set: int = Field(description="Cells recorded.")
    cleared: int = Field(description="Cells set back to present.")
    kept: int = Field(description="Cells from approved leave left as they were.")


class RangeQuery(Schema):
    date_from: dt.date | None = Field(
        None, alias="from", description="First day (default: 1st of this month)."
    )
    date_to: dt.date | None = Field(
        None, alias="to", description="Last day (default: end of this month)."
    )


class CountOut(Schema):
    code: str = Field(description="The leave type's code.")
    name: str = Field(description="The leave type's name.")
    count: int = Field(description="Leave of this type, in the report's unit.")


class StudentLineOut(Schema):
    student: UUID = Field(description="The student's id.")
    name: str = Field(description="The student's name.")
    seat: int | None = Field(description="The seat number (null: no longer in the class).")
    leave_by_type: list[CountOut] = Field(description="Leave by type.")
    leave: int = Field(description="Leave in total.")
    unexcused: int = Field(description="Unexcused absence (曠課).")
    late: int = Field(description="Late.")


class ClassReportOut(Schema):
    school_class: UUID = Field(description="The class's id.")
    date_from: dt.date = Field(description="First day of the report.")
    date_to: dt.date = Field(description="Last day of the report.")
    unit: str = Field(
        description="periods (records) or days (per student, dates with any such record)."
    )
    students: list[StudentLineOut] = Field(description="One line per student.")


class ClassLineOut(Schema):
    school_class: UUID = Field(description="The class's id.")
    class_name: str = Field(description="The class.")
    homeroom_teacher: str = Field(description="The homeroom teacher's name.")
    students: int = Field(description="Students enrolled.")
    leave: int = Field(description="Leave, in the report's unit.")
    unexcused: int = Field(description="Unexcused absence, in the report's unit.")
    late: int = Field(description="Late, in the report's unit.")


class BucketOut(Schema):
    start: dt.date = Field(description="The first day of the day, week (Monday) or month.")
    leave: int = Field(description="Leave, in the report's unit.")
    unexcused: int = Field(description="Unexcused absence, in the report's unit.")
    late: int = Field(description="Late, in the report's unit.")


class RiskOut(Schema):
    student: UUID = Field(description="The student's id.")
    name: str = Field(description="The student's name.")
    class_name: str = Field(description="The student's class.")
    homeroom_teacher: str = Field(description="The homeroom teacher's name.")
    unexcused_periods: int = Field(description="Unexcused periods in the range.")
    unexcused_days: int = Field(description="Dates with unexcused absence in the range.")


class SchoolReportOut(Schema):
    school: UUID = Field(description="The school's id.")
    date_from: dt.date = Field(description="First day of the report.")
    date_to: dt.date = Field(description="Last day of the report.")
    unit: str = Field(description="periods or days (student-days: see the class report).")
    group: str = Field(description="day, week or month.")
    classes: list[ClassLineOut] = Field(description="Totals per class.")
    buckets: list[BucketOut] = Field(description="The school's totals per day, week or month.")
    risk: list[RiskOut] = Field(description="缺曠高風險: the 20 with most unexcused periods.")


class RecordOut(Schema):
    date: dt.date = Field(description="The day.")
    period: str = Field(description="The period's code.")
    period_name: str = Field(description="The period's name.")
    status: str = Field(description="leave, unexcused or late.")
    leave_type: str = Field(description="The leave type's code for leave, else empty.")
    leave_type_name: str = Field(description="The leave type's name, else empty.")
    leave_request: UUID | None = Field(description="The approved leave request it came from.")
    class_name: str = Field(description="The class at the time.")


# --------------------------------------------------------------------------- helpers


def _file(a: LeaveAttachment) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "url": reverse("api:leave_attachment_download", args=[a.public_id]),
    }


def _leave(r: LeaveRequest, user: Any, waiting: bool | None = None) -> dict[str, Any]:
    periods = sorted(r.periods.all(), key=lambda p: p.order)
    return {
        "public_id": r.public_id,
        "student": r.student.public_id,
        "student_name": r.student.name,
        "school": r.school.public_id,
        "school_name": r.school.name,
        "school_class": r.school_class.public_id,
        "class_name": str(r.school_class),
        "leave_type": r.leave_type.code,
        "leave_type_name": r.leave_type.name,
        "start_date": r.start_date,
        "end_date": r.end_date,
        "days": r.days,
        "whole_day": not periods,
        "periods": [p.code for p in periods],
        "reason": r.reason,
        "status": r.status,
        "status_label": r.get_status_display(),
        "source": r.source,
        "requested_by_name": r.requested_by.name,
        "created_at": r.created_at,
        "decided_by_name": r.decided_by.name if r.decided_by else "",
        "decided_at": r.decided_at,
        "second_decided_by_name": r.second_decided_by.name if r.second_decided_by else "",
        "second_decided_at": r.second_decided_at,
        "decision_note": r.decision_note,
        "waiting_for_you": bool(getattr(r, "waiting", 0)) if waiting is None else waiting,
        "may_decide": may_decide_now(user, r),
        "may_cancel": may_cancel(user, r),
        "url": reverse("homeschool:leave_detail", args=[r.public_id]),
    }


def _detail(request: HttpRequest, leave: LeaveRequest) -> dict[str, Any]:
    leave = sel.leave_for_page(leave=leave)
    may = may_decide_now(request.user, leave)
    out = _leave(leave, request.user, waiting=may)
    out["files"] = [_file(a) for a in sel.leave_files(user=request.user, leave=leave)]
    out["history"] = [
        {"at": h.at, "who": h.who, "text": h.text, "note": h.note}
        for h in sel.leave_history(leave=leave)
    ]
    return out


def _period(p: Any) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "code": p.code,
        "name": p.name,
        "starts": p.starts,
        "ends": p.ends,
    }


def _student_for_leave(request: HttpRequest, public_id: UUID) -> tuple[Any, Any, str]:
    """The student (visible to the user), their enrolment, and how the user requests leave
    for them; a student the user may not request for is a 403, an invisible one a 404."""
    from dtss.orgs.models import Person

    student = get_visible_or_404(Person, request.user, public_id)
    enrolment = services.current_enrolment(student)
    if enrolment is None:
        raise ValidationError({"student": _("The student is not in any class.")})
    cfg = services.settings_get(enrolment.school)
    how = access.may_request_leave(
        request.user, student=student, school=enrolment.school, settings=cfg
    )
    if how is None:
        raise PermissionDenied(_("You may not request leave for this student."))
    return student, enrolment, how


def _student_for_new_leave(request: HttpRequest, public_id: UUID) -> tuple[Any, Any, str]:
    """The student named in a new request's body: someone who may request leave for nobody
    gets a 403; anyone else naming a student they cannot see or may not request for, a 422
    naming the field (nothing is said of whether that student exists)."""
    if not access.may_request_some_leave(request.user):
        raise PermissionDenied(_("You may not request leave."))
    try:
        return _student_for_leave(request, public_id)
    except (Http404, PermissionDenied):
        raise ValidationError(
            {"student": _("Choose a student you may request leave for.")}
        ) from None


# --------------------------------------------------------------------------- leave


@router.get(
    "/homeschool/leave/options",
    response=responses({200: LeaveOptionsOut}, 403, 404, 422),
    summary="What a leave request for a student may choose",
    description=(
        "The student's school's active leave types and periods (早自習, 升旗, 第一節 …), for a "
        "leave form. For a parent (their child), the student where the school lets students "
        "request, or the school's administrators (a paper form). Another family's child is a "
        "404; a student you may not request for a 403."
    ),
)
def leave_form_options(
    request: HttpRequest,
    student: Annotated[UUID, Query(description="The student's (person's) id.")],
) -> Any:
    person, enrolment, how = _student_for_leave(request, student)
    school = enrolment.school
    services.school_setup_ensure(school=school)
    return {
        "student": person.public_id,
        "school": school.public_id,
        "school_name": school.name,
        "class_name": str(enrolment.school_class),
        "how": how,
        "leave_types": [
            {
                "public_id": t.public_id,
                "code": t.code,
                "name": t.name,
                "needs_attachment": t.needs_attachment,
                "needs_reason": t.needs_reason,
            }
            for t in common.leave_types(school=school)
        ],
        "periods": [_period(p) for p in common.periods(school=school)],
    }


@router.get(
    "/homeschool/leave/requests",
    response=responses({200: list[LeaveOut]}, 422),
    summary="Leave requests",
    description=(
        "The leave requests you may see: a parent their children's (at any school), a student "
        "their own, a homeroom teacher their classes', the school's administrators the "
        "school's. By default those waiting for your decision come first. Filters: status, "
        "school_class, leave_type (code), date_from/date_to (overlapping), q (student's name)."
    ),
)
@paged
def leave_requests_list(request: HttpRequest, filters: Query[LeaveFilters]) -> Any:
    school_class = None
    if filters.school_class is not None:
        classes = {c.public_id: c for c in sel.filter_classes(user=request.user)}
        school_class = classes.get(filters.school_class)
        if school_class is None:
            raise ValidationError(
                {"school_class": _("No such object, or not one you may use here.")}
            )
    f = sel.LeaveFilters(
        status=filters.status or "all",
        school_class=school_class,
        leave_type=filters.leave_type.strip(),
        date_from=filters.date_from,
        date_to=filters.date_to,
        query=filters.q.strip(),
        sort=filters.sort,
    )
    rows = (
        sel.leave_list(user=request.user, filters=f)
        .select_related("decided_by", "second_decided_by")
        .prefetch_related("periods")
    )
    return [_leave(r, request.user) for r in rows]


@router.post(
    "/homeschool/leave/requests",
    response=responses({201: LeaveDetailOut}, 403, 404, 422),
    summary="Request leave",
    description=(
        "Multipart form: student (id), leave_type (the school's code, see "
        "/homeschool/leave/options), start_date, end_date, periods (codes separated by "
        "commas; empty: the whole day), reason, and up to 5 files (PDF, images, documents; "
        "10 MB each). A parent for their child, a student where the school allows it, the "
        "school's administrators for a paper form (approved at once). The homeroom teacher is "
        "told. 403 for someone who may request leave for nobody; another family's child, or "
        "a student you may not request for, is a 422 naming `student`, as is any bad input; "
        "nothing is saved."
    ),
)
def leave_requests_create(
    request: HttpRequest,
    student: Annotated[UUID, Form(description="The student's (person's) id.")],
    leave_type: Annotated[str, Form(description="The leave type's code at the school.")],
    start_date: Annotated[dt.date, Form(description="The first day (YYYY-MM-DD).")],
    end_date: Annotated[dt.date, Form(description="The last day (YYYY-MM-DD).")],
    periods: Annotated[
        str, Form(description="Period codes separated by commas; empty: the whole day.")
    ] = "",
    reason: Annotated[str, Form(max_length=2000, description="The reason.")] = "",
    files: Annotated[
        list[UploadedFile] | None, File(description="Documents (a doctor's note …).")
    ] = None,
) -> Any:
    person, enrolment, _how = _student_for_new_leave(request, student)
    school = enrolment.school
    services.school_setup_ensure(school=school)
    ltype = common.leave_types(school=school).filter(code=leave_type.strip()).first()
    if ltype is None:
        raise ValidationError({"leave_type": _("Choose a leave type of the student's school.")})
    codes = [c.strip() for c in periods.split(",") if c.strip()]
    by_code = {p.code: p for p in common.periods(school=school)}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValidationError(
            {"periods": _("Not a period of the school: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    leave = services.leave_request_create(
        user=request.user,
        student=person,
        leave_type=ltype,
        start_date=start_date,
        end_date=end_date,
        periods=[by_code[c] for c in codes],
        reason=reason,
        files=files or [],
    )
    return Status(201, _detail(request, leave))


@router.get(
    "/homeschool/leave/requests/{public_id}",
    response=responses({200: LeaveDetailOut}, 404),
    summary="One leave request",
    description=(
        "With its documents and history. For the family, the homeroom teacher and the "
        "school's administrators; 404 for anyone else. Staff reads are in the audit log."
    ),
)
def leave_requests_get(request: HttpRequest, public_id: PublicId) -> Any:
    leave = get_visible_or_404(LeaveRequest, request.user, public_id)
    scope = scope_for(request.user)
    if scope.person_id not in (leave.student_id, leave.requested_by_id) and not (
        access.is_parent_of(scope, leave.student_id)
    ):
        audit_record(actor=request.user, action="homeschool.leave_read", obj=leave, request=request)
    return _detail(request, leave)


@router.post(
    "/homeschool/leave/requests/{public_id}/decide",
    response=responses({200: LeaveDetailOut}, 403, 404, 422),
    summary="Approve or decline a leave request",
    description=(
        "The homeroom teacher (or the school's administrators) decide a pending request; long "
        "leave then goes to the second approver, who decides it in turn. A final approval "
        "writes the attendance records and tells the subject teachers of those periods. "
        "Declining needs a note (422 naming note). 403 for anyone who may not decide it now; "
        "422 when it is already decided."
    ),
)
def leave_requests_decide(request: HttpRequest, public_id: PublicId, data: DecideIn) -> Any:
    leave = get_visible_or_404(LeaveRequest, request.user, public_id)
    if leave.is_open and not may_decide_now(request.user, leave):
        raise PermissionDenied(_("You may not decide this leave request."))
    services.leave_decide(user=request.user, leave=leave, approve=data.approve, note=data.note)
    return _detail(request, leave)


@router.post(
    "/homeschool/leave/requests/{public_id}/cancel",
    response=responses({200: LeaveDetailOut}, 403, 404, 422),
    summary="Cancel a leave request",
    description=(
        "The family withdraws a request before it is decided; the school's administrators may "
        "also cancel approved leave (its attendance records are removed). 403 for anyone "
        "else; 422 when it is already declined or cancelled."
    ),
)
def leave_requests_cancel(request: HttpRequest, public_id: PublicId) -> Any:
    leave = get_visible_or_404(LeaveRequest, request.user, public_id)
    services.leave_cancel(user=request.user, leave=leave)
    return _detail(request, leave)


@router.get(
    "/homeschool/leave/attachments/{public_id}",
    response=responses({200: None}, 404, 422),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file itself, named as uploaded (an image inline, anything "
                "else as an attachment); `Content-Type` is the file's own media type.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    summary="Download a leave document",
    description="For those who may see the leave request; 404 for anyone else.",
)
def leave_attachment_download(request: HttpRequest, public_id: PublicId) -> HttpResponse:
    att = get_visible_or_404(LeaveAttachment, request.user, public_id)
    return file_response(att)


# --------------------------------------------------------------------------- attendance


def _class(request: HttpRequest, public_id: UUID) -> Any:
    from dtss.orgs.models import SchoolClass

    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not access.may_read_class_attendance(request.user, school_class):
        raise PermissionDenied(_("Only the school's staff read a class's attendance."))
    return SchoolClass.objects.select_related("school", "homeroom_teacher").get(pk=school_class.pk)


def _range(data: RangeQuery) -> tuple[dt.date, dt.date]:
    start, end, errors = asel.range_from(
        {
            "from": data.date_from.isoformat() if data.date_from else "",
            "to": data.date_to.isoformat() if data.date_to else "",
        }
    )
    if errors:
        raise ValidationError(errors)
    return start, end


def _audit_read(request: HttpRequest, obj: Any, **detail: Any) -> None:
    audit_record(
        actor=request.user,
        action="homeschool.attendance_read",
        obj=obj,
        request=request,
        detail={k: str(v) for k, v in detail.items()},
    )


def _class_day(request: HttpRequest, school_class: Any, day: dt.date) -> dict[str, Any]:
    periods, rows = asel.class_sheet(school_class=school_class, date=day)
    records = []
    for row in rows:
        for period, rec, _value in row.cells:
            if rec is None:
                continue
            records.append(
                {
                    "student": row.student.public_id,
                    "period": period.code,
                    "status": rec.status,
                    "leave_type": rec.leave_type.code if rec.leave_type else "",
                    "locked": rec.leave_id is not None,
                    "note": rec.note,
                }
            )
    return {
        "school_class": school_class.public_id,
        "date": day,
        "school_day": bool(services.school_days(school=school_class.school, start=day, end=day)),
        "may_record": access.may_record_attendance(request.user, school_class),
        "periods": [_period(p) for p in periods],
        "students": [
            {"student": r.student.public_id, "name": r.student.name, "seat": r.seat} for r in rows
        ],
        "records": records,
    }


@router.get(
    "/homeschool/attendance/classes/{public_id}",
    response=responses({200: ClassDayOut}, 403, 404, 422),
    summary="A class's attendance for one day",
    description=(
        "The enrolled students, the school's periods and the day's absences (leave with its "
        "type, unexcused, late; every other cell is present; cells from approved leave are "
        "locked). For the school's staff (403 for students and parents); another school's "
        "class 404. Staff reads are in the audit log."
    ),
)
def attendance_class_get(
    request: HttpRequest,
    public_id: PublicId,
    date: Annotated[dt.date | None, Query(description="The day (default today).")] = None,
) -> Any:
    school_class = _class(request, public_id)
    day = date or timezone.localdate()
    _audit_read(request, school_class, date=day)
    return _class_day(request, school_class, day)


@router.put(
    "/homeschool/attendance/classes/{public_id}",
    response=responses({200: ClassDaySetOut}, 403, 404, 422),
    summary="Record a class's attendance for one day",
    description=(
        "Set the named cells: present clears one, leave needs the leave type's code. Cells "
        "from approved leave stay as they are (kept). The homeroom teacher, the teachers who "
        "teach the class and the school's administrators (403 for other staff). Parents hear "
        "of an unexcused absence. A future day, a student not in the class or an unknown "
        "period or type is a 422 naming it, and nothing is changed."
    ),
)
def attendance_class_set(request: HttpRequest, public_id: PublicId, data: ClassDayIn) -> Any:
    from dtss.orgs.models import Enrollment

    school_class = _class(request, public_id)
    if not access.may_record_attendance(request.user, school_class):
        raise PermissionDenied(_("Only the class's teachers and the school record attendance."))
    if data.date > timezone.localdate():
        raise ValidationError({"date": _("Attendance cannot be recorded for a future day.")})
    services.school_setup_ensure(school=school_class.school)
    students = dict(
        Enrollment.objects.filter(school_class=school_class).values_list(
            "student__public_id", "student_id"
        )
    )
    periods = {p.code: p.pk for p in common.periods(school=school_class.school, active_only=False)}
    types = {t.code: t for t in common.leave_types(school=school_class.school)}
    marks: dict[tuple[int, int], tuple[str, LeaveType | None, str]] = {}
    errors: dict[str, str] = {}
    for i, m in enumerate(data.marks):
        sid, pid = students.get(m.student), periods.get(m.period)
        status = "" if m.status == "present" else m.status
        if sid is None:
            errors[f"marks.{i}.student"] = _("The student is not in this class.")
        elif pid is None:
            errors[f"marks.{i}.period"] = _("Not a period of this school.")
        elif status == "leave" and m.leave_type not in types:
            errors[f"marks.{i}.leave_type"] = _("Choose the leave type.")
        else:
            ltype = types.get(m.leave_type) if status == "leave" else None
            marks[(sid, pid)] = (status, ltype, m.note)
    if errors:
        raise ValidationError(errors)
    return services.attendance_set(
        user=request.user, school_class=school_class, date=data.date, marks=marks
    )


@router.get(
    "/homeschool/attendance/classes/{public_id}/report",
    response=responses({200: ClassReportOut}, 403, 404, 422),
    summary="A class's attendance report",
    description=(
        "Per student over the range (default this month): leave by type, unexcused and late, "
        "in the school's unit — periods (records) or days (per student, the dates with at "
        "least one such record). For the school's staff; another school's class 404."
    ),
)
def attendance_class_report_get(
    request: HttpRequest, public_id: PublicId, range_: Query[RangeQuery]
) -> Any:
    school_class = _class(request, public_id)
    start, end = _range(range_)
    report = asel.class_report(school_class=school_class, start=start, end=end)
    _audit_read(request, school_class, start=start, end=end)
    return {
        "school_class": school_class.public_id,
        "date_from": start,
        "date_to": end,
        "unit": "days" if report.in_days else "periods",
        "students": [
            {
                "student": line.student.public_id,
                "name": line.student.name,
                "seat": line.seat,
                "leave_by_type": [
                    {"code": t.code, "name": t.name, "count": n}
                    for t, n in zip(report.leave_types, line.by_type, strict=True)
                ],
                "leave": line.leave,
                "unexcused": line.unexcused,
                "late": line.late,
            }
            for line in report.lines
        ],
    }


@router.get(
    "/homeschool/attendance/schools/{public_id}/report",
    response=responses({200: SchoolReportOut}, 403, 404, 422),
    summary="A school's attendance report",
    description=(
        "Per class totals over the range (default this month), the school's totals per day, "
        "week or month, and the 缺曠高風險 list (the 20 students with most unexcused periods, "
        "with class and homeroom teacher). The school's administrators only (403 for other "
        "staff); another school 404."
    ),
)
def attendance_school_report_get(
    request: HttpRequest,
    public_id: PublicId,
    range_: Query[RangeQuery],
    group: Annotated[
        Literal["day", "week", "month"], Query(description="Totals per day, week or month.")
    ] = "day",
) -> Any:
    from dtss.orgs.models import School

    school = get_visible_or_404(School, request.user, public_id)
    if not access.may_read_school_reports(request.user, school):
        raise PermissionDenied(_("Only the school's administrators."))
    start, end = _range(range_)
    report = asel.school_report(school=school, start=start, end=end, group=group)
    _audit_read(request, school, start=start, end=end)
    return {
        "school": school.public_id,
        "date_from": start,
        "date_to": end,
        "unit": "days" if report.in_days else "periods",
        "group": report.group,
        "classes": [
            {
                "school_class": c.school_class.public_id,
                "class_name": str(c.school_class),
                "homeroom_teacher": c.school_class.homeroom_teacher.name
                if c.school_class.homeroom_teacher
                else "",
                "students": c.students,
                "leave": c.leave,
                "unexcused": c.unexcused,
                "late": c.late,
            }
            for c in report.classes
        ],
        "buckets": [
            {"start": b.start, "leave": b.leave, "unexcused": b.unexcused, "late": b.late}
            for b in report.buckets
        ],
        "risk": [
            {
                "student": r.student.public_id,
                "name": r.student.name,
                "class_name": str(r.school_class) if r.school_class else "",
                "homeroom_teacher": r.homeroom,
                "unexcused_periods": r.unexcused_periods,
                "unexcused_days": r.unexcused_days,
            }
            for r in report.risk
        ],
    }


@router.get(
    "/homeschool/attendance/students/{public_id}",
    response=responses({200: list[RecordOut]}, 404, 422),
    summary="A student's attendance records",
    description=(
        "The student's absences over the range (default this month), newest first. For the "
        "student, their parents, their homeroom teacher and the school's administrators; "
        "404 for anyone else. Staff reads are in the audit log."
    ),
)
@paged
def attendance_student_records(
    request: HttpRequest, public_id: PublicId, range_: Query[RangeQuery]
) -> Any:
    from dtss.orgs.models import Person

    student = get_visible_or_404(Person, request.user, public_id)
    enrolment = services.current_enrolment(student)
    if not asel.may_read_student(request.user, student, enrolment):
        raise Http404
    start, end = _range(range_)
    if not asel.is_family_of(request.user, student):
        _audit_read(request, student, start=start, end=end)
    rows = asel.student_records(user=request.user, student=student, start=start, end=end)
    return [_record(r) for r in rows]


def _record(r: AttendanceRecord) -> dict[str, Any]:
    return {
        "date": r.date,
        "period": r.period.code,
        "period_name": r.period.name,
        "status": r.status,
        "leave_type": r.leave_type.code if r.leave_type else "",
        "leave_type_name": r.leave_type.name if r.leave_type else "",
        "leave_request": r.leave.public_id if r.leave else None,
        "class_name": str(r.school_class),
    }
