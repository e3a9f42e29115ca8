"""Reads of attendance (出缺席/缺曠): a class's sheet for one day, the class and school reports,
the 缺曠高風險 list and one student's record.

An `AttendanceRecord` is an absence in one period of one day: on leave (of a type), unexcused
(曠課) or late; no record means present.

**Counting.** A school counts in periods or in days (`HomeschoolSettings.count_in_days`;
elementary schools usually in days). *Periods* are the number of records. *Days* are, per
student, the number of distinct dates with at least one record of that kind — a morning of
sick leave is one sick-leave day, and so is a whole day; a date with sick leave in one period
and personal leave in another counts one day of each type, but one day of leave in the total.
Totals over a class or a school add the students' days ("student-days").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.tenancy import scope_for
from dtss.homeschool import access, services
from dtss.homeschool.models import AttendanceRecord, LeaveType, Period

GROUPS = ("day", "week", "month")
MAX_RANGE_DAYS = 400
RISK_TOP = 20


# --------------------------------------------------------------------------- ranges


def month_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def parse_day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def range_from(data: Any) -> tuple[dt.date, dt.date, dict[str, str]]:
    """?from=&to= (default: this month), and the errors of bad values by field."""
    default_start, default_end = month_range()
    errors: dict[str, str] = {}
    start = parse_day(data.get("from"))
    end = parse_day(data.get("to"))
    if data.get("from") and start is None:
        errors["from"] = _("Not a date (YYYY-MM-DD).")
    if data.get("to") and end is None:
        errors["to"] = _("Not a date (YYYY-MM-DD).")
    start = start or default_start
    end = end or default_end
    if end < start:
        errors["to"] = _("The end cannot be before the start.")
    elif (end - start).days > MAX_RANGE_DAYS:
        errors["to"] = _("At most %(n)d days at once.") % {"n": MAX_RANGE_DAYS}
    if errors:
        start, end = default_start, default_end
    return start, end, errors


def unit_label(in_days: bool) -> str:
    return _("days") if in_days else _("periods")


# --------------------------------------------------------------------------- who may read


def may_read_student(user: Any, student: Any, enrolment: Any) -> bool:
    """One student's record: the student, their parents, their homeroom teacher, their
    school's administrators (everyone else: as if the student did not exist)."""
    scope = scope_for(user)
    if scope.person_id == student.pk or access.is_parent_of(scope, student.pk):
        return True
    if enrolment is None:
        return scope.superuser
    return access.is_school_admin(scope, enrolment.school_id) or access.is_homeroom(
        scope, enrolment.school_class
    )


def is_family_of(user: Any, student: Any) -> bool:
    scope = scope_for(user)
    return scope.person_id == student.pk or access.is_parent_of(scope, student.pk)


# --------------------------------------------------------------------------- the day's sheet


def cell_value(record: AttendanceRecord | None) -> str:
    """How a cell is sent in the sheet's form: "" present, "unexcused", "late", "leave:<type>"."""
    if record is None:
        return ""
    if record.status == AttendanceRecord.Status.LEAVE:
        return f"leave:{record.leave_type_id}"
    return record.status


@dataclass
class SheetRow:
    student: Any
    seat: int
    cells: list[tuple[Period, AttendanceRecord | None, str]] = field(default_factory=list)
    absent: int = 0


def class_sheet(*, school_class: Any, date: dt.date) -> tuple[list[Period], list[SheetRow]]:
    """The enrolled students (by seat) × the school's periods, with that day's records."""
    from dtss.orgs.models import Enrollment

    services.school_setup_ensure(school=school_class.school)
    periods = list(Period.objects.filter(school_id=school_class.school_id, active=True))
    records = {
        (r.student_id, r.period_id): r
        for r in AttendanceRecord.objects.filter(
            school_class=school_class, date=date
        ).select_related("leave_type", "leave")
    }
    rows = []
    for e in (
        Enrollment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("seat_number")
    ):
        row = SheetRow(student=e.student, seat=e.seat_number)
        for p in periods:
            rec = records.get((e.student_id, p.pk))
            row.cells.append((p, rec, cell_value(rec)))
            row.absent += rec is not None
        rows.append(row)
    return periods, rows


# --------------------------------------------------------------------------- tallies


def _records(**where: Any) -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.filter(**where)


