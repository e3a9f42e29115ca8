"""Loan services: the lifecycle of a take-home loan, who may sign, reservations, loaners and
the priority queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dtss.devices import loan_selectors as sel
from dtss.devices import loan_services as svc
from dtss.devices.equity_services import support_set
from dtss.devices.models import Assignment, Device, DeviceEvent, LoanRequest
from dtss.devices.tests.factories import make_device
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def kinds(device: Device) -> list[str]:
    return list(device.events.order_by("at", "id").values_list("kind", flat=True))


def lend(world: Any, device: Device | None = None, student: str = "elem_student") -> Assignment:
    device = device or make_device(world)
    return svc.loan_create(
        device=device,
        student=world.people[student],
        due_on=TODAY() + dt.timedelta(days=120),
        accessories="充電器",
        condition_out="良好",
        actor=world.users["elem_admin"],
    )


def snapshot(a: Assignment) -> tuple:
    a.refresh_from_db()
    a.device.refresh_from_db()
    return (
        a.status,
        a.signed_by_id,
        a.signed_name,
        a.signed_at,
        a.device.status,
        a.device.holder_id,
        a.device.events.count(),
    )


def test_full_lifecycle(world: Any) -> None:
    device = make_device(world)
    admin = world.users["elem_admin"]
    loan = lend(world, device)
    device.refresh_from_db()
    assert loan.status == "awaiting"
    assert device.status == "in_stock" and device.holder_id is None
    assert kinds(device) == ["created", "loan_created"]
    # the agreement is snapshotted with the loan's facts
    text = loan.agreement_text
    assert "借用切結書" in text and "Borrowing agreement" in text
    assert device.asset_tag in text and device.serial in text and "充電器" in text
    assert world.schools["A-elem"].name_zh in text
    assert loan.due_on.isoformat() in text
    assert "3 日內" in text and "within 3 days" in text  # report a loss within 3 days
    assert "出售" in text and "sell" in text  # no resale
    assert "離校" in text and "recalls it" in text  # return on recall or leaving school

    # the parent signs
    parent = world.people["elem_parent"]
    svc.loan_sign(
        assignment=loan,
        user=world.users["elem_parent"],
        signed_name=f" {parent.name} ",
        agree=True,
        ip="10.0.0.9",
    )
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == "active"
    assert loan.signed_by == parent and loan.signed_name == parent.name
    assert loan.signed_at is not None and loan.signed_ip == "10.0.0.9"
    assert device.status == "on_loan" and device.holder == world.people["elem_student"]
    assert kinds(device)[-2:] == ["loan_signed", "loaned"]
    assert not svc.is_paper_signed(loan)

    # recall
    svc.loan_recall(
        assignment=loan, reason="學期末檢查", return_by=TODAY() + dt.timedelta(days=7), actor=admin
    )
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == "recalled" and loan.recall_reason == "學期末檢查"
    assert device.status == "on_loan"
    assert kinds(device)[-1] == "recalled"

    # return, damaged: to repair
    svc.assignment_return(
        assignment=loan, condition_in="螢幕破裂", send_for_repair=True, actor=admin
    )
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == "returned" and loan.ended_at is not None
    assert device.status == "in_repair" and device.holder_id is None
    assert kinds(device)[-2:] == ["returned", "repair_out"]


def test_return_to_stock(world: Any) -> None:
    loan = lend(world)
    svc.loan_sign_on_paper(
        assignment=loan,
        signed_name=world.people["elem_parent"].name,
        actor=world.users["elem_admin"],
    )
    loan.refresh_from_db()
    assert svc.is_paper_signed(loan) and loan.signed_ip is None
    assert loan.signed_by == world.people["elem_parent"]
    assert loan.device.events.filter(kind="loan_signed", detail__on_paper=True).exists()
    svc.assignment_return(assignment=loan, condition_in="良好", actor=world.users["elem_admin"])
    loan.device.refresh_from_db()
    assert loan.device.status == "in_stock"


@pytest.mark.parametrize(
    ("who", "name", "error"),
    [
        ("b_parent", "b_parent", PermissionDenied),  # another family's parent
        ("elem_teacher", "elem_teacher", PermissionDenied),  # staff may not sign for the family
        ("elem_admin", "elem_admin", PermissionDenied),
        ("elem_student", "elem_student", PermissionDenied),  # the student never signs
        ("elem_parent", "王大明", ValidationError),  # a name that does not match
        ("elem_parent", "", ValidationError),
    ],
)
def test_wrong_signer_refused(world: Any, who: str, name: str, error: type) -> None:
    loan = lend(world)
    before = snapshot(loan)
    with pytest.raises(error):
        svc.loan_sign(assignment=loan, user=world.users[who], signed_name=name, agree=True)
    assert snapshot(loan) == before


def test_must_tick_agree(world: Any) -> None:
    loan = lend(world)
    before = snapshot(loan)
    with pytest.raises(ValidationError) as exc:
        svc.loan_sign(
            assignment=loan,
            user=world.users["elem_parent"],
            signed_name=world.people["elem_parent"].name,
            agree=False,
        )
    assert "agree" in exc.value.message_dict
    assert snapshot(loan) == before


def test_senior_high_student_cannot_sign(world: Any) -> None:
    """At a senior high school the student (even of age) does not sign: only a guardian."""
    district = world.schools["A-elem"].district
    school = org_services.school_create(
        district=district, code="084301", name_zh="南投高中", stage="senior", student_count=900
    )
    term = org_services.term_get_or_create(roc_year=114, semester=1)
    cls = org_services.class_create(school=school, term=term, grade=10, number=1)
    student = world.people["outsider"]
    org_services.enrollment_create(student=student, school_class=cls, seat_number=1)
    device = make_device(world, None)
    from dtss.devices.services import device_transfer

    device_transfer(device=device, school=school)
    loan = svc.loan_create(device=device, student=student, due_on=TODAY() + dt.timedelta(days=30))
    with pytest.raises(PermissionDenied):
        svc.loan_sign(
            assignment=loan, user=world.users["outsider"], signed_name=student.name, agree=True
        )
    loan.refresh_from_db()
    assert loan.status == "awaiting"


def test_device_cannot_be_lent_twice(world: Any) -> None:
    device = make_device(world)
    lend(world, device)
    with pytest.raises(ValidationError) as exc:
        lend(world, device, student="elem_student2")
    assert "device" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.assignment_create(device=device, person=world.people["elem_teacher"])
    assert Assignment.objects.filter(device=device).count() == 1
    # a device in repair is not lendable either
    other = make_device(world)
    from dtss.devices.services import device_set_status

    device_set_status(device=other, status="in_repair")
    with pytest.raises(ValidationError):
        lend(world, other)


def test_loan_checks_student_and_date(world: Any) -> None:
    device = make_device(world)
    with pytest.raises(ValidationError) as exc:
        svc.loan_create(device=device, student=world.people["b_student"], due_on=TODAY())
    assert {"student", "due_on"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        svc.loan_create(
            device=device,
            student=world.people["elem_student"],
            due_on=TODAY() + dt.timedelta(days=9),
            actor=world.users["elem_teacher"],
        )
    with pytest.raises(PermissionDenied):
        svc.loan_create(
            device=device,
            student=world.people["elem_student"],
            due_on=TODAY() + dt.timedelta(days=9),
            actor=world.users["junior_admin"],
        )
    assert not Assignment.objects.exists()


def test_cancel_frees_device_and_reopens_request(world: Any) -> None:
    req = svc.loan_request_create(
        student=world.people["elem_student"], need="device", actor=world.users["elem_parent"]
    )
    device = make_device(world)
    loan = svc.loan_create(
        device=device,
        student=world.people["elem_student"],
        due_on=TODAY() + dt.timedelta(days=30),
        loan_request=req,
    )
    req.refresh_from_db()
    assert req.status == "fulfilled"
    svc.loan_cancel(assignment=loan, reason="family moved", actor=world.users["elem_admin"])
    loan.refresh_from_db()
    req.refresh_from_db()
    assert loan.status == "cancelled" and loan.ended_at
    assert req.status == "open"
    lend(world, device, student="elem_student2")  # free again
    with pytest.raises(ValidationError):
        svc.loan_cancel(assignment=loan)


def test_assignment_to_person_and_class(world: Any) -> None:
    d1, d2 = make_device(world), make_device(world, kind="display")
    a = svc.assignment_create(device=d1, person=world.people["elem_teacher"])
    b = svc.assignment_create(device=d2, school_class=world.classes["A-elem 5-1"])
    d1.refresh_from_db()
    d2.refresh_from_db()
    assert d1.status == d2.status == "assigned"
    assert d1.holder == world.people["elem_teacher"] and d2.holder_class == b.school_class
    assert kinds(d1)[-1] == "assigned"
    with pytest.raises(ValidationError):
        svc.assignment_create(device=make_device(world), person=world.people["b_teacher"])
    with pytest.raises(ValidationError):
        svc.assignment_create(device=make_device(world), school_class=world.classes["A-junior 7-1"])
    with pytest.raises(ValidationError):
        svc.loan_recall(assignment=a, reason="x", return_by=TODAY())
    svc.assignment_return(assignment=a)
    d1.refresh_from_db()
    assert d1.status == "in_stock" and d1.holder is None


def test_loaner_and_swap_back(world: Any) -> None:
    own = make_device(world)
    loan = lend(world, own)
    svc.loan_sign(
        assignment=loan,
        user=world.users["elem_parent"],
        signed_name=world.people["elem_parent"].name,
        agree=True,
    )
    spare = make_device(world, kind="chromebook")
    loaner = svc.loaner_issue(own_device=own, loaner=spare, note="電池膨脹")
    own.refresh_from_db()
    spare.refresh_from_db()
    assert loaner.kind == "loaner" and loaner.replaces == own and loaner.status == "active"
    assert own.status == "in_repair" and own.holder == world.people["elem_student"]
    assert spare.status == "on_loan" and spare.holder == world.people["elem_student"]
    assert kinds(own)[-1] == "repair_out" and kinds(spare)[-1] == "loaned"
    assert spare.asset_tag in loaner.agreement_text and own.asset_tag in loaner.agreement_text
    # the own device is in repair: no second loaner
    with pytest.raises(ValidationError):
        svc.loaner_issue(own_device=own, loaner=make_device(world))
    svc.loaner_return(assignment=loaner, condition_in="良好")
    own.refresh_from_db()
    spare.refresh_from_db()
    loaner.refresh_from_db()
    assert loaner.status == "returned"
    assert own.status == "on_loan" and own.holder == world.people["elem_student"]
    assert spare.status == "in_stock" and spare.holder is None
    assert kinds(own)[-1] == "repair_back" and kinds(spare)[-1] == "returned"


def test_loaner_needs_a_held_device(world: Any) -> None:
    own, spare = make_device(world), make_device(world)
    with pytest.raises(ValidationError):
        svc.loaner_issue(own_device=own, loaner=spare)
    loan = lend(world, own)  # awaiting: not yet held
    with pytest.raises(ValidationError):
        svc.loaner_issue(own_device=own, loaner=spare)
    assert loan.status == "awaiting"
    spare.refresh_from_db()
    assert (
        spare.status == "in_stock"
        and not DeviceEvent.objects.filter(device=spare, kind="loaned").exists()
    )


def test_overdue(world: Any) -> None:
    late = lend(world)
    Assignment.objects.filter(pk=late.pk).update(
        status="active", due_on=TODAY() - dt.timedelta(days=1)
    )
    recalled = lend(world, student="elem_student2")
    Assignment.objects.filter(pk=recalled.pk).update(
        status="recalled", due_on=TODAY() + dt.timedelta(days=90),
        recall_due_on=TODAY() - dt.timedelta(days=2),
    )  # fmt: skip
    fine = lend(world)
    Assignment.objects.filter(pk=fine.pk).update(status="active")
    ids = set(sel.overdue_loans(user=world.users["elem_admin"]).values_list("pk", flat=True))
    assert ids == {late.pk, recalled.pk}
    assert not sel.overdue_loans(user=world.users["junior_admin"]).exists()


def _req(world: Any, student: Any, need: str = "device") -> LoanRequest:
    return svc.loan_request_create(student=student, need=need, actor=world.users["elem_admin"])


def test_queue_order(world: Any) -> None:
    school = world.schools["A-elem"]
    cls = world.classes["A-elem 5-1"]
    people = {}
    for i, name in enumerate(["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"], start=3):
        p = org_services.person_create(county=school.county, name=name, external_id=f"s{i}")
        org_services.enrollment_create(student=p, school_class=cls, seat_number=i)
        people[name] = p
    # 甲 middle-low-income, no internet; 乙 low-income, shared internet; 丙 low-income, none
    support_set(student=people["甲"], middle_low_income=True, internet_at_home="no")
    support_set(student=people["乙"], low_income=True, internet_at_home="shared")
    support_set(student=people["丙"], low_income=True, internet_at_home="no")
    # 丁 disability, with a request; 戊 disability, no request (same access)
    support_set(student=people["丁"], disability=True, internet_at_home="no")
    support_set(student=people["戊"], disability=True, internet_at_home="no")
    _req(world, people["丁"])
    # 己 and 庚: no category, requests (己 older)
    _req(world, people["己"])
    _req(world, people["庚"], need="connection")
    # 辛: in need but has everything at home: not in the queue
    support_set(student=people["辛"], remote=True, device_at_home="yes", internet_at_home="yes")
    # elem_student: low-income but already has a tablet on loan and internet at home
    support_set(student=world.people["elem_student"], low_income=True, internet_at_home="yes")
    loan = lend(world)
    assert loan.status == "awaiting"

    with translation.override("en"):  # the reasons are phrased in the reader's language
        rows = sel.loan_queue(user=world.users["elem_admin"], school=school)
    order = [r.student.name for r in rows]
    assert order == ["丙", "乙", "甲", "丁", "戊", "己", "庚"]
    assert [r.rank for r in rows] == list(range(1, 8))
    by = {r.student.name: r for r in rows}
    assert by["庚"].need == "connection" and by["己"].need == "device"
    assert by["丙"].need == "both"
    assert any("low-income" in x for x in by["丙"].reasons)
    # nobody else sees a queue
    for who in ("elem_teacher", "junior_admin", "b_admin", "moe", "elem_parent"):
        assert sel.loan_queue(user=world.users[who], school=school) == []
    # lending 丙 a tablet leaves the connection need
    svc.loan_create(
        device=make_device(world), student=people["丙"], due_on=TODAY() + dt.timedelta(days=9)
    )
    by = {r.student.name: r for r in sel.loan_queue(user=world.users["a_admin"], school=school)}
    assert by["丙"].need == "connection"


def test_loan_request_rules(world: Any) -> None:
    child = world.people["elem_student"]
    with pytest.raises(PermissionDenied):
        svc.loan_request_create(student=child, need="device", actor=world.users["b_parent"])
    with pytest.raises(PermissionDenied):
        svc.loan_request_create(student=child, need="device", actor=world.users["b_teacher"])
    r = svc.loan_request_create(
        student=child, need="both", reason="家中無電腦", actor=world.users["elem_parent"]
    )
    assert r.school == world.schools["A-elem"] and r.requested_by == world.people["elem_parent"]
    with pytest.raises(ValidationError):
        svc.loan_request_create(student=child, need="device", actor=world.users["elem_teacher"])
    svc.loan_request_create(
        student=world.people["elem_student2"], need="device", actor=world.users["elem_student2"]
    )
    with pytest.raises(PermissionDenied):
        svc.loan_request_decline(loan_request=r, note="x", actor=world.users["elem_teacher"])
    with pytest.raises(ValidationError):
        svc.loan_request_decline(loan_request=r, note="", actor=world.users["elem_admin"])
    svc.loan_request_decline(loan_request=r, note="暫無庫存", actor=world.users["elem_admin"])
    r.refresh_from_db()
    assert r.status == "declined"
