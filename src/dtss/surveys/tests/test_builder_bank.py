"""The bank browser, adding bank questions to a questionnaire, and a county's or school's own
bank questions."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from dtss.conftest import World
from dtss.surveys import services
from dtss.surveys.models import BankQuestion, Questionnaire
from dtss.surveys.tests.factories import questionnaire
from dtss.surveys.tests.test_builder_views import snapshot

BANK = reverse("surveys:bank_list")
NEW = reverse("surveys:bank_question_create")


@pytest.fixture
def qn(world: World) -> Questionnaire:
    return questionnaire(world)


def builtin(**kw: Any) -> BankQuestion:
    return BankQuestion.objects.filter(county__isnull=True, **kw).order_by("key").first()


def test_browse_the_bank(world: World) -> None:
    client = world.client("elem_teacher")
    response = client.get(BANK)
    body = response.content.decode()
    q = response.context["page"].object_list[0]
    assert escape(q.text_zh) in body and q.pair in body and q.strategies[0] in body
    students = client.get(BANK, {"group": "students", "item": "S2"})
    shown = list(students.context["page"].object_list)
    assert shown and all(b.group == "students" and b.item == "S2" for b in shown)
    assert any(b.primary for b in shown)
    tagged = client.get(BANK, {"strategy": "s2.d4"}).context["page"].object_list
    assert tagged and all("S2.D4" in b.strategies for b in tagged)
    found = client.get(BANK, {"q": "網路"}).context["page"].object_list
    assert found and all("網路" in b.text_zh for b in found)
    assert not client.get(BANK, {"q": "沒有這種題目"}).context["page"].object_list


def test_add_questions_from_the_bank_to_a_section(world: World, qn: Questionnaire) -> None:
    client = world.client("elem_admin")
    page = client.get(BANK, {"to": qn.public_id})
    assert page.context["params"]["group"] == "teachers"  # the questionnaire's respondents
    body = page.content.decode()
    assert 'type="checkbox" name="bank"' in body
    assert reverse("surveys:questionnaire_add_from_bank", args=[qn.public_id]) in body
    picked = list(BankQuestion.objects.filter(county__isnull=True, group="teachers", item="S2"))[:3]
    section = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    page = client.get(BANK, {"to": qn.public_id, "section": section.public_id})
    assert page.context["add_form"]["section"].value() == str(section.public_id)
    response = client.post(
        reverse("surveys:questionnaire_add_from_bank", args=[qn.public_id]),
        {"section": section.public_id, "bank": [b.public_id for b in picked]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#section-{section.public_id}")
    added = list(qn.questions.filter(bank__isnull=False).order_by("order"))
    assert [q.bank for q in added] == sorted(picked, key=lambda b: (b.item, b.group, b.key))
    assert [q.code for q in added] == ["Q4", "Q5", "Q6"]
    assert all(q.section == section for q in added)
    assert all(q.strategies == q.bank.strategies and q.pair == q.bank.pair for q in added)


def test_adding_from_the_bank_needs_a_choice_from_the_users_bank(
    world: World, qn: Questionnaire
) -> None:
    other = services.bank_question_create(
        actor=world.users["b_admin"],
        county=world.counties["B"],
        group="teachers",
        kind="scale5",
        text_zh="宜蘭的題目",
    )
    url = reverse("surveys:questionnaire_add_from_bank", args=[qn.public_id])
    client = world.client("elem_admin")
    other_qn = questionnaire(world, title="另一份")
    before = snapshot()
    response = client.post(url, {"section": qn.sections.get().public_id})
    assert response.status_code == 400 and "bank" in response.context["add_form"].errors
    response = client.post(url, {"section": qn.sections.get().public_id, "bank": [other.public_id]})
    assert response.status_code == 400 and "bank" in response.context["add_form"].errors
    response = client.post(
        url,
        {
            "section": other_qn.sections.get().public_id,
            "bank": [builtin(group="teachers").public_id],
        },
    )
    assert response.status_code == 400 and "section" in response.context["add_form"].errors
    assert snapshot() == before


def test_only_managers_pick_from_the_bank(world: World, qn: Questionnaire) -> None:
    assert world.client("elem_teacher").get(BANK, {"to": qn.public_id}).status_code == 403
    assert world.client("b_admin").get(BANK, {"to": qn.public_id}).status_code == 404
    assert world.client("elem_admin").get(BANK, {"to": "nonsense"}).status_code == 404


def test_a_school_adds_its_own_bank_question(world: World) -> None:
    client = world.client("elem_admin")
    school = world.schools["A-elem"]
    page = client.get(NEW).content.decode()
    assert f"school:{school.public_id}" in page and "county:" not in page
    response = client.post(
        NEW,
        {
            "owner": f"school:{school.public_id}",
            "group": "parents",
            "item": "S2",
            "kind": "single",
            "text_zh": "您是否收到學校的數位學習說明？",
            "options": "yes | 有 | Yes\nno | 沒有 | No",
            "strategies": "S2.D4",
            "pair": "S2-explain",
        },
    )
    assert response.status_code == 302
    b = BankQuestion.objects.get(text_zh="您是否收到學校的數位學習說明？")
    assert (b.county, b.school, b.item, b.strategies, b.pair) == (
        world.counties["A"],
        school,
        "S2",
        ["S2.D4"],
        "S2-explain",
    )
    assert len(b.options) == 2
    for user, sees in [
        ("elem_teacher", True),
        ("a_staff", True),
        ("junior_admin", False),
        ("b_admin", False),
    ]:
        body = world.client(user).get(BANK, {"source": "own"}).content.decode()
        assert (b.text_zh in body) is sees, user
    builtin_only = world.client("elem_admin").get(BANK, {"source": "builtin", "group": "parents"})
    assert b.text_zh not in builtin_only.content.decode()


def test_bank_question_errors_are_shown_on_the_fields(world: World) -> None:
    client = world.client("a_admin")
    owner = f"county:{world.counties['A'].public_id}"
    response = client.post(
        NEW,
        {
            "owner": owner,
            "group": "teachers",
            "kind": "scale5",
            "text_zh": "題目",
            "strategies": "Z9",
        },
    )
    assert response.status_code == 400 and list(response.context["form"].errors) == ["strategies"]
    response = client.post(
        NEW,
        {
            "owner": owner,
            "group": "teachers",
            "kind": "multiple",
            "text_zh": "題目",
            "options": "一",
        },
    )
    assert list(response.context["form"].errors) == ["options"]
    response = client.post(
        NEW,
        {
            "owner": f"county:{world.counties['B'].public_id}",
            "group": "teachers",
            "kind": "scale5",
            "text_zh": "題目",
        },
    )
    assert list(response.context["form"].errors) == ["owner"]
    assert not BankQuestion.objects.filter(county__isnull=False).exists()


@pytest.mark.parametrize("user", ["elem_teacher", "a_staff", "moe"])
def test_view_only_staff_do_not_add_bank_questions(world: World, user: str) -> None:
    client = world.client(user)
    assert client.get(NEW).status_code == 403
    response = client.post(
        NEW, {"owner": "x", "group": "teachers", "kind": "scale5", "text_zh": "題目"}
    )
    assert response.status_code == 403
    assert NEW not in client.get(BANK).content.decode()
    assert not BankQuestion.objects.filter(county__isnull=False).exists()


def test_english_bank(world: World, qn: Questionnaire) -> None:
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    body = client.get(BANK, {"to": qn.public_id}).content.decode()
    q = builtin(group="teachers")
    assert escape(q.text_en) in body and "Add the ticked questions" in body
    assert client.get(NEW).status_code == 200
