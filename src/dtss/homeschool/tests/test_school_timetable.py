"""A class's timetable: the grid (all or nothing, errors naming the cell), CSV import (every
bad row listed, nothing saved), copying from another class; page and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dtss.homeschool import school_services as svc
from dtss.homeschool.models import TimetableSlot
from dtss.homeschool.tests.factories import period, setup, subject_teacher
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool"


def klass(world: Any) -> Any:
    return world.classes["A-elem 5-1"]


def page(world: Any, key: str = "A-elem 5-1") -> str:
    return reverse("homeschool:timetable", args=[world.classes[key].public_id])


def second_class(world: Any) -> Any:
    first = klass(world)
    return org_services.class_create(
        school=first.school, term=first.term, grade=5, number=2, homeroom_teacher=None
    )


def test_grid_save_all_or_nothing(world) -> None:
    setup(world)
    admin = world.users["elem_admin"]
    teacher = world.people["elem_teacher"]
    good = [
        svc.Cell(1, period(world, "p1"), "國語", teacher),
        svc.Cell(2, period(world, "p2"), "數學"),
    ]
    assert svc.timetable_save(user=admin, school_class=klass(world), cells=good) == 2
    bad = [
        svc.Cell(1, period(world, "p1"), "國語", teacher),
        svc.Cell(6, period(world, "p2"), "體育"),
        svc.Cell(3, period(world, "p3"), "英語", world.people["junior_teacher"]),
        svc.Cell(4, period(world, "p4"), "  "),
    ]
    with pytest.raises(ValidationError) as exc:
        svc.timetable_save(user=admin, school_class=klass(world), cells=bad)
    assert set(exc.value.message_dict) == {"cell-6-p2", "cell-3-p3", "cell-4-p4"}
    assert TimetableSlot.objects.filter(school_class=klass(world)).count() == 2
    with pytest.raises(PermissionDenied):
        svc.timetable_save(user=world.users["elem_teacher"], school_class=klass(world), cells=good)


def test_csv_import_lists_bad_rows_and_saves_nothing(world) -> None:
    subject_teacher(world)  # 15 slots already
    admin = world.users["elem_admin"]
    before = TimetableSlot.objects.filter(school_class=klass(world)).count()
    data = (
        "weekday,period,subject,teacher\n"
        "1,p1,國語,elem_teacher\n"
        "7,p2,數學,elem_subject\n"
        "2,p9,自然,\n"
        "3,p3,英語,nobody\n"
        "1,p1,國語,\n"
    ).encode()
    result = svc.timetable_import_csv(user=admin, school_class=klass(world), data=data)
    assert not result.ok
    assert {(e["row"], e["field"]) for e in result.errors} == {
        (3, "weekday"),
        (4, "period"),
        (5, "teacher"),
        (6, "period"),
    }
    assert TimetableSlot.objects.filter(school_class=klass(world)).count() == before
    good = "\ufeff星期,節次,科目,教師\n1,p1,國語,elem_teacher\n2,p2,數學,數學老師\n".encode()
    result = svc.timetable_import_csv(user=admin, school_class=klass(world), data=good)
    assert result.ok and result.saved == 2
    slots = TimetableSlot.objects.filter(school_class=klass(world)).order_by("weekday")
    assert [(s.weekday, s.subject, s.teacher.name) for s in slots] == [
        (1, "國語", "elem_teacher"),
        (2, "數學", "數學老師"),
    ]


def test_copy_from_another_class(world) -> None:
    subject_teacher(world)
    other = second_class(world)
    n = svc.timetable_copy(user=world.users["elem_admin"], school_class=other, source=klass(world))
    assert n == 15
    assert TimetableSlot.objects.filter(school_class=other, subject="數學").count() == 5
    with pytest.raises(ValidationError):
        svc.timetable_copy(
            user=world.users["a_admin"], school_class=other, source=world.classes["A-junior 7-1"]
        )


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_page_shows_grid(world, lang: str) -> None:
    subject_teacher(world)
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = lang
    r = client.get(page(world))
    assert r.status_code == 200
    text = r.content.decode()
    assert 'id="cell-1-p2"' in text and 'value="數學"' in text
    assert ("Monday" in text) == (lang == "en")


def test_page_grid_post(world) -> None:
    setup(world)
    client = world.client("elem_admin")
    teacher = world.people["elem_teacher"]
    r = client.post(
        page(world),
        {
            "action": "save",
            "cell-1-p1-subject": "國語",
            "cell-1-p1-teacher": str(teacher.public_id),
            "cell-2-p2-subject": "",
            "cell-2-p2-teacher": str(teacher.public_id),
            "cell-3-p3-subject": "英語",
            "cell-3-p3-teacher": str(world.people["junior_teacher"].public_id),
        },
    )
    assert r.status_code == 400
    assert set(r.context["grid_errors"]) == {"cell-2-p2", "cell-3-p3"}
    assert "cell-2-p2" in r.content.decode()
    assert not TimetableSlot.objects.exists()
    r = client.post(
        page(world),
        {
            "action": "save",
            "cell-1-p1-subject": "國語",
            "cell-1-p1-teacher": str(teacher.public_id),
        },
    )
    assert r.status_code == 302
    assert TimetableSlot.objects.get().teacher == teacher


def test_page_import_copy_template_and_export(world) -> None:
    subject_teacher(world)
    other = second_class(world)
    client = world.client("elem_admin")
    target = reverse("homeschool:timetable", args=[other.public_id])
    bad = SimpleUploadedFile("t.csv", b"weekday,period,subject\n9,p1,x\n")
    r = client.post(target, {"action": "import", "import-file": bad})
    assert r.status_code == 400 and r.context["import_errors"][0]["row"] == 2
    assert 'data-row="2"' in r.content.decode()
    r = client.post(target, {"action": "copy", "copy-source": str(klass(world).public_id)})
    assert r.status_code == 302
    assert TimetableSlot.objects.filter(school_class=other).count() == 15
    tpl = client.get(reverse("homeschool:timetable_template", args=[other.public_id]))
    assert tpl.status_code == 200 and tpl.content.startswith(b"\xef\xbb\xbfweekday,period")
    export = client.get(target + "?format=csv")
    assert "elem_subject" in export.content.decode("utf-8-sig")


def test_page_who(world) -> None:
    setup(world)
    target = page(world)
    assert Client().get(target).status_code == 302
    assert world.client("elem_teacher").get(target).status_code == 200
    assert world.client("elem_teacher").post(target, {"action": "save"}).status_code == 403
    for who in ("elem_parent", "elem_student"):
        assert world.client(who).get(target).status_code == 403, who
    for who in ("junior_teacher", "b_admin", "b_parent"):
        assert world.client(who).get(target).status_code == 404, who


def test_api_timetable(world) -> None:
    subject_teacher(world)
    path = f"{API}/classes/{klass(world).public_id}/timetable"
    assert Client().get(path).status_code == 401
    admin = world.client("elem_admin")
    r = admin.get(path)
    assert r.status_code == 200 and len(r.json()["slots"]) == 15
    body = {
        "slots": [
            {"weekday": 1, "period": "p1", "subject": "國語"},
            {"weekday": 6, "period": "p2", "subject": "x"},
            {"weekday": 2, "period": "zz", "subject": "x"},
        ]
    }
    r = admin.put(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} == {"cell-6-p2", "cell-2-zz"}
    assert TimetableSlot.objects.filter(school_class=klass(world)).count() == 15
    body = {
        "slots": [
            {
                "weekday": 1,
                "period": "p1",
                "subject": "國語",
                "teacher": str(world.people["elem_teacher"].public_id),
            }
        ]
    }
    r = admin.put(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["slots"][0]["teacher_name"] == "elem_teacher"
    teacher = world.client("elem_teacher")
    assert teacher.get(path).status_code == 200
    assert teacher.put(path, json.dumps(body), content_type="application/json").status_code == 403
    assert world.client("elem_parent").get(path).status_code == 403
    assert world.client("b_teacher").get(path).status_code == 404
