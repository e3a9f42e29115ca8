"""Pages of the review (S1.A1, L3.A1): a school's periodic review, the county's table of
schools, and QR stocktakes.

Who: school staff (teachers too) and county staff read (`review_selectors.may_read_review`;
others 403); another school's or county's objects are 404. The school's managers
(`access.may_manage_school`: its administrators and the county's office) start, scan and close
stocktakes; a reader who may not gets 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import download, filename, render_csv
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices import review_selectors as sel
from dtss.devices import review_services as svc
from dtss.devices.models import Device, Stocktake, StocktakeScan
from dtss.orgs.models import School

CSV = "text/csv; charset=utf-8"

# --------------------------------------------------------------------------- helpers


def _require_reader(request: HttpRequest) -> None:
    if not sel.may_read_review(request.user):
        raise PermissionDenied


def _school_or_404(request: HttpRequest, public_id: Any) -> School:
    try:
        return sel.review_schools(request.user).get(public_id=public_id)
    except (School.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def may_manage(user: Any, school: School) -> bool:
    return access.may_manage_school(
        scope_for(user), school_id=school.pk, county_id=school.county_id
    )


def register_link(school: School, **params: str) -> str | None:
    """The register's device list filtered (None while the register has no list page)."""
    try:
        base = reverse("devices:device_list")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'school': str(school.public_id), **params})}"


