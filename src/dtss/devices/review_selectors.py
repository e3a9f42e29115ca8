"""Reads of the periodic review (S1.A1, L3.A1) and of stocktakes.

Everything starts from `visible_to(user)`; the figures of many schools are computed together
(a constant number of queries, whatever the number of schools). The counting rules are shared
with `indicators.py`:

- *student devices*: kinds in `STUDENT_DEVICE_KINDS`, not lost or retired, not BYOD;
- *students*: the current enrolments of the school (its classes of the latest term begun by the
  day), falling back to `School.student_count` when it has none;
- *idle*: a device an MDM has reported, whose last contact is older than N days; a device no
  MDM ever reported is "not managed" and counted apart;
- *in repair*: status in repair; the repair began at its latest "sent for repair" event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.devices.models import (
    STUDENT_DEVICE_KINDS,
    Device,
    DeviceEvent,
    Licence,
    Stocktake,
    StocktakeScan,
)
from dtss.orgs.models import School

SOON_DAYS = 90
OLD_REPAIR_DAYS = 30
INACTIVE = (Device.Status.LOST, Device.Status.RETIRED)


def idle_days_default() -> int:
    return int(getattr(settings, "DEVICES_IDLE_DAYS", 30))


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# --------------------------------------------------------------------------- who reads


def may_read_review(user: Any) -> bool:
    """School staff (teachers too) and county staff read the review; not students, parents or
    the MOE viewer (the register is a school's and county's working data)."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.staff_school_ids or scope.county_ids)


def review_schools(user: Any) -> QuerySet[School]:
    """The schools whose review the user may read."""
    scope = scope_for(user)
    qs = School.objects.visible_to(user).select_related("county")
    if not scope.superuser:
        qs = qs.filter(Q(pk__in=scope.staff_school_ids) | Q(county_id__in=scope.county_ids))
    return qs.order_by("county_id", "code")


# --------------------------------------------------------------------------- shared counts


def student_device_q(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}status__in": INACTIVE}) & Q(
        **{f"{prefix}kind__in": list(STUDENT_DEVICE_KINDS), f"{prefix}byod": False}
    )


def current_enrollment_q(school_ids: Iterable[int], as_of: dt.date) -> Q | None:
    """Enrollment rows of each school's current term: the latest term of its classes begun by
    `as_of` (None when no school has classes then)."""
    from dtss.orgs.models import SchoolClass

    latest = (
        SchoolClass.objects.filter(school_id__in=list(school_ids), term__start_date__lte=as_of)
        .values("school_id")
        .annotate(start=Max("term__start_date"))
        .values_list("school_id", "start")
    )
    by_start: dict[dt.date, list[int]] = defaultdict(list)
    for school_id, start in latest:
        by_start[start].append(school_id)
    if not by_start:
        return None
    q = Q(pk__in=[])
    for start, ids in by_start.items():
        q |= Q(school_id__in=ids, school_class__term__start_date=start)
    return q


def students_by_school(schools: QuerySet[School], as_of: dt.date) -> dict[int, tuple[int, int]]:
    """{school id: (county id, students)} in one query: the enrolments of each school's current
    term (the latest term of its classes begun by `as_of`), else its recorded student count."""
    from dtss.orgs.models import Enrollment, SchoolClass

    latest = (
        SchoolClass.objects.filter(school_id=OuterRef(OuterRef("pk")), term__start_date__lte=as_of)
        .order_by("-term__start_date")
        .values("term__start_date")[:1]
    )
    enrolled = (
        Enrollment.objects.filter(
            school_id=OuterRef("pk"), school_class__term__start_date=Subquery(latest)
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("student_id", distinct=True))
        .values("n")
    )
    rows = schools.order_by().annotate(enrolled=Subquery(enrolled))
    return {
        pk: (county_id, enrolled or recorded)
        for pk, county_id, recorded, enrolled in rows.values_list(
            "pk", "county_id", "student_count", "enrolled"
        )
    }


def student_counts(schools: Sequence[School], as_of: dt.date) -> dict[int, int]:
    """{school id: students}: current enrolments, else the school's recorded student count."""
    rows = students_by_school(School.objects.filter(pk__in=[s.pk for s in schools]), as_of)
    return {s.pk: rows[s.pk][1] if s.pk in rows else 0 for s in schools}


def repair_started() -> Any:
    """A subquery: when the device was last sent for repair."""
    return (
        DeviceEvent.objects.filter(device_id=OuterRef("pk"), kind=DeviceEvent.Kind.REPAIR_OUT)
        .order_by("-at")
        .values("at")[:1]
    )


