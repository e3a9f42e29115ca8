"""Pages of the statement actors under /analytics/actors/: who the records belong to.

County administrators list their county's actors, map an unresolved one to a person (or
undo it), map many from a file, and run the automatic resolution again; county staff and the
MOE viewer read the same lists; school roles, students and parents get a 403; another county's
actor or county is a 404.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from dtss.analytics import identity_selectors as sel
from dtss.analytics import identity_services as services
from dtss.analytics.models import ActorLink, Platform
from dtss.core.services import audit_record
from dtss.orgs.models import County

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- exports (shared)


def cell_safe(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, headers: Iterable[str], rows: Iterable[list]) -> HttpResponse:
    """A streamed UTF-8 CSV with a byte-order mark (Excel opens Chinese text correctly)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([cell_safe(h) for h in headers])
        for row in rows:
            yield writer.writerow([cell_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    filename: str, title: str, headers: Iterable[str], rows: Iterable[list]
) -> HttpResponse:
    """One sheet: a bold, frozen header row and the rows (write-only: memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        sheet.append([cell_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


# --------------------------------------------------------------------------- list


def _platform_filter(value: str, platforms: dict[int, str]) -> int | None:
    """The platform id chosen in the filter (0: none registered), None for all or nonsense."""
    try:
        pid = int(value)
    except (TypeError, ValueError):
        return None
    return pid if pid == 0 or pid in platforms else None


def _county_choice(request: HttpRequest) -> tuple[County, list[County] | None]:
    county = sel.identity_county(request.user, request.GET.get("county", "").strip())
    counties = list(sel.identity_counties(request.user))
    return county, counties if len(counties) > 1 else None


@login_required
@require_GET
def actor_list(request: HttpRequest) -> HttpResponse:
    county, counties = _county_choice(request)
    platforms = sel.platform_names(county)
    status = request.GET.get("status", "unresolved")
    status = status if status in sel.STATUSES else "unresolved"
    platform_id = _platform_filter(request.GET.get("platform", ""), platforms)
    query = request.GET.get("q", "").strip()
    order = request.GET.get("order", "records")
    order = order if order in sel.ORDERS else "records"
    qs = sel.actor_list(
        county=county, status=status, platform_id=platform_id, query=query, order=order
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(link, platforms.get(link.platform_id, "")) for link in page.object_list]
    return render(
        request,
        "analytics/actor_list.html",
        {
            "county": county,
            "counties": counties,
            "counts": sel.actor_counts(county=county),
            "platforms": sorted(platforms.items(), key=lambda item: item[1]),
            "status": status,
            "platform_id": platform_id,
            "q": query,
            "order": order,
            "orders": [
                ("records", _("Most records")),
                ("last_seen", _("Last seen")),
                ("first_seen", _("First seen")),
                ("label", _("Account")),
            ],
            "page": page,
            "rows": rows,
            "manage": sel.may_map(request.user, county),
            "querystring": query_without(request),
            "export_query": query_without(request, "status", "order", "q", "county"),
        },
    )


@login_required
@require_GET
def actor_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The unresolved actors of the county as CSV or XLSX, with an empty external_id column to
    fill in and upload again (the mapping import)."""
    county = sel.identity_county(request.user, request.GET.get("county", "").strip())
    platform_id = _platform_filter(request.GET.get("platform", ""), sel.platform_names(county))
    audit_record(
        actor=request.user,
        action="analytics.actors_export",
        county=county,
        request=request,
        detail={"format": fmt, "platform_id": platform_id},
    )
    rows = sel.unresolved_export_rows(county=county, platform_id=platform_id)
    name = f"unresolved-actors-{county.code}"
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", _("Unresolved actors"), sel.EXPORT_HEADERS, rows)
    return csv_response(f"{name}.csv", sel.EXPORT_HEADERS, rows)


# --------------------------------------------------------------------------- one actor


@login_required
@require_GET
def actor_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    link = sel.actor_or_404(request.user, public_id)
    manage = sel.may_map(request.user, link.county)
    query = request.GET.get("q", "").strip() if manage else ""
    people = sel.people_search(county=link.county, query=query) if query else []
    where = sel.placements([p.pk for p in people] + ([link.person_id] if link.person_id else []))
    home, name = sel.account_parts(link.actor_key)
    return render(
        request,
        "analytics/actor_detail.html",
        {
            "link": link,
            "home_page": home,
            "account_name": name,
            "platform": Platform.objects.filter(county=link.county, pk=link.platform_id).first(),
            "manage": manage,
            "q": query,
            "people": [(p, where.get(p.pk, [])) for p in people],
            "search_limit": sel.SEARCH_LIMIT,
            "person_places": where.get(link.person_id, []) if link.person_id else [],
        },
    )


def _writable_actor(request: HttpRequest, public_id: str) -> ActorLink:
    """The actor, for a change: 404 outside the user's counties, 403 when they only read."""
    link = sel.actor_or_404(request.user, public_id)
    if not sel.may_map(request.user, link.county):
        raise PermissionDenied
    return link


@login_required
def actor_map_view(request: HttpRequest, public_id: str) -> HttpResponse:
    link = _writable_actor(request, public_id)
    person = sel.person_in_county(
        county=link.county, public_id=request.POST.get("person") or request.GET.get("person")
    )
    if request.method == "POST":
        try:
            services.actor_map(actor=request.user, link=link, person=person, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(actor)s is now %(person)s; their records were moved to them.")
                % {"actor": link.label, "person": person.name},
            )
            return redirect("analytics:actor_detail", public_id=link.public_id)
    return render(
        request,
        "analytics/actor_map.html",
        {"link": link, "person": person, "places": sel.placements([person.pk]).get(person.pk)},
    )


@login_required
def actor_unmap_view(request: HttpRequest, public_id: str) -> HttpResponse:
    link = _writable_actor(request, public_id)
    if request.method == "POST":
        if link.person_id:
            services.actor_unmap(actor=request.user, link=link, request=request)
            messages.success(
                request,
                _("%(actor)s is unresolved again; its records belong to nobody until mapped.")
                % {"actor": link.label},
            )
        return redirect("analytics:actor_detail", public_id=link.public_id)
    return render(request, "analytics/actor_unmap.html", {"link": link})


# --------------------------------------------------------------------------- many actors


def _admin_county(request: HttpRequest) -> County:
    code = (request.POST.get("county") or request.GET.get("county") or "").strip()
    county = sel.identity_county(request.user, code)
    if not sel.may_map(request.user, county):
        raise PermissionDenied
    return county


class ActorImportForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=gettext_lazy("Platform"),
        queryset=Platform.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any platform"),
        help_text=gettext_lazy("Only the actors of this platform are matched."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Big5) or XLSX, at most 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(county=county)  # type: ignore[attr-defined]


@login_required
def actor_import(request: HttpRequest) -> HttpResponse:
    county = _admin_county(request)
    problems: list[services.Problem] = []
    result = None
    if request.method == "POST":
        form = ActorImportForm(request.POST, request.FILES, county=county)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.actors_import(
                    actor=request.user,
                    county=county,
                    filename=upload.name,
                    content=upload.read(),
                    platform=form.cleaned_data["platform"],
                    request=request,
                )
            except services.ImportRejected as exc:
                problems = exc.problems
    else:
        form = ActorImportForm(county=county)
    return render(
        request,
        "analytics/actor_import.html",
        {
            "county": county,
            "form": form,
            "problems": problems,
            "result": result,
            "max_rows": services.MAX_IMPORT_ROWS,
        },
    )


@login_required
@require_POST
def actor_resolve(request: HttpRequest) -> HttpResponse:
    county = _admin_county(request)
    platform_id = _platform_filter(request.POST.get("platform", ""), sel.platform_names(county))
    result = services.actors_resolve(
        actor=request.user, county=county, platform_id=platform_id, request=request
    )
    messages.success(
        request,
        _(
            "Automatic resolution checked %(checked)s unresolved actors: %(resolved)s now "
            "belong to a person."
        )
        % {"checked": result.checked, "resolved": result.resolved},
    )
    return redirect(f"{reverse('analytics:actors')}?county={county.code}")
