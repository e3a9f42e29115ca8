"""Programme views (L6.A3): 學習扶助 and 數位學伴 participants before and after they joined,
against non-participants of the same grades over the same calendar weeks.

Alignment: each participant's start week (the week holding `LearnerGroup.start_date`) is week 0.
"Before" is weeks −N … −1, "after" weeks +1 … +N; week 0, partly before and partly after the
start, counts in neither. Participants are those whose start date falls in the chosen period and
whose N weeks after are over (the others are counted as "too recent"); a student with several
memberships of the programme is aligned on the earliest start in the period.

Per participant and window: minutes per week (weeks without activity count as 0), the share of
the N weeks with any activity, the correct rate and mean score of the window.

Comparison: for every week of every participant's windows, what an average non-participant of
the participant's grade cohort did that week (the cohort moves up a grade with the academic
year): the county's `SchoolWeek` sums of that grade and week, minus the programme members' own
`StudentWeek`s, divided by the cohort's enrolled non-members. Averaging these over the
participants' weeks weights the comparison exactly as the participants are weighted, so

    difference in differences = (participants after − before) − (comparison after − before).

Only participants enrolled in a class when they started have a grade and enter the table; the
others are counted. Rows of fewer than k participants are suppressed (`school_selectors`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from dtss.analytics import access, metrics
from dtss.analytics.models import LearnerGroup, SchoolWeek, StudentWeek
from dtss.analytics.school_selectors import (
    SUMS,
    K,
    Period,
    grade_label,
    suppress,
    term_of_week,
    week_of,
)
from dtss.orgs.models import AcademicTerm, County, Enrollment

PROGRAMMES = ("learning_support", "digital_companion")
DEFAULT_WEEKS = 4
MAX_WEEKS = 12
CHUNK = 500
METRICS = ("minutes", "active_share", "correct_rate")


def programme_label(kind: str) -> str:
    return str(dict(LearnerGroup.Kind.choices).get(kind, kind))


@dataclass
class Window:
    """One participant's (or a group's) N weeks on one side of the start."""

    weeks: int
    people: int = 1
    seconds: float = 0.0
    active_weeks: int = 0
    answered: int = 0
    correct: int = 0
    score_sum: float = 0.0
    score_n: int = 0

    def add(self, other: Window) -> None:
        self.people += other.people
        self.seconds += other.seconds
        self.active_weeks += other.active_weeks
        self.answered += other.answered
        self.correct += other.correct
        self.score_sum += other.score_sum
        self.score_n += other.score_n

    @property
    def minutes(self) -> float | None:
        """Minutes per week per person."""
        if not self.weeks or not self.people:
            return None
        return round(self.seconds / 60 / self.weeks / self.people, 1)

    @property
    def active_share(self) -> float | None:
        return metrics.rate(self.active_weeks, self.weeks * self.people)

    @property
    def correct_rate(self) -> float | None:
        return metrics.rate(self.correct, self.answered)

    @property
    def mean_score(self) -> float | None:
        return metrics.mean_score(self.score_sum, self.score_n)


@dataclass
class Expected:
    """The comparison: sums over (participant, week) pairs of a non-participant's averages."""

    pairs: int = 0
    seconds: float = 0.0
    active: float = 0.0
    answered: float = 0.0
    correct: float = 0.0

    @property
    def minutes(self) -> float | None:
        return round(self.seconds / 60 / self.pairs, 1) if self.pairs else None

    @property
    def active_share(self) -> float | None:
        return round(100 * self.active / self.pairs, 1) if self.pairs else None

    @property
    def correct_rate(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None


@dataclass
class Participant:
    person_id: int
    start_date: dt.date
    start_week: dt.date
    grade: int | None
    roc_year: int | None
    before: Window
    after: Window

    @property
    def pseudonym(self) -> str:
        return access.pseudonym(self.person_id)

    def change(self, metric: str) -> float | None:
        a, b = getattr(self.after, metric), getattr(self.before, metric)
        return None if a is None or b is None else round(a - b, 1)


@dataclass
class DidRow:
    key: Any
    label: str
    active: int = 0  # participants (the n of the suppression rule)
    comparison_size: int = 0
    before: Window | None = None
    after: Window | None = None
    c_before: Expected = field(default_factory=Expected)
    c_after: Expected = field(default_factory=Expected)
    hidden: bool = False

    def lines(self) -> list[dict[str, Any]]:
        """One line per measure: participants and comparison before/after, the changes, DiD."""
        out = []
        labels = {
            "minutes": _("Minutes per week"),
            "active_share": _("Weeks active (%)"),
            "correct_rate": _("Correct rate (%)"),
        }
        for m in METRICS:
            if self.hidden or self.before is None or self.after is None:
                out.append({"metric": m, "label": labels[m]})
                continue
            pb, pa = getattr(self.before, m), getattr(self.after, m)
            cb, ca = getattr(self.c_before, m), getattr(self.c_after, m)
            pc = None if pa is None or pb is None else round(pa - pb, 1)
            cc = None if ca is None or cb is None else round(ca - cb, 1)
            out.append(
                {
                    "metric": m,
                    "label": labels[m],
                    "p_before": pb,
                    "p_after": pa,
                    "p_change": pc,
                    "c_before": cb,
                    "c_after": ca,
                    "c_change": cc,
                    "did": None if pc is None or cc is None else round(pc - cc, 1),
                }
            )
        return out


@dataclass
class ProgrammeView:
    county: County
    kind: str
    weeks: int
    period: Period
    rows: list[DidRow]
    participants: list[Participant]
    too_recent: int
    no_class: int
    k: int = K

    @property
    def label(self) -> str:
        return programme_label(self.kind)

    def summary_table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            _("Group"),
            _("Participants"),
            _("Comparison students"),
            _("Measure"),
            _("Participants before"),
            _("Participants after"),
            _("Participants difference"),
            _("Comparison before"),
            _("Comparison after"),
            _("Comparison difference"),
            _("Difference in differences"),
            _("Note"),
        ]
        rows = []
        for r in self.rows:
            for line in r.lines():
                rows.append(
                    [
                        r.label,
                        None if r.hidden else r.active,
                        None if r.hidden else r.comparison_size,
                        line["label"],
                        line.get("p_before"),
                        line.get("p_after"),
                        line.get("p_change"),
                        line.get("c_before"),
                        line.get("c_after"),
                        line.get("c_change"),
                        line.get("did"),
                        _("fewer than %(k)s participants") % {"k": self.k} if r.hidden else "",
                    ]
                )
        return headers, rows

    def participant_table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            _("Pseudonymous ID"),
            _("Grade"),
            _("Start date"),
            _("Minutes per week before"),
            _("Minutes per week after"),
            _("Weeks active before"),
            _("Weeks active after"),
            _("Correct rate before (%)"),
            _("Correct rate after (%)"),
        ]
        return headers, [
            [
                p.pseudonym,
                p.grade,
                p.start_date.isoformat(),
                p.before.minutes,
                p.after.minutes,
                p.before.active_weeks,
                p.after.active_weeks,
                p.before.correct_rate,
                p.after.correct_rate,
            ]
            for p in self.participants
        ]


