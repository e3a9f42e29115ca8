"""API of the devices module: review — a school's review figures, the county's table, and
QR stocktakes (the same rules as the pages in `review_views.py`).

School staff and county staff read (others 403); another tenant's school or stocktake is 404;
starting, scanning and closing a stocktake is for the school's managers
(`access.may_manage_school`; a reader who may not gets 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices import review_selectors as sel
from dtss.devices import review_services as svc
from dtss.devices.models import Stocktake
from dtss.devices.review_views import scan_json, state_json

router = Router(tags=["devices"])
PublicId = Annotated[UUID, Path(description="The stocktake's id (its public_id).")]
READERS = "For school staff and county staff (others: 403)."


def _reader(request: HttpRequest) -> None:
    if not sel.may_read_review(request.user):
        raise PermissionDenied(_("Only school and county staff may read the device review."))


# --------------------------------------------------------------------------- schemas


class ReviewQuery(Schema):
    idle_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="A device with no MDM contact for this many days is idle (default: the "
        "DEVICES_IDLE_DAYS setting, 30).",
    )


class SchoolReviewQuery(ReviewQuery):
    school: UUID = Field(description="The school's id (public_id).")


class LicenceOut(Schema):
    name: str = Field(description="The software.")
    expires_on: dt.date | None = Field(description="When the licence expires (null: no end).")
    seats: int = Field(description="Seats bought.")
    seats_used: int = Field(description="Seats in use.")


class ReviewOut(Schema):
    school: UUID = Field(description="The school's id.")
    school_code: str = Field(description="The MOE school code.")
    school_name: str = Field(description="The school's name.")
    students: int = Field(
        description="Students: current enrolments, else the school's recorded count."
    )
    devices: int = Field(description="Every registered device of the school.")
    student_devices: int = Field(
        description="Tablets, laptops and Chromebooks, not lost or retired, not BYOD."
    )
    per_student: float | None = Field(
        description="Student devices per student (null: no students or no devices)."
    )
    in_repair: int = Field(description="Devices in repair.")
    repair_share: float | None = Field(
        description="% of the devices not lost that are in repair (null: none registered)."
    )
    repairs_old: int = Field(description="Devices in repair for more than 30 days.")
    idle_days: int = Field(description="The idle threshold used, in days.")
    idle: int = Field(description="Student devices with no MDM contact for idle_days.")
    managed: int = Field(description="Student devices an MDM has reported.")
    not_managed: int = Field(description="Student devices no MDM has ever reported.")
    warranty_soon: int = Field(description="Devices whose warranty ends in the next 90 days.")
    warranty_ended: int = Field(description="Devices in use whose warranty has ended.")
    licences_soon: int = Field(description="Licences expiring in the next 90 days.")
    seats_used: int = Field(description="Seats in use over the school's licences.")
    seats_total: int = Field(description="Seats bought over the school's licences.")
    lost: int = Field(description="Devices reported lost.")
    last_stocktake: UUID | None = Field(description="The last closed stocktake (null: none).")
    last_stocktake_closed_at: dt.datetime | None = Field(description="When it was closed.")
    last_stocktake_missing: int | None = Field(description="Devices missing at it.")


class SchoolReviewOut(ReviewOut):
    licences: list[LicenceOut] = Field(description="The school's licences, soonest end first.")


class StocktakeQuery(Schema):
    school: UUID | None = Field(None, description="Only this school's stocktakes.")
    status: Stocktake.Status | None = Field(None, description="open or closed.")


class StocktakeIn(Schema):
    school: UUID = Field(description="The school to count (one you manage).")
    location: str = Field(
        "", description="Only the devices recorded at this location (empty: the whole school)."
    )
    title: str = Field("", description="A title (empty: the date and location).")


class ScanIn(Schema):
    code: str = Field(
        description="The code read: DTSS:<asset tag> from a label, a bare asset tag, or the "
        "serial number."
    )


class CloseIn(Schema):
    mark_lost: bool = Field(False, description="Also report every missing device lost.")


class StocktakeOut(Schema):
    public_id: UUID = Field(description="The stocktake's id.")
    school: UUID = Field(description="The school's id.")
    school_name: str = Field(description="The school's name.")
    title: str = Field(description="The title.")
    location: str = Field(description="The location counted (empty: the whole school).")
    status: str = Field(description="open or closed.")
    created_at: dt.datetime = Field(description="When it was started.")
    closed_at: dt.datetime | None = Field(description="When it was closed.")
    missing_count: int | None = Field(description="Devices missing, frozen at closing.")


class DeviceRef(Schema):
    asset_tag: str = Field(description="The asset tag.")
    public_id: str | None = Field(
        None, description="The device's id (devices of another school: omitted)."
    )
    model: str | None = Field(None, description="The model.")
    kind: str | None = Field(None, description="The kind, in words.")
    location: str | None = Field(None, description="Where it is recorded.")


class ScanLine(Schema):
    code: str = Field(description="The code read.")
    result: str = Field(description="found, unexpected, unknown or repeat.")
    text: str = Field(description="The result in words.")
    device: DeviceRef | None = Field(description="The device the code names (null: unknown).")
    at: str = Field(description="When it was read (ISO 8601).")


class Counts(Schema):
    expected: int = Field(description="Devices expected.")
    found: int = Field(description="Expected devices scanned.")
    missing: int = Field(description="Expected devices not scanned (frozen when closed).")
    unexpected: int = Field(description="Devices scanned that were not expected here.")
    unknown: int = Field(description="Codes not in the register.")
    repeat: int = Field(description="Codes read again.")


class StateOut(Schema):
    public_id: str = Field(description="The stocktake's id.")
    status: str = Field(description="open or closed.")
    counts: Counts = Field(description="The counts.")
    missing: list[DeviceRef] = Field(description="Devices expected and not scanned.")
    found: list[ScanLine] = Field(description="Scans that found an expected device.")
    unexpected: list[ScanLine] = Field(description="Scans of devices not expected here.")
    unknown: list[ScanLine] = Field(description="Scans of codes not in the register.")


class StocktakeDetailOut(StocktakeOut):
    state: StateOut = Field(description="What has been found and what is missing.")


class ScanResult(Schema):
    code: str = Field(description="The code read.")
    result: str = Field(description="found, unexpected, unknown or repeat.")
    reason: str = Field(
        description="Why unexpected: another_school, county_stock, another_location, lost, "
        "retired or on_loan (empty otherwise)."
    )
    text: str = Field(description="The result in words.")
    device: DeviceRef | None = Field(description="The device the code names (null: unknown).")


class ScanOut(Schema):
    scan: ScanResult = Field(description="This scan.")
    state: StateOut = Field(description="The stocktake after it.")


# --------------------------------------------------------------------------- review


def _review_out(r: sel.SchoolReview, idle_days: int, *, licences: bool = False) -> dict[str, Any]:
    st = r.last_stocktake
    out: dict[str, Any] = {
        "school": r.school.public_id,
        "school_code": r.school.code,
        "school_name": r.school.name,
        "students": r.students,
        "devices": r.devices,
        "student_devices": r.student_devices,
        "per_student": r.per_student,
        "in_repair": r.in_repair,
        "repair_share": r.repair_share,
        "repairs_old": r.repairs_old,
        "idle_days": idle_days,
        "idle": r.idle,
        "managed": r.managed,
        "not_managed": r.not_managed,
        "warranty_soon": r.warranty_soon,
        "warranty_ended": r.warranty_ended,
        "licences_soon": r.licences_soon,
        "seats_used": r.seats_used,
        "seats_total": r.seats_total,
        "lost": r.lost,
        "last_stocktake": st.public_id if st else None,
        "last_stocktake_closed_at": st.closed_at if st else None,
        "last_stocktake_missing": r.last_missing,
    }
    if licences:
        out["licences"] = [
            {
                "name": x.name,
                "expires_on": x.expires_on,
                "seats": x.seats,
                "seats_used": x.used,  # type: ignore[attr-defined]
            }
            for x in r.licence_rows
        ]
    return out


@router.get(
    "/device-review",
    response=responses({200: SchoolReviewOut}, 403, 404, 422),
    summary="A school's device review",
    description=(
        "The periodic review of one school's devices (S1.A1): devices per student, repairs, "
        "idle and unmanaged devices, warranties, licences, lost devices and the last "
        f"stocktake. {READERS} Another tenant's school: 404."
    ),
)
def school_review(request: HttpRequest, filters: Query[SchoolReviewQuery]) -> Any:
    _reader(request)
    school = sel.review_schools(request.user).filter(public_id=filters.school).first()
    if school is None:
        raise Http404
    days = filters.idle_days or sel.idle_days_default()
    (r,) = sel.review_many(user=request.user, schools=[school], idle_days=days)
    return _review_out(r, days, licences=True)


@router.get(
    "/device-review/county",
    response=responses({200: list[ReviewOut]}, 403, 422),
    summary="The device review of every school",
    description=(
        "One entry per active school of the caller's counties, by school code (L3.A1). For "
        "county staff (others: 403)."
    ),
)
@paged
def county_review(request: HttpRequest, filters: Query[ReviewQuery]) -> Any:
    _reader(request)
    scope = scope_for(request.user)
    if not (scope.county_ids or scope.superuser):
        raise PermissionDenied(_("Only county staff may read the review of every school."))
    days = filters.idle_days or sel.idle_days_default()
    schools = list(sel.review_schools(request.user).filter(active=True))
    return [
        _review_out(r, days)
        for r in sel.review_many(user=request.user, schools=schools, idle_days=days)
    ]


# --------------------------------------------------------------------------- stocktakes


def _stocktake_out(st: Stocktake) -> dict[str, Any]:
    return {
        "public_id": st.public_id,
        "school": st.school.public_id,
        "school_name": st.school.name,
        "title": st.title,
        "location": st.location,
        "status": st.status,
        "created_at": st.created_at,
        "closed_at": st.closed_at,
        "missing_count": len(st.missing_ids) if st.status == Stocktake.Status.CLOSED else None,
    }


def _detail(st: Stocktake) -> dict[str, Any]:
    return {**_stocktake_out(st), "state": state_json(sel.stocktake_state(st))}


def _for_write(request: HttpRequest, public_id: UUID) -> Stocktake:
    _reader(request)
    st = get_visible_or_404(Stocktake, request.user, public_id)
    if not access.may_manage_school(
        scope_for(request.user), school_id=st.school_id, county_id=st.county_id
    ):
        raise PermissionDenied(_("Only the school's managers may change its stocktakes."))
    return st


@router.get(
    "/stocktakes",
    response=responses({200: list[StocktakeOut]}, 403, 422),
    summary="List stocktakes",
    description=f"Stocktakes of the schools you can see, newest first. {READERS}",
)
@paged
def stocktake_list(request: HttpRequest, filters: Query[StocktakeQuery]) -> Any:
    _reader(request)
    qs = sel.stocktakes_for(request.user)
    if filters.school:
        qs = qs.filter(school__public_id=filters.school)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_stocktake_out(st) for st in qs]


@router.post(
    "/stocktakes",
    response=responses({201: StocktakeDetailOut}, 403, 422),
    summary="Start a stocktake",
    description=(
        "Start counting a school's devices (optionally those at one location). For the "
        "school's managers (its administrators and the county's office); a school you cannot "
        "manage is a 422 on `school`."
    ),
)
def stocktake_create(request: HttpRequest, payload: StocktakeIn) -> Any:
    _reader(request)
    if not access.manages_any(request.user):
        raise PermissionDenied(_("Only the school's managers may start a stocktake."))
    scope = scope_for(request.user)
    school = sel.review_schools(request.user).filter(public_id=payload.school).first()
    if school is None or not access.may_manage_school(
        scope, school_id=school.pk, county_id=school.county_id
    ):
        raise ValidationError({"school": _("No such school, or not one you may manage.")})
    st = svc.stocktake_create(
        school=school,
        location=payload.location,
        title=payload.title,
        actor=request.user,
        request=request,
    )
    return Status(201, _detail(st))


@router.get(
    "/stocktakes/{public_id}",
    response=responses({200: StocktakeDetailOut}, 403, 404),
    summary="Get a stocktake",
    description=(
        "The stocktake with its counts, the devices still missing (frozen once closed), and "
        f"the unexpected and unknown codes. {READERS} Another tenant's: 404."
    ),
)
def stocktake_detail(request: HttpRequest, public_id: PublicId) -> Any:
    _reader(request)
    return _detail(get_visible_or_404(Stocktake, request.user, public_id))


@router.post(
    "/stocktakes/{public_id}/scans",
    response=responses({200: ScanOut}, 403, 404, 422),
    summary="Record a scanned code",
    description=(
        "Record one code read from a label (`DTSS:<asset tag>`, a bare asset tag, or the "
        "serial number): found, unexpected, unknown or repeat. A found device's last-seen time "
        "is set and a history line added. For the school's managers; a closed stocktake is a "
        "422."
    ),
)
def stocktake_scan(request: HttpRequest, public_id: PublicId, payload: ScanIn) -> Any:
    st = _for_write(request, public_id)
    scan, reason = svc.stocktake_scan(
        stocktake=st, code=payload.code, actor=request.user, request=request
    )
    return scan_json(scan, reason, sel.stocktake_state(st))


@router.post(
    "/stocktakes/{public_id}/close",
    response=responses({200: StocktakeDetailOut}, 403, 404, 422),
    summary="Close a stocktake",
    description=(
        "Freeze the devices still missing; with `mark_lost`, report each of them lost. For the "
        "school's managers; an already closed stocktake is a 422."
    ),
)
def stocktake_close(request: HttpRequest, public_id: PublicId, payload: CloseIn) -> Any:
    st = _for_write(request, public_id)
    st = svc.stocktake_close(
        stocktake=st, actor=request.user, mark_lost=payload.mark_lost, request=request
    )
    return _detail(Stocktake.objects.select_related("school").get(pk=st.pk))
