"""The contact-book API: the same workflow and rules as the pages, with 401/403/404/422."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dtss.core.models import AuditEntry
from dtss.homeschool import contact_services as svc
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature, Notification
from dtss.homeschool.tests.factories import subject_teacher

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool/contact"
TODAY = "2026-11-30"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def send(client: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(
        API + path, json.dumps(body or {}), content_type="application/json"
    )


def fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json()["detail"]}


def klass(world: Any, key: str = "A-elem 5-1") -> str:
    return str(world.classes[key].public_id)


def entry_of(world: Any, *, publish: bool = True, files: Any = ()) -> Any:
    return svc.entry_save(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        day=dt.date(2026, 11, 30),
        homework="國語習作",
        notices="",
        bring="水壺",
        files=files,
        publish=publish,
    )


def pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 api", content_type="application/pdf")


def test_anonymous_gets_401(world) -> None:
    entry = entry_of(world, files=[pdf()])
    att = entry.attachments.get()
    anon = Client()
    assert anon.get(f"{API}/classes/{klass(world)}/entries").status_code == 401
    assert anon.get(f"{API}/entries/{entry.public_id}").status_code == 401
    assert anon.get(f"{API}/attachments/{att.public_id}").status_code == 401
    assert (
        send(anon, "put", f"/classes/{klass(world)}/entries/{TODAY}", {"homework": "x"}).status_code
        == 401
    )
    assert send(anon, "post", f"/entries/{entry.public_id}/sign", {}).status_code == 401
    assert ContactEntry.objects.get().homework == "國語習作"


def test_workflow_through_the_api(world) -> None:
    teacher = world.client("elem_teacher")
    r = send(teacher, "put", f"/classes/{klass(world)}/entries/{TODAY}", {"homework": "數習"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["published_at"] is None and body["signed"] == 0 and body["enrolled"] == 2
    eid = body["public_id"]
    r = teacher.post(f"{API}/entries/{eid}/files", {"files": [pdf()]})
    assert r.status_code == 201 and r.json()[0]["name"] == "a.pdf"
    assert Notification.objects.count() == 0
    r = send(teacher, "post", f"/entries/{eid}/publish")
    assert r.status_code == 200 and r.json()["published_at"] is not None
    assert len(r.json()["files"]) == 1
    assert Notification.objects.filter(kind="contact").count() == 3
    parent = world.client("elem_parent")
    got = parent.get(f"{API}/entries/{eid}").json()
    assert got["homework"] == "數習" and got["signed"] is None and len(got["files"]) == 1
    listed = parent.get(f"{API}/classes/{klass(world)}/entries").json()
    assert listed["count"] == 1 and listed["items"][0]["public_id"] == eid
    child = str(world.people["elem_student"].public_id)
    r = send(parent, "post", f"/entries/{eid}/sign", {"student": child, "reply": "收到"})
    assert r.status_code == 200 and r.json()["signed_by"] == "elem_parent"
    sid = r.json()["public_id"]
    r = teacher.get(f"{API}/entries/{eid}/signatures")
    rows = r.json()["items"]
    assert [x["student_name"] for x in rows] == ["elem_student2", "elem_student"]
    assert rows[0]["signed"] is False and rows[1]["reply"] == "收到"
    unsigned = teacher.get(f"{API}/entries/{eid}/signatures?unsigned=true").json()
    assert unsigned["count"] == 1
    r = send(teacher, "post", f"/signatures/{sid}/answer", {"answer": "謝謝"})
    assert r.status_code == 200 and r.json()["answer"] == "謝謝"
    listed = teacher.get(f"{API}/classes/{klass(world)}/entries?q=數習&from=2026-11-01").json()
    assert listed["count"] == 1 and listed["items"][0]["signed"] == 1
    assert teacher.get(f"{API}/classes/{klass(world)}/entries?q=沒有").json()["count"] == 0
    att = ContactAttachment.objects.get()
    r = parent.get(f"{API}/attachments/{att.public_id}")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert send(parent, "delete", f"/attachments/{att.public_id}").status_code == 403
    assert send(teacher, "delete", f"/attachments/{att.public_id}").status_code == 204
    assert ContactAttachment.objects.count() == 0
    assert AuditEntry.objects.filter(action="homeschool.contact_status_read").exists()


def test_other_tenants_get_404(world) -> None:
    entry = entry_of(world, files=[pdf()])
    att = entry.attachments.get()
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    child = str(world.people["elem_student"].public_id)
    for who in ("junior_admin", "junior_teacher", "b_admin", "b_teacher", "b_parent", "b_student"):
        c = world.client(who)
        assert c.get(f"{API}/classes/{klass(world)}/entries").status_code == 404, who
        assert c.get(f"{API}/entries/{entry.public_id}").status_code == 404, who
        assert c.get(f"{API}/entries/{entry.public_id}/signatures").status_code == 404, who
        assert c.get(f"{API}/attachments/{att.public_id}").status_code == 404, who
        assert send(c, "delete", f"/attachments/{att.public_id}").status_code == 404, who
        assert send(c, "post", f"/entries/{entry.public_id}/publish").status_code == 404, who
        assert (
            send(
                c, "put", f"/classes/{klass(world)}/entries/{TODAY}", {"homework": "x"}
            ).status_code
            == 404
        ), who
        assert (
            send(c, "post", f"/entries/{entry.public_id}/sign", {"student": child}).status_code
            == 404
        ), who
        assert (
            send(c, "post", f"/signatures/{sig.public_id}/answer", {"answer": "x"}).status_code
            == 404
        ), who
    assert ContactEntry.objects.get().homework == "國語習作"
    assert ContactAttachment.objects.count() == 1 and ContactSignature.objects.get().answer == ""


def test_roles_that_may_not_act_get_403(world) -> None:
    entry = entry_of(world)
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    subject_teacher(world)
    put = f"/classes/{klass(world)}/entries/{TODAY}"
    for who in ("elem_subject", "elem_parent", "elem_student", "a_admin"):
        c = world.client(who)
        assert send(c, "put", put, {"homework": "改"}).status_code == 403, who
        assert send(c, "post", f"/entries/{entry.public_id}/publish").status_code == 403, who
        r = c.post(f"{API}/entries/{entry.public_id}/files", {"files": [pdf()]})
        assert r.status_code == 403, who
    for who in ("elem_parent", "elem_student", "elem_subject"):
        c = world.client(who)
        r = send(c, "post", f"/signatures/{sig.public_id}/answer", {"answer": "x"})
        assert r.status_code in (403, 404), who
    for who in ("elem_parent", "elem_student"):
        assert (
            world.client(who).get(f"{API}/entries/{entry.public_id}/signatures").status_code == 403
        )
    # a student cannot sign (403); a parent naming another family's child: a bad field (422)
    own = str(world.people["elem_student"].public_id)
    other = str(world.people["elem_student2"].public_id)
    r = send(
        world.client("elem_student"), "post", f"/entries/{entry.public_id}/sign", {"student": own}
    )
    assert r.status_code == 403
    r = send(
        world.client("elem_parent"), "post", f"/entries/{entry.public_id}/sign", {"student": other}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "student"
    assert world.client("moe").get(f"{API}/classes/{klass(world)}/entries").status_code == 403
    assert ContactEntry.objects.get().homework == "國語習作"
    assert ContactSignature.objects.count() == 1 and ContactAttachment.objects.count() == 0


def test_drafts_are_404_for_families(world) -> None:
    entry = entry_of(world, publish=False, files=[pdf()])
    att = entry.attachments.get()
    for who in ("elem_parent", "elem_student"):
        c = world.client(who)
        assert c.get(f"{API}/entries/{entry.public_id}").status_code == 404
        assert c.get(f"{API}/attachments/{att.public_id}").status_code == 404
        assert c.get(f"{API}/classes/{klass(world)}/entries").json()["count"] == 0
    child = str(world.people["elem_student"].public_id)
    r = send(
        world.client("elem_parent"), "post", f"/entries/{entry.public_id}/sign", {"student": child}
    )
    assert r.status_code == 404
    assert (
        world.client("elem_subject" if False else "elem_admin")
        .get(f"{API}/classes/{klass(world)}/entries")
        .json()["count"]
        == 1
    )


def test_bad_input_is_422_naming_the_field(world) -> None:
    teacher = world.client("elem_teacher")
    r = send(teacher, "put", f"/classes/{klass(world)}/entries/{TODAY}", {"homework": " "})
    assert r.status_code == 422 and fields(r) == {"homework"}
    r = send(teacher, "put", f"/classes/{klass(world)}/entries/2026-12-31", {"homework": "x"})
    assert r.status_code == 422 and fields(r) == {"date"}
    r = send(teacher, "put", f"/classes/{klass(world)}/entries/2026-13-01", {"homework": "x"})
    assert r.status_code == 422 and fields(r) == {"day"}
    assert ContactEntry.objects.count() == 0
    entry = entry_of(world)
    r = teacher.post(
        f"{API}/entries/{entry.public_id}/files", {"files": [SimpleUploadedFile("x.exe", b"MZ")]}
    )
    assert r.status_code == 422 and fields(r) == {"files"}
    parent = world.client("elem_parent")
    r = send(
        parent,
        "post",
        f"/entries/{entry.public_id}/sign",
        {"student": str(world.people["b_student"].public_id)},
    )
    assert r.status_code == 422 and fields(r) == {"student"}
    child = str(world.people["elem_student"].public_id)
    r = send(
        parent, "post", f"/entries/{entry.public_id}/sign", {"student": child, "reply": "字" * 1001}
    )
    assert r.status_code == 422 and fields(r) == {"reply"}
    assert ContactSignature.objects.count() == 0
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    r = send(teacher, "post", f"/signatures/{sig.public_id}/answer", {"answer": ""})
    assert r.status_code == 422 and fields(r) == {"answer"}
    r = teacher.get(f"{API}/classes/{klass(world)}/entries?from=2026-12-01&to=2026-11-01")
    assert r.status_code == 422 and fields(r) == {"to"}
    assert ContactAttachment.objects.count() == 0 and ContactSignature.objects.get().answer == ""
