"""The questionnaire builder's pages: who may see and change what, and the list, creating,
archiving, copying and the preview. The editor's forms are in test_builder_editor.py, the bank
in test_builder_bank.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.surveys import services
from dtss.surveys.models import Question, Questionnaire, Section
from dtss.surveys.tests.factories import answer_with_codes, questionnaire, run

STUDENTS_PARENTS = ["elem_student", "elem_student2", "b_student", "elem_parent", "b_parent"]
REFUSED = [*STUDENTS_PARENTS, "outsider"]
OTHER_TENANTS = ["b_admin", "junior_admin", "b_teacher", "junior_teacher"]
VIEW_ONLY = ["elem_teacher", "a_staff", "moe"]
MANAGERS = ["elem_admin", "a_admin"]


def snapshot() -> list[Any]:
    """Everything the builder may change."""
    return [
        list(
            Questionnaire.objects.order_by("id").values_list(
                "id", "title_zh", "archived", "group", "updated_at"
            )
        ),
        list(Section.objects.order_by("id").values_list("id", "title_zh", "order", "show_if")),
        list(
            Question.objects.order_by("id").values_list(
                "id", "code", "order", "text_zh", "options", "show_if", "section_id"
            )
        ),
    ]


@pytest.fixture
def qn(world: World) -> Questionnaire:
    """A-elem's questionnaire: Q1 scale, Q2 single (有/沒有), Q3 long text shown if Q2 = no."""
    return questionnaire(world)


def urls(qn: Questionnaire) -> dict[str, str]:
    section = qn.sections.get()
    q2 = qn.questions.get(code="Q2")
    args = [qn.public_id]
    return {
        "detail": reverse("surveys:questionnaire_detail", args=args),
        "preview": reverse("surveys:questionnaire_preview", args=args),
        "edit": reverse("surveys:questionnaire_edit", args=args),
        "copy": reverse("surveys:questionnaire_copy", args=args),
        "archive": reverse("surveys:questionnaire_archive", args=args),
        "add_from_bank": reverse("surveys:questionnaire_add_from_bank", args=args),
        "section_create": reverse("surveys:section_create", args=args),
        "section_edit": reverse("surveys:section_edit", args=[*args, section.public_id]),
        "section_delete": reverse("surveys:section_delete", args=[*args, section.public_id]),
        "section_move": reverse("surveys:section_move", args=[*args, section.public_id]),
        "question_create": reverse("surveys:question_create", args=[*args, section.public_id]),
        "question_edit": reverse("surveys:question_edit", args=[*args, q2.public_id]),
        "question_delete": reverse("surveys:question_delete", args=[*args, q2.public_id]),
        "question_move": reverse("surveys:question_move", args=[*args, q2.public_id]),
    }


READ = ["detail", "preview"]
WRITE_GET = [
    "edit",
    "section_create",
    "section_edit",
    "section_delete",
    "question_create",
    "question_edit",
    "question_delete",
]
POSTS: dict[str, dict[str, Any]] = {
    "edit": {"title_zh": "改了", "purpose": "survey", "group": "teachers"},
    "copy": {},
    "archive": {"archived": "1"},
    "add_from_bank": {},
    "section_create": {"title_zh": "新段落"},
    "section_edit": {"title_zh": "改了"},
    "section_delete": {},
    "section_move": {"direction": "down"},
    "question_create": {"kind": "scale5", "text_zh": "新題"},
    "question_edit": {"kind": "scale5", "text_zh": "改了"},
    "question_delete": {},
    "question_move": {"direction": "up"},
}


def test_managers_open_every_page(world: World, qn: Questionnaire) -> None:
    for user in MANAGERS:
        client = world.client(user)
        for name in READ + WRITE_GET:
            assert client.get(urls(qn)[name]).status_code == 200, (user, name)


def test_view_only_staff_read_but_change_nothing(world: World, qn: Questionnaire) -> None:
    before = snapshot()
    for user in VIEW_ONLY:
        client = world.client(user)
        for name in READ:
            assert client.get(urls(qn)[name]).status_code == 200, (user, name)
        body = client.get(urls(qn)["detail"]).content.decode()
        assert urls(qn)["question_edit"] not in body and urls(qn)["copy"] not in body
        for name in WRITE_GET:
            assert client.get(urls(qn)[name]).status_code == 403, (user, name)
        for name, data in POSTS.items():
            assert client.post(urls(qn)[name], data).status_code == 403, (user, name)
    assert snapshot() == before


