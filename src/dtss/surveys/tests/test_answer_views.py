"""Answering pages: typing a code, answering an anonymous run (signed in or not: no trace of
the person anywhere), errors that keep what was typed, used and closed codes; named runs'
invitations (only the invitee; changing the answer; files); my surveys.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.surveys import services
from dtss.surveys.models import AccessCode, Answer, Run, Submission
from dtss.surveys.tests.factories import questionnaire, run

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _code(world: World, r: Run, group: str = "teachers", **kw: Any) -> AccessCode:
    return services.codes_generate(
        run=r, actor=world.users["a_admin"], group=group, count=kw.pop("count", 1), **kw
    )[0]


def _anonymous_run(world: World, **kw: Any) -> Run:
    return run(world, {"teachers": questionnaire(world)}, **kw)


def _url(code: str) -> str:
    return reverse("surveys:answer_code", args=[code])


# --- the code box ------------------------------------------------------------------------------


def test_code_entry_is_made_for_phones(db: Any) -> None:
    body = Client().get(reverse("surveys:code_entry")).content.decode()
    for attr in ('autocomplete="off"', 'inputmode="text"', 'autocapitalize="characters"'):
        assert attr in body


def test_code_entry_goes_to_the_questions(world: World) -> None:
    r = _anonymous_run(world)
    code = _code(world, r).code
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    response = Client().post(reverse("surveys:code_entry"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == _url(code)


@pytest.mark.parametrize("typed", ["NOPE2345", ""])
def test_code_entry_refuses_unknown_codes(world: World, typed: str) -> None:
    response = Client().post(reverse("surveys:code_entry"), {"code": typed})
    assert response.status_code in (400, 404)
    assert 'class="q-error"' in response.content.decode()


# --- anonymous answering -----------------------------------------------------------------------


def test_answer_without_signing_in(world: World) -> None:
    r = _anonymous_run(world)
    code = _code(world, r)
    client = Client()
    page = client.get(_url(code.code))
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for q in ("Q1", "Q2", "Q3"):
        assert f'data-q="{q}"' in text
    assert 'data-privacy="anonymous"' in text and 'id="survey-logic"' in text
    assert f'data-draft-key="dtss:survey:code:{code.code}"' in text
    response = client.post(_url(code.code), {"Q1": "4", "Q2": "no", "Q3": "太慢"})
    assert response.status_code == 302 and response["Location"] == reverse("surveys:answer_thanks")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "data-survey-done" in thanks.content.decode()
    sub = Submission.objects.get(run=r)
    assert dict(sub.answers.values_list("question__code", "value")) == {
        "Q1": 4,
        "Q2": "no",
        "Q3": "太慢",
    }
    assert sub.school == world.schools["A-elem"] and sub.submitted_at is None
    code.refresh_from_db()
    assert code.uses_left == 0
    # the code is used: the same answer as for an unknown code, and no second submission
    again = client.get(_url(code.code))
    assert again.status_code == 404 and f'data-forget-draft="dtss:survey:code:{code.code}"' in (
        again.content.decode()
    )
    assert client.post(_url(code.code), {"Q1": "4", "Q2": "yes"}).status_code == 404
    assert client.get(_url("NOPE2345")).status_code == 404
    assert Submission.objects.filter(run=r).count() == 1


def test_lowercase_link_is_redirected_to_the_code(world: World) -> None:
    code = _code(world, _anonymous_run(world)).code
    response = Client().get(_url(code.lower()))
    assert response.status_code == 302 and response["Location"] == _url(code)


@pytest.mark.parametrize("user", ["elem_teacher", "a_admin", "elem_parent"])
def test_signed_in_user_answering_anonymously_leaves_no_trace(
    world: World, user: str, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    r = _anonymous_run(world)
    code = _code(world, r)
    client = world.client(user)
    session_before = dict(client.session.items())
    audit_before = set(AuditEntry.objects.values_list("pk", flat=True))
    assert client.get(_url(code.code)).status_code == 200
    response = client.post(_url(code.code), {"Q1": "2", "Q2": "yes", "Q3": "hidden answer"})
    assert response.status_code == 302
    assert not AuditEntry.objects.exclude(pk__in=audit_before)  # nothing in the audit log
    for record in caplog.records:  # nor in the log: no account, no address
        assert user not in record.getMessage() and "127.0.0.1" not in record.getMessage()
    assert dict(client.session.items()) == session_before  # nor to the session
    sub = Submission.objects.get(run=r)
    assert sub.invitation_id is None and sub.submitted_at is None
    row = Submission.objects.filter(pk=sub.pk).values().get()
    assert set(row) == {
        "id",
        "public_id",
        "run_id",
        "part_id",
        "county_id",
        "school_id",
        "school_class_id",
        "submitted_on",
        "invitation_id",
        "submitted_at",
    }
    # answers hold the values only; the hidden Q3 (shown only when Q2 is "no") was dropped
    assert list(Answer.objects.filter(submission=sub).values_list("question__code", "value")) == [
        ("Q1", 2),
        ("Q2", "yes"),
    ]


def test_bad_answers_keep_what_was_typed_and_change_nothing(world: World) -> None:
    r = _anonymous_run(world)
    code = _code(world, r)
    client = Client()
    response = client.post(_url(code.code), {"Q1": "9", "Q2": "no", "Q3": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-error-for="Q1"' in text and 'data-error-for="Q3"' in text
    assert 'data-error-for="Q2"' not in text
    assert 'id="answer-errors"' in text and 'href="#q-Q1"' in text
    assert 'value="no" checked' in text  # the typed answers are kept
    # each error sits inside its own question
    q3 = text[text.index('id="q-Q3"') :]
    assert q3.index('data-error-for="Q3"') < q3.index("</div>")
    assert 'data-restore="0"' in text
    code.refresh_from_db()
    assert code.uses_left == 1 and not Submission.objects.exists()
    # fixed: accepted with the same code
    response = client.post(_url(code.code), {"Q1": "1", "Q2": "no", "Q3": "家裡沒網路"})
    assert response.status_code == 302 and Submission.objects.count() == 1


def test_limits_of_numbers_and_texts(world: World) -> None:
    qn = questionnaire(world)
    section = qn.sections.get()
    admin = world.users["a_admin"]
    services.question_create(
        section=section, actor=admin, kind="number", text_zh="幾台平板", min_value=0, max_value=100
    )
    services.question_create(section=section, actor=admin, kind="short_text", text_zh="一句話")
    services.question_create(section=section, actor=admin, kind="date", text_zh="哪一天")
    r = run(world, {"teachers": qn})
    code = _code(world, r)
    client = Client()
    page = client.get(_url(code.code)).content.decode()
    assert 'type="number"' in page and 'min="0"' in page and 'max="100"' in page
    assert 'maxlength="300"' in page and 'type="date"' in page
    response = client.post(
        _url(code.code),
        {"Q1": "3", "Q2": "yes", "Q4": "150", "Q5": "字" * 301, "Q6": "2025-13-01"},
    )
    text = response.content.decode()
    assert response.status_code == 400
    for q in ("Q4", "Q5", "Q6"):
        assert f'data-error-for="{q}"' in text, q
    assert 'value="150"' in text
    assert not Submission.objects.exists()
    response = client.post(
        _url(code.code),
        {"Q1": "3", "Q2": "yes", "Q4": "12", "Q5": "好", "Q6": "2025-10-01"},
    )
    assert response.status_code == 302
    assert dict(Answer.objects.values_list("question__code", "value")) == {
        "Q1": 3,
        "Q2": "yes",
        "Q4": 12,
        "Q5": "好",
        "Q6": "2025-10-01",
    }


def test_codes_of_closed_draft_and_future_runs_are_refused(world: World) -> None:
    closed = _anonymous_run(world)
    closed_code = _code(world, closed)
    services.run_close(run=closed, actor=world.users["a_admin"])
    later = _anonymous_run(world, opens=timezone.now() + timedelta(days=1))
    later_code = _code(world, later)
    for code in (closed_code.code, later_code.code):
        response = Client().get(_url(code))
        assert response.status_code == 404
        text = response.content.decode()
        assert 'data-q="Q1"' not in text and closed.title not in text


def test_class_link_is_reusable_up_to_its_number(world: World) -> None:
    r = run(world, {"students": questionnaire(world, group="students")})
    link = _code(world, r, group="students", count=2, reusable=True)
    for _ in range(2):
        response = Client().post(_url(link.code), {"Q1": "5", "Q2": "yes"})
        assert response.status_code == 302
    assert Client().get(_url(link.code)).status_code == 404
    assert Submission.objects.filter(run=r).count() == 2


def test_skip_logic_data_for_the_browser(world: World) -> None:
    code = _code(world, _anonymous_run(world))
    text = Client().get(_url(code.code)).content.decode()
    data = text[text.index('id="survey-logic"') :]
    assert '"show_if": [{"q": "Q2", "op": "eq", "target": "no"' in data


# --- named runs --------------------------------------------------------------------------------


def _named(world: World, group: str = "parents") -> Run:
    return run(world, {group: questionnaire(world, group=group, pair="")}, mode="named")


def test_only_the_invitee_opens_the_invitation(world: World) -> None:
    r = _named(world)
    inv = r.invitations.get()
    url = reverse("surveys:answer_invitation", args=[inv.public_id])
    page = world.client("elem_parent").get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-about="{world.people["elem_student"].name}"' in text
    assert 'data-privacy="named"' in text
    for user in ("elem_student", "b_parent", "elem_teacher", "a_admin", "elem_admin"):
        client = world.client(user)
        assert client.get(url).status_code == 404, user
        assert client.post(url, {"Q1": "3", "Q2": "yes"}).status_code == 404, user
    assert not Submission.objects.exists()
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_invitee_answers_then_changes_the_answer(world: World) -> None:
    r = _named(world)
    inv = r.invitations.get()
    url = reverse("surveys:answer_invitation", args=[inv.public_id])
    client = world.client("elem_parent")
    response = client.post(url, {"Q1": "4", "Q2": "yes"})
    assert (
        response.status_code == 302
        and response["Location"] == reverse("surveys:my_surveys") + "?sent=1"
    )
    inv.refresh_from_db()
    assert inv.answered_at is not None
    # the form shows the answers given, and they can be changed
    text = client.get(url).content.decode()
    assert 'value="4" checked' in text and 'value="yes" checked' in text
    response = client.post(url, {"Q1": "2", "Q2": "no", "Q3": "沒有網路"})
    assert response.status_code == 302
    assert dict(Answer.objects.values_list("question__code", "value")) == {
        "Q1": 2,
        "Q2": "no",
        "Q3": "沒有網路",
    }
    assert Submission.objects.count() == 1
    # errors keep what was typed and change nothing
    response = client.post(url, {"Q1": "", "Q2": "no"})
    assert response.status_code == 400
    assert 'data-error-for="Q1"' in response.content.decode()
    assert Answer.objects.get(question__code="Q1").value == 2
    mine = client.get(reverse("surveys:my_surveys")).content.decode()
    assert url in mine and f'data-invitation="{inv.public_id}"' in mine
    assert "data-survey-done" not in mine  # only right after sending: answer.js forgets the draft
    assert (
        "data-survey-done" in client.get(reverse("surveys:my_surveys") + "?sent=1").content.decode()
    )


def test_closed_named_run_shows_the_answers_read_only(world: World) -> None:
    r = _named(world)
    inv = r.invitations.get()
    client = world.client("elem_parent")
    url = reverse("surveys:answer_invitation", args=[inv.public_id])
    client.post(url, {"Q1": "5", "Q2": "yes"})
    services.run_close(run=r, actor=world.users["a_admin"])
    text = client.get(url).content.decode()
    assert 'id="survey-form"' not in text and "answers-readonly" in text
    response = client.post(url, {"Q1": "1", "Q2": "yes"})
    assert response.status_code == 302
    assert Answer.objects.get(question__code="Q1").value == 5


def test_files_in_a_named_form(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    qn = questionnaire(world, group="teachers", pair="")
    services.question_create(
        section=qn.sections.get(),
        actor=world.users["a_admin"],
        kind="file",
        text_zh="研習證明",
        required=True,
    )
    r = run(world, {"teachers": qn}, mode="named")
    inv = r.invitations.get()
    url = reverse("surveys:answer_invitation", args=[inv.public_id])
    client = world.client("elem_teacher")
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, {"Q1": "3", "Q2": "yes", "Q4": bad})
    assert response.status_code == 400 and 'data-error-for="Q4"' in response.content.decode()
    assert not Submission.objects.exists()
    pdf = SimpleUploadedFile("證明.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"Q1": "3", "Q2": "yes", "Q4": pdf}).status_code == 302
    assert Answer.objects.get(question__code="Q4").value == "證明.pdf"
    # changing other answers keeps the file sent earlier
    page = client.get(url).content.decode()
    assert "證明.pdf" in page and 'name="Q4-remove"' in page
    assert client.post(url, {"Q1": "5", "Q2": "yes"}).status_code == 302
    answer = Answer.objects.get(question__code="Q4")
    assert answer.value == "證明.pdf" and answer.file
    assert Answer.objects.get(question__code="Q1").value == 5


def test_my_surveys_links_every_invitation(world: World) -> None:
    r = _named(world)
    inv = r.invitations.get()
    text = world.client("elem_parent").get(reverse("surveys:my_surveys")).content.decode()
    assert reverse("surveys:answer_invitation", args=[inv.public_id]) in text
    assert reverse("surveys:code_entry") in text
    assert reverse("surveys:run_list") not in text
    staff = world.client("elem_teacher").get(reverse("surveys:my_surveys")).content.decode()
    assert reverse("surveys:run_list") in staff
