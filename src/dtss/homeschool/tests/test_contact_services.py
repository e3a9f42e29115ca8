"""The contact book's services: one entry per class and day, publishing tells the families,
parents sign for their own children, replies and answers notify, everything audited; bad
input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.homeschool import contact_selectors as sel
from dtss.homeschool import contact_services as svc
from dtss.homeschool.models import (
    ContactAttachment,
    ContactEntry,
    ContactSignature,
    Notification,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf(name: str = "通知單.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4 test" + b"0" * size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def post(world: Any, user: str = "elem_teacher", *, publish: bool = True, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "homework": "數習 p.12",
        "notices": "明天戶外教學",
        "bring": "水壺",
        "day": TODAY,
    }
    values.update(kw)
    return svc.entry_save(
        user=world.users[user],
        school_class=world.classes["A-elem 5-1"],
        publish=publish,
        **values,
    )


def recipients(kind: str = "contact") -> set[str]:
    return {n.recipient.external_id for n in Notification.objects.filter(kind=kind)}


def test_teacher_posts_and_families_are_told_once(world) -> None:
    entry = post(world, publish=False, files=[pdf()])
    assert entry.published_at is None and Notification.objects.count() == 0
    att = ContactAttachment.objects.get()
    assert (att.county_id, att.school_id, att.school_class_id) == (
        entry.county_id,
        entry.school_id,
        entry.school_class_id,
    )
    assert att.name == "通知單.pdf" and att.content_type == "application/pdf"
    again = post(world, homework="改成 p.13")
    assert again.pk == entry.pk and ContactEntry.objects.count() == 1
    assert again.homework == "改成 p.13" and again.published_at is not None
    assert recipients() == {"elem_student", "elem_student2", "elem_parent"}
    n = Notification.objects.filter(recipient=world.people["elem_parent"]).get()
    # 「5年01班 11/30 聯絡簿」 once the catalogue is compiled; the class and day either way
    assert n.title.startswith("5年01班 11/30 ") and n.url.startswith("/homeschool/contact/e/")
    first = again.published_at
    post(world, homework="再改")  # published again: no second notification, time kept
    assert Notification.objects.count() == 3
    assert ContactEntry.objects.get().published_at == first
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "homeschool.contact_create",
        "homeschool.contact_update",
        "homeschool.contact_publish",
    } <= actions


def test_english_title(world) -> None:
    from django.utils import translation

    with translation.override("en"):
        post(world)
    assert Notification.objects.first().title == "5年01班 11/30 contact book"


@pytest.mark.parametrize(
    ("user", "key"),
    [
        ("junior_teacher", "A-elem 5-1"),
        ("b_teacher", "A-elem 5-1"),
        ("elem_parent", "A-elem 5-1"),
        ("elem_student", "A-elem 5-1"),
        ("a_admin", "A-elem 5-1"),
        ("outsider", "A-elem 5-1"),
    ],
)
def test_only_the_homeroom_teacher_and_school_write(world, user: str, key: str) -> None:
    with pytest.raises(PermissionDenied):
        svc.entry_save(
            user=world.users[user],
            school_class=world.classes[key],
            day=TODAY,
            homework="x",
            notices="",
            bring="",
        )
    assert ContactEntry.objects.count() == 0


def test_school_admin_writes_and_other_class_teacher_does_not(world) -> None:
    from dtss.orgs import services as org_services

    post(world, "elem_admin")
    assert ContactEntry.objects.get().author == world.people["elem_admin"]
    # a second class of the same school, with another homeroom teacher
    other = org_services.class_create(
        school=world.schools["A-elem"],
        term=world.classes["A-elem 5-1"].term,
        grade=6,
        number=2,
        homeroom_teacher=None,
    )
    with pytest.raises(PermissionDenied):
        svc.entry_save(
            user=world.users["elem_teacher"],
            school_class=other,
            day=TODAY,
            homework="x",
            notices="",
            bring="",
        )


def test_bad_input_names_the_field_and_changes_nothing(world) -> None:
    with pytest.raises(ValidationError) as exc:
        post(world, homework=" ", notices="", bring="")
    assert set(exc.value.message_dict) == {"homework"}
    with pytest.raises(ValidationError) as exc:
        post(world, day=TODAY + dt.timedelta(days=15))
    assert set(exc.value.message_dict) == {"date"}
    post(world, day=TODAY + dt.timedelta(days=14), publish=False)  # the last day allowed
    with pytest.raises(ValidationError) as exc:
        post(world, files=[SimpleUploadedFile("run.exe", b"MZ")])
    assert set(exc.value.message_dict) == {"files"}
    with pytest.raises(ValidationError) as exc:
        post(world, files=[pdf(f"{i}.pdf") for i in range(6)])
    assert set(exc.value.message_dict) == {"files"}
    assert ContactEntry.objects.count() == 1 and ContactAttachment.objects.count() == 0
    assert Notification.objects.count() == 0
    # five files already: one more is refused
    entry = post(world, files=[pdf(f"{i}.pdf") for i in range(5)])
    with pytest.raises(ValidationError) as exc:
        svc.attachment_add(user=world.users["elem_teacher"], entry=entry, files=[pdf()])
    assert set(exc.value.message_dict) == {"files"}
    assert ContactAttachment.objects.count() == 5


def test_attachment_remove(world) -> None:
    entry = post(world, files=[pdf()])
    att = entry.attachments.get()
    with pytest.raises(PermissionDenied):
        svc.attachment_remove(user=world.users["elem_parent"], attachment=att)
    svc.attachment_remove(user=world.users["elem_teacher"], attachment=att)
    assert ContactAttachment.objects.count() == 0
    assert AuditEntry.objects.filter(action="homeschool.contact_detach").exists()


def test_parent_signs_with_reply_and_teacher_answers(world) -> None:
    entry = post(world)
    Notification.objects.all().delete()
    parent = world.users["elem_parent"]
    sig = svc.signature_sign(
        user=parent, entry=entry, student=world.people["elem_student"], reply="會準時帶水壺"
    )
    assert sig.signed_by == world.people["elem_parent"] and sig.reply == "會準時帶水壺"
    told = Notification.objects.get()
    assert told.recipient == world.people["elem_teacher"] and "elem_student" in told.title
    # signing again keeps the first signature and time; a new reply replaces the old one
    first_time = sig.signed_at
    with time_machine.travel(dt.timedelta(minutes=30)):
        again = svc.signature_sign(
            user=parent, entry=entry, student=world.people["elem_student"], reply="改：帶兩瓶"
        )
    assert again.pk == sig.pk and again.signed_at == first_time and again.reply == "改：帶兩瓶"
    assert Notification.objects.count() == 2
    svc.signature_sign(user=parent, entry=entry, student=world.people["elem_student"])
    assert ContactSignature.objects.get().reply == "改：帶兩瓶"  # no reply keeps the reply
    assert Notification.objects.count() == 2
    # who has not signed: elem_student2 first
    rows = sel.entry_status(entry=entry)
    assert [r.student.external_id for r in rows] == ["elem_student2", "elem_student"]
    assert [r.student.external_id for r in sel.entry_status(entry=entry, unsigned_only=True)] == [
        "elem_student2"
    ]
    assert sel.sign_rate(school_class=entry.school_class) == {
        "entries": 1,
        "signed": 1,
        "expected": 2,
        "rate": 50,
    }
    # the teacher answers; the parent is told
    with pytest.raises(PermissionDenied):
        svc.signature_answer(user=parent, signature=again, answer="x")
    with pytest.raises(ValidationError) as exc:
        svc.signature_answer(user=world.users["elem_teacher"], signature=again, answer="  ")
    assert set(exc.value.message_dict) == {"answer"}
    svc.signature_answer(user=world.users["elem_teacher"], signature=again, answer="好的，謝謝")
    sig = ContactSignature.objects.get()
    assert sig.answer == "好的，謝謝" and sig.answered_at is not None
    assert Notification.objects.filter(recipient=world.people["elem_parent"]).count() == 1
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in (
        "homeschool.contact_sign",
        "homeschool.contact_reply",
        "homeschool.contact_answer",
    ):
        assert action in actions


def test_reply_at_night_waits_for_the_teacher_morning(world) -> None:
    entry = post(world)
    Notification.objects.all().delete()
    night = dt.datetime(2026, 11, 30, 22, 30, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(night, tick=False):
        svc.signature_sign(
            user=world.users["elem_parent"],
            entry=entry,
            student=world.people["elem_student"],
            reply="晚安",
        )
    n = Notification.objects.get()
    assert timezone.localtime(n.deliver_at).hour == 7
    assert timezone.localtime(n.deliver_at).date() == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("user", "student", "error"),
    [
        ("elem_parent", "elem_student2", ValidationError),  # not their child: a bad field
        ("elem_student", "elem_student", PermissionDenied),  # a student cannot sign
        ("elem_teacher", "elem_student", PermissionDenied),
        ("b_parent", "b_student", ValidationError),  # their child, but not in this class
    ],
)
def test_who_may_sign(world, user: str, student: str, error: type[Exception]) -> None:
    entry = post(world)
    with pytest.raises(error):
        svc.signature_sign(user=world.users[user], entry=entry, student=world.people[student])
    assert ContactSignature.objects.count() == 0


def test_draft_cannot_be_signed_and_long_reply_refused(world) -> None:
    entry = post(world, publish=False)
    with pytest.raises(ValidationError) as exc:
        svc.signature_sign(
            user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
        )
    assert set(exc.value.message_dict) == {"entry"}
    entry = post(world)
    with pytest.raises(ValidationError) as exc:
        svc.signature_sign(
            user=world.users["elem_parent"],
            entry=entry,
            student=world.people["elem_student"],
            reply="字" * 1001,
        )
    assert set(exc.value.message_dict) == {"reply"}
    assert ContactSignature.objects.count() == 0


def test_family_books_and_drafts(world) -> None:
    post(world, publish=False)
    assert sel.family_books(user=world.users["elem_parent"])[0].entries == []
    entry = post(world, day=TODAY - dt.timedelta(days=1))
    books = sel.family_books(user=world.users["elem_parent"])
    assert [b.child.external_id for b in books] == ["elem_student"]
    assert [e.pk for e, _s in books[0].entries] == [entry.pk] and books[0].unsigned == 1
    assert sel.family_books(user=world.users["b_parent"])[0].entries == []
    enrolment, entries = sel.student_entries(user=world.users["elem_student"])
    assert enrolment.school_class == world.classes["A-elem 5-1"] and entries == [entry]
    today = sel.writable_today(user=world.users["elem_teacher"], day=TODAY)
    assert [(c.school_class.pk, c.entry is not None, c.enrolled) for c in today] == [
        (world.classes["A-elem 5-1"].pk, True, 2)
    ]
