"""Demo data of the devices module (journey 8), registered in `DEMO_EXTENSIONS` (last).

For 南投縣 it generates each school's register — student tablets or Chromebooks of the 生生用平板
programme reported by Jamf School or Google Admin (a few idle, in repair or lost, older ones out
of warranty), an interactive display per classroom, projectors, network equipment and hotspots —
a county-wide and a school licence, the support records of students in need with their home
access, and take-home loans with signed agreements for most of those who lack a device at home.

So that journey 8 can be walked without typing data in first, 南投國小 (the demo IT head's
school) keeps a few students in need without a device (the loan queue, one with an open
request), the demo parent has one signed loan and one agreement waiting to be signed, a needs
collection is open with some schools' submissions in, and last year's procurement plan is
approved with 南投國小's allocation not yet received. Deterministic for a seed; bulk-written.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

DEMO_COUNTY_CODE = "10008"
DEMO_SCHOOL_CODE = "084601"  # 南投國小: the demo IT head, teacher, student and parent's child


def demo_devices(rng: random.Random, progress: Callable[[str], None]) -> None:
    from dtss.devices.models import Device
    from dtss.orgs.models import County

    county = County.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None or Device.objects.filter(county=county).exists():
        return
    progress("Devices: registers, loans, needs and procurement …")
    local = random.Random(rng.getrandbits(64))  # this module's draws do not shift others'
    _Demo(county=county, rng=local, today=timezone.localdate()).build(progress)


class _Demo:
    def __init__(self, *, county: Any, rng: random.Random, today: date) -> None:
        self.county = county
        self.rng = rng
        self.today = today
        self.tz = timezone.get_current_timezone()

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    def build(self, progress: Callable[[str], None]) -> None:
        from dtss.accounts.models import User
        from dtss.orgs.models import AcademicTerm, Enrollment, Guardianship, School

        self.admin = User.objects.filter(username="county.admin").first()
        self.ithead = User.objects.filter(username="ithead").first()
        self.parent_user = User.objects.filter(username="parent").first()
        schools = list(School.objects.filter(county=self.county).order_by("code"))
        enrolments: dict[int, list[Any]] = {}
        term = (
            AcademicTerm.objects.filter(
                start_date__lte=self.today, end_date__gte=self.today
            ).first()
            or AcademicTerm.objects.order_by("-roc_year", "-semester").first()
        )
        for e in (
            Enrollment.objects.filter(school__county=self.county, school_class__term=term)
            .select_related("student", "school_class")
            .order_by("school_class__grade", "school_class__number", "seat_number")
        ):
            enrolments.setdefault(e.school_id, []).append(e)
        guardians: dict[int, Any] = {}
        for g in Guardianship.objects.filter(county=self.county).select_related("parent"):
            guardians.setdefault(g.child_id, g.parent)
        self.guardians = guardians
        demo_parent_children = set()
        if self.parent_user is not None and self.parent_user.person_id:
            demo_parent_children = set(
                Guardianship.objects.filter(parent_id=self.parent_user.person_id).values_list(
                    "child_id", flat=True
                )
            )
        self.demo_children = demo_parent_children
        self.demo_parent = self.parent_user.person if demo_parent_children else None
        self.devices: list[Any] = []
        self.events: list[Any] = []
        self.assignments: list[Any] = []
        self.supports: list[Any] = []
        self.requests: list[Any] = []
        self.seq = 0
        self.demo_school = next((s for s in schools if s.code == DEMO_SCHOOL_CODE), None)
        for school in schools:
            self.school_register(school, enrolments.get(school.pk, []))
        self.save()
        self.licences(schools)
        self.needs_and_procurement(schools, enrolments)
        self.stocktake()
        progress(
            f"Devices: {len(self.devices)} devices, {len(self.supports)} students in need, "
            f"{len(self.assignments)} loans."
        )

    # --- the register -------------------------------------------------------------------
    def device(self, school: Any, kind: str, **values: Any) -> Any:
        from dtss.devices.models import Device, DeviceEvent

        self.seq += 1
        purchase = values.pop("purchase_date", None)
        d = Device(
            public_id=self.uid(),
            county=self.county,
            school=school,
            kind=kind,
            asset_tag=values.pop("asset_tag", f"{school.code}-{self.seq:05d}"),
            purchase_date=purchase,
            **values,
        )
        self.devices.append(d)
        self.events.append(
            (
                d,
                DeviceEvent(
                    public_id=self.uid(),
                    county=self.county,
                    school=school,
                    kind=DeviceEvent.Kind.CREATED,
                    note="",
                ),
            )
        )
        return d

    def school_register(self, school: Any, roster: list[Any]) -> None:
        from dtss.devices.models import Device, StudentSupport

        rng = self.rng
        remote = school.area in ("remote", "very_remote", "extremely_remote")
        n_students = len(roster) or school.student_count or 0
        # 生生用平板 (2022): elementary and junior high get iPads or Chromebooks; remote schools
        # one per student, the others a class set per three or four students plus later buys.
        ratio = rng.uniform(0.95, 1.1) if remote else rng.uniform(0.55, 0.9)
        n_tablets = round(n_students * ratio)
        chromebooks = school.stage in ("junior", "senior", "vocational", "complete") and (
            rng.random() < 0.6
        )
        bought = date(2022, 8, rng.randint(1, 28))
        for i in range(n_tablets):
            older = i < n_tablets // 5  # the first fifth are from 2019, out of warranty
            purchase = date(2019, 9, rng.randint(1, 28)) if older else bought
            warranty = purchase + timedelta(days=365 * (3 if older else 5))
            kind = "chromebook" if chromebooks else "tablet"
            r = rng.random()
            status = Device.Status.IN_STOCK
            if r < 0.025:
                status = Device.Status.IN_REPAIR
            elif r < 0.035:
                status = Device.Status.LOST
            elif r < 0.045 and older:
                status = Device.Status.RETIRED
            mdm_days = (
                rng.choice([0, 0, 1, 1, 2, 3, 5, 8])
                if rng.random() > 0.08
                else rng.randint(35, 200)
            )
            self.device(
                school,
                kind,
                serial=(
                    f"{'5CD' if chromebooks else 'DMP'}{school.code}{i:05d}{rng.randint(100, 999)}"
                ),
                manufacturer="Acer" if chromebooks else "Apple",
                model_name="Chromebook Spin 311" if chromebooks else "iPad (9th generation)",
                os="ChromeOS" if chromebooks else "iPadOS",
                funding_source="central",
                programme="生生用平板" if not older else "前瞻基礎建設",
                purchase_date=purchase,
                cost=Decimal(9800 if chromebooks else 10900),
                warranty_end=warranty,
                status=status,
                location=f"平板車 {i // 30 + 1}",
                mdm_source="google" if chromebooks else "jamf",
                mdm_id=f"{rng.getrandbits(48):012x}",
                mdm_last_contact=(
                    self.at(self.today - timedelta(days=mdm_days), rng.randint(8, 16))
                    if status not in (Device.Status.LOST, Device.Status.RETIRED)
                    else self.at(self.today - timedelta(days=rng.randint(120, 400)))
                ),
            )
        classes = {e.school_class_id: e.school_class for e in roster}
        for school_class in classes.values():
            self.device(
                school,
                "display",
                serial=f"IFP{school.code}{school_class.grade}{school_class.number:02d}",
                manufacturer="BenQ",
                model_name='RM6503 65" 互動觸控顯示器',
                funding_source="central",
                programme="班班有網路，生生用平板",
                purchase_date=date(2022, 7, 15),
                cost=Decimal(68000),
                warranty_end=date(2027, 7, 15),
                status=Device.Status.ASSIGNED,
                holder_class=school_class,
                location=f"{school_class.grade}年{school_class.number:02d}班教室",
            )
        for n in range(rng.randint(1, 3)):
            self.device(
                school,
                "projector",
                serial=f"PJ{school.code}{n:03d}",
                manufacturer="Epson",
                model_name="EB-X51",
                funding_source="school",
                purchase_date=date(2018, 3, 1),
                cost=Decimal(21000),
                warranty_end=date(2021, 3, 1),
                location="視聽教室" if n == 0 else "專科教室",
            )
        for n in range(2 + n_students // 300):
            self.device(
                school,
                "network",
                serial=f"AP{school.code}{n:03d}",
                manufacturer="Aruba",
                model_name="AP-505 無線基地台",
                funding_source="central",
                programme="校園網路優化",
                purchase_date=date(2021, 10, 1),
                cost=Decimal(15000),
                warranty_end=date(2026, 10, 1),
                location=f"{n + 1}樓走廊",
            )
        hotspots = [
            self.device(
                school,
                "hotspot",
                serial=f"HS{school.code}{n:03d}",
                manufacturer="中華電信",
                model_name="4G 行動網卡（學習用門號）",
                funding_source="county",
                programme="數位學習行動網卡",
                purchase_date=date(2023, 2, 1),
                cost=Decimal(1500),
                warranty_end=date(2025, 2, 1),
                location="資訊組",
            )
            for n in range(max(2, n_students // (25 if remote else 60)))
        ]
        # Students in need: about one in eight (more in 仁愛鄉), with their home access.
        needy: list[tuple[Any, Any]] = []
        for e in roster:
            if e.student_id in self.demo_children:
                continue  # see demo_family
            indigenous = school.district.code == "10008130"
            r = rng.random()
            share = 0.3 if indigenous else 0.12
            if r >= share:
                continue
            support = StudentSupport(
                public_id=self.uid(),
                county=self.county,
                school=school,
                student=e.student,
                low_income=rng.random() < 0.35,
                middle_low_income=rng.random() < 0.25,
                disability=rng.random() < 0.15,
                indigenous=indigenous and rng.random() < 0.8,
                remote=remote,
                device_at_home=rng.choice(["no", "no", "shared", "yes", ""]),
                internet_at_home=rng.choice(["no", "shared", "yes", "yes", ""]),
                updated_by=self.ithead,
            )
            if not (support.needs_support):
                support.other = True
                support.other_note = "家庭突遭變故"
            self.supports.append(support)
            needy.append((e, support))
        if school == self.demo_school:
            self.demo_family(school, roster)
        # Take-home loans for most students in need who lack a device or a connection at home.
        free = [
            d
            for d in self.devices
            if d.school is school
            and d.kind in ("tablet", "chromebook")
            and d.status == Device.Status.IN_STOCK
        ]
        rng.shuffle(free)
        free_hotspots = list(hotspots)
        keep_in_queue = 4 if school == self.demo_school else 0
        for e, support in needy:
            lacks_device = support.device_at_home != "yes"
            lacks_net = support.internet_at_home in ("no", "")
            if keep_in_queue and lacks_device:
                keep_in_queue -= 1
                if keep_in_queue == 3:
                    self.loan_request(school, e.student, "both", "家中沒有電腦，也沒有網路。")
                continue
            if lacks_device and free and rng.random() < 0.85:
                self.loan(school, free.pop(), e.student)
            if lacks_net and free_hotspots and rng.random() < 0.7:
                self.loan(school, free_hotspots.pop(), e.student)

    def demo_family(self, school: Any, roster: list[Any]) -> None:
        """The demo parent's child here borrows a tablet (signed); the other child's school
        has an agreement waiting for the parent's signature (see `save`)."""
        from dtss.devices.models import StudentSupport

        for e in roster:
            if e.student_id in self.demo_children:
                self.supports.append(
                    StudentSupport(
                        public_id=self.uid(),
                        county=self.county,
                        school=school,
                        student=e.student,
                        middle_low_income=True,
                        device_at_home="shared",
                        internet_at_home="yes",
                        updated_by=self.ithead,
                    )
                )

    def loan(self, school: Any, device: Any, student: Any, *, signed: bool = True) -> Any:
        from dtss.devices.loan_services import PAPER_MARK, agreement_render
        from dtss.devices.models import Assignment, Device

        start = self.today - timedelta(days=self.rng.randint(20, 200))
        parent = self.demo_parent if student.pk in self.demo_children else None
        parent = parent or self.guardians.get(student.pk)
        a = Assignment(
            public_id=self.uid(),
            county=self.county,
            school=school,
            device=device,
            kind=Assignment.Kind.LOAN,
            status=Assignment.Status.ACTIVE if signed else Assignment.Status.AWAITING_SIGNATURE,
            person=student,
            starts_on=start if signed else self.today,
            due_on=date(self.today.year + (1 if self.today.month >= 7 else 0), 7, 31),
            accessories="充電器、保護套" if device.kind != "hotspot" else "",
            condition_out="良好",
            created_by=self.ithead,
        )
        a.agreement_text = agreement_render(assignment=a)
        if signed and parent is not None:
            a.signed_by = parent
            a.signed_name = parent.name
            a.signed_at = self.at(start, 20)
        elif signed:  # no guardian on record: the school kept the paper agreement
            a.signed_name = "（紙本切結書）"
            a.signed_at = self.at(start, 9)
            a.note = PAPER_MARK
        self.assignments.append(a)
        if signed:
            device.status = Device.Status.ON_LOAN
            device.holder = student
        return a

    def loan_request(self, school: Any, student: Any, need: str, reason: str) -> None:
        from dtss.devices.models import LoanRequest

        self.requests.append(
            LoanRequest(
                public_id=self.uid(),
                county=self.county,
                school=school,
                student=student,
                need=need,
                reason=reason,
                requested_by=self.guardians.get(student.pk),
            )
        )

    def save(self) -> None:
        from dtss.devices.models import (
            Assignment,
            Device,
            DeviceEvent,
            LoanRequest,
            StudentSupport,
        )

        # The demo parent's two children: a signed loan at one school, one waiting at the other.
        by_school: dict[int, list[Any]] = {}
        for d in self.devices:
            if d.kind in ("tablet", "chromebook") and d.status == Device.Status.IN_STOCK:
                by_school.setdefault(d.school.pk, []).append(d)
        from dtss.orgs.models import Enrollment

        for n, e in enumerate(
            Enrollment.objects.filter(student_id__in=self.demo_children)
            .select_related("school", "student")
            .order_by("school__code")
        ):
            pool = by_school.get(e.school_id) or []
            if pool:
                self.loan(e.school, pool.pop(), e.student, signed=(n == 0))
        Device.objects.bulk_create(self.devices, batch_size=2000)
        events = []
        for d, ev in self.events:
            ev.device = d
            events.append(ev)
        DeviceEvent.objects.bulk_create(events, batch_size=2000)
        StudentSupport.objects.bulk_create(self.supports, batch_size=2000)
        LoanRequest.objects.bulk_create(self.requests)
        Assignment.objects.bulk_create(self.assignments, batch_size=2000)
        loan_events = []
        for a in self.assignments:
            active = a.status == Assignment.Status.ACTIVE
            kind = DeviceEvent.Kind.LOANED if active else DeviceEvent.Kind.LOAN_CREATED
            loan_events.append(
                DeviceEvent(
                    public_id=self.uid(),
                    county=self.county,
                    school=a.school,
                    device=a.device,
                    kind=kind,
                    person=a.person,
                    detail={"assignment": str(a.public_id)},
                )
            )
        DeviceEvent.objects.bulk_create(loan_events, batch_size=2000)
        for ev, a in zip(loan_events, self.assignments, strict=True):
            ev.at = a.signed_at or self.at(self.today, 9)  # bulk_update keeps the given time
        DeviceEvent.objects.bulk_update(loan_events, ["at"], batch_size=1000)
        Device.objects.bulk_update(
            [d for d in self.devices if d.holder is not None], ["status", "holder"], batch_size=2000
        )

    # --- licences, needs, procurement, stocktake ---------------------------------------
    def licences(self, schools: list[Any]) -> None:
        from dtss.devices.models import Licence, LicenceSeat

        Licence.objects.create(
            public_id=self.uid(),
            county=self.county,
            name="Jamf School（平板管理）",
            vendor="Jamf",
            seats=sum(1 for d in self.devices if d.mdm_source == "jamf") + 200,
            starts_on=date(self.today.year, 1, 1),
            expires_on=date(self.today.year, 12, 31),
            cost=Decimal(1200000),
            funding_source="central",
            notes="全縣授權，由資訊設備組管理。",
        )
        Licence.objects.create(
            public_id=self.uid(),
            county=self.county,
            name="Chrome Education Upgrade",
            vendor="Google",
            seats=sum(1 for d in self.devices if d.mdm_source == "google") + 100,
            starts_on=date(2022, 8, 1),
            cost=Decimal(2400000),
            funding_source="central",
            notes="永久授權（隨裝置）。",
        )
        if self.demo_school is not None:
            lic = Licence.objects.create(
                public_id=self.uid(),
                county=self.county,
                school=self.demo_school,
                name="GoodNotes 5（教師版）",
                vendor="GoodNotes",
                seats=10,
                starts_on=self.today - timedelta(days=300),
                expires_on=self.today + timedelta(days=65),
                cost=Decimal(9000),
                funding_source="school",
            )
            teachers = [
                d for d in self.devices if d.school is self.demo_school and d.kind == "display"
            ][:6]
            LicenceSeat.objects.bulk_create(
                [
                    LicenceSeat(
                        public_id=self.uid(),
                        county=self.county,
                        school=self.demo_school,
                        licence=lic,
                        device=d,
                    )
                    for d in teachers
                ]
            )

    def needs_and_procurement(self, schools: list[Any], enrolments: dict[int, list[Any]]) -> None:
        from dtss.devices.models import (
            NeedLine,
            NeedsCollection,
            NeedSubmission,
            ProcurementAllocation,
            ProcurementLine,
            ProcurementPlan,
        )

        rng = self.rng
        roc = self.today.year - 1911
        # Last year's collection, closed, and its plan: approved, 南投國小's share not received.
        old = NeedsCollection.objects.create(
            public_id=self.uid(),
            county=self.county,
            title=f"{roc - 1}年度 數位學習設備需求調查",
            instructions="請依學生數與現有設備填報需求。",
            kinds=["tablet", "chromebook", "hotspot"],
            opens_on=self.today - timedelta(days=400),
            closes_on=self.today - timedelta(days=370),
            status=NeedsCollection.Status.CLOSED,
            created_by=self.admin,
        )
        plan = ProcurementPlan.objects.create(
            public_id=self.uid(),
            county=self.county,
            collection=old,
            title=f"{roc}年度 平板與行動網卡補充採購",
            fiscal_year=roc,
            status=ProcurementPlan.Status.ORDERED,
            notes="依各校需求彙整，教育部補助款支應。",
            created_by=self.admin,
        )
        tablets = ProcurementLine.objects.create(
            public_id=self.uid(),
            county=self.county,
            plan=plan,
            kind="tablet",
            description="iPad (10th generation) 64GB Wi-Fi",
            quantity=0,
            unit_cost=Decimal(11500),
            funding_source="central",
            programme="生生用平板",
            warranty_months=60,
        )
        hotspot = ProcurementLine.objects.create(
            public_id=self.uid(),
            county=self.county,
            plan=plan,
            kind="hotspot",
            description="4G 行動網卡（含一年門號）",
            quantity=0,
            unit_cost=Decimal(3600),
            funding_source="county",
            programme="數位學習行動網卡",
            warranty_months=12,
        )
        chosen = [s for s in schools if s.area != "general" or s == self.demo_school][:6]
        allocations = []
        for school in chosen:
            for line, qty in ((tablets, rng.randint(10, 40)), (hotspot, rng.randint(5, 15))):
                received = 0 if school == self.demo_school else qty
                allocations.append(
                    ProcurementAllocation(
                        public_id=self.uid(),
                        county=self.county,
                        school=school,
                        line=line,
                        quantity=qty,
                        received=received,
                    )
                )
                line.quantity += qty
        tablets.save(update_fields=["quantity"])
        hotspot.save(update_fields=["quantity"])
        ProcurementAllocation.objects.bulk_create(allocations)
        # This year's collection: open; about half the schools have sent theirs.
        new = NeedsCollection.objects.create(
            public_id=self.uid(),
            county=self.county,
            title=f"{roc + 1}年度 生生用平板汰換與數位學習設備需求調查",
            instructions=(
                "請各校盤點現有設備後填報需求，並說明理由（例如保固到期、損壞率、"
                "弱勢學生借用需求）。"
            ),
            kinds=[],
            opens_on=self.today - timedelta(days=10),
            closes_on=self.today + timedelta(days=20),
            status=NeedsCollection.Status.OPEN,
            created_by=self.admin,
        )
        lines = []
        for school in schools:
            if school == self.demo_school or rng.random() < 0.45:
                continue
            n = len(enrolments.get(school.pk, [])) or school.student_count or 100
            sub = NeedSubmission.objects.create(
                public_id=self.uid(),
                county=self.county,
                school=school,
                collection=new,
                status=NeedSubmission.Status.SUBMITTED
                if rng.random() < 0.75
                else NeedSubmission.Status.DRAFT,
            )
            if sub.status == NeedSubmission.Status.SUBMITTED:
                sub.submitted_at = self.at(self.today - timedelta(days=rng.randint(1, 9)))
                sub.save(update_fields=["submitted_at"])
            lines.append(
                NeedLine(
                    public_id=self.uid(),
                    county=self.county,
                    school=school,
                    submission=sub,
                    kind="tablet",
                    description="學生用平板（汰換 2019 年購置者）",
                    quantity=max(5, n // 5),
                    unit_cost=Decimal(11500),
                    priority=NeedLine.Priority.HIGH,
                    justification="2019 年購置之平板保固已過，電池老化，故障率逐年上升。",
                )
            )
            if rng.random() < 0.5:
                lines.append(
                    NeedLine(
                        public_id=self.uid(),
                        county=self.county,
                        school=school,
                        submission=sub,
                        kind="hotspot",
                        description="行動網卡",
                        quantity=rng.randint(3, 12),
                        unit_cost=Decimal(3600),
                        priority=NeedLine.Priority.MEDIUM,
                        justification="弱勢學生家中無網路，需借用行動網卡進行線上學習。",
                    )
                )
        NeedLine.objects.bulk_create(lines)

    def stocktake(self) -> None:
        """Last semester's stocktake of 南投國小: closed, three tablets not found."""
        from dtss.devices.models import Device, Stocktake

        if self.demo_school is None:
            return
        tablets = list(
            Device.objects.filter(
                school=self.demo_school, kind__in=["tablet", "chromebook"]
            ).order_by("asset_tag")
        )
        missing = [d.pk for d in tablets if d.status == Device.Status.LOST][:3]
        day = self.today - timedelta(days=150)
        Stocktake.objects.create(
            public_id=self.uid(),
            county=self.county,
            school=self.demo_school,
            title=f"{day.year - 1911}年 平板盤點",
            status=Stocktake.Status.CLOSED,
            started_by=self.ithead,
            closed_at=self.at(day, 16),
            missing_ids=missing,
        )
        Device.objects.filter(school=self.demo_school).exclude(pk__in=missing).exclude(
            status__in=[Device.Status.LOST, Device.Status.RETIRED]
        ).update(last_seen_at=self.at(day, 11))
