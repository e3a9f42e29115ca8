"""Writes to the register: devices, their status and their history.

Keyword-only, atomic, validating before saving (DESIGN.md rule 2). Assignments and loans are
in `loan_services.py`, equity in `equity_services.py`, needs and procurement in
`procurement_services.py`, imports in `import_services.py`, stocktakes in `review_services.py`;
they all record history through `event_record` and keep `Device.status`/`holder` in step
through `holder_set`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.devices.models import Device, DeviceEvent, DeviceKind, FundingSource

# Fields a person may set on a device through the register form, the API and imports.
EDITABLE_FIELDS = (
    "kind",
    "asset_tag",
    "serial",
    "manufacturer",
    "model_name",
    "os",
    "funding_source",
    "programme",
    "purchase_date",
    "cost",
    "warranty_end",
    "location",
    "notes",
)

# Status changes a person makes by hand (the others follow assignments and loans).
MANUAL_STATUSES = {
    Device.Status.IN_STOCK: DeviceEvent.Kind.REPAIR_BACK,
    Device.Status.IN_REPAIR: DeviceEvent.Kind.REPAIR_OUT,
    Device.Status.LOST: DeviceEvent.Kind.LOST,
    Device.Status.RETIRED: DeviceEvent.Kind.RETIRED,
}


def event_record(
    *,
    device: Device,
    kind: str,
    actor: Any = None,
    person: Any = None,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> DeviceEvent:
    """Append one line to the device's history."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return DeviceEvent.objects.create(
        county_id=device.county_id,
        school_id=device.school_id,
        device=device,
        kind=kind,
        actor=real_actor,
        person=person,
        note=note[:500],
        detail=detail or {},
    )


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    out = dict(values)
    for name in ("asset_tag", "serial", "manufacturer", "model_name", "os", "programme"):
        if name in out and out[name] is not None:
            out[name] = str(out[name]).strip()
    if "kind" in out and out["kind"] not in DeviceKind.values:
        raise ValidationError({"kind": _("Unknown kind of device.")})
    fs = out.get("funding_source")
    if fs and fs not in FundingSource.values:
        raise ValidationError({"funding_source": _("Unknown funding source.")})
    if "cost" in out and out["cost"] not in (None, ""):
        try:
            out["cost"] = Decimal(str(out["cost"]))
        except ArithmeticError as exc:
            raise ValidationError({"cost": _("Enter an amount in NT$.")}) from exc
        if out["cost"] < 0:
            raise ValidationError({"cost": _("The cost cannot be negative.")})
    return out


def _check_unique(device: Device) -> None:
    others = Device.objects.filter(county_id=device.county_id).exclude(pk=device.pk)
    errors: dict[str, str] = {}
    if others.filter(asset_tag=device.asset_tag).exists():
        errors["asset_tag"] = _("This asset tag is already used in the county.")
    if device.serial and others.filter(serial=device.serial).exists():
        errors["serial"] = _("A device with this serial number is already registered.")
    if device.purchase_date and device.warranty_end and device.warranty_end < device.purchase_date:
        errors["warranty_end"] = _("The warranty cannot end before the purchase date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def device_create(
    *,
    county: Any,
    school: Any = None,
    actor: Any = None,
    request: Any = None,
    event_kind: str = DeviceEvent.Kind.CREATED,
    procurement_line: Any = None,
    **values: Any,
) -> Device:
    """Register a device in a school (or the county's stock when `school` is None)."""
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school belongs to another county.")})
    values = _clean_values(values)
    device = Device(county=county, school=school, procurement_line=procurement_line, **values)
    if not device.asset_tag:
        raise ValidationError({"asset_tag": _("Give the asset tag.")})
    device.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique(device)
    device.save()
    event_record(device=device, kind=event_kind, actor=actor)
    audit_record(actor=actor, action="device.create", obj=device, request=request)
    return device


