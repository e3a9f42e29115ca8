"""Good-practice cases (案例, S2.M3, L5.A2): publishing evidence, searching, who reads and who
writes, and the permission matrix of the case pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.framework import plan_selectors as sel
from dtss.framework import plan_services as ps
from dtss.framework import services as fs
from dtss.framework.models import Case, Evidence
from dtss.framework.tests.test_plans import ALL, STAFF, expect, open_cycle, school_assessment


def evidence_on(
    assessment: Any, code: str, user: Any, text: str = "學生用因材網自學紀錄"
) -> Evidence:
    response = assessment.responses.get(strategy__code=code)
    return fs.evidence_add(
        response=response, actor=user, kind="text", title=f"{code} 紀錄", text=text
    )


def make_cases(world: World) -> dict[str, Any]:
    """A-elem publishes S2.M3 (math), A-junior S1.A1 (English), county A its own L5.A2, and
    B-elem S2.D1; one more A-elem evidence is left unpublished."""
    cycle_a = open_cycle(world)
    cycle_b = open_cycle(world, county="B")
    elem = school_assessment(cycle_a, world.schools["A-elem"])
    junior = school_assessment(cycle_a, world.schools["A-junior"])
    county = cycle_a.assessments.get(school__isnull=True)
    b_elem = school_assessment(cycle_b, world.schools["B-elem"])
    ev_elem = evidence_on(elem, "S2.M3", world.users["elem_admin"])
    ev_spare = evidence_on(elem, "S1.D1", world.users["elem_admin"], text="教師社群")
    ev_junior = evidence_on(junior, "S1.A1", world.users["junior_admin"], text="英語課翻轉教學")
    ev_county = evidence_on(county, "L5.A2", world.users["a_staff"], text="縣市成果發表會")
    ev_b = evidence_on(b_elem, "S2.D1", world.users["b_admin"], text="宜蘭載具借用")
    cases = {
        "elem": ps.case_publish(
            evidence=ev_elem,
            title="五年級數學因材網差異化教學",
            summary="利用因材網的診斷測驗分組，教師依學習弱點安排補救。",
            tags="因材網，平板, 差異化",
            subject="數學",
            actor=world.users["elem_admin"],
        ),
        "junior": ps.case_publish(
            evidence=ev_junior,
            title="English flipped classroom",
            summary="七年級英語以酷英網預習，課堂專注口說練習。",
            tags=["酷英網", "翻轉教室"],
            subject="英語",
            actor=world.users["junior_admin"],
        ),
        "county": ps.case_publish(
            evidence=ev_county,
            title="全縣數位學習成果發表",
            summary="各校分享推動經驗，錄影上傳供他校參考。",
            tags="成果發表",
            actor=world.users["a_staff"],
        ),
        "b": ps.case_publish(
            evidence=ev_b,
            title="宜蘭載具借用制度",
            summary="借用流程。",
            subject="數學",
            actor=world.users["b_admin"],
        ),
    }
    return {"cases": cases, "spare": ev_spare, "ev_elem": ev_elem, "elem": elem}


def titles(qs: Any) -> set[str]:
    return {c.title for c in qs}


def test_publish_takes_item_strategy_and_stage_from_the_evidence(world: World) -> None:
    objs = make_cases(world)
    case = objs["cases"]["elem"]
    assert (case.item.code, case.strategy.code, case.stage) == ("S2", "S2.M3", "M")
    assert (case.county, case.school, case.evidence) == (
        world.counties["A"],
        world.schools["A-elem"],
        objs["ev_elem"],
    )
    assert case.tags == "因材網, 平板, 差異化" and case.tag_list == ["因材網", "平板", "差異化"]
    assert objs["cases"]["junior"].tags == "酷英網, 翻轉教室"
    assert objs["cases"]["county"].school is None
    assert case.published_by == world.users["elem_admin"]
    assert AuditEntry.objects.filter(action="case.publish", object_id=str(case.public_id)).exists()
    with pytest.raises(ValidationError) as exc:
        ps.case_publish(
            evidence=objs["ev_elem"], title="again", summary="x", actor=world.users["elem_admin"]
        )
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.case_publish(evidence=objs["spare"], title="", summary="", actor=None)
    assert {"title", "summary"} <= set(exc.value.message_dict)
    assert Case.objects.count() == 4


@pytest.mark.parametrize("user", ["elem_teacher", "a_staff", "junior_admin", "b_admin", "moe"])
def test_only_those_who_fill_the_assessment_publish(world: World, user: str) -> None:
    objs = make_cases(world)
    with pytest.raises(PermissionDenied):
        ps.case_publish(evidence=objs["spare"], title="t", summary="s", actor=world.users[user])
    assert not Case.objects.filter(evidence=objs["spare"]).exists()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {},
            {
                "五年級數學因材網差異化教學",
                "English flipped classroom",
                "全縣數位學習成果發表",
                "宜蘭載具借用制度",
            },
        ),
        ({"item": "S2"}, {"五年級數學因材網差異化教學", "宜蘭載具借用制度"}),
        ({"item": "s2.m3"}, {"五年級數學因材網差異化教學"}),
        ({"item": "L5"}, {"全縣數位學習成果發表"}),
        ({"stage": "M"}, {"五年級數學因材網差異化教學"}),
        ({"stage": "A"}, {"English flipped classroom", "全縣數位學習成果發表"}),
        ({"stage": "X"}, set()),
        ({"school_stage": "junior"}, {"English flipped classroom"}),
        ({"school_stage": "elementary"}, {"五年級數學因材網差異化教學", "宜蘭載具借用制度"}),
        ({"subject": "數學"}, {"五年級數學因材網差異化教學", "宜蘭載具借用制度"}),
        ({"subject": "英語"}, {"English flipped classroom"}),
        ({"q": "因材"}, {"五年級數學因材網差異化教學"}),  # a Chinese substring of title/summary
        ({"q": "弱點"}, {"五年級數學因材網差異化教學"}),  # only in the summary
        ({"q": "翻轉"}, {"English flipped classroom"}),  # only in the tags
        ({"q": "FLIPPED"}, {"English flipped classroom"}),
        ({"q": "因材 補救"}, {"五年級數學因材網差異化教學"}),  # every word must match
        ({"q": "因材 酷英網"}, set()),
        ({"q": "L5.A2"}, {"全縣數位學習成果發表"}),
        (
            {"q": "數學", "school_stage": "elementary", "item": "S2", "stage": "M"},
            {"五年級數學因材網差異化教學"},
        ),
    ],
)
def test_search_by_item_stage_school_stage_subject_and_text(
    world: World, filters: dict[str, str], expected: set[str]
) -> None:
    make_cases(world)
    assert titles(sel.case_search(user=world.users["b_teacher"], **filters)) == expected


def test_search_page_filters_and_paging(world: World, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    make_cases(world)
    client = world.client("b_teacher")
    page = client.get(reverse("framework:case_list"))
    assert page.status_code == 200 and page.context["page"].paginator.num_pages == 2
    assert set(page.context["subjects"]) == {"數學", "英語"}
    second = client.get(reverse("framework:case_list") + "?page=2")
    assert len(second.context["page"].object_list) == 2
    found = client.get(reverse("framework:case_list"), {"q": "因材網", "item": "S2"})
    body = found.content.decode()
    assert "五年級數學因材網差異化教學" in body and "宜蘭載具借用制度" not in body
    by_strategy = client.get(reverse("framework:case_list"), {"item": "S2.M3"})
    assert titles(by_strategy.context["page"].object_list) == {"五年級數學因材網差異化教學"}


@pytest.mark.parametrize(
    "user", ["elem_student", "elem_student2", "b_student", "elem_parent", "b_parent", "outsider"]
)
def test_students_and_parents_see_no_cases(world: World, user: str) -> None:
    objs = make_cases(world)
    u = world.users[user]
    assert not sel.case_search(user=u).exists()
    assert not Case.objects.visible_to(u).exists()
    client = world.client(user)
    assert client.get(reverse("framework:case_list")).status_code == 403
    url = reverse("framework:case_detail", args=[objs["cases"]["elem"].public_id])
    assert client.get(url).status_code == 403


def test_another_countys_staff_read_a_case_but_cannot_edit_or_unpublish_it(world: World) -> None:
    objs = make_cases(world)
    case = objs["cases"]["elem"]
    for user in ("b_admin", "b_teacher"):
        u = world.users[user]
        assert case in sel.case_search(user=u)
        client = world.client(user)
        page = client.get(reverse("framework:case_detail", args=[case.public_id]))
        assert page.status_code == 200 and not page.context["can_edit"]
        body = page.content.decode()
        assert "利用因材網的診斷測驗分組" in body
        assert reverse("framework:case_unpublish", args=[case.public_id]) not in body
        # The text of the evidence is shared; the evidence row itself stays out of reach.
        assert not page.context["evidence_visible"] and "學生用因材網自學紀錄" in body
        with pytest.raises(PermissionDenied):
            ps.case_update(case=case, actor=u, title="改", summary="改")
        with pytest.raises(PermissionDenied):
            ps.case_unpublish(case=case, actor=u)
        assert (
            client.post(reverse("framework:case_unpublish", args=[case.public_id])).status_code
            == 403
        )
        assert (
            client.post(
                reverse("framework:case_edit", args=[case.public_id]),
                {"title": "改", "summary": "改"},
            ).status_code
            == 403
        )
    case.refresh_from_db()
    assert case.title == "五年級數學因材網差異化教學"
    assert not AuditEntry.objects.filter(action__in=["case.update", "case.unpublish"]).exists()


def test_the_owner_edits_and_unpublishes(world: World) -> None:
    objs = make_cases(world)
    case = objs["cases"]["elem"]
    client = world.client("elem_admin")
    detail = client.get(reverse("framework:case_detail", args=[case.public_id]))
    assert detail.context["can_edit"] and detail.context["evidence_visible"]
    edit_url = reverse("framework:case_edit", args=[case.public_id])
    bad = client.post(edit_url, {"title": "", "summary": "x"})
    assert bad.status_code == 400 and "title" in bad.context["form"].errors
    assert (
        client.post(
            edit_url,
            {
                "title": "數學差異化教學",
                "summary": "新摘要",
                "tags": "因材網、分組",
                "subject": "數學",
            },
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert (case.title, case.tags) == ("數學差異化教學", "因材網, 分組")
    response = client.post(reverse("framework:case_unpublish", args=[case.public_id]))
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    assert Evidence.objects.filter(pk=objs["ev_elem"].pk).exists()
    assert AuditEntry.objects.filter(action="case.unpublish").exists()
    # The county administrator may take a school's case down too; county staff may not.
    other = objs["cases"]["junior"]
    with pytest.raises(PermissionDenied):
        ps.case_unpublish(case=other, actor=world.users["a_staff"])
    ps.case_unpublish(case=other, actor=world.users["a_admin"])
    ps.case_unpublish(case=objs["cases"]["county"], actor=world.users["a_staff"])
    assert set(Case.objects.values_list("title", flat=True)) == {"宜蘭載具借用制度"}


def test_publish_page(world: World) -> None:
    objs = make_cases(world)
    client = world.client("elem_admin")
    url = reverse("framework:evidence_publish", args=[objs["spare"].public_id])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["title"] == "S1.D1 紀錄"
    bad = client.post(url, {"title": "社群", "summary": ""})
    assert bad.status_code == 400 and "summary" in bad.context["form"].errors
    response = client.post(
        url, {"title": "教師專業社群", "summary": "每月共備。", "tags": "社群", "subject": "跨領域"}
    )
    case = Case.objects.get(evidence=objs["spare"])
    assert response["Location"] == reverse("framework:case_detail", args=[case.public_id])
    assert (case.strategy.code, case.stage, case.subject) == ("S1.D1", "D", "跨領域")
    # Publishing the same evidence again leads to the existing case.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == response["Location"]


# --- Permission matrix ------------------------------------------------------------------------

A_ELEM_FILL = {"a_admin", "elem_admin"}

PAGES: dict[str, tuple[Callable[[dict[str, Any]], str], dict[str, int]]] = {
    "case list": (lambda o: reverse("framework:case_list"), expect(STAFF)),
    "A-elem case": (
        lambda o: reverse("framework:case_detail", args=[o["cases"]["elem"].public_id]),
        expect(STAFF),
    ),
    "B-elem case": (
        lambda o: reverse("framework:case_detail", args=[o["cases"]["b"].public_id]),
        expect(STAFF),
    ),
    "edit A-elem case": (
        lambda o: reverse("framework:case_edit", args=[o["cases"]["elem"].public_id]),
        expect(A_ELEM_FILL, forbidden=STAFF),
    ),
    "edit county A case": (
        lambda o: reverse("framework:case_edit", args=[o["cases"]["county"].public_id]),
        expect({"a_admin", "a_staff"}, forbidden=STAFF),
    ),
    "publish A-elem evidence": (
        lambda o: reverse("framework:evidence_publish", args=[o["spare"].public_id]),
        expect(A_ELEM_FILL, forbidden={"moe", "a_staff", "elem_teacher"}),
    ),
    "missing case": (
        lambda o: reverse("framework:case_detail", args=["00000000-0000-0000-0000-000000000000"]),
        expect(set()),
    ),
}


@pytest.mark.parametrize(
    ("page", "user", "status"),
    [(page, user, status) for page, (_, table) in PAGES.items() for user, status in table.items()],
)
def test_page_access(world: World, page: str, user: str, status: int) -> None:
    objs = make_cases(world)
    response = world.client(user).get(PAGES[page][0](objs))
    assert response.status_code == status, f"{user} on {page}: {response.status_code}"


POSTS: dict[str, tuple[Callable[[dict[str, Any]], tuple[str, dict[str, str]]], dict[str, int]]] = {
    "unpublish A-elem case": (
        lambda o: (reverse("framework:case_unpublish", args=[o["cases"]["elem"].public_id]), {}),
        expect(A_ELEM_FILL, forbidden=STAFF, ok_status=302),
    ),
    "publish A-elem evidence": (
        lambda o: (
            reverse("framework:evidence_publish", args=[o["spare"].public_id]),
            {"title": "t", "summary": "s"},
        ),
        expect(A_ELEM_FILL, forbidden={"moe", "a_staff", "elem_teacher"}, ok_status=302),
    ),
}


@pytest.mark.parametrize(
    ("action", "user", "status"),
    [(a, user, status) for a, (_, table) in POSTS.items() for user, status in table.items()],
)
def test_post_access_and_outsiders_change_nothing(
    world: World, action: str, user: str, status: int
) -> None:
    objs = make_cases(world)
    url, data = POSTS[action][0](objs)
    before = set(Case.objects.values_list("pk", flat=True))
    response = world.client(user).post(url, data)
    assert response.status_code == status, f"{user} on {action}: {response.status_code}"
    after = set(Case.objects.values_list("pk", flat=True))
    assert (after == before) == (status != 302)


def test_matrix_covers_every_role() -> None:
    for table in [t for _, t in PAGES.values()] + [t for _, t in POSTS.values()]:
        assert set(table) == set(ALL)