# --------------------------------------------------------------------------- the computation


def _starts(county: County, kind: str, period: Period) -> dict[int, dt.date]:
    """Each participant's earliest start date in the period."""
    out: dict[int, dt.date] = {}
    for person_id, start in (
        LearnerGroup.objects.filter(
            county=county, kind=kind, start_date__gte=period.start, start_date__lte=period.end
        )
        .values_list("person_id", "start_date")
        .order_by("start_date")
    ):
        out.setdefault(person_id, start)
    return out


def _placements(person_ids: list[int], starts: dict[int, dt.date]) -> dict[int, tuple[int, int]]:
    """(grade, ROC year) of each participant's class on their start date (else the latest
    class of a term begun before it)."""
    rows: dict[int, list[tuple[dt.date, dt.date, int, int]]] = defaultdict(list)
    for i in range(0, len(person_ids), CHUNK):
        for pid, begin, end, grade, roc in Enrollment.objects.filter(
            student_id__in=person_ids[i : i + CHUNK]
        ).values_list(
            "student_id",
            "school_class__term__start_date",
            "school_class__term__end_date",
            "school_class__grade",
            "school_class__term__roc_year",
        ):
            rows[pid].append((begin, end, grade, roc))
    out: dict[int, tuple[int, int]] = {}
    for pid, options in rows.items():
        day = starts[pid]
        options.sort()
        best = None
        for begin, end, grade, roc in options:
            if begin <= day <= end:
                best = (grade, roc)
                break
            if begin <= day:
                best = (grade, roc)
        if best is not None:
            out[pid] = best
    return out


