"""The class's attendance sheet as a form: one select per student and period
(`mark-<student>-<period>`: "" present, "unexcused", "late" or "leave:<leave type>").

Only the cells that changed are handed to `services.attendance_set` (so an unexcused absence
already recorded does not notify the parents again); cells from approved leave are locked and
not sent at all."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dtss.homeschool.attendance_selectors import SheetRow, cell_value
from dtss.homeschool.models import AttendanceRecord, LeaveType

Mark = tuple[str, LeaveType | None, str]


def cell_choices(leave_types: list[LeaveType]) -> list[tuple[str, str]]:
    return [
        ("", _("Present")),
        ("unexcused", _("Unexcused (曠課)")),
        ("late", _("Late")),
        *((f"leave:{t.pk}", t.name) for t in leave_types),
    ]


def field_name(student_id: int, period_id: int) -> str:
    return f"mark-{student_id}-{period_id}"


def parse_marks(
    data: Any, *, rows: list[SheetRow], leave_types: list[LeaveType]
) -> tuple[dict[tuple[int, int], Mark], dict[str, str]]:
    """The changed cells as `attendance_set` marks, and errors by field name. A cell not sent
    is left as it is."""
    types = {str(t.pk): t for t in leave_types}
    marks: dict[tuple[int, int], Mark] = {}
    errors: dict[str, str] = {}
    for row in rows:
        for period, record, current in row.cells:
            if record is not None and record.leave_id is not None:
                continue  # from approved leave: locked
            name = field_name(row.student.pk, period.pk)
            if name not in data:
                continue
            value = (data.get(name) or "").strip()
            if value == current:
                continue
            note = record.note if record is not None else ""
            if value in ("", AttendanceRecord.Status.UNEXCUSED, AttendanceRecord.Status.LATE):
                marks[(row.student.pk, period.pk)] = (value, None, note)
            elif value.startswith("leave:") and value[6:] in types:
                marks[(row.student.pk, period.pk)] = ("leave", types[value[6:]], note)
            else:
                errors[name] = _("Unknown attendance status.")
    return marks, errors


def sheet_values(rows: list[SheetRow], data: Any = None) -> dict[str, str]:
    """The value each select shows: what was sent (after an error), else what is recorded."""
    out = {}
    for row in rows:
        for period, record, _current in row.cells:
            name = field_name(row.student.pk, period.pk)
            value = cell_value(record)
            if data is not None and name in data:
                value = data.get(name) or ""
            out[name] = value
    return out
