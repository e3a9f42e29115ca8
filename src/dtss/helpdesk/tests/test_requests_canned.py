"""Canned replies: county-wide ones kept by the county's office, a school's own by its
administrators; validation, audit, pages, and the API."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from dtss.core.models import AuditEntry
from dtss.helpdesk import canned_services as svc
from dtss.helpdesk.models import CannedReply

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk/canned-replies"


def county_reply(world, county="A", **values):
    values.setdefault("title", "重設密碼")
    values.setdefault("body", "請到教育雲重設密碼。")
    user = world.users["a_admin" if county == "A" else "b_admin"]
    return svc.canned_create(user=user, county=world.counties[county], **values)


def school_reply(world, school="A-elem", user="elem_admin", **values):
    values.setdefault("title", "本校 Wi-Fi")
    values.setdefault("body", "請連 School-WiFi，密碼在教務處。")
    return svc.canned_create(user=world.users[user], school=world.schools[school], **values)


def test_services_who_may_keep_what(world) -> None:
    county = county_reply(world)
    assert county.school is None and county.county == world.counties["A"]
    # county staff (the office) may keep county-wide replies too
    svc.canned_create(user=world.users["a_staff"], county=world.counties["A"], title="t", body="b")
    own = school_reply(world)
    assert own.school == world.schools["A-elem"]
    with pytest.raises(PermissionError):  # a school's administrator: not county-wide
        svc.canned_create(
            user=world.users["elem_admin"], county=world.counties["A"], title="x", body="y"
        )
    with pytest.raises(PermissionError):  # nor another school's
        school_reply(world, "A-junior", "elem_admin")
    with pytest.raises(PermissionError):
        school_reply(world, "A-elem", "elem_teacher")
    with pytest.raises(PermissionError):  # another county's office
        svc.canned_create(
            user=world.users["b_admin"], county=world.counties["A"], title="x", body="y"
        )
    with pytest.raises(PermissionError):
        svc.canned_update(user=world.users["elem_admin"], reply=county, title="x", body="y")
    with pytest.raises(PermissionError):
        svc.canned_delete(user=world.users["junior_admin"], reply=own)
    svc.canned_update(user=world.users["a_admin"], reply=own, title="改名", body="新內容")
    own.refresh_from_db()
    assert own.title == "改名"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"helpdesk.canned.create", "helpdesk.canned.update"} <= actions


def test_bad_input_names_the_field_and_changes_nothing(world) -> None:
    reply = county_reply(world)
    with pytest.raises(ValidationError) as err:
        svc.canned_update(
            user=world.users["a_admin"], reply=reply, title=" ", body="", category="zzz"
        )
    assert set(err.value.message_dict) == {"title", "body", "category"}
    reply.refresh_from_db()
    assert reply.title == "重設密碼"
    with pytest.raises(ValidationError) as err:
        svc.canned_create(
            user=world.users["a_admin"], county=world.counties["A"], title="x" * 121, body="b"
        )
    assert "title" in err.value.message_dict
    assert CannedReply.objects.count() == 1


def test_pages_list_create_edit_delete(world) -> None:
    county = county_reply(world)
    own = school_reply(world)
    junior = school_reply(world, "A-junior", "junior_admin", title="國中專用")
    b_reply = county_reply(world, "B", title="宜蘭")
    client = world.client("elem_admin")
    r = client.get("/helpdesk/canned/")
    shown = {c.pk: editable for c, editable in r.context["rows"]}
    assert shown == {county.pk: False, own.pk: True}  # not A-junior's, not B's
    assert f"/helpdesk/canned/{own.public_id}/" in r.content.decode()
    assert f"/helpdesk/canned/{county.public_id}/" not in r.content.decode()
    r = client.get("/helpdesk/canned/", {"owner": "county"})
    assert [c.pk for c, _e in r.context["rows"]] == [county.pk]
    r = client.get("/helpdesk/canned/", {"q": "Wi-Fi"})
    assert [c.pk for c, _e in r.context["rows"]] == [own.pk]
    # edit: own yes; the county's is read-only (403); another school's or county's 404
    assert client.get(f"/helpdesk/canned/{own.public_id}/").status_code == 200
    assert client.get(f"/helpdesk/canned/{county.public_id}/").status_code == 403
    assert (
        client.post(
            f"/helpdesk/canned/{county.public_id}/", {"title": "x", "body": "y"}
        ).status_code
        == 403
    )
    assert client.get(f"/helpdesk/canned/{junior.public_id}/").status_code == 404
    assert client.get(f"/helpdesk/canned/{b_reply.public_id}/").status_code == 404
    assert client.post(f"/helpdesk/canned/{b_reply.public_id}/delete/").status_code == 404
    county.refresh_from_db()
    assert county.title == "重設密碼" and CannedReply.objects.count() == 4
    # create: a school's administrator may only choose their school
    r = client.get("/helpdesk/canned/new/")
    assert [k for k, _l in r.context["form"].fields["owner"].choices] == [
        f"school:{world.schools['A-elem'].public_id}"
    ]
    r = client.post("/helpdesk/canned/new/", {"owner": "county:10008", "title": "x", "body": "y"})
    assert r.status_code == 200 and "owner" in r.context["form"].errors
    r = client.post(
        "/helpdesk/canned/new/",
        {"owner": f"school:{world.schools['A-elem'].public_id}", "title": "", "body": ""},
    )
    assert {"title", "body"} <= set(r.context["form"].errors)
    assert CannedReply.objects.count() == 4
    r = client.post(
        "/helpdesk/canned/new/",
        {"owner": f"school:{world.schools['A-elem'].public_id}", "title": "新", "body": "內容"},
    )
    assert r.status_code == 302 and CannedReply.objects.filter(title="新").exists()
    r = client.post(f"/helpdesk/canned/{own.public_id}/", {"title": "改", "body": "改內容"})
    assert r.status_code == 302
    own.refresh_from_db()
    assert (own.title, own.body) == ("改", "改內容")
    assert client.get(f"/helpdesk/canned/{own.public_id}/delete/").status_code == 405
    assert client.post(f"/helpdesk/canned/{own.public_id}/delete/").status_code == 302
    assert not CannedReply.objects.filter(pk=own.pk).exists()
    assert AuditEntry.objects.filter(action="helpdesk.canned.delete").count() == 1
    # the county's office: county-wide replies of its county
    r = world.client("a_staff").get("/helpdesk/canned/new/")
    assert "county:10008" in [k for k, _l in r.context["form"].fields["owner"].choices]
    r = world.client("a_admin").post(
        "/helpdesk/canned/new/", {"owner": "county:10008", "title": "全縣", "body": "內容"}
    )
    assert CannedReply.objects.get(title="全縣").school is None


def test_pages_are_for_handlers_only(world) -> None:
    reply = county_reply(world)
    for who in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
        client = world.client(who)
        assert client.get("/helpdesk/canned/").status_code == 403, who
        assert client.get("/helpdesk/canned/new/").status_code == 403, who
        assert client.get(f"/helpdesk/canned/{reply.public_id}/").status_code == 403, who
    html = world.client("elem_admin").get("/helpdesk/canned/", {"q": "zzz"}).content.decode()
    assert 'id="no-canned"' in html


def test_api(world) -> None:
    county = county_reply(world)
    own = school_reply(world)
    b_reply = county_reply(world, "B", title="宜蘭")
    admin = world.client("elem_admin")
    r = admin.get(API)
    assert r.status_code == 200
    items = {i["public_id"]: i for i in r.json()["items"]}
    assert set(items) == {str(county.public_id), str(own.public_id)}
    assert items[str(own.public_id)]["editable"] and not items[str(county.public_id)]["editable"]
    assert world.client("elem_teacher").get(API).status_code == 403
    assert world.client("elem_student").get(API).status_code == 403
    assert admin.get(API, {"q": "Wi-Fi"}).json()["count"] == 1
    # create: the school's own; county-wide is 422 (school to name) for a school administrator
    body = {"title": "API", "body": "內容", "school": str(world.schools["A-elem"].public_id)}
    r = admin.post(API, json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and r.json()["school"] == str(world.schools["A-elem"].public_id)
    r = admin.post(API, json.dumps({"title": "x", "body": "y"}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "school"
    junior = str(world.schools["A-junior"].public_id)
    r = admin.post(
        API,
        json.dumps({"title": "x", "body": "y", "school": junior}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "school"
    r = admin.post(
        API,
        json.dumps({"title": "", "body": "y", "school": str(world.schools["A-elem"].public_id)}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "title"
    r = world.client("a_admin").post(
        API, json.dumps({"title": "全縣", "body": "y"}), content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["school"] is None and r.json()["county"] == "10008"
    # patch / delete
    url = f"{API}/{own.public_id}"
    r = admin.patch(url, json.dumps({"title": "改名"}), content_type="application/json")
    assert r.status_code == 200 and r.json()["title"] == "改名" and r.json()["body"] == own.body
    r = admin.patch(
        f"{API}/{county.public_id}", json.dumps({"title": "x"}), content_type="application/json"
    )
    assert r.status_code == 403
    r = admin.patch(
        f"{API}/{b_reply.public_id}", json.dumps({"title": "x"}), content_type="application/json"
    )
    assert r.status_code == 404
    assert world.client("junior_admin").delete(url).status_code == 404
    assert admin.delete(f"{API}/{county.public_id}").status_code == 403
    assert admin.delete(url).status_code == 204
    assert not CannedReply.objects.filter(pk=own.pk).exists()
    county.refresh_from_db()
    b_reply.refresh_from_db()
    assert county.title == "重設密碼" and b_reply.title == "宜蘭"
