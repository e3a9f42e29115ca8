"""Reads of the teacher's class view (issue 6, item 4; L6.A2): the class at a glance.

A class's students are its enrolments; their learning is read from the rollups by person
(`StudentDay` on its (person, day) index, `StudentWeek` on its (person, week) key), so records a
student made before joining the class count too. A class has ~30 students: every query here is
bounded by them and by the period, never by the size of the county.

The period ends on its *anchor*: today while the class's term is running (or before it starts),
the last day of the term once it is over, so that last term's class shows how it ended.

Flags (defined once here, shown as help text on the page):
- gone quiet: records in the 4 weeks before the period's last 7 days, none in those 7 days;
- low activity: minutes in the period below a quarter of the class median (median above zero);
- struggling: correct rate below 60% over at least 20 answers in the period.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum
from django.utils.translation import gettext as _

from dtss.analytics import access, profile
from dtss.analytics.metrics import mean_score, minutes, rate
from dtss.analytics.models import MEASURES, Platform, StudentDay, StudentWeek
from dtss.orgs.models import Enrollment, Person, SchoolClass

RECENT_DAYS = 7  # "the last 7 days" of a period
QUIET_BEFORE_DAYS = 28  # the window before them in which a gone-quiet student was active
LOW_ACTIVITY_SHARE = 0.25  # of the class median
STRUGGLING_RATE = 60.0  # percent
STRUGGLING_MIN_ANSWERS = 20
TREND_WEEKS = 8  # at least this many weeks in the trends
TREND_MAX_WEEKS = 26
MAX_CUSTOM_DAYS = 366
LAST_ACTIVE_LOOKBACK_DAYS = 366

PERIODS = ("7d", "28d", "term", "custom")
DEFAULT_PERIOD = "28d"
SORT_KEYS = (
    "seat",
    "name",
    "active_days",
    "minutes",
    "events",
    "completions",
    "correct_rate",
    "mean_score",
    "last_active",
    "flags",
)
FLAGS = ("gone_quiet", "low_activity", "struggling")
OTHER_SOURCES = 0  # platform_id of records from no registered platform


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def recent_start(self) -> dt.date:
        """First day of the period's last 7 days (the gone-quiet window)."""
        return self.end - dt.timedelta(days=RECENT_DAYS - 1)

    @property
    def quiet_before_start(self) -> dt.date:
        return self.recent_start - dt.timedelta(days=QUIET_BEFORE_DAYS)

    @property
    def quiet_before_end(self) -> dt.date:
        return self.recent_start - dt.timedelta(days=1)


def period_anchor(school_class: SchoolClass, today: dt.date) -> dt.date:
    """The last day of a class's standard periods: today, or the end of a finished term."""
    term = school_class.term
    if term.end_date < today:
        return term.end_date
    return today


