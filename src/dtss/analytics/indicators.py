"""Indicators from the learning-data rollups (DESIGN.md rule 4; issue item 7).

They read the rollups only (StudentWeek, SchoolWeek, SchoolWeekPart), never statements, and
each computes many orgs at once (a constant number of queries, whatever the number of schools).

School level:
- `analytics.active_share`: of the students enrolled in the school's classes of the term
  covering `as_of` (else the latest term begun by then), the share with any learning record on
  any platform in the last four complete weeks (Monday–Sunday) before the week of `as_of`, %.
- `analytics.weekly_minutes`: the mean learning minutes per active student per week over the
  same four weeks (SchoolWeek: seconds ÷ active student-weeks).
- `analytics.platforms_integrated`: how many registered, active platforms sent records of the
  school's students in the weeks overlapping the 90 days up to `as_of` (L7.D1).

County level:
- `analytics.county_active_share`: the same share as above over all schools of the county.
- `analytics.county_platforms_integrated`: registered, active platforms with records of the
  county's students in the last 90 days (L6.D2: data of several platforms analysed together).
- `analytics.schools_integrated`: share of the county's active schools with records from at
  least one registered, active platform in the last 90 days (L7.D1: every school).
- `analytics.actors_resolved`: share of the statement actors known by `as_of` that resolve to
  a DTSS person (identity integration, L6.D2 and L7.D2's single account).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from dtss.core.indicators import Indicator, register

WEEKS = 4
RECENT_DAYS = 90


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def complete_weeks(as_of: dt.date, n: int = WEEKS) -> tuple[dt.date, dt.date]:
    """(first, last) Monday of the `n` complete weeks before the week of `as_of`."""
    last = _monday(as_of) - dt.timedelta(days=7)
    return last - dt.timedelta(days=7 * (n - 1)), last


def recent_weeks(as_of: dt.date, days: int = RECENT_DAYS) -> tuple[dt.date, dt.date]:
    """(first, last) Monday of the weeks overlapping the `days` days up to `as_of`."""
    return _monday(as_of - dt.timedelta(days=days - 1)), _monday(as_of)


def _ids(orgs: Sequence[Any]) -> tuple[int, ...]:
    return tuple(sorted(o.pk for o in orgs))


def _one(many: Any) -> Any:
    return lambda org, as_of: many([org], as_of).get(org.pk)


# --------------------------------------------------------------------------- active share


def _enrolled_and_active(
    level: str, ids: tuple[int, ...], as_of: dt.date
) -> dict[int, tuple[int, int]]:
    """{school (or county) id: (students enrolled in each school's current term, of whom
    active)}, in two queries. A school's current term is the latest of its classes' terms
    begun by `as_of` (the one covering it, else the one before)."""
    from dtss.analytics.models import StudentWeek
    from dtss.orgs.models import Enrollment, SchoolClass

    if not ids:
        return {}
    key = "county_id" if level == "county" else "school_id"
    latest = (
        SchoolClass.objects.filter(**{f"{key}__in": ids}, term__start_date__lte=as_of)
        .values("school_id")
        .annotate(start=Max("term__start_date"))
        .values_list("school_id", "start")
    )
    by_start: dict[dt.date, list[int]] = defaultdict(list)
    for school_id, start in latest:
        by_start[start].append(school_id)
    if not by_start:
        return {}
    current = Q(pk__in=[])
    for start, school_ids in by_start.items():
        current |= Q(school_id__in=school_ids, school_class__term__start_date=start)
    first, last = complete_weeks(as_of)
    active = StudentWeek.objects.filter(
        person_id=OuterRef("student_id"), week__gte=first, week__lte=last
    )
    rows = (
        Enrollment.objects.filter(current)
        .values(key)
        .annotate(
            total=Count("student_id", distinct=True),
            active=Count("student_id", distinct=True, filter=Q(Exists(active))),
        )
        .values_list(key, "total", "active")
    )
    return {pk: (total, n) for pk, total, n in rows}


def _share(total: int, active: int) -> float | None:
    return round(100 * active / total, 1) if total else None


def active_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    ids = _ids(orgs)
    counts = _enrolled_and_active("school", ids, as_of)
    return {pk: _share(*counts[pk]) if pk in counts else None for pk in ids}


def county_active_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    ids = _ids(orgs)
    counts = _enrolled_and_active("county", ids, as_of)
    return {pk: _share(*counts[pk]) if pk in counts else None for pk in ids}


# --------------------------------------------------------------------------- minutes


def weekly_minutes_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.analytics.models import SchoolWeek

    first, last = complete_weeks(as_of)
    rows = (
        SchoolWeek.objects.filter(school_id__in=_ids(orgs), week__gte=first, week__lte=last)
        .values("school_id")
        .annotate(seconds=Sum("seconds"), student_weeks=Sum("students"))
        .values_list("school_id", "seconds", "student_weeks")
    )
    out: dict[int, float | None] = dict.fromkeys(_ids(orgs))
    for school_id, seconds, student_weeks in rows:
        if student_weeks:
            out[school_id] = round((seconds or 0) / student_weeks / 60, 1)
    return out


# --------------------------------------------------------------------------- platforms


def _active_platforms(county_ids: Any) -> Any:
    """A subquery: the ids of the registered, active platforms of these counties."""
    from dtss.analytics.models import Platform

    return Platform.objects.filter(county_id__in=county_ids, active=True).values("id")


def _recent_parts(as_of: dt.date) -> Any:
    """SchoolWeekPart rows with students, of the weeks overlapping the last 90 days."""
    from dtss.analytics.models import SchoolWeekPart

    first, last = recent_weeks(as_of)
    return SchoolWeekPart.objects.filter(week__gte=first, week__lte=last, students__gt=0)


def platforms_integrated_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    """{school id: registered active platforms with records of its students lately}: one query."""
    from dtss.orgs.models import School

    ids = _ids(orgs)
    county_ids = School.objects.filter(pk__in=ids).values("county_id")  # a subquery
    rows = (
        _recent_parts(as_of)
        .filter(school_id__in=ids, platform_id__in=_active_platforms(county_ids))
        .values("school_id")
        .annotate(n=Count("platform_id", distinct=True))
        .values_list("school_id", "n")
    )
    counts = dict(rows)
    return {pk: float(counts.get(pk, 0)) for pk in ids}


def county_platforms_integrated_many(
    orgs: Sequence[Any], as_of: dt.date
) -> dict[int, float | None]:
    ids = _ids(orgs)
    rows = (
        _recent_parts(as_of)
        .filter(county_id__in=ids, platform_id__in=_active_platforms(ids))
        .values("county_id")
        .annotate(n=Count("platform_id", distinct=True))
        .values_list("county_id", "n")
    )
    counts = dict(rows)
    return {pk: float(counts.get(pk, 0)) for pk in ids}


def schools_integrated_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    """{county id: % of its active schools with records from a registered platform}: one query."""
    from dtss.orgs.models import School

    ids = _ids(orgs)
    integrated = _recent_parts(as_of).filter(
        school_id=OuterRef("pk"), platform_id__in=_active_platforms(ids)
    )
    rows = (
        School.objects.filter(county_id__in=ids, active=True)
        .values("county_id")
        .annotate(total=Count("id"), integrated=Count("id", filter=Q(Exists(integrated))))
        .values_list("county_id", "total", "integrated")
    )
    counts = {pk: (total, n) for pk, total, n in rows}
    return {pk: _share(*counts[pk]) if pk in counts else None for pk in ids}


# --------------------------------------------------------------------------- identity


def actors_resolved_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from django.utils import timezone

    from dtss.analytics.models import ActorLink

    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    rows = (
        ActorLink.objects.filter(county_id__in=_ids(orgs), first_seen__lt=end)
        .values("county_id")
        .annotate(total=Count("id"), resolved=Count("id", filter=Q(person__isnull=False)))
        .values_list("county_id", "total", "resolved")
    )
    out: dict[int, float | None] = dict.fromkeys(_ids(orgs))
    for county_id, total, resolved in rows:
        out[county_id] = _share(total, resolved)
    return out


# --------------------------------------------------------------------------- the registry


register(
    Indicator(
        id="analytics.active_share",
        level="school",
        strategies=("S3.M2", "S5.D2"),
        title_zh="學生使用數位學習平臺比率（近四週）",
        title_en="Students active on a learning platform (last 4 weeks)",
        compute=_one(active_share_many),
        compute_many=active_share_many,
        unit="%",
        achieved_at=50.0,
        description_zh="本學期在籍學生中，最近四個完整週（週一至週日）在任一學習平臺有學習紀錄者"
        "的比率。",
        description_en="Of the students enrolled this term, the share with a learning record on "
        "any platform in the last four complete weeks (Monday to Sunday).",
    )
)
register(
    Indicator(
        id="analytics.weekly_minutes",
        level="school",
        strategies=("S3.M2", "S5.D2"),
        title_zh="每位活躍學生每週平均學習分鐘數",
        title_en="Weekly learning minutes per active student",
        compute=_one(weekly_minutes_many),
        compute_many=weekly_minutes_many,
        unit="minutes",
        description_zh="最近四個完整週，有學習紀錄的學生平均每週在學習平臺的學習時間（分鐘）。",
        description_en="Over the last four complete weeks: the mean minutes a week that "
        "students with learning records spent on the platforms.",
    )
)
register(
    Indicator(
        id="analytics.platforms_integrated",
        level="school",
        strategies=("S5.D2", "L7.D1"),
        title_zh="已整合之學習平臺數（近 90 天有紀錄）",
        title_en="Learning platforms integrated (records in the last 90 days)",
        compute=_one(platforms_integrated_many),
        compute_many=platforms_integrated_many,
        unit="count",
        achieved_at=1.0,
        description_zh="縣市已登錄且啟用的學習平臺中，近 90 天有本校學生學習紀錄者的數量。",
        description_en="Registered, active platforms of the county that sent records of this "
        "school's students in the last 90 days.",
    )
)
register(
    Indicator(
        id="analytics.county_active_share",
        level="county",
        strategies=("L6.A2", "L6.M2"),
        title_zh="全縣市學生使用數位學習平臺比率（近四週）",
        title_en="Students active on a learning platform, county-wide (last 4 weeks)",
        compute=_one(county_active_share_many),
        compute_many=county_active_share_many,
        unit="%",
        achieved_at=50.0,
        description_zh="全縣市各校本學期在籍學生中，最近四個完整週在任一學習平臺有學習紀錄者的"
        "比率。",
        description_en="Of the students enrolled this term in the county's schools, the share "
        "with a learning record on any platform in the last four complete weeks.",
    )
)
register(
    Indicator(
        id="analytics.county_platforms_integrated",
        level="county",
        strategies=("L6.D2", "L7.D1"),
        title_zh="縣市整合之學習平臺數（近 90 天有紀錄）",
        title_en="Learning platforms integrated in the county (records in the last 90 days)",
        compute=_one(county_platforms_integrated_many),
        compute_many=county_platforms_integrated_many,
        unit="count",
        achieved_at=2.0,
        description_zh="已登錄且啟用、近 90 天有本縣市學生學習紀錄並納入整合分析的學習平臺數。",
        description_en="Registered, active platforms whose records of the county's students "
        "in the last 90 days are analysed together.",
    )
)
register(
    Indicator(
        id="analytics.schools_integrated",
        level="county",
        strategies=("L7.D1",),
        title_zh="已整合學習平臺之學校比率",
        title_en="Schools with an integrated learning platform",
        compute=_one(schools_integrated_many),
        compute_many=schools_integrated_many,
        unit="%",
        achieved_at=90.0,
        description_zh="縣市現有學校中，近 90 天至少有一個已登錄學習平臺之學生學習紀錄的比率。",
        description_en="Share of the county's active schools with records from at least one "
        "registered platform in the last 90 days.",
    )
)
register(
    Indicator(
        id="analytics.actors_resolved",
        level="county",
        strategies=("L6.D2", "L7.D2"),
        title_zh="學習紀錄身分對應比率",
        title_en="Learning-record actors resolved to a person",
        compute=_one(actors_resolved_many),
        compute_many=actors_resolved_many,
        unit="%",
        achieved_at=95.0,
        description_zh="學習紀錄中出現的帳號，已對應到本系統學生或教師者的比率（自動對應或由"
        "管理者對應）。",
        description_en="Share of the accounts seen in the learning records that resolve to a "
        "DTSS student or teacher (automatically or mapped by an administrator).",
    )
)
