"""The register pages: the device list (the module's landing page for staff), a device with its
history, the register form, BYOD registration, status changes and transfers, QR labels, and
software licences with their seats.

Who sees what: `Device.objects.visible_to(user)` (staff of the school or county; students and
parents the devices they hold or own); changes for the school's administrators and the county's
office (`access.py`). Another tenant's device is a 404; a teacher's change is a 403.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.core.services import audit_record
from dtss.devices import labels, licence_services, register_services, services
from dtss.devices import register_selectors as sel
from dtss.devices.models import Device, LicenceSeat
from dtss.devices.register_forms import (
    ByodForm,
    DeviceFilterForm,
    DeviceForm,
    LicenceForm,
    SeatForm,
    StatusForm,
    TransferForm,
    place_resolve,
)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _reader(request: HttpRequest) -> None:
    if not sel.may_read_register(request.user):
        raise PermissionDenied


def _staff(request: HttpRequest) -> None:
    if not sel.is_staff_reader(request.user):
        raise PermissionDenied


def _manager_of(request: HttpRequest, obj: Any) -> None:
    if not sel.may_manage_device(request.user, obj):
        raise PermissionDenied


def _errors_into(form: Any, exc: ValidationError) -> None:
    """A service's errors, each on its field (or the whole form when the field is not shown)."""
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        if name == "school" and "place" in form.fields:
            target = "place"
        for m in msgs:
            form.add_error(target, m)


# --------------------------------------------------------------------------- list and exports


def _list_context(request: HttpRequest) -> tuple[DeviceFilterForm, sel.DeviceFilters]:
    form = DeviceFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form, filters = _list_context(request)
    qs = sel.device_list(user=request.user, filters=filters)
    without_status = sel.DeviceFilters(**{**filters.__dict__, "status": ""})
    counts = sel.status_counts(sel.device_list(user=request.user, filters=without_status))
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = filters.as_query()
    staff = sel.is_staff_reader(request.user)
    status_links = [
        (value, label, n, urlencode({**query, "status": value})) for value, label, n in counts
    ]
    return render(
        request,
        "devices/register/device_list.html",
        {
            "form": form,
            "page": page,
            "querystring": urlencode(query),
            "all_query": urlencode({k: v for k, v in query.items() if k != "status"}),
            "status_links": status_links,
            "total": sum(n for _v, _l, n in counts),
            "current_status": filters.status,
            "staff": staff,
            "may_manage": sel.may_manage_any(request.user),
            "filtered": bool({k for k in query if k != "sort"}),
        },
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_table(devices: Any) -> tuple[list[str], list[list[Any]]]:
    """The register as a table. Never equity data: no support categories, no home access."""
    headers = [
        _("Asset tag"),
        _("Kind"),
        _("Status"),
        _("School"),
        _("Manufacturer"),
        _("Model"),
        _("Serial number"),
        _("Operating system"),
        _("Funding source"),
        _("Programme"),
        _("Purchase date"),
        _("Cost (NT$)"),
        _("Warranty end"),
        _("Location"),
        _("Held by"),
        _("Classroom"),
        _("Own device (BYOD)"),
        _("MDM"),
        _("Last MDM contact"),
        _("Last stocktake"),
    ]
    rows = []
    for d in devices:
        rows.append(
            [
                d.asset_tag,
                d.get_kind_display(),
                d.get_status_display(),
                d.school.name if d.school_id else _("County stock"),
                d.manufacturer,
                d.model_name,
                d.serial,
                d.os,
                d.get_funding_source_display() if d.funding_source else "",
                d.programme,
                d.purchase_date,
                int(d.cost) if d.cost is not None else None,
                d.warranty_end,
                d.location,
                d.holder.name if d.holder_id else "",
                str(d.holder_class) if d.holder_class_id else "",
                _("yes") if d.byod else "",
                d.get_mdm_source_display() if d.mdm_source else "",
                d.mdm_last_contact,
                d.last_seen_at,
            ]
        )
    return headers, rows


def render_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens Chinese text), no formula injection."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """One sheet: a title line, the table with a frozen header and a filter; text stays text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("Devices")[:31]
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    for col, h in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=h).font = Font(bold=True)
    for r, values in enumerate(rows, start=4):
        for col, v in enumerate(values, start=1):
            if isinstance(v, dt.datetime):
                v = timezone.localtime(v).replace(tzinfo=None)
            cell = ws.cell(row=r, column=col, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
            elif isinstance(v, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(headers))}{max(3, len(rows) + 3)}"
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    _reader(request)
    form, filters = _list_context(request)
    if request.GET and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[n].label if n in form.fields else n}: " + " ".join(e)
            for n, e in form.errors.items()
        )
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    devices = sel.device_list(user=request.user, filters=filters)
    headers, rows = export_table(devices)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = re.sub(r"[^\w.-]+", "_", f"{_('devices')}-{stamp}.{fmt}")
    if fmt == "csv":
        body, content_type = render_csv(headers, rows), CSV
    else:
        title = _("Device register, %(when)s") % {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")
        }
        body, content_type = render_xlsx(title, headers, rows), XLSX
    audit_record(
        actor=request.user,
        action="device.export",
        request=request,
        detail={"format": fmt, "rows": len(rows), "filters": filters.as_query()},
    )
    return _download(body, content_type, name)