class IdleForm(forms.Form):
    idle_days = forms.IntegerField(
        label=gettext_lazy("Idle after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=gettext_lazy("A device with no MDM contact for this many days counts as idle."),
    )


def _idle_days(request: HttpRequest) -> tuple[IdleForm, int]:
    form = IdleForm(request.GET or None)
    days = sel.idle_days_default()
    if request.GET and form.is_valid() and form.cleaned_data.get("idle_days"):
        days = form.cleaned_data["idle_days"]
    return form, days


def _links(r: sel.SchoolReview) -> dict[str, str | None]:
    s = r.school
    return {
        "devices": register_link(s),
        "in_repair": register_link(s, status=Device.Status.IN_REPAIR),
        "lost": register_link(s, status=Device.Status.LOST),
        "tablets": register_link(s, kind="tablet"),
    }


# --------------------------------------------------------------------------- review


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """One school's review; with no school chosen, a county user goes to the county table and
    a school user with several schools chooses."""
    _require_reader(request)
    schools = sel.review_schools(request.user)
    public_id = request.GET.get("school")
    if public_id:
        school = _school_or_404(request, public_id)
    else:
        scope = scope_for(request.user)
        if scope.county_ids or scope.superuser:
            return redirect("devices:review_county")
        own = list(schools[:2])
        if len(own) != 1:
            return render(request, "devices/review/choose.html", {"schools": schools})
        school = own[0]
    form, days = _idle_days(request)
    (r,) = sel.review_many(user=request.user, schools=[school], idle_days=days)
    return render(
        request,
        "devices/review/school.html",
        {
            "r": r,
            "school": school,
            "form": form,
            "idle_days": days,
            "links": _links(r),
            "idle_list": sel.idle_devices(user=request.user, school=school, idle_days=days)[:50],
            "unmanaged_list": sel.unmanaged_devices(user=request.user, school=school)[:50],
            "old_repairs": sel.old_repairs(user=request.user, school=school)[:50],
            "soon_days": sel.SOON_DAYS,
            "old_days": sel.OLD_REPAIR_DAYS,
            "today": timezone.localdate(),
            "may_manage": may_manage(request.user, school),
            "county_level": scope_for(request.user).is_county_level,
        },
    )


SORTS = {
    "code": lambda r: r.school.code,
    "per_student": lambda r: (r.per_student is None, r.per_student or 0),
    "repair_share": lambda r: (r.repair_share is None, -(r.repair_share or 0)),
    "idle": lambda r: -r.idle,
    "missing": lambda r: (r.last_missing is None, -(r.last_missing or 0)),
}


def county_headers() -> list[str]:
    return [
        _("School code"),
        _("School"),
        _("Students"),
        _("Student devices"),
        _("Devices per student"),
        _("In repair"),
        _("In repair (%)"),
        _("Idle"),
        _("Not managed by an MDM"),
        _("Warranty ending in 90 days"),
        _("Warranty ended"),
        _("Licences expiring in 90 days"),
        _("Seats used"),
        _("Seats"),
        _("Lost"),
        _("Repairs older than 30 days"),
        _("Last stocktake"),
        _("Missing at the last stocktake"),
    ]


def county_row(r: sel.SchoolReview) -> list[Any]:
    st = r.last_stocktake
    return [
        r.school.code,
        r.school.name_zh,
        r.students,
        r.student_devices,
        r.per_student,
        r.in_repair,
        r.repair_share,
        r.idle,
        r.not_managed,
        r.warranty_soon,
        r.warranty_ended,
        r.licences_soon,
        r.seats_used,
        r.seats_total,
        r.lost,
        r.repairs_old,
        timezone.localtime(st.closed_at).date() if st and st.closed_at else None,
        r.last_missing,
    ]


@login_required
@require_GET
def review_county(request: HttpRequest) -> HttpResponse:
    """One row per school of the user's counties; `?format=csv` downloads the whole table."""
    _require_reader(request)
    scope = scope_for(request.user)
    if not (scope.county_ids or scope.superuser):
        raise PermissionDenied
    form, days = _idle_days(request)
    schools = sel.review_schools(request.user).filter(active=True)
    q = (request.GET.get("q") or "").strip()
    if q:
        schools = schools.filter(
            Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__startswith=q)
        )
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "code"
    reviews = sel.review_many(user=request.user, schools=list(schools), idle_days=days)
    reviews.sort(key=SORTS[sort])
    if request.GET.get("format") == "csv":
        body = render_csv(county_headers(), [county_row(r) for r in reviews])
        name = filename(_("device review"), timezone.localdate().isoformat()) + ".csv"
        return download(body, CSV, name)
    page = Paginator(reviews, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in (("q", q), ("sort", sort), ("idle_days", str(days))) if v}
    return render(
        request,
        "devices/review/county.html",
        {
            "page": page,
            "rows": [(r, _links(r)) for r in page.object_list],
            "total": sel.county_totals(reviews),
            "form": form,
            "q": q,
            "sort": sort,
            "sorts": [
                ("code", _("School code")),
                ("per_student", _("Devices per student (fewest first)")),
                ("repair_share", _("Share in repair")),
                ("idle", _("Idle devices")),
                ("missing", _("Missing at the last stocktake")),
            ],
            "idle_days": days,
            "querystring": urlencode(keep),
            "csv_query": urlencode({**keep, "format": "csv"}),
        },
    )


# --------------------------------------------------------------------------- stocktakes


@login_required
@require_GET
def stocktake_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    school = None
    if request.GET.get("school"):
        school = _school_or_404(request, request.GET["school"])
    qs = sel.stocktakes_for(request.user, school=school)
    status = request.GET.get("status")
    if status in Stocktake.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in (("school", request.GET.get("school", "")), ("status", status)) if v}
    return render(
        request,
        "devices/review/stocktake_list.html",
        {
            "page": page,
            "school": school,
            "status": status or "",
            "statuses": Stocktake.Status.choices,
            "may_create": access.manages_any(request.user),
            "querystring": urlencode(keep),
        },
    )


