"""The helpdesk's reports (L7.M2): what was asked, how fast it was answered and solved in working
hours, how often a target was missed, where requests were escalated, how satisfied people were,
which knowledge-base articles were read, and the weekly trend — for a county (optionally one of
its schools) or a school, over a period.

Who sees which report (`report_scope`): the county's office its county's (and may narrow it to a
school), a school's administrators their school's, the MOE viewer and superusers any county's
(`?county=`); everyone else is refused. The rows always start from `visible_to(user)`.

Working time: every request is timed on its own calendar (its county's working hours and days,
and its school's own days off) — `CalendarBook` builds them all from two queries.

A target counts as met when the first response (resolution) came by its deadline, and as missed
when it came later, when the service-target check recorded a breach, or when the request is
still open past the deadline. Requests still open before their deadline are pending and count
neither way; so is a request its requester closed before anyone replied, before the deadline.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dtss.core.tenancy import scope_for
from dtss.helpdesk import sla
from dtss.helpdesk.models import (
    Article,
    ArticleReadDay,
    CalendarDay,
    Category,
    HelpdeskSettings,
    HelpRequest,
    Platform,
)

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
TOP_ARTICLES = 10


# --------------------------------------------------------------------------- time helpers


def _tz() -> Any:
    return timezone.get_default_timezone()


def start_of(day: dt.date) -> dt.datetime:
    """00:00 of `day` in Asia/Taipei."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=_tz())


