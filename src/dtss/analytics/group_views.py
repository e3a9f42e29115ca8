"""Pages of the learner-group register under /analytics/groups/.

County administrators keep their county's register (list with names, add, end, remove, import
and export); county staff and the MOE viewer see the counts and pseudonymous rows; everyone
else gets a 403, and another county's register or membership is a 404. Every list view is
audited: membership of a disadvantaged group is sensitive data.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dtss.analytics import group_selectors as sel
from dtss.analytics import group_services as services
from dtss.analytics.identity_selectors import people_search, person_in_county, placements
from dtss.analytics.identity_services import MAX_IMPORT_ROWS, ImportRejected, Problem
from dtss.analytics.identity_views import csv_response, query_without, xlsx_response
from dtss.analytics.models import LearnerGroup
from dtss.core.services import audit_record
from dtss.orgs.models import County


def _list_url(county: County) -> str:
    return f"{reverse('analytics:groups')}?county={county.code}"


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    county = sel.group_county(request.user, request.GET.get("county", "").strip())
    counties = list(sel.group_counties(request.user))
    today = timezone.localdate()
    names = sel.may_manage(request.user, county)
    kind = request.GET.get("kind", "")
    kind = kind if kind in LearnerGroup.Kind.values else ""
    status = request.GET.get("status", "current")
    status = status if status in sel.STATUSES else "current"
    query = request.GET.get("q", "").strip() if names else ""
    qs = sel.group_list(county=county, today=today, kind=kind, status=status, query=query)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = sel.group_rows(page.object_list, names=names)
    audit_record(
        actor=request.user,
        action="analytics.learner_groups_view",
        county=county,
        request=request,
        detail={
            "kind": kind,
            "status": status,
            "page": page.number,
            "rows": len(rows),
            "names": names,
        },
    )
    return render(
        request,
        "analytics/group_list.html",
        {
            "county": county,
            "counties": counties if len(counties) > 1 else None,
            "counts": sel.group_counts(county=county, today=today),
            "kinds": LearnerGroup.Kind.choices,
            "kind": kind,
            "status": status,
            "statuses": [
                ("current", _("Members now")),
                ("upcoming", _("Starting later")),
                ("ended", _("Ended")),
                ("all", _("All")),
            ],
            "q": query,
            "page": page,
            "rows": rows,
            "manage": names,
            "today": today,
            "querystring": query_without(request),
            "export_query": query_without(request, "q", "county"),
        },
    )


@login_required
@require_GET
def group_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register with names, for its keepers (county administrators) only; audited."""
    county = sel.group_county(request.user, request.GET.get("county", "").strip())
    if not sel.may_manage(request.user, county):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    kind = kind if kind in LearnerGroup.Kind.values else ""
    status = request.GET.get("status", "all")
    status = status if status in sel.STATUSES else "all"
    audit_record(
        actor=request.user,
        action="analytics.learner_groups_export",
        county=county,
        request=request,
        detail={"format": fmt, "kind": kind, "status": status},
    )
    rows = sel.group_export_rows(
        county=county, today=timezone.localdate(), kind=kind, status=status
    )
    name = f"learner-groups-{county.code}"
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", _("Learner groups"), sel.EXPORT_HEADERS, rows)
    return csv_response(f"{name}.csv", sel.EXPORT_HEADERS, rows)


def _admin_county(request: HttpRequest) -> County:
    code = (request.POST.get("county") or request.GET.get("county") or "").strip()
    county = sel.group_county(request.user, code)
    if not sel.may_manage(request.user, county):
        raise PermissionDenied
    return county


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Group"), choices=LearnerGroup.Kind.choices)
    start_date = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty while the student is still in the group."),
    )


@login_required
def group_add(request: HttpRequest) -> HttpResponse:
    county = _admin_county(request)
    person_id = request.POST.get("person") or request.GET.get("person")
    person = person_in_county(county=county, public_id=person_id) if person_id else None
    query = request.GET.get("q", "").strip()
    people = [] if person else people_search(county=county, query=query, students_only=True)
    where = placements([p.pk for p in people] + ([person.pk] if person else []))
    if request.method == "POST" and person is not None:
        form = GroupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.learner_group_add(
                    actor=request.user,
                    county=county,
                    person=person,
                    kind=data["kind"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    request=request,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to %(group)s.")
                    % {
                        "name": person.name,
                        "group": LearnerGroup.Kind(data["kind"]).label,
                    },
                )
                return redirect(_list_url(county))
    else:
        initial = {"start_date": timezone.localdate()}
        if request.GET.get("kind") in LearnerGroup.Kind.values:
            initial["kind"] = request.GET["kind"]
        form = GroupForm(initial=initial)
    return render(
        request,
        "analytics/group_add.html",
        {
            "county": county,
            "person": person,
            "person_places": where.get(person.pk, []) if person else [],
            "q": query,
            "people": [(p, where.get(p.pk, [])) for p in people],
            "form": form,
        },
    )


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class EndForm(forms.Form):
    end_date = forms.DateField(
        label=gettext_lazy("Last day in the group"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@login_required
def group_end(request: HttpRequest, public_id: str) -> HttpResponse:
    group = sel.group_or_404(request.user, public_id)
    if request.method == "POST":
        form = EndForm(request.POST)
        if form.is_valid():
            try:
                services.learner_group_end(
                    actor=request.user,
                    group=group,
                    end_date=form.cleaned_data["end_date"],
                    request=request,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The membership was ended."))
                return redirect(_list_url(group.county))
    else:
        form = EndForm(initial={"end_date": group.end_date or timezone.localdate()})
    return render(
        request, "analytics/group_end.html", {"group": group, "form": form, "remove": False}
    )


@login_required
def group_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    group = sel.group_or_404(request.user, public_id)
    if request.method == "POST":
        county = group.county
        services.learner_group_remove(actor=request.user, group=group, request=request)
        messages.success(request, _("The membership was removed."))
        return redirect(_list_url(county))
    return render(request, "analytics/group_end.html", {"group": group, "remove": True})


class GroupImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Big5) or XLSX, at most 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


@login_required
def group_import(request: HttpRequest) -> HttpResponse:
    county = _admin_county(request)
    problems: list[Problem] = []
    result = None
    if request.method == "POST":
        form = GroupImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.learner_groups_import(
                    actor=request.user,
                    county=county,
                    filename=upload.name,
                    content=upload.read(),
                    request=request,
                )
            except ImportRejected as exc:
                problems = exc.problems
    else:
        form = GroupImportForm()
    kinds = [
        (code, label, ", ".join(services.KIND_NAMES.get(code, ())))
        for code, label in LearnerGroup.Kind.choices
    ]
    return render(
        request,
        "analytics/group_import.html",
        {
            "county": county,
            "form": form,
            "problems": problems,
            "result": result,
            "kinds": kinds,
            "max_rows": MAX_IMPORT_ROWS,
        },
    )
