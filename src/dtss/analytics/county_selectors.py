"""The county view (L6.M2): adoption and outcomes by school, district, school stage, remote-area
category and disadvantaged group, with trends across terms and weeks.

Pseudonymous by construction: every figure is an aggregate of at least k students (the
suppression rule of `school_selectors`), and no student appears in any table.

Reads, each bounded by an index:
- `SchoolWeek` (county, week) grouped by school × week: the school table, the district, stage
  and area tables (sums of schools), the county's weekly trend, and, by week over the last
  terms, the trend across terms; one more for the previous period (the trend arrows);
- `StudentWeek` (county, week) only for the learner groups, restricted to the group's members
  (`LearnerGroup` memberships valid at some time in the period, index county + kind + person);
- `Enrollment` of the period's terms for the enrolled counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dtss.analytics import access
from dtss.analytics.models import LearnerGroup, SchoolWeek, StudentWeek
from dtss.analytics.school_selectors import (
    FIGURE_SUMS,
    SUMS,
    Chart,
    Period,
    Row,
    enrolled_by,
    enrolled_weeks,
    figure_table,
    hidden_text,
    hide_small,
    suppress,
    term_of_week,
    term_weeks,
    trend_charts,
)
from dtss.orgs.models import AcademicTerm, County, Enrollment, School

TERMS_SHOWN = 6  # the trend across terms shows the latest six


def county_or_404(user: Any, code: str) -> County:
    try:
        return access.counties_for(user).get(code=code)
    except (County.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class CountyOverview:
    county: County
    period: Period
    total: Row
    weekly: list[Row]
    schools: list[Row]
    districts: list[Row]
    stages: list[Row]
    areas: list[Row]
    groups: list[Row] | None  # None: not asked for (the page loads it on request)
    terms: list[Row]
    charts: list[Chart]

    @property
    def has_data(self) -> bool:
        return self.total.student_weeks > 0

    def tables(self) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
        return {
            "schools": (_("By school"), *school_table(self.schools)),
            "districts": (_("By district"), *figure_table(self.districts, "group", most=True)),
            "stages": (_("By school stage"), *figure_table(self.stages, "group", most=True)),
            "areas": (_("By area category"), *figure_table(self.areas, "group", most=True)),
            "groups": (_("By learner group"), *figure_table(self.groups or [], "group")),
            "terms": (_("Trend across terms"), *figure_table(self.terms, "group", most=True)),
            "weeks": (_("Weekly trend"), *figure_table(self.weekly, "week")),
        }


def school_table(rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("School"),
        _("MOE school code"),
        _("District"),
        _("Stage"),
        _("Area category"),
        _("Enrolled"),
        _("Active students (most in one week)"),
        _("Weekly active share (%)"),
        _("Change vs previous period (points)"),
        _("Minutes per active student per week"),
        _("Correct rate (%)"),
        _("Mean score (%)"),
        _("Note"),
    ]
    return headers, [
        [
            r.label,
            r.extra["code"],
            r.extra["district"],
            r.extra["stage"],
            r.extra["area"],
            r.enrolled,
            r.shown_active,
            r.active_share,
            None if r.hidden else r.change,
            r.minutes_per_active,
            r.correct_rate,
            r.mean_score,
            hidden_text() if r.hidden else "",
        ]
        for r in rows
    ]


def _weekly_by_school(county: County, lo: dt.date, hi: dt.date) -> QuerySet[Any]:
    return (
        SchoolWeek.objects.filter(county=county, week__gte=lo, week__lte=hi)
        .values("school_id", "week")
        .annotate(students=Sum("students"), **SUMS)
        .order_by()
    )


def _combine(
    label_of: Callable[[Row], tuple[Any, str]],
    schools: list[Row],
    weekly: dict[int, dict[dt.date, int]],
) -> list[Row]:
    """Rows of groups of schools (district, stage, area): sums, and the largest weekly count."""
    groups: dict[Any, Row] = {}
    group_weekly: dict[Any, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for s in schools:
        key, label = label_of(s)
        g = groups.setdefault(key, Row(key, label, enrolled=0))
        g.add(
            {
                "seconds": s.seconds,
                "events": s.events,
                "answered": s.answered,
                "correct": s.correct,
                "score_sum": s.score_sum,
                "score_n": s.score_n,
            },
            s.student_weeks,
        )
        g.enrolled = (g.enrolled or 0) + (s.enrolled or 0)
        g.enrolled_weeks += s.enrolled_weeks
        for week, n in weekly.get(s.key, {}).items():
            group_weekly[key][week] += n
    for key, g in groups.items():
        g.active = max(group_weekly[key].values(), default=0)
    return sorted(groups.values(), key=lambda r: r.label)


def county_overview(
    *, county: County, period: Period, today: dt.date, groups: bool = True
) -> CountyOverview:
    """The county's tables for the period. `groups=False` leaves out the learner-group
    breakdown, the one part read per student (the members' StudentWeeks): the page shows it
    on request, the exports always have it."""
    lo, hi = period.first_week, period.last_week
    schools = list(School.objects.filter(county=county).select_related("district").order_by("code"))
    prev = period.previous()
    trend_terms = latest_terms(today)
    terms = {t.pk: t for t in (*period.terms, *prev.terms, *trend_terms)}
    # one read of the enrolment for every term the page shows: {(term id, school id): n}
    by_school = enrolled_by(terms=terms.values(), key="school_id", county=county)
    stage_labels = dict(School.Stage.choices)
    area_labels = dict(School.Area.choices)

    rows: dict[int, Row] = {}
    for s in schools:
        row = Row(
            s.pk,
            s.name,
            url=reverse("analytics:school_detail", args=[s.public_id]),
            extra={
                "code": s.code,
                "district": s.district.name,
                "district_key": s.district_id,
                "stage": str(stage_labels.get(s.stage, s.stage)),
                "stage_key": s.stage,
                "area": str(area_labels.get(s.area, s.area)),
                "area_key": s.area,
                "active_school": s.active,
            },
        )
        row.enrolled_weeks, row.enrolled = enrolled_weeks(period, by_school, s.pk)
        rows[s.pk] = row

    weekly_by_school: dict[int, dict[dt.date, int]] = defaultdict(dict)
    week_rows = {w: Row(w, f"{w:%Y-%m-%d}", current=w == period.current_week) for w in period.weeks}
    for r in _weekly_by_school(county, lo, hi):
        row = rows.get(r["school_id"])
        if row is None:
            continue
        row.add(r, r["students"])
        row.active = max(row.active, r["students"])
        weekly_by_school[r["school_id"]][r["week"]] = r["students"]
        week_rows[r["week"]].add(r, r["students"])
        week_rows[r["week"]].active += r["students"]
    county_enrolled: dict[tuple[int, Any], int] = defaultdict(int)
    for (term_id, _school), n in by_school.items():
        county_enrolled[(term_id, county.pk)] += n
    for w, row in week_rows.items():
        term = period.week_term(w)
        row.enrolled = county_enrolled.get((term.pk, county.pk)) if term else None
        row.enrolled_weeks = row.enrolled or 0

    # the previous period, for the trend arrows
    prev_rows: dict[int, Row] = {}
    for r in (
        SchoolWeek.objects.filter(
            county=county, week__gte=prev.first_week, week__lte=prev.last_week
        )
        .values("school_id", "week")
        .annotate(students=Sum("students"))
        .order_by()
    ):
        p = prev_rows.setdefault(r["school_id"], Row(r["school_id"], ""))
        p.student_weeks += r["students"]
        p.active = max(p.active, r["students"])
    for pk, row in rows.items():
        p = prev_rows.get(pk, Row(pk, ""))
        p.enrolled_weeks, _shown = enrolled_weeks(prev, by_school, pk)
        hide_small(p)
        if row.active_share is not None and p.active_share is not None:
            row.change = round(row.active_share - p.active_share, 1)

    school_rows = [
        r for r in rows.values() if r.extra["active_school"] or r.student_weeks or r.enrolled
    ]
    districts = _combine(
        lambda s: (s.extra["district_key"], s.extra["district"]), school_rows, weekly_by_school
    )
    stages = _combine(
        lambda s: (s.extra["stage_key"], s.extra["stage"]), school_rows, weekly_by_school
    )
    areas = _combine(
        lambda s: (s.extra["area_key"], s.extra["area"]), school_rows, weekly_by_school
    )

    total = Row(county.pk, county.name)
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
        total.active = max(total.active, row.active)
        total.enrolled_weeks += row.enrolled_weeks
    total.enrolled = county_enrolled.get((period.term.pk, county.pk)) if period.term else None

    hide_total = False
    for table in (school_rows, districts, stages, areas):
        hide_total |= suppress(table)
    weekly = [week_rows[w] for w in period.weeks]
    for row in weekly:
        hide_small(row)
    hide_small(total)
    if hide_total:
        total.hidden = True

    return CountyOverview(
        county=county,
        period=period,
        total=total,
        weekly=weekly,
        schools=school_rows,
        districts=districts,
        stages=stages,
        areas=areas,
        groups=group_rows(
            county=county,
            period=period,
            total=total,
            enrolled=county_enrolled,
        )
        if groups
        else None,
        terms=term_rows(county=county, terms=trend_terms, today=today, enrolled=county_enrolled),
        charts=trend_charts(weekly),
    )


# --------------------------------------------------------------------------- learner groups


def memberships(county: County, period: Period) -> dict[int, set[str]]:
    """{person id: kinds} of the memberships valid at some time in the period."""
    out: dict[int, set[str]] = defaultdict(set)
    for person_id, kind in (
        LearnerGroup.objects.filter(county=county, start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .values_list("person_id", "kind")
    ):
        out[person_id].add(kind)
    return out


def group_rows(
    *,
    county: County,
    period: Period,
    total: Row,
    enrolled: dict[tuple[int, Any], int],
) -> list[Row]:
    """One row per learner-group kind, then the students of any group and of none.

    Three reads, whatever the number of kinds: the memberships; the members' enrolment; the
    members' StudentWeeks summed per person. The last goes by the members' (person, week) key
    with no county condition in SQL, which would make SQLite read all of the county's weeks
    instead; rows of another county's store are left out in Python."""
    kinds_of = memberships(county, period)
    people = (
        LearnerGroup.objects.filter(county=county, start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .values("person_id")
    )
    labels = dict(LearnerGroup.Kind.choices)
    rows: dict[str, Row] = {k: Row(k, str(label)) for k, label in labels.items()}
    union = Row("any", _("In any of these groups"))

    # enrolment: {(term id, kind)}
    counts: dict[tuple[int, Any], int] = defaultdict(int)
    for term_id, student_id in Enrollment.objects.filter(
        county=county, school_class__term__in=period.terms, student_id__in=people
    ).values_list("school_class__term_id", "student_id"):
        for kind in kinds_of.get(student_id, ()):
            counts[(term_id, kind)] += 1
        counts[(term_id, "any")] += 1
    for key, row in [*rows.items(), ("any", union)]:
        row.enrolled_weeks, row.enrolled = enrolled_weeks(period, counts, key)

    sw = StudentWeek.objects.filter(
        week__gte=period.first_week,
        week__lte=period.last_week,
        school__isnull=False,
        person_id__in=people,
    )
    for r in (
        sw.values("county_id", "person_id")
        .annotate(students=Count("id"), **FIGURE_SUMS)
        .order_by()
        .iterator(chunk_size=5000)
    ):
        if r["county_id"] != county.pk:
            continue
        for kind in kinds_of.get(r["person_id"], ()):
            rows[kind].add(r, r["students"])
            rows[kind].active += 1
        union.add(r, r["students"])
        union.active += 1
    out = list(rows.values())
    suppress(out, partition=False)  # groups overlap: each on its own

    others = Row(
        "none",
        _("In none of these groups"),
        extra={"note": _("active students: the most in one week")},
    )
    for m in ("seconds", "events", "answered", "correct", "score_sum", "score_n"):
        setattr(others, m, getattr(total, m) - getattr(union, m))
    others.student_weeks = total.student_weeks - union.student_weeks
    others.enrolled_weeks = total.enrolled_weeks - union.enrolled_weeks
    # n of the others: the most active students of one week, less every active member (a lower
    # bound of the others active that week, so never more than the others active in the period)
    others.active = max(total.active - union.active, 0)
    if period.term is not None:
        others.enrolled = enrolled.get((period.term.pk, county.pk), 0) - (union.enrolled or 0)
    pair = [union, others]
    suppress(pair)  # a partition of the county's active students
    return [*out, *pair]


# --------------------------------------------------------------------------- terms


def latest_terms(today: dt.date) -> list[AcademicTerm]:
    """The latest terms begun by today (oldest first), for the trend across terms."""
    return list(
        AcademicTerm.objects.filter(start_date__lte=today).order_by("-start_date")[:TERMS_SHOWN]
    )[::-1]


def term_rows(
    *,
    county: County,
    terms: list[AcademicTerm],
    today: dt.date,
    enrolled: dict[tuple[int, Any], int],
) -> list[Row]:
    """Per term: active share, minutes, correct rate, mean score (SchoolWeek by week)."""
    if not terms:
        return []
    spans = {t.pk: term_weeks(t, today) for t in terms}
    lo = min(s[0] for s in spans.values())
    hi = max(s[1] for s in spans.values())
    rows = {t.pk: Row(t.pk, str(t)) for t in terms}
    for r in (
        SchoolWeek.objects.filter(county=county, week__gte=lo, week__lte=hi)
        .values("week")
        .annotate(students=Sum("students"), **SUMS)
        .order_by()
    ):
        term = term_of_week(r["week"], terms)
        if term is None:
            continue
        row = rows[term.pk]
        row.add(r, r["students"])
        row.active = max(row.active, r["students"])
    for t in terms:
        first, last = spans[t.pk]
        n_weeks = max(0, (last - first).days // 7 + 1)
        row = rows[t.pk]
        row.enrolled = enrolled.get((t.pk, county.pk), 0)
        row.enrolled_weeks = row.enrolled * n_weeks
        row.extra["weeks"] = n_weeks
        hide_small(row)
    return list(rows.values())