# --------------------------------------------------------------------------- the review


@dataclass
class SchoolReview:
    school: School
    students: int
    devices: int  # every registered device (any kind, any status)
    student_devices: int
    in_repair: int
    lost: int
    idle: int
    managed: int
    not_managed: int
    warranty_soon: int
    warranty_ended: int
    repairs_old: int
    licences: int
    licences_soon: int
    seats_used: int
    seats_total: int
    last_stocktake: Stocktake | None = None
    last_missing: int | None = None
    licence_rows: list[Licence] = field(default_factory=list)

    @property
    def per_student(self) -> float | None:
        if not self.students or not self.devices:
            return None
        return round(self.student_devices / self.students, 2)

    @property
    def repair_share(self) -> float | None:
        active = self.devices - self.lost
        return round(100 * self.in_repair / active, 1) if active > 0 else None


def review_many(
    *, user: Any, schools: Sequence[School], idle_days: int, today: dt.date | None = None
) -> list[SchoolReview]:
    """The review figures of the given schools (already filtered by `review_schools`)."""
    today = today or timezone.localdate()
    now = timezone.now()
    ids = [s.pk for s in schools]
    if not ids:
        return []
    devices = Device.objects.visible_to(user).filter(school_id__in=ids)
    idle_before = now - dt.timedelta(days=idle_days)
    soon = today + dt.timedelta(days=SOON_DAYS)
    student = student_device_q()
    rows = {
        r["school_id"]: r
        for r in devices.values("school_id").annotate(
            devices=Count("id"),
            student_devices=Count("id", filter=student),
            in_repair=Count("id", filter=Q(status=Device.Status.IN_REPAIR)),
            lost=Count("id", filter=Q(status=Device.Status.LOST)),
            managed=Count("id", filter=student & Q(mdm_last_contact__isnull=False)),
            idle=Count("id", filter=student & Q(mdm_last_contact__lt=idle_before)),
            not_managed=Count("id", filter=student & Q(mdm_last_contact__isnull=True)),
            warranty_soon=Count(
                "id",
                filter=~Q(status__in=INACTIVE) & Q(warranty_end__gte=today, warranty_end__lte=soon),
            ),
            warranty_ended=Count("id", filter=~Q(status__in=INACTIVE) & Q(warranty_end__lt=today)),
        )
    }
    old = dict(
        devices.filter(status=Device.Status.IN_REPAIR)
        .annotate(since=Coalesce(repair_started(), "updated_at"))
        .filter(since__lt=now - dt.timedelta(days=OLD_REPAIR_DAYS))
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    licences: dict[int, list[Licence]] = defaultdict(list)
    for lic in (
        Licence.objects.visible_to(user)
        .filter(school_id__in=ids)
        .annotate(used=Count("seat_rows"))
        .order_by("expires_on", "name")
    ):
        licences[lic.school_id].append(lic)
    last: dict[int, Stocktake] = {}
    for st in (
        Stocktake.objects.visible_to(user)
        .filter(school_id__in=ids, status=Stocktake.Status.CLOSED)
        .order_by("school_id", "-closed_at", "-id")
    ):
        last.setdefault(st.school_id, st)
    students = student_counts(schools, today)
    out = []
    for s in schools:
        r = rows.get(s.pk, {})
        lics = licences.get(s.pk, [])
        st = last.get(s.pk)
        out.append(
            SchoolReview(
                school=s,
                students=students[s.pk],
                devices=r.get("devices", 0),
                student_devices=r.get("student_devices", 0),
                in_repair=r.get("in_repair", 0),
                lost=r.get("lost", 0),
                idle=r.get("idle", 0),
                managed=r.get("managed", 0),
                not_managed=r.get("not_managed", 0),
                warranty_soon=r.get("warranty_soon", 0),
                warranty_ended=r.get("warranty_ended", 0),
                repairs_old=old.get(s.pk, 0),
                licences=len(lics),
                licences_soon=sum(
                    1 for x in lics if x.expires_on and today <= x.expires_on <= soon
                ),
                seats_used=sum(x.used for x in lics),  # type: ignore[attr-defined]
                seats_total=sum(x.seats for x in lics),
                last_stocktake=st,
                last_missing=len(st.missing_ids) if st else None,
                licence_rows=lics,
            )
        )
    return out


def county_totals(reviews: Sequence[SchoolReview]) -> dict[str, Any]:
    keys = [
        "students",
        "devices",
        "student_devices",
        "in_repair",
        "lost",
        "idle",
        "managed",
        "not_managed",
        "warranty_soon",
        "warranty_ended",
        "repairs_old",
        "licences_soon",
        "seats_used",
        "seats_total",
    ]
    total = {k: sum(getattr(r, k) for r in reviews) for k in keys}
    total["per_student"] = (
        round(total["student_devices"] / total["students"], 2)
        if total["students"] and total["devices"]
        else None
    )
    return total


def idle_devices(*, user: Any, school: School, idle_days: int) -> QuerySet[Device]:
    """The school's idle student devices (MDM contact older than `idle_days`)."""
    before = timezone.now() - dt.timedelta(days=idle_days)
    return (
        Device.objects.visible_to(user)
        .filter(student_device_q(), school=school, mdm_last_contact__lt=before)
        .order_by("mdm_last_contact", "asset_tag")
    )


def unmanaged_devices(*, user: Any, school: School) -> QuerySet[Device]:
    return (
        Device.objects.visible_to(user)
        .filter(student_device_q(), school=school, mdm_last_contact__isnull=True)
        .order_by("asset_tag")
    )


def old_repairs(*, user: Any, school: School) -> QuerySet[Device]:
    before = timezone.now() - dt.timedelta(days=OLD_REPAIR_DAYS)
    return (
        Device.objects.visible_to(user)
        .filter(school=school, status=Device.Status.IN_REPAIR)
        .annotate(since=Coalesce(repair_started(), "updated_at"))
        .filter(since__lt=before)
        .order_by("since")
    )


# --------------------------------------------------------------------------- stocktakes


def stocktakes_for(user: Any, *, school: School | None = None) -> QuerySet[Stocktake]:
    qs = Stocktake.objects.visible_to(user).select_related("school", "started_by")
    if school is not None:
        qs = qs.filter(school=school)
    return qs.annotate(
        found=Count("scans", filter=Q(scans__result=StocktakeScan.Result.FOUND))
    ).order_by("-created_at", "-id")


def expected_devices(stocktake: Stocktake) -> QuerySet[Device]:
    """The devices the stocktake expects to find: the school's (at the location, if one was
    given), neither lost nor retired, and not out on a take-home loan."""
    qs = Device.objects.filter(school_id=stocktake.school_id).exclude(
        status__in=(*INACTIVE, Device.Status.ON_LOAN)
    )
    if stocktake.location:
        qs = qs.filter(location=stocktake.location)
    return qs


@dataclass
class StocktakeState:
    stocktake: Stocktake
    expected: int
    found: list[StocktakeScan]
    missing: list[Device]
    unexpected: list[StocktakeScan]
    unknown: list[StocktakeScan]
    repeats: int
    on_loan: int

    @property
    def counts(self) -> dict[str, int]:
        return {
            "expected": self.expected,
            "found": len(self.found),
            "missing": len(self.missing),
            "unexpected": len(self.unexpected),
            "unknown": len(self.unknown),
            "repeat": self.repeats,
        }


def stocktake_state(stocktake: Stocktake) -> StocktakeState:
    """Found, missing, unexpected and unknown, live while open; from the frozen list once
    closed (devices found are those scanned; missing those frozen at closing)."""
    scans = list(
        StocktakeScan.objects.filter(stocktake=stocktake)
        .select_related("device", "device__school")
        .order_by("-at", "-id")
    )
    by = defaultdict(list)
    for scan in scans:
        by[scan.result].append(scan)
    found_ids = {s.device_id for s in by[StocktakeScan.Result.FOUND]}
    if stocktake.status == Stocktake.Status.CLOSED:
        missing = list(Device.objects.filter(pk__in=stocktake.missing_ids).order_by("asset_tag"))
        expected = len(found_ids) + len(missing)
    else:
        qs = expected_devices(stocktake)
        expected = qs.count()
        missing = list(qs.exclude(pk__in=found_ids).order_by("asset_tag"))
    on_loan = Device.objects.filter(school_id=stocktake.school_id, status=Device.Status.ON_LOAN)
    if stocktake.location:
        on_loan = on_loan.filter(location=stocktake.location)
    return StocktakeState(
        stocktake=stocktake,
        expected=expected,
        found=by[StocktakeScan.Result.FOUND],
        missing=missing,
        unexpected=by[StocktakeScan.Result.UNEXPECTED],
        unknown=by[StocktakeScan.Result.UNKNOWN],
        repeats=len(by[StocktakeScan.Result.REPEAT]),
        on_loan=on_loan.count(),
    )


def locations_of(school: School) -> list[str]:
    """The locations recorded on the school's devices (for the stocktake form)."""
    return list(
        Device.objects.filter(school=school)
        .exclude(location="")
        .values_list("location", flat=True)
        .distinct()
        .order_by("location")
    )
