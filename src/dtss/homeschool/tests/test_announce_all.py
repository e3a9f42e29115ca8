"""Announcements: audiences (class, school, county), drafts hidden, read receipts (counts,
names, CSV), notifications on publishing, the pages and the API, tenancy and bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from dtss.homeschool import announce_selectors as sel
from dtss.homeschool import announce_services as svc
from dtss.homeschool.models import Announcement, AnnouncementRead, Notification
from dtss.homeschool.tests.factories import subject_teacher

pytestmark = pytest.mark.django_db
API = "/api/v1/homeschool/announcements"


def make(world, who="elem_teacher", *, owner="class", publish=True, **kw):
    values = {"title": "明天戶外教學", "body": "請帶水壺與帽子。", "to_parents": True}
    values.update(kw)
    where = {}
    if owner == "class":
        where["school_class"] = world.classes["A-elem 5-1"]
    elif owner == "school":
        where["school"] = world.schools["A-elem"]
    elif owner == "county":
        where["county"] = world.counties["A"]
    a = svc.announcement_save(user=world.users[who], **where, **values)
    if publish:
        svc.announcement_publish(user=world.users[who], announcement=a)
        a.refresh_from_db()
    return a


def seen(world, key):
    return {a.title for a in sel.announcements(user=world.users[key])}


def test_class_announcement_to_parents_reaches_only_that_class(world):
    make(world, title="五年一班通知")
    assert "五年一班通知" in seen(world, "elem_parent")
    for other in ("b_parent", "b_student", "junior_teacher", "b_teacher", "outsider"):
        assert "五年一班通知" not in seen(world, other), other
    # to parents only: the class's students do not see it
    assert "五年一班通知" not in seen(world, "elem_student")
    # the parents of the class were notified, nobody else
    got = set(Notification.objects.values_list("recipient__external_id", flat=True))
    assert got == {"elem_parent"}


def test_parents_of_another_class_do_not_see_it(world):
    from dtss.orgs import services as org_services

    school = world.schools["A-elem"]
    other = org_services.class_create(
        school=school, term=world.classes["A-elem 5-1"].term, grade=5, number=2
    )
    kid = org_services.person_create(county=school.county, name="別班學生", external_id="k2")
    org_services.enrollment_create(student=kid, school_class=other, seat_number=1)
    mom = org_services.person_create(county=school.county, name="別班家長", external_id="m2")
    org_services.guardianship_create(parent=mom, child=kid, relation="mother")
    from dtss.accounts.models import User

    user = User.objects.create_user(username="m2", password="x-Pass-123456", person=mom)
    make(world, title="五年一班通知")
    assert "五年一班通知" not in {a.title for a in sel.announcements(user=user)}
    school_wide = make(world, "elem_admin", owner="school", title="全校通知")
    assert "全校通知" in {a.title for a in sel.announcements(user=user)}
    assert sel.receipts(announcement=school_wide).expected == 2  # elem_parent and m2


def test_drafts_are_hidden_and_expired_ones_gone(world):
    make(world, publish=False, title="草稿")
    assert "草稿" not in seen(world, "elem_parent")
    assert "草稿" not in seen(world, "elem_student")
    assert "草稿" in seen(world, "elem_teacher")
    assert "草稿" not in seen(world, "a_staff")
    a = make(world, title="已過期")
    Announcement.objects.filter(pk=a.pk).update(expires_on=dt.date(2026, 11, 29))
    assert "已過期" not in seen(world, "elem_parent")
    assert not Notification.objects.filter(recipient=world.people["elem_parent"], title="草稿")


def test_county_announcement_reaches_its_schools_only(world):
    a = make(world, "a_admin", owner="county", title="縣府公告", to_staff=True, to_students=True)
    for key in ("elem_parent", "elem_teacher", "junior_teacher", "elem_student"):
        assert "縣府公告" in seen(world, key), key
    for key in ("b_parent", "b_teacher", "b_student", "b_admin"):
        assert "縣府公告" not in seen(world, key), key
    # not urgent: nobody is notified (see announce_services' notes)
    assert not Notification.objects.exists()
    r = sel.receipts(announcement=a)
    # staff: elem_admin, elem_teacher, junior_admin, junior_teacher; 2 students; 1 parent
    assert r.by == "school" and r.expected == 7
    assert {row.label: row.expected for row in r.rows} == {"南投國小": 5, "南投國中": 2}
    make(world, "a_admin", owner="county", title="颱風停課", urgent=True)
    got = set(
        Notification.objects.filter(title__contains="颱風停課").values_list(
            "recipient__external_id", flat=True
        )
    )
    assert got == {"elem_parent"}


def test_receipts_count_and_name_who_has_not_read(world):
    a = make(world, to_students=True)
    r = sel.receipts(announcement=a)
    assert (r.expected, r.read) == (3, 0)  # elem_student, elem_student2, elem_parent
    assert r.rows[0].label == str(world.classes["A-elem 5-1"])
    svc.announcement_read(user=world.users["elem_parent"], announcement=a)
    svc.announcement_read(user=world.users["elem_parent"], announcement=a)  # once
    assert AnnouncementRead.objects.count() == 1
    r = sel.receipts(announcement=a)
    assert (r.expected, r.read) == (3, 1)
    assert sorted(n for n, _p in r.unread_names) == ["elem_student", "elem_student2"]
    with pytest.raises(PermissionDenied):
        svc.announcement_read(user=world.users["b_parent"], announcement=a)


def test_who_may_announce(world):
    with pytest.raises(PermissionDenied):
        make(world, "elem_parent", publish=False)
    with pytest.raises(PermissionDenied):
        make(world, "junior_teacher", publish=False)
    with pytest.raises(PermissionDenied):
        make(world, "elem_teacher", owner="school", publish=False)
    with pytest.raises(PermissionDenied):
        make(world, "b_admin", owner="county", publish=False)
    subject_teacher(world)
    with pytest.raises(PermissionDenied):
        make(world, "elem_subject", publish=False)
    assert make(world, "elem_admin", publish=False).school_class_id  # the school's admins too


def test_bad_input_names_the_field_and_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        make(world, publish=False, title="", to_parents=False, expires_on=dt.date(2026, 1, 1))
    assert set(exc.value.message_dict) == {"title", "audience", "expires_on"}
    assert not Announcement.objects.exists()
    a = make(world)
    with pytest.raises(ValidationError) as exc:
        svc.announcement_save(
            user=world.users["elem_teacher"], announcement=a, title="x", body="y", to_parents=True
        )
    assert "published_at" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.announcement_publish(user=world.users["elem_teacher"], announcement=a)


# --------------------------------------------------------------------------- pages


def test_pages_create_edit_publish_read_receipts(world):
    c = world.client("elem_teacher")
    klass = world.classes["A-elem 5-1"]
    r = c.get(reverse("homeschool:announcement_create"))
    assert r.status_code == 200 and f"class:{klass.public_id}".encode() in r.content
    r = c.post(
        reverse("homeschool:announcement_create"),
        {"owner": f"class:{klass.public_id}", "title": "", "body": "x"},
    )
    assert r.status_code == 200 and b"form-errors" in r.content
    assert not Announcement.objects.exists()
    r = c.post(
        reverse("homeschool:announcement_create"),
        {
            "owner": f"class:{klass.public_id}",
            "title": "家長會",
            "body": "週六上午",
            "to_parents": "on",
        },
    )
    a = Announcement.objects.get()
    assert r.status_code == 302 and a.published_at is None
    r = c.post(
        reverse("homeschool:announcement_edit", args=[a.public_id]),
        {"title": "家長會（改）", "body": "週六上午九點", "to_parents": "on", "to_students": "on"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.title == "家長會（改）" and a.to_students
    assert (
        world.client("elem_parent")
        .get(reverse("homeschool:announcement_detail", args=[a.public_id]))
        .status_code
        == 404
    )
    r = c.get(reverse("homeschool:announcement_publish", args=[a.public_id]))
    assert r.status_code == 200 and b'id="expected"' in r.content
    c.post(reverse("homeschool:announcement_publish", args=[a.public_id]))
    a.refresh_from_db()
    assert a.published_at is not None
    assert c.get(reverse("homeschool:announcement_edit", args=[a.public_id])).status_code == 302
    p = world.client("elem_parent")
    r = p.get(reverse("homeschool:announcement_list"))
    assert "家長會（改）" in r.content.decode() and b'data-unread="1"' in r.content
    assert p.get(reverse("homeschool:announcement_detail", args=[a.public_id])).status_code == 200
    assert AnnouncementRead.objects.filter(person=world.people["elem_parent"]).exists()
    r = p.get(reverse("homeschool:announcement_list"))
    assert b'data-unread="1"' not in r.content
    assert p.get(reverse("homeschool:announcement_receipts", args=[a.public_id])).status_code == 403
    r = c.get(reverse("homeschool:announcement_receipts", args=[a.public_id]))
    assert b'data-expected="3" data-read="1"' in r.content
    assert "elem_student2" in r.content.decode()
    r = c.get(reverse("homeschool:announcement_receipts", args=[a.public_id]) + "?format=csv")
    body = r.content.decode("utf-8")
    assert body.startswith("\ufeff") and "elem_student2" in body and "elem_parent" not in body


def test_pages_tenancy_and_anonymous(world):
    a = make(world)
    detail = reverse("homeschool:announcement_detail", args=[a.public_id])
    for key in ("b_parent", "b_admin", "junior_teacher"):
        assert world.client(key).get(detail).status_code == 404, key
        assert (
            world.client(key)
            .get(reverse("homeschool:announcement_receipts", args=[a.public_id]))
            .status_code
            == 404
        )
    assert (
        world.client("elem_parent").get(reverse("homeschool:announcement_create")).status_code
        == 403
    )
    assert Client().get(detail).status_code == 302
    assert Client().get(reverse("homeschool:announcement_list")).status_code == 302


@pytest.mark.parametrize("lang, marker", [("en", 'lang="en"'), ("zh-hant", 'lang="zh-Hant-TW"')])
def test_both_languages(world, lang, marker):
    a = make(world)
    for key, name in (
        ("elem_parent", "announcement_list"),
        ("elem_teacher", "announcement_create"),
    ):
        c = world.client(key)
        c.cookies["dtss_language"] = lang
        for url in (
            reverse(f"homeschool:{name}"),
            reverse("homeschool:announcement_detail", args=[a.public_id]),
        ):
            r = c.get(url)
            assert r.status_code == 200 and marker in r.content.decode()
            assert "明天戶外教學" in r.content.decode() or name == "announcement_create"
    c = world.client("elem_teacher")
    c.cookies["dtss_language"] = lang
    r = c.get(reverse("homeschool:announcement_receipts", args=[a.public_id]))
    assert r.status_code == 200 and marker in r.content.decode()


# --------------------------------------------------------------------------- API


def test_api_flow(world):
    c = world.client("elem_teacher")
    klass = world.classes["A-elem 5-1"]
    r = c.post(
        API,
        json.dumps({"school_class": str(klass.public_id), "title": "", "body": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} == {"title", "audience"}
    r = c.post(
        API,
        json.dumps(
            {
                "school": str(world.schools["A-elem"].public_id),
                "title": "t",
                "body": "x",
                "to_parents": True,
            }
        ),
        content_type="application/json",
    )
    # a homeroom teacher announces for the class, not the school: the field is wrong
    assert r.status_code == 422 and {e["field"] for e in r.json()["detail"]} == {"school"}
    r = c.post(
        API,
        json.dumps(
            {
                "school_class": str(klass.public_id),
                "title": "校外教學",
                "body": "帶水",
                "to_parents": True,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201
    pid = r.json()["public_id"]
    r = c.patch(
        f"{API}/{pid}", json.dumps({"title": "校外教學（改）"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["title"] == "校外教學（改）"
    p = world.client("elem_parent")
    assert p.get(f"{API}/{pid}").status_code == 404  # a draft
    r = c.post(f"{API}/{pid}/publish")
    assert r.status_code == 200 and r.json()["notified"] == 1
    assert c.post(f"{API}/{pid}/publish").status_code == 422
    r = p.get(API)
    assert [i["title"] for i in r.json()["items"]] == ["校外教學（改）"]
    assert r.json()["items"][0]["is_read"] is False
    assert p.post(f"{API}/{pid}/read").status_code == 200
    assert p.get(f"{API}/{pid}/receipts").status_code == 403
    r = c.get(f"{API}/{pid}/receipts")
    assert r.json()["expected"] == 1 and r.json()["read"] == 1
    assert world.client("b_parent").get(f"{API}/{pid}").status_code == 404
    assert world.client("b_parent").post(f"{API}/{pid}/read").status_code == 404
    assert Client().get(API).status_code == 401
