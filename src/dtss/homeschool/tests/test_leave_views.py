"""The leave pages: a parent requests leave, the homeroom teacher approves it (attendance
records, the subject teacher told), declines with a reason, the second approval, cancelling,
documents, the list and its export; who gets a 404 or 403; bad input names the field and
changes nothing; both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.homeschool import services
from dtss.homeschool.models import (
    AttendanceRecord,
    HomeschoolSettings,
    LeaveAttachment,
    LeaveRequest,
    LeaveType,
    Notification,
    Period,
)
from dtss.homeschool.tests.factories import MONDAY, make_leave, subject_teacher
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

LIST = "/homeschool/leave/"
NEW = "/homeschool/leave/new/"
EXPORT = "/homeschool/leave/export.csv"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(leave: LeaveRequest) -> str:
    return reverse("homeschool:leave_detail", args=[leave.public_id])


def ltype(world: Any, code: str = "sick", school: str = "A-elem") -> LeaveType:
    services.school_setup_ensure(school=world.schools[school])
    return LeaveType.objects.get(school=world.schools[school], code=code)


def per(world: Any, code: str, school: str = "A-elem") -> Period:
    services.school_setup_ensure(school=world.schools[school])
    return Period.objects.get(school=world.schools[school], code=code)


def form_data(world: Any, **values: Any) -> dict[str, Any]:
    data = {
        "student": str(world.people["elem_student"].public_id),
        "leave_type": str(ltype(world).public_id),
        "start_date": MONDAY.isoformat(),
        "end_date": MONDAY.isoformat(),
        "whole_day": "0",
        "periods": [str(per(world, "p1").public_id), str(per(world, "p2").public_id)],
        "reason": "發燒看醫生",
    }
    data.update(values)
    return data


def test_workflow_through_pages(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    subject_teacher(world)
    parent = world.client("elem_parent")
    page = parent.get(NEW + f"?student={world.people['elem_student'].public_id}")
    assert page.status_code == 200
    html = page.content.decode()
    # the school's leave types and periods, including 早自習 and 升旗
    for name in ("病假", "事假", "早自習", "升旗", "第二節"):
        assert name in html
    pdf = SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")
    response = parent.post(NEW, {**form_data(world), "files": [pdf]})
    leave = LeaveRequest.objects.get()
    assert response.status_code == 302 and response.url == detail(leave)
    assert leave.status == "pending" and leave.requested_by == world.people["elem_parent"]
    assert sorted(p.code for p in leave.periods.all()) == ["p1", "p2"]
    assert leave.attachments.get().name == "note.pdf"
    assert Notification.objects.filter(
        recipient=world.people["elem_teacher"], kind="leave"
    ).exists()

    teacher = world.client("elem_teacher")
    listing = teacher.get(LIST).content.decode()
    assert f'data-id="{leave.public_id}"' in listing and 'data-waiting="1"' in listing
    page = teacher.get(detail(leave)).content.decode()
    assert 'id="decide-form"' in page and "note.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher.post(
            reverse("homeschool:leave_decide", args=[leave.public_id]), {"decision": "approve"}
        )
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.decided_by == world.people["elem_teacher"]
    records = AttendanceRecord.objects.filter(student=world.people["elem_student"])
    assert sorted((r.date, r.period.code, r.status) for r in records) == [
        (MONDAY, "p1", "leave"),
        (MONDAY, "p2", "leave"),
    ]
    told = Notification.objects.filter(recipient=world.people["elem_subject"], kind="attendance")
    assert told.count() == 1 and "數學" in told.get().body
    # the family sees the decision in the history
    page = parent.get(detail(leave)).content.decode()
    assert 'data-status="approved"' in page and "elem_teacher" in page
    assert 'id="decide-form"' not in page and 'id="cancel-form"' not in page


def test_decline_needs_a_reason(world: Any) -> None:
    leave = make_leave(world)
    teacher = world.client("elem_teacher")
    url = reverse("homeschool:leave_decide", args=[leave.public_id])
    response = teacher.post(url, {"decision": "decline", "note": "  "})
    assert response.status_code == 400
    assert 'data-field="note"' in response.content.decode()
    leave.refresh_from_db()
    assert leave.status == "pending"
    teacher.post(url, {"decision": "decline", "note": "請附診斷證明"})
    leave.refresh_from_db()
    assert leave.status == "declined" and leave.decision_note == "請附診斷證明"
    assert not AttendanceRecord.objects.exists()
    page = world.client("elem_parent").get(detail(leave)).content.decode()
    assert "請附診斷證明" in page and 'data-status="declined"' in page


def test_second_approval(world: Any) -> None:
    school = world.schools["A-elem"]
    HomeschoolSettings.objects.create(
        county=school.county,
        school=school,
        second_approval_days=3,
        second_approver=world.people["elem_admin"],
    )
    leave = make_leave(world, code="personal", end=MONDAY + dt.timedelta(days=2))
    url = reverse("homeschool:leave_decide", args=[leave.public_id])
    world.client("elem_teacher").post(url, {"decision": "approve"})
    leave.refresh_from_db()
    assert leave.status == "second" and not AttendanceRecord.objects.exists()
    # the teacher may no longer decide; the second approver's list shows it first
    assert world.client("elem_teacher").post(url, {"decision": "approve"}).status_code == 403
    admin = world.client("elem_admin")
    listing = admin.get(LIST).content.decode()
    assert 'data-waiting="1"' in listing
    assert 'id="decide-form"' in admin.get(detail(leave)).content.decode()
    admin.post(url, {"decision": "approve", "note": "同意"})
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.second_decided_by == world.people["elem_admin"]
    assert AttendanceRecord.objects.count() == 3 * 9


def test_cancel_by_family_and_by_school(world: Any) -> None:
    leave = make_leave(world)
    url = reverse("homeschool:leave_cancel", args=[leave.public_id])
    assert world.client("elem_teacher").post(url).status_code == 403
    assert world.client("b_parent").post(url).status_code == 404
    assert world.client("elem_parent").post(url).status_code == 302
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    history = world.client("elem_parent").get(detail(leave)).content.decode()
    assert "elem_parent" in history
    # approved leave: only the school's administrators cancel it (its records go)
    other = make_leave(world, start=MONDAY + dt.timedelta(days=1))
    services.leave_decide(user=world.users["elem_teacher"], leave=other, approve=True)
    assert AttendanceRecord.objects.filter(leave=other).exists()
    url = reverse("homeschool:leave_cancel", args=[other.public_id])
    assert world.client("elem_parent").post(url).status_code == 403
    assert world.client("elem_admin").post(url).status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled" and not AttendanceRecord.objects.exists()


def test_parent_with_two_children_at_two_schools(world: Any) -> None:
    parent = world.people["elem_parent"]
    org_services.guardianship_create(
        parent=parent, child=world.people["b_student"], relation="mother"
    )
    client = world.client("elem_parent")
    page = client.get(NEW).content.decode()
    assert str(world.people["elem_student"].public_id) in page
    assert str(world.people["b_student"].public_id) in page
    page = client.get(NEW + f"?student={world.people['b_student'].public_id}").content.decode()
    assert "宜蘭國小" in page
    b_type = ltype(world, "personal", "B-elem")
    response = client.post(
        NEW,
        {
            **form_data(world),
            "student": str(world.people["b_student"].public_id),
            "leave_type": str(b_type.public_id),
            "whole_day": "1",
            "periods": [],
        },
    )
    assert response.status_code == 302
    make_leave(world, start=MONDAY + dt.timedelta(days=1))
    listing = client.get(LIST).content.decode()
    assert listing.count("data-id=") == 2 and "宜蘭國小" in listing


def test_bad_input_names_the_field_and_changes_nothing(world: Any) -> None:
    client = world.client("elem_parent")
    cases = [
        ({"end_date": (MONDAY - dt.timedelta(days=1)).isoformat()}, "end_date"),
        ({"leave_type": str(ltype(world, "personal").public_id), "reason": ""}, "reason"),
        ({"files": [SimpleUploadedFile("x.exe", b"MZ", content_type="x")]}, "files"),
        ({"whole_day": "0", "periods": []}, "periods"),
        ({"start_date": "not-a-date"}, "start_date"),
        ({"leave_type": str(ltype(world, "sick", "B-elem").public_id)}, "leave_type"),
    ]
    for values, field in cases:
        response = client.post(NEW, form_data(world, **values))
        assert response.status_code == 400, field
        assert f'data-field="{field}"' in response.content.decode(), field
    assert not LeaveRequest.objects.exists() and not LeaveAttachment.objects.exists()
    assert not Notification.objects.exists()


def test_who_may_request(world: Any) -> None:
    elem = world.people["elem_student"]
    # a student of an elementary school may not request leave
    assert world.client("elem_student").get(NEW).status_code == 403
    assert world.client("elem_student").post(NEW, form_data(world)).status_code == 403
    # another family's child: 404; a teacher has nobody to request for: 403
    assert world.client("b_parent").get(NEW + f"?student={elem.public_id}").status_code == 404
    assert world.client("elem_teacher").get(NEW).status_code == 403
    assert world.client("elem_parent").get(NEW + "?student=nonsense").status_code == 404
    # another school's administrator: 404; the school's: a paper form
    assert world.client("b_teacher").get(NEW + f"?student={elem.public_id}").status_code == 404
    admin = world.client("elem_admin")
    found = admin.get(NEW + "?q=elem_student2").content.decode()
    assert str(world.people["elem_student2"].public_id) in found
    assert admin.get(NEW + f"?student={elem.public_id}").status_code == 200
    response = admin.post(NEW, form_data(world))
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.source == "staff" and leave.status == "approved"
    assert world.client("junior_admin").get(NEW + f"?student={elem.public_id}").status_code == 404
    assert world.client("elem_parent").get(NEW).status_code == 200  # one child: the form
    anon = world.client("elem_parent")
    anon.logout()
    assert anon.get(NEW).status_code == 302


def test_tenancy_of_detail_files_and_list(world: Any) -> None:
    pdf = SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")
    leave = make_leave(world, files=[pdf])
    att = leave.attachments.get()
    file_url = reverse("homeschool:leave_attachment", args=[att.public_id])
    for key in ("b_parent", "b_teacher", "junior_admin", "b_admin", "outsider", "elem_student2"):
        client = world.client(key)
        assert client.get(detail(leave)).status_code == 404, key
        assert client.get(file_url).status_code == 404, key
        assert str(leave.public_id) not in client.get(LIST).content.decode(), key
    for key in ("elem_parent", "elem_student", "elem_teacher", "elem_admin"):
        assert world.client(key).get(detail(leave)).status_code == 200, key
        response = world.client(key).get(file_url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    # staff reads of a student's request are audited; the family's are not
    assert AuditEntry.objects.filter(action="homeschool.leave_read").count() == 2
    # deciding: the family may not (403), another school cannot see it (404)
    url = reverse("homeschool:leave_decide", args=[leave.public_id])
    assert world.client("elem_parent").post(url, {"decision": "approve"}).status_code == 403
    assert world.client("b_teacher").post(url, {"decision": "approve"}).status_code == 404
    anon = world.client("elem_parent")
    anon.logout()
    assert anon.get(detail(leave)).status_code == 302
    assert anon.get(LIST).status_code == 302


def test_list_filters_search_sort_and_paging(world: Any, settings: Any) -> None:
    first = make_leave(world, periods=["p1"])
    make_leave(world, code="personal", start=MONDAY + dt.timedelta(days=1))
    make_leave(
        world, "elem_admin", "elem_student2", start=MONDAY + dt.timedelta(days=2), periods=["p3"]
    )
    admin = world.client("elem_admin")
    rows = lambda q: admin.get(LIST + q).content.decode().count("data-id=")  # noqa: E731
    assert rows("") == 3
    assert rows("?status=pending") == 2
    assert rows("?status=approved") == 1
    assert rows("?type=personal") == 1
    assert rows(f"?from={MONDAY + dt.timedelta(days=1)}") == 2
    assert rows(f"?to={MONDAY}") == 1
    assert rows("?q=student2") == 1
    assert rows(f"?class={world.classes['A-elem 5-1'].public_id}") == 3
    assert rows("?status=bogus&sort=bogus&from=x") == 3
    page = admin.get(LIST + "?sort=start").content.decode()
    assert page.index(str(first.public_id)) > page.index("data-id=")
    settings.PAGE_SIZE = 2
    assert rows("") == 2 and rows("?page=2") == 1


def test_export_csv(world: Any) -> None:
    make_leave(world, reason="=HYPERLINK(1)")
    make_leave(world, "b_parent", "b_student")
    response = world.client("elem_admin").get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and "elem_student" in body
    assert "b_student" not in body and "'=HYPERLINK(1)" in body
    teacher = world.client("elem_teacher").get(EXPORT).content.decode()
    assert "elem_student" in teacher and "b_student" not in teacher
    assert "elem_student" not in world.client("b_teacher").get(EXPORT).content.decode()
    for key in ("elem_parent", "b_parent", "elem_student", "outsider"):
        assert world.client(key).get(EXPORT).status_code == 403, key
    assert AuditEntry.objects.filter(action="homeschool.leave_export").count() == 3


def test_both_languages(world: Any) -> None:
    leave = make_leave(world)
    client = world.client("elem_parent")
    zh = client.get(detail(leave)).content.decode()
    assert "病假" in zh
    client.cookies["dtss_language"] = "en"
    for url in (LIST, NEW, detail(leave)):
        response = client.get(url)
        assert response.status_code == 200
    en = client.get(detail(leave)).content.decode()
    assert "Sick leave" in en and "Leave request" in en
    assert "Request leave" in client.get(NEW).content.decode()
