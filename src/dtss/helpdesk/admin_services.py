"""Writes of the helpdesk's configuration: a county's working hours, its calendar of closed days
and make-up working days (the county's and one school's), and its service targets per category.

Every function is keyword-only and atomic, validates before saving (a `ValidationError` naming
the field, nothing changed) and is for the county's office only (`access.may_configure`;
`PermissionDenied` for anyone else). `user=None` is the trusted command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.csvfile import rows_from_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.helpdesk import access
from dtss.helpdesk.models import CalendarDay, Category, HelpdeskSettings, ServiceTarget

MAX_TARGET_MINUTES = 60_000  # 1,000 working hours
MAX_RANGE_DAYS = 366
MAX_IMPORT_ROWS = 2_000


def _require_configure(user: Any, county: Any) -> None:
    if user is None:
        return
    if not access.may_configure(scope_for(user), county_id=county.pk):
        raise PermissionDenied(_("Only the county's office may change the helpdesk settings."))


# --------------------------------------------------------------------------- working hours


def parse_work_days(value: str | Iterable[Any]) -> str:
    """ "12345", ["1", "2"] or [1, 2] → "12" (sorted ISO weekdays); ValueError when a day is not
    1–7."""
    items = list(value) if not isinstance(value, str) else [c for c in value if not c.isspace()]
    days: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or not 1 <= int(text) <= 7:
            raise ValueError(text)
        days.add(int(text))
    return "".join(str(d) for d in sorted(days))


@transaction.atomic
def settings_update(
    *,
    county: Any,
    user: Any,
    work_days: str | Iterable[Any],
    work_start: dt.time,
    work_end: dt.time,
    auto_close_days: int,
    http_request: Any = None,
) -> HelpdeskSettings:
    """The county's working days and hours, and after how many days a resolved request closes.
    Deadlines already fixed stay as they are; new requests use the new hours."""
    _require_configure(user, county)
    errors: dict[str, str] = {}
    try:
        days = parse_work_days(work_days)
    except ValueError:
        days = ""
        errors["work_days"] = _("Working days are ISO weekdays from 1 (Monday) to 7 (Sunday).")
    else:
        if not days:
            errors["work_days"] = _("Choose at least one working day.")
    if not isinstance(work_start, dt.time):
        errors["work_start"] = _("Give a time such as 08:00.")
    if not isinstance(work_end, dt.time):
        errors["work_end"] = _("Give a time such as 17:00.")
    elif isinstance(work_start, dt.time) and work_end <= work_start:
        errors["work_end"] = _("The working day must end after it starts.")
    try:
        close_days = int(auto_close_days)
    except (TypeError, ValueError):
        close_days = 0
    if not 1 <= close_days <= 90:
        errors["auto_close_days"] = _("Give a number of days from 1 to 90.")
    if errors:
        raise ValidationError(errors)
    row = HelpdeskSettings.objects.select_for_update().filter(county=county).first()
    if row is None:
        row = HelpdeskSettings(county=county)
    row.work_days = days
    row.work_start = work_start.replace(second=0, microsecond=0)
    row.work_end = work_end.replace(second=0, microsecond=0)
    row.auto_close_days = close_days
    row.full_clean()
    row.save()
    audit_record(
        actor=user,
        action="helpdesk.settings.update",
        obj=row,
        request=http_request,
        detail={
            "work_days": days,
            "hours": f"{row.work_start:%H:%M}-{row.work_end:%H:%M}",
            "auto_close_days": close_days,
        },
    )
    return row


# --------------------------------------------------------------------------- calendar


def _check_day_fields(
    county: Any, *, name: str, kind: str, school: Any, errors: dict[str, str]
) -> str:
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the day a name, e.g. 春節 or 颱風停班.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = _("Choose a day off or a make-up working day.")
    if school is not None and school.county_id != county.pk:
        errors["school"] = _("Choose a school of this county.")
    return name


def _existing(county: Any, school: Any, dates: Iterable[dt.date]) -> dict[dt.date, CalendarDay]:
    qs = CalendarDay.objects.filter(county=county, date__in=list(dates))
    qs = qs.filter(school=school) if school is not None else qs.filter(school__isnull=True)
    return {d.date: d for d in qs}


@transaction.atomic
def calendar_day_add(
    *,
    county: Any,
    user: Any,
    date: dt.date | None,
    name: str,
    kind: str = CalendarDay.Kind.CLOSED,
    school: Any = None,
    http_request: Any = None,
) -> CalendarDay:
    """One day off (or make-up working day) for the whole county, or for one school."""
    _require_configure(user, county)
    errors: dict[str, str] = {}
    name = _check_day_fields(county, name=name, kind=kind, school=school, errors=errors)
    if not isinstance(date, dt.date):
        errors["date"] = _("Give a date.")
    elif _existing(county, school, [date]):
        errors["date"] = _("This day is already in the calendar; delete it first to change it.")
    if errors:
        raise ValidationError(errors)
    assert isinstance(date, dt.date)
    day = CalendarDay.objects.create(county=county, school=school, date=date, kind=kind, name=name)
    audit_record(
        actor=user,
        action="helpdesk.calendar.add",
        obj=day,
        request=http_request,
        county=county,
        detail={"date": date.isoformat(), "kind": kind, "name": name},
    )
    return day


@dataclass
class RangeResult:
    created: list[CalendarDay] = field(default_factory=list)
    skipped: list[dt.date] = field(default_factory=list)  # already in the calendar


@transaction.atomic
def calendar_range_add(
    *,
    county: Any,
    user: Any,
    start: dt.date | None,
    end: dt.date | None,
    name: str,
    kind: str = CalendarDay.Kind.CLOSED,
    school: Any = None,
    http_request: Any = None,
) -> RangeResult:
    """Every day from `start` to `end` (inclusive), e.g. 寒假 or two typhoon days. Weekends
    inside the range are added too (harmless: they are not working days anyway). Days already
    in the calendar are left as they are and reported as skipped."""
    _require_configure(user, county)
    errors: dict[str, str] = {}
    name = _check_day_fields(county, name=name, kind=kind, school=school, errors=errors)
    if not isinstance(start, dt.date):
        errors["start"] = _("Give the first day.")
    if not isinstance(end, dt.date):
        errors["end"] = _("Give the last day.")
    elif isinstance(start, dt.date):
        if end < start:
            errors["end"] = _("The last day cannot be before the first.")
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = _("At most %(n)d days at once.") % {"n": MAX_RANGE_DAYS}
    if errors:
        raise ValidationError(errors)
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    existing = _existing(county, school, dates)
    result = RangeResult(skipped=[d for d in dates if d in existing])
    result.created = CalendarDay.objects.bulk_create(
        [
            CalendarDay(county=county, school=school, date=d, kind=kind, name=name)
            for d in dates
            if d not in existing
        ]
    )
    audit_record(
        actor=user,
        action="helpdesk.calendar.add",
        obj=school,
        request=http_request,
        county=county,
        detail={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "kind": kind,
            "name": name,
            "created": len(result.created),
            "skipped": len(result.skipped),
        },
    )
    return result


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, user: Any, http_request: Any = None) -> None:
    _require_configure(user, day.county)
    audit_record(
        actor=user,
        action="helpdesk.calendar.delete",
        obj=day,
        request=http_request,
        detail={"date": day.date.isoformat(), "kind": day.kind, "name": day.name},
    )
    day.delete()


# --------------------------------------------------------------------------- calendar import

IMPORT_COLUMNS = ("date", "name", "kind", "school")
HEADER_ALIASES = {
    "date": "date",
    "日期": "date",
    "name": "name",
    "名稱": "name",
    "說明": "name",
    "kind": "kind",
    "type": "kind",
    "類別": "kind",
    "種類": "kind",
    "school": "school",
    "school code": "school",
    "school_code": "school",
    "學校": "school",
    "學校代碼": "school",
    "學校代號": "school",
}
KIND_ALIASES = {
    "": CalendarDay.Kind.CLOSED,
    "closed": CalendarDay.Kind.CLOSED,
    "off": CalendarDay.Kind.CLOSED,
    "holiday": CalendarDay.Kind.CLOSED,
    "放假": CalendarDay.Kind.CLOSED,
    "休假": CalendarDay.Kind.CLOSED,
    "停班": CalendarDay.Kind.CLOSED,
    "停課": CalendarDay.Kind.CLOSED,
    "停班停課": CalendarDay.Kind.CLOSED,
    "working": CalendarDay.Kind.WORKING,
    "work": CalendarDay.Kind.WORKING,
    "make-up": CalendarDay.Kind.WORKING,
    "補班": CalendarDay.Kind.WORKING,
    "補行上班": CalendarDay.Kind.WORKING,
    "上班": CalendarDay.Kind.WORKING,
}
_DATE_RE = re.compile(r"^\s*(\d{2,4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date | None:
    """2026-02-16, 2026/2/16, 115/02/16 (民國) or 20260216 → a date; None when unreadable."""
    value = (text or "").strip()
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = _DATE_RE.match(value)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if year < 1000:  # ROC year
        year += 1911
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_template() -> bytes:
    """The CSV template: a header and two example rows (UTF-8 with a byte-order mark)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow(["2027-02-05", "春節", "closed", ""])
    writer.writerow(["2027-02-20", "補行上班", "working", ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@transaction.atomic
def calendar_import_csv(
    *, county: Any, user: Any, data: bytes, http_request: Any = None
) -> ImportResult:
    """Rows of date, name, kind (closed/working; empty = closed) and optionally the MOE code of
    a school (empty = the whole county). All or nothing: every bad row is listed and nothing
    is saved unless every row is good. A date already in the calendar (for the same school or
    the whole county) is updated to the row's name and kind."""
    from dtss.orgs.models import School

    _require_configure(user, county)
    rows = [r for r in rows_from_csv(data) if any(c for c in r)]
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError({"file": _("At most %(n)d rows at once.") % {"n": MAX_IMPORT_ROWS}})
    result = ImportResult()
    first = [HEADER_ALIASES.get(c.strip().lower(), "") for c in rows[0]]
    if "date" in first:  # a header row
        header, body, offset = first, rows[1:], 2
        for raw, key in zip(rows[0], header, strict=True):
            if raw.strip() and not key:
                result.errors.append({"row": 1, "field": raw, "message": _("Unknown column.")})
        for needed in ("date", "name"):
            if needed not in header:
                result.errors.append(
                    {"row": 1, "field": needed, "message": _("This column is missing.")}
                )
        if result.errors:
            return result
    else:
        header, body, offset = list(IMPORT_COLUMNS), rows, 1
    schools = {s.code: s for s in School.objects.filter(county=county)}
    planned: list[tuple[dt.date, str, str, Any]] = []
    seen: dict[tuple[dt.date, int | None], int] = {}
    for n, raw in enumerate(body, start=offset):
        cells = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        if len(raw) > len(header) and any(c for c in raw[len(header) :]):
            result.errors.append({"row": n, "field": "", "message": _("Too many columns.")})
            continue
        problems: list[tuple[str, str]] = []
        date = parse_date(cells.get("date", ""))
        if date is None:
            problems.append(("date", _("Write the date as YYYY-MM-DD, e.g. 2027-02-05.")))
        name = cells.get("name", "").strip()
        if not name:
            problems.append(("name", _("Give the day a name.")))
        elif len(name) > 100:
            problems.append(("name", _("At most 100 characters.")))
        kind = KIND_ALIASES.get(cells.get("kind", "").strip().lower())
        if kind is None:
            problems.append(("kind", _("Write closed or working.")))
        school = None
        code = cells.get("school", "").strip()
        if code:
            school = schools.get(code)
            if school is None:
                problems.append(("school", _("No school of this county has this code.")))
        if problems:
            result.errors += [{"row": n, "field": f, "message": m} for f, m in problems]
            continue
        assert date is not None and kind is not None
        key = (date, school.pk if school else None)
        if key in seen:
            result.errors.append(
                {
                    "row": n,
                    "field": "date",
                    "message": _("The same day is also in row %(row)s.") % {"row": seen[key]},
                }
            )
            continue
        seen[key] = n
        planned.append((date, name, kind, school))
    if result.errors:
        return result
    county_days = {
        (d.date, d.school_id): d
        for d in CalendarDay.objects.filter(county=county, date__in={p[0] for p in planned})
    }
    new: list[CalendarDay] = []
    for date, name, kind, school in planned:
        day = county_days.get((date, school.pk if school else None))
        if day is None:
            new.append(CalendarDay(county=county, school=school, date=date, kind=kind, name=name))
        elif (day.name, day.kind) != (name, kind):
            day.name, day.kind = name, kind
            day.save(update_fields=["name", "kind", "updated_at"])
            result.updated += 1
    result.created = len(CalendarDay.objects.bulk_create(new))
    audit_record(
        actor=user,
        action="helpdesk.calendar.import",
        request=http_request,
        county=county,
        detail={"created": result.created, "updated": result.updated},
    )
    return result


# --------------------------------------------------------------------------- service targets


def _target_errors(
    county: Any,
    *,
    category: str,
    first_response_minutes: Any,
    resolution_minutes: Any,
    escalate_when: str,
    escalate_to: Any,
) -> tuple[dict[str, str], int, int]:
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    values: list[int] = []
    for name, raw in (
        ("first_response_minutes", first_response_minutes),
        ("resolution_minutes", resolution_minutes),
    ):
        try:
            value = int(raw)
            if value != raw and not (isinstance(raw, str) and raw.strip().isdigit()):
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = _("Give a whole number of working minutes.")
            values.append(0)
            continue
        if value < 1:
            errors[name] = _("At least one working minute.")
        elif value > MAX_TARGET_MINUTES:
            errors[name] = _("At most %(n)d working hours.") % {"n": MAX_TARGET_MINUTES // 60}
        values.append(value)
    first, resolution = values
    if not errors and resolution < first:
        errors["resolution_minutes"] = _(
            "The resolution target cannot be shorter than the first-response target."
        )
    if escalate_when not in ServiceTarget.Escalate.values:
        errors["escalate_when"] = _("Choose when to escalate.")
    if escalate_to is not None and escalate_to.county_id != county.pk:
        errors["escalate_to"] = _("Choose a group of this county's office.")
    elif escalate_to is None and escalate_when in (
        ServiceTarget.Escalate.ON_BREACH,
        ServiceTarget.Escalate.ALWAYS,
    ):
        errors["escalate_to"] = _("Choose the group of the county's office to escalate to.")
    return errors, first, resolution


@dataclass(frozen=True)
class TargetInput:
    category: str
    first_response_minutes: Any
    resolution_minutes: Any
    escalate_when: str
    escalate_to: Any = None  # an orgs.OfficeGroup


def _save_target(county: Any, item: TargetInput, first: int, resolution: int) -> ServiceTarget:
    row, _created = ServiceTarget.objects.update_or_create(
        county=county,
        category=item.category,
        defaults={
            "first_response_minutes": first,
            "resolution_minutes": resolution,
            "escalate_when": item.escalate_when,
            "escalate_to": item.escalate_to,
        },
    )
    return row


@transaction.atomic
def target_set(
    *,
    county: Any,
    user: Any,
    category: str,
    first_response_minutes: int,
    resolution_minutes: int,
    escalate_when: str = ServiceTarget.Escalate.ON_BREACH,
    escalate_to: Any = None,
    http_request: Any = None,
) -> ServiceTarget:
    """The county's targets for one category, in working minutes, and its escalation rule."""
    return targets_set(
        county=county,
        user=user,
        items=[
            TargetInput(
                category, first_response_minutes, resolution_minutes, escalate_when, escalate_to
            )
        ],
        prefix=False,
        http_request=http_request,
    )[0]


@transaction.atomic
def targets_set(
    *,
    county: Any,
    user: Any,
    items: Sequence[TargetInput],
    prefix: bool = True,
    http_request: Any = None,
) -> list[ServiceTarget]:
    """Several categories at once, all or nothing. Errors are named `<category>.<field>`
    (or just `<field>` with `prefix=False`)."""
    _require_configure(user, county)
    errors: dict[str, str] = {}
    checked: list[tuple[TargetInput, int, int]] = []
    seen: set[str] = set()
    for item in items:
        found, first, resolution = _target_errors(
            county,
            category=item.category,
            first_response_minutes=item.first_response_minutes,
            resolution_minutes=item.resolution_minutes,
            escalate_when=item.escalate_when,
            escalate_to=item.escalate_to,
        )
        if item.category in seen:
            found["category"] = _("This category is given twice.")
        seen.add(item.category)
        for name, message in found.items():
            errors[f"{item.category}.{name}" if prefix else name] = message
        checked.append((item, first, resolution))
    if errors:
        raise ValidationError(errors)
    rows = []
    for item, first, resolution in checked:
        row = _save_target(county, item, first, resolution)
        audit_record(
            actor=user,
            action="helpdesk.target.set",
            obj=row,
            request=http_request,
            detail={
                "category": item.category,
                "first_response_minutes": first,
                "resolution_minutes": resolution,
                "escalate_when": item.escalate_when,
                "escalate_to": item.escalate_to.name if item.escalate_to else "",
            },
        )
        rows.append(row)
    return rows


@transaction.atomic
def target_reset(*, county: Any, user: Any, category: str, http_request: Any = None) -> bool:
    """Back to the defaults for one category (the county's row is deleted). True if there was
    one."""
    _require_configure(user, county)
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    deleted, _rows = ServiceTarget.objects.filter(county=county, category=category).delete()
    if deleted:
        audit_record(
            actor=user,
            action="helpdesk.target.reset",
            request=http_request,
            county=county,
            detail={"category": category},
        )
    return bool(deleted)
