"""The contact-book pages: the teacher posts, the families are told, a parent signs with a
reply on a phone, the teacher sees who has not signed and answers; every page's 404/403 for
other tenants and roles, drafts hidden from families, bad input, the CSV and both
languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.homeschool import contact_services as svc
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature, Notification
from dtss.homeschool.tests.factories import subject_teacher

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def entry_of(world: Any, *, publish: bool = True, day: dt.date = TODAY, files: Any = ()) -> Any:
    return svc.entry_save(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        day=day,
        homework="國語習作第三課",
        notices="週五戶外教學",
        bring='=HYPERLINK("x") 水壺',
        files=files,
        publish=publish,
    )


def pdf(name: str = "通知單.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 contact", content_type="application/pdf")


def urls(world: Any, entry: Any) -> dict[str, str]:
    klass = world.classes["A-elem 5-1"].public_id
    att = entry.attachments.first()
    out = {
        "class": reverse("homeschool:contact_class", args=[klass]),
        "edit": reverse("homeschool:contact_entry_edit", args=[klass, "2026-11-30"]),
        "entry": reverse("homeschool:contact_entry", args=[entry.public_id]),
        "csv": reverse("homeschool:contact_signatures_csv", args=[klass]),
    }
    if att is not None:
        out["file"] = reverse("homeschool:contact_attachment", args=[att.public_id])
    return out


def test_anonymous_is_sent_to_login(world) -> None:
    entry = entry_of(world, files=[pdf()])
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    anon = Client()
    pages = [reverse("homeschool:contact_home"), *urls(world, entry).values()]
    for url in pages:
        r = anon.get(url)
        assert r.status_code == 302 and "login" in r["Location"], url
    for url in (
        reverse("homeschool:contact_sign", args=[entry.public_id]),
        reverse("homeschool:contact_answer", args=[sig.public_id]),
    ):
        r = anon.post(url, {"answer": "x"})
        assert r.status_code == 302 and "login" in r["Location"]
    assert ContactSignature.objects.get().answer == ""


def test_the_whole_workflow_on_pages(world) -> None:
    teacher = world.client("elem_teacher")
    home = teacher.get(reverse("homeschool:contact_home")).content.decode()
    edit_url = reverse(
        "homeschool:contact_entry_edit", args=[world.classes["A-elem 5-1"].public_id, "2026-11-30"]
    )
    assert edit_url in home and "0/2" not in home  # not written yet
    r = teacher.post(
        edit_url,
        {"homework": "數習 p.12", "notices": "", "bring": "彩色筆", "publish": "1", "files": pdf()},
    )
    assert r.status_code == 302
    entry = ContactEntry.objects.get()
    assert r["Location"] == reverse("homeschool:contact_entry", args=[entry.public_id])
    assert entry.published_at is not None and entry.attachments.count() == 1
    assert {n.recipient.external_id for n in Notification.objects.all()} == {
        "elem_student",
        "elem_student2",
        "elem_parent",
    }
    # the parent, on a phone: the child, the entry, a big sign button
    parent = world.client("elem_parent")
    page = parent.get(reverse("homeschool:contact_home")).content.decode()
    assert world.people["elem_student"].name in page and "cb-sign-link" in page
    assert world.people["elem_student2"].name not in page
    entry_url = reverse("homeschool:contact_entry", args=[entry.public_id])
    page = parent.get(entry_url).content.decode()
    assert "數習 p.12" in page and "通知單.pdf" in page and 'class="cb-sign"' in page
    assert 'id="status"' not in page  # no one else's signatures
    assert world.people["elem_student2"].name not in page
    child = world.people["elem_student"]
    prefix = f"c{child.pk}"
    r = parent.post(
        reverse("homeschool:contact_sign", args=[entry.public_id]),
        {"prefix": prefix, f"{prefix}-student": str(child.public_id), f"{prefix}-reply": "收到"},
    )
    assert r.status_code == 302
    sig = ContactSignature.objects.get()
    assert sig.reply == "收到" and sig.signed_by == world.people["elem_parent"]
    page = parent.get(entry_url).content.decode()
    assert 'data-signed="1"' in page and "elem_parent" in page and 'class="cb-sign"' not in page
    # the teacher: not signed first, the reply, an answer form
    page = teacher.get(entry_url).content.decode()
    assert 'id="signed-count">1/2<' in page
    other = world.people["elem_student2"]
    assert page.index(f'data-student="{other.public_id}" data-signed="0"') < page.index(
        f'data-student="{child.public_id}" data-signed="1"'
    )
    assert "收到" in page and "answer-form" in page
    unsigned = teacher.get(entry_url + "?show=unsigned").content.decode()
    assert f'data-student="{other.public_id}"' in unsigned
    assert f'data-student="{child.public_id}"' not in unsigned
    r = teacher.post(
        reverse("homeschool:contact_answer", args=[sig.public_id]),
        {f"{sig.pk}-answer": "謝謝家長"},
    )
    assert r.status_code == 302
    assert ContactSignature.objects.get().answer == "謝謝家長"
    assert "謝謝家長" in parent.get(entry_url).content.decode()
    # the class history with the sign rate
    klass = teacher.get(reverse("homeschool:contact_class", args=[entry.school_class.public_id]))
    body = klass.content.decode()
    assert 'id="write-today"' in body and 'data-signed="1"' in body and "50%" in body
    assert AuditEntry.objects.filter(action="homeschool.contact_status_read").exists()


def test_other_tenants_get_404(world) -> None:
    entry = entry_of(world, files=[pdf()])
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    for who in ("junior_admin", "junior_teacher", "b_admin", "b_teacher", "b_parent", "b_student"):
        client = world.client(who)
        for name, url in urls(world, entry).items():
            assert client.get(url).status_code == 404, (who, name)
        assert (
            client.post(reverse("homeschool:contact_answer", args=[sig.public_id]), {}).status_code
            == 404
        )
        assert (
            client.post(reverse("homeschool:contact_sign", args=[entry.public_id]), {}).status_code
            == 404
        )
    # the parent of another county's child does not see the class in their home page either
    page = world.client("b_parent").get(reverse("homeschool:contact_home")).content.decode()
    assert "國語習作" not in page


def test_roles_that_may_not_act_get_403(world) -> None:
    entry = entry_of(world)
    sig = svc.signature_sign(
        user=world.users["elem_parent"], entry=entry, student=world.people["elem_student"]
    )
    u = urls(world, entry)
    subject_teacher(world)  # a teacher of the school, not the class's homeroom teacher
    other = world.client("elem_subject")
    assert other.get(u["edit"]).status_code == 403
    assert other.post(u["edit"], {"homework": "x", "publish": "1"}).status_code == 403
    assert other.get(u["entry"]).status_code == 200  # the school's staff read
    for who in ("elem_parent", "elem_student"):
        client = world.client(who)
        assert client.get(u["edit"]).status_code == 403, who
        assert client.get(u["csv"]).status_code == 403, who
        assert client.post(
            reverse("homeschool:contact_answer", args=[sig.public_id]), {f"{sig.pk}-answer": "x"}
        ).status_code in (403, 404)
    # a student cannot sign; a parent cannot sign for a child not theirs
    student = world.people["elem_student"]
    r = world.client("elem_student").post(
        reverse("homeschool:contact_sign", args=[entry.public_id]),
        {"prefix": "p", "p-student": str(student.public_id)},
    )
    assert r.status_code == 403
    other_child = world.people["elem_student2"]
    r = world.client("elem_parent").post(
        reverse("homeschool:contact_sign", args=[entry.public_id]),
        {"prefix": "p", "p-student": str(other_child.public_id)},
    )
    assert r.status_code == 422  # another family's child: the form says so, nothing saved
    assert ContactSignature.objects.count() == 1
    # the MOE viewer never reads contact books
    assert world.client("moe").get(u["entry"]).status_code == 404
    assert world.client("moe").get(u["class"]).status_code == 403
    assert ContactEntry.objects.get().homework == "國語習作第三課"


def test_drafts_are_invisible_to_families(world) -> None:
    entry = entry_of(world, publish=False, files=[pdf()])
    u = urls(world, entry)
    for who in ("elem_parent", "elem_student"):
        client = world.client(who)
        assert client.get(u["entry"]).status_code == 404, who
        assert client.get(u["file"]).status_code == 404, who
        assert "國語習作" not in client.get(u["class"]).content.decode()
        assert "國語習作" not in client.get(reverse("homeschool:contact_home")).content.decode()
    teacher = world.client("elem_teacher")
    r = teacher.get(u["file"])
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content) == b"%PDF-1.4 contact"
    assert 'id="state"' in teacher.get(u["entry"]).content.decode()


def test_bad_input_names_the_field_and_changes_nothing(world) -> None:
    teacher = world.client("elem_teacher")
    klass = world.classes["A-elem 5-1"].public_id
    edit = reverse("homeschool:contact_entry_edit", args=[klass, "2026-11-30"])
    r = teacher.post(edit, {"homework": " ", "notices": "", "bring": "", "publish": "1"})
    assert r.status_code == 200 and 'id="form-errors"' in r.content.decode()
    assert r.context["form"].errors.keys() == {"homework"}
    r = teacher.post(edit, {"homework": "x", "files": SimpleUploadedFile("a.exe", b"MZ")})
    assert r.context["form"].errors.keys() == {"files"}
    far = reverse("homeschool:contact_entry_edit", args=[klass, "2026-12-20"])
    r = teacher.post(far, {"homework": "x"})
    assert r.status_code == 200 and "__all__" in r.context["form"].errors
    assert (
        teacher.get(reverse("homeschool:contact_entry_edit", args=[klass, "nope"])).status_code
        == 404
    )
    assert ContactEntry.objects.count() == 0 and ContactAttachment.objects.count() == 0
    entry = entry_of(world)
    child = world.people["elem_student"]
    r = world.client("elem_parent").post(
        reverse("homeschool:contact_sign", args=[entry.public_id]),
        {"prefix": "p", "p-student": str(child.public_id), "p-reply": "字" * 1001},
    )
    assert r.status_code == 422 and 'data-field="reply"' in r.content.decode()
    sig = svc.signature_sign(user=world.users["elem_parent"], entry=entry, student=child, reply="?")
    r = teacher.post(reverse("homeschool:contact_answer", args=[sig.public_id]), {})
    assert r.status_code == 422 and 'data-field="answer"' in r.content.decode()
    assert ContactSignature.objects.get().answer == ""
    r = teacher.get(reverse("homeschool:contact_signatures_csv", args=[klass]) + "?from=bad")
    assert r.status_code == 400 and r.content.decode().startswith("from")


def test_edit_prefills_and_removes_files(world) -> None:
    entry = entry_of(world, publish=False, files=[pdf()])
    teacher = world.client("elem_teacher")
    u = urls(world, entry)
    page = teacher.get(u["edit"]).content.decode()
    assert "國語習作第三課" in page and "通知單.pdf" in page and 'id="publish"' in page
    att = entry.attachments.get()
    assert (
        world.client("elem_parent").post(u["edit"], {"remove": str(att.public_id)}).status_code
        == 403
    )
    r = teacher.post(u["edit"], {"remove": str(att.public_id)})
    assert r.status_code == 302 and ContactAttachment.objects.count() == 0
    r = teacher.post(u["edit"], {"homework": "改過", "notices": "", "bring": "", "draft": "1"})
    assert r.status_code == 302
    assert ContactEntry.objects.get().homework == "改過"
    assert ContactEntry.objects.get().published_at is None and Notification.objects.count() == 0


def test_csv_of_signatures(world) -> None:
    entry = entry_of(world)
    svc.entry_save(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        day=dt.date(2026, 11, 27),
        homework="舊的",
        notices="",
        bring="",
        publish=True,
    )
    svc.signature_sign(
        user=world.users["elem_parent"],
        entry=entry,
        student=world.people["elem_student"],
        reply="=cmd|' /C calc'!A0",
    )
    url = reverse("homeschool:contact_signatures_csv", args=[world.classes["A-elem 5-1"].public_id])
    r = world.client("elem_teacher").get(url + "?from=2026-11-30&to=2026-11-30")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    body = r.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 3  # header + two students of one day
    assert "2026-11-30,1," in lines[1] and "elem_parent" in lines[1]
    assert "'=cmd" in lines[1]  # no formula injection
    assert "2026-11-30,2," in lines[2]
    r = world.client("elem_admin").get(url)  # the last 30 days: both days
    assert len(r.content.decode("utf-8").strip().splitlines()) == 5
    assert AuditEntry.objects.filter(action="homeschool.contact_export").count() == 2
    assert world.client("b_parent").get(url).status_code == 404
    assert world.client("a_admin").get(url).status_code == 403  # counts, not rows


def test_parent_with_children_at_two_schools(world) -> None:
    from dtss.orgs import services as org_services

    parent = world.people["elem_parent"]
    junior = org_services.person_create(
        county=world.counties["A"], name="國中生", external_id="junior_kid"
    )
    org_services.enrollment_create(
        student=junior, school_class=world.classes["A-junior 7-1"], seat_number=3
    )
    org_services.guardianship_create(parent=parent, child=junior, relation="mother")
    a = entry_of(world)
    b = svc.entry_save(
        user=world.users["junior_teacher"],
        school_class=world.classes["A-junior 7-1"],
        day=TODAY,
        homework="數學講義",
        notices="",
        bring="",
        publish=True,
    )
    client = world.client("elem_parent")
    page = client.get(reverse("homeschool:contact_home")).content.decode()
    assert "國中生" in page and world.people["elem_student"].name in page
    assert str(a.public_id) in page and str(b.public_id) in page
    prefix = "j"
    r = client.post(
        reverse("homeschool:contact_sign", args=[b.public_id]),
        {"prefix": prefix, "j-student": str(junior.public_id)},
    )
    assert r.status_code == 302
    assert ContactSignature.objects.get().entry == b


def test_both_languages(world) -> None:
    entry = entry_of(world, files=[pdf()])
    for who in ("elem_teacher", "elem_parent", "elem_student", "elem_admin"):
        client = world.client(who)
        client.cookies["dtss_language"] = "en"
        u = urls(world, entry)
        pages = [reverse("homeschool:contact_home"), u["entry"], u["class"]]
        if who in ("elem_teacher", "elem_admin"):
            pages.append(u["edit"])
        for url in pages:
            en = client.get(url)
            assert en.status_code == 200 and 'lang="en"' in en.content.decode(), (who, url)
        client.cookies["dtss_language"] = "zh-hant"
        for url in pages:
            zh = client.get(url)
            assert zh.status_code == 200 and 'lang="zh-Hant-TW"' in zh.content.decode()
    client = world.client("elem_parent")
    client.cookies["dtss_language"] = "en"
    assert "Sign for" in client.get(urls(world, entry)["entry"]).content.decode()


def test_home_for_roles_without_a_contact_book(world) -> None:
    for who in ("outsider", "a_admin", "moe"):
        r = world.client(who).get(reverse("homeschool:contact_home"))
        assert r.status_code == 200 and 'id="nothing"' in r.content.decode(), who
