"""A school's contact-book rules, leave types and periods: services, pages and API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dtss.core.models import AuditEntry
from dtss.homeschool import school_services as svc
from dtss.homeschool import services
from dtss.homeschool.models import HomeschoolSettings, LeaveType, Period
from dtss.homeschool.tests.factories import leave_type, make_leave, period, setup

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool"


def save(world: Any, who: str = "elem_admin", school: str = "A-elem", **kw: Any) -> Any:
    values = {
        "students_may_request_leave": False,
        "second_approval_days": 3,
        "second_approver": world.people["elem_teacher"],
        "count_in_days": True,
        "quiet_start": dt.time(21, 30),
        "quiet_end": dt.time(6, 30),
    }
    values.update(kw)
    return svc.settings_save(user=world.users[who], school=world.schools[school], **values)


def fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json()["detail"]}


# --------------------------------------------------------------------------- services


def test_settings_save_and_audit(world) -> None:
    row = save(world)
    assert row.pk and row.second_approval_days == 3
    assert row.second_approver == world.people["elem_teacher"]
    assert services.settings_get(world.schools["A-elem"]).quiet_start == dt.time(21, 30)
    assert AuditEntry.objects.filter(action="homeschool.settings", school=row.school).exists()
    # the county's administrator may change it too
    save(world, "a_admin", second_approval_days=5)
    assert services.settings_get(world.schools["A-elem"]).second_approval_days == 5


def test_second_approver_of_another_school_is_refused(world) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, second_approver=world.people["junior_teacher"])
    assert "second_approver" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save(world, second_approver=world.people["elem_parent"])
    assert "second_approver" in exc.value.message_dict
    assert not HomeschoolSettings.objects.exists()


def test_student_leave_refused_at_an_elementary_school(world) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, students_may_request_leave=True, second_approval_days=99)
    assert set(exc.value.message_dict) == {"students_may_request_leave", "second_approval_days"}
    assert not HomeschoolSettings.objects.exists()


def test_student_leave_allowed_at_a_senior_high_school(world) -> None:
    school = world.schools["A-junior"]
    school.stage = "senior"
    school.save()
    row = save(
        world, "junior_admin", "A-junior", students_may_request_leave=True, second_approver=None
    )
    assert row.students_may_request_leave


def test_only_administrators_configure(world) -> None:
    for who in ("elem_teacher", "elem_parent", "junior_admin", "b_admin", "a_staff"):
        with pytest.raises(PermissionDenied):
            save(world, who)


def test_leave_type_in_use_cannot_be_deleted(world) -> None:
    make_leave(world)
    sick = leave_type(world, "sick")
    with pytest.raises(ValidationError) as exc:
        svc.leave_type_delete(user=world.users["elem_admin"], leave_type=sick)
    said = " ".join(exc.value.messages)
    assert "停用" in said or "Deactivate" in said  # in the language active for the test
    assert LeaveType.objects.filter(pk=sick.pk).exists()
    # deactivating it is fine
    svc.leave_type_save(
        user=world.users["elem_admin"],
        school=sick.school,
        leave_type=sick,
        name_zh=sick.name_zh,
        code=sick.code,
        active=False,
    )
    sick.refresh_from_db()
    assert not sick.active
    unused = leave_type(world, "pandemic")
    svc.leave_type_delete(user=world.users["elem_admin"], leave_type=unused)
    assert not LeaveType.objects.filter(pk=unused.pk).exists()


def test_leave_type_code_unique_and_named(world) -> None:
    setup(world)
    with pytest.raises(ValidationError) as exc:
        svc.leave_type_save(
            user=world.users["elem_admin"], school=world.schools["A-elem"], name_zh="", code="sick"
        )
    assert set(exc.value.message_dict) == {"name_zh", "code"}


def test_period_rules(world) -> None:
    setup(world)
    admin = world.users["elem_admin"]
    school = world.schools["A-elem"]
    with pytest.raises(ValidationError) as exc:
        svc.period_save(
            user=admin,
            school=school,
            name_zh="第八節",
            code="p8",
            starts=dt.time(16, 0),
            ends=dt.time(15, 0),
        )
    assert "ends" in exc.value.message_dict
    p8 = svc.period_save(user=admin, school=school, name_zh="第八節", code="p8")
    assert p8.order == Period.objects.filter(school=school).count() - 1
    svc.period_move(user=admin, period=p8, direction=-1)
    codes = list(
        Period.objects.filter(school=school).order_by("order").values_list("code", flat=True)
    )
    assert codes[-2:] == ["p8", "p7"]
    # a period in a leave request cannot be deleted
    make_leave(world, periods=["p1"])
    with pytest.raises(ValidationError):
        svc.period_delete(user=admin, period=period(world, "p1"))
    svc.period_delete(user=admin, period=p8)
    assert not Period.objects.filter(pk=p8.pk).exists()


# --------------------------------------------------------------------------- pages


def url(world: Any, name: str, school: str = "A-elem") -> str:
    from django.urls import reverse

    return reverse(f"homeschool:{name}", args=[world.schools[school].public_id])


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_settings_page_both_languages(world, lang: str) -> None:
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = lang
    r = client.get(url(world, "school_settings"))
    assert r.status_code == 200
    text = r.content.decode()
    assert ('<html lang="en' in text) == (lang == "en")
    assert "homeschool-nav" in text  # the app's sub-navigation
    assert "5年01班" in text or "5-1" in text  # the class's timetable link
    assert url(world, "leave_types") in text and url(world, "periods") in text
    # the lists were set up for the school
    assert LeaveType.objects.filter(school=world.schools["A-elem"]).count() == 6


def test_settings_page_post_and_errors(world) -> None:
    client = world.client("elem_admin")
    bad = {
        "students_may_request_leave": "on",
        "second_approval_days": "3",
        "second_approver": str(world.people["junior_teacher"].public_id),
        "quiet_start": "21:00",
        "quiet_end": "07:00",
    }
    r = client.post(url(world, "school_settings"), bad)
    assert r.status_code == 400
    assert "second_approver" in r.context["form"].errors
    good = dict(bad, second_approver=str(world.people["elem_teacher"].public_id))
    r = client.post(url(world, "school_settings"), good)
    assert r.status_code == 400
    assert list(r.context["form"].errors) == ["students_may_request_leave"]
    assert not HomeschoolSettings.objects.exists()
    del good["students_may_request_leave"]
    r = client.post(url(world, "school_settings"), good)
    assert r.status_code == 302
    assert HomeschoolSettings.objects.get().second_approver == world.people["elem_teacher"]


def test_settings_page_who(world) -> None:
    target = url(world, "school_settings")
    assert Client().get(target).status_code == 302
    assert world.client("elem_teacher").get(target).status_code == 200  # reads
    r = world.client("elem_teacher").post(target, {"quiet_start": "21:00", "quiet_end": "07:00"})
    assert r.status_code == 403
    for who in ("elem_parent", "elem_student"):
        assert world.client(who).get(target).status_code == 403, who
    for who in ("junior_teacher", "b_admin", "b_parent"):
        assert world.client(who).get(target).status_code == 404, who
    assert world.client("a_admin").get(target).status_code == 200


def test_leave_types_page(world) -> None:
    make_leave(world)
    client = world.client("elem_admin")
    target = url(world, "leave_types")
    r = client.get(target)
    assert r.status_code == 200 and "病假" in r.content.decode()
    r = client.post(
        target, {"action": "add", "add-name_zh": "病", "add-code": "sick", "add-order": "1"}
    )
    assert r.status_code == 400 and list(r.context["add_form"].errors) == ["code"]
    assert LeaveType.objects.filter(code="sick").count() == 1
    r = client.post(
        target,
        {
            "action": "add",
            "add-name_zh": "婚假",
            "add-name_en": "Wedding",
            "add-code": "wedding",
            "add-order": "9",
            "add-needs_reason": "on",
            "add-active": "on",
        },
    )
    assert r.status_code == 302
    assert LeaveType.objects.filter(school=world.schools["A-elem"], code="wedding").exists()
    sick = leave_type(world, "sick")
    r = client.post(target, {"action": "delete", "id": str(sick.public_id)}, follow=True)
    assert LeaveType.objects.filter(pk=sick.pk).exists()
    assert "Deactivate" in r.content.decode() or "停用" in r.content.decode()
    r = client.get(target + f"?edit={sick.public_id}")
    assert r.context["edit_form"].initial["code"] == "sick"
    assert (
        world.client("elem_teacher")
        .post(target, {"action": "delete", "id": str(sick.public_id)})
        .status_code
        == 403
    )
    assert world.client("b_admin").get(target).status_code == 404


def test_periods_page(world) -> None:
    client = world.client("elem_admin")
    target = url(world, "periods")
    assert client.get(target).status_code == 200
    r = client.post(
        target,
        {
            "action": "add",
            "add-name_zh": "第八節",
            "add-code": "p8",
            "add-starts": "17:00",
            "add-ends": "16:00",
            "add-active": "on",
        },
    )
    assert r.status_code == 400 and "ends" in r.context["add_form"].errors
    assert not Period.objects.filter(code="p8").exists()
    p1 = period(world, "p1")
    client.post(target, {"action": "down", "id": str(p1.public_id)})
    order = list(Period.objects.filter(school=p1.school).values_list("code", flat=True))
    assert order.index("p1") == order.index("p2") + 1
    assert world.client("elem_parent").get(target).status_code == 403
    assert world.client("junior_admin").get(target).status_code == 404


# --------------------------------------------------------------------------- API


def test_api_settings(world) -> None:
    school = world.schools["A-elem"]
    path = f"{API}/schools/{school.public_id}/settings"
    assert Client().get(path).status_code == 401
    admin = world.client("elem_admin")
    r = admin.get(path)
    assert r.status_code == 200 and r.json()["is_default"] is True
    body = {
        "students_may_request_leave": True,
        "second_approval_days": 0,
        "second_approver": str(world.people["junior_teacher"].public_id),
        "quiet_start": "21:00",
        "quiet_end": "07:00",
    }
    r = admin.put(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 422 and "second_approver" in fields(r)
    body["second_approver"] = str(world.people["elem_teacher"].public_id)
    r = admin.put(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 422
    assert {"students_may_request_leave", "second_approval_days"} <= fields(r)
    assert not HomeschoolSettings.objects.exists()
    body.update(students_may_request_leave=False, second_approval_days=2)
    r = admin.put(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["second_approver_name"] == "elem_teacher"
    teacher = world.client("elem_teacher")
    assert teacher.get(path).status_code == 200
    assert teacher.put(path, json.dumps(body), content_type="application/json").status_code == 403
    assert world.client("elem_parent").get(path).status_code == 403
    assert world.client("b_admin").get(path).status_code == 404


def test_api_leave_types_and_periods(world) -> None:
    make_leave(world)
    school = world.schools["A-elem"]
    admin = world.client("elem_admin")
    r = admin.get(f"{API}/schools/{school.public_id}/leave-types")
    assert r.status_code == 200
    items = {i["code"]: i for i in r.json()["items"]}
    assert items["sick"]["in_use"] and not items["official"]["in_use"]
    r = admin.post(
        f"{API}/schools/{school.public_id}/leave-types",
        json.dumps({"code": "sick", "name_zh": ""}),
        content_type="application/json",
    )
    assert r.status_code == 422 and {"code", "name_zh"} <= fields(r)
    r = admin.post(
        f"{API}/schools/{school.public_id}/leave-types",
        json.dumps({"code": "wedding", "name_zh": "婚假"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    r = admin.patch(
        f"{API}/leave-types/{items['sick']['id']}",
        json.dumps({"active": False}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["active"] is False
    r = admin.get(f"{API}/schools/{school.public_id}/periods")
    codes = [i["code"] for i in r.json()["items"]]
    assert codes[:3] == ["morning", "flag", "p1"]
    p1 = r.json()["items"][2]
    r = admin.patch(
        f"{API}/periods/{p1['id']}", json.dumps({"ends": "08:00"}), content_type="application/json"
    )
    assert r.status_code == 422 and "ends" in fields(r)
    r = admin.post(
        f"{API}/schools/{school.public_id}/periods",
        json.dumps({"code": "p8", "name_zh": "第八節"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["starts"] is None
    assert (
        world.client("elem_teacher")
        .patch(
            f"{API}/periods/{p1['id']}",
            json.dumps({"active": False}),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert (
        world.client("b_admin")
        .patch(
            f"{API}/periods/{p1['id']}",
            json.dumps({"active": False}),
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert (
        world.client("elem_student").get(f"{API}/schools/{school.public_id}/periods").status_code
        == 403
    )
