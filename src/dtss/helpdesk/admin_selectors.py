"""Reads of the helpdesk's configuration pages: which county a user may configure (or read), its
working hours, its service targets with the defaults where it has set nothing, its calendar, and
when a request raised now would fall due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dtss.core.tenancy import Scope, scope_for
from dtss.helpdesk import access, sla
from dtss.helpdesk.models import CalendarDay, Category, HelpdeskSettings, ServiceTarget


def may_read_config(scope: Scope, *, county_id: int) -> bool:
    """The county's office and superusers change the configuration; the MOE viewer reads it."""
    return access.may_configure(scope, county_id=county_id) or scope.everything


def config_counties(*, user: Any) -> QuerySet[Any]:
    """The counties whose configuration the user may read."""
    from dtss.orgs.models import County

    scope = scope_for(user)
    if scope.superuser or scope.everything:
        return County.objects.all().order_by("code")
    return County.objects.filter(pk__in=scope.county_ids).order_by("code")


def county_pick(*, user: Any, code: str) -> tuple[Any | None, list[Any]]:
    """(the county a configuration page is about, the counties to choose from). `code` is the
    `?county=` parameter: another county than the user's is a 404; without it the user's only
    county (None when they have several to choose from). PermissionDenied is the caller's."""
    options = list(config_counties(user=user))
    code = (code or "").strip()
    if code:
        chosen = next((c for c in options if c.code == code), None)
        if chosen is None:
            raise Http404
        return chosen, options
    return (options[0] if len(options) == 1 else None), options


def settings_of(*, county: Any) -> HelpdeskSettings:
    """The county's settings row, or an unsaved one with the defaults."""
    row = HelpdeskSettings.objects.filter(county=county).first()
    return row if row is not None else HelpdeskSettings(county=county)


def office_groups(*, county: Any) -> list[Any]:
    from dtss.orgs.models import OfficeGroup

    return list(OfficeGroup.objects.filter(county=county).order_by("id"))


def default_group(groups: list[Any], category: str) -> Any:
    """As `services._default_group`: teaching questions to the first teaching group, everything
    else to the first equipment group (groups ordered by id)."""
    from dtss.orgs.models import OfficeGroup

    kind = (
        OfficeGroup.Kind.TEACHING if category == Category.TEACHING else OfficeGroup.Kind.EQUIPMENT
    )
    return next((g for g in groups if g.kind == kind), None)


def hours_text(minutes: int) -> str:
    """480 → "8", 90 → "1.5", 100 → "1.67" (working hours as people read them)."""
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass
class TargetRow:
    category: str
    label: str
    first_response_minutes: int
    resolution_minutes: int
    escalate_when: str
    escalate_to: Any  # OfficeGroup | None
    is_default: bool
    default_first: int
    default_resolution: int
    default_group: Any

    @property
    def first_response_hours(self) -> str:
        return hours_text(self.first_response_minutes)

    @property
    def resolution_hours(self) -> str:
        return hours_text(self.resolution_minutes)

    @property
    def default_first_hours(self) -> str:
        return hours_text(self.default_first)

    @property
    def default_resolution_hours(self) -> str:
        return hours_text(self.default_resolution)

    def escalate_label(self) -> str:
        return str(ServiceTarget.Escalate(self.escalate_when).label)


def target_rows(*, county: Any, groups: list[Any] | None = None) -> list[TargetRow]:
    """One row per category: the county's own target, or the defaults (`sla.DEFAULT_TARGETS`,
    escalation on a missed target to the default group) where it has set nothing."""
    groups = office_groups(county=county) if groups is None else groups
    own = {
        t.category: t
        for t in ServiceTarget.objects.filter(county=county).select_related("escalate_to")
    }
    rows = []
    for value, label in Category.choices:
        d_first, d_resolution = sla.DEFAULT_TARGETS.get(value, sla.DEFAULT_TARGETS["other"])
        d_group = default_group(groups, value)
        t = own.get(value)
        rows.append(
            TargetRow(
                category=value,
                label=str(label),
                first_response_minutes=t.first_response_minutes if t else d_first,
                resolution_minutes=t.resolution_minutes if t else d_resolution,
                escalate_when=t.escalate_when if t else ServiceTarget.Escalate.ON_BREACH,
                escalate_to=t.escalate_to if t else d_group,
                is_default=t is None,
                default_first=d_first,
                default_resolution=d_resolution,
                default_group=d_group,
            )
        )
    return rows


@dataclass
class DuePreview:
    category: str
    label: str
    first_response_due: dt.datetime
    resolution_due: dt.datetime


def due_preview(
    *, county: Any, now: dt.datetime | None = None, rows: list[TargetRow] | None = None
) -> list[DuePreview]:
    """When a request raised at `now` (by a school without days of its own) would be due."""
    now = now or timezone.now()
    rows = target_rows(county=county) if rows is None else rows
    cal = sla.calendar_for(county_id=county.pk, school_id=None, around=timezone.localdate(now))
    out = []
    for row in rows:
        try:
            first = sla.add_working_minutes(now, row.first_response_minutes, cal)
            resolution = sla.add_working_minutes(now, row.resolution_minutes, cal)
        except ValueError:  # no working time at all in the horizon
            continue
        out.append(DuePreview(row.category, row.label, first, resolution))
    return out


CALENDAR_SORTS = {"date": ("date", "id"), "-date": ("-date", "-id"), "name": ("name", "date")}


def calendar_days(
    *,
    user: Any,
    county: Any,
    year: int | None = None,
    where: str = "",
    kind: str = "",
    query: str = "",
    sort: str = "date",
) -> QuerySet[CalendarDay]:
    """The county's calendar days (county-wide and the schools'), as the user may see them.
    `where`: "" every day, "county" the county-wide days, or a school's public id."""
    qs = CalendarDay.objects.visible_to(user).filter(county=county).select_related("school")
    if year:
        qs = qs.filter(date__year=year)
    if where == "county":
        qs = qs.filter(school__isnull=True)
    elif where:
        qs = qs.filter(school__public_id=where)
    if kind in CalendarDay.Kind.values:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(school__name_zh__icontains=query) | Q(school__code=query)
        )
    return qs.order_by(*CALENDAR_SORTS.get(sort, CALENDAR_SORTS["date"]))


def calendar_summary(*, county: Any, year: int) -> dict[str, int]:
    """How many county-wide days off and make-up days, and school days, in the year."""
    from django.db.models import Count

    return CalendarDay.objects.filter(county=county, date__year=year).aggregate(
        closed=Count("pk", filter=Q(school__isnull=True, kind="closed")),
        working=Count("pk", filter=Q(school__isnull=True, kind="working")),
        school=Count("pk", filter=Q(school__isnull=False)),
    )