@transaction.atomic
def device_update(
    *, device: Device, actor: Any = None, request: Any = None, **values: Any
) -> Device:
    """Change register fields; the history notes which fields changed."""
    values = _clean_values(values)
    changed: dict[str, list[str]] = {}
    for name, value in values.items():
        old = getattr(device, name)
        if old != value and not (old in (None, "") and value in (None, "")):
            changed[name] = [_as_text(old), _as_text(value)]
            setattr(device, name, value)
    if not changed:
        return device
    device.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique(device)
    device.save()
    event_record(
        device=device, kind=DeviceEvent.Kind.UPDATED, actor=actor, detail={"changed": changed}
    )
    audit_record(
        actor=actor,
        action="device.update",
        obj=device,
        request=request,
        detail={"changed": changed},
    )
    return device


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def device_set_status(
    *, device: Device, status: str, actor: Any = None, note: str = "", request: Any = None
) -> Device:
    """Send for repair, bring back, report lost, retire. A device someone holds must be
    returned first (a loaner can stand in while it is in repair: see loan_services)."""
    if status not in MANUAL_STATUSES:
        raise ValidationError({"status": _("This status follows assignments and loans.")})
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == status:
        raise ValidationError({"status": _("The device already has this status.")})
    if status == Device.Status.RETIRED and _is_held(device):
        raise ValidationError({"status": _("Take the device back before retiring it.")})
    if status == Device.Status.IN_STOCK and device.status not in (
        Device.Status.IN_REPAIR,
        Device.Status.LOST,
    ):
        raise ValidationError({"status": _("Only a device in repair or lost comes back to stock.")})
    old = device.status
    if status == Device.Status.IN_STOCK and device.holder_id:
        # back from repair to the person who still holds it
        status = _holder_status(device)
    device.status = status
    device.save(update_fields=["status", "updated_at"])
    event_record(
        device=device,
        kind=MANUAL_STATUSES[Device.Status(status)]
        if status in MANUAL_STATUSES
        else DeviceEvent.Kind.REPAIR_BACK,
        actor=actor,
        note=note,
        detail={"from": old, "to": status},
    )
    audit_record(
        actor=actor,
        action="device.status",
        obj=device,
        request=request,
        detail={"from": old, "to": status},
    )
    return device


def _is_held(device: Device) -> bool:
    """Someone holds the device, or a loan waiting for its agreement has reserved it."""
    from dtss.devices.models import Assignment

    return bool(
        device.holder_id
        or device.holder_class_id
        or Assignment.objects.filter(device=device, ended_at__isnull=True).exists()
    )


def _holder_status(device: Device) -> str:
    from dtss.devices.models import Assignment

    open_ = Assignment.objects.filter(device=device, ended_at__isnull=True).first()
    if open_ is None:
        return Device.Status.IN_STOCK
    return Device.Status.ON_LOAN if open_.kind != Assignment.Kind.ASSIGN else Device.Status.ASSIGNED


def holder_set(
    *, device: Device, person: Any = None, school_class: Any = None, status: str
) -> None:
    """Keep the device's denormalised holder and status in step with its open assignment.
    Called by loan_services inside their transaction."""
    device.holder = person
    device.holder_class = school_class
    if device.status != Device.Status.IN_REPAIR or status == Device.Status.IN_STOCK:
        device.status = status
    device.save(update_fields=["holder", "holder_class", "status", "updated_at"])


@transaction.atomic
def device_transfer(
    *, device: Device, school: Any, actor: Any = None, request: Any = None, note: str = ""
) -> Device:
    """Move a device to another school of the county (or to the county's stock)."""
    if _is_held(device):
        raise ValidationError({"school": _("Take the device back before moving it.")})
    if school is not None and school.county_id != device.county_id:
        raise ValidationError({"school": _("The school belongs to another county.")})
    old = device.school_id
    device.school = school
    device.location = ""
    device.save(update_fields=["school", "location", "updated_at"])
    event_record(
        device=device,
        kind=DeviceEvent.Kind.TRANSFERRED,
        actor=actor,
        note=note,
        detail={"from_school": old, "to_school": school.pk if school else None},
    )
    audit_record(actor=actor, action="device.transfer", obj=device, request=request)
    return device