@pytest.mark.parametrize("user", OTHER_TENANTS)
def test_another_county_or_school_gets_404_everywhere(
    world: World, qn: Questionnaire, user: str
) -> None:
    before = snapshot()
    client = world.client(user)
    for name in READ + WRITE_GET:
        assert client.get(urls(qn)[name]).status_code == 404, (user, name)
    for name, data in POSTS.items():
        assert client.post(urls(qn)[name], data).status_code == 404, (user, name)
    assert client.get(reverse("surveys:bank_list"), {"to": qn.public_id}).status_code == 404
    assert snapshot() == before


def test_a_county_questionnaire_is_not_seen_by_its_schools(world: World) -> None:
    county_qn = questionnaire(world, school=None, title="縣府問卷")
    detail = reverse("surveys:questionnaire_detail", args=[county_qn.public_id])
    assert world.client("a_staff").get(detail).status_code == 200
    assert world.client("a_admin").get(detail).status_code == 200
    for user in ["elem_admin", "elem_teacher", "b_admin"]:
        assert world.client(user).get(detail).status_code == 404, user


@pytest.mark.parametrize("user", REFUSED)
def test_students_parents_and_outsiders_are_refused(
    world: World, qn: Questionnaire, user: str
) -> None:
    before = snapshot()
    client = world.client(user)
    for url in [
        reverse("surveys:questionnaire_list"),
        reverse("surveys:questionnaire_create"),
        reverse("surveys:questionnaire_from_bank"),
        reverse("surveys:bank_list"),
        reverse("surveys:bank_question_create"),
    ]:
        assert client.get(url).status_code == 403, url
    for name in READ + WRITE_GET:
        assert client.get(urls(qn)[name]).status_code == 403, name
    for name, data in POSTS.items():
        assert client.post(urls(qn)[name], data).status_code == 403, name
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(db: Any, world: World, qn: Questionnaire) -> None:
    from django.test import Client

    response = Client().get(urls(qn)["detail"])
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_section_or_question_is_404(world: World, qn: Questionnaire) -> None:
    other = questionnaire(world, title="另一份")
    client = world.client("elem_admin")
    # A section or question of another questionnaire, under this questionnaire's URL.
    section = other.sections.get()
    question = other.questions.get(code="Q1")
    assert (
        client.get(
            reverse("surveys:section_edit", args=[qn.public_id, section.public_id])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("surveys:question_delete", args=[qn.public_id, question.public_id])
        ).status_code
        == 404
    )
    assert other.questions.filter(pk=question.pk).exists()


# --- the list ------------------------------------------------------------------------------


def test_list_shows_what_the_user_may_see(world: World, qn: Questionnaire) -> None:
    b_qn = services.questionnaire_create(
        actor=world.users["b_admin"], county=world.counties["B"], title_zh="宜蘭問卷"
    )
    url = reverse("surveys:questionnaire_list")
    elem = world.client("elem_admin").get(url).content.decode()
    assert "教師問卷" in elem and "宜蘭問卷" not in elem
    assert reverse("surveys:questionnaire_create") in elem
    teacher = world.client("elem_teacher").get(url).content.decode()
    assert "教師問卷" in teacher and reverse("surveys:questionnaire_create") not in teacher
    b = world.client("b_admin").get(url).content.decode()
    assert "宜蘭問卷" in b and "教師問卷" not in b
    junior = world.client("junior_admin").get(url).content.decode()
    assert "教師問卷" not in junior
    assert reverse("surveys:questionnaire_detail", args=[b_qn.public_id]) in b


