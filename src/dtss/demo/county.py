"""A generated demo county: plausible, deterministic from a seed, big enough to feel real.

南投縣 with three districts (a city, a town and a mountain township of remote schools), 25
schools of every stage and size, their classes for the current term, ~6,000 students with their
parents, teachers and administrators, and the county's Digital Learning Promotion Office. A small
second county (宜蘭縣) lets the MOE view and the tenancy rule show something. Later modules add
their own demo data through `DEMO_EXTENSIONS`.

The bulk rows are written with bulk_create inside one transaction: the demo is generated data
checked by the database's constraints, and this keeps `dtss demo` within about a minute.
"""

from __future__ import annotations

import importlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dtss.accounts.models import User
from dtss.demo.names import person_name
from dtss.orgs import services as org_services
from dtss.orgs.models import (
    County,
    District,
    Enrollment,
    Guardianship,
    Membership,
    OfficeGroup,
    OfficeTask,
    Person,
    PromotionOffice,
    Role,
    School,
    SchoolClass,
    WorkPlan,
)

DEMO_PASSWORD = "dtss-demo-114"
DEMO_COUNTY_CODE = "10008"  # 南投縣
SECOND_COUNTY_CODE = "10002"  # 宜蘭縣

Progress = Callable[[str], None]

# Later modules append callables (seed, progress) -> None that add their own demo data.
DEMO_EXTENSIONS: list[Callable[[random.Random, Progress], None]] = []

# Extensions whose data may arrive after the server has started (`dtss demo` serves the county
# first and lets these finish in the background: the learning records take minutes). Each one
# gets its own generator, seeded by one draw of the demo's generator at its place in the order,
# whether it runs at once or later, so both ways give the same data. A deferred extension must
# commit in steps (not hold the database for minutes) and be safe to run again after an
# interruption: it completes what is missing.
DEMO_DEFERRABLE: set[Callable[[random.Random, Progress], None]] = set()

PENDING_FILE = "demo-pending.json"  # in the data directory: the deferred work still to do


@dataclass(frozen=True)
class SchoolSpec:
    district: str
    code: str
    name: str
    name_en: str
    stage: str
    classes_per_grade: int
    class_size: int
    area: str = School.Area.GENERAL
    ownership: str = School.Ownership.PUBLIC


GRADES = {
    "elementary": range(1, 7),
    "junior": range(7, 10),
    "senior": range(10, 13),
    "vocational": range(10, 13),
    "complete": range(7, 13),
    "special": range(1, 13, 3),
}

DISTRICTS = [
    ("10008010", "南投市", "Nantou City"),
    ("10008020", "埔里鎮", "Puli Township"),
    ("10008130", "仁愛鄉", "Ren'ai Township"),
]

