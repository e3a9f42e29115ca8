"""Indicators of the devices module (DESIGN.md rule 4), registered when the app is ready.

School level (Table 7):
- `devices.per_student` (S1.D1): student devices (tablets, laptops, Chromebooks; neither lost
  nor retired; not BYOD) per student; students are the current enrolments (else the school's
  recorded student count). Achieved at 1.0.
- `devices.home_device_share` (S1.M1): of the current students whose home access is known (a
  support record saying yes/shared/no, or a loan), the share with a device at home: their own
  (`StudentSupport.device_at_home` yes) or an active take-home loan or loaner of a student
  device. Students nobody asked are left out rather than counted as without: a school that
  records home access for its students in need only gets the share among them.
- `devices.home_internet_share` (S1.M1): the same for internet at home (`internet_at_home` yes
  or an active hotspot loan).
- `devices.take_home_share` (S1.M2: BYOD and take-home policies): the share of current students
  with an active take-home loan of a student device or a registered BYOD device.
- `devices.support_coverage` (S1.M1): of the students who need support (any support category),
  the share with both a device and a connection at home. Achieved at 100.
- `devices.in_repair`, `devices.repairs_overdue` (S1.A1): devices in repair, and those in repair
  for more than 30 days (lower is better).
- `devices.idle_share` (S1.A1, S5.D1): of the MDM-managed student devices, the share whose last
  MDM contact is older than the DEVICES_IDLE_DAYS setting (30 days; lower is better).
- `devices.stocktake_done` (S1.A1): a stocktake closed in the last 12 months (yes/no).

County level (Table 6): `devices.county_per_student` (L3.D1), `devices.county_support_coverage`
(L3.M1), `devices.county_in_repair` and `devices.county_repairs_overdue` (L3.A1),
`devices.county_idle_share` (L3.A1) and `devices.county_stocktake_share` (L3.A1: share of the
county's schools with devices that closed a stocktake in the last 12 months). The county
figures count the county's schools (and, for repairs and idle devices, its own stock).

None where there is nothing to measure: no students, no device registered, no student whose
home access is known, no student who needs support, no MDM-managed device.

`as_of`: honoured where the data has dates — devices count from their `created_at`, loans
from `starts_on` until `ended_at`, enrolments by the term begun by then, stocktakes by
`closed_at`. Not honoured where only the present is stored: a device's status (in repair,
lost, retired), its last MDM contact and a student's support record (`StudentSupport` keeps the
current answer only); these are read as they are now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from dtss.core.indicators import Indicator, memoized, register

OLD_REPAIR_DAYS = 30


def _ids(orgs: Sequence[Any]) -> tuple[int, ...]:
    return tuple(sorted(o.pk for o in orgs))


def _one(many: Any) -> Any:
    return lambda org, as_of: many([org], as_of).get(org.pk)


def _share(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None


def _schools(level: str, ids: tuple[int, ...]) -> list[Any]:
    from dtss.orgs.models import School

    key = "county_id" if level == "county" else "pk"
    return list(School.objects.filter(**{f"{key}__in": ids}, active=True))


def _device_counts(level: str, ids: tuple[int, ...], as_of: dt.date) -> dict[int, tuple[int, int]]:
    """{org id: (devices registered by as_of, of which student devices)}, one query, shared by
    the indicators of one reading. A county counts its schools' devices (not its own stock)."""
    from dtss.devices.models import Device
    from dtss.devices.review_selectors import end_of, student_device_q

    key = "county_id" if level == "county" else "school_id"

    def run() -> dict[int, tuple[int, int]]:
        qs = Device.objects.filter(**{f"{key}__in": ids}, created_at__lt=end_of(as_of))
        if level == "county":
            qs = qs.filter(school__isnull=False)
        rows = (
            qs.values(key)
            .annotate(n=Count("id"), students=Count("id", filter=student_device_q()))
            .values_list(key, "n", "students")
        )
        return {pk: (n, students) for pk, n, students in rows}

    return memoized(("devices.counts", level, ids, as_of), run)


def _registered(level: str, ids: tuple[int, ...], as_of: dt.date) -> dict[int, int]:
    """{org id: devices registered by as_of}."""
    return {pk: n for pk, (n, _s) in _device_counts(level, ids, as_of).items()}


