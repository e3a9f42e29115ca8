"""The school view (S5.D2, S5.A2), and what every overview view shares: the period, rows of
figures, small-group suppression and the weekly charts.

Everything is read from the rollups, never from statements:

- `SchoolWeek` (school × grade × week) for the grade rows and the weekly trend;
- `StudentWeek` of the school (index school, week) for the class rows and for the number of
  different students active in the period;
- `SchoolWeekPart` (× platform × subject) for the subject and platform rows;
- `orgs.Enrollment` of the period's terms for the enrolled counts.

Periods are whole weeks (Monday to Sunday, as the rollups). A term's weeks are those whose
Thursday falls in the term, so that a week on a term boundary belongs to exactly one term.

Suppression (the rule of the surveys app, `dtss.surveys.suppression`, with the same minimum
group size k = 5): a row describing 0 < n < k active students publishes no figure but its
enrolled count; when the hidden rows of one table (a partition: grades, classes, schools …)
together hold fewer than k students, the smallest published row is hidden too, so that no
hidden row can be recovered by subtracting the published rows from the total. n is the number
of different students active in the period; where the rollups only count students per week
(school, subject and platform rows), n is the largest weekly count, which is never more than
the number of different students, so the rule never publishes a smaller group. Rows the viewer
may see student by student anyway (a school administrator's school, a teacher's own class) are
not suppressed for that viewer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dtss.analytics import access, metrics, profile
from dtss.analytics.models import MEASURES, Platform, SchoolWeek, SchoolWeekPart, StudentWeek
from dtss.orgs.models import AcademicTerm, Enrollment, School, SchoolClass
from dtss.surveys.models import MIN_GROUP_SIZE

K = MIN_GROUP_SIZE  # the smallest group whose figures are published (as for surveys)
MAX_WEEKS = 53  # the longest period one page reads
SUMS = {m: Sum(m) for m in MEASURES}
FIGURE_SUMS = {
    m: Sum(m) for m in ("seconds", "events", "answered", "correct", "score_sum", "score_n")
}


# --------------------------------------------------------------------------- weeks and periods


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def term_of_week(week: dt.date, terms: Iterable[AcademicTerm]) -> AcademicTerm | None:
    """The term a week belongs to: the one holding its Thursday."""
    thursday = week + dt.timedelta(days=3)
    for term in terms:
        if term.start_date <= thursday <= term.end_date:
            return term
    return None


def term_weeks(term: AcademicTerm, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last week (Mondays) of a term, the last no later than this week."""
    first = week_of(term.start_date + dt.timedelta(days=3))
    if first + dt.timedelta(days=3) < term.start_date:
        first += dt.timedelta(days=7)
    last = week_of(term.end_date)
    if last + dt.timedelta(days=3) > term.end_date:
        last -= dt.timedelta(days=7)
    return first, min(last, week_of(today))


def term_for(day: dt.date) -> AcademicTerm | None:
    """The term holding a day, else the latest term that started before it."""
    term = AcademicTerm.objects.filter(start_date__lte=day, end_date__gte=day).first()
    if term is None:
        term = AcademicTerm.objects.filter(start_date__lte=day).order_by("-start_date").first()
    return term


def term_code(term: AcademicTerm) -> str:
    return f"{term.roc_year}-{term.semester}"


@dataclass(frozen=True)
class Period:
    """Whole weeks, first_week to last_week (Mondays), with the terms they belong to."""

    kind: str  # "term", "4w", "custom", "previous"
    first_week: dt.date
    last_week: dt.date
    term: AcademicTerm | None = None  # the term chosen (kind "term") or holding the last week
    terms: tuple[AcademicTerm, ...] = ()  # every term any week belongs to
    today: dt.date | None = None

    @property
    def weeks(self) -> list[dt.date]:
        out, w = [], self.first_week
        while w <= self.last_week:
            out.append(w)
            w += dt.timedelta(days=7)
        return out

    @property
    def n_weeks(self) -> int:
        return len(self.weeks)

    @property
    def start(self) -> dt.date:
        return self.first_week

    @property
    def end(self) -> dt.date:
        return self.last_week + dt.timedelta(days=6)

    @property
    def current_week(self) -> dt.date | None:
        return week_of(self.today) if self.today else None

    def week_term(self, week: dt.date) -> AcademicTerm | None:
        return term_of_week(week, self.terms)

    def label(self) -> str:
        span = f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"
        if self.kind == "term" and self.term is not None:
            return f"{self.term} ({span})"
        if self.kind == "4w":
            return _("Last 4 weeks") + f" ({span})"
        return span

    def previous(self) -> Period:
        """The same number of weeks just before."""
        n = max(self.n_weeks, 1)
        return period_make(
            "previous",
            self.first_week - dt.timedelta(days=7 * n),
            self.first_week - dt.timedelta(days=7),
            today=self.today,
        )


