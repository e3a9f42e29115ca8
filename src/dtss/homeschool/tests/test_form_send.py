"""Class forms (調查表) through the survey engine's named mode: sending to a class's parents or
students, tracking who answered, reminders, closing; pages and API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.homeschool import form_selectors as fsel
from dtss.homeschool import form_services as fsvc
from dtss.homeschool.models import Notification
from dtss.orgs import services as org_services
from dtss.surveys import selectors as survey_selectors
from dtss.surveys import services as survey_services
from dtss.surveys.models import Run
from dtss.surveys.tests.factories import questionnaire

pytestmark = pytest.mark.django_db

API = "/api/v1/homeschool"
ANSWERS = {"Q1": 4, "Q2": "yes"}
YES_ZH = "有"  # the label of "yes" in the factory questionnaire


def second_parent(world: Any) -> Any:
    """A father for elem_student2, so that someone stays pending."""
    if "elem_parent2" in world.people:
        return world.people["elem_parent2"]
    county = world.counties["A"]
    p = org_services.person_create(
        county=county, name="elem_parent2", external_id="elem_parent2", email="p2@example.org"
    )
    user = get_user_model().objects.create_user(
        username="elem_parent2", password="x-Pass-123456", email="p2@example.org", person=p
    )
    org_services.guardianship_create(
        parent=p, child=world.people["elem_student2"], relation="father"
    )
    world.people["elem_parent2"] = p
    world.users["elem_parent2"] = user
    return p


def send(world: Any, who: str = "elem_teacher", group: str = "parents", **kw: Any) -> Run:
    values = {
        "school_class": world.classes["A-elem 5-1"],
        "questionnaire": questionnaire(world, group=group, title="校外教學調查"),
        "group": group,
        "title": "校外教學意願調查",
        "closes_at": timezone.now() + dt.timedelta(days=7),
    }
    values.update(kw)
    return fsvc.form_send(user=world.users[who], **values)


def test_send_to_parents_invites_each_child_of_the_class(world) -> None:
    second_parent(world)
    run = send(world)
    assert run.mode == "named" and run.status == "open"
    assert run.created_by == world.users["elem_teacher"]
    assert list(run.classes.all()) == [world.classes["A-elem 5-1"]]
    pairs = {(i.person.external_id, i.about.external_id) for i in run.invitations.all()}
    assert pairs == {("elem_parent", "elem_student"), ("elem_parent2", "elem_student2")}
    assert not run.invitations.filter(person=world.people["b_parent"]).exists()
    # notified, with a link to the surveys' answer page of the invitation
    inv = run.invitations.get(person=world.people["elem_parent"])
    note = Notification.objects.get(recipient=world.people["elem_parent"], kind="form")
    assert note.url == reverse("surveys:answer_invitation", args=[inv.public_id])
    assert "elem_student" in note.body
    assert not Notification.objects.filter(recipient=world.people["b_parent"]).exists()
    # the parent sees it among their surveys
    mine = survey_selectors.my_invitations(user=world.users["elem_parent"])
    assert [i.run_id for i in mine] == [run.pk]
    assert survey_selectors.my_invitations(user=world.users["b_parent"]) == []
    assert AuditEntry.objects.filter(
        action="homeschool.form_send", actor=world.users["elem_teacher"]
    ).exists()


def test_send_to_students(world) -> None:
    run = send(world, group="students")
    assert {i.person.external_id for i in run.invitations.all()} == {
        "elem_student",
        "elem_student2",
    }


def test_send_validates_and_checks_permission(world) -> None:
    other = questionnaire(world, group="parents", school=None)  # the county's: fine
    send(world, questionnaire=other)
    b_qn = survey_services.questionnaire_create(
        actor=world.users["b_admin"], county=world.counties["B"], title_zh="宜蘭問卷"
    )
    with pytest.raises(ValidationError) as exc:
        send(
            world,
            questionnaire=b_qn,
            group="teachers",
            title=" ",
            closes_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert set(exc.value.message_dict) == {"questionnaire", "group", "title", "closes_at"}
    assert Run.objects.count() == 1
    for who in ("junior_teacher", "elem_parent", "elem_student", "a_admin", "b_teacher"):
        with pytest.raises(PermissionDenied):
            send(world, who)
    send(world, "elem_admin")


def test_tracking_after_a_named_submission_and_remind_only_pending(world) -> None:
    second_parent(world)
    run = send(world)
    inv = run.invitations.get(person=world.people["elem_parent"])
    survey_services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers=ANSWERS
    )
    rows = {r.person.external_id: r for r in fsel.tracking(run=run)}
    assert (
        rows["elem_parent"].answered_at is not None
        and rows["elem_parent"].about.external_id == "elem_student"
    )
    assert rows["elem_parent2"].answered_at is None
    assert fsel.summary(run=run) == {"invited": 2, "answered": 1, "pending": 1, "rate": 50}
    mail.outbox.clear()
    Notification.objects.all().delete()
    counts = fsvc.form_remind(user=world.users["elem_teacher"], run=run)
    assert counts["sent"] == 1 and counts["notified"] == 1
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]
    note = Notification.objects.get()
    assert note.recipient == world.people["elem_parent2"] and note.email_due is False
    # at most once in 20 hours
    counts = fsvc.form_remind(user=world.users["elem_teacher"], run=run)
    assert counts["sent"] == 0 and counts["skipped"] == 1 and counts["notified"] == 0
    assert len(mail.outbox) == 1
    rows = {r.person.external_id: r for r in fsel.tracking(run=run)}
    assert rows["elem_parent2"].reminders == 1
    with pytest.raises(PermissionDenied):
        fsvc.form_remind(user=world.users["junior_teacher"], run=run)
    fsvc.form_close(user=world.users["elem_teacher"], run=run)
    run.refresh_from_db()
    assert run.status == "closed"
    with pytest.raises(ValidationError):
        fsvc.form_remind(user=world.users["elem_teacher"], run=run)


def test_forms_for_lists_my_classes_only(world) -> None:
    run = send(world)
    assert [r.pk for r in fsel.forms_for(user=world.users["elem_teacher"])] == [run.pk]
    assert [r.pk for r in fsel.forms_for(user=world.users["elem_admin"])] == [run.pk]
    assert list(fsel.forms_for(user=world.users["junior_teacher"])) == []
    assert list(fsel.forms_for(user=world.users["b_teacher"])) == []


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_pages_both_languages(world, lang: str) -> None:
    run = send(world)
    client = world.client("elem_teacher")
    client.cookies["dtss_language"] = lang
    r = client.get(reverse("homeschool:form_list"))
    assert r.status_code == 200
    text = r.content.decode()
    assert ('<html lang="en' in text) == (lang == "en")
    assert "校外教學意願調查" in text and "0 / 1" in text
    r = client.get(reverse("homeschool:form_detail", args=[run.public_id]))
    assert r.status_code == 200 and "elem_student" in r.content.decode()
    r = client.get(reverse("homeschool:form_send", args=[world.classes["A-elem 5-1"].public_id]))
    assert r.status_code == 200 and "校外教學調查" in r.content.decode()


def test_send_page(world) -> None:
    qn = questionnaire(world, group="parents", title="校外教學調查")
    target = reverse("homeschool:form_send", args=[world.classes["A-elem 5-1"].public_id])
    client = world.client("elem_teacher")
    r = client.post(
        target,
        {
            "questionnaire": str(qn.public_id),
            "group": "parents",
            "title": "",
            "closes_at": "2026-11-01T17:00",
        },
    )
    assert r.status_code == 400 and "title" in r.context["form"].errors
    r = client.post(
        target,
        {
            "questionnaire": str(qn.public_id),
            "group": "parents",
            "title": "調查",
            "closes_at": "2026-11-01T17:00",
        },
    )
    assert r.status_code == 400 and "closes_at" in r.context["form"].errors
    assert not Run.objects.exists()
    r = client.post(
        target,
        {
            "questionnaire": str(qn.public_id),
            "group": "parents",
            "title": "調查",
            "closes_at": "2026-12-07T17:00",
        },
    )
    assert r.status_code == 302
    run = Run.objects.get()
    assert r["Location"] == reverse("homeschool:form_detail", args=[run.public_id])
    assert Client().get(target).status_code == 302
    assert world.client("elem_parent").get(target).status_code == 403
    assert world.client("junior_teacher").get(target).status_code == 404
    assert world.client("b_admin").get(target).status_code == 403  # county staff: no class role


def test_detail_page_remind_close_and_who(world) -> None:
    second_parent(world)
    run = send(world)
    target = reverse("homeschool:form_detail", args=[run.public_id])
    client = world.client("elem_teacher")
    mail.outbox.clear()
    r = client.post(target, {"action": "remind"})
    assert r.status_code == 302 and len(mail.outbox) == 2
    csv_text = client.get(target + "?format=csv").content.decode("utf-8-sig")
    assert "elem_student2" in csv_text and "elem_parent2" in csv_text
    assert Client().get(target).status_code == 302
    for who in ("elem_parent", "elem_student"):
        assert world.client(who).get(target).status_code == 403, who
    for who in ("junior_teacher", "b_teacher", "b_admin"):
        assert world.client(who).get(target).status_code in (403, 404), who
    assert world.client("junior_teacher").get(target).status_code == 404
    assert world.client("b_teacher").get(target).status_code == 404
    # the results link for the school's administrators only
    assert 'id="results-link"' in world.client("elem_admin").get(target).content.decode()
    assert 'id="results-link"' not in client.get(target).content.decode()
    r = client.post(target, {"action": "close"})
    run.refresh_from_db()
    assert run.status == "closed"
    assert world.client("elem_parent").get(reverse("homeschool:form_list")).status_code == 403


def test_another_teacher_of_the_school_gets_403(world) -> None:
    from dtss.homeschool.tests.factories import subject_teacher

    subject_teacher(world)
    run = send(world)
    other = world.client("elem_subject")
    assert other.get(reverse("homeschool:form_detail", args=[run.public_id])).status_code == 403
    assert (
        other.post(
            reverse("homeschool:form_detail", args=[run.public_id]), {"action": "close"}
        ).status_code
        == 403
    )


# --------------------------------------------------------------------------- API


def test_api_forms(world) -> None:
    second_parent(world)
    qn = questionnaire(world, group="parents", title="校外教學調查")
    klass = world.classes["A-elem 5-1"]
    teacher = world.client("elem_teacher")
    path = f"{API}/classes/{klass.public_id}/forms"
    body = {
        "questionnaire": str(qn.public_id),
        "group": "parents",
        "title": "調查",
        "closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
    }
    assert Client().post(path, json.dumps(body), content_type="application/json").status_code == 401
    bad = dict(body, title=" ", closes_at="2026-01-01T00:00:00+08:00")
    r = teacher.post(path, json.dumps(bad), content_type="application/json")
    assert r.status_code == 422 and {e["field"] for e in r.json()["detail"]} == {
        "title",
        "closes_at",
    }
    r = teacher.post(path, json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    form = r.json()
    assert form["invited"] == 2 and {t["about_name"] for t in form["tracking"]} == {
        "elem_student",
        "elem_student2",
    }
    listing = teacher.get(f"{API}/forms").json()
    assert listing["count"] == 1 and listing["items"][0]["rate"] == 0
    one = f"{API}/forms/{form['id']}"
    assert teacher.get(one).status_code == 200
    mail.outbox.clear()
    r = teacher.post(one + "/remind")
    assert r.status_code == 200 and r.json()["sent"] == 2
    assert world.client("elem_parent").get(f"{API}/forms").status_code == 403
    assert world.client("elem_parent").get(one).status_code == 403
    assert (
        world.client("elem_parent")
        .post(path, json.dumps(body), content_type="application/json")
        .status_code
        == 403
    )
    assert world.client("junior_teacher").get(one).status_code == 404
    assert world.client("b_teacher").post(one + "/close").status_code == 404
    r = teacher.post(one + "/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert teacher.post(one + "/close").status_code == 422


def test_the_writer_reads_the_answers_on_the_tracking_page_and_csv(world) -> None:
    """A homeroom teacher sends a form to know who agrees: the answers are on the tracking page
    (a choice by its label) and in its CSV, for the class's writers only."""
    second_parent(world)
    run = send(world)
    inv = run.invitations.get(person=world.people["elem_parent"])
    survey_services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers=ANSWERS
    )
    questions, answered = fsel.answers(run=run, language="zh-hant")
    assert [q.code for q in questions][:2] == ["Q1", "Q2"]
    row = answered[inv.pk]
    assert row[0] == "4" and row[1] == YES_ZH
    pending = run.invitations.get(person=world.people["elem_parent2"])
    assert pending.pk not in answered
    target = reverse("homeschool:form_detail", args=[run.public_id])
    page = world.client("elem_teacher").get(target).content.decode()
    assert f'data-answer="Q2">{YES_ZH}</td>' in page
    assert "家中有網路嗎？" in page
    csv_text = world.client("elem_teacher").get(target + "?format=csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert "Q2 家中有網路嗎？" in lines[0]
    assert any("elem_parent," in line and YES_ZH in line for line in lines[1:])
    assert not any("elem_parent2," in line and YES_ZH in line for line in lines[1:])
    assert world.client("junior_teacher").get(target + "?format=csv").status_code == 404
    # the API gives the same
    detail = world.client("elem_teacher").get(f"{API}/forms/{run.public_id}").json()
    assert [q["code"] for q in detail["questions"]][:2] == ["Q1", "Q2"]
    by_name = {t["name"]: t["answers"] for t in detail["tracking"]}
    assert by_name["elem_parent"]["Q2"] == YES_ZH and by_name["elem_parent2"] == {}
    assert world.client("elem_parent").get(f"{API}/forms/{run.public_id}").status_code == 403