def test_list_search_filters_and_paging(world: World, qn: Questionnaire, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    questionnaire(world, group="students", title="學生問卷")
    county_qn = questionnaire(world, school=None, title="縣府問卷")
    form = services.questionnaire_create(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        title_zh="校外教學調查表",
        purpose="form",
    )
    services.questionnaire_update(questionnaire=form, actor=world.users["a_admin"], archived=True)
    client = world.client("a_admin")
    url = reverse("surveys:questionnaire_list")

    def titles(**params: str) -> set[str]:
        body = client.get(url, params).content.decode()
        return {t for t in ["教師問卷", "學生問卷", "縣府問卷", "校外教學調查表"] if t in body}

    assert titles(q="學生") == {"學生問卷"}
    assert titles(owner="county") == {"縣府問卷"}
    assert titles(owner=str(world.schools["A-elem"].public_id)) == {"教師問卷", "學生問卷"}
    assert titles(owner="not-a-uuid") == set()
    assert titles(group="students") == {"學生問卷"}
    assert titles(archived="1") == {"校外教學調查表"}
    assert titles(archived="all", purpose="form") == {"校外教學調查表"}
    first = client.get(url).content.decode()
    assert "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "教師問卷" in second  # the oldest, on the second page of three
    assert county_qn.title_zh in first


def test_empty_list_invites_to_start_from_the_bank(world: World) -> None:
    body = world.client("elem_admin").get(reverse("surveys:questionnaire_list")).content.decode()
    assert 'class="empty"' in body and reverse("surveys:questionnaire_from_bank") in body
    teacher = world.client("elem_teacher").get(reverse("surveys:questionnaire_list"))
    assert reverse("surveys:questionnaire_from_bank") not in teacher.content.decode()


def test_navigation_has_surveys_for_staff_only(world: World) -> None:
    link = f'href="{reverse("surveys:questionnaire_list")}"'
    assert link in world.client("elem_teacher").get(reverse("core:home")).content.decode()
    assert link not in world.client("elem_parent").get(reverse("core:home")).content.decode()


# --- creating ------------------------------------------------------------------------------


def test_create_a_blank_questionnaire_for_the_school(world: World) -> None:
    client = world.client("elem_admin")
    url = reverse("surveys:questionnaire_create")
    page = client.get(url).content.decode()
    school = world.schools["A-elem"]
    assert f"school:{school.public_id}" in page and "county:" not in page
    response = client.post(
        url,
        {
            "owner": f"school:{school.public_id}",
            "title_zh": "家長意見調查",
            "title_en": "Parents' views",
            "intro_zh": "感謝您填寫",
            "purpose": "survey",
            "group": "parents",
        },
    )
    qn = Questionnaire.objects.get(title_zh="家長意見調查")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("surveys:questionnaire_detail", args=[qn.public_id])
    )
    assert (qn.school, qn.group, qn.title_en, qn.created_by) == (
        school,
        "parents",
        "Parents' views",
        world.users["elem_admin"],
    )
    assert qn.sections.count() == 1
    assert AuditEntry.objects.filter(action="survey.questionnaire_create", school=school).exists()


def test_a_county_admin_creates_for_the_county(world: World) -> None:
    client = world.client("a_admin")
    county = world.counties["A"]
    response = client.post(
        reverse("surveys:questionnaire_create"),
        {
            "owner": f"county:{county.public_id}",
            "title_zh": "縣府承辦人問卷",
            "purpose": "survey",
            "group": "county_staff",
        },
    )
    assert response.status_code == 302
    qn = Questionnaire.objects.get(title_zh="縣府承辦人問卷")
    assert qn.county == county and qn.school is None


def test_create_refuses_an_owner_the_user_may_not_use(world: World) -> None:
    for user, owner in [
        ("elem_admin", f"county:{world.counties['A'].public_id}"),
        ("junior_admin", f"school:{world.schools['A-elem'].public_id}"),
        ("a_admin", f"county:{world.counties['B'].public_id}"),
    ]:
        response = world.client(user).post(
            reverse("surveys:questionnaire_create"),
            {"owner": owner, "title_zh": "不該建立", "purpose": "survey", "group": "teachers"},
        )
        assert response.status_code == 400, user
        assert "owner" in response.context["form"].errors
    assert not Questionnaire.objects.exists()
    for user in ["elem_teacher", "a_staff", "moe"]:
        assert world.client(user).get(reverse("surveys:questionnaire_create")).status_code == 403


def test_create_needs_a_chinese_title(world: World) -> None:
    school = world.schools["A-elem"]
    response = world.client("elem_admin").post(
        reverse("surveys:questionnaire_create"),
        {"owner": f"school:{school.public_id}", "title_zh": " ", "purpose": "survey"},
    )
    assert response.status_code == 400
    assert {"title_zh", "group"} <= set(response.context["form"].errors)
    assert not Questionnaire.objects.exists()


