"""Reads of a school's contact-book settings: who may read them, the leave types and periods
with whether each is in use, the timetable grid of a class, the classes of the school."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from dtss.core.tenancy import scope_for
from dtss.homeschool import access
from dtss.homeschool.models import (
    AttendanceRecord,
    LeaveRequest,
    LeaveType,
    Period,
    TimetableSlot,
)
from dtss.homeschool.school_services import WEEKDAYS, school_teachers

__all__ = ["school_teachers"]


def may_read_school(user: Any, school: Any) -> bool:
    """The school's staff and its county's office read the settings; its administrators and
    the county's administrators change them."""
    scope = scope_for(user)
    return (
        access.may_configure_school(user, school)
        or school.pk in scope.staff_school_ids
        or school.county_id in scope.county_ids
    )


def leave_types(*, school: Any) -> list[LeaveType]:
    """Every leave type of the school (active or not) with `in_use` (requests and records)."""
    rows = list(LeaveType.objects.filter(school=school).order_by("order", "id"))
    used = set(
        LeaveRequest.objects.filter(school=school).values_list("leave_type_id", flat=True)
    ) | set(
        AttendanceRecord.objects.filter(school=school, leave_type__isnull=False).values_list(
            "leave_type_id", flat=True
        )
    )
    for r in rows:
        r.in_use = r.pk in used
    return rows


def periods(*, school: Any) -> list[Period]:
    """Every period of the school's day in order, with `in_use`."""
    rows = list(Period.objects.filter(school=school).order_by("order", "id"))
    ids = [p.pk for p in rows]
    used = (
        set(AttendanceRecord.objects.filter(period_id__in=ids).values_list("period_id", flat=True))
        | set(
            LeaveRequest.periods.through.objects.filter(period_id__in=ids).values_list(
                "period_id", flat=True
            )
        )
        | set(TimetableSlot.objects.filter(period_id__in=ids).values_list("period_id", flat=True))
    )
    for p in rows:
        p.in_use = p.pk in used
    return rows


def school_classes(*, school: Any) -> QuerySet[Any]:
    """The school's classes of its latest term."""
    from dtss.orgs.models import SchoolClass

    latest = (
        SchoolClass.objects.filter(school=school)
        .order_by("-term__roc_year", "-term__semester")
        .values_list("term_id", flat=True)
        .first()
    )
    if latest is None:
        return SchoolClass.objects.none()
    return (
        SchoolClass.objects.filter(school=school, term_id=latest)
        .select_related("homeroom_teacher", "term")
        .order_by("grade", "number")
    )


@dataclass
class GridRow:
    period: Period
    cells: list[dict[str, Any]] = field(default_factory=list)


def timetable_slots(*, school_class: Any) -> QuerySet[TimetableSlot]:
    return (
        TimetableSlot.objects.filter(school_class=school_class)
        .select_related("period", "teacher")
        .order_by("weekday", "period__order")
    )


def timetable_grid(*, school_class: Any) -> list[GridRow]:
    """Rows: the school's active periods; columns: weekdays 1–5; each cell the slot or None."""
    slots = {(s.weekday, s.period_id): s for s in timetable_slots(school_class=school_class)}
    out = []
    for p in Period.objects.filter(school_id=school_class.school_id, active=True).order_by(
        "order", "id"
    ):
        row = GridRow(period=p)
        for d in WEEKDAYS:
            slot = slots.get((d, p.pk))
            row.cells.append(
                {
                    "weekday": d,
                    "key": f"cell-{d}-{p.code}",
                    "slot": slot,
                    "subject": slot.subject if slot else "",
                    "teacher_id": slot.teacher.public_id if slot and slot.teacher else None,
                }
            )
        out.append(row)
    return out
