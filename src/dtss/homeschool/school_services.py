"""Writes of a school's contact-book settings: approval and quiet-hours rules, leave types,
periods and the classes' timetables.

Who: `access.may_configure_school` (the school's administrators and its county's). Every write
validates first, changes nothing on bad input (a dict naming the field) and is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dtss.core.csvfile import rows_from_csv
from dtss.core.services import audit_record
from dtss.homeschool import access
from dtss.homeschool.models import (
    AttendanceRecord,
    HomeschoolSettings,
    LeaveRequest,
    LeaveType,
    Period,
    TimetableSlot,
)
from dtss.homeschool.services import settings_get

WEEKDAYS = (1, 2, 3, 4, 5)
MAX_IMPORT_ROWS = 200
TIMETABLE_COLUMNS = ("weekday", "period", "subject", "teacher")
HEADER_ALIASES = {
    "weekday": "weekday",
    "星期": "weekday",
    "day": "weekday",
    "period": "period",
    "period code": "period",
    "節次": "period",
    "subject": "subject",
    "科目": "subject",
    "teacher": "teacher",
    "教師": "teacher",
    "老師": "teacher",
}


def _require_configure(user: Any, school: Any) -> None:
    if not access.may_configure_school(user, school):
        raise PermissionDenied(_("Only the school's administrators may change these settings."))


def school_teachers(school: Any) -> list[Any]:
    """The school's teachers and administrators (who may teach a period), by name."""
    from dtss.orgs.models import Membership, Person, Role

    ids = Membership.objects.filter(
        school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids, active=True).order_by("name", "id"))


# --- settings ---------------------------------------------------------------------------------


@transaction.atomic
def settings_save(
    *,
    user: Any,
    school: Any,
    students_may_request_leave: bool,
    second_approval_days: int | None,
    second_approver: Any,
    count_in_days: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
) -> HomeschoolSettings:
    """Save the school's rules. Students request their own leave only at senior high,
    vocational and complete schools; the second approver is an administrator or teacher of
    this school; the second approval applies from 1–60 school days (empty: never)."""
    _require_configure(user, school)
    errors: dict[str, str] = {}
    if students_may_request_leave and school.stage not in access.SENIOR_STAGES:
        errors["students_may_request_leave"] = _(
            "Only senior high, vocational and complete high schools may let students request "
            "leave themselves."
        )
    if second_approval_days is not None and not 1 <= second_approval_days <= 60:
        errors["second_approval_days"] = _("Give a number of days from 1 to 60, or leave it empty.")
    if second_approver is not None and second_approver.pk not in {
        p.pk for p in school_teachers(school)
    }:
        errors["second_approver"] = _(
            "The second approver must be an administrator or teacher of this school."
        )
    if quiet_start is None:
        errors["quiet_start"] = _("Give the time the quiet hours start.")
    if quiet_end is None:
        errors["quiet_end"] = _("Give the time the quiet hours end.")
    if errors:
        raise ValidationError(errors)
    row = settings_get(school)
    before = {
        "students_may_request_leave": row.students_may_request_leave,
        "second_approval_days": row.second_approval_days,
        "second_approver": row.second_approver_id,
        "count_in_days": row.count_in_days,
        "quiet": f"{row.quiet_start:%H:%M}-{row.quiet_end:%H:%M}",
    }
    row.students_may_request_leave = students_may_request_leave
    row.second_approval_days = second_approval_days
    row.second_approver = second_approver
    row.count_in_days = count_in_days
    row.quiet_start = quiet_start
    row.quiet_end = quiet_end
    row.save()
    audit_record(actor=user, action="homeschool.settings", obj=row, detail={"before": before})
    return row


# --- leave types ------------------------------------------------------------------------------


def leave_type_in_use(leave_type: LeaveType) -> bool:
    return (
        LeaveRequest.objects.filter(leave_type=leave_type).exists()
        or AttendanceRecord.objects.filter(leave_type=leave_type).exists()
    )