def period_for(
    *,
    school_class: SchoolClass,
    today: dt.date,
    key: str = DEFAULT_PERIOD,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """The period a key stands for (custom: the given dates, validated by the caller)."""
    anchor = period_anchor(school_class, today)
    if key == "7d":
        return Period("7d", anchor - dt.timedelta(days=6), anchor)
    if key == "term":
        term = school_class.term
        first = min(term.start_date, anchor)
        return Period("term", first, anchor)
    if key == "custom" and start is not None and end is not None:
        return Period("custom", start, end)
    return Period("28d", anchor - dt.timedelta(days=27), anchor)


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    platform_id: int | None = None
    subject: str | None = None

    @property
    def active(self) -> bool:
        return self.platform_id is not None or self.subject is not None

    def apply(self, qs: QuerySet[StudentDay]) -> QuerySet[StudentDay]:
        if self.platform_id is not None:
            qs = qs.filter(platform_id=self.platform_id)
        if self.subject is not None:
            qs = qs.filter(subject=self.subject)
        return qs


def platform_names(county_id: int) -> dict[int, str]:
    """Platform id → name for one county, with 0 as "other sources"."""
    names = dict(Platform.objects.filter(county_id=county_id).values_list("id", "name"))
    names[OTHER_SOURCES] = _("Other sources")
    return names


def platform_choices(county_id: int) -> list[tuple[str, str]]:
    rows = Platform.objects.filter(county_id=county_id).order_by("name").values_list("id", "name")
    return [(str(pk), name) for pk, name in rows] + [(str(OTHER_SOURCES), _("Other sources"))]


def subject_choices(language: str) -> list[tuple[str, str]]:
    return [(code, profile.subject_name(code, language)) for code in profile.SUBJECTS]


# --------------------------------------------------------------------------- figures


@dataclass
class Spread:
    """The distribution of one figure over the students: quartiles and extremes."""

    n: int = 0
    low: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    high: float | None = None

    @property
    def iqr(self) -> float | None:
        if self.q1 is None or self.q3 is None:
            return None
        return round(self.q3 - self.q1, 1)


def spread(values: Iterable[float]) -> Spread:
    data = sorted(v for v in values if v is not None)
    if not data:
        return Spread()
    if len(data) == 1:
        v = round(data[0], 1)
        return Spread(1, v, v, v, v, v)
    q1, med, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Spread(
        len(data),
        round(data[0], 1),
        round(q1, 1),
        round(med, 1),
        round(q3, 1),
        round(data[-1], 1),
    )


@dataclass
class Sums:
    seconds: float = 0
    events: int = 0
    completions: int = 0
    attempts: int = 0
    answered: int = 0
    correct: int = 0
    score_sum: float = 0.0
    score_n: int = 0
    active_days: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in (*MEASURES, "active_days"):
            if name in row and row[name] is not None:
                setattr(self, name, getattr(self, name) + row[name])

    @property
    def minutes(self) -> float:
        return minutes(self.seconds)

    @property
    def correct_rate(self) -> float | None:
        return rate(self.correct, self.answered)

    @property
    def mean_score(self) -> float | None:
        return mean_score(self.score_sum, self.score_n)


def _sum_kwargs() -> dict[str, Any]:
    return {name: Sum(name) for name in MEASURES}


# --------------------------------------------------------------------------- sparklines


@dataclass
class Spark:
    """Geometry of a small inline SVG chart of one series (drawn by the templates)."""

    width: int
    height: int
    points: str  # polyline points
    bars: list[tuple[float, float, float, float, float]]  # x, y, w, h, value
    peak: float
    values: list[float]


def spark(values: Sequence[float], *, width: int = 96, height: int = 24, pad: int = 2) -> Spark:
    """A polyline and bars scaled to the series' own maximum (an empty series is flat)."""
    n = len(values)
    peak = max(values) if values else 0
    inner_h = height - 2 * pad
    step = (width - 2 * pad) / max(n - 1, 1)
    bar_w = (width - 2 * pad) / max(n, 1)
    pts = []
    bars = []
    for i, v in enumerate(values):
        y = pad + inner_h - (inner_h * v / peak if peak else 0)
        pts.append(f"{pad + i * step:.1f},{y:.1f}")
        h = inner_h * v / peak if peak else 0
        bars.append(
            (
                round(pad + i * bar_w + 1, 1),
                round(pad + inner_h - h, 1),
                round(max(bar_w - 2, 1), 1),
                round(h, 1),
                v,
            )
        )
    return Spark(width, height, " ".join(pts), bars, peak, list(values))


@dataclass
class Box:
    """Geometry of a box plot of a `Spread` on a 0..scale axis (drawn by the templates)."""

    width: int
    height: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    mid: float
    scale: float

    @property
    def iqr_width(self) -> float:
        return round(max(self.q3 - self.q1, 2.0), 1)


def box(s: Spread, *, scale: float, width: int = 280, height: int = 46, pad: int = 8) -> Box | None:
    if s.n == 0 or s.low is None or s.high is None:
        return None
    scale = scale or 1.0
    inner = width - 2 * pad

    def x(v: float | None) -> float:
        return round(pad + inner * min(max((v or 0) / scale, 0), 1), 1)

    return Box(width, height, x(s.low), x(s.q1), x(s.median), x(s.q3), x(s.high), height / 2, scale)


# --------------------------------------------------------------------------- the class view


@dataclass
class StudentRow:
    person: Person
    seat: int
    name: str
    sums: Sums
    last_active: dt.date | None
    weekly: list[float]
    gone_quiet: bool = False
    low_activity: bool = False
    struggling: bool = False
    trend: Spark | None = None

    @property
    def public_id(self) -> Any:
        return self.person.public_id

    @property
    def has_data(self) -> bool:
        return self.sums.events > 0

    @property
    def minutes(self) -> float:
        return self.sums.minutes

    @property
    def flags(self) -> list[str]:
        return [f for f in FLAGS if getattr(self, f)]

    def sort_value(self, key: str) -> Any:
        s = self.sums
        return {
            "seat": self.seat,
            "name": self.name,
            "active_days": s.active_days,
            "minutes": s.minutes,
            "events": s.events,
            "completions": s.completions,
            "correct_rate": s.correct_rate,
            "mean_score": s.mean_score,
            "last_active": self.last_active,
            "flags": len(self.flags),
        }[key]


@dataclass
class WeekPoint:
    week: dt.date
    active: int
    minutes: float


@dataclass
class ClassReport:
    school_class: SchoolClass
    period: Period
    filters: Filters
    rows: list[StudentRow]
    weeks: list[dt.date]
    class_weeks: list[WeekPoint]
    totals: Sums
    minutes_spread: Spread
    rate_spread: Spread
    sort: str = "seat"
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def enrolled(self) -> int:
        return len(self.rows)

    @property
    def active(self) -> int:
        return sum(1 for r in self.rows if r.has_data)

    @property
    def median_minutes(self) -> float | None:
        return self.minutes_spread.median

    @property
    def class_correct_rate(self) -> float | None:
        return self.totals.correct_rate

    @property
    def minutes_box(self) -> Box | None:
        return box(self.minutes_spread, scale=self.minutes_spread.high or 1.0)

    @property
    def rate_box(self) -> Box | None:
        return box(self.rate_spread, scale=100.0)

    @property
    def trend_minutes(self) -> Spark:
        return spark([w.minutes for w in self.class_weeks], width=280, height=64, pad=4)

    @property
    def trend_active(self) -> Spark:
        return spark([w.active for w in self.class_weeks], width=280, height=64, pad=4)


def trend_weeks(period: Period) -> list[dt.date]:
    """The Mondays of the trend charts: at least `TREND_WEEKS`, to the period's last week."""
    last = week_of(period.end)
    first = min(week_of(period.start), last - dt.timedelta(weeks=TREND_WEEKS - 1))
    first = max(first, last - dt.timedelta(weeks=TREND_MAX_WEEKS - 1))
    n = (last - first).days // 7 + 1
    return [first + dt.timedelta(weeks=i) for i in range(n)]


def class_roster(school_class: SchoolClass) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("seat_number")
    )


