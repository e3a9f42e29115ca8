"""The attendance API: a class's day (get and set), the class and school reports, a student's
records; tenancy (404 / 403 / 401) and bad input (422 naming the field, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dtss.homeschool import services
from dtss.homeschool.models import AttendanceRecord, Notification
from dtss.homeschool.tests.factories import MONDAY, make_leave, subject_teacher

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool/attendance"


def day_url(world: Any, key: str = "A-elem 5-1") -> str:
    return f"{API}/classes/{world.classes[key].public_id}"


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, body, content_type="application/json")


def test_class_day_get_and_set(world: Any) -> None:
    subject_teacher(world)
    leave = make_leave(world, periods=["p1"])
    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    s1 = str(world.people["elem_student"].public_id)
    s2 = str(world.people["elem_student2"].public_id)
    got = world.client("elem_subject").get(day_url(world) + f"?date={MONDAY}")
    assert got.status_code == 200
    body = got.json()
    assert body["may_record"] is True and [s["seat"] for s in body["students"]] == [1, 2]
    assert body["records"] == [
        {
            "student": s1,
            "period": "p1",
            "status": "leave",
            "leave_type": "sick",
            "locked": True,
            "note": "",
        }
    ]
    resp = put(
        world.client("elem_subject"),
        day_url(world),
        {
            "date": MONDAY.isoformat(),
            "marks": [
                {"student": s1, "period": "p2", "status": "unexcused"},
                {"student": s1, "period": "p1", "status": "present"},  # locked: kept
                {"student": s2, "period": "p3", "status": "leave", "leave_type": "personal"},
            ],
        },
    )
    assert resp.status_code == 200 and resp.json() == {"set": 2, "cleared": 0, "kept": 1}
    assert AttendanceRecord.objects.count() == 3
    assert Notification.objects.filter(recipient=world.people["elem_parent"], kind="attendance")
    # another teacher of the school reads but may not record
    from dtss.orgs import services as org_services
    from dtss.orgs.models import Role

    org_services.membership_create(
        person=world.people["junior_teacher"], role=Role.TEACHER, school=world.schools["A-elem"]
    )
    reader = world.client("junior_teacher")
    assert reader.get(day_url(world)).json()["may_record"] is False
    body = {
        "date": MONDAY.isoformat(),
        "marks": [{"student": s2, "period": "p4", "status": "late"}],
    }
    assert put(reader, day_url(world), body).status_code == 403
    assert world.client("elem_parent").get(day_url(world)).status_code == 403
    for key in ("b_teacher", "b_parent", "b_admin", "junior_admin"):
        assert world.client(key).get(day_url(world)).status_code == 404, key
        assert put(world.client(key), day_url(world), body).status_code == 404, key
    assert Client().get(day_url(world)).status_code == 401
    assert AttendanceRecord.objects.count() == 3


def test_set_bad_input_changes_nothing(world: Any) -> None:
    s1 = str(world.people["elem_student"].public_id)
    b = str(world.people["b_student"].public_id)
    teacher = world.client("elem_teacher")
    cases = [
        (
            {"date": "2026-12-25", "marks": [{"student": s1, "period": "p1", "status": "late"}]},
            "date",
        ),
        (
            {
                "date": MONDAY.isoformat(),
                "marks": [{"student": b, "period": "p1", "status": "late"}],
            },
            "marks.0.student",
        ),
        (
            {
                "date": MONDAY.isoformat(),
                "marks": [{"student": s1, "period": "zz", "status": "late"}],
            },
            "marks.0.period",
        ),
        (
            {
                "date": MONDAY.isoformat(),
                "marks": [{"student": s1, "period": "p1", "status": "leave"}],
            },
            "marks.0.leave_type",
        ),
        (
            {
                "date": MONDAY.isoformat(),
                "marks": [{"student": s1, "period": "p1", "status": "gone"}],
            },
            "marks.0.status",
        ),
    ]
    for body, field in cases:
        resp = put(teacher, day_url(world), body)
        assert resp.status_code == 422, field
        assert field in {e["field"] for e in resp.json()["detail"]}, (field, resp.json())
    assert not AttendanceRecord.objects.exists() and not Notification.objects.exists()


def test_reports_and_student_records(world: Any) -> None:
    make_leave(world, "elem_admin", "elem_student", periods=["p1", "p2"])
    school = world.schools["A-elem"]
    klass = world.classes["A-elem 5-1"]
    rng = f"?from={MONDAY}&to={MONDAY}"
    resp = world.client("elem_teacher").get(f"{API}/classes/{klass.public_id}/report{rng}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["unit"] == "days"  # an elementary school counts in days
    one = next(s for s in body["students"] if s["name"] == "elem_student")
    assert one["leave"] == 1
    assert {c["code"]: c["count"] for c in one["leave_by_type"]}["sick"] == 1
    bad = world.client("elem_teacher").get(f"{API}/classes/{klass.public_id}/report?from=x")
    assert bad.status_code == 422
    rev = world.client("elem_teacher").get(
        f"{API}/classes/{klass.public_id}/report?from=2026-11-30&to=2026-11-01"
    )
    assert rev.status_code == 422 and {e["field"] for e in rev.json()["detail"]} == {"to"}

    school_url = f"{API}/schools/{school.public_id}/report{rng}&group=week"
    resp = world.client("elem_admin").get(school_url)
    assert resp.status_code == 200
    assert resp.json()["classes"][0]["leave"] == 1 and resp.json()["group"] == "week"
    assert world.client("elem_teacher").get(school_url).status_code == 403
    assert world.client("elem_parent").get(school_url).status_code == 403
    assert world.client("b_admin").get(school_url).status_code == 404
    assert world.client("junior_admin").get(school_url).status_code == 404

    url = f"{API}/students/{world.people['elem_student'].public_id}{rng}"
    for key in ("elem_parent", "elem_student", "elem_teacher", "elem_admin"):
        resp = world.client(key).get(url)
        assert resp.status_code == 200 and resp.json()["count"] == 2, key
        assert {r["period"] for r in resp.json()["items"]} == {"p1", "p2"}
    for key in ("elem_student2", "b_parent", "b_admin", "junior_admin", "outsider"):
        assert world.client(key).get(url).status_code == 404, key
    assert Client().get(url).status_code == 401