def _check_names(
    errors: dict[str, str],
    *,
    name_zh: str,
    name_en: str,
    code: str,
    model: Any,
    school: Any,
    pk: Any,
) -> None:
    from django.core.validators import validate_slug

    if not name_zh.strip():
        errors["name_zh"] = _("Give the Chinese name.")
    elif len(name_zh.strip()) > 50:
        errors["name_zh"] = _("At most %(n)d characters.") % {"n": 50}
    if len(name_en.strip()) > 80:
        errors["name_en"] = _("At most %(n)d characters.") % {"n": 80}
    code = code.strip()
    if not code:
        errors["code"] = _("Give a short code (letters, digits, - or _).")
        return
    try:
        validate_slug(code)
    except ValidationError:
        errors["code"] = _("Use letters, digits, - or _ only.")
        return
    if len(code) > 20:
        errors["code"] = _("At most %(n)d characters.") % {"n": 20}
    elif model.objects.filter(school=school, code=code).exclude(pk=pk).exists():
        errors["code"] = _("The school already has this code.")


@transaction.atomic
def leave_type_save(
    *,
    user: Any,
    school: Any,
    leave_type: LeaveType | None = None,
    name_zh: str,
    name_en: str = "",
    code: str,
    needs_attachment: bool = False,
    needs_reason: bool = True,
    active: bool = True,
    order: int = 0,
) -> LeaveType:
    """Add a leave type to the school (leave_type None) or change one."""
    _require_configure(user, school)
    if leave_type is not None and leave_type.school_id != school.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_names(
        errors,
        name_zh=name_zh,
        name_en=name_en,
        code=code,
        model=LeaveType,
        school=school,
        pk=getattr(leave_type, "pk", None),
    )
    if not 0 <= order <= 999:
        errors["order"] = _("Give a number from 0 to 999.")
    if errors:
        raise ValidationError(errors)
    row = leave_type or LeaveType(county_id=school.county_id, school=school)
    row.name_zh = name_zh.strip()
    row.name_en = name_en.strip()
    row.code = code.strip()
    row.needs_attachment = needs_attachment
    row.needs_reason = needs_reason
    row.active = active
    row.order = order
    row.save()
    audit_record(
        actor=user,
        action="homeschool.leave_type_add" if leave_type is None else "homeschool.leave_type_edit",
        obj=row,
        detail={"code": row.code, "active": row.active},
    )
    return row


@transaction.atomic
def leave_type_delete(*, user: Any, leave_type: LeaveType) -> None:
    """Delete a leave type no request or record uses; one in use is deactivated instead."""
    _require_configure(user, leave_type.school)
    if leave_type_in_use(leave_type):
        raise ValidationError(
            {
                "leave_type": _(
                    "This leave type is used by leave requests or attendance records and "
                    "cannot be deleted. Deactivate it instead."
                )
            }
        )
    audit_record(
        actor=user,
        action="homeschool.leave_type_delete",
        obj=leave_type,
        detail={"code": leave_type.code},
    )
    leave_type.delete()


# --- periods ----------------------------------------------------------------------------------


def period_in_use(period: Period) -> bool:
    return (
        AttendanceRecord.objects.filter(period=period).exists()
        or LeaveRequest.periods.through.objects.filter(period_id=period.pk).exists()
        or TimetableSlot.objects.filter(period=period).exists()
    )


@transaction.atomic
def period_save(
    *,
    user: Any,
    school: Any,
    period: Period | None = None,
    name_zh: str,
    name_en: str = "",
    code: str,
    order: int | None = None,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    active: bool = True,
) -> Period:
    """Add a period to the school's day (at the end unless an order is given) or change one.
    Times are optional; when both are given the end comes after the start."""
    _require_configure(user, school)
    if period is not None and period.school_id != school.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_names(
        errors,
        name_zh=name_zh,
        name_en=name_en,
        code=code,
        model=Period,
        school=school,
        pk=getattr(period, "pk", None),
    )
    if starts is not None and ends is not None and ends <= starts:
        errors["ends"] = _("The period must end after it starts.")
    if order is not None and not 0 <= order <= 999:
        errors["order"] = _("Give a number from 0 to 999.")
    if errors:
        raise ValidationError(errors)
    row = period or Period(county_id=school.county_id, school=school)
    if order is None and period is None:
        last = Period.objects.filter(school=school).order_by("-order").first()
        order = (last.order + 1) if last else 0
    if order is not None:
        row.order = order
    row.name_zh = name_zh.strip()
    row.name_en = name_en.strip()
    row.code = code.strip()
    row.starts = starts
    row.ends = ends
    row.active = active
    row.save()
    audit_record(
        actor=user,
        action="homeschool.period_add" if period is None else "homeschool.period_edit",
        obj=row,
        detail={"code": row.code, "active": row.active},
    )
    return row