def _student_weeks(
    county: County, groups: dict[dt.date, list[int]], n: int
) -> dict[int, dict[dt.date, tuple]]:
    """The StudentWeeks of the participants in their own windows: {person: {week: measures}}."""
    out: dict[int, dict[dt.date, tuple]] = defaultdict(dict)
    span = dt.timedelta(days=7 * n)
    for start_week, ids in groups.items():
        for i in range(0, len(ids), CHUNK):
            # by the (person, week) key; another county's store is dropped here (a county
            # condition in SQL would make SQLite read the county's weeks instead)
            for county_id, pid, week, *values in StudentWeek.objects.filter(
                person_id__in=ids[i : i + CHUNK],
                week__gte=start_week - span,
                week__lte=start_week + span,
            ).values_list(
                "county_id",
                "person_id",
                "week",
                "seconds",
                "answered",
                "correct",
                "score_sum",
                "score_n",
            ):
                if county_id == county.pk:
                    out[pid][week] = tuple(values)
    return out


def _window(data: dict[dt.date, tuple], weeks: Iterable[dt.date], n: int) -> Window:
    w = Window(weeks=n)
    for week in weeks:
        values = data.get(week)
        if values is None:
            continue
        seconds, answered, correct, score_sum, score_n = values
        w.active_weeks += 1
        w.seconds += seconds
        w.answered += answered
        w.correct += correct
        w.score_sum += score_sum
        w.score_n += score_n
    return w


def _windows(start_week: dt.date, n: int) -> tuple[list[dt.date], list[dt.date]]:
    before = [start_week - dt.timedelta(days=7 * i) for i in range(n, 0, -1)]
    after = [start_week + dt.timedelta(days=7 * i) for i in range(1, n + 1)]
    return before, after


class _Cohorts:
    """Per grade × week, what an average enrolled non-member of the programme did."""

    def __init__(self, county: County, kind: str, lo: dt.date, hi: dt.date) -> None:
        members = LearnerGroup.objects.filter(county=county, kind=kind).values("person_id")
        self.terms = list(
            AcademicTerm.objects.filter(
                start_date__lte=hi + dt.timedelta(days=6), end_date__gte=lo
            ).order_by("start_date")
        )
        sums: dict[tuple[int, dt.date], list[float]] = defaultdict(lambda: [0.0] * 5)
        for r in (
            SchoolWeek.objects.filter(county=county, week__gte=lo, week__lte=hi)
            .values("grade", "week")
            .annotate(students=Sum("students"), **SUMS)
            .order_by()
        ):
            s = sums[(r["grade"], r["week"])]
            s[0] += r["seconds"]
            s[1] += r["students"]
            s[2] += r["answered"]
            s[3] += r["correct"]
        for r in (
            StudentWeek.objects.filter(  # by the members' (person, week) key, as above
                week__gte=lo,
                week__lte=hi,
                school__isnull=False,
                person_id__in=members,
            )
            .values("county_id", "grade", "week")
            .annotate(students=Count("id"), **SUMS)
            .order_by()
        ):
            if r["county_id"] != county.pk:
                continue
            s = sums[(r["grade"] or 0, r["week"])]
            s[0] -= r["seconds"]
            s[1] -= r["students"]
            s[2] -= r["answered"]
            s[3] -= r["correct"]
        self.sums = sums
        enrolled = Enrollment.objects.filter(county=county, school_class__term__in=self.terms)
        self.size: dict[tuple[int, int], int] = defaultdict(int)
        for qs, sign in ((enrolled, 1), (enrolled.filter(student_id__in=members), -1)):
            for term_id, grade, count in (
                qs.values_list("school_class__term_id", "school_class__grade")
                .annotate(n=Count("id"))
                .order_by()
            ):
                self.size[(term_id, grade)] += sign * count

    def add(self, into: Expected, grade: int, roc_year: int, weeks: Iterable[dt.date]) -> None:
        """Add the cohort's averages of these weeks (one pair per week with a cohort)."""
        for week in weeks:
            term = term_of_week(week, self.terms)
            if term is None:
                continue
            g = grade + (term.roc_year - roc_year)
            size = self.size.get((term.pk, g), 0)
            if g < 1 or size <= 0:
                continue
            seconds, students, answered, correct, _unused = self.sums.get((g, week), [0.0] * 5)
            into.pairs += 1
            into.seconds += seconds / size
            into.active += students / size
            into.answered += answered / size
            into.correct += correct / size


