"""The editor's forms: questions (kinds, option lines, strategy IDs, ranges), the skip-logic
rows, moving and deleting, sections. Bad input shows its error on the field and changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dtss.conftest import World
from dtss.surveys import services
from dtss.surveys.builder_forms import describe_condition, options_to_text, parse_options
from dtss.surveys.models import Question, Questionnaire, Section
from dtss.surveys.tests.factories import questionnaire
from dtss.surveys.tests.test_builder_views import snapshot


@pytest.fixture
def qn(world: World) -> Questionnaire:
    """Q1 scale, Q2 single (yes 有 / no 沒有), Q3 long text shown if Q2 = no."""
    return questionnaire(world)


@pytest.fixture
def client(world: World) -> Client:
    return world.client("elem_admin")


def add_url(qn: Questionnaire, section: Section | None = None) -> str:
    section = section or qn.sections.get()
    return reverse("surveys:question_create", args=[qn.public_id, section.public_id])


def edit_url(qn: Questionnaire, code: str) -> str:
    q = qn.questions.get(code=code)
    return reverse("surveys:question_edit", args=[qn.public_id, q.public_id])


def question_data(**kw: Any) -> dict[str, Any]:
    data = {"kind": "scale5", "text_zh": "我會使用數位工具備課"}
    data.update(kw)
    return data


# --- questions -------------------------------------------------------------------------------


def test_add_a_scale_question(client: Client, qn: Questionnaire) -> None:
    response = client.post(
        add_url(qn),
        question_data(
            text_en="I prepare lessons with digital tools",
            required="on",
            strategies="S4.D1，S2.D4",
            pair="T-prep",
        ),
    )
    q = qn.questions.get(code="Q4")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#q-{q.public_id}")
    assert (q.kind, q.required, q.strategies, q.pair, q.order) == (
        "scale5",
        True,
        ["S4.D1", "S2.D4"],
        "T-prep",
        4,
    )


def test_add_and_write_another(client: Client, qn: Questionnaire) -> None:
    response = client.post(add_url(qn), question_data(another="1"))
    assert response.status_code == 302 and response["Location"] == add_url(qn)


def test_add_a_choice_question_with_option_lines(client: Client, qn: Questionnaire) -> None:
    response = client.post(
        add_url(qn),
        question_data(
            kind="multiple",
            text_zh="你用哪些載具？",
            options="tablet | 平板 | Tablet\n\n筆電\nphone|手機",
            min_value="3",  # ignored: not a number question
        ),
    )
    assert response.status_code == 302
    q = qn.questions.get(code="Q4")
    assert q.options == [
        {"value": "tablet", "zh": "平板", "en": "Tablet"},
        {"value": "2", "zh": "筆電", "en": ""},
        {"value": "phone", "zh": "手機", "en": ""},
    ]
    assert q.min_value is None


def test_bad_option_lines_are_reported_by_line(client: Client, qn: Questionnaire) -> None:
    client.cookies["dtss_language"] = "en"
    before = snapshot()
    response = client.post(
        add_url(qn),
        question_data(kind="single", options="a | 有 | Yes\nx | y | z | w\nb |  | No\n\na | 重複"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["options"]
    assert [e.split(":")[0] for e in errors] == ["Line 2", "Line 3", "Line 5"]
    assert "Line 5" in response.content.decode()
    one = client.post(add_url(qn), question_data(kind="single", options="只有一個"))
    assert "options" in one.context["form"].errors
    assert snapshot() == before


def test_unknown_strategy_id_is_shown_on_its_field(client: Client, qn: Questionnaire) -> None:
    before = snapshot()
    response = client.post(add_url(qn), question_data(strategies="S2.D4, S9.Z9"))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["strategies"] and "S9.Z9" in form.errors["strategies"][0]
    response = client.post(edit_url(qn, "Q1"), question_data(strategies="X1"))
    assert "strategies" in response.context["form"].errors
    assert snapshot() == before


def test_number_range(client: Client, qn: Questionnaire) -> None:
    before = snapshot()
    response = client.post(add_url(qn), question_data(kind="number", min_value="10", max_value="2"))
    assert response.status_code == 400 and "max_value" in response.context["form"].errors
    assert snapshot() == before
    client.post(add_url(qn), question_data(kind="number", min_value="0", max_value="24"))
    q = qn.questions.get(code="Q4")
    assert (q.min_value, q.max_value) == (0, 24)


def test_edit_a_question(client: Client, qn: Questionnaire) -> None:
    page = client.get(edit_url(qn, "Q2")).content.decode()
    assert "yes | 有 | Yes" in page and "S1.M1" in page
    response = client.post(
        edit_url(qn, "Q2"),
        question_data(
            kind="single",
            text_zh="家中有可上網的設備嗎？",
            options="yes | 有 | Yes\nno | 沒有 | No\nunsure | 不確定",
            required="on",
        ),
    )
    assert response.status_code == 302
    q = qn.questions.get(code="Q2")
    assert q.text_zh == "家中有可上網的設備嗎？" and len(q.options) == 3 and q.strategies == []


def test_move_a_question_to_another_section(client: Client, qn: Questionnaire) -> None:
    second = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    page = client.get(edit_url(qn, "Q1")).content.decode()
    assert "第二部分" in page
    q3 = qn.questions.get(code="Q3")
    response = client.post(
        edit_url(qn, "Q3"),
        question_data(
            kind="long_text",
            text_zh=q3.text_zh,
            section=str(second.public_id),
            c0_q="Q2",
            c0_op="eq",
            c0_choice=["Q2=no"],
        ),
    )
    assert response.status_code == 302
    q3.refresh_from_db()
    assert q3.section == second and q3.order == 1


# --- skip logic --------------------------------------------------------------------------------


def test_skip_logic_rows_are_filled_from_the_question(client: Client, qn: Questionnaire) -> None:
    form = client.get(edit_url(qn, "Q3")).context["form"]
    assert form.row_count == 3  # one condition and two empty rows
    assert form["c0_q"].value() == "Q2" and form["c0_choice"].value() == ["Q2=no"]
    assert [g[0].split()[0] for g in form.choice_groups] == ["Q1", "Q2"]  # Q3 is not earlier
    first = client.get(edit_url(qn, "Q1")).context["form"]
    assert first.row_count == 0  # nothing earlier to depend on


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"c0_q": "Q2", "c0_op": "eq", "c0_choice": ["Q2=yes"]}, {"op": "eq", "value": "yes"}),
        ({"c0_q": "Q2", "c0_op": "ne", "c0_value": "no"}, {"op": "ne", "value": "no"}),
        (
            {"c0_q": "Q2", "c0_op": "in", "c0_choice": ["Q2=yes", "Q2=no"]},
            {"op": "in", "value": ["yes", "no"]},
        ),
        (
            {"c0_q": "Q2", "c0_op": "not_in", "c0_value": "yes, no"},
            {"op": "not_in", "value": ["yes", "no"]},
        ),
        ({"c0_q": "Q1", "c0_op": "gte", "c0_value": "4"}, {"op": "gte", "value": 4}),
        ({"c0_q": "Q1", "c0_op": "lte", "c0_choice": ["Q1=2"]}, {"op": "lte", "value": 2}),
        ({"c0_q": "Q2", "c0_op": "answered", "c0_value": "ignored"}, {"op": "answered"}),
    ],
)
def test_skip_logic_rows_are_saved(
    client: Client, qn: Questionnaire, row: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = client.post(add_url(qn), question_data(**row))
    assert response.status_code == 302, response.context["form"].errors
    q = qn.questions.get(code="Q4")
    assert q.show_if == [{"q": row["c0_q"], **expected}]


def test_two_conditions_and_removing_one(client: Client, qn: Questionnaire) -> None:
    client.post(
        add_url(qn),
        question_data(
            c0_q="Q1", c0_op="gte", c0_value="4", c1_q="Q2", c1_op="eq", c1_choice=["Q2=yes"]
        ),
    )
    q = qn.questions.get(code="Q4")
    assert len(q.show_if) == 2
    client.post(
        edit_url(qn, "Q4"),
        question_data(
            c0_q="", c0_op="gte", c0_value="4", c1_q="Q2", c1_op="eq", c1_choice=["Q2=yes"]
        ),
    )
    q.refresh_from_db()
    assert q.show_if == [{"q": "Q2", "op": "eq", "value": "yes"}]


@pytest.mark.parametrize(
    ("code", "row", "field"),
    [
        # Q2 may not depend on Q3, which comes later
        ("Q2", {"c0_q": "Q3", "c0_op": "answered"}, "c0_q"),
        ("Q2", {"c0_q": "Q2", "c0_op": "answered"}, "c0_q"),  # nor on itself
        ("Q3", {"c0_q": "Q2", "c0_op": "eq", "c0_value": "maybe"}, "c0_value"),
        ("Q3", {"c0_q": "Q2", "c0_op": "eq", "c0_choice": ["Q1=4"]}, "c0_choice"),
        ("Q3", {"c0_q": "Q2", "c0_op": "eq", "c0_choice": ["Q2=yes", "Q2=no"]}, "c0_choice"),
        ("Q3", {"c0_q": "Q2", "c0_op": "gte", "c0_choice": ["Q2=yes"]}, "c0_op"),
        ("Q3", {"c0_q": "Q2", "c0_op": "eq"}, "c0_choice"),
        ("Q3", {"c0_q": "Q1", "c0_op": "gte", "c0_value": "7"}, "c0_value"),
        ("Q3", {"c0_q": "Q1", "c0_op": "bogus", "c0_value": "4"}, "c0_op"),
        ("Q3", {"c0_q": "Q2", "c0_op": "eq", "c0_choice": ["Q2=nope"]}, "c0_choice"),
    ],
)
def test_bad_skip_logic_is_shown_on_its_row(
    client: Client, qn: Questionnaire, code: str, row: dict[str, Any], field: str
) -> None:
    before = snapshot()
    q = qn.questions.get(code=code)
    response = client.post(
        edit_url(qn, code),
        question_data(kind=q.kind, text_zh="改了", options=options_to_text(q.options), **row),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert snapshot() == before


def test_a_number_question_compares_with_a_typed_number(client: Client, qn: Questionnaire) -> None:
    services.question_create(
        section=qn.sections.get(), actor=None, kind="number", text_zh="幾小時？"
    )
    response = client.post(add_url(qn), question_data(c0_q="Q4", c0_op="lte", c0_value="2.5"))
    assert response.status_code == 302
    assert qn.questions.get(code="Q5").show_if == [{"q": "Q4", "op": "lte", "value": 2.5}]
    bad = client.post(add_url(qn), question_data(c0_q="Q4", c0_op="lte", c0_value="two"))
    assert list(bad.context["form"].errors) == ["c0_value"]


def test_the_services_skip_logic_errors_are_shown_with_the_rows(
    client: Client, qn: Questionnaire
) -> None:
    """Removing the option "no" of Q2 would break Q3's condition: the service refuses."""
    before = snapshot()
    response = client.post(
        edit_url(qn, "Q2"), question_data(kind="single", options="yes | 有\nmaybe | 也許")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["show_if"] and "Q3" in errors["show_if"][0]
    assert "Q3 #1" in response.content.decode()
    assert snapshot() == before


def test_editor_describes_the_skip_logic(client: Client, qn: Questionnaire) -> None:
    body = client.get(reverse("surveys:questionnaire_detail", args=[qn.public_id])).content
    assert "Q2 = 沒有" in body.decode()


def test_describe_condition() -> None:
    q2 = Question(code="Q2", kind="single", options=[{"value": "no", "zh": "沒有", "en": "No"}])
    q1 = Question(code="Q1", kind="scale5")
    qs = {"Q1": q1, "Q2": q2}
    assert describe_condition({"q": "Q2", "op": "eq", "value": "no"}, qs, "zh-hant") == "Q2 = 沒有"
    assert describe_condition({"q": "Q2", "op": "ne", "value": "no"}, qs, "en") == "Q2 ≠ No"
    assert describe_condition({"q": "Q1", "op": "gte", "value": 4}, qs, "en") == "Q1 ≥ 4 Agree"
    assert "Q2 is one of" in describe_condition({"q": "Q2", "op": "in", "value": ["no"]}, qs, "en")


def test_parse_options() -> None:
    assert parse_options("有\n沒有") == [
        {"value": "1", "zh": "有", "en": ""},
        {"value": "2", "zh": "沒有", "en": ""},
    ]
    text = "a | 有 | Yes\nb | 沒有"
    assert options_to_text(parse_options(text)) == text


# --- moving and deleting -----------------------------------------------------------------------


def move(client: Client, qn: Questionnaire, code: str, direction: str) -> Any:
    q = qn.questions.get(code=code)
    return client.post(
        reverse("surveys:question_move", args=[qn.public_id, q.public_id]),
        {"direction": direction},
        follow=True,
    )


def order(qn: Questionnaire) -> list[str]:
    return list(qn.questions.order_by("order").values_list("code", flat=True))


def test_move_questions(client: Client, qn: Questionnaire) -> None:
    move(client, qn, "Q2", "up")
    assert order(qn) == ["Q2", "Q1", "Q3"]
    move(client, qn, "Q2", "up")  # already first
    assert order(qn) == ["Q2", "Q1", "Q3"]
    move(client, qn, "Q1", "down")  # Q3 depends on Q2 only: fine
    assert order(qn) == ["Q2", "Q3", "Q1"]
    response = move(client, qn, "Q3", "up")  # above Q2, on which it depends
    assert order(qn) == ["Q2", "Q3", "Q1"]
    assert "Q3" in str(next(iter(response.context["messages"])))
    response = move(client, qn, "Q1", "sideways")
    assert order(qn) == ["Q2", "Q3", "Q1"]


def test_delete_questions(client: Client, qn: Questionnaire) -> None:
    q2 = qn.questions.get(code="Q2")
    url = reverse("surveys:question_delete", args=[qn.public_id, q2.public_id])
    assert "家中有網路嗎？" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400 and "Q3" in response.context["error"]
    assert qn.questions.filter(code="Q2").exists()
    q3 = qn.questions.get(code="Q3")
    response = client.post(reverse("surveys:question_delete", args=[qn.public_id, q3.public_id]))
    assert response.status_code == 302 and order(qn) == ["Q1", "Q2"]
    assert client.post(url).status_code == 302 and order(qn) == ["Q1"]


# --- sections ----------------------------------------------------------------------------------


def test_add_a_section_shown_only_for_some_answers(client: Client, qn: Questionnaire) -> None:
    url = reverse("surveys:section_create", args=[qn.public_id])
    response = client.post(
        url,
        {
            "title_zh": "沒有網路的學生",
            "title_en": "Without internet",
            "intro_zh": "請說明",
            "c0_q": "Q2",
            "c0_op": "eq",
            "c0_choice": ["Q2=no"],
        },
    )
    section = qn.sections.get(title_zh="沒有網路的學生")
    assert response.status_code == 302 and response["Location"].endswith(
        f"#section-{section.public_id}"
    )
    assert section.order == 2 and section.show_if == [{"q": "Q2", "op": "eq", "value": "no"}]
    body = client.get(reverse("surveys:questionnaire_detail", args=[qn.public_id])).content
    assert "沒有網路的學生" in body.decode()
    # A question added to the new section may depend on every question before it.
    form = client.get(add_url(qn, section)).context["form"]
    assert set(form.earlier) == {"Q1", "Q2", "Q3"}


def test_edit_a_section(client: Client, qn: Questionnaire) -> None:
    second = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    url = reverse("surveys:section_edit", args=[qn.public_id, second.public_id])
    form = client.get(url).context["form"]
    assert set(form.earlier) == {"Q1", "Q2", "Q3"}
    response = client.post(
        url, {"title_zh": "第二部分（改）", "c0_q": "Q1", "c0_op": "lte", "c0_value": "2"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.title_zh == "第二部分（改）"
    assert second.show_if == [{"q": "Q1", "op": "lte", "value": 2}]
    # The first section has nothing before it: no skip logic.
    first = qn.sections.get(order=1)
    form = client.get(
        reverse("surveys:section_edit", args=[qn.public_id, first.public_id])
    ).context["form"]
    assert form.row_count == 0
    before = snapshot()
    response = client.post(
        reverse("surveys:section_edit", args=[qn.public_id, first.public_id]),
        {"title_zh": "第一部分", "c0_q": "Q1", "c0_op": "answered"},
    )
    assert response.status_code == 302
    assert qn.sections.get(order=1).show_if == []  # no rows: nothing posted counts
    assert snapshot()[2] == before[2]


def test_delete_sections(client: Client, qn: Questionnaire) -> None:
    only = qn.sections.get()
    url = reverse("surveys:section_delete", args=[qn.public_id, only.public_id])
    page = client.get(url).content.decode()
    assert "家中有網路嗎？" in page  # the questions that go with it are listed
    response = client.post(url)
    assert response.status_code == 400 and response.context["error"]
    assert qn.sections.count() == 1 and qn.questions.count() == 3
    second = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    services.question_create(section=second, actor=None, kind="short_text", text_zh="其他")
    response = client.post(reverse("surveys:section_delete", args=[qn.public_id, second.public_id]))
    assert response.status_code == 302
    assert qn.sections.count() == 1 and qn.questions.count() == 3


def test_deleting_a_section_whose_questions_are_used_later_is_refused(
    client: Client, qn: Questionnaire
) -> None:
    second = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    q4 = services.question_create(section=second, actor=None, kind="number", text_zh="幾台？")
    third = services.section_create(
        questionnaire=qn,
        actor=None,
        title_zh="第三部分",
        show_if=[{"q": q4.code, "op": "gte", "value": 1}],
    )
    before = snapshot()
    response = client.post(reverse("surveys:section_delete", args=[qn.public_id, second.public_id]))
    assert response.status_code == 400 and "Q4" in response.context["error"]
    assert snapshot() == before
    assert third.pk in set(qn.sections.values_list("pk", flat=True))


def test_move_sections(client: Client, qn: Questionnaire) -> None:
    second = services.section_create(questionnaire=qn, actor=None, title_zh="第二部分")
    services.question_create(
        section=second,
        actor=None,
        kind="short_text",
        text_zh="其他意見",
        show_if=[{"q": "Q2", "op": "eq", "value": "yes"}],
    )
    third = services.section_create(questionnaire=qn, actor=None, title_zh="第三部分")
    first = qn.sections.get(order=1)

    def sections() -> list[str]:
        return list(qn.sections.order_by("order").values_list("title_zh", flat=True))

    def move_section(section: Section, direction: str) -> Any:
        return client.post(
            reverse("surveys:section_move", args=[qn.public_id, section.public_id]),
            {"direction": direction},
            follow=True,
        )

    body = client.get(reverse("surveys:questionnaire_detail", args=[qn.public_id])).content
    assert reverse("surveys:section_move", args=[qn.public_id, third.public_id]) in body.decode()
    move_section(third, "up")
    assert sections() == ["", "第三部分", "第二部分"]
    response = move_section(second, "up")  # Q4 in it depends on Q2 of the first section: fine
    assert sections() == ["", "第二部分", "第三部分"]
    response = move_section(second, "up")  # above Q2, on which its Q4 depends
    assert sections() == ["", "第二部分", "第三部分"]
    assert "Q4" in str(next(iter(response.context["messages"])))
    move_section(first, "sideways")
    assert sections() == ["", "第二部分", "第三部分"]