@never_cache
@login_required
@require_GET
def device_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@never_cache
@login_required
@require_GET
def device_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


# --------------------------------------------------------------------------- one device


@login_required
@require_GET
def device_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    device = sel.device_or_404(request.user, public_id)
    staff = sel.is_staff_reader(request.user)
    may_manage = sel.may_manage_device(request.user, device)
    context: dict[str, Any] = {
        "device": device,
        "staff": staff,
        "may_manage": may_manage,
        "events": sel.event_rows(sel.device_events(device)[:200]) if staff else [],
        "seats": list(sel.device_seats(request.user, device)) if staff else [],
        "warranty_expired": bool(
            device.warranty_end and device.warranty_end < timezone.localdate()
        ),
    }
    if may_manage:
        context["status_form"] = StatusForm()
        targets = sel.transfer_targets(request.user, device)
        context["transfer_form"] = TransferForm(choices=targets) if targets else None
    return render(request, "devices/register/device_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def device_create(request: HttpRequest) -> HttpResponse:
    if not sel.may_manage_any(request.user):
        raise PermissionDenied
    form = DeviceForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            county, school = place_resolve(request.user, form.cleaned_data["place"])
            device = services.device_create(
                county=county, school=school, actor=request.user, request=request, **form.values()
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Device %(tag)s registered.") % {"tag": device.asset_tag})
            return redirect("devices:device_detail", public_id=device.public_id)
    return render(request, "devices/register/device_form.html", {"form": form, "device": None})


@login_required
@require_http_methods(["GET", "POST"])
def device_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    device = sel.device_or_404(request.user, public_id)
    _manager_of(request, device)
    form = DeviceForm(request.POST or None, instance=device, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        fresh = Device.objects.get(pk=device.pk)  # the form wrote into `device`
        try:
            services.device_update(
                device=fresh, actor=request.user, request=request, **form.values()
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("devices:device_detail", public_id=device.public_id)
    return render(request, "devices/register/device_form.html", {"form": form, "device": device})


@login_required
@require_POST
def device_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    device = sel.device_or_404(request.user, public_id)
    _manager_of(request, device)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.device_set_status(
                device=device,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Status changed."))
    else:
        for errs in form.errors.values():
            for m in errs:
                messages.error(request, m)
    return redirect("devices:device_detail", public_id=device.public_id)


@login_required
@require_POST
def device_transfer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    device = sel.device_or_404(request.user, public_id)
    _manager_of(request, device)
    form = TransferForm(request.POST, choices=sel.transfer_targets(request.user, device))
    if form.is_valid():
        target = form.cleaned_data["target"]
        school = None
        if target != sel.STOCK:
            school = sel.managed_schools(request.user).get(public_id=target)
        try:
            services.device_transfer(
                device=device,
                school=school,
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Device moved."))
    else:
        messages.error(request, _("Choose where to move the device."))
    if Device.objects.visible_to(request.user).filter(pk=device.pk).exists():
        return redirect("devices:device_detail", public_id=device.public_id)
    return redirect("devices:device_list")


@login_required
@require_http_methods(["GET", "POST"])
def byod_create(request: HttpRequest) -> HttpResponse:
    if not sel.managed_schools(request.user).exists():
        raise PermissionDenied
    form = ByodForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            device = register_services.byod_register(
                school=form.cleaned_data["school_obj"],
                student=form.cleaned_data["student_obj"],
                actor=request.user,
                request=request,
                **form.values(),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request, _("Own device %(tag)s registered.") % {"tag": device.asset_tag}
            )
            return redirect("devices:device_detail", public_id=device.public_id)
    return render(request, "devices/register/byod_form.html", {"form": form})


# --------------------------------------------------------------------------- labels


def _pdf(devices: list[Device], name: str) -> HttpResponse:
    body = labels.render_labels_pdf(devices)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def label_sheet(request: HttpRequest) -> HttpResponse:
    """Labels of the selected devices (`device` = public ids), or of the filtered list."""
    _staff(request)
    data = request.POST if request.method == "POST" else request.GET
    ids = [i for i in data.getlist("device") if i]
    if ids:
        valid = []
        for i in ids:
            try:
                valid.append(UUID(i))
            except ValueError:
                continue
        qs = Device.objects.visible_to(request.user).filter(public_id__in=valid)
        devices = list(
            qs.select_related("school", "county").order_by("asset_tag")[: labels.MAX_LABELS]
        )
    else:
        form = DeviceFilterForm(request.GET or None, user=request.user)
        devices = list(
            sel.device_list(user=request.user, filters=form.filters())[: labels.MAX_LABELS]
        )
    if not devices:
        messages.error(request, _("No devices to print labels for."))
        return redirect("devices:device_list")
    audit_record(
        actor=request.user,
        action="device.labels",
        request=request,
        detail={"count": len(devices)},
    )
    return _pdf(devices, "labels.pdf")


@never_cache
@login_required
@require_GET
def device_label(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff(request)
    device = sel.device_or_404(request.user, public_id)
    return _pdf([device], f"label-{re.sub(r'[^\w.-]+', '_', device.asset_tag)}.pdf")


# --------------------------------------------------------------------------- licences


@login_required
@require_GET
def licence_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "school", "expiry")}
    qs = sel.licence_list(user=request.user, **params)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "devices/register/licence_list.html",
        {
            "page": page,
            "params": params,
            "querystring": urlencode({k: v for k, v in params.items() if v}),
            "schools": sel.readable_schools(request.user),
            "stock": sel.sees_county_stock(request.user),
            "may_manage": sel.may_manage_any(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def licence_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff(request)
    licence = sel.licence_or_404(request.user, public_id)
    may_manage = sel.may_manage_device(request.user, licence)
    used = LicenceSeat.objects.filter(licence=licence).count()
    return render(
        request,
        "devices/register/licence_detail.html",
        {
            "licence": licence,
            "seats": list(sel.licence_seats(request.user, licence)),
            "used": used,
            "free": max(licence.seats - used, 0),
            "may_manage": may_manage,
            "seat_form": SeatForm() if may_manage and used < licence.seats else None,
            "expired": bool(licence.expires_on and licence.expires_on < timezone.localdate()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_create(request: HttpRequest) -> HttpResponse:
    if not sel.may_manage_any(request.user):
        raise PermissionDenied
    form = LicenceForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            county, school = place_resolve(request.user, form.cleaned_data["place"])
            licence = licence_services.licence_create(
                county=county, school=school, actor=request.user, request=request, **form.values()
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Licence saved."))
            return redirect("devices:licence_detail", public_id=licence.public_id)
    return render(request, "devices/register/licence_form.html", {"form": form, "licence": None})


@login_required
@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff(request)
    licence = sel.licence_or_404(request.user, public_id)
    _manager_of(request, licence)
    form = LicenceForm(request.POST or None, instance=licence, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        from dtss.devices.models import Licence

        try:
            licence_services.licence_update(
                licence=Licence.objects.get(pk=licence.pk),
                actor=request.user,
                request=request,
                **form.values(),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("devices:licence_detail", public_id=licence.public_id)
    return render(request, "devices/register/licence_form.html", {"form": form, "licence": licence})


@login_required
@require_POST
def licence_seat_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff(request)
    licence = sel.licence_or_404(request.user, public_id)
    _manager_of(request, licence)
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            device, person = _seat_holder(request, licence, form.cleaned_data)
            licence_services.seat_assign(
                licence=licence, device=device, person=person, actor=request.user, request=request
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Seat assigned."))
    else:
        for errs in form.errors.values():
            for m in errs:
                messages.error(request, m)
    return redirect("devices:licence_detail", public_id=licence.public_id)


def _seat_holder(request: HttpRequest, licence: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    tag = (data.get("device") or "").strip()
    if tag:
        qs = Device.objects.visible_to(request.user).filter(
            county_id=licence.county_id, asset_tag=tag
        )
        device = qs.first()
        if device is None:
            raise ValidationError({"device": _("No device with this asset tag.")})
        return device, None
    from dtss.orgs.models import Person

    text = (data.get("person") or "").strip()
    people = Person.objects.visible_to(request.user).filter(county_id=licence.county_id)
    found = list(people.filter(external_id=text)[:2]) or list(people.filter(name=text)[:2])
    if not found:
        raise ValidationError({"person": _("No person with this number or name.")})
    if len(found) > 1:
        raise ValidationError({"person": _("Several people have this name: give the number.")})
    return None, found[0]


@login_required
@require_POST
def seat_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff(request)
    try:
        seat = LicenceSeat.objects.select_related("licence").get(public_id=public_id)
    except (LicenceSeat.DoesNotExist, ValidationError):
        from django.http import Http404

        raise Http404 from None
    licence = sel.licence_or_404(request.user, seat.licence.public_id)
    _manager_of(request, licence)
    licence_services.seat_release(seat=seat, actor=request.user, request=request)
    messages.success(request, _("Seat freed."))
    return redirect("devices:licence_detail", public_id=licence.public_id)