def _weekly(
    person_ids: list[int], weeks: list[dt.date], filters: Filters
) -> dict[int, dict[dt.date, tuple[float, int]]]:
    """(seconds, records) per person per week: from StudentWeek, or, under a platform or
    subject filter (which StudentWeek does not carry), from that filter's StudentDays."""
    out: dict[int, dict[dt.date, tuple[float, int]]] = defaultdict(dict)
    if not person_ids or not weeks:
        return out
    if not filters.active:
        rows = StudentWeek.objects.filter(
            person_id__in=person_ids, week__range=(weeks[0], weeks[-1])
        ).values_list("person_id", "week", "seconds", "events")
        for pid, week, seconds, events in rows:
            out[pid][week] = (float(seconds), events)
        return out
    qs = filters.apply(
        StudentDay.objects.filter(
            person_id__in=person_ids,
            day__range=(weeks[0], weeks[-1] + dt.timedelta(days=6)),
        )
    )
    for pid, day, seconds, events in qs.values_list("person_id", "day", "seconds", "events"):
        w = week_of(day)
        before = out[pid].get(w, (0.0, 0))
        out[pid][w] = (before[0] + float(seconds), before[1] + events)
    return out


def sort_rows(rows: list[StudentRow], sort: str) -> list[StudentRow]:
    """Sort by a key of SORT_KEYS, "-key" for descending; students without a value last."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, desc = "seat", False
    present = [r for r in rows if r.sort_value(key) is not None]
    missing = [r for r in rows if r.sort_value(key) is None]
    present.sort(key=lambda r: r.seat)  # stable tie-break by seat
    present.sort(key=lambda r: r.sort_value(key), reverse=desc)
    return present + sorted(missing, key=lambda r: r.seat)


def class_report(
    *,
    school_class: SchoolClass,
    period: Period,
    filters: Filters | None = None,
    sort: str = "seat",
) -> ClassReport:
    """Every enrolled student's figures for the period, the flags, the spreads and trends."""
    filters = filters or Filters()
    roster = class_roster(school_class)
    ids = [e.student_id for e in roster]
    days = filters.apply(StudentDay.objects.filter(person_id__in=ids))

    sums: dict[int, Sums] = defaultdict(Sums)
    for row in (
        days.filter(day__range=(period.start, period.end))
        .values("person_id")
        .annotate(active_days=Count("day", distinct=True), **_sum_kwargs())
    ):
        sums[row["person_id"]].add(row)

    lookback = period.end - dt.timedelta(days=LAST_ACTIVE_LOOKBACK_DAYS)
    last_active = dict(
        days.filter(day__range=(lookback, period.end), events__gt=0)
        .values("person_id")
        .annotate(last=Max("day"))
        .values_list("person_id", "last")
    )

    weeks = trend_weeks(period)
    weekly = _weekly(ids, weeks, filters)
    rows = []
    for e in roster:
        last = last_active.get(e.student_id)
        series = [minutes(weekly.get(e.student_id, {}).get(w, (0, 0))[0]) for w in weeks]
        rows.append(
            StudentRow(
                person=e.student,
                seat=e.seat_number,
                name=e.student.name,
                sums=sums.get(e.student_id, Sums()),
                last_active=last,
                weekly=series,
                gone_quiet=last is not None
                and period.quiet_before_start <= last <= period.quiet_before_end,
                trend=spark(series, width=64, height=22),
            )
        )

    minutes_spread = spread(r.minutes for r in rows)
    median = minutes_spread.median or 0
    for r in rows:
        r.low_activity = median > 0 and r.minutes < median * LOW_ACTIVITY_SHARE
        rate_ = r.sums.correct_rate
        r.struggling = (
            r.sums.answered >= STRUGGLING_MIN_ANSWERS
            and rate_ is not None
            and rate_ < STRUGGLING_RATE
        )
    rate_spread = spread(r.sums.correct_rate for r in rows if r.sums.correct_rate is not None)
    totals = Sums()
    for r in rows:
        for name in (*MEASURES, "active_days"):
            setattr(totals, name, getattr(totals, name) + getattr(r.sums, name))

    class_weeks = [
        WeekPoint(
            week=w,
            active=sum(1 for pid in ids if weekly.get(pid, {}).get(w, (0, 0))[1] > 0),
            minutes=minutes(sum(weekly.get(pid, {}).get(w, (0, 0))[0] for pid in ids)),
        )
        for w in weeks
    ]
    return ClassReport(
        school_class=school_class,
        period=period,
        filters=filters,
        rows=sort_rows(rows, sort),
        weeks=weeks,
        class_weeks=class_weeks,
        totals=totals,
        minutes_spread=minutes_spread,
        rate_spread=rate_spread,
        sort=sort,
        flag_counts={f: sum(1 for r in rows if getattr(r, f)) for f in FLAGS},
    )


