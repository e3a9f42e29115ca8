"""Pages of the helpdesk's configuration and reports (`/helpdesk/admin/`).

Who sees what:
- settings and calendar: the county's office (`access.may_configure`) changes them; the MOE
  viewer reads them; superusers and the MOE viewer choose a county with `?county=CODE`;
  everyone else 403; another county's `?county=` is a 404.
- reports: the county's office its county's (and any of its schools'), a school's
  administrators their school's, the MOE viewer and superusers any county's; others 403;
  another county's or school's is a 404 (`report_selectors.report_scope`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.framework.reports import csv_safe
from dtss.helpdesk import access
from dtss.helpdesk import admin_forms as forms
from dtss.helpdesk import admin_selectors as sel
from dtss.helpdesk import admin_services as svc
from dtss.helpdesk import report_selectors as rsel
from dtss.helpdesk.models import CalendarDay

CSV = "text/csv; charset=utf-8"


# --------------------------------------------------------------------------- helpers


def _config_county(request: HttpRequest) -> tuple[Any | None, list[Any], bool]:
    """(the county, the counties to choose from, whether the user may change it)."""
    scope = scope_for(request.user)
    if not (scope.superuser or scope.everything or scope.county_ids):
        raise PermissionDenied
    code = request.GET.get("county") or request.POST.get("county") or ""
    county, options = sel.county_pick(user=request.user, code=code)
    may_edit = county is not None and access.may_configure(scope, county_id=county.pk)
    return county, options, may_edit


def _errors_to_form(form: Any, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    rename = rename or {}
    for name, msgs in exc.message_dict.items():
        target = rename.get(name, name)
        target = target if target in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _url(name: str, county: Any, **params: Any) -> str:
    query = {"county": county.code, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse(name)}?{urlencode(query)}"


def _download(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CSV)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _csv(sections: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """Tables one after another, each under its title, a blank line between them (UTF-8 with
    a byte-order mark so that Excel reads the Chinese)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for i, (title, headers, rows) in enumerate(sections):
        if i:
            writer.writerow([])
        if title:
            writer.writerow([csv_safe(title)])
        writer.writerow([csv_safe(h) for h in headers])
        for row in rows:
            writer.writerow(
                [
                    "" if v is None else v.isoformat() if isinstance(v, dt.date) else csv_safe(v)
                    for v in row
                ]
            )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in forms.kind_choices()}


# --------------------------------------------------------------------------- settings