def period_make(
    kind: str,
    first_week: dt.date,
    last_week: dt.date,
    *,
    term: AcademicTerm | None = None,
    today: dt.date | None = None,
) -> Period:
    first_week, last_week = week_of(first_week), week_of(last_week)
    terms = tuple(
        AcademicTerm.objects.filter(
            start_date__lte=last_week + dt.timedelta(days=6), end_date__gte=first_week
        ).order_by("start_date")
    )
    if term is None:
        term = term_of_week(last_week, terms) or term_for(last_week)
    return Period(kind, first_week, last_week, term, terms, today)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def period_from_query(
    params: Mapping[str, str], *, today: dt.date
) -> tuple[Period, dict[str, str]]:
    """The period a page's query asks for, and the errors of a bad query (by field).

    `period`: "term" (default; `term` = "114-1", default the term holding today), "4w" (the
    last four weeks, this one included) or "custom" (`start`, `end`: ISO dates). A bad query
    gives its errors and the default period."""
    errors: dict[str, str] = {}
    kind = params.get("period") or "term"
    if kind not in ("term", "4w", "custom"):
        errors["period"] = _("Choose this term, the last 4 weeks or a custom period.")
        kind = "term"
    if kind == "4w":
        this = week_of(today)
        return period_make("4w", this - dt.timedelta(days=21), this, today=today), errors
    if kind == "custom":
        start, end = _date(params.get("start", "")), _date(params.get("end", ""))
        if start is None:
            errors["start"] = _("Enter the first day of the period as YYYY-MM-DD.")
        if end is None:
            errors["end"] = _("Enter the last day of the period as YYYY-MM-DD.")
        if start and end:
            if end < start:
                errors["end"] = _("The last day must not be before the first day.")
            elif (week_of(end) - week_of(start)).days // 7 + 1 > MAX_WEEKS:
                errors["end"] = _("A period can be at most %(n)s weeks long.") % {"n": MAX_WEEKS}
            else:
                return period_make("custom", start, end, today=today), errors
    term = None
    code = params.get("term", "")
    if code and kind == "term":
        roc, _sep, sem = code.partition("-")
        if roc.isdigit() and sem.isdigit():
            term = AcademicTerm.objects.filter(roc_year=int(roc), semester=int(sem)).first()
        if term is None:
            errors["term"] = _("There is no term %(term)s.") % {"term": code}
    if term is None:
        term = term_for(today)
    if term is None:  # no terms at all: the last four weeks
        this = week_of(today)
        return period_make("4w", this - dt.timedelta(days=21), this, today=today), errors
    first, last = term_weeks(term, today)
    if last < first:  # a term that has not begun: its first week
        last = first
    return period_make("term", first, last, term=term, today=today), errors


def term_choices(today: dt.date) -> list[tuple[str, str]]:
    return [
        (term_code(t), str(t))
        for t in AcademicTerm.objects.filter(start_date__lte=today).order_by("-start_date")[:12]
    ]


# --------------------------------------------------------------------------- rows of figures