@transaction.atomic
def period_delete(*, user: Any, period: Period) -> None:
    """Delete a period no request, record or timetable uses; else deactivate it instead."""
    _require_configure(user, period.school)
    if period_in_use(period):
        raise ValidationError(
            {
                "period": _(
                    "This period is used by leave requests, attendance records or the "
                    "timetable and cannot be deleted. Deactivate it instead."
                )
            }
        )
    audit_record(
        actor=user, action="homeschool.period_delete", obj=period, detail={"code": period.code}
    )
    period.delete()


@transaction.atomic
def period_move(*, user: Any, period: Period, direction: int) -> None:
    """Move a period one place earlier (-1) or later (+1) in the day; renumbers the day."""
    _require_configure(user, period.school)
    rows = list(Period.objects.filter(school_id=period.school_id).order_by("order", "id"))
    i = next(n for n, p in enumerate(rows) if p.pk == period.pk)
    j = i + (1 if direction > 0 else -1)
    if not 0 <= j < len(rows):
        return
    rows[i], rows[j] = rows[j], rows[i]
    for n, p in enumerate(rows):
        if p.order != n:
            p.order = n
            p.save(update_fields=["order", "updated_at"])
    audit_record(
        actor=user,
        action="homeschool.period_move",
        obj=period,
        detail={"order": [p.code for p in rows]},
    )


# --- timetable --------------------------------------------------------------------------------


@dataclass
class Cell:
    weekday: int
    period: Period
    subject: str
    teacher: Any = None


def cell_key(weekday: int, period: Period) -> str:
    return f"cell-{weekday}-{period.code}"


def timetable_check(school_class: Any, cells: list[Cell]) -> dict[str, str]:
    """The errors of these cells by `cell-<weekday>-<period code>` (empty: all good)."""
    teachers = {p.pk for p in school_teachers(school_class.school)}
    active = {p.pk for p in Period.objects.filter(school_id=school_class.school_id, active=True)}
    errors: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    for c in cells:
        key = cell_key(c.weekday, c.period)
        if c.weekday not in WEEKDAYS:
            errors[key] = _("The weekday must be 1 (Monday) to 5 (Friday).")
        elif c.period.pk not in active:
            errors[key] = _("Not an active period of this school.")
        elif (c.weekday, c.period.pk) in seen:
            errors[key] = _("This period of this day is given twice.")
        elif not c.subject.strip():
            errors[key] = _("Give the subject (or leave the whole cell empty).")
        elif len(c.subject.strip()) > 50:
            errors[key] = _("At most %(n)d characters.") % {"n": 50}
        elif c.teacher is not None and c.teacher.pk not in teachers:
            errors[key] = _("The teacher must be a teacher of this school.")
        seen.add((c.weekday, c.period.pk))
    return errors


def _replace(school_class: Any, cells: list[Cell]) -> int:
    TimetableSlot.objects.filter(school_class=school_class).delete()
    TimetableSlot.objects.bulk_create(
        [
            TimetableSlot(
                county_id=school_class.county_id,
                school_id=school_class.school_id,
                school_class=school_class,
                weekday=c.weekday,
                period=c.period,
                subject=c.subject.strip(),
                teacher=c.teacher,
            )
            for c in cells
        ]
    )
    return len(cells)


