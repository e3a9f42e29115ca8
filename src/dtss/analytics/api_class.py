"""JSON API of the teacher's class view and one student's learning (the pages' figures).

Mounted by the lead under /api/v1/ (e.g. ``api.add_router("/", analytics_class_router)``):

- ``GET /analytics/classes``: the user's classes with the "my classes" summary (staff only);
- ``GET /analytics/classes/{id}``: the class view's table, summary and trends, with the page's
  query parameters (period, start, end, platform, subject, sort); a bad one is a 422 naming it;
- ``GET /analytics/students/{id}``: one student's week, term, subjects, platforms and days.

The same rules as the pages (`access.py`): another school's class or student is a 404; county
staff get one student's data under a pseudonym and no name; every staff or county read of one
student is written to the audit log (``analytics.student_view``, ``via: api``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from dtss.analytics import access
from dtss.analytics import class_selectors as sel
from dtss.analytics import student_selectors as ssel
from dtss.analytics.class_views import ClassFilterForm, flag_help
from dtss.api.schemas import responses
from dtss.core.tenancy import scope_for
from dtss.orgs.models import Person

router = Router(tags=["learning analytics"])
MAX_LIMIT = 500
ClassId = Annotated[UUID, Path(description="The class's id (its public_id).")]
StudentId = Annotated[UUID, Path(description="The student's person id (its public_id).")]


class SpreadOut(Schema):
    n: int = Field(description="How many students the spread is over.")
    low: float | None = Field(description="The lowest value.")
    q1: float | None = Field(description="The first quartile.")
    median: float | None = Field(description="The median.")
    q3: float | None = Field(description="The third quartile.")
    high: float | None = Field(description="The highest value.")


class FiguresOut(Schema):
    minutes: float = Field(description="Learning time in minutes.")
    active_days: int = Field(description="Days with at least one record.")
    records: int = Field(description="Learning records (xAPI statements) counted.")
    completions: int = Field(description="Records that completed, passed or mastered something.")
    answered: int = Field(description="Questions answered.")
    correct_rate: float | None = Field(description="Correct answers in percent (null: none).")
    mean_score: float | None = Field(description="Mean scaled score in percent (null: none).")


class ClassLineOut(Schema):
    public_id: UUID = Field(description="The class's id.")
    name: str = Field(description="The class's name, e.g. 5年01班.")
    school: str = Field(description="The school's name.")
    term: str = Field(description="The academic term.")
    current_term: bool = Field(description="Whether the term is running today.")
    enrolled: int = Field(description="Students enrolled.")
    active: int = Field(description="Students with records in the 7 days to `end`.")
    minutes: float = Field(description="Their minutes in those 7 days.")
    gone_quiet: int = Field(description="Students who have gone quiet by `end`.")
    start: dt.date = Field(description="First day of the 7 days.")
    end: dt.date = Field(description="Last day: today, or the last day of a finished term.")


class ClassListOut(Schema):
    items: list[ClassLineOut] = Field(description="The classes of this page.")
    count: int = Field(description="How many classes the user sees in total.")


class ListFilters(Schema):
    limit: int = Field(settings.PAGE_SIZE, ge=1, le=MAX_LIMIT, description="Page size.")
    offset: int = Field(0, ge=0, description="How many classes to skip.")


class ClassFilters(Schema):
    period: str = Field("", description="7d, 28d (default), term or custom.")
    start: str = Field("", description="First day of a custom period (YYYY-MM-DD).")
    end: str = Field("", description="Last day of a custom period (YYYY-MM-DD).")
    platform: str = Field("", description="A platform's id; 0 for records of no platform.")
    subject: str = Field("", description="A subject code of the DTSS profile, e.g. math.")
    sort: str = Field("", description="A column, '-' first for descending, e.g. -minutes.")


class StudentRowOut(Schema):
    public_id: UUID = Field(description="The student's person id.")
    seat: int = Field(description="Seat number.")
    name: str = Field(description="The student's name.")
    has_data: bool = Field(description="Whether the student has records in the period.")
    figures: FiguresOut = Field(description="The student's figures for the period.")
    last_active: dt.date | None = Field(description="The last day with a record (null: none).")
    weekly_minutes: list[float] = Field(description="Minutes per week, one per `weeks` entry.")
    flags: list[str] = Field(description="gone_quiet, low_activity, struggling.")


class WeekOut(Schema):
    week: dt.date = Field(description="The Monday.")
    active: int = Field(description="Students with records that week.")
    minutes: float = Field(description="Their minutes that week.")


class ClassReportOut(Schema):
    public_id: UUID = Field(description="The class's id.")
    name: str = Field(description="The class's name.")
    school: str = Field(description="The school's name.")
    term: str = Field(description="The academic term.")
    period: str = Field(description="7d, 28d, term or custom.")
    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period.")
    platform: int | None = Field(description="The platform filter (null: every platform).")
    subject: str | None = Field(description="The subject filter (null: every subject).")
    enrolled: int = Field(description="Students enrolled.")
    active: int = Field(description="Students with records in the period.")
    median_minutes: float | None = Field(description="The median of the students' minutes.")
    correct_rate: float | None = Field(description="The class's correct rate in percent.")
    minutes_spread: SpreadOut = Field(description="The spread of the students' minutes.")
    correct_rate_spread: SpreadOut = Field(description="The spread of the students' correct rates.")
    flag_counts: dict[str, int] = Field(description="Students per flag.")
    flag_definitions: dict[str, str] = Field(description="What each flag means, in words.")
    weeks: list[WeekOut] = Field(description="The class per week, oldest first.")
    students: list[StudentRowOut] = Field(description="One row per enrolled student.")


class PartOut(Schema):
    key: str = Field(description="The subject code or platform id (0: other sources).")
    name: str = Field(description="Its name.")
    share: float = Field(description="Its share of the span's minutes, in percent.")
    figures: FiguresOut = Field(description="Its figures over the span.")


class DayPartOut(Schema):
    platform: str = Field(description="The platform's name.")
    subject: str = Field(description="The subject's name.")
    figures: FiguresOut = Field(description="The figures of that day.")


class DayOut(Schema):
    day: dt.date = Field(description="The day.")
    parts: list[DayPartOut] = Field(description="Per platform × subject; empty: no records.")


class StudentWeekOut(Schema):
    week: dt.date = Field(description="The Monday.")
    figures: FiguresOut = Field(description="The figures of that week.")


class StudentReportOut(Schema):
    public_id: UUID = Field(description="The student's person id.")
    access: str = Field(description="self, parent, staff or county (pseudonymous).")
    name: str | None = Field(description="The name (null for county staff).")
    pseudonym: str | None = Field(description="The pseudonym county staff see (else null).")
    week: dt.date = Field(description="The Monday of the week shown.")
    this_week: FiguresOut = Field(description="The week shown.")
    previous_week: FiguresOut = Field(description="The week before it.")
    span_start: dt.date = Field(description="First day of the term (or of 20 weeks).")
    span_end: dt.date = Field(description="Last day of the span: end of the week, or today.")
    weeks: list[StudentWeekOut] = Field(description="The term's weeks to the week shown.")
    subjects: list[PartOut] = Field(description="Per subject over the span, most first.")
    platforms: list[PartOut] = Field(description="Per platform over the span, most first.")
    days: list[DayOut] = Field(description="The last 14 days of the span, newest first.")


def _figures(s: sel.Sums) -> dict[str, Any]:
    return {
        "minutes": s.minutes,
        "active_days": s.active_days,
        "records": s.events,
        "completions": s.completions,
        "answered": s.answered,
        "correct_rate": s.correct_rate,
        "mean_score": s.mean_score,
    }


def _spread(s: sel.Spread) -> dict[str, Any]:
    return {"n": s.n, "low": s.low, "q1": s.q1, "median": s.median, "q3": s.q3, "high": s.high}


@router.get(
    "/analytics/classes",
    response=responses({200: ClassListOut}, 403, 422),
    summary="My classes",
    description=(
        "The classes whose students the user sees by name (a teacher's homeroom classes, a "
        "school administrator's whole school), the latest term first, each with its students "
        "active in the last 7 days. School staff only (403 for others)."
    ),
)
def learning_class_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied(_("Only school and county staff may use this."))
    qs = sel.class_list(user=request.user)
    count = qs.count()
    page = list(qs[filters.offset : filters.offset + filters.limit])
    lines = sel.class_lines(classes=page, today=timezone.localdate())
    items = [
        {
            "public_id": line.school_class.public_id,
            "name": str(line.school_class),
            "school": line.school_class.school.name,
            "term": str(line.school_class.term),
            "current_term": line.current,
            "enrolled": line.enrolled,
            "active": line.active,
            "minutes": line.minutes,
            "gone_quiet": line.gone_quiet,
            "start": line.start,
            "end": line.end,
        }
        for line in lines
    ]
    return {"items": items, "count": count}


@router.get(
    "/analytics/classes/{public_id}",
    response=responses({200: ClassReportOut}, 404, 422),
    summary="A class at a glance",
    description=(
        "Every enrolled student's figures for the period, the flags (gone quiet, low activity, "
        "struggling), the spread between students and the class's weekly trend. 404 for a "
        "class the user does not teach or administer."
    ),
)
def learning_class_detail(
    request: HttpRequest, public_id: ClassId, filters: Query[ClassFilters]
) -> Any:
    school_class = access.class_or_404(request.user, public_id)
    params = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    form = ClassFilterForm(params, county_id=school_class.county_id)
    if not form.is_valid():
        raise ValidationError({name: errs for name, errs in form.errors.as_data().items()})
    data = form.cleaned_data
    period = sel.period_for(
        school_class=school_class,
        today=timezone.localdate(),
        key=data.get("period") or sel.DEFAULT_PERIOD,
        start=data.get("start"),
        end=data.get("end"),
    )
    platform = data.get("platform")
    report = sel.class_report(
        school_class=school_class,
        period=period,
        filters=sel.Filters(
            platform_id=int(platform) if platform not in (None, "") else None,
            subject=data.get("subject") or None,
        ),
        sort=data.get("sort") or "seat",
    )
    return {
        "public_id": school_class.public_id,
        "name": str(school_class),
        "school": school_class.school.name,
        "term": str(school_class.term),
        "period": period.key,
        "start": period.start,
        "end": period.end,
        "platform": report.filters.platform_id,
        "subject": report.filters.subject,
        "enrolled": report.enrolled,
        "active": report.active,
        "median_minutes": report.median_minutes,
        "correct_rate": report.class_correct_rate,
        "minutes_spread": _spread(report.minutes_spread),
        "correct_rate_spread": _spread(report.rate_spread),
        "flag_counts": report.flag_counts,
        "flag_definitions": flag_help(period),
        "weeks": [
            {"week": w.week, "active": w.active, "minutes": w.minutes} for w in report.class_weeks
        ],
        "students": [
            {
                "public_id": r.public_id,
                "seat": r.seat,
                "name": r.name,
                "has_data": r.has_data,
                "figures": _figures(r.sums),
                "last_active": r.last_active,
                "weekly_minutes": r.weekly,
                "flags": r.flags,
            }
            for r in report.rows
        ],
    }


class StudentFilters(Schema):
    week: dt.date | None = Field(None, description="Any day of the week to show (default: now).")


@router.get(
    "/analytics/students/{public_id}",
    response=responses({200: StudentReportOut}, 404, 422),
    summary="One student's learning",
    description=(
        "A week against the week before, the term's weeks, subjects, platforms and the last 14 "
        "days. For the student, their parents, their school's staff; county staff get it under "
        "a pseudonym. Every staff or county read is written to the audit log. 404 otherwise."
    ),
)
def student_detail(
    request: HttpRequest, public_id: StudentId, filters: Query[StudentFilters]
) -> Any:
    person = Person.objects.filter(public_id=public_id).first()
    how = access.student_access(request.user, person) if person is not None else None
    if person is None or how is None:
        raise Http404
    if how in ("staff", "county") and not ssel.is_student(person):
        raise Http404
    today = timezone.localdate()
    week = min(sel.week_of(filters.week or today), sel.week_of(today))
    report = ssel.student_report(
        person=person, week=week, today=today, language=get_language() or "zh-hant"
    )
    if how in ("staff", "county"):
        access.audit_student_view(request, person, how, week=week.isoformat(), via="api")

    def part(p: ssel.Part) -> dict[str, Any]:
        return {"key": p.key, "name": p.label, "share": p.share, "figures": _figures(p.sums)}

    return {
        "public_id": person.public_id,
        "access": how,
        "name": None if how == "county" else person.name,
        "pseudonym": access.pseudonym(person.pk) if how == "county" else None,
        "week": report.week,
        "this_week": _figures(report.this_week),
        "previous_week": _figures(report.last_week),
        "span_start": report.span_start,
        "span_end": report.span_end,
        "weeks": [{"week": w, "figures": _figures(s)} for w, s in report.weeks],
        "subjects": [part(p) for p in report.subjects],
        "platforms": [part(p) for p in report.platforms],
        "days": [
            {
                "day": d.day,
                "parts": [
                    {"platform": p.platform, "subject": p.subject, "figures": _figures(p.sums)}
                    for p in d.parts
                ],
            }
            for d in report.days
        ],
    }
