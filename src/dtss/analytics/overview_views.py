"""The learning-data hub, the school view, the county view and the programme view.

Who sees what (`access.py`):
- the hub sends each person where they belong (a small chooser when they have several places);
- a school: its administrators and teachers, the staff of its county, MOE viewers
  (`access.schools_for`); class rows link to the class view only for those who may see that
  class (`access.classes_for`); students, parents and accounts without a role get 403;
- a county: its staff, MOE viewers (`access.counties_for`); school staff get 403;
- a programme: as the county, but the pseudonymous participant list is for the county's own
  staff only (MOE viewers see aggregates).
Another school or county is a 404, the same as a missing one. Every download and every view of
the participant list is written to the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.analytics import access
from dtss.analytics import county_selectors as county_sel
from dtss.analytics import programme_selectors as prog_sel
from dtss.analytics import school_selectors as school_sel
from dtss.analytics.identity_selectors import actor_counts
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.framework.reports import csv_safe
from dtss.orgs.models import School

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- the hub


@never_cache
@require_GET
@login_required
def hub(request: HttpRequest) -> HttpResponse:
    """Send each person to their learning-data page; a chooser when there are several."""
    scope = scope_for(request.user)
    places: list[tuple[str, str, str]] = []  # (url, title, what)
    counties = list(access.counties_for(request.user).order_by("code"))
    if scope.everything or scope.superuser:
        pass  # MOE viewers and superusers choose a county below
    else:
        for county in counties:
            places.append(
                (
                    reverse("analytics:county_detail", args=[county.code]),
                    county.name,
                    _("County view: schools, districts, groups and programmes"),
                )
            )
    for school in School.objects.filter(pk__in=scope.admin_school_ids).order_by("code"):
        places.append(
            (
                reverse("analytics:school_detail", args=[school.public_id]),
                school.name,
                _("School view: grades, classes, subjects and platforms"),
            )
        )
    if scope.teacher_school_ids:
        places.append(
            (
                reverse("analytics:class_list"),
                _("My classes"),
                _("Each student's time, activity and results, and who has gone quiet"),
            )
        )
    if scope.person_id and (scope.student_school_ids or scope.child_ids):
        places.append(
            (
                reverse("analytics:student_me"),
                _("My learning") if not scope.child_ids else _("My children's learning"),
                _("Time spent, activity and progress week by week"),
            )
        )
    chooser = counties if (scope.everything or scope.superuser) else []
    if len(places) == 1 and not chooser:
        return redirect(places[0][0])
    status = 200 if places or chooser else 403
    return render(
        request,
        "analytics/hub.html",
        {"places": places, "counties": chooser},
        status=status,
    )


# --------------------------------------------------------------------------- shared


def _period(request: HttpRequest) -> tuple[school_sel.Period, dict[str, str]]:
    return school_sel.period_from_query(request.GET, today=today())


def _period_context(request: HttpRequest, period: Any, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "period": period,
        "errors": errors,
        "params": {
            "period": request.GET.get("period", "term"),
            "term": request.GET.get("term", ""),
            "start": request.GET.get("start", ""),
            "end": request.GET.get("end", ""),
        },
        "period_query": urlencode(
            [(k, request.GET[k]) for k in ("period", "term", "start", "end") if request.GET.get(k)]
        ),
        "term_choices": school_sel.term_choices(today()),
        "k": school_sel.K,
    }


def _query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def _downloads(
    request: HttpRequest, name: str, args: list[Any], tables: list[str], *, drop: tuple = ()
) -> dict[str, dict[str, str]]:
    """{table: {"csv": url, "xlsx": url}} carrying the page's period (and filters)."""
    query = _query(request, "sort", "q", *drop)
    suffix = f"?{query}" if query else ""
    return {
        t: {fmt: reverse(name, args=[*args, t, fmt]) + suffix for fmt in ("csv", "xlsx")}
        for t in [*tables, "all"]
    }