def test_create_from_the_bank_for_primary_pupils(world: World) -> None:
    client = world.client("elem_admin")
    url = reverse("surveys:questionnaire_from_bank")
    page = client.get(url).content.decode()
    assert "S1 建置數位環境" in page and "L7" in page
    response = client.post(
        url,
        {
            "owner": f"school:{world.schools['A-elem'].public_id}",
            "group": "students",
            "primary": "on",
            "items": ["S2", "S1"],
            "title_zh": "五年級學生問卷",
        },
    )
    qn = Questionnaire.objects.get(title_zh="五年級學生問卷")
    assert response.status_code == 302
    assert [s.title_zh[:2] for s in qn.sections.order_by("order")] == ["S1", "S2"]
    assert qn.questions.exists() and all(q.bank.primary for q in qn.questions.all())
    assert qn.group == "students" and qn.school == world.schools["A-elem"]


def test_primary_wording_is_ignored_for_other_groups(world: World) -> None:
    response = world.client("a_admin").post(
        reverse("surveys:questionnaire_from_bank"),
        {
            "owner": f"county:{world.counties['A'].public_id}",
            "group": "teachers",
            "primary": "on",
            "items": ["S1"],
            "title_zh": "教師問卷",
        },
    )
    assert response.status_code == 302
    qn = Questionnaire.objects.get(title_zh="教師問卷")
    assert qn.questions.exists() and not qn.questions.filter(bank__primary=True).exists()


def test_from_the_bank_errors_are_shown_on_the_fields(world: World) -> None:
    client = world.client("a_admin")
    url = reverse("surveys:questionnaire_from_bank")
    owner = f"county:{world.counties['A'].public_id}"
    response = client.post(url, {"owner": owner, "group": "teachers", "title_zh": "問卷"})
    assert response.status_code == 400 and "items" in response.context["form"].errors
    # The bank has nothing for the county's own staff: the service's error lands on the items.
    response = client.post(
        url, {"owner": owner, "group": "county_staff", "items": ["L1"], "title_zh": "問卷"}
    )
    assert response.status_code == 400
    assert "items" in response.context["form"].errors
    assert not Questionnaire.objects.exists()


# --- settings, archive, copy, locked ----------------------------------------------------------


def test_edit_title_and_settings(world: World, qn: Questionnaire) -> None:
    client = world.client("elem_admin")
    response = client.post(
        urls(qn)["edit"],
        {
            "title_zh": "教師問卷（修訂）",
            "title_en": "Teachers",
            "intro_zh": "",
            "intro_en": "",
            "purpose": "form",
            "group": "leaders",
        },
    )
    assert response.status_code == 302
    qn.refresh_from_db()
    assert (qn.title_zh, qn.purpose, qn.group) == ("教師問卷（修訂）", "form", "leaders")
    assert AuditEntry.objects.filter(action="survey.questionnaire_update").exists()


def test_archive_and_restore(world: World, qn: Questionnaire) -> None:
    client = world.client("elem_admin")
    assert client.post(urls(qn)["archive"], {"archived": "1"}).status_code == 302
    qn.refresh_from_db()
    assert qn.archived
    listing = client.get(reverse("surveys:questionnaire_list")).content.decode()
    assert "教師問卷" not in listing
    archived = client.get(reverse("surveys:questionnaire_list"), {"archived": "1"})
    assert "教師問卷" in archived.content.decode()
    assert client.get(urls(qn)["archive"]).status_code == 405
    client.post(urls(qn)["archive"], {"archived": "0"})
    qn.refresh_from_db()
    assert not qn.archived


def _answered(world: World, qn: Questionnaire) -> None:
    r = run(world, {"teachers": qn})
    answer_with_codes(world, r, "teachers", [5, 4, 2])


def test_a_questionnaire_with_answers_is_read_only(world: World, qn: Questionnaire) -> None:
    _answered(world, qn)
    assert qn.is_locked
    client = world.client("elem_admin")
    body = client.get(urls(qn)["detail"]).content.decode()
    assert urls(qn)["copy"] in body
    assert urls(qn)["question_edit"] not in body and urls(qn)["section_create"] not in body
    before = snapshot()
    for name in ["section_create", "section_edit", "question_create", "question_edit"]:
        response = client.get(urls(qn)[name])
        assert response.status_code == 302 and response["Location"] == urls(qn)["detail"], name
    for name in [
        "section_create",
        "section_edit",
        "section_delete",
        "section_move",
        "question_create",
        "question_edit",
        "question_delete",
        "question_move",
        "add_from_bank",
    ]:
        assert client.post(urls(qn)[name], POSTS[name]).status_code == 302, name
    assert snapshot() == before
    # The purpose and group stay; the title may still be corrected.
    response = client.post(
        urls(qn)["edit"], {"title_zh": "教師問卷 114", "purpose": "form", "group": "leaders"}
    )
    assert response.status_code == 302
    qn.refresh_from_db()
    assert (qn.title_zh, qn.purpose, qn.group) == ("教師問卷 114", "survey", "teachers")


