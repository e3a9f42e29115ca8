"""The results page of a run: who may read it, suppression, gaps, change, free texts, filters,
the per-school breakdown of county runs and the answers by person of named forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from dtss.conftest import World
from dtss.surveys import services
from dtss.surveys.models import Run
from dtss.surveys.tests.factories import questionnaire, run

# --- helpers shared by the results, exports and feed tests ---------------------------------------


def answer(
    world: World,
    r: Run,
    group: str,
    scores: list[int],
    *,
    why: str = "理由",
    **kw: Any,
) -> None:
    """One anonymous answer per score to the factory questionnaire: Q1 the score, Q2 "no"
    for scores of 2 or less, and then Q3 (free text) `why` with a number."""
    codes = services.codes_generate(
        run=r, actor=world.users["a_admin"], group=group, count=len(scores), **kw
    )
    for i, (code, score) in enumerate(zip(codes, scores, strict=True)):
        low = score <= 2
        answers: dict[str, Any] = {"Q1": score, "Q2": "no" if low else "yes"}
        if low:
            answers["Q3"] = f"{why}{i}"
        services.submission_anonymous(code=code.code, answers=answers)


def school_run(world: World, *, leaders: list[int], teachers: list[int], **kw: Any) -> Run:
    """A school run of A-elem: teachers and leaders answer the paired statement S2-voice."""
    r = run(
        world,
        {
            "teachers": questionnaire(world),
            "leaders": questionnaire(world, group="leaders", title="行政問卷"),
        },
        **kw,
    )
    answer(world, r, "teachers", teachers, why="教師意見")
    answer(world, r, "leaders", leaders, why="行政意見")
    return r


def results_url(r: Run, name: str = "run_results", query: str = "") -> str:
    return reverse(f"surveys:{name}", args=[r.public_id]) + query


def group_rows(body: str, group: str) -> list[str]:
    """The table rows of one group on the page."""
    return re.findall(rf'<tr data-group="{group}"[^>]*>.*?</tr>', body, flags=re.S)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("a_admin", 200),
        ("a_staff", 200),
        ("elem_admin", 200),
        ("moe", 200),
        ("elem_teacher", 403),
        ("elem_student", 403),
        ("elem_parent", 403),
        ("outsider", 403),
        ("junior_admin", 404),
        ("junior_teacher", 404),
        ("b_admin", 404),
        ("b_teacher", 404),
    ],
)
def test_who_reads_the_results(world: World, user: str, status: int) -> None:
    r = school_run(world, leaders=[5, 5, 5, 5, 5], teachers=[2, 2, 3, 2, 1])
    assert world.client(user).get(results_url(r)).status_code == status


def test_anonymous_goes_to_login_and_unknown_runs_are_404(world: World, client: Any) -> None:
    r = school_run(world, leaders=[5] * 5, teachers=[3] * 5)
    response = client.get(results_url(r))
    assert response.status_code == 302 and "login" in response["Location"]
    missing = reverse("surveys:run_results", args=["00000000-0000-4000-8000-000000000000"])
    assert world.client("a_admin").get(missing).status_code == 404
    assert world.client("a_admin").post(results_url(r)).status_code == 405


# --- suppression, gaps, change, free texts -----------------------------------------------------


def test_a_group_of_four_is_marked_and_never_shown(world: World) -> None:
    r = school_run(world, leaders=[1, 1, 1, 1], teachers=[2, 2, 1, 2, 3, 1])
    response = world.client("elem_admin").get(results_url(r))
    body = response.content.decode()
    report = response.context["r"]
    leaders = next(g for g in report.groups if g.group == "leaders")
    assert leaders.respondents == 4 and not leaders.shown
    assert "5" in leaders.note  # "fewer than 5 answered: not shown"
    rows = group_rows(body, "leaders")
    assert rows and all("data-suppressed" in row and "data-mean" not in row for row in rows)
    # The teachers' figures are there, the leaders' mean (1.00) and their free texts are not.
    assert "1.83" in body and "1.00" not in body
    assert "教師意見0" in body and "行政意見" not in body
    assert all(not c.shown for row in report.rows for c in row.cells if c.group == "leaders")


def test_gaps_between_groups_are_flagged_and_listed_first(world: World) -> None:
    r = school_run(world, leaders=[5, 5, 4, 5, 5], teachers=[2, 2, 3, 2, 1])
    response = world.client("elem_admin").get(results_url(r))
    body = response.content.decode()
    gaps = response.context["r"].gaps
    assert [row.key for row in gaps] == ["S2-voice"] and gaps[0].gap == 2.8
    assert gaps[0].high.group == "leaders" and gaps[0].low.group == "teachers"
    assert 'data-gap="2.8"' in body and "data-gap-flag" in body
    assert body.index('id="h-gaps"') < body.index('id="h-rows"')


def test_change_since_the_previous_run(world: World) -> None:
    qn = questionnaire(world)
    first = run(world, {"teachers": qn})
    answer(world, first, "teachers", [2, 2, 2, 2, 2])
    services.run_close(run=first, actor=world.users["a_admin"])
    second = run(world, {"teachers": qn}, previous=first)
    answer(world, second, "teachers", [4, 4, 4, 4, 3])
    body = world.client("a_admin").get(results_url(second)).content.decode()
    assert "▲ +1.80" in body and "change up" in body
    third = run(world, {"teachers": qn}, previous=second)
    answer(world, third, "teachers", [3, 3, 3, 3, 3])
    body = world.client("a_admin").get(results_url(third)).content.decode()
    assert "▼ −0.80" in body


def test_strategy_tags_link_to_the_framework(world: World) -> None:
    r = school_run(world, leaders=[5] * 5, teachers=[3] * 5)
    body = world.client("elem_admin").get(results_url(r)).content.decode()
    assert f'href="{reverse("framework:browse")}?q=S2.D4#S2"' in body


# --- filters -----------------------------------------------------------------------------------


def test_a_class_filter_that_would_reveal_the_rest_is_blocked(world: World) -> None:
    students = questionnaire(world, group="students")
    r = run(world, {"students": students})
    klass = world.classes["A-elem 5-1"]
    answer(world, r, "students", [4] * 7, school_class=klass)
    answer(world, r, "students", [1] * 3)  # codes for the school, no class
    client = world.client("elem_admin")
    whole = client.get(results_url(r))
    assert [c.public_id for c in whole.context["filters"].classes] == [klass.public_id]
    response = client.get(results_url(r, query=f"?class={klass.public_id}"))
    body = response.content.decode()
    assert response.context["r"].blocked and "data-blocked" in body
    assert "4.00" not in body  # the class's mean
    assert "data-mean" not in body
    # Unknown filter values are a 404, not a silently different report.
    other = world.classes["A-junior 7-1"]
    assert client.get(results_url(r, query=f"?class={other.public_id}")).status_code == 404
    assert client.get(results_url(r, query="?class=nonsense")).status_code == 404


def test_a_class_filter_with_enough_on_both_sides_is_shown(world: World) -> None:
    students = questionnaire(world, group="students")
    r = run(world, {"students": students})
    klass = world.classes["A-elem 5-1"]
    answer(world, r, "students", [4] * 6, school_class=klass)
    answer(world, r, "students", [2] * 5)
    response = world.client("elem_admin").get(results_url(r, query=f"?class={klass.public_id}"))
    assert not response.context["r"].blocked
    assert "4.00" in response.content.decode()


def _county_run(world: World, elem: int, junior: int) -> Run:
    qn = questionnaire(world, school=None, title="縣市教師問卷")
    r = run(
        world,
        {"teachers": qn},
        school=None,
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
    )
    answer(world, r, "teachers", [4] * elem, school=world.schools["A-elem"])
    answer(world, r, "teachers", [2] * junior, school=world.schools["A-junior"])
    return r


def test_county_run_breakdown_hides_small_schools_and_their_complement(world: World) -> None:
    r = _county_run(world, elem=6, junior=3)
    response = world.client("a_staff").get(results_url(r))
    body = response.content.decode()
    lines = {line.code: line for line in response.context["r"].breakdown}
    junior, elem = lines["083501"].cells[0], lines["083601"].cells[0]
    assert not junior.shown and junior.respondents == 3 and "5" in junior.note
    # With only two schools, publishing A-elem next to the county total would reveal A-junior.
    assert not elem.shown and elem.respondents == 6 and elem.note
    assert re.search(r'data-school="083601".*?—', body, flags=re.S)
    assert "2.00" not in body  # A-junior's mean
    # The school filter that would leave 3 in the rest is blocked.
    url = results_url(r, query=f"?school={world.schools['A-elem'].public_id}")
    assert world.client("a_staff").get(url).context["r"].blocked


def test_county_run_breakdown_shows_schools_with_enough(world: World) -> None:
    r = _county_run(world, elem=6, junior=5)
    response = world.client("a_admin").get(results_url(r))
    lines = {line.code: line for line in response.context["r"].breakdown}
    assert lines["083601"].cells[0].mean == 4.0 and lines["083501"].cells[0].mean == 2.0
    url = results_url(r, query=f"?school={world.schools['A-junior'].public_id}")
    filtered = world.client("a_admin").get(url)
    assert not filtered.context["r"].blocked and filtered.context["r"].breakdown == []
    assert "2.00" in filtered.content.decode()


# --- named forms -------------------------------------------------------------------------------


def _named_run(world: World) -> Run:
    qn = questionnaire(world, group="parents", pair="", title="戶外教學調查表")
    r = run(world, {"parents": qn}, mode="named")
    inv = r.invitations.get()
    services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers={"Q1": 4, "Q2": "yes"}
    )
    return r


def test_named_form_answers_by_person_for_managers_only(world: World) -> None:
    r = _named_run(world)
    name = world.people["elem_parent"].name
    for user in ("elem_admin", "a_admin"):
        response = world.client(user).get(results_url(r))
        body = response.content.decode()
        assert response.context["named"] is not None and 'id="h-named"' in body, user
        assert name in body and "4 " in response.context["named"][0].rows[0]["values"][0]
    # County staff read the (suppressed) results but not who answered what.
    response = world.client("a_staff").get(results_url(r))
    assert response.status_code == 200 and response.context["named"] is None
    assert 'id="h-named"' not in response.content.decode()
    # one parent: the aggregate stays suppressed
    assert not response.context["r"].groups[0].shown


def test_anonymous_runs_have_no_answers_by_person(world: World) -> None:
    r = school_run(world, leaders=[5] * 5, teachers=[3] * 5)
    response = world.client("elem_admin").get(results_url(r))
    assert response.context["named"] is None
