"""Reads of one student's learning page (issue 6, item 4; S2.M2): for the student, their
parents, their school's staff (by name) and county staff (under a pseudonym).

Everything is read from the student's own rollups: `StudentWeek` by its (person, week) key and
`StudentDay` by its (person, day) index, so a page costs a few small queries whatever the size
of the county.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils import translation

from dtss.analytics import profile
from dtss.analytics.class_selectors import Spark, Sums, platform_names, spark, week_of
from dtss.analytics.models import MEASURES, StudentDay, StudentWeek
from dtss.orgs.models import AcademicTerm, Enrollment, Person

RECENT_DAYS = 14
FALLBACK_WEEKS = 20  # the trend's length when no academic term covers the week


def current_enrollment(person: Person) -> Enrollment | None:
    """The student's enrolment in the latest term (school and class beside the name)."""
    return (
        Enrollment.objects.filter(student=person)
        .select_related("school", "school_class", "school_class__term")
        .order_by("-school_class__term__roc_year", "-school_class__term__semester", "-id")
        .first()
    )


def is_student(person: Person) -> bool:
    return Enrollment.objects.filter(student=person).exists()


@dataclass
class Change:
    """This week's figure against last week's."""

    now: float | None
    before: float | None

    @property
    def delta(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 1)

    @property
    def direction(self) -> str:
        d = self.delta
        if d is None or d == 0:
            return "same"
        return "up" if d > 0 else "down"


@dataclass
class Part:
    """One subject's or platform's share of a span."""

    key: str
    label: str
    sums: Sums
    share: float  # percent of the span's minutes


@dataclass
class DayPart:
    platform: str
    subject: str
    sums: Sums


@dataclass
class Day:
    day: dt.date
    parts: list[DayPart]

    @property
    def minutes(self) -> float:
        return round(sum(p.sums.minutes for p in self.parts), 1)

    @property
    def events(self) -> int:
        return sum(p.sums.events for p in self.parts)


@dataclass
class StudentReport:
    person: Person
    week: dt.date  # Monday of the chosen week
    today: dt.date
    this_week: Sums
    last_week: Sums
    changes: dict[str, Change]
    term: AcademicTerm | None
    span_start: dt.date
    span_end: dt.date
    weeks: list[tuple[dt.date, Sums]]
    subjects: list[Part]
    platforms: list[Part]
    days: list[Day]
    enrollment: Enrollment | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def week_end(self) -> dt.date:
        return self.week + dt.timedelta(days=6)

    @property
    def in_progress(self) -> bool:
        return self.week <= self.today <= self.week_end

    @property
    def previous_week(self) -> dt.date:
        return self.week - dt.timedelta(weeks=1)

    @property
    def next_week(self) -> dt.date | None:
        nxt = self.week + dt.timedelta(weeks=1)
        return nxt if nxt <= self.today else None

    @property
    def trend(self) -> Spark:
        return spark([s.minutes for _w, s in self.weeks], width=300, height=64, pad=4)

    @property
    def timeline(self) -> list[dict[str, Any]]:
        """The recent days, newest first, with runs of days without records as one entry."""
        out: list[dict[str, Any]] = []
        for d in self.days:
            if d.parts:
                out.append({"day": d})
            elif out and "quiet" in out[-1]:
                out[-1]["first"] = d.day
                out[-1]["n"] += 1
            else:
                out.append({"quiet": True, "first": d.day, "last": d.day, "n": 1})
        return out

    @property
    def has_data(self) -> bool:
        return any(s.events for _w, s in self.weeks) or any(d.parts for d in self.days)


def _week_sums(person: Person, weeks: list[dt.date]) -> dict[dt.date, Sums]:
    out: dict[dt.date, Sums] = {}
    for row in StudentWeek.objects.filter(person=person, week__in=weeks).values(
        "week", "active_days", *MEASURES
    ):
        s = Sums()
        s.add(row)
        out[row["week"]] = s
    return out


def term_of(day: dt.date) -> AcademicTerm | None:
    return AcademicTerm.objects.filter(start_date__lte=day, end_date__gte=day).first()


def _parts(rows: list[dict[str, Any]], key: str, label: Any, total_seconds: float) -> list[Part]:
    parts = []
    for row in rows:
        s = Sums()
        s.add(row)
        share = round(100 * s.seconds / total_seconds, 1) if total_seconds else 0.0
        parts.append(Part(str(row[key]), label(row[key]), s, share))
    parts.sort(key=lambda p: (-p.sums.seconds, -p.sums.events, p.label))
    return parts