def _filename(*parts: str) -> str:
    name = "-".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "analytics"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def render_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens Chinese text correctly); no formulas."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(title: str, meta: list[str], tables: list[tuple[str, list[str], list]]) -> bytes:
    """One sheet per table, each with the title and period above a frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")
    used: set[str] = set()
    for name, headers, rows in tables:
        sheet = re.sub(r"[\[\]:*?/\\]", " ", name)[:28] or "Sheet"
        while sheet in used:
            sheet += "_"
        used.add(sheet)
        ws = wb.create_sheet(sheet)

        def put(r: int, c: int, value: Any, ws: Any = ws) -> Any:
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, never a formula
            return cell

        put(1, 1, f"{title} · {name}").font = Font(bold=True, size=13)
        for i, line in enumerate(meta, start=2):
            put(i, 1, line)
        first = len(meta) + 3
        for c, h in enumerate(headers, start=1):
            cell = put(first, c, h)
            cell.font, cell.fill = bold, fill
            ws.column_dimensions[get_column_letter(c)].width = 28 if c == 1 else 16
        for r, values in enumerate(rows, start=first + 1):
            for c, v in enumerate(values, start=1):
                put(r, c, v)
        ws.freeze_panes = ws.cell(row=first + 1, column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _export(
    request: HttpRequest,
    *,
    obj: Any,
    title: str,
    period: Any,
    tables: dict[str, tuple[str, list[str], list]],
    table: str,
    fmt: str,
    what: str,
) -> HttpResponse:
    if fmt not in ("csv", "xlsx") or (
        table not in tables and not (table == "all" and fmt == "xlsx")
    ):
        raise Http404
    meta = [
        _("Period: %(period)s") % {"period": period.label()},
        _("Figures of fewer than %(k)s active students are suppressed.") % {"k": school_sel.K},
    ]
    if fmt == "csv":
        name, headers, rows = tables[table]
        body, content_type = render_csv(headers, rows), CSV
    else:
        chosen = list(tables.values()) if table == "all" else [tables[table]]
        body, content_type = render_xlsx(title, meta, chosen), XLSX
        name = _("All tables") if table == "all" else tables[table][0]
    audit_record(
        actor=request.user,
        action="report.export",
        obj=obj,
        request=request,
        detail={
            "what": what,
            "table": table,
            "format": fmt,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "bytes": len(body),
        },
    )
    filename = _filename(title, name, f"{period.start:%Y%m%d}-{period.end:%Y%m%d}")
    return _download(body, content_type, f"{filename}.{fmt}")


def _staff(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied
    return scope


def _county_level(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    if not scope.is_county_level:
        raise PermissionDenied
    return scope


# --------------------------------------------------------------------------- the school view


def _school(request: HttpRequest, public_id: UUID) -> tuple[Any, Any]:
    scope = _staff(request)
    return scope, school_sel.school_or_404(request.user, public_id)


@never_cache
@require_GET
@login_required
def school_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _scope, school = _school(request, public_id)
    period, errors = _period(request)
    overview = school_sel.school_overview(school=school, period=period, user=request.user)
    county_link = ""
    if access.counties_for(request.user).filter(pk=school.county_id).exists():
        county_link = reverse("analytics:county_detail", args=[school.county.code])
    context = _period_context(request, period, errors)
    context.update(
        {
            "o": overview,
            "school": school,
            "county_link": county_link,
            "downloads": _downloads(
                request, "analytics:school_export", [school.public_id], list(overview.tables())
            ),
        }
    )
    return render(request, "analytics/school_detail.html", context)


@never_cache
@require_GET
@login_required
def school_export(request: HttpRequest, public_id: UUID, table: str, fmt: str) -> HttpResponse:
    _scope, school = _school(request, public_id)
    period, _errors = _period(request)
    overview = school_sel.school_overview(school=school, period=period, user=request.user)
    return _export(
        request,
        obj=school,
        title=school.name,
        period=period,
        tables=overview.tables(),
        table=table,
        fmt=fmt,
        what="analytics_school",
    )


# --------------------------------------------------------------------------- the county view

SORTS = {
    "name": lambda r: r.label,
    "code": lambda r: r.extra["code"],
    "district": lambda r: (r.extra["district"], r.label),
    "enrolled": lambda r: r.enrolled,
    "share": lambda r: r.active_share,
    "change": lambda r: None if r.hidden else r.change,
    "minutes": lambda r: r.minutes_per_active,
    "correct": lambda r: r.correct_rate,
    "score": lambda r: r.mean_score,
}


def sort_rows(rows: list[Any], sort: str) -> list[Any]:
    """Sort by a column; "-" first for descending; rows without a figure always last."""
    key = SORTS.get(sort.lstrip("-"))
    if key is None:
        return rows
    known = [r for r in rows if key(r) is not None]
    unknown = [r for r in rows if key(r) is None]
    return sorted(known, key=key, reverse=sort.startswith("-")) + unknown


def _county(request: HttpRequest, code: str) -> tuple[Any, Any]:
    scope = _county_level(request)
    return scope, county_sel.county_or_404(request.user, code)


@never_cache
@require_GET
@login_required
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    _scope, county = _county(request, code)
    period, errors = _period(request)
    show_groups = request.GET.get("groups") == "1"
    overview = county_sel.county_overview(
        county=county, period=period, today=today(), groups=show_groups
    )
    rows = overview.schools
    district, stage, area = (request.GET.get(k, "") for k in ("district", "stage", "area"))
    if district:
        rows = [r for r in rows if str(r.extra["district_key"]) == district]
    if stage:
        rows = [r for r in rows if r.extra["stage_key"] == stage]
    if area:
        rows = [r for r in rows if r.extra["area_key"] == area]
    sort = request.GET.get("sort", "code")
    rows = sort_rows(rows, sort if sort.lstrip("-") in SORTS else "code")
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = _period_context(request, period, errors)
    context.update(
        {
            "o": overview,
            "county": county,
            "page": page,
            "querystring": _query(request),
            "sort_query": _query(request, "sort"),
            "groups_query": _query(request, "groups"),
            "sort": sort,
            "filters": {"district": district, "stage": stage, "area": area},
            "district_choices": [(str(r.key), r.label) for r in overview.districts],
            "stage_choices": [(r.key, r.label) for r in overview.stages],
            "area_choices": [(r.key, r.label) for r in overview.areas],
            "downloads": _downloads(
                request,
                "analytics:county_export",
                [county.code],
                list(overview.tables()),
                drop=("district", "stage", "area", "page"),
            ),
            "programme_link": reverse("analytics:programme_detail", args=[county.code])
            + (f"?{context['period_query']}" if context["period_query"] else ""),
            "programmes": [(k, prog_sel.programme_label(k)) for k in prog_sel.PROGRAMMES],
            "actor_counts": actor_counts(county=county),
            "county_query": f"county={county.code}",
            "sort_columns": [
                ("name", _("School")),
                ("district", _("District")),
                ("enrolled", _("Enrolled")),
                ("share", _("Weekly active share")),
                ("change", _("Change (points)")),
                ("minutes", _("Minutes per active student per week")),
                ("correct", _("Correct rate")),
                ("score", _("Mean score")),
            ],
        }
    )
    return render(request, "analytics/county_detail.html", context)


@never_cache
@require_GET
@login_required
def county_export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    _scope, county = _county(request, code)
    period, _errors = _period(request)
    overview = county_sel.county_overview(county=county, period=period, today=today())
    return _export(
        request,
        obj=county,
        title=county.name,
        period=period,
        tables=overview.tables(),
        table=table,
        fmt=fmt,
        what="analytics_county",
    )


# --------------------------------------------------------------------------- programmes


def _programme_params(request: HttpRequest, errors: dict[str, str]) -> tuple[str, int]:
    kind = request.GET.get("programme") or prog_sel.PROGRAMMES[0]
    if kind not in prog_sel.PROGRAMMES:
        errors["programme"] = _("Choose 學習扶助 or 數位學伴.")
        kind = prog_sel.PROGRAMMES[0]
    raw = request.GET.get("weeks") or str(prog_sel.DEFAULT_WEEKS)
    weeks = int(raw) if raw.isdigit() else 0
    if not 1 <= weeks <= prog_sel.MAX_WEEKS:
        errors["weeks"] = _("Weeks before and after: a whole number from 1 to %(n)s.") % {
            "n": prog_sel.MAX_WEEKS
        }
        weeks = prog_sel.DEFAULT_WEEKS
    return kind, weeks


def _may_see_participants(scope: Any, county: Any) -> bool:
    return bool(scope.superuser or county.pk in scope.county_ids)


def _programme(request: HttpRequest, code: str) -> tuple[Any, Any, Any, dict[str, str]]:
    scope, county = _county(request, code)
    period, errors = _period(request)
    kind, weeks = _programme_params(request, errors)
    view = prog_sel.programme_view(
        county=county, kind=kind, period=period, weeks=weeks, today=today()
    )
    return scope, county, view, errors


@never_cache
@require_GET
@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope, county, view, errors = _programme(request, code)
    show_list = _may_see_participants(scope, county)
    page = None
    q = request.GET.get("q", "")
    if show_list and view.participants:
        listed = prog_sel.participant_filter(view.participants, q)
        page = Paginator(listed, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        audit_record(
            actor=request.user,
            action="analytics.programme.participants",
            obj=county,
            request=request,
            detail={
                "programme": view.kind,
                "period": [view.period.start.isoformat(), view.period.end.isoformat()],
                "shown": len(page.object_list),
            },
        )
    context = _period_context(request, view.period, errors)
    context.update(
        {
            "county": county,
            "v": view,
            "show_list": show_list,
            "page": page,
            "q": q,
            "querystring": _query(request),
            "downloads": _downloads(
                request,
                "analytics:programme_export",
                [county.code],
                ["summary", "participants"] if show_list else ["summary"],
            ),
            "county_link": reverse("analytics:county_detail", args=[county.code])
            + (f"?{context['period_query']}" if context["period_query"] else ""),
            "programmes": [(k, prog_sel.programme_label(k)) for k in prog_sel.PROGRAMMES],
            "actor_counts": actor_counts(county=county),
            "county_query": f"county={county.code}",
            "weeks_value": request.GET.get("weeks", str(prog_sel.DEFAULT_WEEKS)),
        }
    )
    return render(request, "analytics/programme_detail.html", context)


@never_cache
@require_GET
@login_required
def programme_export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    scope, county, view, _errors = _programme(request, code)
    tables = {"summary": (_("Before and after"), *view.summary_table())}
    if _may_see_participants(scope, county):
        tables["participants"] = (_("Participants"), *view.participant_table())
    elif table == "participants":
        raise PermissionDenied
    return _export(
        request,
        obj=county,
        title=f"{county.name} {view.label}",
        period=view.period,
        tables=tables,
        table=table,
        fmt=fmt,
        what=f"analytics_programme_{view.kind}",
    )