# --------------------------------------------------------------------------- "my classes"


@dataclass
class ClassLine:
    school_class: SchoolClass
    enrolled: int
    active: int
    minutes: float
    start: dt.date
    end: dt.date
    current: bool
    gone_quiet: int = 0


def class_list(*, user: Any) -> QuerySet[SchoolClass]:
    """The classes the user sees student by student, the latest term first."""
    return (
        access.classes_for(user)
        .annotate(enrolled=Count("enrollments"))
        .order_by("-term__roc_year", "-term__semester", "school__code", "grade", "number")
    )


def class_lines(*, classes: Sequence[SchoolClass], today: dt.date) -> list[ClassLine]:
    """One line per class: students active in the 7 days to its anchor, and their minutes."""
    by_anchor: dict[dt.date, list[SchoolClass]] = defaultdict(list)
    for c in classes:
        by_anchor[period_anchor(c, today)].append(c)
    members: dict[int, list[int]] = defaultdict(list)
    for class_id, student_id in Enrollment.objects.filter(
        school_class_id__in=[c.pk for c in classes]
    ).values_list("school_class_id", "student_id"):
        members[class_id].append(student_id)
    lines: dict[int, ClassLine] = {}
    for anchor, group in by_anchor.items():
        start = anchor - dt.timedelta(days=RECENT_DAYS - 1)
        ids = {pid for c in group for pid in members[c.pk]}
        per_person: dict[int, tuple[int, float]] = {}
        quiet: set[int] = set()
        if ids:
            for pid, events, seconds in (
                StudentDay.objects.filter(person_id__in=ids, day__range=(start, anchor))
                .values("person_id")
                .annotate(e=Sum("events"), s=Sum("seconds"))
                .values_list("person_id", "e", "s")
            ):
                per_person[pid] = (events or 0, float(seconds or 0))
            period = Period("28d", anchor - dt.timedelta(days=27), anchor)
            quiet = {
                pid
                for pid, last in StudentDay.objects.filter(
                    person_id__in=ids,
                    day__range=(period.quiet_before_start, anchor),
                    events__gt=0,
                )
                .values("person_id")
                .annotate(last=Max("day"))
                .values_list("person_id", "last")
                if last <= period.quiet_before_end
            }
        for c in group:
            pids = members[c.pk]
            lines[c.pk] = ClassLine(
                school_class=c,
                enrolled=len(pids),
                active=sum(1 for p in pids if per_person.get(p, (0, 0))[0] > 0),
                minutes=minutes(sum(per_person.get(p, (0, 0.0))[1] for p in pids)),
                start=start,
                end=anchor,
                current=c.term.start_date <= today <= c.term.end_date,
                gone_quiet=sum(1 for p in pids if p in quiet),
            )
    return [lines[c.pk] for c in classes]