def student_report(
    *, person: Person, week: dt.date, today: dt.date, language: str
) -> StudentReport:
    """The chosen week (any day of it) against the week before, the term so far, its subjects
    and platforms, and the last 14 days up to the end of the chosen week (or today)."""
    week = week_of(week)
    prev = week - dt.timedelta(weeks=1)
    term = term_of(week) or term_of(week + dt.timedelta(days=6))
    span_end = min(week + dt.timedelta(days=6), max(today, week))
    if term is not None:
        span_start = term.start_date
    else:
        span_start = week - dt.timedelta(weeks=FALLBACK_WEEKS - 1)
    first_week = week_of(span_start)
    weeks = [first_week + dt.timedelta(weeks=i) for i in range((week - first_week).days // 7 + 1)]
    sums = _week_sums(person, sorted({*weeks, prev}))
    this_week, last_week = sums.get(week, Sums()), sums.get(prev, Sums())
    changes = {
        "minutes": Change(this_week.minutes, last_week.minutes),
        "active_days": Change(this_week.active_days, last_week.active_days),
        "events": Change(this_week.events, last_week.events),
        "completions": Change(this_week.completions, last_week.completions),
        "correct_rate": Change(this_week.correct_rate, last_week.correct_rate),
    }

    with translation.override(language):
        names = platform_names(person.county_id)
    span = StudentDay.objects.filter(person=person, day__range=(span_start, span_end))
    total = float(span.aggregate(s=Sum("seconds"))["s"] or 0)
    sum_kwargs = {name: Sum(name) for name in MEASURES}
    subjects = _parts(
        list(
            span.values("subject").annotate(active_days=Count("day", distinct=True), **sum_kwargs)
        ),
        "subject",
        lambda code: profile.subject_name(code, language) if code else "—",
        total,
    )
    platforms = _parts(
        list(
            span.values("platform_id").annotate(
                active_days=Count("day", distinct=True), **sum_kwargs
            )
        ),
        "platform_id",
        lambda pk: names.get(pk, names[0]),
        total,
    )

    recent_start = span_end - dt.timedelta(days=RECENT_DAYS - 1)
    by_day: dict[dt.date, list[DayPart]] = defaultdict(list)
    for row in (
        StudentDay.objects.filter(person=person, day__range=(recent_start, span_end))
        .order_by("-day", "platform_id", "subject")
        .values("day", "platform_id", "subject", *MEASURES)
    ):
        s = Sums()
        s.add(row)
        s.active_days = 1
        by_day[row["day"]].append(
            DayPart(
                platform=names.get(row["platform_id"], names[0]),
                subject=profile.subject_name(row["subject"], language) if row["subject"] else "—",
                sums=s,
            )
        )
    days = [
        Day(
            recent_start + dt.timedelta(days=i), by_day.get(recent_start + dt.timedelta(days=i), [])
        )
        for i in range(RECENT_DAYS)
    ]
    days.reverse()  # newest first
    return StudentReport(
        person=person,
        week=week,
        today=today,
        this_week=this_week,
        last_week=last_week,
        changes=changes,
        term=term,
        span_start=span_start,
        span_end=span_end,
        weeks=[(w, sums.get(w, Sums())) for w in weeks],
        subjects=subjects,
        platforms=platforms,
        days=days,
        enrollment=current_enrollment(person),
    )


def student_days_export(
    *, person: Person, start: dt.date, end: dt.date, language: str
) -> list[list[Any]]:
    """One row per day × platform × subject of the span, oldest first (the staff export)."""
    with translation.override(language):
        names = platform_names(person.county_id)
    rows = []
    for row in (
        StudentDay.objects.filter(person=person, day__range=(start, end))
        .order_by("day", "platform_id", "subject")
        .values("day", "platform_id", "subject", *MEASURES)
    ):
        s = Sums()
        s.add(row)
        rows.append(
            [
                row["day"],
                names.get(row["platform_id"], names[0]),
                profile.subject_name(row["subject"], language) if row["subject"] else "",
                s.minutes,
                s.events,
                s.completions,
                s.attempts,
                s.answered,
                s.correct,
                s.correct_rate,
                s.mean_score,
            ]
        )
    return rows


@dataclass
class ChildLine:
    person: Person
    enrollment: Enrollment | None
    week: Sums


def child_lines(*, people: list[Person], today: dt.date) -> list[ChildLine]:
    """A parent's children, each with their school, class and this week so far."""
    week = week_of(today)
    sums: dict[int, Sums] = {}
    for row in StudentWeek.objects.filter(person__in=people, week=week).values(
        "person_id", "active_days", *MEASURES
    ):
        s = Sums()
        s.add(row)
        sums[row["person_id"]] = s
    return [
        ChildLine(person=p, enrollment=current_enrollment(p), week=sums.get(p.pk, Sums()))
        for p in people
    ]
