"""Reports of the parent–teacher–student platform (L7.M1, S2): how the contact book, online
leave, messages and announcements are used — per school for the county's office, per class for
a school's administrators, over a period (default: the last 30 days).

Figures per row (a school, or a class):
- entries posted: the share of school days with a published entry (for a school: of its
  classes' school days, classes × school days), from the school's calendar (the helpdesk's
  working calendar: weekends, the county's and the school's days off);
- sign rate: signatures / (entries × students enrolled in the class), entries of the period;
- leave handled online: requests made in the period by a parent or student online / all
  requests made (withdrawn ones left out); and of the leave attendance records of the period,
  the share that came from a request;
- median decision time of online leave (made → the homeroom teacher's decision, hours);
- median teacher reply time: a parent's message (the first one not yet answered) → the
  teacher's next message in the conversation, hours; parents' messages of the period;
- announcement read rate: reads / audience of the announcements published in the period
  (the class's, or the school's and its classes'); the county's own (and, in a school's report,
  the school-wide ones) are summed apart.

Counts only: no row names a student, parent or teacher. Who reads which report is `access`'s
question (`may_read_county_reports`: the county's office, per school; `may_read_school_reports`:
the school's administrators, per class); a school of another county is a 404. The figures are
counted in the database per school or class (a few grouped queries whatever the number of
schools); leave rows are read there because the office may count them (never list them).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.tenancy import scope_for
from dtss.homeschool import access
from dtss.homeschool.models import (
    Announcement,
    AnnouncementRead,
    AttendanceRecord,
    ContactEntry,
    ContactSignature,
    LeaveRequest,
    Message,
)

DEFAULT_DAYS = 30
MAX_DAYS = 366
REPLY_GRACE_DAYS = 14  # a reply after the period's end still answers a message of the period


def _tz() -> Any:
    return timezone.get_default_timezone()


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=_tz())


def end_of(day: dt.date) -> dt.datetime:
    """The exclusive end of `day` (00:00 of the next day)."""
    return start_of(day + dt.timedelta(days=1))


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def share(part: int, total: int) -> float | None:
    return round(min(100.0, 100 * part / total), 1) if total else None


def hours(a: dt.datetime, b: dt.datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 3600)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def parse_period(
    start: str, end: str, today: dt.date | None = None
) -> tuple[tuple[dt.date, dt.date] | None, dict[str, str]]:
    """((from, to), {}) from `?from=&to=` (ISO dates, either may be empty), or (None, errors
    naming the field)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    parsed: dict[str, dt.date | None] = {}
    for name, value in (("from", start), ("to", end)):
        value = (value or "").strip()
        if not value:
            parsed[name] = None
            continue
        try:
            parsed[name] = dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
    if errors:
        return None, errors
    to = parsed["to"] or today
    frm = parsed["from"] or to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if to < frm:
        return None, {"to": _("The end cannot be before the start.")}
    if (to - frm).days + 1 > MAX_DAYS:
        return None, {"to": _("At most one year at once.")}
    return (frm, to), {}


# --------------------------------------------------------------------------- who sees what


@dataclass
class ReportScope:
    county: Any
    school: Any | None  # None: the county's report, one row per school
    counties: list[Any] = field(default_factory=list)
    schools: list[Any] = field(default_factory=list)  # to choose from
    school_fixed: bool = False  # a school's administrators: their school only


