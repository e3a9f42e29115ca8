"""Reads of the register: devices, their history, licences and seats.

Every query starts from `visible_to(user)` (DESIGN.md rule 1); who may change what is asked of
`access.py`. The list's filters and sorts are shared by the page, its CSV/XLSX export, the
label sheet and `GET /api/v1/devices`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dtss.core.tenancy import Scope, get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices.models import Device, DeviceEvent, Licence, LicenceSeat
from dtss.orgs.models import Person, Role, School

# A warranty "expiring" ends within this many days (a device is "idle" after the
# DEVICES_IDLE_DAYS setting: review_selectors.idle_days_default).
WARRANTY_SOON_DAYS = 90
STOCK = "county"  # the school filter's value for the county's own stock

SORT_FIELDS = {
    "tag": "asset_tag",
    "kind": "kind",
    "status": "status",
    "purchase": "purchase_date",
    "warranty": "warranty_end",
    "mdm": "mdm_last_contact",
}


def sort_order(sort: str) -> list[Any]:
    """Order-by expressions of a sort key ("tag", "-warranty" …); empty dates always last."""
    desc = sort.startswith("-")
    name = SORT_FIELDS.get(sort.lstrip("-"), "asset_tag")
    expr = F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True)
    tie = F("id").desc() if desc and name == "asset_tag" else F("id").asc()
    return [expr, *([] if name == "asset_tag" else [F("asset_tag").asc()]), tie]


@dataclass
class DeviceFilters:
    """What the register list is filtered and sorted by (every field optional)."""

    q: str = ""
    school: str = ""  # a school's public_id, or STOCK for the county's own stock
    kind: str = ""
    status: str = ""
    funding_source: str = ""
    programme: str = ""
    warranty: str = ""  # "expiring" or "expired"
    mdm: str = ""  # "idle"
    byod: str = ""  # "yes" (own devices only) or "no" (school devices only)
    sort: str = "tag"

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


# --------------------------------------------------------------------------- who


def may_read_register(user: Any) -> bool:
    """Staff of a school or county, the MOE viewer, and students and parents (their own)."""
    scope = scope_for(user)
    return scope.is_staff_level or bool(scope.student_school_ids or scope.parent_school_ids)


def is_staff_reader(user: Any) -> bool:
    """Whether the user reads registers as staff (history, seats, holders of others)."""
    return scope_for(user).is_staff_level


def may_manage(scope: Scope, *, school_id: int | None, county_id: int) -> bool:
    """Change a device or licence of a school, or of the county (school_id None)."""
    if school_id is None:
        return access.may_manage_county(scope, county_id=county_id)
    return access.may_manage_school(scope, school_id=school_id, county_id=county_id)


def may_manage_device(user: Any, device: Device | Licence) -> bool:
    return may_manage(scope_for(user), school_id=device.school_id, county_id=device.county_id)


def managed_schools(user: Any) -> QuerySet[School]:
    """The schools whose register the user may change."""
    scope = scope_for(user)
    qs = School.objects.select_related("county").order_by("county_id", "code")
    if scope.superuser:
        return qs
    q = Q(pk__in=scope.admin_school_ids)
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    return qs.filter(q)


def managed_county_ids(user: Any) -> set[int]:
    """The counties whose own stock (and county-wide licences) the user may change."""
    scope = scope_for(user)
    if scope.superuser:
        from dtss.orgs.models import County

        return set(County.objects.values_list("pk", flat=True))
    return set(scope.county_ids)


def may_manage_any(user: Any) -> bool:
    return access.manages_any(user)


def readable_schools(user: Any) -> QuerySet[School]:
    """Schools offered in the list's school filter (those whose register the user reads)."""
    scope = scope_for(user)
    qs = School.objects.select_related("county").order_by("county_id", "code")
    if scope.superuser or scope.everything:
        return qs
    q = Q(pk__in=scope.staff_school_ids)
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    return qs.filter(q)