class StocktakeForm(forms.Form):
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"), queryset=School.objects.none(), to_field_name="public_id"
    )
    location = forms.CharField(
        label=gettext_lazy("Location"),
        max_length=120,
        required=False,
        help_text=gettext_lazy(
            "Optional: count only the devices recorded at this location (a room or a cart). "
            "Leave empty to count the whole school."
        ),
    )
    title = forms.CharField(
        label=pgettext_lazy("item", "Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Optional; the date (and location) when empty."),
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


def _managed_schools(user: Any) -> Any:
    """The schools whose stocktakes the user may start (`access.may_manage_school`)."""
    scope = scope_for(user)
    schools = sel.review_schools(user)
    if scope.superuser:
        return schools
    return schools.filter(Q(pk__in=scope.admin_school_ids) | Q(county_id__in=scope.county_ids))


@login_required
@require_http_methods(["GET", "POST"])
def stocktake_create(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    schools = _managed_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    initial = {}
    if request.GET.get("school"):
        initial["school"] = schools.filter(public_id=_uuid(request.GET["school"])).first()
    form = StocktakeForm(request.POST or None, schools=schools, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = svc.stocktake_create(
                school=form.cleaned_data["school"],
                location=form.cleaned_data["location"],
                title=form.cleaned_data["title"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            return redirect("devices:stocktake_detail", stocktake.public_id)
    locations = sorted(
        {loc for s in schools[:20] for loc in sel.locations_of(s)}  # suggestions only
    )
    return render(
        request,
        "devices/review/stocktake_form.html",
        {"form": form, "locations": locations},
        status=400 if form.errors else 200,
    )


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except (ValueError, TypeError):
        return None


def _stocktake(request: HttpRequest, public_id: UUID) -> Stocktake:
    _require_reader(request)
    return get_visible_or_404(Stocktake, request.user, public_id)


def _stocktake_for_write(request: HttpRequest, public_id: UUID) -> Stocktake:
    stocktake = _stocktake(request, public_id)
    if not access.may_manage_school(
        scope_for(request.user), school_id=stocktake.school_id, county_id=stocktake.county_id
    ):
        raise PermissionDenied
    return stocktake


def reason_text(reason: str) -> str:
    return {
        "another_school": _("This device belongs to another school."),
        "county_stock": _("This device is in the county's stock."),
        "another_location": _("This device is recorded at another location."),
        "lost": _("This device was reported lost: found again?"),
        "retired": _("This device is retired."),
        "on_loan": _("This device is out on a take-home loan."),
    }.get(reason, "")


def result_text(result: str, reason: str = "") -> str:
    if result == StocktakeScan.Result.FOUND:
        return _("Found")
    if result == StocktakeScan.Result.UNKNOWN:
        return _("Not in the register")
    if result == StocktakeScan.Result.REPEAT:
        return _("Already scanned")
    return reason_text(reason) or _("Not expected here")


def _device_json(device: Device | None, *, full: bool) -> dict[str, Any] | None:
    if device is None:
        return None
    out: dict[str, Any] = {"asset_tag": device.asset_tag}
    if full:
        out.update(
            {
                "public_id": str(device.public_id),
                "model": device.model_name,
                "kind": device.get_kind_display(),
                "location": device.location,
            }
        )
    return out


def state_json(state: sel.StocktakeState) -> dict[str, Any]:
    """What the scanning page shows: the counts and the lists (a device of another school
    shows its asset tag only)."""
    school_id = state.stocktake.school_id

    def scan(s: StocktakeScan) -> dict[str, Any]:
        own = s.device is not None and s.device.school_id == school_id
        reason = svc.unexpected_reason(state.stocktake, s.device) if s.device else ""
        return {
            "code": s.code,
            "result": s.result,
            "text": result_text(s.result, reason),
            "device": _device_json(s.device, full=own),
            "at": s.at.isoformat(),
        }

    return {
        "public_id": str(state.stocktake.public_id),
        "status": state.stocktake.status,
        "counts": state.counts,
        "missing": [_device_json(d, full=True) for d in state.missing],
        "found": [scan(s) for s in state.found],
        "unexpected": [scan(s) for s in state.unexpected],
        "unknown": [scan(s) for s in state.unknown],
    }


def scan_json(scan: StocktakeScan, reason: str, state: sel.StocktakeState) -> dict[str, Any]:
    own = scan.device is not None and scan.device.school_id == state.stocktake.school_id
    return {
        "scan": {
            "code": scan.code,
            "result": scan.result,
            "reason": reason,
            "text": result_text(scan.result, reason),
            "device": _device_json(scan.device, full=own),
        },
        "state": state_json(state),
    }


@login_required
@require_GET
def stocktake_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    stocktake = _stocktake(request, public_id)
    state = sel.stocktake_state(stocktake)
    manage = access.may_manage_school(
        scope_for(request.user), school_id=stocktake.school_id, county_id=stocktake.county_id
    )
    return render(
        request,
        "devices/review/stocktake_detail.html",
        {
            "st": stocktake,
            "state": state,
            "may_scan": manage and stocktake.status == Stocktake.Status.OPEN,
            "may_manage": manage,
            "unexpected": [
                (s, result_text(s.result, svc.unexpected_reason(stocktake, s.device)))
                for s in state.unexpected
            ],
            "own_school": stocktake.school_id,
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


@login_required
@require_POST
def stocktake_scan(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One code read: JSON in (`{"code": …}`) or a form field; JSON out, or back to the page."""
    stocktake = _stocktake_for_write(request, public_id)
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            code = str(body.get("code", "")) if isinstance(body, dict) else ""
        except ValueError:
            code = ""
    else:
        code = request.POST.get("code", "")
    try:
        scan, reason = svc.stocktake_scan(
            stocktake=stocktake, code=code, actor=request.user, request=request
        )
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"errors": exc.message_dict}, status=400)
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
        return redirect("devices:stocktake_detail", stocktake.public_id)
    state = sel.stocktake_state(stocktake)
    if _wants_json(request):
        return JsonResponse(scan_json(scan, reason, state))
    messages.info(request, f"{scan.code}: {result_text(scan.result, reason)}")
    return redirect("devices:stocktake_detail", stocktake.public_id)


@login_required
@require_POST
def stocktake_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    stocktake = _stocktake_for_write(request, public_id)
    mark_lost = request.POST.get("mark_lost") in ("1", "on", "true")
    try:
        stocktake = svc.stocktake_close(
            stocktake=stocktake, actor=request.user, mark_lost=mark_lost, request=request
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        n = len(stocktake.missing_ids)
        messages.success(
            request,
            ngettext(
                "The stocktake is closed: %(n)d device is missing.",
                "The stocktake is closed: %(n)d devices are missing.",
                n,
            )
            % {"n": n},
        )
    return redirect("devices:stocktake_detail", stocktake.public_id)


def export_rows(state: sel.StocktakeState) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Result"),
        _("Asset tag"),
        _("Serial number"),
        _("Kind"),
        _("Model"),
        _("Location"),
        _("Code read"),
        _("Scanned at"),
    ]
    rows: list[list[Any]] = []
    own = state.stocktake.school_id

    def local(at: dt.datetime) -> str:
        return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")

    for scan in [*state.found, *state.unexpected, *state.unknown]:
        d = scan.device
        full = d is not None and d.school_id == own
        reason = svc.unexpected_reason(state.stocktake, d) if d else ""
        rows.append(
            [
                result_text(scan.result, reason),
                d.asset_tag if d else "",
                d.serial if full and d else "",
                d.get_kind_display() if full and d else "",
                d.model_name if full and d else "",
                d.location if full and d else "",
                scan.code,
                local(scan.at),
            ]
        )
    for d in state.missing:
        rows.append(
            [
                _("Missing"),
                d.asset_tag,
                d.serial,
                d.get_kind_display(),
                d.model_name,
                d.location,
                "",
                "",
            ]
        )
    return headers, rows


@login_required
@require_GET
def stocktake_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    stocktake = _stocktake(request, public_id)
    if stocktake.status != Stocktake.Status.CLOSED:
        return HttpResponse(
            _("Close the stocktake before exporting its result."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    headers, rows = export_rows(sel.stocktake_state(stocktake))
    name = filename(_("stocktake"), stocktake.school.name_zh, stocktake.title) + ".csv"
    return download(render_csv(headers, rows), CSV, name)