def report_scope(*, user: Any, county_code: str = "", school_id: str = "") -> ReportScope:
    """The county (and school) a report is about, from `?county=` (a code) and `?school=` (a
    public id). Outside the user's reach: 404; a role without reports: PermissionDenied."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    county_code, school_id = (county_code or "").strip(), (school_id or "").strip()
    if scope.superuser or scope.county_ids:
        counties = list(
            County.objects.order_by("code")
            if scope.superuser
            else County.objects.filter(pk__in=scope.county_ids).order_by("code")
        )
        counties = [c for c in counties if access.may_read_county_reports(user, c.pk)]
        if county_code:
            county = next((c for c in counties if c.code == county_code), None)
            if county is None:
                raise Http404
        elif counties:
            county = counties[0]
        else:
            raise PermissionDenied
        schools = list(School.objects.filter(county=county).order_by("code"))
        school = None
        if school_id:
            school = next((s for s in schools if str(s.public_id) == school_id), None)
            if school is None:
                raise Http404
        return ReportScope(county=county, school=school, counties=counties, schools=schools)
    if scope.admin_school_ids:
        schools = [
            s
            for s in School.objects.filter(pk__in=scope.admin_school_ids)
            .select_related("county")
            .order_by("code")
            if access.may_read_school_reports(user, s)
        ]
        if not schools:
            raise PermissionDenied
        school = schools[0]
        if school_id:
            school = next((s for s in schools if str(s.public_id) == school_id), None)
            if school is None:
                raise Http404
        if county_code and county_code != school.county.code:
            raise Http404
        return ReportScope(county=school.county, school=school, schools=schools, school_fixed=True)
    raise PermissionDenied(_("Only the county's office and school administrators see reports."))


# --------------------------------------------------------------------------- the report


@dataclass
class Row:
    key: Any  # school or class pk; None for the total
    label: str
    code: str = ""
    public_id: Any = None  # the school's (county report: link to its per-class report)
    classes: int = 0
    enrolled: int = 0
    school_days: int = 0
    class_days: int = 0  # classes × school days
    days_with_entry: int = 0  # class-days with a published entry
    entries: int = 0
    expected_signatures: int = 0  # Σ entries × enrolled
    signatures: int = 0
    leave_requests: int = 0
    leave_online: int = 0
    leave_records: int = 0
    leave_records_from_request: int = 0
    decision_hours: list[float] = field(default_factory=list)
    reply_hours: list[float] = field(default_factory=list)
    announcements: int = 0
    audience: int = 0
    reads: int = 0

    @property
    def posted_share(self) -> float | None:
        return share(self.days_with_entry, self.class_days)

    @property
    def sign_rate(self) -> float | None:
        return share(self.signatures, self.expected_signatures)

    @property
    def online_share(self) -> float | None:
        return share(self.leave_online, self.leave_requests)

    @property
    def records_from_request_share(self) -> float | None:
        return share(self.leave_records_from_request, self.leave_records)

    @property
    def median_decision_hours(self) -> float | None:
        return median(self.decision_hours)

    @property
    def median_reply_hours(self) -> float | None:
        return median(self.reply_hours)

    @property
    def read_rate(self) -> float | None:
        return share(self.reads, self.audience)

    def add(self, other: Row) -> None:
        for name in (
            "classes",
            "enrolled",
            "class_days",
            "days_with_entry",
            "entries",
            "expected_signatures",
            "signatures",
            "leave_requests",
            "leave_online",
            "leave_records",
            "leave_records_from_request",
            "announcements",
            "audience",
            "reads",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.decision_hours += other.decision_hours
        self.reply_hours += other.reply_hours


@dataclass
class Report:
    county: Any
    school: Any | None
    start: dt.date
    end: dt.date
    rows: list[Row]
    total: Row
    # Announcements above the rows: the county's own (county report), or the school-wide ones
    # (school report).
    other_announcements: Row | None = None

    @property
    def per_class(self) -> bool:
        return self.school is not None


def _latest_term_id(school_ids: list[int]) -> int | None:
    from dtss.orgs.models import SchoolClass

    return (
        SchoolClass.objects.filter(school_id__in=school_ids)
        .order_by("-term__roc_year", "-term__semester")
        .values_list("term_id", flat=True)
        .first()
    )


def _school_audience(school_ids: list[int]) -> dict[int, dict[str, int]]:
    """{school id: {"staff", "students", "parents"}}: distinct people per role."""
    from dtss.orgs.models import Membership, Role

    out: dict[int, dict[str, int]] = defaultdict(lambda: {"staff": 0, "students": 0, "parents": 0})
    for school_id, staff, students, parents in (
        Membership.objects.filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(
            staff=Count(
                "person_id",
                distinct=True,
                filter=Q(role__in=[Role.SCHOOL_ADMIN, Role.TEACHER]),
            ),
            students=Count("person_id", distinct=True, filter=Q(role=Role.STUDENT)),
            parents=Count("person_id", distinct=True, filter=Q(role=Role.PARENT)),
        )
        .values_list("school_id", "staff", "students", "parents")
    ):
        out[school_id] = {"staff": staff, "students": students, "parents": parents}
    return out


def _audience(flags: tuple[bool, bool, bool], counts: dict[str, int]) -> int:
    to_staff, to_students, to_parents = flags
    return (
        (counts.get("staff", 0) if to_staff else 0)
        + (counts.get("students", 0) if to_students else 0)
        + (counts.get("parents", 0) if to_parents else 0)
    )


def report_build(*, county: Any, start: dt.date, end: dt.date, school: Any = None) -> Report:
    """The report of a county (a row per school) or of one school (a row per class of its
    latest term). Counts only."""
    from dtss.helpdesk.report_selectors import CalendarBook
    from dtss.orgs.models import Enrollment, School, SchoolClass

    lo, hi = start_of(start), end_of(end)
    if school is None:
        schools = list(School.objects.filter(county=county).order_by("code"))
    else:
        schools = [school]
    school_ids = [s.pk for s in schools]
    term_id = _latest_term_id(school_ids)
    classes = list(
        SchoolClass.objects.filter(school_id__in=school_ids, term_id=term_id).order_by(
            "school__code", "grade", "number"
        )
    )
    class_school = {c.pk: c.school_id for c in classes}
    class_ids = list(class_school)
    per_class = school is not None
    group = "school_class_id" if per_class else "school_id"

    def key_of_class(class_id: int) -> int | None:
        return class_id if per_class else class_school.get(class_id)

    rows: dict[int, Row] = {}
    if per_class:
        for c in classes:
            rows[c.pk] = Row(key=c.pk, label=str(c), code=f"{c.grade}-{c.number}", classes=1)
    else:
        for s in schools:
            rows[s.pk] = Row(key=s.pk, label=s.name, code=s.code, public_id=s.public_id)
        for c in classes:
            rows[c.school_id].classes += 1

    # school days, from the schools' calendars (two queries for all of them)
    book = CalendarBook([county.pk], start, end)
    days_of: dict[int, set[dt.date]] = {}
    for s in schools:
        cal = book.get(county.pk, s.pk)
        days_of[s.pk] = {
            start + dt.timedelta(days=i)
            for i in range((end - start).days + 1)
            if cal.is_working_day(start + dt.timedelta(days=i))
        }
    enrolled = dict(
        Enrollment.objects.filter(school_class_id__in=class_ids)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    for class_id, n in enrolled.items():
        rows[key_of_class(class_id)].enrolled += n
    for row in rows.values():
        sid = row.key if not per_class else class_school[row.key]
        row.school_days = len(days_of.get(sid, ()))
        row.class_days = row.classes * row.school_days

    # contact-book entries: per group and day (posted share), per class (expected signatures)
    entries = ContactEntry.objects.filter(
        county=county,
        school_id__in=school_ids,
        school_class_id__in=class_ids,
        published_at__isnull=False,
        date__gte=start,
        date__lte=end,
    )
    for key, sid, day, n in (
        entries.values(group, "school_id", "date")
        .annotate(n=Count("id"))
        .values_list(group, "school_id", "date", "n")
    ):
        if day in days_of.get(sid, ()):
            rows[key].days_with_entry += n
    for class_id, n in (
        entries.values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    ):
        row = rows[key_of_class(class_id)]
        row.entries += n
        row.expected_signatures += n * enrolled.get(class_id, 0)
    for key, n in (
        ContactSignature.objects.filter(entry__in=entries)
        .values(group)
        .annotate(n=Count("id"))
        .values_list(group, "n")
    ):
        if key in rows:
            rows[key].signatures += n

    # leave
    leave = LeaveRequest.objects.filter(
        county=county,
        school_id__in=school_ids,
        created_at__gte=lo,
        created_at__lt=hi,
    ).exclude(status=LeaveRequest.Status.CANCELLED)
    for key, total, online in (
        leave.values(group)
        .annotate(
            total=Count("id"),
            online=Count("id", filter=Q(source=LeaveRequest.Source.ONLINE)),
        )
        .values_list(group, "total", "online")
    ):
        if key in rows:
            rows[key].leave_requests += total
            rows[key].leave_online += online
    for key, created, decided in leave.filter(
        source=LeaveRequest.Source.ONLINE, decided_at__isnull=False
    ).values_list(group, "created_at", "decided_at"):
        if key in rows:
            rows[key].decision_hours.append(hours(created, decided))
    for key, total, from_request in (
        AttendanceRecord.objects.filter(
            county=county,
            school_id__in=school_ids,
            status=AttendanceRecord.Status.LEAVE,
            date__gte=start,
            date__lte=end,
        )
        .values(group)
        .annotate(total=Count("id"), from_request=Count("id", filter=Q(leave__isnull=False)))
        .values_list(group, "total", "from_request")
    ):
        if key in rows:
            rows[key].leave_records += total
            rows[key].leave_records_from_request += from_request

    # teachers' replies to parents
    student_class: dict[int, int] = {}
    if per_class:
        student_class = dict(
            Enrollment.objects.filter(school_class_id__in=class_ids).values_list(
                "student_id", "school_class_id"
            )
        )
    waiting: dict[int, dt.datetime | None] = {}
    for conv, sid, student, teacher, parent, sender, sent in (
        Message.objects.filter(
            county=county,
            school_id__in=school_ids,
            sent_at__gte=lo,
            sent_at__lt=hi + dt.timedelta(days=REPLY_GRACE_DAYS),
        )
        .order_by("conversation_id", "sent_at", "id")
        .values_list(
            "conversation_id",
            "school_id",
            "conversation__student_id",
            "conversation__teacher_id",
            "conversation__parent_id",
            "sender_id",
            "sent_at",
        )
    ):
        if sender == parent:
            if waiting.get(conv) is None and lo <= sent < hi:
                waiting[conv] = sent
        elif sender == teacher and waiting.get(conv) is not None:
            key = student_class.get(student) if per_class else sid
            if key in rows:
                rows[key].reply_hours.append(hours(waiting[conv], sent))  # type: ignore[arg-type]
            waiting[conv] = None

    # announcements and their reads
    published = Announcement.objects.filter(
        county=county, published_at__gte=lo, published_at__lt=hi
    )
    reads = dict(
        AnnouncementRead.objects.filter(announcement__in=published)
        .values("announcement_id")
        .annotate(n=Count("id"))
        .values_list("announcement_id", "n")
    )
    audience_school = _school_audience(
        school_ids
        if per_class
        else list(School.objects.filter(county=county).values_list("pk", flat=True))
    )
    parents_of_class = dict(
        Enrollment.objects.filter(school_class_id__in=class_ids)
        .values("school_class_id")
        .annotate(n=Count("student__guardian_links__parent_id", distinct=True))
        .values_list("school_class_id", "n")
    )
    other = Row(
        key=None,
        label=_("School-wide announcements") if per_class else _("The county's announcements"),
    )
    for pk, sid, class_id, to_staff, to_students, to_parents in published.values_list(
        "pk", "school_id", "school_class_id", "to_staff", "to_students", "to_parents"
    ):
        flags = (to_staff, to_students, to_parents)
        if class_id is not None:
            key = key_of_class(class_id)
            if key not in rows:
                continue
            target = rows[key]
            size = _audience(
                flags,
                {
                    "students": enrolled.get(class_id, 0),
                    "parents": parents_of_class.get(class_id, 0),
                },
            )
        elif sid is not None:
            if sid not in school_ids:
                continue
            target = other if per_class else rows[sid]
            size = _audience(flags, audience_school.get(sid, {}))
        else:
            if per_class:
                continue
            target = other
            size = sum(_audience(flags, c) for c in audience_school.values())
        target.announcements += 1
        target.audience += size
        target.reads += reads.get(pk, 0)

    ordered = list(rows.values())
    total = Row(key=None, label=_("Total"))
    for row in ordered:
        total.add(row)
    total.school_days = max((r.school_days for r in ordered), default=0)
    return Report(
        county=county,
        school=school,
        start=start,
        end=end,
        rows=ordered,
        total=total,
        other_announcements=other if other.announcements else None,
    )


def _blank(value: float | None) -> Any:
    return "" if value is None else value


def report_table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report as one table (CSV export): counts and rates per school or class."""
    headers = [
        _("Class") if report.per_class else _("School code"),
        _("Name"),
        _("Classes"),
        _("Students"),
        _("School days"),
        _("Days with an entry (class-days)"),
        _("Entries posted (%)"),
        _("Entries"),
        _("Signatures"),
        _("Sign rate (%)"),
        _("Leave requests"),
        _("Requested online"),
        _("Leave requested online (%)"),
        _("Leave periods recorded"),
        _("Of them from a request (%)"),
        _("Median leave decision (hours)"),
        _("Median teacher reply (hours)"),
        _("Announcements"),
        _("Audience"),
        _("Reads"),
        _("Read rate (%)"),
    ]
    out = []
    extra = [report.other_announcements] if report.other_announcements else []
    for row in [*report.rows, report.total, *extra]:
        out.append(
            [
                row.code,
                row.label,
                row.classes,
                row.enrolled,
                row.school_days,
                row.days_with_entry,
                _blank(row.posted_share),
                row.entries,
                row.signatures,
                _blank(row.sign_rate),
                row.leave_requests,
                row.leave_online,
                _blank(row.online_share),
                row.leave_records,
                _blank(row.records_from_request_share),
                _blank(row.median_decision_hours),
                _blank(row.median_reply_hours),
                row.announcements,
                row.audience,
                row.reads,
                _blank(row.read_rate),
            ]
        )
    return headers, out
