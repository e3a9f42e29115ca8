# ruff: noqa: E501  (demo texts stay on one line, as they render)
"""Demo data of the parent–teacher–student platform (issue 10, journey 6), registered in
`DEMO_EXTENSIONS` after the helpdesk's (whose working calendar gives the school days).

For eight schools of 南投縣 (the demo parent's two children's schools 南投國小 and 南投國中,
and six others of every size) it sets up the default leave types and periods, a full
timetable for the demo teacher's class (5年1班 of 南投國小, with two subject teachers), and
the contact book of the last ten school days for the demo parent's children's classes and
about twenty other classes, signed by parents at a rate that differs by school (70–95 %),
with a few replies and the teachers' answers. The latest day's entries of the demo parent's
two children are not signed yet, so that the parent can sign them in the demo.

Leave in every state, through the real services: a request for periods 3–5 waiting for the
demo teacher from another family, an approved sick leave of the demo parent's younger child (with its
attendance records), a declined one of the older child with the reason, a long one waiting
for 南投國小's second approver (the principal); past leave of the other classes (mostly
online, some paper forms) and a few unexcused absences and late arrivals. Announcements from
the county to parents, from 南投國小 to its staff and from classes to parents, with read
receipts; a conversation between the demo teacher and the demo parent (its last message
unread) and others in the other classes; a few notifications for the demo accounts.

Deterministic for a seed except for the ids the services draw. No mail is sent for the
history.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils import timezone

DEMO_COUNTY_CODE = "10008"
# school code → the share of students whose parents sign on a day (reports show differences)
SIGN_RATES: dict[str, float] = {
    "084601": 0.93,
    "084521": 0.86,
    "084602": 0.90,
    "084611": 0.80,
    "084531": 0.74,
    "080301": 0.70,
    "084641": 0.95,
    "084614": 0.83,
}
CLASSES_PER_SCHOOL = 3
SCHOOL_DAYS = 10

HOMEWORK = {
    "elementary": [
        "國語習作第{n}課、生字每個寫兩行",
        "數學習作第{n}頁，訂正考卷",
        "閱讀20分鐘並寫心得三行",
        "英語單字第{n}課唸給家長聽",
        "自然：觀察豆芽菜的變化並記錄",
        "社會習作第{n}頁",
    ],
    "junior": [
        "數學講義第{n}回，週五小考",
        "英語L{n}單字與課文朗讀錄音上傳酷英網",
        "國文第{n}課注釋抄寫",
        "理化習作第{n}頁；因材網影片『密度』觀看",
        "歷史學習單第{n}張",
    ],
    "senior": [
        "數學B第{n}章練習題",
        "英文作文：My Weekend（120字）",
        "物理實驗報告週四前繳交",
        "國文第{n}課默寫",
    ],
}
NOTICES = [
    "明天第二節健康檢查，請穿方便捲袖的上衣。",
    "本週五放學後家長日，歡迎家長蒞臨。",
    "請家長協助檢查平板電量，明天數學課使用因材網。",
    "天氣轉涼，請幫孩子準備外套。",
    "下週一繳交校外教學同意書。",
    "",
    "",
]
BRING = ["水彩用具", "直笛", "運動服", "平板與充電線", "美勞剪刀與膠水", "", "", ""]
REPLIES = [
    "老師辛苦了，孩子今天有點咳嗽，麻煩多留意。",
    "數學第三題孩子不太會，想請老師再說明。",
    "明天會晚十分鐘到校，先跟老師說一聲。",
    "請問校外教學需要帶便當嗎？",
]
ANSWERS = ["收到，會多注意，謝謝家長。", "好的，明天下課時再跟他講解一次。", "需要帶便當和水壺喔。"]
CHATS = [
    ("老師您好，想請問孩子最近上課的專注情況。", "家長好，這週上課都很認真，數學小考也進步了。"),
    ("孩子說英語作業不太懂，可以請老師提點嗎？", "好的，明天早自習我會再帶他練習一次。"),
    ("下週三要帶孩子回診，會請半天假。", "收到，記得在系統上申請，我會幫忙登記。"),
    ("請問平板可以帶回家充電嗎？", "可以，請隔天記得帶回學校。"),
]


def demo_homeschool(rng: random.Random, progress: Callable[[str], None]) -> None:
    from dtss.accounts.models import User
    from dtss.homeschool.models import ContactEntry
    from dtss.orgs.models import County

    county = County.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None or not User.objects.filter(username="county.admin").exists():
        return
    if ContactEntry.objects.filter(county=county).exists():
        return
    progress("Contact book: timetables, ten school days of entries and signatures, leave …")
    local = random.Random(rng.getrandbits(64))  # this module's draws do not shift others'
    _Demo(county=county, rng=local).build(progress)
    _drop_history_mail()


class _Demo:
    def __init__(self, *, county: Any, rng: random.Random) -> None:
        from dtss.accounts.models import User

        self.county = county
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_default_timezone()
        self.users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["county.admin", "principal", "ithead", "teacher", "student", "parent"]
            ).select_related("person")
        }
        self.accounts: dict[int, Any] = {}
        self.counts = {"entries": 0, "signatures": 0, "leave": 0}

    # --- helpers ----------------------------------------------------------------------
    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: dt.date, hour: int, minute: int | None = None) -> dt.datetime:
        minute = self.rng.randint(0, 59) if minute is None else minute
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def past(self, moment: dt.datetime) -> dt.datetime:
        """The moment, or a minute ago if it has not come yet."""
        return min(moment, self.now - dt.timedelta(minutes=1))

    def account(self, person: Any) -> Any:
        """The person's login; a new one without a password if they have none."""
        from dtss.accounts.models import User

        if person.pk in self.accounts:
            return self.accounts[person.pk]
        user = User.objects.filter(person=person).first()
        if user is None:
            handle = (person.external_id or person.public_id.hex[:10]).lower()
            user = User.objects.create_user(
                username=f"demo.hs.{handle}", password=None, person=person
            )
        self.accounts[person.pk] = user
        return user

    # --- build ------------------------------------------------------------------------
    def build(self, progress: Callable[[str], None]) -> None:
        self.load()
        self.setup()
        self.timetable()
        self.contact_book()
        self.leave()
        self.absences()
        self.announcements()
        self.conversations()
        self.notifications()
        progress(
            f"Contact book: {self.counts['entries']} entries, {self.counts['signatures']} "
            f"signatures, {self.counts['leave']} leave requests."
        )

    def load(self) -> None:
        from dtss.homeschool import services
        from dtss.orgs.models import Enrollment, Guardianship, School, SchoolClass
        from dtss.orgs.selectors import current_enrollments

        self.schools = {
            s.code: s for s in School.objects.filter(county=self.county, code__in=list(SIGN_RATES))
        }
        teacher = self.users["teacher"].person
        parent = self.users["parent"].person
        self.demo_class = (
            SchoolClass.objects.filter(homeroom_teacher=teacher)
            .select_related("school", "term")
            .order_by("-term__roc_year", "-term__semester")
            .first()
        )
        term_id = self.demo_class.term_id
        kids = [g.child for g in Guardianship.objects.filter(parent=parent).select_related("child")]
        enrol = current_enrollments(people=kids)
        self.kids = sorted(
            [(k, enrol[k.pk]) for k in kids if k.pk in enrol], key=lambda ke: ke[1].school.code
        )
        # kids[0]: at 084521 (grade 8), kids[1]: at 084601 (grade 5), sorted by school code
        self.kid_elem = next((k, e) for k, e in self.kids if e.school.code == "084601")
        self.kid_junior = next(((k, e) for k, e in self.kids if e.school.code != "084601"), None)
        kid_classes = {e.school_class_id for _k, e in self.kids}
        chosen = [e.school_class for _k, e in self.kids]
        for code in sorted(self.schools):
            pool = list(
                SchoolClass.objects.filter(school=self.schools[code], term_id=term_id)
                .exclude(pk__in=kid_classes)
                .order_by("grade", "number")
            )
            chosen += self.rng.sample(pool, min(CLASSES_PER_SCHOOL, len(pool)))
        self.classes = {c.pk: c for c in chosen}
        for c in SchoolClass.objects.filter(pk__in=list(self.classes)).select_related(
            "school", "homeroom_teacher"
        ):
            self.classes[c.pk] = c
        self.students: dict[int, list[int]] = defaultdict(list)
        for class_id, student_id in (
            Enrollment.objects.filter(school_class_id__in=list(self.classes))
            .order_by("school_class_id", "seat_number")
            .values_list("school_class_id", "student_id")
        ):
            self.students[class_id].append(student_id)
        all_students = [s for ss in self.students.values() for s in ss]
        self.guardians: dict[int, list[int]] = defaultdict(list)
        for child_id, parent_id in (
            Guardianship.objects.filter(child_id__in=all_students)
            .order_by("child_id", "relation", "parent_id")
            .values_list("child_id", "parent_id")
        ):
            self.guardians[child_id].append(parent_id)
        self.days: dict[int, list[dt.date]] = {}
        for school in self.schools.values():
            days = services.school_days(
                school=school, start=self.today - dt.timedelta(days=28), end=self.today
            )
            self.days[school.pk] = days[-SCHOOL_DAYS:]
        self.reserved = {self.users["student"].person_id, *(k.pk for k, _e in self.kids)}

    def setup(self) -> None:
        from dtss.homeschool import services
        from dtss.homeschool.models import HomeschoolSettings, Period

        for school in self.schools.values():
            services.school_setup_ensure(school=school)
        self.periods: dict[int, list[Any]] = defaultdict(list)
        for p in Period.objects.filter(school__in=list(self.schools.values())).order_by("order"):
            self.periods[p.school_id].append(p)
        school = self.demo_class.school
        HomeschoolSettings.objects.create(
            public_id=self.uid(),
            county=self.county,
            school=school,
            count_in_days=True,
            second_approval_days=3,
            second_approver=self.users["principal"].person,
        )

    def timetable(self) -> None:
        from dtss.homeschool.models import TimetableSlot
        from dtss.orgs.models import Membership, Role, SchoolClass

        school = self.demo_class.school
        homerooms = SchoolClass.objects.filter(school=school).values("homeroom_teacher_id")
        subject = list(
            Membership.objects.filter(school=school, role=Role.TEACHER)
            .exclude(person_id__in=homerooms)
            .exclude(
                person__in=Membership.objects.filter(school=school, role=Role.SCHOOL_ADMIN).values(
                    "person"
                )
            )
            .order_by("person__external_id")
            .values_list("person_id", flat=True)[:2]
        )
        homeroom = self.demo_class.homeroom_teacher_id
        math = subject[0] if subject else homeroom
        english = subject[1] if len(subject) > 1 else homeroom
        plan = {
            "p1": ("國語", homeroom),
            "p2": ("數學", math),
            "p3": ("國語", homeroom),
            "p4": ("英語", english),
            "p5": ("自然", math),
            "p6": ("體育", english),
            "p7": ("社會", homeroom),
        }
        rows = []
        for p in self.periods[school.pk]:
            if p.code not in plan:
                continue
            for weekday in range(1, 6):
                name, teacher_id = plan[p.code]
                if weekday == 3 and p.code in ("p5", "p6", "p7"):
                    continue  # Wednesday afternoon off (elementary schools)
                if weekday == 5 and p.code == "p6":
                    name = "綜合活動"
                    teacher_id = homeroom
                rows.append(
                    TimetableSlot(
                        public_id=self.uid(),
                        county=self.county,
                        school=school,
                        school_class=self.demo_class,
                        weekday=weekday,
                        period=p,
                        subject=name,
                        teacher_id=teacher_id,
                    )
                )
        TimetableSlot.objects.bulk_create(rows)

    # --- the contact book -------------------------------------------------------------
    def contact_book(self) -> None:
        from dtss.homeschool.models import ContactEntry, ContactSignature

        kid_classes = {e.school_class_id: k.pk for k, e in self.kids}
        entries = []
        for c in self.classes.values():
            stage = {"elementary": "elementary", "junior": "junior"}.get(c.school.stage, "senior")
            for i, day in enumerate(self.days[c.school_id]):
                entries.append(
                    ContactEntry(
                        public_id=self.uid(),
                        county=self.county,
                        school_id=c.school_id,
                        school_class=c,
                        date=day,
                        homework="\n".join(
                            f"{j + 1}. " + t.format(n=i + 3)
                            for j, t in enumerate(self.rng.sample(HOMEWORK[stage], 2))
                        ),
                        notices=self.rng.choice(NOTICES),
                        bring=self.rng.choice(BRING),
                        author_id=c.homeroom_teacher_id,
                        published_at=self.past(self.at(day, 15, self.rng.randint(10, 50))),
                    )
                )
        ContactEntry.objects.bulk_create(entries, batch_size=1000)
        self.counts["entries"] = len(entries)
        self.entries = entries
        signatures = []
        for e in entries:
            c = self.classes[e.school_class_id]
            latest = e.date == self.days[c.school_id][-1]
            rate = SIGN_RATES[c.school.code] + self.rng.uniform(-0.05, 0.04)
            for student_id in self.students[c.pk]:
                if latest and kid_classes.get(c.pk) == student_id:
                    continue  # the demo parent signs today's in the demo
                if student_id in {k.pk for k, _e in self.kids} and not latest:
                    rate_here = 1.0  # the demo parent signs every day
                else:
                    rate_here = rate
                parents = self.guardians.get(student_id)
                if not parents or self.rng.random() >= rate_here:
                    continue
                signed_at = e.published_at + dt.timedelta(minutes=self.rng.randint(120, 420))
                if signed_at >= self.now:
                    continue
                signer = (
                    self.users["parent"].person_id
                    if student_id in {k.pk for k, _e in self.kids}
                    else self.rng.choice(parents)
                )
                reply = answer = ""
                answered_at = None
                if self.rng.random() < 0.03:
                    reply = self.rng.choice(REPLIES)
                    moment = signed_at + dt.timedelta(hours=self.rng.randint(10, 14))
                    if moment < self.now:
                        answer, answered_at = self.rng.choice(ANSWERS), moment
                signatures.append(
                    ContactSignature(
                        public_id=self.uid(),
                        county=self.county,
                        school_id=c.school_id,
                        school_class=c,
                        entry=e,
                        student_id=student_id,
                        signed_by_id=signer,
                        signed_at=signed_at,
                        reply=reply,
                        answer=answer,
                        answered_at=answered_at,
                    )
                )
        # the demo parent's reply on the younger child's entry of the day before, answered
        kid, enrol = self.kid_elem
        days = self.days[enrol.school_id]
        if len(days) > 1:
            for s in signatures:
                if s.student_id == kid.pk and s.entry.date == days[-2]:
                    s.reply = "老師好，孩子說數學習作第三題不太會，麻煩老師再提點，謝謝。"
                    moment = s.signed_at + dt.timedelta(hours=12)
                    if moment < self.now:
                        s.answer = "好的，明天早自習我會再帶他練習一次。"
                        s.answered_at = moment
        ContactSignature.objects.bulk_create(signatures, batch_size=2000)
        self.counts["signatures"] = len(signatures)

    # --- leave ------------------------------------------------------------------------
    def classmate(self, c: Any) -> tuple[Any, Any]:
        """(a student of the class who is none of the demo accounts' children, a parent)."""
        from dtss.orgs.models import Person

        for sid in self.students[c.pk]:
            if sid not in self.reserved and self.guardians.get(sid):
                self.reserved.add(sid)
                return Person.objects.get(pk=sid), Person.objects.get(pk=self.guardians[sid][0])
        raise LookupError(c)

    def next_school_day(self, school: Any, after: dt.date, n: int = 1) -> dt.date:
        from dtss.homeschool import services

        days = services.school_days(
            school=school, start=after + dt.timedelta(days=1), end=after + dt.timedelta(days=40)
        )
        return days[n - 1]

    def backdate_leave(self, leave: Any, moment: dt.datetime) -> None:
        from dtss.homeschool.models import LeaveRequest

        LeaveRequest.objects.filter(pk=leave.pk).update(created_at=moment)

    def leave(self) -> None:
        from django.core.exceptions import PermissionDenied, ValidationError

        from dtss.homeschool import services
        from dtss.homeschool.models import LeaveType

        teacher = self.users["teacher"]
        types = {
            (t.school_id, t.code): t
            for t in LeaveType.objects.filter(school__in=list(self.schools.values()))
        }
        school = self.demo_class.school
        days = self.days[school.pk]

        # 1. waiting for the demo teacher: another family's child, periods 3–5 tomorrow
        # (journey 5: the teacher approves a parent's leave request for periods 3–5)
        student, parent = self.classmate(self.demo_class)
        ask = self.past(self.at(days[-1], 7, 20))
        tomorrow = self.next_school_day(school, self.today)
        leave = services.leave_request_create(
            user=self.account(parent),
            student=student,
            leave_type=types[(school.pk, "personal")],
            start_date=tomorrow,
            end_date=tomorrow,
            periods=[p for p in self.periods[school.pk] if p.code in ("p3", "p4", "p5")],
            reason="陪同辦理戶政證件，下午第六節前回校",
            now=ask,
        )
        self.backdate_leave(leave, ask)
        self.pending = leave

        # 2. approved sick leave of the demo parent's younger child, with attendance records
        kid, _enrol = self.kid_elem
        sick_day = days[-3] if len(days) >= 3 else days[0]
        ask = self.at(sick_day, 7, 5)
        leave = services.leave_request_create(
            user=self.users["parent"],
            student=kid,
            leave_type=types[(school.pk, "sick")],
            start_date=sick_day,
            end_date=sick_day,
            reason="發燒 38.5 度，上午看診後在家休息",
            now=ask,
        )
        self.backdate_leave(leave, ask)
        services.leave_decide(user=teacher, leave=leave, approve=True, now=self.at(sick_day, 7, 48))
        self.approved = leave

        # 3. declined: the older child's personal leave, with the reason
        if self.kid_junior is not None:
            kid2, enrol2 = self.kid_junior
            jdays = self.days[enrol2.school_id]
            day = jdays[-2] if len(jdays) >= 2 else jdays[-1]
            ask = self.at(day - dt.timedelta(days=2), 20, 30)
            leave = services.leave_request_create(
                user=self.users["parent"],
                student=kid2,
                leave_type=types[(enrol2.school_id, "personal")],
                start_date=day,
                end_date=day,
                reason="家庭旅遊",
                now=ask,
            )
            self.backdate_leave(leave, ask)
            homeroom = self.account(enrol2.school_class.homeroom_teacher)
            services.leave_decide(
                user=homeroom,
                leave=leave,
                approve=False,
                note="當天是第二次段考，無法請事假；如需補考請與教務處聯繫。",
                now=ask + dt.timedelta(hours=13),
            )
            self.declined = leave

        # 4. a long leave approved by the demo teacher, waiting for the second approver
        student, parent = self.classmate(self.demo_class)
        first = self.next_school_day(school, self.today, 2)
        last = self.next_school_day(school, self.today, 4)
        ask = self.past(self.at(days[-1], 8, 10))
        leave = services.leave_request_create(
            user=self.account(parent),
            student=student,
            leave_type=types[(school.pk, "bereavement")],
            start_date=first,
            end_date=last,
            reason="外婆過世，回花蓮奔喪",
            now=ask,
        )
        self.backdate_leave(leave, ask)
        services.leave_decide(
            user=teacher,
            leave=leave,
            approve=True,
            note="請節哀。",
            now=self.past(ask + dt.timedelta(hours=1)),
        )
        self.second = leave
        self.counts["leave"] += 4

        # 5. the other classes' past leave: mostly online, some paper forms, decided in hours
        for c in list(self.classes.values()):
            if c.pk == self.demo_class.pk or not self.students[c.pk]:
                continue
            cdays = self.days[c.school_id]
            for _n in range(self.rng.randint(1, 3)):
                try:
                    student, parent = self.classmate(c)
                except LookupError:
                    break
                day = self.rng.choice(cdays[:-1] or cdays)
                online = self.rng.random() < 0.82
                code = self.rng.choice(
                    ["sick", "sick", "personal", "official"]
                    if not online
                    else ["sick", "sick", "personal"]
                )
                ask = self.at(day - dt.timedelta(days=1), self.rng.choice([19, 20, 21]))
                homeroom = self.account(c.homeroom_teacher)
                if online:
                    user = self.account(parent)
                else:
                    from dtss.homeschool.services import _school_admins

                    user = self.account(_school_admins(c.school)[0])
                try:
                    leave = services.leave_request_create(
                        user=user,
                        student=student,
                        leave_type=types[(c.school_id, code)],
                        start_date=day,
                        end_date=day,
                        reason={
                            "sick": "身體不適，在家休息",
                            "personal": "家中有事",
                            "official": "代表學校參加縣賽",
                        }[code],
                        now=ask,
                        files=[_note()] if code == "official" else [],
                    )
                except (ValidationError, PermissionDenied):  # a school's own rule: skip it
                    continue
                self.backdate_leave(leave, ask)
                self.counts["leave"] += 1
                if leave.status == "pending":
                    decide = ask + dt.timedelta(
                        hours=self.rng.choice([1, 2, 3, 10, 11, 12, 14, 20])
                    )
                    if decide < self.now:
                        declined = self.rng.random() < 0.08
                        services.leave_decide(
                            user=homeroom,
                            leave=leave,
                            approve=not declined,
                            note="請改請病假並附就醫證明。" if declined else "",
                            now=decide,
                        )

    def absences(self) -> None:
        from dtss.homeschool.models import AttendanceRecord

        rows = []
        others = [c for c in self.classes.values() if c.pk != self.demo_class.pk]
        targets = [self.demo_class, *self.rng.sample(others, 5)]
        for c in targets:
            try:
                student, _parent = self.classmate(c)
            except LookupError:
                continue
            cdays = self.days[c.school_id]
            day = cdays[-2] if len(cdays) > 1 else cdays[-1]
            periods = self.periods[c.school_id]
            status = (
                "late" if c.pk != self.demo_class.pk and self.rng.random() < 0.3 else "unexcused"
            )
            for p in periods[:1] if status == "late" else periods[2:4]:
                rows.append(
                    AttendanceRecord(
                        public_id=self.uid(),
                        county=self.county,
                        school_id=c.school_id,
                        school_class=c,
                        student=student,
                        date=day,
                        period=p,
                        status=status,
                        recorded_by_id=c.homeroom_teacher_id,
                        note="未到校，聯絡家長未接" if status == "unexcused" else "",
                    )
                )
        AttendanceRecord.objects.bulk_create(rows)

    # --- announcements and messages ---------------------------------------------------
    def announcements(self) -> None:
        from dtss.homeschool.models import Announcement, AnnouncementRead
        from dtss.orgs.models import Membership, Role

        school = self.demo_class.school
        days = self.days[school.pk]
        admin = self.users["county.admin"].person
        reads = []

        def read(ann: Any, people: list[int], share: float) -> None:
            for pid in people:
                if self.rng.random() < share:
                    moment = ann.published_at + dt.timedelta(minutes=self.rng.randint(10, 1800))
                    if moment < self.now:
                        reads.append(
                            AnnouncementRead(
                                public_id=self.uid(),
                                county=self.county,
                                school_id=ann.school_id,
                                announcement=ann,
                                person_id=pid,
                                read_at=moment,
                            )
                        )

        county_ann = Announcement.objects.create(
            public_id=self.uid(),
            county=self.county,
            author=admin,
            title="流感疫苗校園接種：請於週五前繳回同意書",
            body="本縣國中小校園流感疫苗接種將於下週進行，請家長詳閱說明並於週五前將同意書交給導師。",
            to_parents=True,
            to_students=True,
            published_at=self.at(days[-6] if len(days) >= 6 else days[0], 9, 0),
        )
        parents = sorted({p for ps in self.guardians.values() for p in ps})
        read(county_ann, [p for p in parents if p != self.users["parent"].person_id], 0.55)
        read(county_ann, [self.users["parent"].person_id], 1.0)
        staff = list(
            Membership.objects.filter(school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN])
            .values_list("person_id", flat=True)
            .distinct()
        )
        staff_ann = Announcement.objects.create(
            public_id=self.uid(),
            county=self.county,
            school=school,
            author=self.users["principal"].person,
            title="期末校務會議：週三下午 2 點於視聽教室",
            body="議程：數位學習推動成果、學習扶助名單、寒假作業規劃。請各學年主任彙整意見。",
            to_staff=True,
            published_at=self.at(days[-4] if len(days) >= 4 else days[0], 12, 30),
        )
        read(staff_ann, sorted(set(staff)), 0.8)
        class_parents = sorted(
            {p for sid in self.students[self.demo_class.pk] for p in self.guardians.get(sid, [])}
        )
        class_ann = Announcement.objects.create(
            public_id=self.uid(),
            county=self.county,
            school=school,
            school_class=self.demo_class,
            author=self.users["teacher"].person,
            title="校外教學：集集綠色隧道（請攜帶水壺與雨具）",
            body="下週四校外教學，早上 7:50 在校門口集合，請穿運動服、帶水壺與雨具，午餐由學校準備。",
            to_parents=True,
            to_students=True,
            published_at=self.past(self.at(days[-1], 12, 10)),
        )
        read(class_ann, [p for p in class_parents if p != self.users["parent"].person_id], 0.7)
        read(
            class_ann,
            [s for s in self.students[self.demo_class.pk] if s != self.users["student"].person_id],
            0.5,
        )
        for c in self.rng.sample(
            [c for c in self.classes.values() if c.pk != self.demo_class.pk], 6
        ):
            cdays = self.days[c.school_id]
            ann = Announcement.objects.create(
                public_id=self.uid(),
                county=self.county,
                school_id=c.school_id,
                school_class=c,
                author_id=c.homeroom_teacher_id,
                title="班親會時間調整",
                body="本學期班親會改於週五晚上 7 點舉行，歡迎家長參加。",
                to_parents=True,
                published_at=self.at(cdays[-5] if len(cdays) >= 5 else cdays[0], 16, 0),
            )
            ps = sorted({p for sid in self.students[c.pk] for p in self.guardians.get(sid, [])})
            read(ann, ps, SIGN_RATES[c.school.code] - 0.15)
        AnnouncementRead.objects.bulk_create(reads, batch_size=2000)
        self.class_announcement = class_ann

    def conversations(self) -> None:
        kid, _enrol = self.kid_elem
        school = self.demo_class.school
        days = self.days[school.pk]
        teacher = self.users["teacher"].person_id
        parent = self.users["parent"].person_id
        d = days[-4] if len(days) >= 4 else days[0]
        script = [
            (
                parent,
                self.at(d, 19, 40),
                "老師您好，孩子這幾天咳嗽，午餐後可以提醒他吃藥嗎？藥放在書包前袋。",
                True,
            ),
            (
                teacher,
                self.at(self.next_school_day(school, d), 7, 45),
                "家長好，沒問題，午餐後我會提醒他。也請多讓他喝水。",
                True,
            ),
            (
                parent,
                self.at(self.next_school_day(school, d), 20, 5),
                "謝謝老師，已經好多了。",
                True,
            ),
            (
                teacher,
                self.past(self.at(days[-1], 12, 20)),
                "下週四校外教學，記得幫孩子準備水壺和雨具喔。",
                False,
            ),
        ]
        self.conversation = self._conversation(school, teacher, parent, kid.pk, script)
        # other classes: a parent asks, the homeroom teacher answers some hours later
        for c in self.rng.sample(
            [c for c in self.classes.values() if c.pk != self.demo_class.pk], 8
        ):
            try:
                student, p = self.classmate(c)
            except LookupError:
                continue
            cdays = self.days[c.school_id]
            ask, answer = self.rng.choice(CHATS)
            start = self.at(
                self.rng.choice(cdays[:-1] or cdays), self.rng.choice([7, 12, 18, 20, 21])
            )
            reply = start + dt.timedelta(minutes=self.rng.randint(30, 60 * 26))
            script = [(p.pk, start, ask, True)]
            if reply < self.now:
                script.append((c.homeroom_teacher_id, reply, answer, True))
            self._conversation(c.school, c.homeroom_teacher_id, p.pk, student.pk, script)

    def _conversation(
        self, school: Any, teacher: int, parent: int, student: int, script: list[tuple]
    ) -> Any:
        from dtss.homeschool.models import Conversation, Message

        conv = Conversation.objects.create(
            public_id=self.uid(),
            county=self.county,
            school=school,
            teacher_id=teacher,
            parent_id=parent,
            student_id=student,
            last_message_at=script[-1][1],
        )
        Message.objects.bulk_create(
            [
                Message(
                    public_id=self.uid(),
                    county=self.county,
                    school=school,
                    conversation=conv,
                    sender_id=sender,
                    body=body,
                    sent_at=moment,
                    read_at=(moment + dt.timedelta(minutes=40)) if was_read else None,
                )
                for sender, moment, body, was_read in script
            ]
        )
        return conv

    def notifications(self) -> None:
        from dtss.homeschool.models import Notification
        from dtss.homeschool.services import link

        kid, enrol = self.kid_elem
        school = self.demo_class.school
        latest = next(
            e
            for e in self.entries
            if e.school_class_id == enrol.school_class_id and e.date == self.days[school.pk][-1]
        )
        rows = [
            (
                self.users["parent"].person_id,
                "contact",
                f"聯絡簿：{kid.name} {latest.date:%m/%d}",
                latest.homework.splitlines()[0] if latest.homework else "",
                link("homeschool:contact_entry", latest.public_id),
                latest.published_at,
            ),
            (
                self.users["parent"].person_id,
                "message",
                "導師傳來訊息",
                "下週四校外教學，記得幫孩子準備水壺和雨具喔。",
                link("homeschool:conversation_detail", self.conversation.public_id),
                self.past(self.at(self.days[school.pk][-1], 12, 20)),
            ),
            (
                self.users["teacher"].person_id,
                "contact",
                f"家長回覆聯絡簿：{kid.name}",
                "老師好，孩子說數學習作第三題不太會，麻煩老師再提點，謝謝。",
                link("homeschool:contact_class", self.demo_class.public_id),
                self.past(self.at(self.days[school.pk][-2], 21, 0))
                if len(self.days[school.pk]) > 1
                else self.now,
            ),
            (
                self.users["student"].person_id,
                "announcement",
                self.class_announcement.title,
                "",
                link("homeschool:announcement_detail", self.class_announcement.public_id),
                self.class_announcement.published_at,
            ),
        ]
        Notification.objects.bulk_create(
            [
                Notification(
                    public_id=self.uid(),
                    county=self.county,
                    school=school,
                    recipient_id=pid,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    url=url,
                    deliver_at=moment,
                    email_due=False,
                )
                for pid, kind, title, body, url, moment in rows
            ]
        )


def _note() -> Any:
    """A small PDF standing for an official letter (公假 needs a document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "公假通知.pdf", b"%PDF-1.4\n% demo official letter\n%%EOF\n", "application/pdf"
    )


def _drop_history_mail() -> None:
    """The services queued mail for the replayed history (sent after the commit); none of it
    is news, so it is not sent."""
    from django.db import connection

    connection.run_on_commit = [
        item
        for item in connection.run_on_commit
        if getattr(item[1], "__module__", "") != "dtss.homeschool.services"
    ]