SCHOOLS = [
    SchoolSpec(
        "10008010",
        "084601",
        "南投縣南投市南投國民小學",
        "Nantou Elementary School",
        "elementary",
        4,
        26,
    ),
    SchoolSpec(
        "10008010",
        "084602",
        "南投縣南投市平和國民小學",
        "Pinghe Elementary School",
        "elementary",
        3,
        25,
    ),
    SchoolSpec(
        "10008010",
        "084603",
        "南投縣南投市光華國民小學",
        "Guanghua Elementary School",
        "elementary",
        3,
        25,
    ),
    SchoolSpec(
        "10008010",
        "084604",
        "南投縣南投市漳和國民小學",
        "Zhanghe Elementary School",
        "elementary",
        2,
        24,
    ),
    SchoolSpec(
        "10008010",
        "084605",
        "南投縣南投市德興國民小學",
        "Dexing Elementary School",
        "elementary",
        2,
        22,
    ),
    SchoolSpec(
        "10008010",
        "084606",
        "南投縣南投市千秋國民小學",
        "Qianqiu Elementary School",
        "elementary",
        1,
        18,
        School.Area.NON_MOUNTAIN_NON_CITY,
    ),
    SchoolSpec(
        "10008010", "084521", "南投縣立南投國民中學", "Nantou Junior High School", "junior", 5, 27
    ),
    SchoolSpec(
        "10008010", "084522", "南投縣立南崗國民中學", "Nangang Junior High School", "junior", 4, 27
    ),
    SchoolSpec(
        "10008010",
        "080301",
        "國立南投高級中學",
        "National Nantou Senior High School",
        "senior",
        4,
        32,
    ),
    SchoolSpec(
        "10008010",
        "080401",
        "國立南投高級商業職業學校",
        "National Nantou Commercial Vocational High School",
        "vocational",
        3,
        30,
    ),
    SchoolSpec(
        "10008010",
        "080901",
        "國立南投特殊教育學校",
        "National Nantou Special Education School",
        "special",
        2,
        8,
    ),
    SchoolSpec(
        "10008020",
        "084611",
        "南投縣埔里鎮埔里國民小學",
        "Puli Elementary School",
        "elementary",
        3,
        25,
    ),
    SchoolSpec(
        "10008020",
        "084612",
        "南投縣埔里鎮育英國民小學",
        "Yuying Elementary School",
        "elementary",
        3,
        25,
    ),
    SchoolSpec(
        "10008020",
        "084613",
        "南投縣埔里鎮南光國民小學",
        "Nanguang Elementary School",
        "elementary",
        2,
        24,
    ),
    SchoolSpec(
        "10008020",
        "084614",
        "南投縣埔里鎮桃源國民小學",
        "Taoyuan Elementary School",
        "elementary",
        1,
        15,
        School.Area.REMOTE,
    ),
    SchoolSpec(
        "10008020",
        "084615",
        "南投縣埔里鎮麒麟國民小學",
        "Qilin Elementary School",
        "elementary",
        1,
        12,
        School.Area.REMOTE,
    ),
    SchoolSpec(
        "10008020", "084531", "南投縣立埔里國民中學", "Puli Junior High School", "junior", 4, 27
    ),
    SchoolSpec(
        "10008020", "084532", "南投縣立宏仁國民中學", "Hongren Junior High School", "junior", 3, 27
    ),
    SchoolSpec(
        "10008020",
        "080302",
        "國立暨大附中",
        "NCNU Affiliated Senior High School",
        "complete",
        2,
        30,
    ),
    SchoolSpec(
        "10008020",
        "081301",
        "南投縣私立普台高級中學",
        "Pu Tai Senior High School (private)",
        "complete",
        2,
        32,
        ownership=School.Ownership.PRIVATE,
    ),
    SchoolSpec(
        "10008130",
        "084641",
        "南投縣仁愛鄉仁愛國民小學",
        "Ren'ai Elementary School",
        "elementary",
        1,
        14,
        School.Area.REMOTE,
    ),
    SchoolSpec(
        "10008130",
        "084642",
        "南投縣仁愛鄉親愛國民小學",
        "Qin'ai Elementary School",
        "elementary",
        1,
        9,
        School.Area.VERY_REMOTE,
    ),
    SchoolSpec(
        "10008130",
        "084643",
        "南投縣仁愛鄉力行國民小學",
        "Lixing Elementary School",
        "elementary",
        1,
        7,
        School.Area.EXTREMELY_REMOTE,
    ),
    SchoolSpec(
        "10008130",
        "084644",
        "南投縣仁愛鄉發祥國民小學",
        "Faxiang Elementary School",
        "elementary",
        1,
        6,
        School.Area.EXTREMELY_REMOTE,
    ),
    SchoolSpec(
        "10008130",
        "084541",
        "南投縣立仁愛國民中學",
        "Ren'ai Junior High School",
        "junior",
        2,
        20,
        School.Area.REMOTE,
    ),
]

SECOND_DISTRICTS = [("10002010", "宜蘭市", "Yilan City")]
SECOND_SCHOOLS = [
    SchoolSpec(
        "10002010",
        "024601",
        "宜蘭縣宜蘭市中山國民小學",
        "Zhongshan Elementary School",
        "elementary",
        2,
        25,
    ),
    SchoolSpec(
        "10002010", "024521", "宜蘭縣立宜蘭國民中學", "Yilan Junior High School", "junior", 2, 27
    ),
    SchoolSpec(
        "10002010",
        "020301",
        "國立宜蘭高級中學",
        "National Yilan Senior High School",
        "senior",
        2,
        30,
    ),
]