@dataclass
class Row:
    """One line of a table: summed measures of a group of students over some weeks.

    `active` is the n of the suppression rule; `student_weeks` the sum of the weekly numbers of
    active students; `enrolled_weeks` the sum over the weeks of the students enrolled."""

    key: Any
    label: str
    enrolled: int | None = None
    active: int = 0
    student_weeks: int = 0
    enrolled_weeks: int = 0
    seconds: float = 0.0
    events: int = 0
    answered: int = 0
    correct: int = 0
    score_sum: float = 0.0
    score_n: int = 0
    hidden: bool = False
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    change: float | None = None  # active share, percentage points vs the previous period
    current: bool = False  # a week still in progress

    def add(self, r: Mapping[str, Any], students: int | None = None) -> None:
        self.seconds += r.get("seconds") or 0
        self.events += r.get("events") or 0
        self.answered += r.get("answered") or 0
        self.correct += r.get("correct") or 0
        self.score_sum += r.get("score_sum") or 0.0
        self.score_n += r.get("score_n") or 0
        if students is not None:
            self.student_weeks += students

    @property
    def active_share(self) -> float | None:
        """Average weekly share of the enrolled students who were active (percent)."""
        if self.hidden or not self.enrolled_weeks:
            return None
        return metrics.rate(self.student_weeks, self.enrolled_weeks)

    @property
    def minutes(self) -> float | None:
        return None if self.hidden else metrics.minutes(self.seconds)

    @property
    def minutes_per_active(self) -> float | None:
        """Minutes per active student per week."""
        if self.hidden or not self.student_weeks:
            return None
        return round(self.seconds / 60 / self.student_weeks, 1)

    @property
    def correct_rate(self) -> float | None:
        return None if self.hidden else metrics.rate(self.correct, self.answered)

    @property
    def mean_score(self) -> float | None:
        return None if self.hidden else metrics.mean_score(self.score_sum, self.score_n)

    @property
    def shown_active(self) -> int | None:
        return None if self.hidden else self.active

    @property
    def trend(self) -> str:
        """▲ ▼ or ＝ for the change of the active share (one point either way is no change)."""
        if self.hidden or self.change is None:
            return ""
        if self.change >= 1:
            return "▲"
        if self.change <= -1:
            return "▼"
        return "＝"


def suppress(
    rows: Sequence[Any],
    *,
    partition: bool = True,
    exempt: Callable[[Any], bool] | None = None,
    k: int = K,
) -> bool:
    """Hide the rows the rule above says may not be published; True when the table's total
    must be hidden too (the hidden rows hold fewer than k students and no other row can be
    hidden to make up k)."""
    exempt = exempt or (lambda _r: False)
    hidden = {i for i, r in enumerate(rows) if not exempt(r) and 0 < r.active < k}
    hide_total = False
    if partition:
        while hidden:
            if sum(rows[i].active for i in hidden) >= k:
                break
            candidates = sorted(
                (r.active, i)
                for i, r in enumerate(rows)
                if i not in hidden and not exempt(r) and r.active > 0
            )
            if not candidates:
                hide_total = True
                break
            hidden.add(candidates[0][1])
    for i in hidden:
        rows[i].hidden = True
    return hide_total


def hide_small(row: Row, k: int = K) -> None:
    if 0 < row.active < k:
        row.hidden = True


def grade_label(grade: int | None) -> str:
    if not grade:
        return _("Grade unknown")
    return _("Grade %(n)s") % {"n": grade}


def platform_labels(county_id: int) -> dict[int, str]:
    names = dict(Platform.objects.filter(county_id=county_id).values_list("pk", "name"))
    names[0] = _("Other sources")
    return names


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """A small line chart of one weekly figure, drawn as inline SVG by the template."""

    title: str
    unit: str
    points: str  # polyline points of the segments with values, "x,y x,y"
    dots: list[tuple[float, float, str]]  # x, y, label
    ymax: float
    grid: list[tuple[float, str]]  # y, label
    xlabels: list[tuple[float, str]]
    width: int = 320
    height: int = 120
    summary: str = ""

    @property
    def empty(self) -> bool:
        return not self.dots


