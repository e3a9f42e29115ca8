"""Service-target clocks in working hours.

A `WorkCalendar` knows a county's working days and hours and the days off (and make-up working
days) of the county and, where a request belongs to one, of its school. `add_working_minutes`
gives the moment a target falls due; `working_minutes_between` measures how long something took
in the same working time, which is what the targets and the reports count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

# Targets when a county has not set its own (working minutes).
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    "device": (240, 3 * 540),
    "account": (120, 540),
    "platform": (240, 2 * 540),
    "network": (120, 540),
    "teaching": (540, 5 * 540),
    "other": (540, 5 * 540),
}

# How far ahead a clock may look for working time before it gives up (a calendar with no
# working day at all would otherwise loop for ever).
_HORIZON_DAYS = 800


@dataclass(frozen=True)
class WorkCalendar:
    work_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(17, 0)
    closed: frozenset[dt.date] = field(default_factory=frozenset)
    working: frozenset[dt.date] = field(default_factory=frozenset)  # make-up working days

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working:
            return True
        if day in self.closed:
            return False
        return day.isoweekday() in self.work_days

    @property
    def minutes_per_day(self) -> int:
        return max(
            0, (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        )


def _tz() -> Any:
    return timezone.get_default_timezone()


def _window(day: dt.date, cal: WorkCalendar) -> tuple[dt.datetime, dt.datetime]:
    tz = _tz()
    return (
        dt.datetime.combine(day, cal.start, tzinfo=tz),
        dt.datetime.combine(day, cal.end, tzinfo=tz),
    )


def add_working_minutes(start: dt.datetime, minutes: int, cal: WorkCalendar) -> dt.datetime:
    """The moment `minutes` of working time after `start` have passed."""
    if minutes <= 0:
        return start
    if cal.minutes_per_day <= 0:
        raise ValueError("working hours end before they start")
    current = timezone.localtime(start, _tz())
    remaining = dt.timedelta(minutes=minutes)
    day = current.date()
    for _ in range(_HORIZON_DAYS):
        if cal.is_working_day(day):
            open_at, close_at = _window(day, cal)
            begin = max(current, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        current = dt.datetime.combine(day, dt.time(0, 0), tzinfo=_tz())
    raise ValueError("no working time in the calendar")


def working_minutes_between(start: dt.datetime, end: dt.datetime, cal: WorkCalendar) -> int:
    """Working minutes from `start` to `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    a = timezone.localtime(start, _tz())
    b = timezone.localtime(end, _tz())
    total = dt.timedelta()
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            open_at, close_at = _window(day, cal)
            lo, hi = max(a, open_at), min(b, close_at)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)


def calendar_for(
    *, county_id: int, school_id: int | None, around: dt.date | None = None
) -> WorkCalendar:
    """The working calendar of a county (and school): its settings and its days off and make-up
    days from a year before to two years after `around` (default today)."""
    from dtss.helpdesk.models import CalendarDay, HelpdeskSettings

    around = around or timezone.localdate()
    settings_row = HelpdeskSettings.objects.filter(county_id=county_id).first()
    days = CalendarDay.objects.filter(
        county_id=county_id,
        date__gte=around - dt.timedelta(days=366),
        date__lte=around + dt.timedelta(days=731),
    )
    if school_id:
        days = days.filter(school__isnull=True) | days.filter(school_id=school_id)
    else:
        days = days.filter(school__isnull=True)
    closed: set[dt.date] = set()
    working: set[dt.date] = set()
    school_rows: dict[dt.date, str] = {}
    for day, kind, row_school in days.values_list("date", "kind", "school_id"):
        if row_school:  # a school's own day overrides the county's for that school
            school_rows[day] = kind
            continue
        (closed if kind == "closed" else working).add(day)
    for day, kind in school_rows.items():
        closed.discard(day)
        working.discard(day)
        (closed if kind == "closed" else working).add(day)
    if settings_row is None:
        return WorkCalendar(closed=frozenset(closed), working=frozenset(working))
    return WorkCalendar(
        work_days=frozenset(int(c) for c in settings_row.work_days if c.isdigit()),
        start=settings_row.work_start,
        end=settings_row.work_end,
        closed=frozenset(closed),
        working=frozenset(working),
    )
