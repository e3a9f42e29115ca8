"""Writes shared by every part of the platform: a school's defaults (leave types, periods),
notifications with quiet hours, and the leave workflow through to attendance records.

The contact book, announcements and messages have their own `*_services.py`; they notify
through `notify` here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings as dj_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.homeschool import access
from dtss.homeschool.models import (
    AttendanceRecord,
    HomeschoolSettings,
    LeaveAttachment,
    LeaveRequest,
    LeaveType,
    Notification,
    NotificationPreference,
    Period,
    TimetableSlot,
)

log = logging.getLogger(__name__)

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".heic": "image/heic",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
}
MAX_LEAVE_DAYS = 60

# (code, 中文, English, needs a document, needs a reason)
DEFAULT_LEAVE_TYPES: list[tuple[str, str, str, bool, bool]] = [
    ("personal", "事假", "Personal leave", False, True),
    ("sick", "病假", "Sick leave", False, True),
    ("official", "公假", "Official leave", True, True),
    ("bereavement", "喪假", "Bereavement leave", False, True),
    ("menstrual", "生理假", "Menstrual leave", False, False),
    ("pandemic", "防疫假", "Pandemic leave", False, True),
]
# (code, 中文, English, starts, ends) — a typical day; a school edits its own.
DEFAULT_PERIODS: list[tuple[str, str, str, str, str]] = [
    ("morning", "早自習", "Morning study", "07:30", "07:50"),
    ("flag", "升旗", "Assembly", "07:50", "08:05"),
    ("p1", "第一節", "Period 1", "08:10", "08:55"),
    ("p2", "第二節", "Period 2", "09:05", "09:50"),
    ("p3", "第三節", "Period 3", "10:10", "10:55"),
    ("p4", "第四節", "Period 4", "11:05", "11:50"),
    ("p5", "第五節", "Period 5", "13:20", "14:05"),
    ("p6", "第六節", "Period 6", "14:15", "15:00"),
    ("p7", "第七節", "Period 7", "15:15", "16:00"),
]
SENIOR_EXTRA_PERIOD = ("p8", "第八節", "Period 8", "16:10", "16:55")


# --- a school's defaults ----------------------------------------------------------------------


def settings_get(school: Any) -> HomeschoolSettings:
    """The school's settings row, or (unsaved) the defaults."""
    row = HomeschoolSettings.objects.filter(school=school).first()
    if row is not None:
        return row
    return HomeschoolSettings(
        county_id=school.county_id,
        school=school,
        count_in_days=school.stage == "elementary",
    )


@transaction.atomic
def school_setup_ensure(*, school: Any) -> None:
    """Give a school the default leave types and periods the first time it needs them."""
    if not LeaveType.objects.filter(school=school).exists():
        LeaveType.objects.bulk_create(
            [
                LeaveType(
                    county_id=school.county_id,
                    school=school,
                    code=code,
                    name_zh=zh,
                    name_en=en,
                    needs_attachment=doc,
                    needs_reason=reason,
                    order=i,
                )
                for i, (code, zh, en, doc, reason) in enumerate(DEFAULT_LEAVE_TYPES)
            ],
            ignore_conflicts=True,
        )
    if not Period.objects.filter(school=school).exists():
        rows = list(DEFAULT_PERIODS)
        if school.stage in access.SENIOR_STAGES:
            rows.append(SENIOR_EXTRA_PERIOD)
        Period.objects.bulk_create(
            [
                Period(
                    county_id=school.county_id,
                    school=school,
                    code=code,
                    name_zh=zh,
                    name_en=en,
                    order=i,
                    starts=dt.time.fromisoformat(starts),
                    ends=dt.time.fromisoformat(ends),
                )
                for i, (code, zh, en, starts, ends) in enumerate(rows)
            ],
            ignore_conflicts=True,
        )


