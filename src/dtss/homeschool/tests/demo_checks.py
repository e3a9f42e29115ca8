"""The demo county carries the parent–teacher–student platform (issue 10, journey 6) without
typing data in first. Called by the demo's own test (dtss/demo/tests/test_demo.py), which
generates the demo county once for every module."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.accounts.models import User
from dtss.core.indicators import get as get_indicator
from dtss.homeschool.models import (
    AttendanceRecord,
    ContactEntry,
    ContactSignature,
    Conversation,
    LeaveRequest,
)
from dtss.orgs.models import County, Enrollment, Guardianship

SIGN_LOW = 60.0
ONLINE_LOW = 50.0


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def check_homeschool_demo() -> None:
    county = County.objects.get(code="10008")
    parent = User.objects.get(username="parent")
    teacher = User.objects.get(username="teacher")
    kids = [g.child for g in Guardianship.objects.filter(parent=parent.person)]

    # The parent's page shows both children, at their two schools.
    page = _client("parent").get(reverse("homeschool:home"), follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    for kid in kids:
        assert kid.name in html

    # The latest entry of each child's class is published and not yet signed for that child.
    for kid in kids:
        enrolment = Enrollment.objects.filter(student=kid).select_related("school_class").first()
        latest = (
            ContactEntry.objects.filter(
                school_class=enrolment.school_class, published_at__isnull=False
            )
            .order_by("-date")
            .first()
        )
        assert latest is not None
        assert not ContactSignature.objects.filter(entry=latest, student=kid).exists()
        # ... and the parent signs it in the running app.
        response = _client("parent").post(
            reverse("homeschool:contact_sign", args=[latest.public_id]),
            {"student": str(kid.public_id), "reply": ""},
        )
        assert response.status_code == 302, response.content[:500]
        assert ContactSignature.objects.filter(entry=latest, student=kid).exists()

    # Leave in every state; approved leave wrote attendance records per period.
    states = set(LeaveRequest.objects.filter(county=county).values_list("status", flat=True))
    assert {"pending", "second", "approved", "declined"} <= states
    approved = LeaveRequest.objects.filter(
        county=county, status="approved", student__in=kids
    ).first()
    assert approved is not None
    assert AttendanceRecord.objects.filter(leave=approved).count() >= 7
    assert LeaveRequest.objects.filter(county=county, status="pending").exists()
    teacher_list = _client("teacher").get(reverse("homeschool:leave_list"))
    assert teacher_list.status_code == 200
    waiting = LeaveRequest.objects.filter(
        status="pending", school_class__homeroom_teacher=teacher.person
    )
    assert waiting.exists()
    # journey 5: the teacher approves a parent's leave request for periods 3–5
    assert sorted(waiting.first().periods.values_list("code", flat=True)) == ["p3", "p4", "p5"]
    assert waiting.first().student.name in teacher_list.content.decode()

    # The demo teacher and parent have a conversation; the principal sees the reports.
    assert Conversation.objects.filter(county=county).exists()
    assert _client("principal").get(reverse("homeschool:reports")).status_code == 200

    # The indicators read plausible figures from the demo's data (sign rates 70–95 % by school,
    # about four in five leave requests made online).
    today = timezone.localdate()
    sign = get_indicator("homeschool.county_sign_rate").values([county], today)[county.pk]
    assert sign is not None and SIGN_LOW <= sign <= 100.0, sign
    online = get_indicator("homeschool.county_leave_online").values([county], today)[county.pk]
    assert online is not None and ONLINE_LOW <= online <= 100.0, online