def end_of(day: dt.date) -> dt.datetime:
    """00:00 of the day after `day` (the exclusive end of `day`)."""
    return start_of(day + dt.timedelta(days=1))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def default_period(today: dt.date | None = None) -> Period:
    """The last 90 days, today included."""
    today = today or timezone.localdate()
    return Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def share(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None


# --------------------------------------------------------------------------- calendars in bulk


class CalendarBook:
    """The working calendars of many requests from two queries: the counties' settings and
    their (and their schools') calendar days between two dates. Same rules as
    `sla.calendar_for`: a school's own day overrides the county's for that school."""

    def __init__(self, county_ids: Iterable[int], start: dt.date, end: dt.date) -> None:
        ids = sorted(set(county_ids))
        self._settings = {
            s.county_id: s for s in HelpdeskSettings.objects.filter(county_id__in=ids)
        }
        self._county_days: dict[int, dict[dt.date, str]] = {}
        self._school_days: dict[int, dict[dt.date, str]] = {}
        for county_id, school_id, day, kind in CalendarDay.objects.filter(
            county_id__in=ids, date__gte=start, date__lte=end
        ).values_list("county_id", "school_id", "date", "kind"):
            if school_id:
                self._school_days.setdefault(school_id, {})[day] = kind
            else:
                self._county_days.setdefault(county_id, {})[day] = kind
        self._cache: dict[tuple[int, int | None], sla.WorkCalendar] = {}

    def get(self, county_id: int, school_id: int | None) -> sla.WorkCalendar:
        key = (county_id, school_id)
        if key not in self._cache:
            days = dict(self._county_days.get(county_id, {}))
            if school_id:
                days.update(self._school_days.get(school_id, {}))
            closed = frozenset(d for d, k in days.items() if k == CalendarDay.Kind.CLOSED)
            working = frozenset(d for d, k in days.items() if k == CalendarDay.Kind.WORKING)
            row = self._settings.get(county_id)
            if row is None:
                cal = sla.WorkCalendar(closed=closed, working=working)
            else:
                cal = sla.WorkCalendar(
                    work_days=frozenset(int(c) for c in row.work_days if c.isdigit()),
                    start=row.work_start,
                    end=row.work_end,
                    closed=closed,
                    working=working,
                )
            self._cache[key] = cal
        return self._cache[key]

    def hours(
        self, county_id: int, school_id: int | None, start: dt.datetime, end: dt.datetime
    ) -> float:
        """Working hours from start to end on the request's calendar."""
        cal = self.get(county_id, school_id)
        return sla.working_minutes_between(start, end, cal) / 60


# --------------------------------------------------------------------------- target outcomes

MET, MISSED, PENDING = "met", "missed", "pending"
OUTCOMES = (MET, MISSED, PENDING)


def first_response_outcome(
    *,
    responded_at: dt.datetime | None,
    due: dt.datetime | None,
    breached_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    now: dt.datetime,
) -> str | None:
    """met, missed, pending (still open before its deadline), or None: no target applies (the
    request was resolved — by its requester — before its deadline, with no reply). Read as at
    `now`: a reply or resolution after `now` has not happened yet."""
    if responded_at is not None and responded_at <= now:
        return MET if due is None or responded_at <= due else MISSED
    if breached_at is not None and breached_at <= now:
        return MISSED
    if due is None:
        return None
    ended = resolved_at if resolved_at is not None and resolved_at <= now else None
    if ended is None:
        return MISSED if due < now else PENDING
    return MISSED if due < ended else None


def resolution_outcome(
    *,
    resolved_at: dt.datetime | None,
    due: dt.datetime | None,
    breached_at: dt.datetime | None,
    now: dt.datetime,
) -> str:
    if resolved_at is not None and resolved_at <= now:
        return MET if due is None or resolved_at <= due else MISSED
    if (breached_at is not None and breached_at <= now) or (due is not None and due < now):
        return MISSED
    return PENDING


# --------------------------------------------------------------------------- who sees what


@dataclass
class ReportScope:
    county: Any | None  # None: the MOE viewer has to choose a county first
    school: Any | None
    counties: list[Any] = field(default_factory=list)  # to choose from (MOE, several offices)
    schools: list[Any] = field(default_factory=list)  # to choose from
    school_fixed: bool = False  # a school's administrators see their school only


def report_scope(*, user: Any, county_code: str = "", school_id: str = "") -> ReportScope:
    """The county and school a report is about, from `?county=` (a code) and `?school=` (a
    public id). Outside the user's scope: 404; a role without reports: PermissionDenied."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    county_code = (county_code or "").strip()
    school_id = (school_id or "").strip()
    if scope.superuser or scope.everything or scope.county_ids:
        counties = list(
            County.objects.all()
            if scope.superuser or scope.everything
            else County.objects.filter(pk__in=scope.county_ids)
        )
        if county_code:
            county = next((c for c in counties if c.code == county_code), None)
            if county is None:
                raise Http404
        elif len(counties) == 1:
            county = counties[0]
        else:
            return ReportScope(county=None, school=None, counties=counties)
        schools = list(School.objects.filter(county=county).order_by("code"))
        school = None
        if school_id:
            school = next((s for s in schools if str(s.public_id) == school_id), None)
            if school is None:
                raise Http404
        return ReportScope(county=county, school=school, counties=counties, schools=schools)
    if scope.admin_school_ids:
        schools = list(
            School.objects.filter(pk__in=scope.admin_school_ids)
            .select_related("county")
            .order_by("code")
        )
        if school_id:
            school = next((s for s in schools if str(s.public_id) == school_id), None)
            if school is None:
                raise Http404
        else:
            school = schools[0]
        if county_code and county_code != school.county.code:
            raise Http404
        return ReportScope(county=school.county, school=school, schools=schools, school_fixed=True)
    raise PermissionDenied(_("Only the helpdesk's handlers see its reports."))


def report_rows(*, user: Any) -> tuple[QuerySet[HelpRequest], QuerySet[Article]]:
    """The requests and articles a user's report counts: what they may see
    (`visible_to(user)`) — except the MOE viewer, who may not read requests themselves
    (`HelpRequest.MOE_READS`) but reads every county's report, which holds only counts."""
    scope = scope_for(user)
    requests = HelpRequest.objects.visible_to(user)
    if scope.everything and not scope.superuser:
        requests = HelpRequest.objects.all()
    return requests, Article.objects.visible_to(user)


# --------------------------------------------------------------------------- the report


@dataclass
class Row:
    key: str
    label: str
    count: int


@dataclass
class ArticleRow:
    public_id: Any
    title: str
    reads: int


@dataclass
class WeekRow:
    start: dt.date
    raised: int
    resolved: int


@dataclass
class Report:
    county: Any
    school: Any | None
    period: Period
    now: dt.datetime
    total: int = 0
    by_school: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_platform: list[Row] = field(default_factory=list)
    by_status: list[Row] = field(default_factory=list)
    median_first_response_hours: float | None = None
    median_resolution_hours: float | None = None
    first_response: dict[str, int] = field(default_factory=dict)  # met, missed, pending
    resolution: dict[str, int] = field(default_factory=dict)
    escalations: list[Row] = field(default_factory=list)
    escalated: int = 0
    rating_average: float | None = None
    rating_count: int = 0
    top_articles: list[ArticleRow] = field(default_factory=list)
    weekly: list[WeekRow] = field(default_factory=list)

    @property
    def first_response_within(self) -> float | None:
        f = self.first_response
        return share(f.get(MET, 0), f.get(MET, 0) + f.get(MISSED, 0))

    @property
    def resolution_within(self) -> float | None:
        r = self.resolution
        return share(r.get(MET, 0), r.get(MET, 0) + r.get(MISSED, 0))

    @property
    def weekly_max(self) -> int:
        return max([1, *(max(w.raised, w.resolved) for w in self.weekly)])


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def report_build(
    *,
    county: Any,
    period: Period,
    school: Any = None,
    requests: QuerySet[HelpRequest] | None = None,
    articles: QuerySet[Article] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The report of a county (or one of its schools) over a period. `requests` and `articles`
    are the caller's scoped querysets (`visible_to(user)`); the command line passes none."""
    from dtss.orgs.models import OfficeGroup, School

    now = now or timezone.now()
    report = Report(county=county, school=school, period=period, now=now)
    base = (HelpRequest.objects.all() if requests is None else requests).filter(county=county)
    if school is not None:
        base = base.filter(school=school)
    lo, hi = start_of(period.start), end_of(period.end)
    rows = list(
        base.filter(created_at__gte=lo, created_at__lt=hi).values_list(
            "school_id",
            "category",
            "platform",
            "status",
            "created_at",
            "first_responded_at",
            "first_response_due",
            "first_response_breached_at",
            "resolved_at",
            "resolution_due",
            "resolution_breached_at",
            "escalated_to_id",
            "rating",
        )
    )
    report.total = len(rows)
    today = timezone.localdate(now)
    book = CalendarBook([county.pk], period.start, max(period.end, today))
    schools: Counter[int | None] = Counter()
    categories: Counter[str] = Counter()
    platforms: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    groups: Counter[int] = Counter()
    first_outcomes: Counter[str] = Counter()
    resolution_outcomes: Counter[str] = Counter()
    first_hours: list[float] = []
    resolution_hours: list[float] = []
    ratings: list[int] = []
    raised_weeks: Counter[dt.date] = Counter()
    for (
        school_id,
        category,
        platform,
        status,
        created_at,
        responded_at,
        first_due,
        first_breached,
        resolved_at,
        resolution_due,
        resolution_breached,
        group_id,
        rating,
    ) in rows:
        schools[school_id] += 1
        categories[category] += 1
        platforms[platform or ""] += 1
        statuses[status] += 1
        raised_weeks[_week(timezone.localdate(created_at))] += 1
        if group_id:
            groups[group_id] += 1
        if rating:
            ratings.append(rating)
        outcome = first_response_outcome(
            responded_at=responded_at,
            due=first_due,
            breached_at=first_breached,
            resolved_at=resolved_at,
            now=now,
        )
        if outcome:
            first_outcomes[outcome] += 1
        resolution_outcomes[
            resolution_outcome(
                resolved_at=resolved_at,
                due=resolution_due,
                breached_at=resolution_breached,
                now=now,
            )
        ] += 1
        if responded_at is not None and responded_at <= now:
            first_hours.append(book.hours(county.pk, school_id, created_at, responded_at))
        if resolved_at is not None and resolved_at <= now:
            resolution_hours.append(book.hours(county.pk, school_id, created_at, resolved_at))

    names = {
        s.pk: (s.code, s.name)
        for s in School.objects.filter(pk__in=[k for k in schools if k]).only(
            "pk", "code", "name_zh", "name_en"
        )
    }
    report.by_school = sorted(
        (
            Row(names[k][0], names[k][1], n) if k in names else Row("", _("County office"), n)
            for k, n in schools.items()
        ),
        key=lambda r: (-r.count, r.key),
    )
    report.by_category = [
        Row(v, str(label), categories[v]) for v, label in Category.choices if categories[v]
    ]
    platform_labels = dict(Platform.choices)
    report.by_platform = sorted(
        (
            Row(v, str(platform_labels.get(v, v)) if v else _("No platform named"), n)
            for v, n in platforms.items()
        ),
        key=lambda r: (-r.count, r.key),
    )
    report.by_status = [
        Row(v, str(label), statuses[v]) for v, label in HelpRequest.Status.choices if statuses[v]
    ]
    report.median_first_response_hours = median(first_hours)
    report.median_resolution_hours = median(resolution_hours)
    report.first_response = {k: first_outcomes[k] for k in (MET, MISSED, PENDING)}
    report.resolution = {k: resolution_outcomes[k] for k in (MET, MISSED, PENDING)}
    group_names = dict(OfficeGroup.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    report.escalations = sorted(
        (Row(str(k), group_names.get(k, "?"), n) for k, n in groups.items()),
        key=lambda r: (-r.count, r.label),
    )
    report.escalated = sum(groups.values())
    report.rating_count = len(ratings)
    report.rating_average = round(sum(ratings) / len(ratings), 2) if ratings else None

    resolved_weeks: Counter[dt.date] = Counter(
        _week(timezone.localdate(at))
        for at in base.filter(resolved_at__gte=lo, resolved_at__lt=min(hi, now)).values_list(
            "resolved_at", flat=True
        )
    )
    week = _week(period.start)
    while week <= period.end:
        report.weekly.append(WeekRow(week, raised_weeks[week], resolved_weeks[week]))
        week += dt.timedelta(days=7)

    report.top_articles = _top_articles(
        county=county, school=school, period=period, articles=articles
    )
    return report


def _top_articles(
    *, county: Any, school: Any, period: Period, articles: QuerySet[Article] | None
) -> list[ArticleRow]:
    """The most-read articles of the county (and, for a school, the county's and the school's
    own) over the period."""
    from django.db.models import Q

    qs = (Article.objects.all() if articles is None else articles).filter(county=county)
    if school is not None:
        qs = qs.filter(Q(school__isnull=True) | Q(school=school))
    rows = (
        ArticleReadDay.objects.filter(
            day__gte=period.start, day__lte=period.end, article__in=qs.values("pk")
        )
        .values("article__public_id", "article__title_zh", "article__title_en")
        .annotate(reads=Sum("reads"))
        .order_by("-reads", "article__title_zh")[:TOP_ARTICLES]
    )
    english = (get_language() or "").startswith("en")
    return [
        ArticleRow(
            r["article__public_id"],
            (r["article__title_en"] if english and r["article__title_en"] else "")
            or r["article__title_zh"],
            r["reads"] or 0,
        )
        for r in rows
    ]


# --------------------------------------------------------------------------- tables


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _blank(value: float | None) -> Any:
    return "" if value is None else value


def report_sections(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as tables (title, headers, rows): the CSV export, the command and the API
    read the same figures as the page."""
    count = pgettext("number of requests", "Requests")
    summary = [
        [_("Period"), f"{report.period.start.isoformat()} – {report.period.end.isoformat()}"],
        [_("County/city"), report.county.name],
        [_("School"), report.school.name if report.school else _("Whole county")],
        [_("Requests raised"), report.total],
        [_("Median first response (working hours)"), _hours(report.median_first_response_hours)],
        [_("Median resolution (working hours)"), _hours(report.median_resolution_hours)],
        [_("First response within target (%)"), _blank(report.first_response_within)],
        [_("Resolution within target (%)"), _blank(report.resolution_within)],
        [_("First-response targets missed"), report.first_response.get(MISSED, 0)],
        [_("Resolution targets missed"), report.resolution.get(MISSED, 0)],
        [_("Escalated"), report.escalated],
        [_("Average satisfaction (1–5)"), _blank(report.rating_average)],
        [_("Ratings"), report.rating_count],
    ]
    return [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (
            _("By school"),
            [_("School code"), _("School"), count],
            [[r.key, r.label, r.count] for r in report.by_school],
        ),
        (
            _("By category"),
            [_("Category"), count],
            [[r.label, r.count] for r in report.by_category],
        ),
        (
            _("By platform"),
            [_("Platform"), count],
            [[r.label, r.count] for r in report.by_platform],
        ),
        (_("By status"), [_("Status"), count], [[r.label, r.count] for r in report.by_status]),
        (
            _("Service targets"),
            [_("Target"), _("Met"), _("Missed"), pgettext("service target", "Pending")],
            [
                [
                    _("First response"),
                    *(report.first_response.get(k, 0) for k in (MET, MISSED, PENDING)),
                ],
                [_("Resolution"), *(report.resolution.get(k, 0) for k in (MET, MISSED, PENDING))],
            ],
        ),
        (
            _("Escalations by group"),
            [_("Group"), count],
            [[r.label, r.count] for r in report.escalations],
        ),
        (
            _("Most-read articles"),
            [_("Article"), _("Reads")],
            [[r.title, r.reads] for r in report.top_articles],
        ),
        (
            _("Weekly trend"),
            [_("Week of"), _("Raised"), pgettext("weekly trend", "Resolved")],
            [[w.start, w.raised, w.resolved] for w in report.weekly],
        ),
    ]


def report_dict(report: Report) -> dict[str, Any]:
    """The report as plain data (the API)."""
    return {
        "county": report.county.code,
        "school": report.school.public_id if report.school else None,
        "period_from": report.period.start,
        "period_to": report.period.end,
        "total": report.total,
        "by_school": [{"code": r.key, "name": r.label, "count": r.count} for r in report.by_school],
        "by_category": [
            {"key": r.key, "label": r.label, "count": r.count} for r in report.by_category
        ],
        "by_platform": [
            {"key": r.key, "label": r.label, "count": r.count} for r in report.by_platform
        ],
        "by_status": [{"key": r.key, "label": r.label, "count": r.count} for r in report.by_status],
        "median_first_response_hours": report.median_first_response_hours,
        "median_resolution_hours": report.median_resolution_hours,
        "first_response": report.first_response,
        "resolution": report.resolution,
        "first_response_within_target": report.first_response_within,
        "resolution_within_target": report.resolution_within,
        "escalations": [{"group": r.label, "count": r.count} for r in report.escalations],
        "rating_average": report.rating_average,
        "rating_count": report.rating_count,
        "top_articles": [
            {"article": r.public_id, "title": r.title, "reads": r.reads}
            for r in report.top_articles
        ],
        "weekly": [
            {"week": w.start, "raised": w.raised, "resolved": w.resolved} for w in report.weekly
        ],
    }
