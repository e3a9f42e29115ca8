"""The leave workflow through to attendance records and notifications (services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from dtss.homeschool import services
from dtss.homeschool.models import (
    AttendanceRecord,
    HomeschoolSettings,
    LeaveRequest,
    Notification,
)
from dtss.homeschool.tests.factories import MONDAY, make_leave, period, subject_teacher

pytestmark = pytest.mark.django_db


def _notes(world, key):
    return Notification.objects.filter(recipient=world.people[key])


def test_parent_request_to_attendance_and_subject_teachers(
    world, django_capture_on_commit_callbacks
):
    subject_teacher(world)
    leave = make_leave(world, periods=["p1", "p2"], end=MONDAY + dt.timedelta(days=1))
    assert leave.status == "pending" and leave.source == "online" and leave.days == 2
    assert _notes(world, "elem_teacher").filter(kind="leave").count() == 1
    assert not AttendanceRecord.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == "approved"
    records = AttendanceRecord.objects.filter(student=world.people["elem_student"])
    assert sorted((r.date, r.period.code) for r in records) == [
        (MONDAY, "p1"),
        (MONDAY, "p2"),
        (MONDAY + dt.timedelta(days=1), "p1"),
        (MONDAY + dt.timedelta(days=1), "p2"),
    ]
    assert {r.status for r in records} == {"leave"}
    assert {r.leave_type.code for r in records} == {"sick"}
    # The subject teacher of period 2 is told (once, listing both days); the homeroom teacher
    # decided it and is not told again about their own period 1.
    told = _notes(world, "elem_subject").filter(kind="attendance")
    assert told.count() == 1
    assert "11/23" in told.get().body and "11/24" in told.get().body and "數學" in told.get().body
    assert _notes(world, "elem_parent").filter(title__contains="11/23").exists()
    # Emails went out after the commit for notifications due now.
    assert any("elem_subject@example.org" in m.to for m in mail.outbox)


def test_whole_day_leave_skips_weekend(world):
    saturday = MONDAY + dt.timedelta(days=5)
    leave = make_leave(
        world, start=MONDAY + dt.timedelta(days=4), end=saturday + dt.timedelta(days=2)
    )
    assert leave.days == 2  # Friday and the next Monday
    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    dates = set(AttendanceRecord.objects.values_list("date", flat=True))
    assert dates == {MONDAY + dt.timedelta(days=4), MONDAY + dt.timedelta(days=7)}
    assert AttendanceRecord.objects.count() == 2 * 9  # every period of the elementary day


def test_decline_needs_reason_and_writes_nothing(world):
    leave = make_leave(world)
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=False)
    assert "note" in exc.value.message_dict
    services.leave_decide(
        user=world.users["elem_teacher"], leave=leave, approve=False, note="請補診斷證明"
    )
    leave.refresh_from_db()
    assert leave.status == "declined" and leave.decision_note == "請補診斷證明"
    assert not AttendanceRecord.objects.exists()


def test_only_homeroom_or_school_decides(world):
    leave = make_leave(world)
    for key in ("junior_teacher", "elem_parent", "a_staff", "b_teacher", "elem_student"):
        with pytest.raises(PermissionDenied):
            services.leave_decide(user=world.users[key], leave=leave, approve=True)
    services.leave_decide(user=world.users["elem_admin"], leave=leave, approve=True)


def test_second_approver_for_long_leave(world):
    school = world.schools["A-elem"]
    HomeschoolSettings.objects.create(
        county=school.county,
        school=school,
        second_approval_days=3,
        second_approver=world.people["elem_admin"],
    )
    leave = make_leave(world, code="personal", end=MONDAY + dt.timedelta(days=2))
    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == "second" and not AttendanceRecord.objects.exists()
    assert _notes(world, "elem_admin").filter(kind="leave").exists()
    with pytest.raises(PermissionDenied):
        services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    services.leave_decide(user=world.users["elem_admin"], leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == "approved" and AttendanceRecord.objects.count() == 3 * 9


def test_bad_requests_change_nothing(world):
    with pytest.raises(PermissionDenied):
        make_leave(world, user_key="b_parent")  # not their child
    with pytest.raises(ValidationError) as exc:
        make_leave(world, start=MONDAY, end=MONDAY - dt.timedelta(days=1))
    assert "end_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_leave(world, code="official")  # needs a document
    assert "files" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_leave(world, code="personal", reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_leave(world, start=MONDAY + dt.timedelta(days=5))  # a Saturday
    assert "start_date" in exc.value.message_dict
    assert not LeaveRequest.objects.exists() and not Notification.objects.exists()


def test_overlapping_request_refused(world):
    make_leave(world, periods=["p1"])
    make_leave(world, periods=["p2"])  # another period of the same day is fine
    with pytest.raises(ValidationError):
        make_leave(world, periods=["p2", "p3"])


def test_student_requests_only_where_allowed(world):
    with pytest.raises(PermissionDenied):
        make_leave(world, user_key="elem_student")  # an elementary school


def test_staff_paper_form_is_approved_at_once(world):
    leave = make_leave(world, user_key="elem_admin", periods=["p3"])
    assert leave.source == "staff" and leave.status == "approved"
    assert AttendanceRecord.objects.get().period.code == "p3"


def test_approved_leave_turns_unexcused_into_leave(world):
    services.school_setup_ensure(school=world.schools["A-elem"])
    p1 = period(world, "p1")
    services.attendance_set(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        date=MONDAY,
        marks={(world.people["elem_student"].pk, p1.pk): ("unexcused", None, "")},
    )
    assert _notes(world, "elem_parent").filter(kind="attendance").exists()
    leave = make_leave(world, periods=["p1"])
    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    rec = AttendanceRecord.objects.get()
    assert rec.status == "leave" and rec.leave_id == leave.pk
    # The school cannot overwrite a record that came from approved leave by hand.
    out = services.attendance_set(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        date=MONDAY,
        marks={(world.people["elem_student"].pk, p1.pk): ("", None, "")},
    )
    assert out["kept"] == 1 and AttendanceRecord.objects.count() == 1


def test_cancel(world):
    leave = make_leave(world)
    with pytest.raises(PermissionDenied):
        services.leave_cancel(user=world.users["b_parent"], leave=leave)
    services.leave_cancel(user=world.users["elem_parent"], leave=leave)
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    with pytest.raises(ValidationError):
        services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
