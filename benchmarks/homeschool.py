"""Benchmark of the parent–teacher–student platform (issue 10): pages, writes and reports.

    python benchmarks/homeschool.py [--sizes 30,120] [--days 20] [--requests 20]
                                    [--operations 40] [--database-url URL]

Builds its own database and throws it away afterwards (see import_people.py): a fresh SQLite
file, or with --database-url postgresql://user@host:port/name a fresh database
`<name>_bench_<random>` on that server. Background tasks go to the database queue
(DTSS_TASKS=database), as in production, so a notification's mail is one queued task row and
not a mail sent inside the measured call.

Into 南投縣 go schools in 13 districts (elementary and junior high), each with `--classes`
classes (default 3) of `--students` students (default 25) in the current term, every student
with a parent account (one family in ten has two children in the school, so some parents have
two cards), a homeroom teacher per class, three subject teachers and a principal; the default
leave types and periods (`services.school_setup_ensure`) and a full week's timetable for the
first class of each school (the subject teachers have periods 2, 4 and 6). History, written
with bulk_create and the models' required fields, the way `homeschool/demo.py` builds it: the
contact book of the last `--days` school days (the school's calendar, today included) for
every class, published at about 15:30, with ~85 % of the students signed by a parent (a few
replies answered); two past one-day leave requests per class (85 % online, approved, with
their attendance records per period); a conversation per class (a parent asks, the teacher
answers); an announcement per school to parents, read by ~60 % of them.

The county is built in steps, one per `--sizes` entry (30 schools, then 90 more to 120): after
each step everything is measured again, so the query counts at two sizes show what grows with
the number of schools. `--days` changes the history's depth (run it twice, e.g. --days 10 and
--days 40, to see what grows with it). Measured, with the Django test client where it is a page
(full HTML render, sessions, middleware; 2 warm-up requests, one counted, then `--requests`
timed) and by calling the service where it is a write (each on new rows, queries counted per
call):

  1. a parent's family page (`homeschool:family`), for a parent of one child and of two;
  2. the homeroom teacher's class contact book (`homeschool:contact_class`) and the latest
     entry with who signed (`homeschool:contact_entry`);
  3. a parent signing (`contact_services.signature_sign`) an entry not signed yet;
  4. leave: `services.leave_request_create` by the parent, then `services.leave_decide`
     (approve: attendance per period, the family and the subject teachers notified) by the
     homeroom teacher, for one-day and three-day leave in the coming school days;
  5. the county report (`report_selectors.report_build`, a row per school over 30 days), every
     homeschool indicator through `dtss.core.indicators` (`get(id).values(orgs, as_of)` over
     the county, or all its schools), inside `shared_work()` as a dashboard reads them and
     without it, and the reports page (`homeschool:reports`) for the county administrator.

Printed: median and p95 latency in ms and the queries of one request or operation; at the end
the query counts side by side for every size, with the items whose count changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_people import QueryCounter, database, measured  # noqa: E402

COUNTY = "10008"
SIGN_RATE = 0.85
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余"
GIVEN = "宜庭家豪志明怡君雅婷俊傑淑芬建宏欣怡冠宇品妤承恩子晴柏翰詩涵宥廷語彤"
HOMEWORK = [
    "國語習作第{n}課、生字每個寫兩行",
    "數學習作第{n}頁，訂正考卷",
    "閱讀20分鐘並寫心得三行",
    "英語單字第{n}課唸給家長聽",
    "社會習作第{n}頁",
    "數學講義第{n}回，週五小考",
    "理化習作第{n}頁；因材網影片『密度』觀看",
]
NOTICES = [
    "明天第二節健康檢查，請穿方便捲袖的上衣。",
    "請家長協助檢查平板電量，明天數學課使用因材網。",
    "天氣轉涼，請幫孩子準備外套。",
    "",
    "",
]
BRING = ["水彩用具", "直笛", "運動服", "平板與充電線", "", "", ""]
REPLIES = ["老師辛苦了，孩子今天有點咳嗽，麻煩多留意。", "數學第三題孩子不太會，想請老師再說明。"]
# period code → (subject, which teacher: 0 the homeroom teacher, 1..3 a subject teacher)
TIMETABLE = {
    "p1": ("國語", 0),
    "p2": ("數學", 1),
    "p3": ("國語", 0),
    "p4": ("英語", 2),
    "p5": ("社會", 0),
    "p6": ("自然", 3),
    "p7": ("綜合活動", 0),
}


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


# --- the county ---------------------------------------------------------------------------------


class County:
    """The generated county, grown school by school."""

    def __init__(self, args: argparse.Namespace, rng: random.Random) -> None:
        from django.utils import timezone

        from dtss.orgs import services as org_services
        from dtss.orgs.models import County as CountyModel
        from dtss.orgs.models import District

        self.args = args
        self.rng = rng
        self.county = CountyModel.objects.get(code=COUNTY)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_default_timezone()
        roc_year = self.today.year - 1911 - (1 if self.today.month < 8 else 0)
        semester = 1 if self.today.month >= 8 or self.today.month == 1 else 2
        self.term = org_services.term_get_or_create(roc_year=roc_year, semester=semester)
        self.districts = District.objects.bulk_create(
            [
                District(county=self.county, code=f"HS{i:02d}", name_zh=f"行政區{i}")
                for i in range(13)
            ]
        )
        self.schools: list[Any] = []
        # per school: what the measurements use
        self.first_class: dict[int, Any] = {}
        self.classes: dict[int, list[Any]] = {}
        self.days: dict[int, list[dt.date]] = {}
        self.users: dict[int, Any] = {}  # person pk → User
        self.guardians: dict[int, list[int]] = {}  # student → parents
        self.unsigned: list[tuple[int, int]] = []  # (entry pk, student pk) of the latest days
        self.students_of: dict[int, list[int]] = {}  # class pk → students
        self.two_child_parent: int | None = None
        self.principals: dict[int, Any] = {}
        self.subject_teachers: dict[int, list[Any]] = {}
        self._leave_turn = 0
        self._leave_seat: dict[int, int] = {}
        self.one_child_parent: int | None = None
        self.admin_user = self._county_admin()

    def _county_admin(self) -> Any:
        from dtss.accounts.models import User
        from dtss.orgs.models import Membership, Person, Role

        person = Person.objects.create(county=self.county, name="縣市管理者")
        Membership.objects.create(person=person, county=self.county, role=Role.COUNTY_ADMIN)
        return User.objects.create_user(username="bench.county", password=None, person=person)

    def next_leave_student(self) -> tuple[Any, int]:
        """(a timetabled class, a student of it without leave in the coming days), the schools
        in turn; the last two students of each class have the history's leave."""
        school = self.schools[self._leave_turn % len(self.schools)]
        self._leave_turn += 1
        c = self.first_class[school.pk]
        seat = self._leave_seat.get(c.pk, 0)
        if seat >= len(self.students_of[c.pk]) - 2:
            raise SystemExit("too few students per class for --operations leave requests")
        self._leave_seat[c.pk] = seat + 1
        return c, self.students_of[c.pk][seat]

    def at(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)
        return min(moment, self.now - dt.timedelta(minutes=1))

    def grow(self, n_new: int) -> None:
        from django.db import transaction

        from dtss.homeschool import services
        from dtss.orgs.models import School

        start = len(self.schools)
        with transaction.atomic():
            new = School.objects.bulk_create(
                [
                    School(
                        county=self.county,
                        district=self.districts[i % 13],
                        code=f"{300000 + i:06d}",
                        name_zh=f"測試{'國中' if i % 4 == 3 else '國小'}{i}",
                        stage="junior" if i % 4 == 3 else "elementary",
                        student_count=self.args.classes * self.args.students,
                    )
                    for i in range(start, start + n_new)
                ]
            )
            for school in new:
                services.school_setup_ensure(school=school)
                days = services.school_days(
                    school=school,
                    start=self.today - dt.timedelta(days=self.args.days * 2 + 30),
                    end=self.today,
                )
                self.days[school.pk] = days[-self.args.days :]
            self._people(new)
            self._timetables(new)
            self._contact_book(new)
            self._leave_history(new)
            self._messages(new)
            self._announcements(new)
        self.schools.extend(new)

    # --- people -----------------------------------------------------------------------------
    def _people(self, schools: list[Any]) -> None:
        from dtss.accounts.models import User
        from dtss.orgs.models import Enrollment, Guardianship, Membership, Person, SchoolClass

        rng, county, a = self.rng, self.county, self.args
        staff: list[tuple[Any, Any, str, str]] = []  # (school, person, role, title)
        for school in schools:
            staff.append(
                (school, Person(county=county, name=name(rng)), "school_admin", "principal")
            )
            for _ in range(3 + a.classes):  # three subject teachers, the homeroom teachers
                staff.append((school, Person(county=county, name=name(rng)), "teacher", ""))
        for i, (school, p, _r, _t) in enumerate(staff):
            p.email = f"t{school.code}.{i}@school.example.tw"
            p.external_id = f"T{school.code}{i:03d}"
        Person.objects.bulk_create([p for _s, p, _r, _t in staff])
        Membership.objects.bulk_create(
            [
                Membership(person=p, county=county, school=s, role=role, title=title)
                for s, p, role, title in staff
            ]
        )
        teachers: dict[int, list[Any]] = {}
        for s, p, role, _t in staff:
            if role == "school_admin":
                self.principals[s.pk] = p
            if role == "teacher":
                teachers.setdefault(s.pk, []).append(p)
        classes = []
        for school in schools:
            subject, homeroom = teachers[school.pk][:3], teachers[school.pk][3:]
            self.subject_teachers[school.pk] = subject
            grade = 5 if school.stage == "elementary" else 8
            for c in range(a.classes):
                classes.append(
                    SchoolClass(
                        county=county,
                        school=school,
                        term=self.term,
                        grade=grade,
                        number=c + 1,
                        homeroom_teacher=homeroom[c],
                    )
                )
        SchoolClass.objects.bulk_create(classes)
        for c in classes:
            self.classes.setdefault(c.school_id, []).append(c)
            if c.number == 1:
                self.first_class[c.school_id] = c

        students, parents, enrol, links = [], [], [], []
        for c in classes:
            code = c.school.code
            for seat in range(1, a.students + 1):
                s = Person(
                    county=county,
                    name=name(rng),
                    gender=rng.choice("FM"),
                    external_id=f"S{code}{c.number:02d}{seat:02d}",
                )
                students.append((c, seat, s))
        Person.objects.bulk_create([s for _c, _seat, s in students])
        by_seat = {(c.school_id, c.number, seat): s for c, seat, s in students}
        for c, seat, s in students:
            enrol.append(
                Enrollment(
                    county=county,
                    school_id=c.school_id,
                    school_class=c,
                    student=s,
                    seat_number=seat,
                )
            )
            self.students_of.setdefault(c.pk, []).append(s.pk)
            # one family in ten: the younger sibling is in class 1, the parent is class 2's
            older = by_seat.get((c.school_id, c.number + 1, seat))
            if c.number == 1 and seat % 10 == 3 and older is not None:
                continue  # linked below, with the sibling's parent
            p = Person(
                county=county,
                name=name(rng),
                gender=rng.choice("FM"),
                email=f"p{s.external_id.lower()}@example.tw" if rng.random() < 0.7 else "",
                external_id=f"P{s.external_id[1:]}",
            )
            parents.append((c, seat, s, p))
        Person.objects.bulk_create([p for _c, _seat, _s, p in parents])
        parent_of = {(c.school_id, c.number, seat): p for c, seat, _s, p in parents}
        memberships = []
        for c, seat, s in students:
            memberships.append(
                Membership(person=s, county=county, school_id=c.school_id, role="student")
            )
            p = (
                parent_of.get((c.school_id, c.number, seat))
                or parent_of[(c.school_id, c.number + 1, seat)]
            )
            links.append(
                Guardianship(
                    county=county,
                    parent=p,
                    child=s,
                    relation="mother" if p.gender == "F" else "father",
                )
            )
            self.guardians[s.pk] = [p.pk]
        for c, _seat, _s, p in parents:
            memberships.append(
                Membership(person=p, county=county, school_id=c.school_id, role="parent")
            )
        Enrollment.objects.bulk_create(enrol, batch_size=2000)
        Membership.objects.bulk_create(memberships, batch_size=2000)
        Guardianship.objects.bulk_create(links, batch_size=2000)
        if self.one_child_parent is None:
            first = classes[0]
            self.one_child_parent = parent_of[(first.school_id, 1, 1)].pk
            self.two_child_parent = parent_of[(first.school_id, 2, 3)].pk

        people = [p for _s, p, _r, _t in staff] + [p for *_x, p in parents]
        users = [
            User(
                username=f"bench.{p.external_id.lower()}",
                email=p.email,
                password=f"!{uuid.uuid4().hex}",  # unusable: they log in through the test client
                person=p,
            )
            for p in people
        ]
        User.objects.bulk_create(users, batch_size=2000)
        for u in users:
            self.users[u.person_id] = u

    def _timetables(self, schools: list[Any]) -> None:
        from dtss.homeschool.models import Period, TimetableSlot

        periods = {
            (p.school_id, p.code): p
            for p in Period.objects.filter(school__in=schools, code__in=list(TIMETABLE))
        }
        rows = []
        for school in schools:
            c = self.first_class[school.pk]
            teachers = [c.homeroom_teacher, *self.subject_teachers[school.pk]]
            for weekday in range(1, 6):
                for code, (subject, who) in TIMETABLE.items():
                    rows.append(
                        TimetableSlot(
                            county=self.county,
                            school=school,
                            school_class=c,
                            weekday=weekday,
                            period=periods[(school.pk, code)],
                            subject=subject,
                            teacher=teachers[who],
                        )
                    )
        TimetableSlot.objects.bulk_create(rows, batch_size=2000)

    # --- history ----------------------------------------------------------------------------
    def _contact_book(self, schools: list[Any]) -> None:
        from dtss.homeschool.models import ContactEntry, ContactSignature

        rng = self.rng
        entries = []
        for school in schools:
            for c in self.classes[school.pk]:
                for i, day in enumerate(self.days[school.pk]):
                    entries.append(
                        ContactEntry(
                            county=self.county,
                            school=school,
                            school_class=c,
                            date=day,
                            homework="\n".join(
                                f"{j + 1}. " + t.format(n=i + 3)
                                for j, t in enumerate(rng.sample(HOMEWORK, 2))
                            ),
                            notices=rng.choice(NOTICES),
                            bring=rng.choice(BRING),
                            author_id=c.homeroom_teacher_id,
                            published_at=self.at(day, 15, rng.randint(10, 50)),
                        )
                    )
        ContactEntry.objects.bulk_create(entries, batch_size=2000)
        signatures = []
        latest = {s.pk: self.days[s.pk][-1] for s in schools}
        for e in entries:
            rate = SIGN_RATE + rng.uniform(-0.05, 0.05)
            for student_id in self.students_of[e.school_class_id]:
                if rng.random() >= rate:
                    if e.date == latest[e.school_id]:
                        self.unsigned.append((e.pk, student_id))
                    continue
                signed_at = min(
                    e.published_at + dt.timedelta(minutes=rng.randint(120, 420)),
                    self.now - dt.timedelta(seconds=30),
                )
                reply = rng.choice(REPLIES) if rng.random() < 0.03 else ""
                signatures.append(
                    ContactSignature(
                        county=self.county,
                        school_id=e.school_id,
                        school_class_id=e.school_class_id,
                        entry=e,
                        student_id=student_id,
                        signed_by_id=self.guardians[student_id][0],
                        signed_at=signed_at,
                        reply=reply,
                        answer="收到，會多注意，謝謝家長。" if reply else "",
                        answered_at=signed_at + dt.timedelta(hours=12) if reply else None,
                    )
                )
        ContactSignature.objects.bulk_create(signatures, batch_size=5000)
        rng.shuffle(self.unsigned)

    def _leave_history(self, schools: list[Any]) -> None:
        from dtss.homeschool.models import AttendanceRecord, LeaveRequest, LeaveType, Period

        rng = self.rng
        types = {
            (t.school_id, t.code): t
            for t in LeaveType.objects.filter(school__in=schools, code__in=["sick", "personal"])
        }
        periods: dict[int, list[Any]] = {}
        for p in Period.objects.filter(school__in=schools).order_by("order"):
            periods.setdefault(p.school_id, []).append(p)
        leaves = []
        for school in schools:
            past = self.days[school.pk][:-1] or self.days[school.pk]
            for c in self.classes[school.pk]:
                # the last students of the class: the measured leave uses the first ones
                for student_id in self.students_of[c.pk][-2:]:
                    day = rng.choice(past)
                    online = rng.random() < 0.85
                    asked = self.at(day - dt.timedelta(days=1), 20, rng.randint(0, 59))
                    leaves.append(
                        LeaveRequest(
                            county=self.county,
                            school=school,
                            school_class=c,
                            student_id=student_id,
                            requested_by_id=self.guardians[student_id][0]
                            if online
                            else self.principals[school.pk].pk,
                            source="online" if online else "staff",
                            leave_type=types[(school.pk, rng.choice(["sick", "sick", "personal"]))],
                            start_date=day,
                            end_date=day,
                            reason="身體不適，在家休息",
                            status="approved",
                            days=1,
                            decided_by_id=c.homeroom_teacher_id,
                            decided_at=asked + dt.timedelta(hours=rng.choice([1, 2, 11, 12])),
                        )
                    )
        LeaveRequest.objects.bulk_create(leaves, batch_size=2000)
        records = [
            AttendanceRecord(
                county=self.county,
                school_id=leave.school_id,
                school_class_id=leave.school_class_id,
                student_id=leave.student_id,
                date=leave.start_date,
                period=p,
                status="leave",
                leave_type_id=leave.leave_type_id,
                leave=leave,
                recorded_by_id=leave.decided_by_id,
            )
            for leave in leaves
            for p in periods[leave.school_id]
        ]
        AttendanceRecord.objects.bulk_create(records, batch_size=5000)

    def _messages(self, schools: list[Any]) -> None:
        from dtss.homeschool.models import Conversation, Message

        rng = self.rng
        convs, scripts = [], []
        for school in schools:
            for c in self.classes[school.pk]:
                student_id = self.students_of[c.pk][rng.randrange(5, len(self.students_of[c.pk]))]
                parent_id = self.guardians[student_id][0]
                day = rng.choice(self.days[school.pk][:-1] or self.days[school.pk])
                asked = self.at(day, 19, rng.randint(0, 59))
                answered = min(asked + dt.timedelta(hours=rng.randint(1, 14)), self.now)
                convs.append(
                    Conversation(
                        county=self.county,
                        school=school,
                        teacher_id=c.homeroom_teacher_id,
                        parent_id=parent_id,
                        student_id=student_id,
                        last_message_at=answered,
                    )
                )
                scripts.append(
                    [
                        (parent_id, asked, "老師您好，想請問孩子最近上課的專注情況。"),
                        (c.homeroom_teacher_id, answered, "家長好，這週上課都很認真。"),
                    ]
                )
        Conversation.objects.bulk_create(convs)
        Message.objects.bulk_create(
            [
                Message(
                    county=self.county,
                    school_id=conv.school_id,
                    conversation=conv,
                    sender_id=sender,
                    body=body,
                    sent_at=moment,
                    read_at=moment + dt.timedelta(minutes=40),
                )
                for conv, script in zip(convs, scripts, strict=True)
                for sender, moment, body in script
            ],
            batch_size=2000,
        )

    def _announcements(self, schools: list[Any]) -> None:
        from dtss.homeschool.models import Announcement, AnnouncementRead
        from dtss.orgs.models import Membership

        rng = self.rng
        anns = []
        for school in schools:
            day = self.days[school.pk][max(0, len(self.days[school.pk]) - 6)]
            anns.append(
                Announcement(
                    county=self.county,
                    school=school,
                    author=self.classes[school.pk][0].homeroom_teacher,
                    title="校外教學：請攜帶水壺與雨具",
                    body="下週四校外教學，早上 7:50 在校門口集合。",
                    to_parents=True,
                    published_at=self.at(day, 12, 0),
                )
            )
        Announcement.objects.bulk_create(anns)
        parents: dict[int, list[int]] = {}
        for school_id, pid in Membership.objects.filter(
            school__in=schools, role="parent"
        ).values_list("school_id", "person_id"):
            parents.setdefault(school_id, []).append(pid)
        reads = [
            AnnouncementRead(
                county=self.county,
                school_id=a.school_id,
                announcement=a,
                person_id=pid,
                read_at=min(a.published_at + dt.timedelta(hours=rng.randint(1, 30)), self.now),
            )
            for a in anns
            for pid in parents.get(a.school_id, [])
            if rng.random() < 0.6
        ]
        AnnouncementRead.objects.bulk_create(reads, batch_size=5000)


