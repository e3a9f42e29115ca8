"""API of the devices module: the register (devices, their status, transfers and history) and
software licences with their seats.

The same rules as the pages (`register_views.py`): reads from `visible_to(user)` (staff of the
school or county; students and parents only the devices they hold or own), writes for the
school's administrators and the county's office (`access.py`); another tenant's object is a
404, a teacher's write a 403, a bad field a 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.devices import licence_services, register_services, services
from dtss.devices import register_selectors as sel
from dtss.devices.models import Device, DeviceEvent, Licence, LicenceSeat
from dtss.orgs.models import County, Person

router = Router(tags=["devices"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class DeviceOut(Schema):
    public_id: UUID = Field(description="The device's id.")
    asset_tag: str = Field(description="The asset tag, unique in the county (on the QR label).")
    kind: str = Field(
        description="tablet, laptop, chromebook, hotspot, display, projector, network or other."
    )
    status: str = Field(description="in_stock, assigned, on_loan, in_repair, lost or retired.")
    county: str = Field(description="The county's code.")
    school: UUID | None = Field(description="The school's id; null for the county's stock.")
    school_name: str | None = Field(description="The school's name; null for the county's stock.")
    serial: str = Field(description="The serial number (may be empty).")
    manufacturer: str = Field(description="The manufacturer.")
    model_name: str = Field(description="The model.")
    os: str = Field(description="The operating system.")
    funding_source: str = Field(
        description="central, county, school, donation, other or empty (unknown)."
    )
    programme: str = Field(description="The programme that funded it, e.g. 生生用平板.")
    purchase_date: dt.date | None = Field(description="When it was bought.")
    cost: int | None = Field(description="What it cost, in NT$.")
    warranty_end: dt.date | None = Field(description="When the warranty ends.")
    location: str = Field(description="Where it is kept (room, cart …).")
    notes: str = Field(description="Free notes.")
    byod: bool = Field(description="Whether the student's family owns it (BYOD).")
    owner: UUID | None = Field(description="The owning student's person id (BYOD), else null.")
    holder: UUID | None = Field(description="The person id of who holds it now, else null.")
    holder_name: str | None = Field(description="The name of who holds it now, else null.")
    holder_class: UUID | None = Field(description="The classroom holding it, else null.")
    mdm_source: str = Field(
        description="The MDM that last reported it: jamf, google, intune or empty."
    )
    mdm_last_contact: dt.datetime | None = Field(description="When the MDM last saw it.")
    last_seen_at: dt.datetime | None = Field(description="When a stocktake last found it.")
    created_at: dt.datetime = Field(description="When it was registered.")
    updated_at: dt.datetime = Field(description="When it was last changed.")


class DeviceFilterIn(Schema):
    q: str = Field("", description="Search in asset tag, serial, model, manufacturer and holder.")
    school: str = Field("", description="A school's id, or `county` for the county's own stock.")
    kind: str = Field("", description="Only this kind.")
    status: str = Field("", description="Only this status.")
    funding_source: str = Field("", description="Only this funding source.")
    programme: str = Field("", description="Programme contains this text.")
    warranty: str = Field("", description="`expiring` (ends within 90 days) or `expired`.")
    mdm: str = Field("", description="`idle`: reported by an MDM but not for 30 days.")
    byod: str = Field("", description="`yes`: own devices (BYOD) only; `no`: school devices only.")
    sort: str = Field(
        "tag",
        description="tag, kind, status, purchase, warranty or mdm; a leading - reverses.",
    )


class DeviceIn(Schema):
    school: UUID | None = Field(
        None, description="The school's id; null for the county's own stock (county users)."
    )
    county: str | None = Field(
        None,
        description="The county's code, for the county's stock when you manage several "
        "counties (else ignored).",
    )
    byod_student: UUID | None = Field(
        None,
        description="Register a family-owned device (BYOD) of this student of the school: it "
        "is owned and held by the student.",
    )
    kind: str = Field(description="The kind of device.")
    asset_tag: str = Field(description="The asset tag, unique in the county.")
    serial: str = Field("", description="The serial number, unique in the county if given.")
    manufacturer: str = Field("", description="The manufacturer.")
    model_name: str = Field("", description="The model.")
    os: str = Field("", description="The operating system.")
    funding_source: str = Field("", description="central, county, school, donation or other.")
    programme: str = Field("", description="The programme that funded it.")
    purchase_date: dt.date | None = Field(None, description="When it was bought.")
    cost: int | None = Field(None, description="What it cost, in NT$.")
    warranty_end: dt.date | None = Field(None, description="When the warranty ends.")
    location: str = Field("", description="Where it is kept.")
    notes: str = Field("", description="Free notes.")


class DevicePatch(Schema):
    kind: str | None = Field(None, description="The kind of device.")
    asset_tag: str | None = Field(None, description="The asset tag, unique in the county.")
    serial: str | None = Field(None, description="The serial number.")
    manufacturer: str | None = Field(None, description="The manufacturer.")
    model_name: str | None = Field(None, description="The model.")
    os: str | None = Field(None, description="The operating system.")
    funding_source: str | None = Field(None, description="The funding source.")
    programme: str | None = Field(None, description="The programme.")
    purchase_date: dt.date | None = Field(None, description="When it was bought.")
    cost: int | None = Field(None, description="What it cost, in NT$.")
    warranty_end: dt.date | None = Field(None, description="When the warranty ends.")
    location: str | None = Field(None, description="Where it is kept.")
    notes: str | None = Field(None, description="Free notes.")


class StatusIn(Schema):
    status: str = Field(
        description="in_repair (send for repair), in_stock (back from repair or found), lost "
        "or retired."
    )
    note: str = Field("", description="Why, up to 500 characters.")


class TransferIn(Schema):
    school: UUID | None = Field(
        description="The school of the same county to move it to; null for the county's stock."
    )
    note: str = Field("", description="Why, up to 500 characters.")


class EventOut(Schema):
    at: dt.datetime = Field(description="When it happened.")
    kind: str = Field(description="What happened (created, updated, repair_out, transferred …).")
    kind_label: str = Field(description="What happened, in words.")
    actor: str | None = Field(description="Who did it (null: the system or an import).")
    person: str | None = Field(description="The person it concerned (holder, borrower), if any.")
    note: str = Field(description="The note given.")
    detail: dict[str, Any] = Field(description="What changed, e.g. {changed: {field: [old, new]}}.")


class LicenceOut(Schema):
    public_id: UUID = Field(description="The licence's id.")
    name: str = Field(description="The software.")
    vendor: str = Field(description="The vendor.")
    county: str = Field(description="The county's code.")
    school: UUID | None = Field(description="The school's id; null for a county-wide licence.")
    school_name: str | None = Field(description="The school's name; null when county-wide.")
    seats: int = Field(description="How many seats were bought.")
    used: int = Field(description="How many seats are in use.")
    starts_on: dt.date | None = Field(description="When it starts.")
    expires_on: dt.date | None = Field(description="When it expires.")
    cost: int | None = Field(description="What it cost, in NT$.")
    funding_source: str = Field(description="The funding source (may be empty).")
    licence_key: str | None = Field(
        description="The licence key or contract (null unless you may change the licence)."
    )
    notes: str = Field(description="Free notes.")


class SeatOut(Schema):
    public_id: UUID = Field(description="The seat's id.")
    licence: UUID = Field(description="The licence's id.")
    person: UUID | None = Field(description="The person holding the seat, else null.")
    person_name: str | None = Field(description="Their name, else null.")
    device: UUID | None = Field(description="The device holding the seat, else null.")
    device_tag: str | None = Field(description="Its asset tag, else null.")
    assigned_at: dt.datetime = Field(description="When the seat was given.")


class LicenceDetailOut(LicenceOut):
    seat_list: list[SeatOut] = Field(description="The seats in use that you may see.")


class LicenceIn(Schema):
    school: UUID | None = Field(
        None, description="The school's id; null for a county-wide licence (county users)."
    )
    county: str | None = Field(
        None, description="The county's code, when you manage several counties."
    )
    name: str = Field(description="The software.")
    vendor: str = Field("", description="The vendor.")
    seats: int = Field(description="How many seats were bought (at least 1).")
    starts_on: dt.date | None = Field(None, description="When it starts.")
    expires_on: dt.date | None = Field(None, description="When it expires.")
    cost: int | None = Field(None, description="What it cost, in NT$.")
    funding_source: str = Field("", description="central, county, school, donation or other.")
    licence_key: str = Field("", description="The licence key or contract number.")
    notes: str = Field("", description="Free notes.")


class LicencePatch(Schema):
    name: str | None = Field(None, description="The software.")
    vendor: str | None = Field(None, description="The vendor.")
    seats: int | None = Field(None, description="Seats bought; not below the seats in use.")
    starts_on: dt.date | None = Field(None, description="When it starts.")
    expires_on: dt.date | None = Field(None, description="When it expires.")
    cost: int | None = Field(None, description="What it cost, in NT$.")
    funding_source: str | None = Field(None, description="The funding source.")
    licence_key: str | None = Field(None, description="The licence key or contract.")
    notes: str | None = Field(None, description="Free notes.")


class SeatIn(Schema):
    person: UUID | None = Field(None, description="Give the seat to this person…")
    device: UUID | None = Field(None, description="…or to this device (one of the two).")


# --------------------------------------------------------------------------- helpers


def _device(d: Device) -> dict[str, Any]:
    return {
        "public_id": d.public_id,
        "asset_tag": d.asset_tag,
        "kind": d.kind,
        "status": d.status,
        "county": d.county.code,
        "school": d.school.public_id if d.school_id else None,
        "school_name": d.school.name if d.school_id else None,
        "serial": d.serial,
        "manufacturer": d.manufacturer,
        "model_name": d.model_name,
        "os": d.os,
        "funding_source": d.funding_source,
        "programme": d.programme,
        "purchase_date": d.purchase_date,
        "cost": int(d.cost) if d.cost is not None else None,
        "warranty_end": d.warranty_end,
        "location": d.location,
        "notes": d.notes,
        "byod": d.byod,
        "owner": d.owner.public_id if d.owner_id else None,
        "holder": d.holder.public_id if d.holder_id else None,
        "holder_name": d.holder.name if d.holder_id else None,
        "holder_class": d.holder_class.public_id if d.holder_class_id else None,
        "mdm_source": d.mdm_source,
        "mdm_last_contact": d.mdm_last_contact,
        "last_seen_at": d.last_seen_at,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    }


def _reload(device: Device) -> Device:
    return Device.objects.select_related("school", "county", "holder", "holder_class", "owner").get(
        pk=device.pk
    )


def _require_reader(request: HttpRequest) -> None:
    if not sel.may_read_register(request.user):
        raise PermissionDenied(
            _("Only school and county staff, students and parents may use this.")
        )


def _require_staff(request: HttpRequest) -> None:
    if not sel.is_staff_reader(request.user):
        raise PermissionDenied(_("Only school and county staff may use this."))


def _require_manager(request: HttpRequest, obj: Device | Licence) -> None:
    if not sel.may_manage_device(request.user, obj):
        raise PermissionDenied(_("You may read this but not change it."))


def _place(request: HttpRequest, school: UUID | None, county: str | None) -> tuple[Any, Any]:
    """(county, school) for a new device or licence: a managed school, or a managed county's
    stock. Anything else is a 422 naming `school` (or `county`)."""
    if school is not None:
        s = ref_or_422(sel.managed_schools(request.user), "school", public_id=school)
        return s.county, s
    counties = County.objects.filter(pk__in=sel.managed_county_ids(request.user))
    if county:
        return ref_or_422(counties, "county", code=county), None
    found = list(counties[:2])
    if len(found) != 1:
        raise ValidationError(
            {"school": _("Give a school you manage (or the county, for the county's stock).")}
        )
    return found[0], None


def _licence(lic: Licence, request: HttpRequest, used: int | None = None) -> dict[str, Any]:
    manager = sel.may_manage_device(request.user, lic)
    return {
        "public_id": lic.public_id,
        "name": lic.name,
        "vendor": lic.vendor,
        "county": lic.county.code,
        "school": lic.school.public_id if lic.school_id else None,
        "school_name": lic.school.name if lic.school_id else None,
        "seats": lic.seats,
        "used": used if used is not None else LicenceSeat.objects.filter(licence=lic).count(),
        "starts_on": lic.starts_on,
        "expires_on": lic.expires_on,
        "cost": int(lic.cost) if lic.cost is not None else None,
        "funding_source": lic.funding_source,
        "licence_key": lic.licence_key if manager else None,
        "notes": lic.notes,
    }


def _seat(seat: LicenceSeat) -> dict[str, Any]:
    return {
        "public_id": seat.public_id,
        "licence": seat.licence.public_id,
        "person": seat.person.public_id if seat.person_id else None,
        "person_name": seat.person.name if seat.person_id else None,
        "device": seat.device.public_id if seat.device_id else None,
        "device_tag": seat.device.asset_tag if seat.device_id else None,
        "assigned_at": seat.assigned_at,
    }


# --------------------------------------------------------------------------- devices


@router.get(
    "/devices",
    response=responses({200: list[DeviceOut]}, 403, 422),
    summary="List devices",
    description=(
        "The devices you may see, with the register page's filters and sorts, paged. Staff of a "
        "school see its register (county staff the county's, with its own stock); students "
        "only the devices they hold or own, parents their children's. Other roles: 403."
    ),
)
@paged
def device_list(request: HttpRequest, filters: Query[DeviceFilterIn]) -> Any:
    _require_reader(request)
    f = sel.DeviceFilters(**filters.model_dump())
    return [_device(d) for d in sel.device_list(user=request.user, filters=f)]


@router.post(
    "/devices",
    response=responses({201: DeviceOut}, 403, 422),
    summary="Register a device",
    description=(
        "Register a device in a school you manage, or in the county's stock (`school` null; "
        "county users). With `byod_student`, a family-owned device of that student (held and "
        "owned by the student). 422 names each bad field: a duplicate asset tag or serial in "
        "the county, an unknown kind, a warranty ending before the purchase. Teachers: 403."
    ),
)
def device_create(request: HttpRequest, data: DeviceIn) -> Any:
    if not sel.may_manage_any(request.user):
        raise PermissionDenied(_("Only administrators may register devices."))
    county, school = _place(request, data.school, data.county)
    values = data.model_dump(exclude={"school", "county", "byod_student"})
    if data.byod_student is not None:
        if school is None:
            raise ValidationError({"school": _("A student's own device belongs to a school.")})
        student = ref_or_422(
            sel.students_of_school(school), "byod_student", public_id=data.byod_student
        )
        device = register_services.byod_register(
            school=school, student=student, actor=request.user, request=request, **values
        )
    else:
        device = services.device_create(
            county=county, school=school, actor=request.user, request=request, **values
        )
    return Status(201, _device(_reload(device)))


@router.get(
    "/devices/{public_id}",
    response=responses({200: DeviceOut}, 404),
    summary="One device",
    description="A device you may see; 404 if it is missing or not yours.",
)
def device_get(request: HttpRequest, public_id: PublicId) -> Any:
    return _device(_reload(sel.device_or_404(request.user, public_id)))


@router.patch(
    "/devices/{public_id}",
    response=responses({200: DeviceOut}, 403, 404, 422),
    summary="Change a device",
    description=(
        "Change register fields (only those sent). The history records what changed. "
        "Read-only users (teachers, students): 403; 422 names each bad field."
    ),
)
def device_patch(request: HttpRequest, public_id: PublicId, data: DevicePatch) -> Any:
    device = sel.device_or_404(request.user, public_id)
    _require_manager(request, device)
    values = data.model_dump(exclude_unset=True)
    for name in ("serial", "manufacturer", "model_name", "os", "programme", "location", "notes"):
        if name in values and values[name] is None:
            values[name] = ""
    services.device_update(device=device, actor=request.user, request=request, **values)
    return _device(_reload(device))


@router.post(
    "/devices/{public_id}/status",
    response=responses({200: DeviceOut}, 403, 404, 422),
    summary="Change a device's status",
    description=(
        "Send for repair (in_repair), bring back or report found (in_stock), report lost or "
        "retire. Assigned and on_loan follow assignments and loans (422). A held device must "
        "be taken back before it is retired (422)."
    ),
)
def device_status(request: HttpRequest, public_id: PublicId, data: StatusIn) -> Any:
    device = sel.device_or_404(request.user, public_id)
    _require_manager(request, device)
    services.device_set_status(
        device=device, status=data.status, note=data.note, actor=request.user, request=request
    )
    return _device(_reload(device))


@router.post(
    "/devices/{public_id}/transfer",
    response=responses({200: DeviceOut}, 403, 404, 422),
    summary="Move a device to another school",
    description=(
        "Move the device to another school of its county that you manage, or (county users) to "
        "the county's stock with `school` null. A school you may not use is a 422 naming "
        "`school`; a held device must be taken back first (422)."
    ),
)
def device_transfer(request: HttpRequest, public_id: PublicId, data: TransferIn) -> Any:
    device = sel.device_or_404(request.user, public_id)
    _require_manager(request, device)
    if data.school is None:
        if device.county_id not in sel.managed_county_ids(request.user):
            raise ValidationError({"school": _("Only the county's office keeps county stock.")})
        school = None
    else:
        school = ref_or_422(
            sel.managed_schools(request.user).filter(county_id=device.county_id),
            "school",
            public_id=data.school,
        )
    services.device_transfer(
        device=device, school=school, note=data.note, actor=request.user, request=request
    )
    return _device(_reload(device))


@router.get(
    "/devices/{public_id}/events",
    response=responses({200: list[EventOut]}, 403, 404, 422),
    summary="A device's history",
    description=(
        "Every event of the device, newest first, paged: registered, edited, assigned, lent, "
        "returned, repaired, moved … with who did it. For staff (students and parents: 403)."
    ),
)
@paged
def device_events(request: HttpRequest, public_id: PublicId) -> Any:
    device = sel.device_or_404(request.user, public_id)
    _require_staff(request)
    return [
        {
            "at": e.at,
            "kind": e.kind,
            "kind_label": str(DeviceEvent.Kind(e.kind).label)
            if e.kind in DeviceEvent.Kind.values
            else e.kind,
            "actor": (
                (getattr(e.actor.person, "name", None) if e.actor.person_id else None)
                or e.actor.get_username()
            )
            if e.actor_id
            else None,
            "person": e.person.name if e.person_id else None,
            "note": e.note,
            "detail": e.detail if isinstance(e.detail, dict) else {},
        }
        for e in sel.device_events(device)
    ]


# --------------------------------------------------------------------------- licences


@router.get(
    "/licences",
    response=responses({200: list[LicenceOut]}, 403, 422),
    summary="List software licences",
    description=(
        "Licences of your schools and your county's county-wide licences, with seats used, "
        "paged. `school` filters by a school's id or `county` (county-wide); `expiry` by "
        "`expiring` (within 90 days) or `expired`. For staff only (others: 403)."
    ),
)
@paged
def licence_list(
    request: HttpRequest,
    q: str = Query("", description="Search in software and vendor."),
    school: str = Query("", description="A school's id, or `county` for county-wide ones."),
    expiry: str = Query("", description="`expiring` or `expired`."),
) -> Any:
    _require_staff(request)
    qs = sel.licence_list(user=request.user, q=q, school=school, expiry=expiry)
    return [_licence(lic, request, used=lic.used) for lic in qs]


@router.post(
    "/licences",
    response=responses({201: LicenceOut}, 403, 422),
    summary="Add a software licence",
    description=(
        "A licence of a school you manage, or county-wide (`school` null; county users). "
        "422 names each bad field (no seats, expiry before the start …). Teachers: 403."
    ),
)
def licence_create(request: HttpRequest, data: LicenceIn) -> Any:
    if not sel.may_manage_any(request.user):
        raise PermissionDenied(_("Only administrators may add licences."))
    county, school = _place(request, data.school, data.county)
    values = data.model_dump(exclude={"school", "county"})
    lic = licence_services.licence_create(
        county=county, school=school, actor=request.user, request=request, **values
    )
    return Status(201, _licence(lic, request))


@router.get(
    "/licences/{public_id}",
    response=responses({200: LicenceDetailOut}, 403, 404),
    summary="One software licence",
    description="A licence with its seats in use; 404 if it is missing or not yours.",
)
def licence_get(request: HttpRequest, public_id: PublicId) -> Any:
    _require_staff(request)
    lic = sel.licence_or_404(request.user, public_id)
    return {
        **_licence(lic, request),
        "seat_list": [_seat(s) for s in sel.licence_seats(request.user, lic)],
    }


@router.patch(
    "/licences/{public_id}",
    response=responses({200: LicenceOut}, 403, 404, 422),
    summary="Change a software licence",
    description=(
        "Change the fields sent. The seats cannot go below those in use (422 naming `seats`). "
        "Read-only users: 403."
    ),
)
def licence_patch(request: HttpRequest, public_id: PublicId, data: LicencePatch) -> Any:
    _require_staff(request)
    lic = sel.licence_or_404(request.user, public_id)
    _require_manager(request, lic)
    values = data.model_dump(exclude_unset=True)
    for name in ("vendor", "funding_source", "licence_key", "notes"):
        if name in values and values[name] is None:
            values[name] = ""
    if values.get("name", "") is None or values.get("seats", 1) is None:
        raise ValidationError(
            {k: _("This field cannot be empty.") for k in ("name", "seats") if k in values}
        )
    lic = licence_services.licence_update(
        licence=lic, actor=request.user, request=request, **values
    )
    return _licence(lic, request)


@router.post(
    "/licences/{public_id}/seats",
    response=responses({201: SeatOut}, 403, 404, 422),
    summary="Give a seat of a licence",
    description=(
        "Give one seat to a person or a device you may see (one of the two). When every seat "
        "is in use the answer is 422 naming the field, and nothing is saved."
    ),
)
def seat_create(request: HttpRequest, public_id: PublicId, data: SeatIn) -> Any:
    _require_staff(request)
    lic = sel.licence_or_404(request.user, public_id)
    _require_manager(request, lic)
    person = device = None
    if data.person is not None and data.device is not None:
        raise ValidationError({"person": _("Give a device or a person (one of the two).")})
    if data.device is not None:
        device = ref_or_422(
            Device.objects.visible_to(request.user), "device", public_id=data.device
        )
    elif data.person is not None:
        person = ref_or_422(
            Person.objects.visible_to(request.user), "person", public_id=data.person
        )
    seat = licence_services.seat_assign(
        licence=lic, person=person, device=device, actor=request.user, request=request
    )
    seat = LicenceSeat.objects.select_related("licence", "person", "device").get(pk=seat.pk)
    return Status(201, _seat(seat))


@router.delete(
    "/seats/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Free a licence seat",
    description="Free the seat; for those who may change its licence (read-only users: 403).",
)
def seat_delete(request: HttpRequest, public_id: PublicId) -> Any:
    _require_staff(request)
    seat = LicenceSeat.objects.select_related("licence").filter(public_id=public_id).first()
    if seat is None:
        raise Http404
    lic = sel.licence_or_404(request.user, seat.licence.public_id)
    if not sel.licence_seats(request.user, lic).filter(pk=seat.pk).exists():
        raise Http404
    _require_manager(request, lic)
    licence_services.seat_release(seat=seat, actor=request.user, request=request)
    return Status(204, None)