def _settings_initial(county: Any) -> dict[str, Any]:
    row = sel.settings_of(county=county)
    return {
        "work_days": list(row.work_days),
        "work_start": row.work_start,
        "work_end": row.work_end,
        "auto_close_days": row.auto_close_days,
    }


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    county, counties, may_edit = _config_county(request)
    if county is None:
        return render(
            request,
            "helpdesk/admin/choose_county.html",
            {"counties": counties, "target": "helpdesk:settings"},
        )
    groups = sel.office_groups(county=county)
    rows = sel.target_rows(county=county, groups=groups)
    settings_form = forms.SettingsForm(initial=_settings_initial(county))
    targets_form = forms.TargetsForm(rows=rows, groups=groups)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "settings":
            settings_form = forms.SettingsForm(request.POST)
            if settings_form.is_valid():
                data = settings_form.cleaned_data
                try:
                    svc.settings_update(
                        county=county,
                        user=request.user,
                        work_days=data["work_days"],
                        work_start=data["work_start"],
                        work_end=data["work_end"],
                        auto_close_days=data["auto_close_days"],
                        http_request=request,
                    )
                except ValidationError as exc:
                    _errors_to_form(settings_form, exc)
                else:
                    messages.success(request, _("Working hours saved."))
                    return redirect(_url("helpdesk:settings", county))
            status = 400
        elif action == "targets":
            targets_form = forms.TargetsForm(request.POST, rows=rows, groups=groups)
            if targets_form.is_valid():
                items = targets_form.changed_items()
                try:
                    svc.targets_set(
                        county=county,
                        user=request.user,
                        items=[svc.TargetInput(**item) for item in items],
                        http_request=request,
                    )
                except ValidationError as exc:
                    rename = {}
                    for item in items:
                        c = item["category"]
                        rename |= {
                            f"{c}.first_response_minutes": f"{c}-first",
                            f"{c}.resolution_minutes": f"{c}-resolution",
                            f"{c}.escalate_when": f"{c}-escalate_when",
                            f"{c}.escalate_to": f"{c}-escalate_to",
                        }
                    _errors_to_form(targets_form, exc, rename)
                else:
                    if items:
                        messages.success(
                            request,
                            ngettext(
                                "The service target of %(n)d category was saved.",
                                "The service targets of %(n)d categories were saved.",
                                len(items),
                            )
                            % {"n": len(items)},
                        )
                    else:
                        messages.info(request, _("Nothing was changed."))
                    return redirect(_url("helpdesk:settings", county) + "#targets")
            status = 400
        elif action == "reset":
            try:
                svc.target_reset(
                    county=county,
                    user=request.user,
                    category=request.POST.get("category", ""),
                    http_request=request,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The category follows the defaults again."))
            return redirect(_url("helpdesk:settings", county) + "#targets")
        else:
            raise Http404
    if not may_edit:  # the MOE viewer reads
        for form in (settings_form, targets_form):
            for field in form.fields.values():
                field.disabled = True
    return render(
        request,
        "helpdesk/admin/settings.html",
        {
            "county": county,
            "counties": counties,
            "may_edit": may_edit,
            "settings_form": settings_form,
            "targets_form": targets_form,
            "target_table": targets_form.table(),
            "groups": groups,
            "weekdays": dict(forms.WEEKDAYS),
            "current": sel.settings_of(county=county),
        },
        status=status,
    )


# --------------------------------------------------------------------------- calendar


def _valid_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    county, counties, may_edit = _config_county(request)
    if county is None:
        return render(
            request,
            "helpdesk/admin/choose_county.html",
            {"counties": counties, "target": "helpdesk:calendar"},
        )
    from dtss.orgs.models import School

    schools = list(School.objects.filter(county=county).order_by("code"))
    day_form = forms.DayForm(schools=schools, prefix="day")
    range_form = forms.RangeForm(schools=schools, prefix="range")
    import_form = forms.ImportForm(prefix="import")
    import_errors: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "day":
            day_form = forms.DayForm(request.POST, schools=schools, prefix="day")
            if day_form.is_valid():
                data = day_form.cleaned_data
                try:
                    day = svc.calendar_day_add(
                        county=county,
                        user=request.user,
                        date=data["date"],
                        name=data["name"],
                        kind=data["kind"],
                        school=day_form.school_obj(),
                        http_request=request,
                    )
                except ValidationError as exc:
                    _errors_to_form(day_form, exc)
                else:
                    messages.success(
                        request, _("%(date)s was added.") % {"date": day.date.isoformat()}
                    )
                    return redirect(_url("helpdesk:calendar", county, year=day.date.year))
        elif action == "range":
            range_form = forms.RangeForm(request.POST, schools=schools, prefix="range")
            if range_form.is_valid():
                data = range_form.cleaned_data
                try:
                    result = svc.calendar_range_add(
                        county=county,
                        user=request.user,
                        start=data["date"],
                        end=data["end"],
                        name=data["name"],
                        kind=data["kind"],
                        school=range_form.school_obj(),
                        http_request=request,
                    )
                except ValidationError as exc:
                    _errors_to_form(range_form, exc, {"start": "date"})
                else:
                    text = ngettext(
                        "%(n)d day was added.", "%(n)d days were added.", len(result.created)
                    ) % {"n": len(result.created)}
                    if result.skipped:
                        text += " " + ngettext(
                            "%(n)d day was already in the calendar and was left as it was.",
                            "%(n)d days were already in the calendar and were left as they were.",
                            len(result.skipped),
                        ) % {"n": len(result.skipped)}
                    messages.success(request, text)
                    return redirect(_url("helpdesk:calendar", county, year=data["date"].year))
        elif action == "import":
            import_form = forms.ImportForm(request.POST, request.FILES, prefix="import")
            if import_form.is_valid():
                try:
                    result = svc.calendar_import_csv(
                        county=county,
                        user=request.user,
                        data=import_form.cleaned_data["file"].read(),
                        http_request=request,
                    )
                except ValidationError as exc:
                    _errors_to_form(import_form, exc)
                else:
                    if result.ok:
                        messages.success(
                            request,
                            _("Imported: %(created)d days added, %(updated)d updated.")
                            % {"created": result.created, "updated": result.updated},
                        )
                        return redirect(_url("helpdesk:calendar", county))
                    import_errors = result.errors
        else:
            raise Http404
        status = 400

    filters = forms.CalendarFilterForm(request.GET or None, schools=schools)
    today = timezone.localdate()
    year, where, kind, query, sort = today.year, "", "", "", "date"
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        year = data.get("year") or today.year
        where = data.get("where") or ""
        kind = data.get("kind") or ""
        query = (data.get("q") or "").strip()
        sort = data.get("sort") or "date"
    if where not in ("", "county") and not _valid_uuid(where):
        where = ""
    days = sel.calendar_days(
        user=request.user,
        county=county,
        year=year,
        where=where,
        kind=kind,
        query=query,
        sort=sort,
    )
    page = Paginator(days, django_settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {"county": county.code, "year": year, "where": where, "kind": kind, "q": query}
    params["sort"] = sort
    querystring = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    rows = sel.target_rows(county=county)
    return render(
        request,
        "helpdesk/admin/calendar.html",
        {
            "county": county,
            "counties": counties,
            "may_edit": may_edit,
            "page": page,
            "rows": page.object_list,
            "querystring": querystring,
            "filters": filters,
            "year": year,
            "years": [year - 1, year, year + 1],
            "summary": sel.calendar_summary(county=county, year=year),
            "kind_labels": kind_labels(),
            "day_form": day_form,
            "range_form": range_form,
            "import_form": import_form,
            "import_errors": import_errors,
            "preview": sel.due_preview(county=county, rows=rows),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def calendar_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    day = get_visible_or_404(CalendarDay, request.user, public_id)
    if not access.may_configure(scope_for(request.user), county_id=day.county_id):
        raise PermissionDenied
    county, year = day.county, day.date.year
    svc.calendar_day_delete(day=day, user=request.user, http_request=request)
    messages.success(request, _("%(date)s was deleted.") % {"date": day.date.isoformat()})
    return redirect(_url("helpdesk:calendar", county, year=year))


@login_required
@require_GET
def calendar_template(request: HttpRequest) -> HttpResponse:
    _config_county(request)  # the same people as the page
    return _download(svc.import_template(), "helpdesk-calendar-template.csv")


@login_required
@require_GET
def calendar_export(request: HttpRequest) -> HttpResponse:
    """The year's days in the import format (so a county can edit and import them again)."""
    county, _counties, _may_edit = _config_county(request)
    if county is None:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    days = sel.calendar_days(user=request.user, county=county, year=year)
    rows = [[d.date, d.name, d.kind, d.school.code if d.school else ""] for d in days]
    body = _csv([("", list(svc.IMPORT_COLUMNS), rows)])
    return _download(body, f"helpdesk-calendar-{county.code}-{year}.csv")


# --------------------------------------------------------------------------- reports


def _report(request: HttpRequest) -> tuple[rsel.ReportScope, Any, Any]:
    """(the scope, the filter form, the report or None when a county must be chosen or the
    dates are wrong)."""
    scope = rsel.report_scope(
        user=request.user,
        county_code=request.GET.get("county", ""),
        school_id=request.GET.get("school", ""),
    )
    form = forms.ReportFilterForm(request.GET or None)
    if scope.county is None:
        return scope, form, None
    today = timezone.localdate()
    bounds = forms.ReportFilterForm(request.GET).period_bounds(today)
    if bounds is None:
        return scope, form, None
    requests, articles = rsel.report_rows(user=request.user)
    report = rsel.report_build(
        county=scope.county,
        school=scope.school,
        period=rsel.Period(*bounds),
        requests=requests,
        articles=articles,
    )
    return scope, form, report


def _tables(report: rsel.Report | None) -> list[tuple[str, str, list[rsel.Row], str]]:
    if report is None:
        return []
    return [
        (_("By school"), _("School"), report.by_school, "by-school"),
        (_("By category"), _("Category"), report.by_category, "by-category"),
        (_("By platform"), _("Platform"), report.by_platform, "by-platform"),
        (_("By status"), _("Status"), report.by_status, "by-status"),
    ]


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    scope, form, report = _report(request)
    if scope.county is None:
        return render(
            request,
            "helpdesk/admin/choose_county.html",
            {"counties": scope.counties, "target": "helpdesk:reports"},
        )
    if form.is_bound:
        form.is_valid()
    params = {
        "county": scope.county.code,
        "school": str(scope.school.public_id) if scope.school else "",
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
    }
    return render(
        request,
        "helpdesk/admin/reports.html",
        {
            "report_scope": scope,
            "form": form,
            "report": report,
            "querystring": urlencode({k: v for k, v in params.items() if v}),
            "tables": _tables(report),
            "max_week": report.weekly_max if report else 1,
        },
        status=200 if report is not None else 400,
    )


@login_required
@require_GET
def reports_export(request: HttpRequest) -> HttpResponse:
    scope, _form, report = _report(request)
    if scope.county is None:
        raise Http404
    if report is None:
        return HttpResponse(
            _("Check the dates of the period."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    where = scope.school.code if scope.school else scope.county.code
    name = (
        f"helpdesk-report-{where}-{report.period.start.isoformat()}-{report.period.end.isoformat()}"
    )
    return _download(_csv(rsel.report_sections(report)), f"{name}.csv")