def school_days(*, school: Any, start: dt.date, end: dt.date) -> list[dt.date]:
    """The school days from start to end (weekdays, less the county's and school's days off,
    plus make-up school days), from the helpdesk's working calendar."""
    from dtss.helpdesk.sla import calendar_for

    cal = calendar_for(county_id=school.county_id, school_id=school.pk, around=start)
    days = []
    day = start
    while day <= end:
        if cal.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --- notifications ----------------------------------------------------------------------------


def _preferences(person_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    return {p.person_id: p for p in NotificationPreference.objects.filter(person_id__in=person_ids)}


def quiet_window(pref: Any) -> tuple[dt.time, dt.time] | None:
    if pref is None or not pref.quiet_enabled or pref.quiet_start == pref.quiet_end:
        return None
    return pref.quiet_start, pref.quiet_end


def quiet_until(window: tuple[dt.time, dt.time] | None, now: dt.datetime) -> dt.datetime | None:
    """If `now` (any time zone) falls in the quiet hours, the moment they end; else None.
    A window may run over midnight (21:00–07:00)."""
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(now)
    t = local.time()
    tz = local.tzinfo
    if start < end:
        if start <= t < end:
            return dt.datetime.combine(local.date(), end, tzinfo=tz)
        return None
    if t >= start:
        return dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=tz)
    if t < end:
        return dt.datetime.combine(local.date(), end, tzinfo=tz)
    return None