ACCOUNTS = [
    ("MOE viewer 教育部檢視", "moe"),
    ("County administrator 縣市管理者", "county.admin"),
    ("County office staff (IT equipment) 資訊設備組", "county.it"),
    ("County reviewer (supervision) 督導考核組", "county.review"),
    ("School principal 校長", "principal"),
    ("School IT head 資訊組長", "ithead"),
    ("Homeroom teacher 導師", "teacher"),
    ("Student 學生", "student"),
    ("Parent (two children, two schools) 家長", "parent"),
    ("Other county's administrator 他縣市管理者", "yilan.admin"),
]


def demo_accounts() -> list[tuple[str, str]]:
    return list(ACCOUNTS)


def current_term_numbers(today: date | None = None) -> tuple[int, int]:
    """ROC academic year and semester of a date: semester 1 is August to January."""
    today = today or timezone.localdate()
    if today.month >= 8:
        return today.year - 1911, 1
    if today.month == 1:
        return today.year - 1912, 1
    return today.year - 1912, 2


class _Ids:
    """Deterministic UUIDs, so demo URLs are the same on every machine for one seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def demo_load(*, seed: int = 114, progress: Progress = print, defer: bool = False) -> bool:
    """Create the demo data unless it exists. Returns False when it was already there.

    With `defer`, the extensions in `DEMO_DEFERRABLE` are not run: they are written to the data
    directory's pending file, for `demo_pending_run` to do once the server is up."""
    if User.objects.filter(username="county.admin").exists():
        return False
    rng = random.Random(seed)
    pending: list[dict[str, object]] = []
    with transaction.atomic():
        _build(rng, progress)
        for extension in DEMO_EXTENSIONS:
            if extension not in DEMO_DEFERRABLE:
                extension(rng, progress)
                continue
            own = rng.getrandbits(64)
            if defer:
                pending.append({"extension": _dotted(extension), "seed": own})
            else:
                extension(random.Random(own), progress)
        # written before the commit: a crash in between leaves a file that the next
        # `demo_load` (which finds no demo and starts again) writes anew
        _pending_write(pending)
    return True


def demo_pending() -> list[dict[str, object]]:
    """The deferred demo work still to do (empty when there is none)."""
    path = _pending_path()
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8")))


def demo_generating() -> bool:
    """Whether deferred demo work is still pending (what the pages' banner asks)."""
    return _pending_path().exists()


def demo_pending_run(*, progress: Progress = print) -> int:
    """Run the deferred demo extensions still pending, in order, each removed from the pending
    file once it has finished; returns how many ran. An interrupted one runs again next time
    and completes what is missing."""
    done = 0
    while pending := demo_pending():
        entry = pending[0]
        module, _, name = str(entry["extension"]).rpartition(".")
        extension = getattr(importlib.import_module(module), name)
        extension(random.Random(int(entry["seed"])), progress)  # type: ignore[call-overload]
        _pending_write(pending[1:])
        done += 1
    return done


def _dotted(extension: Callable[..., None]) -> str:
    return f"{extension.__module__}.{extension.__qualname__}"


def _pending_path() -> Path:
    return Path(settings.DATA_DIR) / PENDING_FILE