# --- measuring ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


def timed(fn: Callable[[], Any], n: int) -> dict[str, float]:
    """2 warm-up runs, one counted, then n timed."""
    from django.db import connection

    for _ in range(2):
        fn()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": counter.count,
    }


def per_operation(ops: list[Callable[[], Any]]) -> dict[str, float]:
    """Each operation once, on its own rows; the queries of each (min–max)."""
    times, queries = [], []
    for op in ops:
        with measured() as m:
            op()
        times.append(m["seconds"])
        queries.append(m["queries"])
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": statistics.median(queries),
        "q_min": min(queries),
        "q_max": max(queries),
    }


def page(client: Any, url: str, expect: str = "") -> Callable[[], None]:
    def run() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if expect:
            assert expect in response.content.decode(), (url, expect)

    return run


def fresh_user(user: Any) -> Any:
    """The user as a request would have it: loaded again, no scope cached."""
    from dtss.accounts.models import User

    return User.objects.select_related("person").get(pk=user.pk)


def measure(world: County, args: argparse.Namespace) -> list[tuple[str, dict[str, float]]]:
    from django.test import Client
    from django.urls import reverse

    from dtss.core import indicators
    from dtss.homeschool import contact_services, report_selectors, services
    from dtss.homeschool.models import ContactEntry, LeaveType
    from dtss.orgs.models import Person

    n = args.requests
    out: list[tuple[str, dict[str, float]]] = []
    school = world.schools[0]  # the same school, class and families at every size
    klass = world.first_class[school.pk]

    # 1. the family page
    for label, pid in (("1 child", world.one_child_parent), ("2 children", world.two_child_parent)):
        client = Client()
        client.force_login(world.users[pid])
        out.append(
            (
                f"family page, parent of {label}",
                timed(page(client, reverse("homeschool:family")), n),
            )
        )

    # 2. the homeroom teacher's class book and the latest entry with who signed
    teacher = Client()
    teacher.force_login(world.users[klass.homeroom_teacher_id])
    out.append(
        (
            f"class contact book ({args.days} days)",
            timed(page(teacher, reverse("homeschool:contact_class", args=[klass.public_id])), n),
        )
    )
    latest = ContactEntry.objects.get(school_class=klass, date=world.days[school.pk][-1])
    out.append(
        (
            f"entry with who signed ({args.students} students)",
            timed(page(teacher, reverse("homeschool:contact_entry", args=[latest.public_id])), n),
        )
    )

    # 3. a parent signs an entry not signed yet (each operation its own entry and student)
    picks = [world.unsigned.pop() for _ in range(min(args.operations, len(world.unsigned)))]
    # each call its own entry object (as a request loads it), with its class
    entries = {
        (e, s): ContactEntry.objects.select_related("school_class").get(pk=e) for e, s in picks
    }
    students = Person.objects.in_bulk([s for _e, s in picks])
    signers = {
        s: fresh_user(world.users[world.guardians[s][0]]) for _e, s in picks
    }  # loaded before the clock starts; the scope is computed inside the call, as in a request

    def sign(entry_id: int, student_id: int, reply: str) -> Callable[[], Any]:
        return lambda: contact_services.signature_sign(
            user=signers[student_id],
            entry=entries[(entry_id, student_id)],
            student=students[student_id],
            reply=reply,
        )

    out.append(("sign (signature_sign)", per_operation([sign(e, s, "") for e, s in picks[::2]])))
    out.append(
        (
            "  with a reply (the teacher told)",
            per_operation([sign(e, s, REPLIES[0]) for e, s in picks[1::2]]),
        )
    )

    # 4. leave: requested by the parent, approved by the homeroom teacher
    coming = services.school_days(
        school=school,
        start=world.today + dt.timedelta(days=1),
        end=world.today + dt.timedelta(days=30),
    )
    for length in (1, 3):
        # one request per student, in the schools' timetabled classes in turn
        targets = [world.next_leave_student() for _ in range(args.operations)]
        sick = {
            t.school_id: t for t in LeaveType.objects.filter(school__in=world.schools, code="sick")
        }
        people = Person.objects.in_bulk([p for _c, p in targets])
        # loaded before the clock starts, each call its own: the scope is computed inside
        parents = [fresh_user(world.users[world.guardians[p][0]]) for _c, p in targets]
        teachers = [fresh_user(world.users[c.homeroom_teacher_id]) for c, _p in targets]
        made: list[Any] = []

        last = coming[length - 1]
        requests = [
            _leave_request(
                made,
                user=u,
                student=people[p],
                leave_type=sick[c.school_id],
                start=coming[0],
                end=last,
            )
            for (c, p), u in zip(targets, parents, strict=True)
        ]
        days = "1 day" if length == 1 else f"{length} days"
        out.append((f"leave request, {days}", per_operation(requests)))

        def decide(leave: Any, user: Any) -> Callable[[], Any]:
            return lambda: services.leave_decide(user=user, leave=leave, approve=True)

        out.append(
            (
                "  approve (attendance, teachers told)",
                per_operation([decide(lv, u) for lv, u in zip(made, teachers, strict=True)]),
            )
        )

    # 5. the county report, the indicators, the reports page
    start, end = report_selectors.default_period(world.today)
    county = world.county

    def report() -> None:
        r = report_selectors.report_build(county=county, start=start, end=end)
        assert len(r.rows) == len(world.schools), len(r.rows)

    out.append(
        (f"county report ({len(world.schools)} schools, 30 days)", timed(report, max(5, n // 2)))
    )
    ids = [i.id for i in indicators.all_indicators() if i.id.startswith("homeschool.")]
    from dtss.orgs.models import County as CountyModel
    from dtss.orgs.models import School

    def indicator_values(shared: bool) -> Callable[[], None]:
        def run() -> None:
            counties = [CountyModel.objects.get(pk=county.pk)]
            schools = list(School.objects.filter(county=county))
            ctx = indicators.shared_work() if shared else _nothing()
            with ctx:
                for iid in ids:
                    ind = indicators.get(iid)
                    values = ind.values(counties if ind.level == "county" else schools, world.today)
                    assert len(values) == (1 if ind.level == "county" else len(schools))

        return run

    out.append(
        (f"{len(ids)} indicators, shared_work()", timed(indicator_values(True), max(5, n // 2)))
    )
    out.append(("  without shared_work()", timed(indicator_values(False), max(3, n // 4))))
    admin = Client()
    admin.force_login(world.admin_user)
    out.append(
        (
            "reports page (county admin)",
            timed(page(admin, reverse("homeschool:reports")), max(5, n // 2)),
        )
    )
    return out


def _leave_request(
    made: list[Any], *, user: Any, student: Any, leave_type: Any, start: dt.date, end: dt.date
) -> Callable[[], None]:
    from dtss.homeschool import services

    def run() -> None:
        made.append(
            services.leave_request_create(
                user=user,
                student=student,
                leave_type=leave_type,
                start_date=start,
                end_date=end,
                reason="發燒，在家休息",
            )
        )

    return run


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _count(r: dict[str, float]) -> str:
    """The queries of one call; a range where the calls differ (a mail queued for some)."""
    if "q_min" in r and r["q_min"] != r["q_max"]:
        return f"{r['q_min']:.0f}–{r['q_max']:.0f}"
    return f"{r['queries']:.0f}"


def show(rows: list[tuple[str, dict[str, float]]]) -> None:
    print(f"{'':<46}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    for label, r in rows:
        q = _count(r)
        print(f"{label:<46}{r['median'] * 1000:>10.1f}{r['p95'] * 1000:>9.1f}{q:>9}")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores {cpu}, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
        f"Python {platform.python_version()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="30,120", help="schools after each step (default 30,120)"
    )
    parser.add_argument("--schools", type=int, default=0, help="one size only: N schools")
    parser.add_argument("--classes", type=int, default=3, help="classes per school (default 3)")
    parser.add_argument("--students", type=int, default=25, help="students per class (default 25)")
    parser.add_argument("--days", type=int, default=20, help="school days of history (default 20)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--operations", type=int, default=40, help="writes per kind (default 40)")
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    parser.add_argument("--seed", type=int, default=115)
    args = parser.parse_args()
    sizes = [args.schools] if args.schools else sorted(int(s) for s in args.sizes.split(","))

    with database(args.database_url) as where:
        os.environ["DTSS_TASKS"] = "database"  # as in production: mail is a queued task row
        os.environ["DTSS_ALLOWED_HOSTS"] = "testserver"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from dtss.homeschool.models import ContactEntry, ContactSignature

        call_command("migrate", verbosity=0)
        print(f"DTSS homeschool benchmark on {where}, {connection.vendor}")
        print(f"machine: {machine()}")
        world = County(args, random.Random(args.seed))
        results: dict[int, list[tuple[str, dict[str, float]]]] = {}
        for size in sizes:
            t = time.perf_counter()
            world.grow(size - len(world.schools))
            print(
                f"\n== {size} schools × {args.classes} classes × {args.students} students, "
                f"{args.days} school days: built in {time.perf_counter() - t:.1f} s; "
                f"{ContactEntry.objects.count():,} entries, "
                f"{ContactSignature.objects.count():,} signatures"
            )
            results[size] = measure(world, args)
            show(results[size])
        if len(sizes) > 1:
            print("\nqueries per request / operation at each size:")
            print(f"{'':<46}" + "".join(f"{s:>8}" for s in sizes))
            for i, (label, _r) in enumerate(results[sizes[0]]):
                counts = [_count(results[s][i][1]) for s in sizes]
                grows = "  GROWS" if len(set(counts)) > 1 else ""
                label = label.split(" (")[0] if "schools" in label else label
                print(f"{label:<46}" + "".join(f"{c:>8}" for c in counts) + grows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