def _active_assignment_q(as_of: dt.date) -> Q:
    """An assignment open on `as_of`: begun by then, not ended before its end (and handed out:
    active or recalled while open, returned once ended)."""
    from dtss.devices.models import Assignment
    from dtss.devices.review_selectors import end_of

    statuses = (Assignment.Status.ACTIVE, Assignment.Status.RECALLED)
    return Q(starts_on__lte=as_of) & (
        Q(ended_at__isnull=True, status__in=statuses)
        | Q(ended_at__gte=end_of(as_of), status=Assignment.Status.RETURNED)
    )


def _loans(kinds: Sequence[str], as_of: dt.date, *, take_home_only: bool = False) -> Any:
    from dtss.devices.models import Assignment

    loan_kinds = (
        [Assignment.Kind.LOAN] if take_home_only else [Assignment.Kind.LOAN, Assignment.Kind.LOANER]
    )
    return Assignment.objects.filter(
        _active_assignment_q(as_of),
        person_id=OuterRef("student_id"),
        kind__in=loan_kinds,
        device__kind__in=list(kinds),
    )


# --------------------------------------------------------------------------- devices per student


def _per_student(level: str, orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.devices.review_selectors import students_by_school
    from dtss.orgs.models import School

    ids = _ids(orgs)
    if level == "county":
        schools = School.objects.filter(county_id__in=ids, active=True)
    else:
        schools = School.objects.filter(pk__in=ids)
    pupils: dict[int, int] = {}
    for pk, (county_id, students) in students_by_school(schools, as_of).items():
        org = county_id if level == "county" else pk
        pupils[org] = pupils.get(org, 0) + students
    counts = _device_counts(level, ids, as_of)
    out: dict[int, float | None] = {}
    for pk in ids:
        registered, student_devices = counts.get(pk, (0, 0))
        out[pk] = round(student_devices / pupils[pk], 2) if pupils.get(pk) and registered else None
    return out


def per_student_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _per_student("school", orgs, as_of)


def county_per_student_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _per_student("county", orgs, as_of)


# --------------------------------------------------------------------------- home access


def _home_access(ids: tuple[int, ...], as_of: dt.date) -> dict[int, dict[str, int]]:
    """{school id: {"total", "device", "internet", "take_home", "known_device",
    "known_internet"}} over each school's current students (the students with a support
    record of the school when it has no enrolments)."""
    from dtss.devices.models import (
        CONNECTIVITY_KINDS,
        STUDENT_DEVICE_KINDS,
        Device,
        StudentSupport,
    )
    from dtss.devices.review_selectors import INACTIVE, current_enrollment_q
    from dtss.orgs.models import Enrollment

    yes = StudentSupport.Access.YES

    def support(q: Q) -> Exists:
        return Exists(StudentSupport.objects.filter(q, student_id=OuterRef("student_id")))

    device_loan = Exists(_loans(STUDENT_DEVICE_KINDS, as_of))
    hotspot_loan = Exists(_loans(CONNECTIVITY_KINDS, as_of))
    take_home = Exists(_loans(STUDENT_DEVICE_KINDS, as_of, take_home_only=True))
    byod = Exists(
        Device.objects.filter(
            owner_id=OuterRef("student_id"),
            byod=True,
            kind__in=list(STUDENT_DEVICE_KINDS),
            created_at__lt=_end(as_of),
        ).exclude(status__in=INACTIVE)
    )
    with_device = Q(support(Q(device_at_home=yes))) | Q(device_loan)
    with_internet = Q(support(Q(internet_at_home=yes))) | Q(hotspot_loan)

    def aggregate(qs: Any) -> dict[int, dict[str, int]]:
        rows = (
            qs.values("school_id")
            .annotate(
                total=Count("student_id", distinct=True),
                device=Count("student_id", distinct=True, filter=with_device),
                internet=Count("student_id", distinct=True, filter=with_internet),
                take_home=Count("student_id", distinct=True, filter=Q(take_home) | Q(byod)),
                known_device=Count(
                    "student_id",
                    distinct=True,
                    filter=Q(device_loan) | Q(support(~Q(device_at_home=""))),
                ),
                known_internet=Count(
                    "student_id",
                    distinct=True,
                    filter=Q(hotspot_loan) | Q(support(~Q(internet_at_home=""))),
                ),
            )
            .values(
                "school_id",
                "total",
                "device",
                "internet",
                "take_home",
                "known_device",
                "known_internet",
            )
        )
        return {r.pop("school_id"): r for r in rows}

    out: dict[int, dict[str, int]] = {}
    q = current_enrollment_q(ids, as_of)
    if q is not None:
        out.update(aggregate(Enrollment.objects.filter(q)))
    rest = [pk for pk in ids if pk not in out]
    if rest:
        out.update(aggregate(StudentSupport.objects.filter(school_id__in=rest)))
    return out


def _end(as_of: dt.date) -> dt.datetime:
    from dtss.devices.review_selectors import end_of

    return end_of(as_of)


def _home(orgs: Sequence[Any], as_of: dt.date) -> dict[int, dict[str, int]]:
    ids = _ids(orgs)
    return memoized(("devices.home", ids, as_of), lambda: _home_access(ids, as_of))


def home_device_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _home(orgs, as_of)
    return {
        pk: _share(r["device"], r["known_device"])
        if (r := rows.get(pk)) and r["known_device"]
        else None
        for pk in _ids(orgs)
    }


def home_internet_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _home(orgs, as_of)
    return {
        pk: _share(r["internet"], r["known_internet"])
        if (r := rows.get(pk)) and r["known_internet"]
        else None
        for pk in _ids(orgs)
    }


def take_home_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    """None for a school without students or without any registered device."""
    rows = _home(orgs, as_of)
    registered = _registered("school", _ids(orgs), as_of)
    return {
        pk: _share(r["take_home"], r["total"])
        if (r := rows.get(pk)) and registered.get(pk)
        else None
        for pk in _ids(orgs)
    }


# --------------------------------------------------------------------------- support coverage


def _coverage(level: str, ids: tuple[int, ...], as_of: dt.date) -> dict[int, float | None]:
    """Of the students who need support (any category of their support record), the share
    with a device and a connection at home. The support record is read as it is now."""
    from dtss.devices.models import CONNECTIVITY_KINDS, STUDENT_DEVICE_KINDS, StudentSupport

    key = "county_id" if level == "county" else "school_id"
    needs = Q(pk__in=[])
    for name in StudentSupport.CATEGORY_FIELDS:
        needs |= Q(**{name: True})
    yes = StudentSupport.Access.YES
    device = Q(device_at_home=yes) | Q(Exists(_loans(STUDENT_DEVICE_KINDS, as_of)))
    internet = Q(internet_at_home=yes) | Q(Exists(_loans(CONNECTIVITY_KINDS, as_of)))
    rows = (
        StudentSupport.objects.filter(needs, **{f"{key}__in": ids})
        .values(key)
        .annotate(
            total=Count("student_id", distinct=True),
            covered=Count("student_id", distinct=True, filter=device & internet),
        )
        .values_list(key, "total", "covered")
    )
    counts = {pk: (total, covered) for pk, total, covered in rows}
    return {pk: _share(counts[pk][1], counts[pk][0]) if pk in counts else None for pk in ids}


def support_coverage_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _coverage("school", _ids(orgs), as_of)


def county_support_coverage_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _coverage("county", _ids(orgs), as_of)


# --------------------------------------------------------------------------- repairs, idle


def _repairs(level: str, ids: tuple[int, ...], as_of: dt.date) -> dict[int, tuple[int, int]]:
    """{org id: (devices in repair, of which sent more than 30 days before as_of)}; orgs
    without a registered device are left out."""
    from django.db.models.functions import Coalesce

    from dtss.devices.models import Device
    from dtss.devices.review_selectors import end_of, repair_started

    key = "county_id" if level == "county" else "school_id"
    registered = dict(
        Device.objects.filter(**{f"{key}__in": ids}, created_at__lt=end_of(as_of))
        .values(key)
        .annotate(n=Count("id"))
        .values_list(key, "n")
    )
    before = end_of(as_of - dt.timedelta(days=OLD_REPAIR_DAYS + 1))
    rows = dict(
        (pk, (n, old))
        for pk, n, old in Device.objects.filter(
            **{f"{key}__in": ids},
            created_at__lt=end_of(as_of),
            status=Device.Status.IN_REPAIR,
        )
        .annotate(since=Coalesce(repair_started(), "updated_at"))
        .values(key)
        .annotate(n=Count("id"), old=Count("id", filter=Q(since__lt=before)))
        .values_list(key, "n", "old")
    )
    return {pk: rows.get(pk, (0, 0)) for pk in ids if registered.get(pk)}


def _repairs_memo(level: str, orgs: Sequence[Any], as_of: dt.date) -> dict[int, tuple[int, int]]:
    ids = _ids(orgs)
    return memoized(("devices.repairs", level, ids, as_of), lambda: _repairs(level, ids, as_of))


def _repair_value(level: str, index: int) -> Any:
    def many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
        rows = _repairs_memo(level, orgs, as_of)
        return {pk: float(rows[pk][index]) if pk in rows else None for pk in _ids(orgs)}

    return many


def _idle(level: str, ids: tuple[int, ...], as_of: dt.date) -> dict[int, float | None]:
    """Of the MDM-managed student devices, % whose last contact is over 30 days before
    as_of (the last contact is the one stored now)."""
    from dtss.devices.models import Device
    from dtss.devices.review_selectors import end_of, student_device_q

    key = "county_id" if level == "county" else "school_id"
    from dtss.devices.review_selectors import idle_days_default

    before = end_of(as_of - dt.timedelta(days=idle_days_default() + 1))
    rows = (
        Device.objects.filter(
            student_device_q(),
            **{f"{key}__in": ids},
            created_at__lt=end_of(as_of),
            mdm_last_contact__isnull=False,
        )
        .values(key)
        .annotate(n=Count("id"), idle=Count("id", filter=Q(mdm_last_contact__lt=before)))
        .values_list(key, "n", "idle")
    )
    counts = {pk: (n, idle) for pk, n, idle in rows}
    return {pk: _share(counts[pk][1], counts[pk][0]) if pk in counts else None for pk in ids}


def idle_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _idle("school", _ids(orgs), as_of)


def county_idle_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return _idle("county", _ids(orgs), as_of)


# --------------------------------------------------------------------------- stocktakes


def _stocktaken(school_ids: Sequence[int], as_of: dt.date) -> set[int]:
    """Schools that closed a stocktake in the 12 months up to as_of."""
    from dtss.devices.models import Stocktake
    from dtss.devices.review_selectors import end_of

    return set(
        Stocktake.objects.filter(
            school_id__in=list(school_ids),
            status=Stocktake.Status.CLOSED,
            closed_at__lt=end_of(as_of),
            closed_at__gte=end_of(as_of - dt.timedelta(days=365)),
        ).values_list("school_id", flat=True)
    )


def stocktake_done_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    ids = _ids(orgs)
    registered = _registered("school", ids, as_of)
    done = _stocktaken(ids, as_of)
    return {pk: (1.0 if pk in done else 0.0) if registered.get(pk) else None for pk in ids}


def county_stocktake_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    """Of the county's active schools with registered devices, % with a stocktake closed in
    the last 12 months."""
    ids = _ids(orgs)
    schools = _schools("county", ids)
    registered = _registered("school", tuple(s.pk for s in schools), as_of)
    with_devices = [s for s in schools if registered.get(s.pk)]
    done = _stocktaken([s.pk for s in with_devices], as_of)
    out: dict[int, float | None] = {}
    for pk in ids:
        mine = [s.pk for s in with_devices if s.county_id == pk]
        out[pk] = _share(sum(1 for s in mine if s in done), len(mine))
    return out


# --------------------------------------------------------------------------- registration


def _register(
    id: str,
    level: str,
    strategies: tuple[str, ...],
    many: Any,
    title_zh: str,
    title_en: str,
    description_zh: str,
    description_en: str,
    **kw: Any,
) -> None:
    register(
        Indicator(
            id=id,
            level=level,  # type: ignore[arg-type]
            strategies=strategies,
            title_zh=title_zh,
            title_en=title_en,
            compute=_one(many),
            compute_many=many,
            description_zh=description_zh,
            description_en=description_en,
            **kw,
        )
    )


_register(
    "devices.per_student",
    "school",
    ("S1.D1",),
    per_student_many,
    "每生學習載具數",
    "Student devices per student",
    "平板、筆電、Chromebook（不含遺失、報廢與自帶載具）數除以本學期在籍學生數。",
    "Tablets, laptops and Chromebooks (not lost, retired or BYOD) per currently enrolled student.",
    unit="ratio",
    achieved_at=1.0,
)
_register(
    "devices.county_per_student",
    "county",
    ("L3.D1",),
    county_per_student_many,
    "全縣市每生學習載具數",
    "Student devices per student (county)",
    "各校學生載具總數除以各校在籍學生總數。",
    "The schools' student devices over their students.",
    unit="ratio",
    achieved_at=1.0,
)
_register(
    "devices.home_device_share",
    "school",
    ("S1.M1",),
    home_device_many,
    "在家有學習載具的學生比率",
    "Students with a device at home",
    "已知家中情形的在籍學生中，家中有可用載具（自有）或正借用學校學生載具回家者的比率。",
    "Of the enrolled students whose home access is known: those with their own device at "
    "home or an active take-home "
    "loan of a school student device.",
    unit="%",
)
_register(
    "devices.home_internet_share",
    "school",
    ("S1.M1",),
    home_internet_many,
    "在家可上網的學生比率",
    "Students with internet at home",
    "已知家中情形的在籍學生中，家中可上網或正借用行動網卡者的比率。",
    "Of the enrolled students whose home access is known: those with internet at home or an "
    "active hotspot loan.",
    unit="%",
)
_register(
    "devices.take_home_share",
    "school",
    ("S1.M2",),
    take_home_many,
    "載具帶回家或自帶載具的學生比率",
    "Students with a take-home or own registered device",
    "在籍學生中，正借用學生載具帶回家（THSD）或已登錄自帶載具（BYOD）者的比率。",
    "Of the enrolled students: those with an active take-home loan of a student device "
    "(THSD) or a registered own device (BYOD).",
    unit="%",
)
_register(
    "devices.support_coverage",
    "school",
    ("S1.M1",),
    support_coverage_many,
    "需協助學生在家載具與網路皆備比率",
    "Students needing support with a device and internet at home",
    "具弱勢身分（低收、中低收、身障、原住民、偏遠等）的學生中，在家同時有載具與網路者的比率。",
    "Of the students in a support category (low income, disability, indigenous, remote …): "
    "those with both a device and a connection at home.",
    unit="%",
    achieved_at=100.0,
)
_register(
    "devices.county_support_coverage",
    "county",
    ("L3.M1",),
    county_support_coverage_many,
    "全縣市弱勢學生在家載具與網路皆備比率",
    "Disadvantaged students with a device and internet at home (county)",
    "全縣市具弱勢身分的學生中，在家同時有載具與網路（含借用）者的比率。",
    "Over the county: students in a support category with both a device and a connection at "
    "home (own or lent).",
    unit="%",
    achieved_at=100.0,
)
for _level, _prefix, _codes in (
    ("school", "devices.", ("S1.A1",)),
    ("county", "devices.county_", ("L3.A1",)),
):
    _where_zh = "全縣市" if _level == "county" else ""
    _where_en = " (county)" if _level == "county" else ""
    _register(
        f"{_prefix}in_repair",
        _level,
        _codes,
        _repair_value(_level, 0),
        f"{_where_zh}送修中設備數",
        f"Devices in repair{_where_en}",
        "目前狀態為送修中的設備數。",
        "Devices whose status is in repair.",
        unit="count",
        higher_is_better=False,
    )
    _register(
        f"{_prefix}repairs_overdue",
        _level,
        _codes,
        _repair_value(_level, 1),
        f"{_where_zh}送修逾 30 天設備數",
        f"Devices in repair for more than 30 days{_where_en}",
        "送修中且送修已逾 30 天的設備數。",
        "Devices in repair, sent more than 30 days ago.",
        unit="count",
        higher_is_better=False,
    )
_register(
    "devices.idle_share",
    "school",
    ("S1.A1", "S5.D1"),
    idle_share_many,
    "閒置學生載具比率",
    "Idle student devices",
    "受 MDM 管理的學生載具中，超過 30 天未與 MDM 連線者的比率。",
    "Of the MDM-managed student devices: those with no MDM contact for more than 30 days.",
    unit="%",
    higher_is_better=False,
)
_register(
    "devices.county_idle_share",
    "county",
    ("L3.A1",),
    county_idle_share_many,
    "全縣市閒置學生載具比率",
    "Idle student devices (county)",
    "全縣市受 MDM 管理的學生載具中，超過 30 天未與 MDM 連線者的比率。",
    "Over the county: MDM-managed student devices with no contact for more than 30 days.",
    unit="%",
    higher_is_better=False,
)
_register(
    "devices.stocktake_done",
    "school",
    ("S1.A1",),
    stocktake_done_many,
    "近一年完成設備盤點",
    "Device stocktake in the last 12 months",
    "近 12 個月內是否完成（結案）一次設備盤點。",
    "Whether a device stocktake was closed in the last 12 months.",
    unit="yes/no",
    achieved_at=1.0,
)
_register(
    "devices.county_stocktake_share",
    "county",
    ("L3.A1",),
    county_stocktake_share_many,
    "近一年完成設備盤點的學校比率",
    "Schools with a stocktake in the last 12 months",
    "有登錄設備的學校中，近 12 個月內完成設備盤點者的比率。",
    "Of the schools with registered devices: those that closed a stocktake in the last 12 months.",
    unit="%",
)