@transaction.atomic
def timetable_save(*, user: Any, school_class: Any, cells: list[Cell]) -> int:
    """Replace the class's whole timetable with these cells (all or nothing). Errors name the
    cell: `cell-<weekday>-<period code>`."""
    _require_configure(user, school_class.school)
    errors = timetable_check(school_class, cells)
    if errors:
        raise ValidationError(errors)
    n = _replace(school_class, cells)
    audit_record(actor=user, action="homeschool.timetable", obj=school_class, detail={"slots": n})
    return n


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def timetable_template() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(TIMETABLE_COLUMNS)
    writer.writerow(["1", "p1", "國語", "teacher-external-id"])
    writer.writerow(["1", "p2", "數學", "王小明"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@transaction.atomic
def timetable_import_csv(*, user: Any, school_class: Any, data: bytes) -> ImportResult:
    """Rows of weekday (1–5), period code, subject and teacher (external id or name; may be
    empty). Replaces the class's timetable; all or nothing: every bad row is listed and
    nothing is saved unless every row is good."""
    _require_configure(user, school_class.school)
    rows = [r for r in rows_from_csv(data) if any(c for c in r)]
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError({"file": _("At most %(n)d rows at once.") % {"n": MAX_IMPORT_ROWS}})
    result = ImportResult()
    first = [HEADER_ALIASES.get(c.strip().lower(), "") for c in rows[0]]
    if "weekday" in first:
        header, body, offset = first, rows[1:], 2
        for needed in ("weekday", "period", "subject"):
            if needed not in header:
                result.errors.append(
                    {"row": 1, "field": needed, "message": _("This column is missing.")}
                )
        if result.errors:
            return result
    else:
        header, body, offset = list(TIMETABLE_COLUMNS), rows, 1
    periods = {p.code: p for p in Period.objects.filter(school_id=school_class.school_id)}
    teachers = school_teachers(school_class.school)
    by_ext = {p.external_id: p for p in teachers if getattr(p, "external_id", "")}
    by_name: dict[str, list[Any]] = {}
    for p in teachers:
        by_name.setdefault(p.name, []).append(p)
    cells: list[Cell] = []
    seen: dict[tuple[int, int], int] = {}
    for n, raw in enumerate(body, start=offset):
        values = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        problems: list[tuple[str, str]] = []
        weekday = values.get("weekday", "")
        day = int(weekday) if weekday.isdigit() else 0
        if day not in WEEKDAYS:
            problems.append(("weekday", _("Write the weekday as 1 (Monday) to 5 (Friday).")))
        period = periods.get(values.get("period", ""))
        if period is None or not period.active:
            problems.append(("period", _("No active period of this school has this code.")))
        subject = values.get("subject", "").strip()
        if not subject:
            problems.append(("subject", _("Give the subject.")))
        elif len(subject) > 50:
            problems.append(("subject", _("At most %(n)d characters.") % {"n": 50}))
        teacher = None
        who = values.get("teacher", "").strip()
        if who:
            teacher = by_ext.get(who)
            if teacher is None:
                named = by_name.get(who, [])
                if len(named) == 1:
                    teacher = named[0]
                elif len(named) > 1:
                    problems.append(
                        ("teacher", _("Several teachers have this name: use the external id."))
                    )
                else:
                    problems.append(
                        ("teacher", _("No teacher of this school has this id or name."))
                    )
        if problems:
            result.errors += [{"row": n, "field": f, "message": m} for f, m in problems]
            continue
        assert period is not None
        key = (day, period.pk)
        if key in seen:
            result.errors.append(
                {
                    "row": n,
                    "field": "period",
                    "message": _("The same day and period is also in row %(row)s.")
                    % {"row": seen[key]},
                }
            )
            continue
        seen[key] = n
        cells.append(Cell(day, period, subject, teacher))
    if result.errors:
        return result
    result.saved = _replace(school_class, cells)
    audit_record(
        actor=user,
        action="homeschool.timetable_import",
        obj=school_class,
        detail={"slots": result.saved},
    )
    return result


@transaction.atomic
def timetable_copy(*, user: Any, school_class: Any, source: Any) -> int:
    """Replace the class's timetable with a copy of another class's of the same school."""
    _require_configure(user, school_class.school)
    if source.school_id != school_class.school_id or source.pk == school_class.pk:
        raise ValidationError({"source": _("Choose another class of this school.")})
    cells = [
        Cell(s.weekday, s.period, s.subject, s.teacher)
        for s in TimetableSlot.objects.filter(school_class=source)
        .filter(Q(period__active=True))
        .select_related("period", "teacher")
    ]
    n = _replace(school_class, cells)
    audit_record(
        actor=user,
        action="homeschool.timetable_copy",
        obj=school_class,
        detail={"from": str(source.public_id), "slots": n},
    )
    return n