def sees_county_stock(user: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or scope.everything or bool(scope.county_ids)


# --------------------------------------------------------------------------- devices


def device_list(*, user: Any, filters: DeviceFilters | None = None) -> QuerySet[Device]:
    """The devices the user may see, filtered and sorted."""
    f = filters or DeviceFilters()
    qs = Device.objects.visible_to(user).select_related(
        "school", "county", "holder", "holder_class", "owner"
    )
    qs = device_filter(qs, f)
    return qs.order_by(*sort_order(f.sort))


def device_filter(qs: QuerySet[Device], f: DeviceFilters) -> QuerySet[Device]:
    q = f.q.strip()
    if q:
        qs = qs.filter(
            Q(asset_tag__icontains=q)
            | Q(serial__icontains=q)
            | Q(model_name__icontains=q)
            | Q(manufacturer__icontains=q)
            | Q(holder__name__icontains=q)
            | Q(owner__name__icontains=q)
        )
    if f.school == STOCK:
        qs = qs.filter(school__isnull=True)
    elif f.school:
        try:
            qs = qs.filter(school__public_id=UUID(str(f.school)))
        except ValueError:
            qs = qs.none()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.funding_source:
        qs = qs.filter(funding_source=f.funding_source)
    if f.programme:
        qs = qs.filter(programme__icontains=f.programme.strip())
    today = timezone.localdate()
    if f.warranty == "expired":
        qs = qs.filter(warranty_end__lt=today)
    elif f.warranty == "expiring":
        qs = qs.filter(
            warranty_end__gte=today,
            warranty_end__lte=today + dt.timedelta(days=WARRANTY_SOON_DAYS),
        )
    if f.mdm == "idle":
        from dtss.devices.review_selectors import idle_days_default

        cutoff = timezone.now() - dt.timedelta(days=idle_days_default())
        qs = qs.exclude(mdm_source="").filter(
            Q(mdm_last_contact__isnull=True) | Q(mdm_last_contact__lt=cutoff)
        )
    if f.byod == "yes":
        qs = qs.filter(byod=True)
    elif f.byod == "no":
        qs = qs.filter(byod=False)
    return qs


def status_counts(qs: QuerySet[Device]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, over the given (filtered) devices."""
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return [(value, str(label), counts.get(value, 0)) for value, label in Device.Status.choices]


def device_or_404(user: Any, public_id: UUID | str) -> Device:
    return get_visible_or_404(Device, user, public_id)


def device_events(device: Device) -> QuerySet[DeviceEvent]:
    """The device's whole history, newest first."""
    return device.events.select_related("actor", "actor__person", "person").order_by("-at", "-id")


def event_rows(events: Any) -> list[dict[str, Any]]:
    """History lines with their changes in words: (field label, before, after)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext as _

    rows = list(events)
    school_ids = set()
    for e in rows:
        for key in ("from_school", "to_school"):
            if isinstance(e.detail.get(key), int):
                school_ids.add(e.detail[key])
    names = {s.pk: s.name for s in School.objects.filter(pk__in=school_ids)}
    stock = _("County stock")

    def status(value: Any) -> str:
        try:
            return str(Device.Status(value).label)
        except ValueError:
            return str(value or "")

    out = []
    for e in rows:
        detail = e.detail if isinstance(e.detail, dict) else {}
        changes: list[tuple[str, str, str]] = []
        for name, pair in (detail.get("changed") or {}).items():
            try:
                label = str(Device._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                label = name
            if isinstance(pair, list | tuple) and len(pair) == 2:
                changes.append((label, str(pair[0]), str(pair[1])))
        if "from" in detail and "to" in detail:
            changes.append((str(_("Status")), status(detail["from"]), status(detail["to"])))
        if "to_school" in detail:
            changes.append(
                (
                    str(_("School")),
                    names.get(detail.get("from_school"), stock),
                    names.get(detail.get("to_school"), stock),
                )
            )
        out.append({"event": e, "changes": changes})
    return out


def transfer_targets(user: Any, device: Device) -> list[tuple[str, str]]:
    """Where the user may move the device: managed schools of its county, and the county's
    stock for county users. (value, label) pairs; value STOCK for the stock."""
    out: list[tuple[str, str]] = []
    if device.county_id in managed_county_ids(user) and device.school_id is not None:
        out.append((STOCK, ""))
    for school in managed_schools(user).filter(county_id=device.county_id):
        if school.pk != device.school_id:
            out.append((str(school.public_id), school.name))
    return out


def students_of_school(school: School) -> QuerySet[Person]:
    """The students of a school (those with a student membership there)."""
    return Person.objects.filter(
        memberships__school=school, memberships__role=Role.STUDENT
    ).distinct()


# --------------------------------------------------------------------------- licences


def licence_list(*, user: Any, q: str = "", school: str = "", expiry: str = "") -> QuerySet:
    """Licences the user may see (school staff also see their county's county-wide ones),
    each annotated with `used` seats."""
    qs = licence_visible(user).select_related("school", "county")
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(vendor__icontains=q.strip()))
    if school == STOCK:
        qs = qs.filter(school__isnull=True)
    elif school:
        try:
            qs = qs.filter(school__public_id=UUID(str(school)))
        except ValueError:
            qs = qs.none()
    today = timezone.localdate()
    if expiry == "expired":
        qs = qs.filter(expires_on__lt=today)
    elif expiry == "expiring":
        qs = qs.filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=90))
    return qs.annotate(used=Count("seat_rows")).order_by("name", "id")


def licence_visible(user: Any) -> QuerySet[Licence]:
    scope = scope_for(user)
    if not scope.is_staff_level:
        return Licence.objects.none()
    qs = Licence.objects.visible_to(user)
    if scope.staff_school_ids and not (scope.superuser or scope.everything):
        counties = School.objects.filter(pk__in=scope.staff_school_ids).values("county_id")
        qs = Licence.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(school__isnull=True, county_id__in=counties)
        )
    return qs


def licence_or_404(user: Any, public_id: UUID | str) -> Licence:
    try:
        return licence_visible(user).select_related("school", "county").get(public_id=public_id)
    except (Licence.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def licence_seats(user: Any, licence: Licence) -> QuerySet[LicenceSeat]:
    """The seats of a licence the user may see (others count but are not listed)."""
    qs = LicenceSeat.objects.filter(licence=licence).select_related("person", "device")
    if may_manage_device(user, licence) or scope_for(user).is_county_level:
        return qs
    return qs.filter(pk__in=LicenceSeat.objects.visible_to(user).values("pk"))


def device_seats(user: Any, device: Device) -> QuerySet[LicenceSeat]:
    """Licence seats on a device, of licences the user may see."""
    return LicenceSeat.objects.filter(
        device=device, licence__in=licence_visible(user).values("pk")
    ).select_related("licence")
