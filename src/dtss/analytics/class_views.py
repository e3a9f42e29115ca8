"""The teacher's pages under /analytics/: "my classes" and the class at a glance (L6.A2).

Who sees what is `access.classes_for`: a teacher their homeroom classes, a school administrator
every class of the school. Anyone else gets a 404 for a class (county staff read the county
views, which are pseudonymous; students and parents their own pages), and a 403 for the list
when their role has no classes at all (students, parents, accounts without a role).

Filters arrive as GET parameters (period, start, end, platform, subject, sort). A bad value is
named on the page, and the default period is shown instead; an export with a bad value is a 400
naming the field. Exports carry exactly the table's columns and are written to the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.analytics import access, profile
from dtss.analytics import class_selectors as sel
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.framework.reports import csv_safe
from dtss.orgs.models import SchoolClass

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Columns whose first click sorts ascending; the others start with the largest.
ASCENDING_FIRST = {"seat", "name"}


class ClassFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("7d", gettext_lazy("Last 7 days")),
            ("28d", gettext_lazy("Last 28 days")),
            ("term", gettext_lazy("This term")),
            ("custom", gettext_lazy("Custom dates")),
        ],
    )
    start = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), required=False)
    subject = forms.ChoiceField(label=gettext_lazy("Subject"), required=False)
    sort = forms.CharField(label=gettext_lazy("Sort by"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [
            ("", _("All platforms")),
            *sel.platform_choices(county_id),
        ]
        self.fields["subject"].choices = [
            ("", _("All subjects")),
            *sel.subject_choices(get_language() or settings.LANGUAGE_CODE),
        ]

    def clean_sort(self) -> str:
        value = (self.cleaned_data.get("sort") or "").strip()
        if value and value.lstrip("-") not in sel.SORT_KEYS:
            raise forms.ValidationError(_("Unknown column to sort by."))
        return value or "seat"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day of the custom period."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day of the custom period."))
            if start and end:
                if start > end:
                    self.add_error("end", _("The last day must be on or after the first day."))
                elif (end - start).days + 1 > sel.MAX_CUSTOM_DAYS:
                    self.add_error(
                        "end",
                        _("Choose a period of at most %(n)d days.") % {"n": sel.MAX_CUSTOM_DAYS},
                    )
        return data


def _today() -> dt.date:
    return timezone.localdate()


def _class(request: HttpRequest, public_id: UUID) -> SchoolClass:
    return access.class_or_404(request.user, public_id)


def _parse(
    request: HttpRequest, school_class: SchoolClass
) -> tuple[ClassFilterForm, sel.Period, sel.Filters, str]:
    """The form, and the period, filters and sort it stands for (defaults where it is bad)."""
    form = ClassFilterForm(
        request.GET or None, county_id=school_class.county_id, initial={"period": "28d"}
    )
    today = _today()
    if not request.GET or not form.is_valid():
        return form, sel.period_for(school_class=school_class, today=today), sel.Filters(), "seat"
    data = form.cleaned_data
    period = sel.period_for(
        school_class=school_class,
        today=today,
        key=data.get("period") or sel.DEFAULT_PERIOD,
        start=data.get("start"),
        end=data.get("end"),
    )
    platform = data.get("platform")
    filters = sel.Filters(
        platform_id=int(platform) if platform not in (None, "") else None,
        subject=data.get("subject") or None,
    )
    return form, period, filters, data.get("sort") or "seat"


def _query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, Any]]:
    """Per column: the link that sorts by it, its aria-sort state, whether it is the sort."""
    base = _query(request, "sort", "page")
    links: dict[str, dict[str, Any]] = {}
    for key in sel.SORT_KEYS:
        if current == key:
            target, state = "-" + key, "ascending"
        elif current == "-" + key:
            target, state = key, "descending"
        else:
            target = key if key in ASCENDING_FIRST else "-" + key
            state = "none"
        links[key] = {
            "key": key,
            "href": "?" + (base + "&" if base else "") + "sort=" + target,
            "state": state,
            "sorted": state != "none",
        }
    return links


def column_labels() -> dict[str, str]:
    return {
        "active_days": _("Active days"),
        "minutes": _("Minutes"),
        "events": _("Records"),
        "completions": _("Completions"),
        "correct_rate": _("Correct rate"),
        "mean_score": _("Mean score"),
        "last_active": _("Last active"),
    }


def flag_labels() -> dict[str, str]:
    return {
        "gone_quiet": _("Gone quiet"),
        "low_activity": _("Low activity"),
        "struggling": _("Struggling"),
    }


def flag_help(period: sel.Period) -> dict[str, str]:
    return {
        "gone_quiet": _(
            "Had learning records in the %(before)d days from %(b_start)s to %(b_end)s but none "
            "in the last %(recent)d days of the period, %(r_start)s to %(r_end)s."
        )
        % {
            "before": sel.QUIET_BEFORE_DAYS,
            "b_start": period.quiet_before_start.isoformat(),
            "b_end": period.quiet_before_end.isoformat(),
            "recent": sel.RECENT_DAYS,
            "r_start": period.recent_start.isoformat(),
            "r_end": period.end.isoformat(),
        },
        "low_activity": _(
            "Minutes in the period below a quarter of the class median (when the median is "
            "above zero)."
        ),
        "struggling": _(
            "Correct rate below %(rate)d%% over at least %(n)d answered questions in the period."
        )
        % {"rate": int(sel.STRUGGLING_RATE), "n": sel.STRUGGLING_MIN_ANSWERS},
    }


# --------------------------------------------------------------------------- pages


@login_required
@require_GET
def class_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied
    page = Paginator(sel.class_list(user=request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    lines = sel.class_lines(classes=list(page.object_list), today=_today())
    return render(
        request,
        "analytics/class_list.html",
        {
            "page": page,
            "lines": lines,
            "querystring": _query(request, "page"),
            "county_level": scope.is_county_level,
            "recent_days": sel.RECENT_DAYS,
        },
    )


@login_required
@require_GET
def class_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = _class(request, public_id)
    form, period, filters, sort = _parse(request, school_class)
    report = sel.class_report(school_class=school_class, period=period, filters=filters, sort=sort)
    query = _query(request)
    labels = flag_labels()
    links = _sort_links(request, report.sort)
    columns = [{**links[key], "label": label} for key, label in column_labels().items()]
    first_state = next((links[k]["state"] for k in ("seat", "name") if links[k]["sorted"]), "none")
    return render(
        request,
        "analytics/class_detail.html",
        {
            "c": school_class,
            "r": report,
            "form": form,
            "columns": columns,
            "seat_col": links["seat"],
            "name_col": links["name"],
            "flags_col": links["flags"],
            "first_sort_state": first_state,
            "subject_name": profile.subject_name(filters.subject, get_language() or "zh-hant")
            if filters.subject
            else "",
            "flag_labels": labels,
            "flag_help": [(labels[f], text) for f, text in flag_help(period).items()],
            "flag_counts": [(f, labels[f], report.flag_counts[f]) for f in sel.FLAGS],
            "export_query": "?" + query if query else "",
            "platform_name": _filter_platform_name(school_class, filters),
            "filtered": filters.active,
            "struggling_min": sel.STRUGGLING_MIN_ANSWERS,
        },
    )


def _filter_platform_name(school_class: SchoolClass, filters: sel.Filters) -> str:
    if filters.platform_id is None:
        return ""
    return sel.platform_names(school_class.county_id).get(filters.platform_id, "")


# --------------------------------------------------------------------------- exports


def export_headers(report: sel.ClassReport) -> list[str]:
    return [
        _("Seat"),
        pgettext("person", "Name"),
        _("Active days"),
        _("Minutes"),
        _("Records"),
        _("Completions"),
        _("Answered"),
        _("Correct rate (%)"),
        _("Mean score (%)"),
        _("Last active"),
        *[_("Minutes, week of %(day)s") % {"day": w.isoformat()} for w in report.weeks],
        _("Flags"),
    ]


def export_rows(report: sel.ClassReport) -> list[list[Any]]:
    labels = flag_labels()
    out = []
    for r in report.rows:
        s = r.sums
        out.append(
            [
                r.seat,
                r.name,
                s.active_days,
                s.minutes,
                s.events,
                s.completions,
                s.answered,
                s.correct_rate,
                s.mean_score,
                r.last_active,
                *r.weekly,
                "; ".join(labels[f] for f in r.flags) if r.has_data else _("No records"),
            ]
        )
    return out


def export_title(report: sel.ClassReport) -> list[str]:
    c = report.school_class
    p = report.period
    lines = [
        f"{c.school.name} {c} ({c.term})",
        _("Period: %(start)s to %(end)s")
        % {"start": p.start.isoformat(), "end": p.end.isoformat()},
    ]
    f = report.filters
    if f.platform_id is not None:
        name = sel.platform_names(c.county_id).get(f.platform_id, str(f.platform_id))
        lines.append(_("Platform: %(name)s") % {"name": name})
    if f.subject is not None:
        lines.append(
            _("Subject: %(name)s")
            % {"name": profile.subject_name(f.subject, get_language() or "zh-hant")}
        )
    return lines


def filename(*parts: str) -> str:
    name = "-".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "export"


def render_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens Chinese text), no formula injection."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                "" if v is None else v.isoformat() if isinstance(v, dt.date) else csv_safe(v)
                for v in row
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(title: list[str], headers: list[str], rows: list[list[Any]], sheet: str) -> bytes:
    """One sheet: title lines, a blank row, the table (frozen header, filter); text stays text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    for i, line in enumerate(title, start=1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.data_type = "s"
        if i == 1:
            cell.font = Font(bold=True, size=14)
    first = len(title) + 2
    fill = PatternFill("solid", fgColor="E8EEF4")
    for col, h in enumerate(headers, start=1):
        cell = ws.cell(row=first, column=col, value=h)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = fill
    for r, values in enumerate(rows, start=first + 1):
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
            elif isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=first + 1, column=3 if len(headers) > 2 else 1)
    if rows:
        ws.auto_filter.ref = f"A{first}:{get_column_letter(len(headers))}{first + len(rows)}"
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16 if col == 2 else 11
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _export(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    school_class = _class(request, public_id)
    form, period, filters, sort = _parse(request, school_class)
    if request.GET and not form.is_valid():
        problems = "; ".join(
            f"{(form.fields[name].label if name in form.fields else None) or name}: "
            + " ".join(errs)
            for name, errs in form.errors.items()
        )
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    report = sel.class_report(school_class=school_class, period=period, filters=filters, sort=sort)
    headers, rows = export_headers(report), export_rows(report)
    base = filename(
        school_class.school.name,
        str(school_class),
        period.start.isoformat(),
        period.end.isoformat(),
    )
    if fmt == "csv":
        body, content_type = render_csv(headers, rows), CSV
    else:
        body = render_xlsx(export_title(report), headers, rows, _("Students"))
        content_type = XLSX
    audit_record(
        actor=request.user,
        action="analytics.class_export",
        obj=school_class,
        request=request,
        detail={
            "format": fmt,
            "rows": len(rows),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
    )
    return download(body, content_type, f"{base}.{fmt}")


@never_cache
@login_required
@require_GET
def class_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "csv")


@never_cache
@login_required
@require_GET
def class_export_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "xlsx")
