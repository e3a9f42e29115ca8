"""Pages of needs collections and procurement plans (L3.D1, L3.A3, S1.D2; journey 8).

- /devices/procurement/needs/…: the county office makes, opens and closes collections, follows
  every school's answer and exports them; a school's administrators fill their school's
  submission (the facts from the register beside it) and submit it; the county may return it.
- /devices/procurement/plans/…: the county office makes a plan (consolidated from a collection
  or from scratch), edits lines and allocations, approves and orders it; the county or the
  receiving school records arrivals, which enter the register.

Teachers, students and parents: 403. Another county's (or school's) object: 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, XLSX, download, filename, render_csv, render_xlsx
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.devices import procurement_selectors as sel
from dtss.devices import procurement_services as svc
from dtss.devices.models import NeedLine, NeedsCollection, ProcurementPlan
from dtss.devices.procurement_forms import (
    CollectionForm,
    NeedLineForm,
    PlanForm,
    PlanLineForm,
    ReceiveForm,
    ReturnForm,
)
from dtss.orgs.models import County, School


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for e in errors:
            messages.error(request, e)


def _county_for_create(request: HttpRequest) -> County:
    scope = sel.require_user(request.user)
    if not sel.is_county_office(scope):
        raise PermissionDenied(_("Only the county office may do this."))
    if scope.superuser and not scope.county_ids:
        county = County.objects.filter(code=request.GET.get("county", "")).first()
        if county is None:
            county = County.objects.order_by("code").first()
        if county is None:
            raise PermissionDenied
        return county
    return County.objects.get(pk=min(scope.county_ids))


# --------------------------------------------------------------------------- collections


@login_required
@require_GET
def needs_list(request: HttpRequest) -> HttpResponse:
    scope = sel.require_user(request.user)
    qs = sel.collections_for(request.user)
    status = request.GET.get("status", "")
    if status in NeedsCollection.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "devices/procurement/needs_list.html",
        {
            "page": page,
            "county_office": sel.is_county_office(scope),
            "status": status,
            "statuses": NeedsCollection.Status.choices,
            "querystring": urlencode({"status": status}) if status else "",
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def needs_create(request: HttpRequest) -> HttpResponse:
    county = _county_for_create(request)
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = svc.collection_create(
                county=county, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The needs collection was saved as a draft."))
            return redirect("devices:needs_detail", public_id=collection.public_id)
    return render(
        request, "devices/procurement/needs_form.html", {"form": form, "collection": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def needs_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collection = sel.collection_or_404(request.user, public_id)
    sel.require_county(request.user, collection.county_id)
    initial = {n: getattr(collection, n) for n in svc.COLLECTION_FIELDS}
    form = CollectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.collection_update(
                collection=collection, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The needs collection was saved."))
            return redirect("devices:needs_detail", public_id=collection.public_id)
    return render(
        request, "devices/procurement/needs_form.html", {"form": form, "collection": collection}
    )


def _collection_action(request: HttpRequest, public_id: UUID, action: Any, done: str) -> Any:
    collection = sel.collection_or_404(request.user, public_id)
    sel.require_county(request.user, collection.county_id)
    try:
        action(collection=collection, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("devices:needs_detail", public_id=collection.public_id)


@login_required
@require_POST
def needs_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _collection_action(
        request, public_id, svc.collection_open, _("The collection is open: schools see it now.")
    )


@login_required
@require_POST
def needs_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _collection_action(
        request, public_id, svc.collection_close, _("The collection is closed.")
    )


@login_required
@require_GET
def needs_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collection = sel.collection_or_404(request.user, public_id)
    scope = scope_for(request.user)
    if not (sel.is_county_office(scope) or scope.everything):
        # a school administrator goes straight to the school's own answer
        return redirect("devices:need_submission", public_id=collection.public_id)
    overview = sel.collection_overview(collection=collection)
    rows = overview.rows
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if status:
        rows = [r for r in rows if r.status == status]
    if q:
        rows = [r for r in rows if q.lower() in r.school.name.lower() or q in r.school.code]
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    labels = sel.status_labels()
    may_manage = sel.access.may_manage_county(scope, county_id=collection.county_id)
    return render(
        request,
        "devices/procurement/needs_detail.html",
        {
            "c": collection,
            "overview": overview,
            "page": page,
            "labels": labels,
            "status_counts": [(k, v, overview.counts.get(k, 0)) for k, v in labels.items()],
            "status": status,
            "q": q,
            "querystring": urlencode({k: v for k, v in {"status": status, "q": q}.items() if v}),
            "may_manage": may_manage,
            "return_form": ReturnForm(),
            "kind_labels": dict(overview.kinds),
            "plans": collection.plans.all() if may_manage else [],
        },
    )


EXPORT_HEADERS = (
    "School code",
    "School",
    "Status",
    "Item",
    "Description",
    "Quantity",
    "Estimated unit cost (NT$)",
    "Estimated budget (NT$)",
    "Priority",
    "Justification",
)


def _needs_export(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    collection = sel.collection_or_404(request.user, public_id)
    scope = scope_for(request.user)
    if not (sel.is_county_office(scope) or scope.everything):
        raise PermissionDenied(_("Only the county office exports every school's needs."))
    labels = sel.status_labels()
    rows = [
        [
            line.school.code,
            line.school.name,
            labels.get(line.submission.status, line.submission.status),
            line.get_kind_display(),
            line.description,
            line.quantity,
            int(line.unit_cost) if line.unit_cost is not None else None,
            sel.line_budget(line),
            line.get_priority_display(),
            line.justification,
        ]
        for line in sel.export_lines(collection=collection)
    ]
    headers = [_(h) for h in EXPORT_HEADERS]
    base = filename(collection.title, _("needs"), timezone.localdate().isoformat())
    if fmt == "csv":
        body, content_type = render_csv(headers, rows), CSV
    else:
        title = [
            collection.title,
            _("%(opens)s to %(closes)s · %(status)s")
            % {
                "opens": collection.opens_on,
                "closes": collection.closes_on,
                "status": collection.get_status_display(),
            },
        ]
        body, content_type = render_xlsx(title, headers, rows, _("Needs")), XLSX
    audit_record(
        actor=request.user,
        action="needs.export",
        obj=collection,
        request=request,
        detail={"format": fmt, "rows": len(rows)},
    )
    return download(body, content_type, f"{base}.{fmt}")


@never_cache
@login_required
@require_GET
def needs_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _needs_export(request, public_id, "csv")


@never_cache
@login_required
@require_GET
def needs_export_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _needs_export(request, public_id, "xlsx")


# --------------------------------------------------------------------------- one school's needs


def _submission_url(collection: NeedsCollection, school: School) -> str:
    url = reverse("devices:need_submission", args=[collection.public_id])
    return f"{url}?{urlencode({'school': school.public_id})}"


@login_required
@require_http_methods(["GET", "POST"])
def need_submission(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collection = sel.collection_or_404(request.user, public_id)
    scope = scope_for(request.user)
    school = sel.school_for_submission(request.user, collection, request.GET.get("school", ""))
    submission = sel.submission_of(collection, school)
    today = timezone.localdate()
    fills = sel.may_fill(scope, school)
    editable = (
        fills
        and sel.is_accepting(collection, today)
        and (submission is None or submission.status in svc.EDITABLE_SUBMISSION)
    )
    kinds = sel.kinds_of(collection)
    form = NeedLineForm(kinds=kinds)
    if request.method == "POST":
        if not fills:
            raise PermissionDenied(_("Only the school's administrators fill its needs."))
        form = NeedLineForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                sub = svc.submission_get_or_create(
                    collection=collection, school=school, actor=request.user, request=request
                )
                svc.need_line_add(
                    submission=sub, actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("The need was added."))
                return redirect(_submission_url(collection, school))
    lines = list(submission.lines.all()) if submission else []
    others = (
        list(sel.schools_filled_by(request.user, collection).exclude(pk=school.pk)) if fills else []
    )
    return render(
        request,
        "devices/procurement/submission.html",
        {
            "c": collection,
            "school": school,
            "submission": submission,
            "status_label": sel.status_labels()[
                submission.status if submission else sel.STATUS_NOT_STARTED
            ],
            "lines": [(line, sel.line_budget(line)) for line in lines],
            "total_quantity": sum(line.quantity for line in lines),
            "total_budget": sum(sel.line_budget(line) or 0 for line in lines),
            "facts": sel.school_facts(school=school, today=today),
            "form": form,
            "fills": fills,
            "editable": editable,
            "accepting": sel.is_accepting(collection, today),
            "county_office": sel.access.may_manage_county(scope, county_id=collection.county_id),
            "return_form": ReturnForm(),
            "other_schools": others,
        },
    )


def _own_line(request: HttpRequest, public_id: UUID) -> NeedLine:
    line = sel.line_or_404(request.user, public_id)
    if not sel.may_fill(scope_for(request.user), line.school):
        raise PermissionDenied(_("Only the school's administrators fill its needs."))
    return line


@login_required
@require_http_methods(["GET", "POST"])
def need_line_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    line = _own_line(request, public_id)
    collection = line.submission.collection
    kinds = sel.kinds_of(collection)
    if line.kind not in dict(kinds):
        kinds = [*kinds, (line.kind, line.get_kind_display())]
    initial = {n: getattr(line, n) for n in svc.NEED_FIELDS}
    form = NeedLineForm(request.POST or None, kinds=kinds, initial=initial)
    back = _submission_url(collection, line.school)
    if request.method == "POST" and form.is_valid():
        try:
            svc.need_line_update(
                line=line, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The need was saved."))
            return redirect(back)
    return render(
        request,
        "devices/procurement/need_line_form.html",
        {"form": form, "line": line, "c": collection, "back": back},
    )


@login_required
@require_POST
def need_line_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    line = _own_line(request, public_id)
    back = _submission_url(line.submission.collection, line.school)
    try:
        svc.need_line_delete(line=line, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The need was deleted."))
    return redirect(back)


@login_required
@require_POST
def need_submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    submission = sel.submission_or_404(request.user, public_id)
    if not sel.may_fill(scope_for(request.user), submission.school):
        raise PermissionDenied(_("Only the school's administrators submit its needs."))
    try:
        svc.submission_submit(submission=submission, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The needs were submitted to the county."))
    return redirect(_submission_url(submission.collection, submission.school))


@login_required
@require_POST
def need_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    submission = sel.submission_or_404(request.user, public_id)
    sel.require_county(request.user, submission.county_id)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"comment": _("Tell the school what to change.")})
        svc.submission_return(
            submission=submission,
            comment=form.cleaned_data["comment"],
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("The needs of %(school)s were returned for changes.")
            % {"school": submission.school.name},
        )
    if request.POST.get("next") == "submission":
        return redirect(_submission_url(submission.collection, submission.school))
    return redirect("devices:needs_detail", public_id=submission.collection.public_id)


# --------------------------------------------------------------------------- plans


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    scope = sel.require_user(request.user)
    qs = sel.plans_for(request.user)
    status = request.GET.get("status", "")
    if status in ProcurementPlan.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "devices/procurement/plan_list.html",
        {
            "page": page,
            "county_office": sel.is_county_office(scope),
            "status": status,
            "statuses": ProcurementPlan.Status.choices,
            "querystring": urlencode({"status": status}) if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    county = _county_for_create(request)
    collections = sel.collections_for_plan(request.user).filter(county=county)
    initial = {}
    ref = request.GET.get("collection")
    if ref:
        found = collections.filter(public_id=ref).first() if _is_uuid(ref) else None
        if found is not None:
            initial = {"collection": found, "title": found.title}
    form = PlanForm(request.POST or None, collections=collections, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.plan_create(
                county=county, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The plan was saved as a draft."))
            return redirect("devices:plan_detail", public_id=plan.public_id)
    return render(request, "devices/procurement/plan_form.html", {"form": form, "plan": None})


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    initial = {n: getattr(plan, n) for n in svc.PLAN_FIELDS}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.plan_update(plan=plan, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("devices:plan_detail", public_id=plan.public_id)
    return render(request, "devices/procurement/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_GET
def plan_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    plan = sel.plan_or_404(request.user, public_id)
    scope = scope_for(request.user)
    summary = sel.plan_summary(plan=plan, user=request.user)
    may_manage = sel.access.may_manage_county(scope, county_id=plan.county_id)
    receiving = plan.status in (ProcurementPlan.Status.APPROVED, ProcurementPlan.Status.ORDERED)
    return render(
        request,
        "devices/procurement/plan_detail.html",
        {
            "plan": plan,
            "s": summary,
            "may_manage": may_manage,
            "draft": plan.status == ProcurementPlan.Status.DRAFT,
            "receiving": receiving,
        },
    )


def _schools_of(county_id: int) -> list[School]:
    return list(School.objects.filter(county_id=county_id, active=True).order_by("code"))


def _line_form_page(
    request: HttpRequest, plan: ProcurementPlan, form: PlanLineForm, line: Any
) -> HttpResponse:
    return render(
        request,
        "devices/procurement/plan_line_form.html",
        {"form": form, "plan": plan, "line": line},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_line_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    form = PlanLineForm(request.POST or None, schools=_schools_of(plan.county_id), allocated={})
    if request.method == "POST" and form.is_valid():
        try:
            svc.plan_line_add(
                plan=plan,
                allocations=form.allocations(),
                actor=request.user,
                request=request,
                **form.values(),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The line was added."))
            return redirect("devices:plan_detail", public_id=plan.public_id)
    return _line_form_page(request, plan, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def plan_line_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    line = sel.plan_line_or_404(request.user, public_id)
    plan = line.plan
    sel.require_county(request.user, plan.county_id)
    allocated = {a.school_id: a.quantity for a in line.allocations.all()}
    schools = _schools_of(plan.county_id)
    extra = [s for s in School.objects.filter(pk__in=allocated) if s not in schools]
    initial = {n: getattr(line, n) for n in svc.LINE_FIELDS}
    form = PlanLineForm(
        request.POST or None, schools=schools + extra, allocated=allocated, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.plan_line_update(
                line=line,
                allocations=form.allocations(),
                actor=request.user,
                request=request,
                **form.values(),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The line was saved."))
            return redirect("devices:plan_detail", public_id=plan.public_id)
    return _line_form_page(request, plan, form, line)


@login_required
@require_POST
def plan_line_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    line = sel.plan_line_or_404(request.user, public_id)
    plan = line.plan
    sel.require_county(request.user, plan.county_id)
    try:
        svc.plan_line_delete(line=line, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The line was deleted."))
    return redirect("devices:plan_detail", public_id=plan.public_id)


def _plan_action(request: HttpRequest, public_id: UUID, action: Any, done: str) -> HttpResponse:
    plan = sel.plan_or_404(request.user, public_id)
    sel.require_county(request.user, plan.county_id)
    try:
        action(plan=plan, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("devices:plan_detail", public_id=plan.public_id)


@login_required
@require_POST
def plan_approve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _plan_action(
        request, public_id, svc.plan_approve, _("The plan is approved; it can no longer change.")
    )


@login_required
@require_POST
def plan_ordered(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _plan_action(request, public_id, svc.plan_mark_ordered, _("The plan is ordered."))


@never_cache
@login_required
@require_GET
def plan_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    plan = sel.plan_or_404(request.user, public_id)
    summary = sel.plan_summary(plan=plan, user=request.user)
    headers = [
        _("School code"),
        _("School"),
        _("Item"),
        _("Specification"),
        _("Funding source"),
        _("Programme"),
        _("Unit cost (NT$)"),
        _("Allocated"),
        _("Received"),
        _("Budget (NT$)"),
    ]
    rows = [
        [
            a.school.code,
            a.school.name,
            a.line.get_kind_display(),
            a.line.description,
            a.line.get_funding_source_display(),
            a.line.programme,
            int(a.line.unit_cost),
            a.quantity,
            a.received,
            int(a.quantity * a.line.unit_cost),
        ]
        for row in summary.schools
        for a in row.allocations
    ]
    audit_record(
        actor=request.user,
        action="procurement.export",
        obj=plan,
        request=request,
        detail={"rows": len(rows)},
    )
    name = filename(plan.title, _("allocations"), timezone.localdate().isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")


@login_required
@require_http_methods(["GET", "POST"])
def plan_receive(request: HttpRequest, public_id: UUID) -> HttpResponse:
    allocation = sel.allocation_or_404(request.user, public_id)
    scope = scope_for(request.user)
    if not sel.may_receive(scope, allocation):
        raise PermissionDenied(_("Only the county office or the school records arrivals."))
    plan = allocation.line.plan
    form = ReceiveForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            items = (
                svc.parse_csv(upload.read())
                if upload
                else svc.parse_paste(form.cleaned_data["serials"])
            )
            devices = svc.allocation_receive(
                allocation=allocation,
                items=items,
                received_on=form.cleaned_data["received_on"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name in ("received_on", "file"):
                    form.add_error(name, errors)
                else:
                    problems += errors
        else:
            messages.success(
                request,
                _("%(n)s devices entered the register of %(school)s.")
                % {"n": len(devices), "school": allocation.school.name},
            )
            return redirect("devices:plan_detail", public_id=plan.public_id)
    return render(
        request,
        "devices/procurement/receive.html",
        {
            "a": allocation,
            "plan": plan,
            "form": form,
            "problems": problems,
            "open": plan.status
            in (ProcurementPlan.Status.APPROVED, ProcurementPlan.Status.ORDERED),
            "due": allocation.quantity - allocation.received,
            "received_devices": allocation.line.devices.filter(school=allocation.school).order_by(
                "-created_at", "-id"
            )[:50],
        },
    )
