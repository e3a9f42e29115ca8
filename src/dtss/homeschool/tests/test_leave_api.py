"""The leave API: options for a form, list/create/get, decide, cancel, documents; tenancy (404
for another family, school or county; 403 for a role that may not act; 401 anonymous); bad
input is a 422 naming the field and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dtss.core.models import AuditEntry
from dtss.homeschool.models import AttendanceRecord, LeaveAttachment, LeaveRequest, Notification
from dtss.homeschool.tests.factories import MONDAY, make_leave, subject_teacher

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool/leave"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fields(resp: Any) -> set[str]:
    return {e["field"] for e in resp.json()["detail"]}


def create(client: Client, world: Any, **values: Any) -> Any:
    data = {
        "student": str(world.people["elem_student"].public_id),
        "leave_type": "sick",
        "start_date": MONDAY.isoformat(),
        "end_date": MONDAY.isoformat(),
        "periods": "p1,p2",
        "reason": "發燒",
    }
    data.update(values)
    return client.post(f"{API}/requests", data)


def test_options_for_the_form(world: Any) -> None:
    elem = world.people["elem_student"]
    resp = world.client("elem_parent").get(f"{API}/options?student={elem.public_id}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["how"] == "online" and body["school_name"] == "南投國小"
    assert {"sick", "personal", "official"} <= {t["code"] for t in body["leave_types"]}
    assert [p["code"] for p in body["periods"]][:3] == ["morning", "flag", "p1"]
    assert (
        world.client("b_parent").get(f"{API}/options?student={elem.public_id}").status_code == 404
    )
    assert (
        world.client("elem_teacher").get(f"{API}/options?student={elem.public_id}").status_code
        == 403
    )
    assert (
        world.client("elem_student").get(f"{API}/options?student={elem.public_id}").status_code
        == 403
    )
    assert (
        world.client("elem_admin").get(f"{API}/options?student={elem.public_id}").json()["how"]
        == "staff"
    )
    assert Client().get(f"{API}/options?student={elem.public_id}").status_code == 401


def test_workflow(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    subject_teacher(world)
    parent = world.client("elem_parent")
    pdf = SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")
    resp = create(parent, world, files=[pdf])
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "pending" and body["periods"] == ["p1", "p2"]
    assert [f["name"] for f in body["files"]] == ["note.pdf"]
    file_url = body["files"][0]["url"]
    got = parent.get(file_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert world.client("b_parent").get(file_url).status_code == 404

    teacher = world.client("elem_teacher")
    listed = teacher.get(f"{API}/requests").json()
    assert listed["count"] == 1 and listed["items"][0]["waiting_for_you"] is True
    pid = body["public_id"]
    # the family may not decide (403); another school cannot see it (404)
    decide = f"{API}/requests/{pid}/decide"
    assert (
        parent.post(decide, {"approve": True}, content_type="application/json").status_code == 403
    )
    assert (
        world.client("b_teacher")
        .post(decide, {"approve": True}, content_type="application/json")
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = teacher.post(decide, {"approve": True}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert AttendanceRecord.objects.filter(status="leave").count() == 2
    assert Notification.objects.filter(
        recipient=world.people["elem_subject"], kind="attendance"
    ).exists()
    # family cannot cancel approved leave; the school's administrators can
    cancel = f"{API}/requests/{pid}/cancel"
    assert parent.post(cancel).status_code == 403
    resp = world.client("elem_admin").post(cancel)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert not AttendanceRecord.objects.exists()
    assert world.client("elem_admin").post(cancel).status_code == 422


def test_decline_needs_note(world: Any) -> None:
    leave = make_leave(world)
    decide = f"{API}/requests/{leave.public_id}/decide"
    teacher = world.client("elem_teacher")
    resp = teacher.post(decide, {"approve": False}, content_type="application/json")
    assert resp.status_code == 422 and fields(resp) == {"note"}
    leave.refresh_from_db()
    assert leave.status == "pending"
    resp = teacher.post(
        decide, {"approve": False, "note": "請補證明"}, content_type="application/json"
    )
    assert resp.json()["status"] == "declined" and resp.json()["decision_note"] == "請補證明"
    history = world.client("elem_parent").get(f"{API}/requests/{leave.public_id}").json()["history"]
    assert history[-1]["note"] == "請補證明"


def test_bad_input_changes_nothing(world: Any) -> None:
    parent = world.client("elem_parent")
    cases = [
        ({"end_date": (MONDAY - dt.timedelta(days=1)).isoformat()}, "end_date"),
        ({"leave_type": "personal", "reason": ""}, "reason"),
        ({"leave_type": "nonsense"}, "leave_type"),
        ({"periods": "p1,zz"}, "periods"),
        ({"files": [SimpleUploadedFile("x.exe", b"MZ")]}, "files"),
        ({"start_date": "soon"}, "start_date"),
    ]
    for values, field in cases:
        resp = create(parent, world, **values)
        assert resp.status_code == 422, field
        assert field in fields(resp), (field, resp.json())
    assert not LeaveRequest.objects.exists() and not LeaveAttachment.objects.exists()
    # someone else's child: a bad field, 422 (whether the child exists is not said); a
    # student at an elementary school, who may request leave for nobody: 403
    other = {"student": str(world.people["elem_student"].public_id)}
    resp = create(world.client("b_parent"), world, **other)
    assert resp.status_code == 422 and fields(resp) == {"student"}
    assert create(world.client("elem_student"), world).status_code == 403
    assert create(Client(), world).status_code == 401
    assert not LeaveRequest.objects.exists()


def test_tenancy_of_lists_and_detail(world: Any) -> None:
    mine = make_leave(world)
    make_leave(world, "b_parent", "b_student")
    for key, expected in [
        ("elem_parent", 1),
        ("elem_student", 1),
        ("elem_student2", 0),
        ("b_parent", 1),
        ("elem_teacher", 1),
        ("elem_admin", 1),
        ("b_teacher", 1),
        ("junior_teacher", 0),
        ("a_admin", 0),
        ("moe", 0),
        ("outsider", 0),
    ]:
        resp = world.client(key).get(f"{API}/requests")
        assert resp.status_code == 200 and resp.json()["count"] == expected, key
    url = f"{API}/requests/{mine.public_id}"
    for key in ("b_parent", "elem_student2", "b_admin", "a_admin", "junior_admin", "outsider"):
        assert world.client(key).get(url).status_code == 404, key
    assert world.client("elem_admin").get(url).status_code == 200
    assert AuditEntry.objects.filter(action="homeschool.leave_read").count() == 1
    assert Client().get(url).status_code == 401
    assert Client().get(f"{API}/requests").status_code == 401


def test_list_filters(world: Any) -> None:
    make_leave(world, periods=["p1"])
    make_leave(world, code="personal", start=MONDAY + dt.timedelta(days=1))
    admin = world.client("elem_admin")
    count = lambda q: admin.get(f"{API}/requests{q}").json()["count"]  # noqa: E731
    assert count("") == 2
    assert count("?leave_type=personal") == 1
    assert count(f"?date_from={MONDAY + dt.timedelta(days=1)}") == 1
    assert count("?q=elem_student") == 2 and count("?q=zzz") == 0
    assert count("?status=open") == 2 and count("?status=approved") == 0
    assert count(f"?school_class={world.classes['A-elem 5-1'].public_id}") == 2
    resp = admin.get(f"{API}/requests?school_class={world.classes['B-elem 3-2'].public_id}")
    assert resp.status_code == 422 and fields(resp) == {"school_class"}
    assert admin.get(f"{API}/requests?status=bogus").status_code == 422
