"""The attendance pages: the class's sheet for a day (recording through it, locked leave,
read-only staff), a student's record, who gets a 404 or 403, bad input, both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.homeschool.models import AttendanceRecord, LeaveType, Notification, Period
from dtss.homeschool.tests.factories import MONDAY, make_leave, setup, subject_teacher

pytestmark = pytest.mark.django_db


def sheet(world: Any, key: str = "A-elem 5-1") -> str:
    return reverse("homeschool:attendance_class", args=[world.classes[key].public_id])


def student_page(world: Any, key: str) -> str:
    return reverse("homeschool:attendance_student", args=[world.people[key].public_id])


def cell(world: Any, student: str, code: str) -> str:
    setup(world)
    p = Period.objects.get(school=world.schools["A-elem"], code=code)
    return f"mark-{world.people[student].pk}-{p.pk}"


def test_record_through_the_sheet(world: Any) -> None:
    leave = make_leave(world, periods=["p1"])
    from dtss.homeschool import services

    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    teacher = world.client("elem_teacher")
    page = teacher.get(sheet(world) + f"?date={MONDAY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-locked="1"' in html and "早自習" in html and "升旗" in html
    assert f'name="{cell(world, "elem_student", "p1")}"' not in html  # locked: no select
    sick = LeaveType.objects.get(school=world.schools["A-elem"], code="sick")
    resp = teacher.post(
        sheet(world),
        {
            "date": MONDAY.isoformat(),
            cell(world, "elem_student2", "p3"): "unexcused",
            cell(world, "elem_student2", "p4"): "late",
            cell(world, "elem_student", "p2"): f"leave:{sick.pk}",
            cell(world, "elem_student", "p1"): "",  # locked: ignored
        },
    )
    assert resp.status_code == 302
    rows = {
        (r.student.external_id, r.period.code): (r.status, r.leave_id is not None)
        for r in AttendanceRecord.objects.select_related("student", "period")
    }
    assert rows == {
        ("elem_student", "p1"): ("leave", True),
        ("elem_student", "p2"): ("leave", False),
        ("elem_student2", "p3"): ("unexcused", False),
        ("elem_student2", "p4"): ("late", False),
    }
    # saving the unchanged sheet again changes nothing and does not notify again
    notes = Notification.objects.filter(kind="attendance").count()
    teacher.post(
        sheet(world),
        {"date": MONDAY.isoformat(), cell(world, "elem_student2", "p3"): "unexcused"},
    )
    assert Notification.objects.filter(kind="attendance").count() == notes
    # clearing
    teacher.post(sheet(world), {"date": MONDAY.isoformat(), cell(world, "elem_student2", "p4"): ""})
    assert not AttendanceRecord.objects.filter(status="late").exists()


def test_bad_input_names_the_field(world: Any) -> None:
    teacher = world.client("elem_teacher")
    future = (dt.date(2026, 11, 30) + dt.timedelta(days=1)).isoformat()
    resp = teacher.post(sheet(world), {"date": future, cell(world, "elem_student", "p1"): "late"})
    assert resp.status_code == 400 and 'data-field="date"' in resp.content.decode()
    name = cell(world, "elem_student", "p1")
    resp = teacher.post(sheet(world), {"date": MONDAY.isoformat(), name: "bogus"})
    assert resp.status_code == 400 and f'data-field="{name}"' in resp.content.decode()
    resp = teacher.post(sheet(world), {"date": "nope", name: "late"})
    assert resp.status_code == 400
    assert not AttendanceRecord.objects.exists()
    # a future day shown: back to today, with the error
    resp = teacher.get(sheet(world) + f"?date={future}")
    assert resp.status_code == 200 and 'data-field="date"' in resp.content.decode()


def test_who_may_read_and_record(world: Any) -> None:
    subject_teacher(world)
    name = cell(world, "elem_student", "p2")
    data = {"date": MONDAY.isoformat(), name: "unexcused"}
    # the subject teacher who teaches the class and the school's administrators record
    assert world.client("elem_subject").post(sheet(world), data).status_code == 302
    assert world.client("elem_admin").post(sheet(world), {**data, name: "late"}).status_code == 302
    # another teacher of the school reads only
    from dtss.orgs import services as org_services
    from dtss.orgs.models import Role

    other = world.people["junior_teacher"]
    org_services.membership_create(person=other, role=Role.TEACHER, school=world.schools["A-elem"])
    page = world.client("junior_teacher").get(sheet(world)).content.decode()
    assert 'id="read-only"' in page and f'name="{name}"' not in page
    assert world.client("junior_teacher").post(sheet(world), data).status_code == 403
    # families: 403 for their own class, 404 for another; another school or county 404
    assert world.client("elem_parent").get(sheet(world)).status_code == 403
    assert world.client("elem_student").get(sheet(world)).status_code == 403
    for key in ("b_parent", "b_teacher", "b_admin", "junior_admin", "outsider"):
        assert world.client(key).get(sheet(world)).status_code == 404, key
        assert world.client(key).post(sheet(world), data).status_code == 404, key
    client = world.client("elem_teacher")
    client.logout()
    assert client.get(sheet(world)).status_code == 302
    assert AttendanceRecord.objects.get().status == "late"
    assert AuditEntry.objects.filter(action="homeschool.attendance_read").exists()


def test_student_record_page(world: Any) -> None:
    make_leave(world, "elem_admin", "elem_student", periods=["p1", "p2"])  # approved at once
    url = student_page(world, "elem_student") + f"?from={MONDAY}&to={MONDAY}"
    for key in ("elem_student", "elem_parent", "elem_teacher", "elem_admin"):
        resp = world.client(key).get(url)
        assert resp.status_code == 200, key
        html = resp.content.decode()
        assert 'data-period="p1"' in html and 'data-status="leave"' in html, key
    subject_teacher(world)
    for key in ("elem_student2", "b_parent", "elem_subject", "b_admin", "junior_admin", "outsider"):
        assert world.client(key).get(url).status_code == 404, key
    # the family's reads are theirs; the staff's are audited
    audited = AuditEntry.objects.filter(
        action="homeschool.attendance_read", object_type="orgs.person"
    )
    assert audited.count() == 2
    assert (
        world.client("elem_parent").get(student_page(world, "elem_student") + "?from=x").status_code
        == 400
    )


def test_both_languages(world: Any) -> None:
    make_leave(world, "elem_admin", "elem_student", periods=["p1"])
    client = world.client("elem_teacher")
    zh = client.get(sheet(world) + f"?date={MONDAY}").content.decode()
    assert "病假" in zh
    client.cookies["dtss_language"] = "en"
    en = client.get(sheet(world) + f"?date={MONDAY}").content.decode()
    assert "Sick leave" in en and "Morning study" in en
    report = reverse(
        "homeschool:attendance_class_report", args=[world.classes["A-elem 5-1"].public_id]
    )
    assert client.get(report).status_code == 200
    assert client.get(student_page(world, "elem_student")).status_code == 200
