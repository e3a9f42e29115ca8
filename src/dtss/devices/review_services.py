"""Writes of the review: stocktakes and their scans (S1.A1).

A stocktake counts one school's devices (or those at one location): every QR label read is a
`StocktakeScan` with its result — found, unexpected (a device of another school or location,
or one reported lost or retired, or out on loan), unknown (not in the register) or repeat.
Closing freezes the devices still missing; they can be reported lost in the same step.

Who may: the school's managers (`access.may_manage_school`) — the callers check it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.devices import services
from dtss.devices.models import Device, DeviceEvent, Stocktake, StocktakeScan
from dtss.devices.review_selectors import INACTIVE, expected_devices

LABEL_PREFIX = "DTSS:"
MAX_CODE = 200


def parse_code(code: str) -> str:
    """The asset tag a label carries: `DTSS:<asset_tag>`, or the code as read."""
    code = (code or "").strip()
    if code[: len(LABEL_PREFIX)].upper() == LABEL_PREFIX:
        return code[len(LABEL_PREFIX) :].strip()
    return code


def device_for_code(*, county_id: int, code: str) -> Device | None:
    """The county's device a code names: by asset tag (from a DTSS label or bare), else by
    serial number as a last resort."""
    tag = parse_code(code)
    if not tag:
        return None
    devices = Device.objects.filter(county_id=county_id).select_related("school")
    return (
        devices.filter(asset_tag=tag).first()
        or devices.filter(asset_tag__iexact=tag).first()
        or devices.filter(serial=tag).first()
        or devices.filter(serial__iexact=tag).first()
    )


@transaction.atomic
def stocktake_create(
    *, school: Any, actor: Any = None, location: str = "", title: str = "", request: Any = None
) -> Stocktake:
    """Start a stocktake of a school (optionally of one location only)."""
    location = (location or "").strip()
    title = (title or "").strip()
    if len(location) > 120:
        raise ValidationError({"location": _("Use at most 120 characters.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Use at most 200 characters.")})
    if location and not Device.objects.filter(school=school, location=location).exists():
        raise ValidationError({"location": _("No device of the school is at this location.")})
    if not title:
        day = timezone.localdate().isoformat()
        title = f"{day} {location}".strip() if location else day
    stocktake = Stocktake.objects.create(
        county_id=school.county_id,
        school=school,
        title=title,
        location=location,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action="stocktake.create", obj=stocktake, request=request)
    return stocktake


def unexpected_reason(stocktake: Stocktake, device: Device) -> str:
    if device.school_id is None:
        return "county_stock"
    if device.school_id != stocktake.school_id:
        return "another_school"
    if device.status == Device.Status.LOST:
        return "lost"
    if device.status == Device.Status.RETIRED:
        return "retired"
    if stocktake.location and device.location != stocktake.location:
        return "another_location"
    if device.status == Device.Status.ON_LOAN:
        return "on_loan"
    return ""


@transaction.atomic
def stocktake_scan(
    *, stocktake: Stocktake, code: str, actor: Any = None, request: Any = None
) -> tuple[StocktakeScan, str]:
    """Record one code read; return the scan and, for an unexpected device, why
    (another_school, county_stock, another_location, lost, retired, on_loan)."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Scan a label or type an asset tag.")})
    if len(code) > MAX_CODE:
        raise ValidationError({"code": _("This code is too long to be a label.")})
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status != Stocktake.Status.OPEN:
        raise ValidationError({"code": _("This stocktake is closed.")})
    device = device_for_code(county_id=stocktake.county_id, code=code)
    reason = ""
    scans = StocktakeScan.objects.filter(stocktake=stocktake)
    if device is None:
        seen = scans.filter(device__isnull=True, code__iexact=code).exists()
        result = StocktakeScan.Result.REPEAT if seen else StocktakeScan.Result.UNKNOWN
    elif scans.filter(device=device).exclude(result=StocktakeScan.Result.REPEAT).exists():
        result = StocktakeScan.Result.REPEAT
    else:
        reason = unexpected_reason(stocktake, device)
        result = StocktakeScan.Result.UNEXPECTED if reason else StocktakeScan.Result.FOUND
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    scan = StocktakeScan.objects.create(
        county_id=stocktake.county_id,
        school_id=stocktake.school_id,
        stocktake=stocktake,
        code=code,
        device=device,
        result=result,
        scanned_by=real_actor,
    )
    if result == StocktakeScan.Result.FOUND and device is not None:
        device.last_seen_at = timezone.now()
        device.save(update_fields=["last_seen_at", "updated_at"])
        services.event_record(
            device=device,
            kind=DeviceEvent.Kind.STOCKTAKE,
            actor=actor,
            note=stocktake.title,
            detail={"stocktake": str(stocktake.public_id)},
        )
    return scan, reason


@transaction.atomic
def stocktake_close(
    *, stocktake: Stocktake, actor: Any = None, mark_lost: bool = False, request: Any = None
) -> Stocktake:
    """Close: freeze the devices expected and not found. With `mark_lost`, report each of
    them lost (through `services.device_set_status`, so each gets its history line)."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status != Stocktake.Status.OPEN:
        raise ValidationError({"status": _("This stocktake is already closed.")})
    found = StocktakeScan.objects.filter(
        stocktake=stocktake, result=StocktakeScan.Result.FOUND
    ).values("device_id")
    missing = list(
        expected_devices(stocktake)
        .exclude(pk__in=found)
        .order_by("asset_tag")
        .values_list("pk", flat=True)
    )
    stocktake.status = Stocktake.Status.CLOSED
    stocktake.closed_at = timezone.now()
    stocktake.missing_ids = missing
    stocktake.save(update_fields=["status", "closed_at", "missing_ids", "updated_at"])
    marked = 0
    if mark_lost:
        note = _("Not found in the stocktake %(title)s") % {"title": stocktake.title}
        for device in Device.objects.filter(pk__in=missing).exclude(status__in=INACTIVE):
            services.device_set_status(
                device=device, status=Device.Status.LOST, actor=actor, note=note, request=request
            )
            marked += 1
    audit_record(
        actor=actor,
        action="stocktake.close",
        obj=stocktake,
        request=request,
        detail={"missing": len(missing), "marked_lost": marked},
    )
    return stocktake
