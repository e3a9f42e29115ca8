"""API of the helpdesk's configuration and reports: working hours, the calendar of days off and
make-up working days, service targets per category, and the report figures.

The same rules as the pages (`admin_views.py`): the county's office (`access.may_configure`)
reads and changes its county's configuration, the MOE viewer reads any county's, superusers do
both (`?county=CODE` names the county; another county than one's own is a 404); everyone else
gets 403. Reports: the county's office its county's (and its schools'), a school's
administrators their school's, the MOE viewer any county's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.helpdesk import access
from dtss.helpdesk import admin_selectors as sel
from dtss.helpdesk import admin_services as svc
from dtss.helpdesk import report_selectors as rsel
from dtss.helpdesk.models import CalendarDay

router = Router(tags=["helpdesk"])
PublicId = Annotated[UUID, Path(description="The calendar day's id (its public_id).")]
CategoryName = Literal["device", "account", "platform", "network", "teaching", "other"]
EscalateRule = Literal["never", "breach", "always"]


# --------------------------------------------------------------------------- schemas


class CountyQuery(Schema):
    county: str = Field(
        "",
        max_length=5,
        description="The county's code (e.g. 10008); may be left out by a user of one county.",
    )


class SettingsOut(Schema):
    county: str = Field(description="The county's code.")
    work_days: list[int] = Field(description="ISO weekdays the office works: 1 = Monday … 7.")
    work_start: dt.time = Field(description="Working hours start (Asia/Taipei).")
    work_end: dt.time = Field(description="Working hours end.")
    auto_close_days: int = Field(description="A resolved request closes after so many days.")
    is_default: bool = Field(description="True while the county has saved no settings.")


class SettingsIn(Schema):
    work_days: list[int] = Field(description="ISO weekdays, 1 = Monday … 7 = Sunday; at least one.")
    work_start: dt.time = Field(description="Working hours start, e.g. 08:00.")
    work_end: dt.time = Field(description="Working hours end, after the start, e.g. 17:00.")
    auto_close_days: int = Field(description="Days after which a resolved request closes (1–90).")


class CalendarQuery(CountyQuery):
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year (default all).")
    school: UUID | None = Field(
        None, description="Only this school's own days (its public_id); default all."
    )


class CalendarDayOut(Schema):
    id: UUID = Field(description="The day's id.")
    date: dt.date = Field(description="The day.")
    kind: str = Field(description="closed (a day off) or working (a make-up working day).")
    name: str = Field(description="What the day is, e.g. 春節.")
    school: UUID | None = Field(description="The school whose own day it is; null: county-wide.")
    school_code: str | None = Field(description="That school's MOE code.")


class CalendarIn(Schema):
    date: dt.date = Field(description="The day, or the first day of a range.")
    end: dt.date | None = Field(
        None, description="The last day of a range (inclusive; weekends inside are fine)."
    )
    name: str = Field(max_length=100, description="What the day is, e.g. 春節 or 颱風停班.")
    kind: Literal["closed", "working"] = Field(
        "closed", description="closed (a day off) or working (a make-up working day)."
    )
    school: UUID | None = Field(
        None, description="A school of the county whose own day it is; null for the whole county."
    )


class TargetOut(Schema):
    category: str = Field(description="The category of request.")
    label: str = Field(description="The category's name.")
    first_response_minutes: int = Field(description="First response within, in working minutes.")
    resolution_minutes: int = Field(description="Resolution within, in working minutes.")
    escalate_when: str = Field(description="never (by hand), breach (a missed target), always.")
    escalate_to: UUID | None = Field(description="The office group escalated to (its id).")
    escalate_to_name: str | None = Field(description="That group's name.")
    is_default: bool = Field(description="True where the county follows the defaults.")


class TargetIn(Schema):
    category: CategoryName = Field(description="The category of request.")
    first_response_minutes: int = Field(description="First response within (working minutes, ≥ 1).")
    resolution_minutes: int = Field(
        description="Resolution within (working minutes, at least the first response)."
    )
    escalate_when: EscalateRule = Field(
        "breach", description="never (by hand), breach (when a target is missed), always."
    )
    escalate_to: UUID | None = Field(
        None,
        description="A group of the county's office (required unless escalate_when is never).",
    )


class TargetsIn(Schema):
    targets: list[TargetIn] = Field(
        description="The categories to set; the others keep their values. All or nothing."
    )


class ReportQuery(CountyQuery):
    school: UUID | None = Field(None, description="Only this school (its public_id).")
    start: dt.date | None = Field(
        None, alias="from", description="First day (default 89 days before `to`)."
    )
    end: dt.date | None = Field(None, alias="to", description="Last day (default today).")


class CountRow(Schema):
    key: str = Field(description="The value counted (a code).")
    label: str = Field(description="Its name.")
    count: int = Field(description="Requests.")


class SchoolRow(Schema):
    code: str = Field(description="The school's MOE code (empty: the county's office).")
    name: str = Field(description="The school's name.")
    count: int = Field(description="Requests.")


class GroupRow(Schema):
    group: str = Field(description="The office group's name.")
    count: int = Field(description="Requests escalated to it.")


class ArticleRowOut(Schema):
    article: UUID = Field(description="The article's id.")
    title: str = Field(description="Its title.")
    reads: int = Field(description="Reads in the period.")


class WeekOut(Schema):
    week: dt.date = Field(description="The Monday of the week.")
    raised: int = Field(description="Requests raised that week.")
    resolved: int = Field(description="Requests resolved that week.")


class ReportOut(Schema):
    county: str = Field(description="The county's code.")
    school: UUID | None = Field(description="The school reported on; null: the whole county.")
    period_from: dt.date = Field(description="First day.")
    period_to: dt.date = Field(description="Last day.")
    total: int = Field(description="Requests raised in the period.")
    by_school: list[SchoolRow] = Field(description="Requests by school.")
    by_category: list[CountRow] = Field(description="Requests by category.")
    by_platform: list[CountRow] = Field(description="Requests by platform (empty key: none).")
    by_status: list[CountRow] = Field(description="Requests by their status now.")
    median_first_response_hours: float | None = Field(
        description="Median time to the first response, in working hours."
    )
    median_resolution_hours: float | None = Field(
        description="Median time to resolution, in working hours."
    )
    first_response: dict[str, int] = Field(
        description="First-response targets: met, missed, pending."
    )
    resolution: dict[str, int] = Field(description="Resolution targets: met, missed, pending.")
    first_response_within_target: float | None = Field(description="% met of met + missed.")
    resolution_within_target: float | None = Field(description="% met of met + missed.")
    escalations: list[GroupRow] = Field(description="Requests escalated, by office group.")
    rating_average: float | None = Field(description="Average satisfaction (1–5).")
    rating_count: int = Field(description="Ratings given.")
    top_articles: list[ArticleRowOut] = Field(description="Most-read articles in the period.")
    weekly: list[WeekOut] = Field(description="Raised and resolved per week.")


# --------------------------------------------------------------------------- helpers


def _county(request: HttpRequest, code: str, *, write: bool = False) -> Any:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.everything or scope.county_ids):
        raise PermissionDenied(_("Only the county's office may use the helpdesk settings."))
    if write and not (scope.superuser or scope.county_ids):  # before naming the county
        raise PermissionDenied(_("You may read these settings but not change them."))
    county, _options = sel.county_pick(user=request.user, code=code)
    if county is None:
        raise ValidationError({"county": _("Name the county (its code).")})
    if write and not access.may_configure(scope, county_id=county.pk):
        raise PermissionDenied(_("You may read these settings but not change them."))
    return county


def _settings(county: Any) -> dict[str, Any]:
    row = sel.settings_of(county=county)
    return {
        "county": county.code,
        "work_days": [int(c) for c in row.work_days if c.isdigit()],
        "work_start": row.work_start,
        "work_end": row.work_end,
        "auto_close_days": row.auto_close_days,
        "is_default": row.pk is None,
    }


def _day(d: CalendarDay) -> dict[str, Any]:
    return {
        "id": d.public_id,
        "date": d.date,
        "kind": d.kind,
        "name": d.name,
        "school": d.school.public_id if d.school else None,
        "school_code": d.school.code if d.school else None,
    }


def _targets(county: Any) -> list[dict[str, Any]]:
    return [
        {
            "category": r.category,
            "label": r.label,
            "first_response_minutes": r.first_response_minutes,
            "resolution_minutes": r.resolution_minutes,
            "escalate_when": r.escalate_when,
            "escalate_to": r.escalate_to.public_id if r.escalate_to else None,
            "escalate_to_name": r.escalate_to.name if r.escalate_to else None,
            "is_default": r.is_default,
        }
        for r in sel.target_rows(county=county)
    ]


# --------------------------------------------------------------------------- settings


@router.get(
    "/helpdesk/settings",
    response=responses({200: SettingsOut}, 403, 404, 422),
    summary="A county's helpdesk working hours",
    description=(
        "The working days and hours the service-target clocks run in, and after how many days "
        "a resolved request closes; the defaults while the county has saved none. For the "
        "county's office and the MOE viewer; 403 for other roles; another county is a 404."
    ),
)
def settings_get(request: HttpRequest, query: Query[CountyQuery]) -> Any:
    return _settings(_county(request, query.county))


@router.put(
    "/helpdesk/settings",
    response=responses({200: SettingsOut}, 403, 404, 422),
    summary="Set a county's helpdesk working hours",
    description=(
        "For the county's office. New requests are timed with the new hours; deadlines already "
        "fixed stay. A bad field is a 422 naming it; nothing is changed."
    ),
)
def settings_put(request: HttpRequest, query: Query[CountyQuery], data: SettingsIn) -> Any:
    county = _county(request, query.county, write=True)
    svc.settings_update(
        county=county,
        user=request.user,
        work_days=data.work_days,
        work_start=data.work_start,
        work_end=data.work_end,
        auto_close_days=data.auto_close_days,
        http_request=request,
    )
    return _settings(county)


# --------------------------------------------------------------------------- calendar


@router.get(
    "/helpdesk/calendar",
    response=responses({200: list[CalendarDayOut]}, 403, 404, 422),
    summary="A county's calendar of days off",
    description=(
        "Days off (closed) and make-up working days (working), county-wide and the schools' "
        "own, by date. Filters: year, school. For the county's office and the MOE viewer."
    ),
)
@paged
def calendar_list(request: HttpRequest, query: Query[CalendarQuery]) -> Any:
    county = _county(request, query.county)
    rows = sel.calendar_days(
        user=request.user,
        county=county,
        year=query.year,
        where=str(query.school) if query.school else "",
    )
    return [_day(d) for d in rows]


@router.post(
    "/helpdesk/calendar",
    response=responses({201: list[CalendarDayOut]}, 403, 404, 422),
    summary="Add a day off or a make-up working day (or a range)",
    description=(
        "One day, or every day from `date` to `end`, for the whole county or one of its "
        "schools. One day already in the calendar is a 422; in a range, days already there are "
        "left as they are (and not returned). For the county's office."
    ),
)
def calendar_add(request: HttpRequest, query: Query[CountyQuery], data: CalendarIn) -> Any:
    from dtss.orgs.models import School

    county = _county(request, query.county, write=True)
    school = (
        ref_or_422(School.objects.filter(county=county), "school", public_id=data.school)
        if data.school
        else None
    )
    if data.end is None or data.end == data.date:
        day = svc.calendar_day_add(
            county=county,
            user=request.user,
            date=data.date,
            name=data.name,
            kind=data.kind,
            school=school,
            http_request=request,
        )
        created = [day]
    else:
        created = svc.calendar_range_add(
            county=county,
            user=request.user,
            start=data.date,
            end=data.end,
            name=data.name,
            kind=data.kind,
            school=school,
            http_request=request,
        ).created
    days = CalendarDay.objects.filter(pk__in=[d.pk for d in created]).select_related("school")
    return Status(201, [_day(d) for d in days.order_by("date")])


@router.delete(
    "/helpdesk/calendar/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Delete a calendar day",
    description="For the county's office; others who can see the day get 403, others 404.",
)
def calendar_delete(request: HttpRequest, public_id: PublicId) -> Any:
    day = get_visible_or_404(CalendarDay, request.user, public_id)
    if not access.may_configure(scope_for(request.user), county_id=day.county_id):
        raise PermissionDenied(_("Only the county's office may change the calendar."))
    svc.calendar_day_delete(day=day, user=request.user, http_request=request)
    return Status(204, None)


# --------------------------------------------------------------------------- targets


@router.get(
    "/helpdesk/targets",
    response=responses({200: list[TargetOut]}, 403, 404, 422),
    summary="A county's service targets per category",
    description=(
        "For every category: the first-response and resolution targets in working minutes and "
        "the escalation rule — the county's own, or the defaults (is_default)."
    ),
)
def targets_get(request: HttpRequest, query: Query[CountyQuery]) -> Any:
    return _targets(_county(request, query.county))


@router.put(
    "/helpdesk/targets",
    response=responses({200: list[TargetOut]}, 403, 404, 422),
    summary="Set service targets",
    description=(
        "Sets the given categories (all or nothing): minutes at least 1, resolution at least "
        "the first response, the group one of the county's office (required unless "
        "escalate_when is never). Errors name `<category>.<field>`. For the county's office."
    ),
)
def targets_put(request: HttpRequest, query: Query[CountyQuery], data: TargetsIn) -> Any:
    from dtss.orgs.models import OfficeGroup

    county = _county(request, query.county, write=True)
    groups = OfficeGroup.objects.filter(county=county)
    items = []
    for t in data.targets:
        group = (
            ref_or_422(groups, f"{t.category}.escalate_to", public_id=t.escalate_to)
            if t.escalate_to
            else None
        )
        items.append(
            svc.TargetInput(
                t.category, t.first_response_minutes, t.resolution_minutes, t.escalate_when, group
            )
        )
    svc.targets_set(county=county, user=request.user, items=items, http_request=request)
    return _targets(county)


# --------------------------------------------------------------------------- reports


@router.get(
    "/helpdesk/reports",
    response=responses({200: ReportOut}, 403, 404, 422),
    summary="Helpdesk report figures",
    description=(
        "The figures of the reports page over a period (default the last 90 days): volume by "
        "school, category, platform and status; median first response and resolution in "
        "working hours; targets met and missed; escalations; satisfaction; most-read articles; "
        "the weekly trend. The county's office: its county (optionally one school); a school's "
        "administrators: their school; the MOE viewer: any county. Others 403."
    ),
)
def reports_get(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    scope = rsel.report_scope(
        user=request.user,
        county_code=query.county,
        school_id=str(query.school) if query.school else "",
    )
    if scope.county is None:
        raise ValidationError({"county": _("Name the county (its code).")})
    end = query.end or timezone.localdate()
    start = query.start or end - dt.timedelta(days=rsel.DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError({"to": _("The end cannot be before the start.")})
    if (end - start).days + 1 > rsel.MAX_DAYS:
        raise ValidationError({"to": _("At most three years at once.")})
    requests, articles = rsel.report_rows(user=request.user)
    report = rsel.report_build(
        county=scope.county,
        school=scope.school,
        period=rsel.Period(start, end),
        requests=requests,
        articles=articles,
    )
    return rsel.report_dict(report)