def chart(
    title: str, unit: str, weeks: list[dt.date], values: list[float | None], *, cap: float = 0
) -> Chart:
    """A line through the weeks that have a value (hidden or empty weeks leave a gap)."""
    width, height, left, top, bottom = 320, 120, 34, 8, 22
    known = [v for v in values if v is not None]
    ymax = max([cap, *known]) if known else (cap or 1)
    if ymax <= 0:
        ymax = 1
    if not cap:  # a round top
        for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 2000, 5000):
            if ymax <= step:
                ymax = float(step)
                break
    n = len(weeks)
    span = width - left - 18  # room for the last week's label

    def x(i: int) -> float:
        return round(left + (span * i / (n - 1) if n > 1 else span / 2), 1)

    def y(v: float) -> float:
        return round(top + (height - top - bottom) * (1 - v / ymax), 1)

    dots = []
    for i, (w, v) in enumerate(zip(weeks, values, strict=True)):
        if v is not None:
            dots.append((x(i), y(v), f"{w:%m-%d} {v:g}{unit}"))
    grid = [(y(ymax * f), f"{ymax * f:g}") for f in (0, 0.5, 1)]
    step = max(1, (n + 5) // 6)
    xlabels = [(x(i), f"{w:%m/%d}") for i, w in enumerate(weeks) if i % step == 0]
    summary = title + ": " + ", ".join(d[2] for d in dots) if dots else title
    return Chart(
        title,
        unit,
        " ".join(f"{px},{py}" for px, py, _label in dots),
        dots,
        ymax,
        grid,
        xlabels,
        width,
        height,
        summary,
    )


def trend_charts(weekly: list[Row]) -> list[Chart]:
    """Active share, minutes and correct rate by week (a week in progress is left out: its
    figures would read as a drop)."""
    weekly = [r for r in weekly if not r.current]
    weeks = [r.key for r in weekly]
    return [
        chart(
            _("Weekly active share (%)"),
            "%",
            weeks,
            [r.active_share for r in weekly],
            cap=100,
        ),
        chart(_("Minutes per active student"), "", weeks, [r.minutes_per_active for r in weekly]),
        chart(_("Correct rate (%)"), "%", weeks, [r.correct_rate for r in weekly], cap=100),
    ]


# --------------------------------------------------------------------------- enrolment


def enrolled_by(
    *, terms: Iterable[AcademicTerm], key: str, **filters: Any
) -> dict[tuple[int, Any], int]:
    """Students enrolled in the classes of the terms: {(term id, key value): count}."""
    term_ids = [t.pk for t in terms]
    if not term_ids:
        return {}
    qs = (
        Enrollment.objects.filter(school_class__term_id__in=term_ids, **filters)
        .values_list("school_class__term_id", key)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(t, k): n for t, k, n in qs}


def enrolled_weeks(
    period: Period, counts: Mapping[tuple[int, Any], int], key: Any
) -> tuple[int, int | None]:
    """(Σ over the period's weeks of the enrolled students, enrolled in the period's term)."""
    total = 0
    for week in period.weeks:
        term = period.week_term(week)
        if term is not None:
            total += counts.get((term.pk, key), 0)
    shown = counts.get((period.term.pk, key), 0) if period.term is not None else None
    return total, shown


# --------------------------------------------------------------------------- the school view


@dataclass
class SchoolOverview:
    school: School
    period: Period
    total: Row
    weekly: list[Row]
    grades: list[Row]
    classes: list[Row]
    subjects: list[Row]
    platforms: list[Row]
    charts: list[Chart]
    names_visible: bool  # the viewer sees the school's students by name: nothing suppressed
    k: int = K

    @property
    def has_data(self) -> bool:
        return self.total.events > 0 or self.total.student_weeks > 0

    def tables(self) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
        """Every table as (title, headers, rows) for the CSV and XLSX files."""
        return {
            "weeks": (_("Weekly trend"), *figure_table(self.weekly, "week")),
            "grades": (_("By grade"), *figure_table(self.grades, "group")),
            "classes": (_("By class"), *figure_table(self.classes, "group")),
            "subjects": (_("By subject"), *figure_table(self.subjects, "part")),
            "platforms": (_("By platform"), *figure_table(self.platforms, "part")),
        }


def hidden_text() -> str:
    return _("fewer than %(k)s active students") % {"k": K}


def figure_table(
    rows: list[Row], style: str, *, most: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a table; `most`: its n is the largest weekly count."""
    first = {"week": _("Week (Monday)"), "group": _("Group"), "part": _("Group")}[style]
    if style == "part":
        headers = [
            first,
            _("Active students (most in one week)"),
            _("Minutes"),
            _("Share of minutes (%)"),
            _("Minutes per active student per week"),
            _("Correct rate (%)"),
            _("Mean score (%)"),
            _("Note"),
        ]
        return headers, [
            [
                r.label,
                r.shown_active,
                r.minutes,
                None if r.hidden else r.extra.get("share"),
                r.minutes_per_active,
                r.correct_rate,
                r.mean_score,
                hidden_text() if r.hidden else "",
            ]
            for r in rows
        ]
    headers = [
        first,
        _("Enrolled"),
        _("Active students (most in one week)") if most else _("Active students"),
        _("Weekly active share (%)"),
        _("Minutes per active student per week"),
        _("Correct rate (%)"),
        _("Mean score (%)"),
        _("Note"),
    ]
    return headers, [
        [
            r.key.isoformat() if style == "week" else r.label,
            r.enrolled,
            r.shown_active,
            r.active_share,
            r.minutes_per_active,
            r.correct_rate,
            r.mean_score,
            hidden_text()
            if r.hidden
            else (_("week in progress") if r.current else r.extra.get("note", "")),
        ]
        for r in rows
    ]


def school_or_404(user: Any, public_id: Any) -> School:
    from django.http import Http404

    try:
        return access.schools_for(user).get(public_id=public_id)
    except (School.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def school_overview(*, school: School, period: Period, user: Any) -> SchoolOverview:
    """The school's usage and results in the period, suppressed for this viewer."""
    weeks = period.weeks
    lo, hi = period.first_week, period.last_week
    names_visible = access.names_visible_in_school(user, school)
    own_class_ids = (
        set()
        if names_visible
        else set(access.classes_for(user).filter(school=school).values_list("pk", flat=True))
    )

    # enrolment of the period's terms
    by_grade = enrolled_by(terms=period.terms, key="school_class__grade", school=school)
    by_school: dict[tuple[int, Any], int] = defaultdict(int)
    for (term_id, _grade), n in by_grade.items():
        by_school[(term_id, school.pk)] += n

    # weekly trend and grades (SchoolWeek)
    week_rows = {w: Row(w, f"{w:%Y-%m-%d}", current=w == period.current_week) for w in weeks}
    grade_rows: dict[int, Row] = {}
    grade_weekly: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for r in SchoolWeek.objects.filter(school=school, week__gte=lo, week__lte=hi).values(
        "grade", "week", "students", *MEASURES
    ):
        week_rows[r["week"]].add(r, r["students"])
        week_rows[r["week"]].active += r["students"]
        g = grade_rows.setdefault(r["grade"], Row(r["grade"], grade_label(r["grade"])))
        g.add(r, r["students"])
        grade_weekly[r["grade"]][r["week"]] = r["students"]
    for w, row in week_rows.items():
        term = period.week_term(w)
        row.enrolled = by_school.get((term.pk, school.pk)) if term else None
        row.enrolled_weeks = row.enrolled or 0
    for _term_id, grade in by_grade:
        grade_rows.setdefault(grade, Row(grade, grade_label(grade)))

    # different students active in the period (StudentWeek, index school + week)
    sw = StudentWeek.objects.filter(school=school, week__gte=lo, week__lte=hi)
    distinct_by_grade = dict(
        sw.values_list("grade").annotate(n=Count("person_id", distinct=True)).order_by()
    )
    for grade, row in grade_rows.items():
        row.active = distinct_by_grade.get(grade or None, 0) + (
            distinct_by_grade.get(0, 0) if not grade else 0
        )
        row.enrolled_weeks, row.enrolled = enrolled_weeks(period, by_grade, grade)

    # classes (StudentWeek grouped by class)
    class_rows: dict[int, Row] = {}
    for r in (
        sw.values("school_class_id")
        .annotate(n=Count("person_id", distinct=True), weeks=Count("id"), **SUMS)
        .order_by()
    ):
        if r["school_class_id"] is None:
            continue
        row = Row(r["school_class_id"], "", active=r["n"])
        row.add(r, r["weeks"])
        class_rows[r["school_class_id"]] = row
    classes = {
        c.pk: c
        for c in SchoolClass.objects.filter(
            Q(school=school, term__in=period.terms) | Q(pk__in=list(class_rows))
        ).select_related("term")
    }
    class_enrolled = dict(
        Enrollment.objects.filter(school_class_id__in=list(classes))
        .values_list("school_class_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    several_terms = len({c.term_id for c in classes.values()}) > 1
    class_base = reverse("analytics:class_list")
    for pk, c in classes.items():
        row = class_rows.setdefault(pk, Row(pk, ""))
        row.label = f"{c.term} {c}" if several_terms else str(c)
        row.enrolled = class_enrolled.get(pk, 0)
        row.enrolled_weeks = row.enrolled * sum(
            1 for w in weeks if (t := period.week_term(w)) is not None and t.pk == c.term_id
        )
        row.extra = {"grade": c.grade, "number": c.number, "term": c.term.start_date}
        if names_visible or pk in own_class_ids:
            row.url = f"{class_base}{c.public_id}/"

    # subjects and platforms (SchoolWeekPart)
    language = get_language() or ""
    names = platform_labels(school.county_id)
    subject_rows: dict[str, Row] = {}
    platform_rows: dict[int, Row] = {}
    most: dict[tuple[str, Any], int] = defaultdict(int)
    for r in (
        SchoolWeekPart.objects.filter(school=school, week__gte=lo, week__lte=hi)
        .values("subject", "platform_id", "week")
        .annotate(students=Sum("students"), **SUMS)
        .order_by()
    ):
        s = subject_rows.setdefault(
            r["subject"], Row(r["subject"], profile.subject_name(r["subject"], language))
        )
        p = platform_rows.setdefault(
            r["platform_id"], Row(r["platform_id"], names.get(r["platform_id"], "?"))
        )
        s.add(r, r["students"])
        p.add(r, r["students"])
        most[("s", r["subject"])] = max(most[("s", r["subject"])], r["students"])
        most[("p", r["platform_id"])] = max(most[("p", r["platform_id"])], r["students"])
    all_seconds = sum(r.seconds for r in subject_rows.values())
    for prefix, table in (("s", subject_rows), ("p", platform_rows)):
        for key, row in table.items():
            row.active = most[(prefix, key)]
            row.extra["share"] = metrics.rate(row.seconds, all_seconds)

    # the school's total
    total = Row(school.pk, school.name)
    for row in week_rows.values():
        total.add(
            {
                "seconds": row.seconds,
                "events": row.events,
                "answered": row.answered,
                "correct": row.correct,
                "score_sum": row.score_sum,
                "score_n": row.score_n,
            },
            row.student_weeks,
        )
    total.active = sw.values("person_id").distinct().count()
    total.enrolled_weeks, total.enrolled = enrolled_weeks(period, by_school, school.pk)

    # suppression for viewers who do not see the school's students by name
    weekly = [week_rows[w] for w in weeks]
    grades = sorted(grade_rows.values(), key=lambda r: (r.key == 0, r.key))
    class_list = sorted(
        class_rows.values(),
        key=lambda r: (r.extra.get("term") or dt.date.min, r.extra.get("grade", 99), r.label),
    )
    subjects = sorted(subject_rows.values(), key=lambda r: -r.seconds)
    platforms = sorted(platform_rows.values(), key=lambda r: -r.seconds)
    if not names_visible:
        hide_total = suppress(grades)
        hide_total |= suppress(class_list, exempt=lambda r: r.key in own_class_ids)
        suppress(subjects, partition=False)
        suppress(platforms, partition=False)
        for row in weekly:
            hide_small(row)
        hide_small(total)
        if hide_total:
            total.hidden = True
    return SchoolOverview(
        school=school,
        period=period,
        total=total,
        weekly=weekly,
        grades=grades,
        classes=class_list,
        subjects=subjects,
        platforms=platforms,
        charts=trend_charts(weekly),
        names_visible=names_visible,
    )