def test_copy_to_change_a_locked_questionnaire(world: World, qn: Questionnaire) -> None:
    _answered(world, qn)
    client = world.client("elem_admin")
    response = client.post(urls(qn)["copy"])
    copy = Questionnaire.objects.exclude(pk=qn.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:questionnaire_detail", args=[copy.public_id])
    assert copy.title_zh == "教師問卷（複本）" and copy.school == qn.school and not copy.is_locked
    assert list(copy.questions.values_list("code", "show_if")) == list(
        qn.questions.values_list("code", "show_if")
    )
    body = client.get(response["Location"]).content.decode()
    assert reverse("surveys:section_create", args=[copy.public_id]) in body
    assert AuditEntry.objects.filter(action="survey.questionnaire_copy").exists()


# --- preview and languages ----------------------------------------------------------------------


def test_preview_shows_the_questions_and_the_skip_logic(world: World, qn: Questionnaire) -> None:
    services.question_create(
        section=qn.sections.get(),
        actor=world.users["a_admin"],
        kind="number",
        text_zh="每週使用幾小時？",
        min_value=0,
        max_value=40,
        show_if=[{"q": "Q1", "op": "gte", "value": 4}],
    )
    body = world.client("elem_teacher").get(urls(qn)["preview"]).content.decode()
    assert "學校會聽取我的意見" in body and "家中有網路嗎？" in body
    assert "Q2 = 沒有" in body  # Q3 is shown only if Q2 = 沒有
    assert "Q1 ≥ 4" in body
    assert 'type="radio" name="Q2" value="no"' in body and "<fieldset disabled>" in body
    assert 'min="0" max="40"' in body
    assert "<button" not in body.split('class="preview"')[1]  # nothing can be sent


def test_english_interface(world: World, qn: Questionnaire) -> None:
    qn.questions.filter(code="Q2").update(text_en="Is there internet at home?")
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    preview = client.get(urls(qn)["preview"]).content.decode()
    assert 'lang="en"' in preview
    assert "Is there internet at home?" in preview
    assert "Q2 = No" in preview and "Shown only if" in preview
    assert "學校會聽取我的意見" in preview  # no English text: the Chinese is shown
    editor = client.get(urls(qn)["detail"]).content.decode()
    assert "Add a question" in editor and "Make a copy" in editor and "Section 1" in editor
    listing = client.get(reverse("surveys:questionnaire_list")).content.decode()
    assert "Questionnaires" in listing and "New from the question bank" in listing
    form = client.get(urls(qn)["question_edit"]).content.decode()
    assert "Skip logic" in form and "Strategy IDs" in form
    for name in ["section_create", "question_create", "edit", "section_delete"]:
        assert client.get(urls(qn)[name]).status_code == 200, name
    assert client.get(reverse("surveys:questionnaire_from_bank")).status_code == 200
    bank = client.get(reverse("surveys:bank_list")).content.decode()
    assert "Question bank" in bank and "Comparison key" in bank


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_do_not_query_per_row(world: World, qn: Questionnaire) -> None:
    client = world.client("a_admin")
    listing = reverse("surveys:questionnaire_list")
    editor, preview = urls(qn)["detail"], urls(qn)["preview"]
    before = [_queries(client, u) for u in (listing, editor, preview)]
    for n in range(4):
        questionnaire(world, title=f"問卷{n}", school=None if n % 2 else "A-elem")
        services.question_create(
            section=qn.sections.get(),
            actor=None,
            kind="single",
            text_zh=f"題目{n}",
            options=["有", "沒有"],
            show_if=[{"q": "Q2", "op": "eq", "value": "no"}],
        )
    assert [_queries(client, u) for u in (listing, editor, preview)] == before