def _pending_write(pending: list[dict[str, object]]) -> None:
    path = _pending_path()
    if not pending:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(pending, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _build(rng: random.Random, progress: Progress) -> None:
    new_id = _Ids(rng)
    password_hash = make_password(DEMO_PASSWORD)
    roc_year, semester = current_term_numbers()
    term = org_services.term_get_or_create(roc_year=roc_year, semester=semester)
    prev = (roc_year, 2) if semester == 1 else (roc_year, 1)
    org_services.term_get_or_create(
        roc_year=prev[0] - (1 if semester == 1 else 0), semester=prev[1]
    )

    nantou = County.objects.get(code=DEMO_COUNTY_CODE)
    yilan = County.objects.get(code=SECOND_COUNTY_CODE)
    people: list[Person] = []
    memberships: list[Membership] = []

    def person(
        county: County,
        gender: str = "",
        *,
        indigenous: bool = False,
        external_id: str = "",
        name: str = "",
    ) -> Person:
        g = gender or rng.choice("FM")
        p = Person(
            public_id=new_id(),
            county=county,
            gender=g,
            name=name or person_name(rng, g, indigenous=indigenous),
            external_id=external_id,
        )
        people.append(p)
        return p

    progress("Creating districts and schools …")
    schools: list[tuple[School, SchoolSpec]] = []
    for county, districts, specs in (
        (nantou, DISTRICTS, SCHOOLS),
        (yilan, SECOND_DISTRICTS, SECOND_SCHOOLS),
    ):
        by_code = {}
        for code, zh, en in districts:
            by_code[code] = District.objects.create(
                public_id=new_id(), county=county, code=code, name_zh=zh, name_en=en
            )
        for spec in specs:
            school = School.objects.create(
                public_id=new_id(),
                county=county,
                district=by_code[spec.district],
                code=spec.code,
                name_zh=spec.name,
                name_en=spec.name_en,
                stage=spec.stage,
                ownership=spec.ownership,
                area=spec.area,
                phone=f"049-2{rng.randint(100000, 999999)}"
                if county == nantou
                else f"03-9{rng.randint(100000, 999999)}",
            )
            schools.append((school, spec))

    progress("Creating staff, classes, students and parents …")
    classes: list[SchoolClass] = []
    roster: list[tuple[SchoolClass, int, SchoolSpec]] = []
    for school, spec in schools:
        county = school.county
        indigenous = spec.district == "10008130"
        for title in ("principal", "director", "it_head"):
            admin = person(
                county,
                indigenous=indigenous and rng.random() < 0.3,
                external_id=f"{spec.code}-S{title[:3].upper()}",
            )
            memberships.append(
                Membership(
                    public_id=new_id(),
                    person=admin,
                    county=county,
                    school=school,
                    role=Role.SCHOOL_ADMIN,
                    title=title,
                )
            )
            if title != "principal":  # directors and IT heads teach too
                memberships.append(
                    Membership(
                        public_id=new_id(),
                        person=admin,
                        county=county,
                        school=school,
                        role=Role.TEACHER,
                    )
                )
        teacher_no = 0
        for grade in GRADES[spec.stage]:
            for number in range(1, spec.classes_per_grade + 1):
                teacher_no += 1
                teacher = person(
                    county,
                    "F" if rng.random() < 0.7 else "M",
                    indigenous=indigenous and rng.random() < 0.3,
                    external_id=f"{spec.code}-T{teacher_no:03d}",
                )
                memberships.append(
                    Membership(
                        public_id=new_id(),
                        person=teacher,
                        county=county,
                        school=school,
                        role=Role.TEACHER,
                    )
                )
                sc = SchoolClass(
                    public_id=new_id(),
                    county=county,
                    school=school,
                    term=term,
                    grade=grade,
                    number=number,
                    homeroom_teacher=teacher,
                )
                classes.append(sc)
                size = max(3, spec.class_size + rng.randint(-3, 2))
                roster.append((sc, size, spec))
        for _ in range(max(1, teacher_no // 3)):  # subject teachers without a homeroom
            teacher_no += 1
            t = person(county, external_id=f"{spec.code}-T{teacher_no:03d}")
            memberships.append(
                Membership(
                    public_id=new_id(), person=t, county=county, school=school, role=Role.TEACHER
                )
            )

    students: list[tuple[Person, SchoolClass, int]] = []
    for sc, size, spec in roster:
        indigenous = spec.district == "10008130"
        for seat in range(1, size + 1):
            st = person(
                sc.county,
                indigenous=indigenous and rng.random() < 0.8,
                external_id=f"{spec.code}{sc.grade:02d}{sc.number:02d}{seat:02d}",
            )
            students.append((st, sc, seat))

    Person.objects.bulk_create(people, batch_size=2000)
    SchoolClass.objects.bulk_create(classes, batch_size=2000)
    enrollments = [
        Enrollment(
            public_id=new_id(),
            county=sc.county,
            school=sc.school,
            school_class=sc,
            student=st,
            seat_number=seat,
        )
        for st, sc, seat in students
    ]
    for st, sc, _seat in students:
        memberships.append(
            Membership(
                public_id=new_id(), person=st, county=sc.county, school=sc.school, role=Role.STUDENT
            )
        )

    # Parents: one or two per student; some families have two children (siblings share parents).
    parents: list[Person] = []
    links: list[tuple[Person, Person, str]] = []
    prev_family: list[tuple[Person, str]] | None = None
    for st, sc, _seat in students:
        if prev_family is not None and rng.random() < 0.12:
            family = prev_family  # a sibling of the previous student's family
        else:
            family = []
            if "·" in st.name or rng.random() > 0.85:
                father_name = person_name(rng, "M", indigenous="·" in st.name)
            else:  # most children carry their father's surname
                father_name = st.name[0] + person_name(rng, "M")[1:]
            father = Person(public_id=new_id(), county=sc.county, gender="M", name=father_name)
            mother = Person(
                public_id=new_id(),
                county=sc.county,
                gender="F",
                name=person_name(rng, "F", indigenous="·" in st.name),
            )
            if rng.random() < 0.8:
                family.append((mother, Guardianship.Relation.MOTHER))
            if rng.random() < 0.6 or not family:
                family.append((father, Guardianship.Relation.FATHER))
            for p, _rel in family:
                p.phone = f"09{rng.randint(10000000, 99999999)}"
                parents.append(p)
        for p, rel in family:
            links.append((p, st, rel))
        prev_family = family

    # The demo parent: a mother with a child at Nantou Elementary and one at Nantou Junior High.
    def first_student(code: str, grade: int) -> Person:
        return next(
            st
            for st, sc, seat in students
            if sc.school.code == code and sc.grade == grade and seat == 3
        )

    demo_parent = Person(
        public_id=new_id(),
        county=nantou,
        gender="F",
        name="林怡君",
        email="parent@demo.dtss.invalid",
        phone="0912345678",
    )
    parents.append(demo_parent)
    links.append((demo_parent, first_student("084601", 5), Guardianship.Relation.MOTHER))
    links.append((demo_parent, first_student("084521", 8), Guardianship.Relation.MOTHER))

    Person.objects.bulk_create(parents, batch_size=2000)
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    seen: set[tuple[int, int]] = set()
    guardianships = []
    student_school = {st.pk: sc.school for st, sc, _ in students}
    for p, child, rel in links:
        if (p.pk, child.pk) in seen:
            continue
        seen.add((p.pk, child.pk))
        guardianships.append(
            Guardianship(
                public_id=new_id(), county=child.county, parent=p, child=child, relation=rel
            )
        )
    Guardianship.objects.bulk_create(guardianships, batch_size=2000)
    parent_schools = {
        (g.parent.pk, student_school[g.child.pk].pk): student_school[g.child.pk]
        for g in guardianships
    }
    for (pid, _sid), school in parent_schools.items():
        memberships.append(
            Membership(
                public_id=new_id(),
                person_id=pid,
                county=school.county,
                school=school,
                role=Role.PARENT,
            )
        )

    progress("Creating the county office and demo accounts …")
    # County people: bureau head (county admin, office convener), office staff per group.
    head = person(nantou, "M", name="洪志遠", external_id="NTC-HEAD")
    staff = {
        "it": person(nantou, "F", name="張雅婷", external_id="NTC-IT"),
        "review": person(nantou, "M", name="李承翰", external_id="NTC-REVIEW"),
        "admin": person(nantou, "F", name="吳淑芬", external_id="NTC-ADMIN"),
        "teach": person(nantou, "F", name="蔡佳琪", external_id="NTC-TEACH"),
    }
    moe = person(nantou, "F", name="周美慧", external_id="MOE-VIEWER")
    yilan_admin = person(yilan, "M", name="游建宏", external_id="YL-ADMIN")
    Person.objects.bulk_create([head, *staff.values(), moe, yilan_admin])
    memberships += [
        Membership(
            public_id=new_id(),
            person=head,
            county=nantou,
            role=Role.COUNTY_ADMIN,
            title=Membership.Title.CONVENER,
        ),
        *[
            Membership(public_id=new_id(), person=p, county=nantou, role=Role.COUNTY_STAFF)
            for p in staff.values()
        ],
        Membership(public_id=new_id(), person=moe, role=Role.MOE_VIEWER),
        Membership(public_id=new_id(), person=yilan_admin, county=yilan, role=Role.COUNTY_ADMIN),
    ]
    Membership.objects.bulk_create(memberships, batch_size=2000)

    for school in School.objects.filter(county__in=[nantou, yilan]):
        school.student_count = Enrollment.objects.filter(school=school).count()
        school.save(update_fields=["student_count"])

    office = PromotionOffice.objects.create(
        public_id=new_id(),
        county=nantou,
        name="南投縣數位學習推動辦公室",
        convener=head,
        established_on=date(2022, 3, 1),
        mission="統籌本縣數位學習推動：願景與計畫、資訊設備、教學輔導、督導考核。",
    )
    groups = {}
    for kind, name, lead in [
        (OfficeGroup.Kind.ADMINISTRATION, "行政推動組", staff["admin"]),
        (OfficeGroup.Kind.EQUIPMENT, "資訊設備組", staff["it"]),
        (OfficeGroup.Kind.TEACHING, "教學輔導組", staff["teach"]),
        (OfficeGroup.Kind.SUPERVISION, "督導考核組", staff["review"]),
    ]:
        g = OfficeGroup.objects.create(
            public_id=new_id(), county=nantou, office=office, kind=kind, name=name, lead=lead
        )
        g.members.add(lead)
        groups[kind] = g
    plan = WorkPlan.objects.create(
        public_id=new_id(),
        county=nantou,
        office=office,
        roc_year=roc_year,
        title=f"{roc_year}學年度數位學習推動工作計畫",
        summary="生生用平板、教師增能、數據應用與督導訪視。",
    )
    today = timezone.localdate()
    for title, kind, owner, days, status in [
        ("召開推動辦公室第一次會議", OfficeGroup.Kind.ADMINISTRATION, staff["admin"], -60, "done"),
        ("盤點各校載具與網路需求", OfficeGroup.Kind.EQUIPMENT, staff["it"], -10, "in_progress"),
        ("辦理生成式AI教學增能研習", OfficeGroup.Kind.TEACHING, staff["teach"], 30, "planned"),
        ("學期末學校數位學習訪視", OfficeGroup.Kind.SUPERVISION, staff["review"], 45, "planned"),
    ]:
        OfficeTask.objects.create(
            public_id=new_id(),
            county=nantou,
            plan=plan,
            group=groups[kind],
            title=title,
            owner=owner,
            due_date=today + timedelta(days=days),
            status=status,
        )

    # Demo accounts.
    n_elem = School.objects.get(code="084601")
    principal = Membership.objects.get(
        school=n_elem, role=Role.SCHOOL_ADMIN, title="principal"
    ).person
    ithead = Membership.objects.get(school=n_elem, role=Role.SCHOOL_ADMIN, title="it_head").person
    student = first_student("084601", 5)
    teacher = SchoolClass.objects.get(school=n_elem, term=term, grade=5, number=1).homeroom_teacher
    student_in_teachers_class = (
        Enrollment.objects.filter(school_class__homeroom_teacher=teacher)
        .order_by("seat_number")
        .first()
    )
    accounts: dict[str, Person] = {
        "moe": moe,
        "county.admin": head,
        "county.it": staff["it"],
        "county.review": staff["review"],
        "principal": principal,
        "ithead": ithead,
        "teacher": teacher,
        "student": student_in_teachers_class.student if student_in_teachers_class else student,
        "parent": demo_parent,
        "yilan.admin": yilan_admin,
    }
    User.objects.bulk_create(
        [
            User(
                username=username,
                person=p,
                password=password_hash,
                email=f"{username}@demo.dtss.invalid",
            )
            for username, p in accounts.items()
        ]
    )
    progress(
        f"Demo county: {len(schools)} schools, {len(classes)} classes, "
        f"{len(students)} students, {len(parents)} parents."
    )
