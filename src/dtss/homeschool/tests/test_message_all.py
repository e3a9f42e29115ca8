"""Teacher–parent messages: who may start and write, read marks, the school's administrators
read (audited) but do not write, quiet hours (held notification and email), urgent, no edit
or delete anywhere, CSV export, pages and API, tenancy and bad input, both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.homeschool import message_services as svc
from dtss.homeschool import selectors, services
from dtss.homeschool.models import Conversation, Message, Notification
from dtss.homeschool.tests.factories import subject_teacher

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
API = "/api/v1/homeschool/conversations"


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def conv(world, starter="elem_parent"):
    return svc.conversation_start(
        user=world.users[starter],
        teacher=world.people["elem_teacher"],
        parent=world.people["elem_parent"],
        student=world.people["elem_student"],
    )


def test_start_get_or_create_and_who_may(world):
    c = conv(world)
    assert conv(world, "elem_teacher") == c
    assert Conversation.objects.count() == 1
    assert c.school == world.schools["A-elem"]
    # a parent with a teacher who does not teach the class
    with pytest.raises(ValidationError) as exc:
        svc.conversation_start(
            user=world.users["elem_parent"],
            teacher=world.people["elem_admin"],
            parent=world.people["elem_parent"],
            student=world.people["elem_student"],
        )
    assert "teacher" in exc.value.message_dict
    # a subject teacher of the class may be chosen
    subj = subject_teacher(world)
    svc.conversation_start(
        user=world.users["elem_parent"],
        teacher=subj,
        parent=world.people["elem_parent"],
        student=world.people["elem_student"],
    )
    # another family's child, another school's teacher
    with pytest.raises(ValidationError) as exc:
        svc.conversation_start(
            user=world.users["b_parent"],
            teacher=world.people["elem_teacher"],
            parent=world.people["b_parent"],
            student=world.people["elem_student"],
        )
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.conversation_start(
            user=world.users["junior_teacher"],
            teacher=world.people["junior_teacher"],
            parent=world.people["elem_parent"],
            student=world.people["elem_student"],
        )
    # a third person may not start one between others
    with pytest.raises(PermissionDenied):
        svc.conversation_start(
            user=world.users["elem_student"],
            teacher=world.people["elem_teacher"],
            parent=world.people["elem_parent"],
            student=world.people["elem_student"],
        )


def test_send_read_and_unread_counts(world):
    c = conv(world)
    sent = svc.message_send(
        user=world.users["elem_parent"], conversation=c, body="老師好，請問作業"
    )
    assert sent.held_until is None
    n = Notification.objects.get()
    assert n.recipient == world.people["elem_teacher"] and n.kind == "message"
    assert n.url == reverse("homeschool:conversation_detail", args=[c.public_id])
    from dtss.homeschool import message_selectors as msel

    row = msel.conversations(user=world.users["elem_teacher"]).get()
    assert row.unread == 1
    assert svc.conversation_read(user=world.users["elem_parent"], conversation=c) == 0
    assert svc.conversation_read(user=world.users["elem_teacher"], conversation=c) == 1
    assert Message.objects.get().read_at is not None


def test_bad_input_and_urgent_only_teacher(world):
    c = conv(world)
    for body, field in (("   ", "body"), ("x" * 4001, "body")):
        with pytest.raises(ValidationError) as exc:
            svc.message_send(user=world.users["elem_parent"], conversation=c, body=body)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.message_send(user=world.users["elem_parent"], conversation=c, body="hi", urgent=True)
    assert "urgent" in exc.value.message_dict
    assert not Message.objects.exists() and not Notification.objects.exists()
    assert svc.message_send(
        user=world.users["elem_teacher"], conversation=c, body="x" * 4000, urgent=True
    ).message.urgent


def test_others_cannot_write(world):
    c = conv(world)
    for key in ("elem_admin", "b_parent", "junior_teacher", "elem_student"):
        with pytest.raises(PermissionDenied):
            svc.message_send(user=world.users[key], conversation=c, body="hi")
    assert not Message.objects.exists()


def test_quiet_hours_hold_the_notification_and_the_email(world):
    c = conv(world)
    with time_machine.travel(at(2026, 11, 30, 22, 0), tick=False):
        sent = svc.message_send(user=world.users["elem_parent"], conversation=c, body="晚安打擾")
        assert sent.held_until == at(2026, 12, 1, 7, 0)
    n = Notification.objects.get()
    assert n.deliver_at == at(2026, 12, 1, 7, 0) and n.email_due
    mail.outbox.clear()
    with time_machine.travel(at(2026, 12, 1, 6, 59), tick=False):
        assert services.notifications_deliver()["due"] == 0
        assert selectors.unread_count(user=world.users["elem_teacher"]) == 0
    assert not mail.outbox
    with time_machine.travel(at(2026, 12, 1, 7, 1), tick=False):
        assert services.notifications_deliver() == {"due": 1, "sent": 1}
        assert selectors.unread_count(user=world.users["elem_teacher"]) == 1
    assert mail.outbox[-1].to == ["elem_teacher@example.org"]


def test_urgent_goes_at_once(world, django_capture_on_commit_callbacks):
    c = conv(world)
    mail.outbox.clear()
    with (
        time_machine.travel(at(2026, 11, 30, 22, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = svc.message_send(
            user=world.users["elem_teacher"], conversation=c, body="明天停課", urgent=True
        )
        assert sent.held_until is None
        n = Notification.objects.get()
        assert n.deliver_at == timezone.now()
        assert n.recipient == world.people["elem_parent"]
    assert mail.outbox and mail.outbox[-1].to == ["elem_parent@example.org"]


def test_no_edit_or_delete_anywhere(world):
    c = conv(world)
    m = svc.message_send(user=world.users["elem_parent"], conversation=c, body="紀錄").message
    t = world.client("elem_parent")
    url = f"{API}/{c.public_id}"
    assert t.delete(url).status_code in (404, 405)
    assert t.delete(f"{url}/messages").status_code in (404, 405)
    assert t.patch(f"{url}/messages", "{}", content_type="application/json").status_code in (
        404,
        405,
    )
    assert t.delete(f"/api/v1/homeschool/messages/{m.public_id}").status_code == 404
    from dtss.api.urls import api

    ops = api.get_openapi_schema(path_prefix="")["paths"]
    for path, methods in ops.items():
        if "conversation" in path or "message" in path:
            assert not {"delete", "patch", "put"} & set(methods), path
    for name in ("message_delete", "message_edit", "conversation_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"homeschool:{name}", args=[m.public_id])
    # a GET on send is not allowed; the Django admin has no Message or Conversation
    assert t.get(reverse("homeschool:message_send", args=[c.public_id])).status_code == 405
    assert not admin.site.is_registered(Message)
    assert not admin.site.is_registered(Conversation)
    assert Message.objects.filter(pk=m.pk, body="紀錄").exists()


# --------------------------------------------------------------------------- pages


def test_pages_start_send_read(world):
    p = world.client("elem_parent")
    r = p.get(reverse("homeschool:conversation_start"))
    assert r.status_code == 200
    key = f"{world.people['elem_student'].public_id}:{world.people['elem_teacher'].public_id}"
    assert key in r.content.decode()
    assert "b_student" not in r.content.decode()
    r = p.post(reverse("homeschool:conversation_start"), {"pair": "nonsense"})
    assert r.status_code == 200 and not Conversation.objects.exists()
    r = p.post(reverse("homeschool:conversation_start"), {"pair": key})
    c = Conversation.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"{c.public_id}/")
    send = reverse("homeschool:message_send", args=[c.public_id])
    r = p.post(send, {"body": ""})
    assert r.status_code == 200 and b"form-errors" in r.content
    assert not Message.objects.exists()
    r = p.post(send, {"body": "請問明天要帶什麼？"})
    assert r.status_code == 302
    t = world.client("elem_teacher")
    r = t.get(reverse("homeschool:conversation_list"))
    assert f'data-id="{c.public_id}" data-unread="1"' in r.content.decode()
    r = t.get(reverse("homeschool:conversation_detail", args=[c.public_id]))
    assert "請問明天要帶什麼？" in r.content.decode() and b'name="urgent"' in r.content
    assert Message.objects.get().read_at is not None
    r = p.get(reverse("homeschool:conversation_detail", args=[c.public_id]))
    assert b'name="urgent"' not in r.content and b"read-mark" in r.content
    r = p.get(reverse("homeschool:conversation_list"))
    assert b'class="child-name"' in r.content  # grouped by child


def test_page_says_when_the_other_will_be_notified(world):
    c = conv(world)
    p = world.client("elem_parent")
    with time_machine.travel(at(2026, 11, 30, 22, 0), tick=False):
        r = p.get(reverse("homeschool:conversation_detail", args=[c.public_id]))
        assert b'id="quiet-note"' in r.content and b"07:00" in r.content
        r = p.post(
            reverse("homeschool:message_send", args=[c.public_id]), {"body": "晚安"}, follow=True
        )
        assert "07:00" in r.content.decode()


def test_admin_reads_audited_but_cannot_write_others_404(world):
    c = conv(world)
    svc.message_send(user=world.users["elem_parent"], conversation=c, body="家裡有事")
    detail = reverse("homeschool:conversation_detail", args=[c.public_id])
    a = world.client("elem_admin")
    r = a.get(detail)
    assert r.status_code == 200 and b"read-only-note" in r.content and b"send-form" not in r.content
    assert AuditEntry.objects.filter(action="homeschool.conversation_read").count() == 1
    assert Message.objects.get().read_at is None  # the admin's reading is no read mark
    send = reverse("homeschool:message_send", args=[c.public_id])
    assert a.post(send, {"body": "x"}).status_code == 403
    for key in ("b_parent", "junior_teacher", "junior_admin", "b_admin", "elem_student", "a_admin"):
        cl = world.client(key)
        assert cl.get(detail).status_code == 404, key
        assert cl.post(send, {"body": "x"}).status_code == 404, key
        assert (
            cl.get(reverse("homeschool:conversation_export", args=[c.public_id])).status_code == 404
        )
    assert Message.objects.count() == 1
    assert Client().get(detail).status_code == 302
    assert Client().get(reverse("homeschool:conversation_list")).status_code == 302


def test_export_csv(world):
    c = conv(world)
    svc.message_send(user=world.users["elem_parent"], conversation=c, body="=1+1 請回覆")
    for key in ("elem_parent", "elem_teacher", "elem_admin"):
        r = world.client(key).get(reverse("homeschool:conversation_export", args=[c.public_id]))
        body = r.content.decode("utf-8")
        assert r.status_code == 200 and body.startswith("\ufeff")
        assert "'=1+1 請回覆" in body
    assert AuditEntry.objects.filter(action="homeschool.conversation_export").count() == 3


@pytest.mark.parametrize("lang, marker", [("en", 'lang="en"'), ("zh-hant", 'lang="zh-Hant-TW"')])
def test_both_languages(world, lang, marker):
    c = conv(world)
    svc.message_send(user=world.users["elem_parent"], conversation=c, body="您好")
    for key in ("elem_parent", "elem_teacher"):
        cl = world.client(key)
        cl.cookies["dtss_language"] = lang
        for url in (
            reverse("homeschool:conversation_list"),
            reverse("homeschool:conversation_start"),
            reverse("homeschool:conversation_detail", args=[c.public_id]),
        ):
            r = cl.get(url)
            assert r.status_code == 200 and marker in r.content.decode(), url


# --------------------------------------------------------------------------- API


def test_api_flow(world):
    p = world.client("elem_parent")
    student = str(world.people["elem_student"].public_id)
    teacher = str(world.people["elem_teacher"].public_id)
    r = p.post(
        API,
        json.dumps({"student": student, "teacher": str(world.people["junior_teacher"].public_id)}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "teacher"
    r = p.post(
        API,
        json.dumps({"student": str(world.people["b_student"].public_id), "teacher": teacher}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "student"
    assert not Conversation.objects.exists()
    r = p.post(
        API, json.dumps({"student": student, "teacher": teacher}), content_type="application/json"
    )
    assert r.status_code == 200
    cid = r.json()["public_id"]
    r = p.post(f"{API}/{cid}/messages", json.dumps({"body": ""}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    r = p.post(
        f"{API}/{cid}/messages",
        json.dumps({"body": "hi", "urgent": True}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "urgent"
    r = p.post(
        f"{API}/{cid}/messages", json.dumps({"body": "老師好"}), content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["held_until"] is None
    t = world.client("elem_teacher")
    r = t.get(API)
    assert r.json()["count"] == 1 and r.json()["items"][0]["unread"] == 1
    r = t.get(f"{API}/{cid}")
    assert r.json()["messages"][0]["body"] == "老師好" and r.json()["writable"]
    assert t.get(API).json()["items"][0]["unread"] == 0
    r = t.post(f"{API}/{cid}/read")
    assert r.status_code == 200 and r.json() == {"count": 0}
    a = world.client("elem_admin")
    assert a.get(f"{API}/{cid}").json()["writable"] is False
    assert (
        a.post(
            f"{API}/{cid}/messages", json.dumps({"body": "x"}), content_type="application/json"
        ).status_code
        == 403
    )
    for key in ("b_parent", "junior_teacher", "b_admin"):
        cl = world.client(key)
        assert cl.get(f"{API}/{cid}").status_code == 404
        assert (
            cl.post(
                f"{API}/{cid}/messages", json.dumps({"body": "x"}), content_type="application/json"
            ).status_code
            == 404
        )
        assert cl.get(API).json()["count"] == 0
    assert Message.objects.count() == 1
    assert Client().get(API).status_code == 401