def _tally(qs: QuerySet[AttendanceRecord], keys: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """{key values: {"periods": records, "days": student-days}} grouped by `keys`."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: {"periods": 0, "days": 0})
    rows = (
        qs.order_by()
        .values(*keys, "student_id")
        .annotate(n=Count("id"), d=Count("date", distinct=True))
    )
    for row in rows:
        key = tuple(row[k] for k in keys)
        out[key]["periods"] += row["n"]
        out[key]["days"] += row["d"]
    return out


@dataclass
class StudentLine:
    student: Any
    seat: int | None
    by_type: list[int]
    leave: int
    unexcused: int
    late: int

    @property
    def total(self) -> int:
        return self.leave + self.unexcused


@dataclass
class ClassReport:
    school_class: Any
    start: dt.date
    end: dt.date
    in_days: bool
    leave_types: list[LeaveType]
    lines: list[StudentLine]
    totals: StudentLine


def class_report(*, school_class: Any, start: dt.date, end: dt.date) -> ClassReport:
    """Per student over the range: leave by type, unexcused, late — in the school's unit."""
    from dtss.orgs.models import Enrollment

    in_days = services.settings_get(school_class.school).count_in_days
    unit = "days" if in_days else "periods"
    qs = _records(school_class=school_class, date__gte=start, date__lte=end)
    by_status = _tally(qs, ("student_id", "status"))
    by_type = _tally(qs.filter(status=AttendanceRecord.Status.LEAVE), ("student_id", "leave_type"))
    type_ids = {k[1] for k in by_type}
    types = list(
        LeaveType.objects.filter(
            Q(school_id=school_class.school_id, active=True) | Q(pk__in=type_ids)
        ).order_by("order", "id")
    )
    students = {
        e.student_id: e
        for e in Enrollment.objects.filter(school_class=school_class).select_related("student")
    }
    from dtss.orgs.models import Person

    extra = {sid for sid, _s in by_status} - set(students)  # left the class since
    people = {p.pk: p for p in Person.objects.filter(pk__in=extra)}
    lines = []
    order = sorted(students.values(), key=lambda e: e.seat_number)
    for sid, student, seat in [(e.student_id, e.student, e.seat_number) for e in order] + [
        (pid, p, None) for pid, p in sorted(people.items(), key=lambda kv: kv[1].name)
    ]:
        lines.append(
            StudentLine(
                student=student,
                seat=seat,
                by_type=[by_type.get((sid, t.pk), {}).get(unit, 0) for t in types],
                leave=by_status.get((sid, "leave"), {}).get(unit, 0),
                unexcused=by_status.get((sid, "unexcused"), {}).get(unit, 0),
                late=by_status.get((sid, "late"), {}).get(unit, 0),
            )
        )
    totals = StudentLine(
        student=None,
        seat=None,
        by_type=[sum(line.by_type[i] for line in lines) for i in range(len(types))],
        leave=sum(line.leave for line in lines),
        unexcused=sum(line.unexcused for line in lines),
        late=sum(line.late for line in lines),
    )
    return ClassReport(school_class, start, end, in_days, types, lines, totals)


# --------------------------------------------------------------------------- the school


@dataclass
class ClassLine:
    school_class: Any
    students: int
    leave: int
    unexcused: int
    late: int


@dataclass
class Bucket:
    start: dt.date
    label: str
    leave: int = 0
    unexcused: int = 0
    late: int = 0


@dataclass
class RiskLine:
    student: Any
    school_class: Any
    homeroom: str
    unexcused_periods: int
    unexcused_days: int


@dataclass
class SchoolReport:
    school: Any
    start: dt.date
    end: dt.date
    in_days: bool
    group: str
    classes: list[ClassLine]
    buckets: list[Bucket]
    risk: list[RiskLine]
    totals: ClassLine


def _bucket_start(day: dt.date, group: str) -> dt.date:
    if group == "week":
        return day - dt.timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def _bucket_label(start: dt.date, group: str) -> str:
    if group == "week":
        return _("week of %(date)s") % {"date": start.isoformat()}
    if group == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def school_classes(*, school: Any, extra_ids: set[int] | None = None) -> list[Any]:
    """The school's classes of its latest term, and any other class named in `extra_ids`."""
    from dtss.orgs.models import SchoolClass

    qs = SchoolClass.objects.filter(school=school)
    latest = qs.order_by("-term__roc_year", "-term__semester").values_list("term_id", flat=True)
    term_id = latest.first()
    q = Q(term_id=term_id) | Q(pk__in=extra_ids or set())
    return list(
        qs.filter(q)
        .select_related("homeroom_teacher", "term")
        .annotate(student_total=Count("enrollments"))
        .order_by("-term__roc_year", "-term__semester", "grade", "number")
    )


def school_report(*, school: Any, start: dt.date, end: dt.date, group: str = "day") -> SchoolReport:
    """Per class totals over the range, the school's totals by day, week or month, and the
    缺曠高風險 list: the students with the most unexcused periods (top 20)."""
    group = group if group in GROUPS else "day"
    in_days = services.settings_get(school).count_in_days
    unit = "days" if in_days else "periods"
    qs = _records(school=school, date__gte=start, date__lte=end)
    per_class = _tally(qs, ("school_class_id", "status"))
    classes = school_classes(school=school, extra_ids={k[0] for k in per_class})
    lines = [
        ClassLine(
            school_class=c,
            students=c.student_total,
            leave=per_class.get((c.pk, "leave"), {}).get(unit, 0),
            unexcused=per_class.get((c.pk, "unexcused"), {}).get(unit, 0),
            late=per_class.get((c.pk, "late"), {}).get(unit, 0),
        )
        for c in classes
    ]
    totals = ClassLine(
        school_class=None,
        students=sum(x.students for x in lines),
        leave=sum(x.leave for x in lines),
        unexcused=sum(x.unexcused for x in lines),
        late=sum(x.late for x in lines),
    )
    buckets: dict[dt.date, Bucket] = {}
    rows = qs.order_by().values("status", "student_id", "date").annotate(n=Count("id"))
    for row in rows:
        b_start = _bucket_start(row["date"], group)
        b = buckets.setdefault(b_start, Bucket(b_start, _bucket_label(b_start, group)))
        value = row["n"] if unit == "periods" else 1
        setattr(b, row["status"], getattr(b, row["status"]) + value)
    return SchoolReport(
        school=school,
        start=start,
        end=end,
        in_days=in_days,
        group=group,
        classes=lines,
        buckets=[buckets[k] for k in sorted(buckets)],
        risk=risk_list(school=school, start=start, end=end),
        totals=totals,
    )


def risk_list(*, school: Any, start: dt.date, end: dt.date, top: int = RISK_TOP) -> list[RiskLine]:
    """缺曠高風險學生: most unexcused periods in the range first (then days, then name)."""
    from dtss.orgs.models import Person, SchoolClass

    rows = list(
        _records(
            school=school,
            date__gte=start,
            date__lte=end,
            status=AttendanceRecord.Status.UNEXCUSED,
        )
        .order_by()
        .values("student_id")
        .annotate(n=Count("id"), d=Count("date", distinct=True))
        .order_by("-n", "-d", "student_id")[:top]
    )
    if not rows:
        return []
    ids = [r["student_id"] for r in rows]
    people = Person.objects.in_bulk(ids)
    latest_class: dict[int, int] = {}
    for sid, cid in (
        _records(school=school, student_id__in=ids, date__gte=start, date__lte=end)
        .order_by("student_id", "-date")
        .values_list("student_id", "school_class_id")
    ):
        latest_class.setdefault(sid, cid)
    classes = SchoolClass.objects.select_related("homeroom_teacher").in_bulk(
        set(latest_class.values())
    )
    out = []
    for r in rows:
        c = classes.get(latest_class.get(r["student_id"], 0))
        out.append(
            RiskLine(
                student=people[r["student_id"]],
                school_class=c,
                homeroom=c.homeroom_teacher.name if c and c.homeroom_teacher else "",
                unexcused_periods=r["n"],
                unexcused_days=r["d"],
            )
        )
    return out


# --------------------------------------------------------------------------- one student


@dataclass
class StudentDay:
    date: dt.date
    records: list[AttendanceRecord]


def student_records(
    *, user: Any, student: Any, start: dt.date, end: dt.date
) -> QuerySet[AttendanceRecord]:
    return (
        AttendanceRecord.objects.visible_to(user)
        .filter(student=student, date__gte=start, date__lte=end)
        .select_related("period", "leave_type", "leave", "school_class")
        .order_by("-date", "period__order")
    )


def student_days(records: list[AttendanceRecord]) -> list[StudentDay]:
    days: dict[dt.date, StudentDay] = {}
    for r in records:
        days.setdefault(r.date, StudentDay(r.date, [])).records.append(r)
    return list(days.values())


def student_summary(
    *, user: Any, student: Any, start: dt.date, end: dt.date, in_days: bool
) -> dict[str, Any]:
    """The student's totals over the range (in the school's unit), leave by type."""
    unit = "days" if in_days else "periods"
    qs = AttendanceRecord.objects.visible_to(user).filter(
        student=student, date__gte=start, date__lte=end
    )
    by_status = _tally(qs, ("status",))
    by_type = _tally(qs.filter(status=AttendanceRecord.Status.LEAVE), ("leave_type",))
    types = LeaveType.objects.in_bulk([k[0] for k in by_type])
    return {
        "leave": by_status.get(("leave",), {}).get(unit, 0),
        "unexcused": by_status.get(("unexcused",), {}).get(unit, 0),
        "late": by_status.get(("late",), {}).get(unit, 0),
        "by_type": [
            (types[k[0]], v[unit])
            for k, v in sorted(by_type.items(), key=lambda kv: types[kv[0][0]].order)
        ],
    }