def programme_view(
    *, county: County, kind: str, period: Period, weeks: int, today: dt.date
) -> ProgrammeView:
    """The before/after comparison of one programme's participants who started in the period."""
    starts = _starts(county, kind, period)
    this_week = week_of(today)
    complete: dict[int, dt.date] = {}
    too_recent = 0
    for pid, start in starts.items():
        if week_of(start) + dt.timedelta(days=7 * weeks) < this_week:
            complete[pid] = start
        else:
            too_recent += 1
    ids = sorted(complete)
    places = _placements(ids, complete)
    groups: dict[dt.date, list[int]] = defaultdict(list)
    for pid in ids:
        groups[week_of(complete[pid])].append(pid)
    data = _student_weeks(county, groups, weeks)

    participants: list[Participant] = []
    for pid in ids:
        start_week = week_of(complete[pid])
        before, after = _windows(start_week, weeks)
        grade, roc = places.get(pid, (None, None))
        participants.append(
            Participant(
                person_id=pid,
                start_date=complete[pid],
                start_week=start_week,
                grade=grade,
                roc_year=roc,
                before=_window(data.get(pid, {}), before, weeks),
                after=_window(data.get(pid, {}), after, weeks),
            )
        )
    participants.sort(key=lambda p: (p.start_date, p.pseudonym))

    placed = [p for p in participants if p.grade is not None and p.roc_year is not None]
    rows: dict[Any, DidRow] = {"all": DidRow("all", _("All participants"))}
    for p in sorted(placed, key=lambda p: p.grade or 0):
        rows.setdefault(p.grade, DidRow(p.grade, grade_label(p.grade)))
    if placed:
        lo = min(p.start_week for p in placed) - dt.timedelta(days=7 * weeks)
        hi = max(p.start_week for p in placed) + dt.timedelta(days=7 * weeks)
        cohorts = _Cohorts(county, kind, lo, hi)
        for p in placed:
            before, after = _windows(p.start_week, weeks)
            for key in ("all", p.grade):
                row = rows[key]
                row.active += 1
                for side, window in (("before", p.before), ("after", p.after)):
                    current = getattr(row, side)
                    if current is None:
                        setattr(row, side, Window(weeks=weeks, people=0))
                        current = getattr(row, side)
                    current.add(window)
                cohorts.add(row.c_before, p.grade, p.roc_year, before)
                cohorts.add(row.c_after, p.grade, p.roc_year, after)
        # the comparison's size: the enrolled non-members of each participant's cohort in the
        # term they started in
        for key, row in rows.items():
            cohort_keys = set()
            for p in placed:
                if key not in ("all", p.grade):
                    continue
                term = next(
                    (t for t in cohorts.terms if t.start_date <= p.start_date <= t.end_date), None
                )
                if term is not None and p.grade is not None and p.roc_year is not None:
                    cohort_keys.add((term.pk, p.grade + term.roc_year - p.roc_year))
            row.comparison_size = sum(cohorts.size.get(c, 0) for c in cohort_keys)
    grade_rows = [r for key, r in rows.items() if key != "all"]
    hide_all = suppress(grade_rows)
    overall = rows["all"]
    if 0 < overall.active < K or hide_all:
        overall.hidden = True
    for row in rows.values():
        if not row.hidden and 0 < row.comparison_size < K:
            row.hidden = True
    return ProgrammeView(
        county=county,
        kind=kind,
        weeks=weeks,
        period=period,
        rows=[overall, *grade_rows] if placed else [],
        participants=participants,
        too_recent=too_recent,
        no_class=len(participants) - len(placed),
    )


def participant_filter(participants: list[Participant], query: str) -> list[Participant]:
    q = query.strip().upper()
    return [p for p in participants if q in p.pseudonym] if q else participants