def _default_window(school_id: int | None) -> tuple[dt.time, dt.time] | None:
    if school_id is None:
        return dt.time(21, 0), dt.time(7, 0)
    row = HomeschoolSettings.objects.filter(school_id=school_id).first()
    if row is None:
        return dt.time(21, 0), dt.time(7, 0)
    if row.quiet_start == row.quiet_end:
        return None
    return row.quiet_start, row.quiet_end


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    county_id: int,
    school_id: int | None = None,
    quiet: bool = True,
    urgent: bool = False,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Notify people in the app and, if they want it, by email. With `quiet`, a recipient in
    their quiet hours (their own, else their school's) gets it when the quiet hours end;
    `urgent` overrides quiet hours. Emails go out after the commit (due ones now, held ones from
    `notifications_deliver`)."""
    now = now or timezone.now()
    people = {p.pk: p for p in recipients if p is not None}
    if not people:
        return []
    prefs = _preferences(people)
    default = _default_window(school_id)
    rows = []
    for pid, person in people.items():
        pref = prefs.get(pid)
        deliver_at = now
        if quiet and not urgent:
            window = quiet_window(pref) if pref is not None else default
            held = quiet_until(window, now)
            if held is not None:
                deliver_at = held
        wants_email = bool(person.email) and (pref is None or pref.email)
        rows.append(
            Notification(
                county_id=county_id,
                school_id=school_id,
                recipient_id=pid,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:300],
                deliver_at=deliver_at,
                email_due=wants_email,
            )
        )
    Notification.objects.bulk_create(rows)
    if any(r.email_due and r.deliver_at <= now for r in rows):
        _deliver_soon()
    return rows


def _deliver_soon() -> None:
    from dtss.homeschool.tasks import notifications_deliver_task

    def enqueue() -> None:
        try:
            notifications_deliver_task.enqueue()
        except Exception:  # a failed mail queue must never undo what was done
            log.warning("homeschool notifications could not be queued", exc_info=True)

    transaction.on_commit(enqueue)


def notifications_deliver(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Email the notifications that are due and not emailed yet (each once). For the worker
    and for `dtss manage homeschool notify` (cron, every minute)."""
    from django.core.mail import send_mass_mail

    now = now or timezone.now()
    due = list(
        Notification.objects.filter(email_due=True, emailed_at__isnull=True, deliver_at__lte=now)
        .select_related("recipient")
        .order_by("deliver_at", "id")[:limit]
    )
    site = getattr(dj_settings, "SITE_URL", "").rstrip("/")
    messages = []
    for n in due:
        lines = [n.body] if n.body else []
        if n.url:
            lines.append(site + n.url)
        with translation.override(dj_settings.LANGUAGE_CODE):
            lines.append(_("This message was sent automatically by DTSS."))
        messages.append((f"[DTSS] {n.title}", "\n\n".join(lines), None, [n.recipient.email]))
    sent = 0
    if messages:
        sent = send_mass_mail(messages, fail_silently=False) or 0
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(emailed_at=now)
    return {"due": len(due), "sent": sent}


def notification_mark_read(
    *, user: Any, notifications: Iterable[Notification] | None = None
) -> int:
    """Mark the user's notifications read (all delivered ones when none are named)."""
    person_id = scope_for(user).person_id
    if person_id is None:
        return 0
    now = timezone.now()
    qs = Notification.objects.filter(
        recipient_id=person_id, read_at__isnull=True, deliver_at__lte=now
    )
    if notifications is not None:
        qs = qs.filter(pk__in=[n.pk for n in notifications])
    return qs.update(read_at=now)


def preference_save(
    *,
    user: Any,
    email: bool,
    quiet_enabled: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
) -> NotificationPreference:
    """A person's own notification settings."""
    scope = scope_for(user)
    if scope.person_id is None:
        raise PermissionDenied
    errors = {}
    if quiet_enabled and (quiet_start is None or quiet_end is None):
        errors["quiet_start"] = _("Give both the start and the end of the quiet hours.")
    elif quiet_enabled and quiet_start == quiet_end:
        errors["quiet_end"] = _("The quiet hours must end at another time than they start.")
    if errors:
        raise ValidationError(errors)
    person = user.person
    pref, _created = NotificationPreference.objects.update_or_create(
        person=person,
        defaults={
            "county_id": person.county_id,
            "email": email,
            "quiet_enabled": quiet_enabled,
            "quiet_start": quiet_start or dt.time(21, 0),
            "quiet_end": quiet_end or dt.time(7, 0),
        },
    )
    audit_record(actor=user, action="homeschool.preferences", obj=pref)
    return pref


def link(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- leave ------------------------------------------------------------------------------------


def current_enrolment(student: Any) -> Any:
    """The student's latest enrolment (class of the latest term), or None."""
    from dtss.orgs.selectors import current_enrollments

    return current_enrollments(people=[student]).get(student.pk)


def check_files(files: list[Any], *, field: str = "files") -> None:
    import os

    if len(files) > MAX_FILES:
        raise ValidationError({field: _("At most %(n)d files.") % {"n": MAX_FILES}})
    for f in files:
        ext = os.path.splitext(f.name or "")[1].lower()
        if ext not in FILE_TYPES:
            raise ValidationError(
                {field: _("%(name)s: this type of file is not accepted.") % {"name": f.name}}
            )
        if f.size > MAX_FILE_BYTES:
            raise ValidationError({field: _("%(name)s is larger than 10 MB.") % {"name": f.name}})


def _leave_periods(school: Any, periods: Iterable[Any]) -> list[Period]:
    chosen = list(periods)
    if any(p.school_id != school.pk for p in chosen):
        raise ValidationError({"periods": _("Choose periods of the student's school.")})
    return chosen


@transaction.atomic
def leave_request_create(
    *,
    user: Any,
    student: Any,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    periods: Iterable[Period] = (),
    reason: str = "",
    files: Iterable[Any] = (),
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """A parent (or a student where allowed, or the school for a paper form) requests leave.
    Routed to the homeroom teacher, who is notified; a paper form entered by the school's
    administrators is approved at once."""
    enrolment = current_enrolment(student)
    if enrolment is None:
        raise ValidationError({"student": _("The student is not in any class.")})
    school, school_class = enrolment.school, enrolment.school_class
    cfg = settings_get(school)
    how = access.may_request_leave(user, student=student, school=school, settings=cfg)
    if how is None:
        raise PermissionDenied(_("You may not request leave for this student."))
    files = list(files)
    errors: dict[str, str] = {}
    if leave_type.school_id != school.pk or not leave_type.active:
        errors["leave_type"] = _("Choose a leave type of the student's school.")
    if end_date < start_date:
        errors["end_date"] = _("The last day cannot be before the first.")
    elif (end_date - start_date).days >= MAX_LEAVE_DAYS:
        errors["end_date"] = _("Leave of more than %(n)d days is arranged with the school.") % {
            "n": MAX_LEAVE_DAYS
        }
    reason = reason.strip()
    if not errors.get("leave_type") and leave_type.needs_reason and not reason:
        errors["reason"] = _("Give a reason for this kind of leave.")
    if not errors.get("leave_type") and leave_type.needs_attachment and not files:
        errors["files"] = _("This kind of leave needs a document (for example a doctor's note).")
    if errors:
        raise ValidationError(errors)
    chosen = _leave_periods(school, periods)
    days = school_days(school=school, start=start_date, end=end_date)
    if not days:
        raise ValidationError({"start_date": _("There is no school day in these dates.")})
    check_files(files)
    overlap = LeaveRequest.objects.filter(
        student=student,
        status__in=[*LeaveRequest.OPEN_STATUSES, LeaveRequest.Status.APPROVED],
        start_date__lte=end_date,
        end_date__gte=start_date,
    )
    for other in overlap.prefetch_related("periods"):
        other_periods = {p.pk for p in other.periods.all()}
        mine = {p.pk for p in chosen}
        if not other_periods or not mine or other_periods & mine:
            raise ValidationError(
                {
                    "start_date": _(
                        "There is already a leave request for these days (%(from)s–%(to)s)."
                    )
                    % {"from": other.start_date, "to": other.end_date}
                }
            )
    requester = user.person
    leave = LeaveRequest.objects.create(
        county_id=school.county_id,
        school=school,
        school_class=school_class,
        student=student,
        requested_by=requester,
        source=how,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        days=len(days),
    )
    leave.periods.set(chosen)
    for f in files:
        leave_attach(leave=leave, upload=f)
    audit_record(actor=user, action="homeschool.leave_request", obj=leave)
    if how == "staff" and not _needs_second(leave, cfg):
        _approve(leave, user=user, now=now, note="")
        return leave
    if how == "staff":
        leave.status = LeaveRequest.Status.SECOND
        leave.decided_by = requester
        leave.decided_at = now or timezone.now()
        leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        _notify_second(leave, cfg)
        return leave
    teacher = school_class.homeroom_teacher
    recipients = [teacher] if teacher is not None else _school_admins(school)
    notify(
        recipients=recipients,
        kind="leave",
        title=_("Leave request: %(student)s, %(dates)s")
        % {"student": student.name, "dates": _dates(leave)},
        body=f"{leave.leave_type.name_zh}：{reason}",
        url=link("homeschool:leave_detail", leave.public_id),
        county_id=school.county_id,
        school_id=school.pk,
        now=now,
    )
    return leave


def leave_attach(*, leave: LeaveRequest, upload: Any) -> LeaveAttachment:
    import mimetypes
    import os

    ext = os.path.splitext(upload.name or "")[1].lower()
    ctype = FILE_TYPES.get(ext) or mimetypes.guess_type(upload.name)[0] or ""
    return LeaveAttachment.objects.create(
        county_id=leave.county_id,
        school_id=leave.school_id,
        school_class_id=leave.school_class_id,
        student_id=leave.student_id,
        leave=leave,
        file=upload,
        name=os.path.basename(upload.name)[:200],
        size=upload.size or 0,
        content_type=ctype,
    )


def _dates(leave: LeaveRequest) -> str:
    if leave.start_date == leave.end_date:
        return f"{leave.start_date:%m/%d}"
    return f"{leave.start_date:%m/%d}–{leave.end_date:%m/%d}"


def _school_admins(school: Any) -> list[Any]:
    from dtss.orgs.models import Membership, Role

    return [
        m.person
        for m in Membership.objects.filter(school=school, role=Role.SCHOOL_ADMIN).select_related(
            "person"
        )
    ]


def _needs_second(leave: LeaveRequest, cfg: HomeschoolSettings) -> bool:
    return bool(cfg.second_approval_days) and leave.days >= (cfg.second_approval_days or 0)


def _notify_second(leave: LeaveRequest, cfg: HomeschoolSettings) -> None:
    approvers = [cfg.second_approver] if cfg.second_approver_id else _school_admins(leave.school)
    notify(
        recipients=approvers,
        kind="leave",
        title=_("Long leave to approve: %(student)s, %(dates)s")
        % {"student": leave.student.name, "dates": _dates(leave)},
        url=link("homeschool:leave_detail", leave.public_id),
        county_id=leave.county_id,
        school_id=leave.school_id,
    )


@transaction.atomic
def leave_decide(
    *,
    user: Any,
    leave: LeaveRequest,
    approve: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """The homeroom teacher's (or the second approver's) decision. Declining needs a reason.
    A final approval writes the attendance records and tells the subject teachers."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    now = now or timezone.now()
    cfg = settings_get(leave.school)
    note = note.strip()
    if leave.status == LeaveRequest.Status.PENDING:
        if not access.may_decide_first(user, leave):
            raise PermissionDenied(_("Only the homeroom teacher or the school decides this."))
        second = False
    elif leave.status == LeaveRequest.Status.SECOND:
        if not access.may_decide_second(user, leave, cfg):
            raise PermissionDenied(_("Only the second approver decides this."))
        second = True
    else:
        raise ValidationError(_("This leave request has already been decided."))
    if not approve and not note:
        raise ValidationError({"note": _("Say why the leave is declined.")})
    person = getattr(user, "person", None)
    if second:
        leave.second_decided_by = person
        leave.second_decided_at = now
    else:
        leave.decided_by = person
        leave.decided_at = now
    if note:
        leave.decision_note = note
    if not approve:
        leave.status = LeaveRequest.Status.DECLINED
        leave.save()
        audit_record(actor=user, action="homeschool.leave_decline", obj=leave)
        _notify_family(leave, _("Leave declined"), now=now)
        return leave
    if not second and _needs_second(leave, cfg):
        leave.status = LeaveRequest.Status.SECOND
        leave.save()
        audit_record(actor=user, action="homeschool.leave_approve_first", obj=leave)
        _notify_second(leave, cfg)
        return leave
    leave.save()
    _approve(leave, user=user, now=now, note=note)
    return leave


def _approve(leave: LeaveRequest, *, user: Any, now: dt.datetime | None, note: str) -> None:
    now = now or timezone.now()
    leave.status = LeaveRequest.Status.APPROVED
    if leave.decided_at is None:
        leave.decided_by = getattr(user, "person", None)
        leave.decided_at = now
    leave.save()
    records = leave_records_write(leave=leave, recorded_by=getattr(user, "person", None))
    audit_record(
        actor=user, action="homeschool.leave_approve", obj=leave, detail={"periods": records}
    )
    _notify_family(leave, _("Leave approved"), now=now)
    _notify_subject_teachers(leave, now=now)


def leave_periods_of(leave: LeaveRequest) -> list[Period]:
    chosen = list(leave.periods.all())
    if chosen:
        return sorted(chosen, key=lambda p: p.order)
    return list(Period.objects.filter(school_id=leave.school_id, active=True).order_by("order"))


def leave_records_write(*, leave: LeaveRequest, recorded_by: Any) -> int:
    """Approved leave as attendance records: one per school day and period. A period already
    recorded (an unexcused absence entered before the leave came in) becomes leave. A few
    queries whatever the leave's length: the existing records are read once, then updated and
    created in bulk (the caller's transaction holds the student's rows)."""
    periods = leave_periods_of(leave)
    days = school_days(school=leave.school, start=leave.start_date, end=leave.end_date)
    if not periods or not days:
        return 0
    values = {
        "county_id": leave.county_id,
        "school_id": leave.school_id,
        "school_class_id": leave.school_class_id,
        "status": AttendanceRecord.Status.LEAVE,
        "leave_type_id": leave.leave_type_id,
        "leave_id": leave.pk,
        "recorded_by_id": getattr(recorded_by, "pk", None),
        "note": "",
    }
    existing = {
        (r.date, r.period_id): r
        for r in AttendanceRecord.objects.select_for_update().filter(
            student_id=leave.student_id, date__in=days, period__in=periods
        )
    }
    now = timezone.now()
    changed, new = [], []
    for day in days:
        for period in periods:
            record = existing.get((day, period.pk))
            if record is None:
                new.append(
                    AttendanceRecord(student_id=leave.student_id, date=day, period=period, **values)
                )
                continue
            for field, value in values.items():
                setattr(record, field, value)
            record.updated_at = now
            changed.append(record)
    if changed:
        AttendanceRecord.objects.bulk_update(changed, [*values, "updated_at"])
    AttendanceRecord.objects.bulk_create(new)
    return len(changed) + len(new)


def _notify_family(leave: LeaveRequest, title: str, *, now: dt.datetime) -> None:
    from dtss.orgs.models import Guardianship, Person

    ids = {leave.requested_by_id, leave.student_id} | set(
        Guardianship.objects.filter(child_id=leave.student_id).values_list("parent_id", flat=True)
    )
    notify(
        recipients=Person.objects.filter(pk__in=ids),
        kind="leave",
        title=f"{title}: {leave.student.name} {_dates(leave)}",
        body=leave.decision_note,
        url=link("homeschool:leave_detail", leave.public_id),
        county_id=leave.county_id,
        school_id=leave.school_id,
        now=now,
    )


def _notify_subject_teachers(leave: LeaveRequest, *, now: dt.datetime) -> int:
    """Tell each teacher of the periods the student misses: one notification per teacher
    listing the days and periods. Returns how many teachers were told."""
    periods = {p.pk: p for p in leave_periods_of(leave)}
    days = school_days(school=leave.school, start=leave.start_date, end=leave.end_date)
    slots = TimetableSlot.objects.filter(
        school_class_id=leave.school_class_id,
        period_id__in=periods,
        weekday__in={d.isoweekday() for d in days},
        teacher__isnull=False,
    ).select_related("teacher", "period")
    by_teacher: dict[int, list[str]] = defaultdict(list)
    teachers = {}
    for day in days:
        for slot in slots:
            if slot.weekday == day.isoweekday():
                teachers[slot.teacher_id] = slot.teacher
                by_teacher[slot.teacher_id].append(
                    f"{day:%m/%d} {slot.period.name_zh} {slot.subject}"
                )
    homeroom = leave.school_class.homeroom_teacher_id
    for tid, lines in by_teacher.items():
        if tid == homeroom:
            continue
        notify(
            recipients=[teachers[tid]],
            kind="attendance",
            title=_("%(student)s (%(cls)s) is on leave in your periods")
            % {"student": leave.student.name, "cls": str(leave.school_class)},
            body=f"{leave.leave_type.name_zh}：" + "、".join(lines),
            url=link("homeschool:attendance_class", leave.school_class.public_id),
            county_id=leave.county_id,
            school_id=leave.school_id,
            now=now,
        )
    return len([t for t in by_teacher if t != homeroom])


@transaction.atomic
def leave_cancel(*, user: Any, leave: LeaveRequest, now: dt.datetime | None = None) -> LeaveRequest:
    """The requester (or a parent of the student) withdraws a request before it is decided;
    the school's administrators may cancel an approved one, which removes its records."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    scope = scope_for(user)
    family = scope.person_id == leave.requested_by_id or access.is_parent_of(
        scope, leave.student_id
    )
    if leave.is_open and (family or access.is_school_admin(scope, leave.school_id)):
        pass
    elif leave.status == LeaveRequest.Status.APPROVED and access.is_school_admin(
        scope, leave.school_id
    ):
        AttendanceRecord.objects.filter(leave=leave).delete()
    elif leave.status in (LeaveRequest.Status.DECLINED, LeaveRequest.Status.CANCELLED):
        raise ValidationError(_("This leave request is already closed."))
    else:
        raise PermissionDenied(_("You may not cancel this leave request."))
    leave.status = LeaveRequest.Status.CANCELLED
    leave.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="homeschool.leave_cancel", obj=leave)
    return leave


# --- attendance by the school -----------------------------------------------------------------


@transaction.atomic
def attendance_set(
    *,
    user: Any,
    school_class: Any,
    date: dt.date,
    marks: dict[tuple[int, int], tuple[str, LeaveType | None, str]],
) -> dict[str, int]:
    """Record a class's attendance for one day: marks[(student_id, period_id)] = (status,
    leave type or None, note); status "" (present) removes a record. Records that came from an
    approved leave request are not changed here. Validates everything before writing."""
    if not access.may_record_attendance(user, school_class):
        raise PermissionDenied(_("Only the class's teachers and the school record attendance."))
    from dtss.orgs.models import Enrollment

    if date > timezone.localdate():
        raise ValidationError({"date": _("Attendance cannot be recorded for a future day.")})
    students = set(
        Enrollment.objects.filter(school_class=school_class).values_list("student_id", flat=True)
    )
    periods = set(
        Period.objects.filter(school_id=school_class.school_id).values_list("pk", flat=True)
    )
    errors: dict[str, str] = {}
    for (sid, pid), (status, ltype, _note) in marks.items():
        key = f"mark-{sid}-{pid}"
        if sid not in students:
            errors[key] = _("The student is not in this class.")
        elif pid not in periods:
            errors[key] = _("Not a period of this school.")
        elif status not in ("", *AttendanceRecord.Status.values):
            errors[key] = _("Unknown attendance status.")
        elif status == AttendanceRecord.Status.LEAVE and (
            ltype is None or ltype.school_id != school_class.school_id
        ):
            errors[key] = _("Choose the leave type.")
    if errors:
        raise ValidationError(errors)
    existing = {
        (r.student_id, r.period_id): r
        for r in AttendanceRecord.objects.filter(school_class=school_class, date=date)
    }
    person = getattr(user, "person", None)
    counts = {"set": 0, "cleared": 0, "kept": 0}
    for (sid, pid), (status, ltype, note) in marks.items():
        row = existing.get((sid, pid))
        if row is not None and row.leave_id is not None:
            counts["kept"] += 1
            continue
        if not status:
            if row is not None:
                row.delete()
                counts["cleared"] += 1
            continue
        AttendanceRecord.objects.update_or_create(
            student_id=sid,
            date=date,
            period_id=pid,
            defaults={
                "county_id": school_class.county_id,
                "school_id": school_class.school_id,
                "school_class": school_class,
                "status": status,
                "leave_type": ltype if status == AttendanceRecord.Status.LEAVE else None,
                "recorded_by": person,
                "note": note[:200],
            },
        )
        counts["set"] += 1
    audit_record(
        actor=user,
        action="homeschool.attendance",
        obj=school_class,
        detail={"date": date.isoformat(), **counts},
    )
    if counts["set"]:
        _notify_unexcused(school_class, date, marks)
    return counts


def _notify_unexcused(
    school_class: Any, date: dt.date, marks: dict[tuple[int, int], tuple[str, Any, str]]
) -> None:
    """Parents hear of an unexcused absence (曠課) the day it is recorded."""
    from dtss.orgs.models import Guardianship, Person

    missed: dict[int, list[int]] = defaultdict(list)
    for (sid, pid), (status, _t, _n) in marks.items():
        if status == AttendanceRecord.Status.UNEXCUSED:
            missed[sid].append(pid)
    if not missed:
        return
    names = dict(
        Period.objects.filter(pk__in={p for v in missed.values() for p in v}).values_list(
            "pk", "name_zh"
        )
    )
    students = Person.objects.in_bulk(list(missed))
    for sid, pids in missed.items():
        parents = Person.objects.filter(
            pk__in=Guardianship.objects.filter(child_id=sid).values("parent_id")
        )
        notify(
            recipients=parents,
            kind="attendance",
            title=_("Unexcused absence: %(student)s, %(date)s")
            % {"student": students[sid].name, "date": f"{date:%m/%d}"},
            body="、".join(names.get(p, "") for p in pids),
            url=link("homeschool:family"),
            county_id=school_class.county_id,
            school_id=school_class.school_id,
        )
