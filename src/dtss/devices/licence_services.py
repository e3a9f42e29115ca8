"""Writes to software licences and their seats.

Keyword-only, atomic, validating before saving (DESIGN.md rule 2). A licence belongs to the
county (county-wide, `school` empty) or to one school; a seat goes to one person or one
device, and a licence never has more seats in use than it has bought.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.devices.models import Device, FundingSource, Licence, LicenceSeat

LICENCE_FIELDS = (
    "name",
    "vendor",
    "seats",
    "starts_on",
    "expires_on",
    "cost",
    "funding_source",
    "licence_key",
    "notes",
)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(LICENCE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    out = dict(values)
    errors: dict[str, str] = {}
    for name in ("name", "vendor", "licence_key"):
        if name in out:
            out[name] = str(out[name] or "").strip()
    if "name" in out and not out["name"]:
        errors["name"] = _("Give the name of the software.")
    if "seats" in out:
        try:
            out["seats"] = int(out["seats"])
        except (TypeError, ValueError):
            errors["seats"] = _("Enter a whole number of seats.")
        else:
            if out["seats"] < 1:
                errors["seats"] = _("A licence has at least one seat.")
    fs = out.get("funding_source")
    if fs and fs not in FundingSource.values:
        errors["funding_source"] = _("Unknown funding source.")
    if out.get("cost") not in (None, ""):
        try:
            out["cost"] = Decimal(str(out["cost"]))
            if out["cost"] < 0:
                errors["cost"] = _("The cost cannot be negative.")
        except (InvalidOperation, ArithmeticError):
            errors["cost"] = _("Enter an amount in NT$.")
    elif "cost" in out:
        out["cost"] = None
    if errors:
        raise ValidationError(errors)
    return out


def _check(licence: Licence) -> None:
    errors: dict[str, str] = {}
    if licence.starts_on and licence.expires_on and licence.expires_on < licence.starts_on:
        errors["expires_on"] = _("The licence cannot expire before it starts.")
    if licence.pk:
        used = LicenceSeat.objects.filter(licence=licence).count()
        if licence.seats < used:
            errors["seats"] = _(
                "%(used)s seats are in use: free some before lowering the number to %(seats)s."
            ) % {"used": used, "seats": licence.seats}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def licence_create(
    *, county: Any, school: Any = None, actor: Any = None, request: Any = None, **values: Any
) -> Licence:
    """A licence of a school, or county-wide when `school` is None."""
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school belongs to another county.")})
    values = _clean(values)
    if "name" not in values:
        raise ValidationError({"name": _("Give the name of the software.")})
    if "seats" not in values:
        raise ValidationError({"seats": _("Give the number of seats.")})
    licence = Licence(county=county, school=school, **values)
    licence.full_clean()
    _check(licence)
    licence.save()
    audit_record(actor=actor, action="licence.create", obj=licence, request=request)
    return licence


@transaction.atomic
def licence_update(
    *, licence: Licence, actor: Any = None, request: Any = None, **values: Any
) -> Licence:
    """Change a licence; the seats cannot go below those in use."""
    values = _clean(values)
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    changed: dict[str, list[str]] = {}
    for name, value in values.items():
        old = getattr(licence, name)
        if old != value and not (old in (None, "") and value in (None, "")):
            changed[name] = [_text(old), _text(value)]
            setattr(licence, name, value)
    if not changed:
        return licence
    licence.full_clean()
    _check(licence)
    licence.save()
    audit_record(
        actor=actor,
        action="licence.update",
        obj=licence,
        request=request,
        detail={"changed": {k: v for k, v in changed.items() if k != "licence_key"}},
    )
    return licence


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def seat_assign(
    *,
    licence: Licence,
    person: Any = None,
    device: Device | None = None,
    actor: Any = None,
    request: Any = None,
) -> LicenceSeat:
    """Give one seat of the licence to a person or a device (exactly one of the two)."""
    if (person is None) == (device is None):
        raise ValidationError({"person": _("Choose a person or a device (one of the two).")})
    # lock the licence so that two people cannot take the last seat at the same time
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    field = "device" if device is not None else "person"
    holder = device if device is not None else person
    if holder.county_id != licence.county_id:
        raise ValidationError({field: _("This belongs to another county.")})
    if device is not None and licence.school_id and device.school_id != licence.school_id:
        raise ValidationError({"device": _("The device belongs to another school.")})
    existing = LicenceSeat.objects.filter(licence=licence, **{field: holder})
    if existing.exists():
        raise ValidationError({field: _("This already has a seat of the licence.")})
    used = LicenceSeat.objects.filter(licence=licence).count()
    if used >= licence.seats:
        raise ValidationError(
            {
                field: _("All %(seats)s seats of this licence are in use; free one first.")
                % {"seats": licence.seats}
            }
        )
    seat = LicenceSeat.objects.create(
        county_id=licence.county_id,
        school_id=device.school_id if device is not None else licence.school_id,
        licence=licence,
        person=person,
        device=device,
    )
    audit_record(
        actor=actor,
        action="licence.seat_assign",
        obj=licence,
        request=request,
        detail={field: str(holder.public_id)},
    )
    return seat


@transaction.atomic
def seat_release(*, seat: LicenceSeat, actor: Any = None, request: Any = None) -> None:
    """Free a seat."""
    licence = seat.licence
    detail = {
        "device": str(seat.device.public_id) if seat.device_id else None,
        "person": str(seat.person.public_id) if seat.person_id else None,
    }
    seat.delete()
    audit_record(
        actor=actor, action="licence.seat_release", obj=licence, request=request, detail=detail
    )
