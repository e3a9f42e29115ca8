"""Helpers for the homeschool tests, on top of the shared `world` fixture (dtss/conftest.py).

In the world, `elem_teacher` is the homeroom teacher of A-elem 5-1 (students `elem_student`,
`elem_student2`; `elem_parent` is `elem_student`'s mother), `junior_teacher` of A-junior 7-1,
`b_teacher` of B-elem 3-2 (`b_student`, `b_parent`). `subject_teacher` here adds `elem_subject`,
a teacher of A-elem who teaches 5-1 數學 in the second period every weekday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from dtss.homeschool import services
from dtss.homeschool.models import LeaveRequest, LeaveType, Period, TimetableSlot
from dtss.orgs import services as org_services
from dtss.orgs.models import Role

MONDAY = dt.date(2026, 11, 23)  # a past school week: Monday 23 – Friday 27 November 2026


def setup(world: Any, school_key: str = "A-elem") -> None:
    services.school_setup_ensure(school=world.schools[school_key])


def leave_type(world: Any, code: str = "sick", school_key: str = "A-elem") -> LeaveType:
    setup(world, school_key)
    return LeaveType.objects.get(school=world.schools[school_key], code=code)


def period(world: Any, code: str = "p1", school_key: str = "A-elem") -> Period:
    setup(world, school_key)
    return Period.objects.get(school=world.schools[school_key], code=code)


def subject_teacher(world: Any) -> Any:
    """`elem_subject`: teaches 5-1 數學 in period 2 and 自然 in period 5 every weekday."""
    if "elem_subject" in world.people:
        return world.people["elem_subject"]
    school = world.schools["A-elem"]
    person = org_services.person_create(
        county=school.county,
        name="數學老師",
        external_id="elem_subject",
        email="elem_subject@example.org",
    )
    user = get_user_model().objects.create_user(
        username="elem_subject",
        password="x-Pass-123456",
        email="elem_subject@example.org",
        person=person,
    )
    org_services.membership_create(person=person, role=Role.TEACHER, school=school)
    world.people["elem_subject"] = person
    world.users["elem_subject"] = user
    klass = world.classes["A-elem 5-1"]
    for weekday in range(1, 6):
        for code, subject, teacher in [
            ("p1", "國語", world.people["elem_teacher"]),
            ("p2", "數學", person),
            ("p5", "自然", person),
        ]:
            TimetableSlot.objects.create(
                county=school.county,
                school=school,
                school_class=klass,
                weekday=weekday,
                period=period(world, code),
                subject=subject,
                teacher=teacher,
            )
    return person


def make_leave(
    world: Any,
    user_key: str = "elem_parent",
    student_key: str = "elem_student",
    *,
    code: str = "sick",
    start: dt.date = MONDAY,
    end: dt.date | None = None,
    periods: list[str] | None = None,
    reason: str = "發燒看醫生",
    **kw: Any,
) -> LeaveRequest:
    school_key = "B-elem" if student_key.startswith("b_") else "A-elem"
    return services.leave_request_create(
        user=world.users[user_key],
        student=world.people[student_key],
        leave_type=leave_type(world, code, school_key),
        start_date=start,
        end_date=end or start,
        periods=[period(world, c, school_key) for c in (periods or [])],
        reason=reason,
        **kw,
    )
