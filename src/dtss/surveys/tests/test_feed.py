"""The feed into the framework: closing a run adds its published results as evidence, once, on
the strategies its questions are tagged with, in the owner's editable assessment; and the
survey indicators show beside S2.D4 on the framework's item page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.framework import services as framework_services
from dtss.framework.models import Assessment, Cycle, Evidence
from dtss.framework.selectors import indicator_readings
from dtss.surveys import feed, services
from dtss.surveys.models import Run
from dtss.surveys.tests.factories import questionnaire, run
from dtss.surveys.tests.test_results_page import answer


@pytest.fixture
def cycle(world: World) -> Cycle:
    today = timezone.localdate()
    return framework_services.cycle_open(
        county=world.counties["A"],
        name="114學年度第1學期",
        opens_on=today - timedelta(days=10),
        deadline=today + timedelta(days=20),
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
        include_county=True,
        actor=world.users["a_admin"],
    )


def _assessment(cycle: Cycle, school: Any) -> Assessment:
    return Assessment.objects.get(cycle=cycle, school=school)


def _evidence(assessment: Assessment) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for e in Evidence.objects.filter(response__assessment=assessment).select_related(
        "response__strategy"
    ):
        out.setdefault(e.response.strategy.code, []).append(e)
    return out


def _run_with_leaders_only_strategy(world: World, leaders: int) -> Run:
    """Teachers (6) answer Q1 (S2.D4) and Q2 (S1.M1); the leaders' questionnaire has one more
    question, tagged S3.D1, that only they answer."""
    leaders_qn = questionnaire(world, group="leaders", title="行政問卷")
    services.question_create(
        section=leaders_qn.sections.get(),
        actor=world.users["a_admin"],
        kind="scale5",
        text_zh="行政會主動提供數位教學支援",
        strategies=["S3.D1"],
    )
    r = run(world, {"teachers": questionnaire(world), "leaders": leaders_qn})
    answer(world, r, "teachers", [4, 4, 5, 3, 4, 2])
    codes = services.codes_generate(
        run=r, actor=world.users["a_admin"], group="leaders", count=leaders
    )
    for code in codes:
        services.submission_anonymous(code=code.code, answers={"Q1": 5, "Q2": "yes", "Q4": 4})
    return r


def test_closing_adds_evidence_once_on_the_tagged_strategies(
    world: World, cycle: Cycle, settings: Any
) -> None:
    settings.SITE_URL = "https://dtss.example.org/"
    r = _run_with_leaders_only_strategy(world, leaders=4)
    services.run_close(run=r, actor=world.users["elem_admin"])
    school = _evidence(_assessment(cycle, world.schools["A-elem"]))
    # S2.D4 (Q1) and S1.M1 (Q2) have the teachers' published results; S3.D1 was asked of the
    # four leaders only, whose results are suppressed: no evidence there.
    assert set(school) == {"S2.D4", "S1.M1"}
    e = school["S2.D4"][0]
    path = reverse("surveys:run_results", args=[r.public_id])
    assert e.kind == "link" and e.url == "https://dtss.example.org" + path
    assert e.title.startswith(f"問卷結果：{r.title}（n=6）")
    assert "教師 3.67" in e.title and "學校行政 " not in e.title
    assert "學校行政未達 5 人，不公開" in e.title  # the leaders answered Q1 too
    assert e.added_by == world.users["elem_admin"]
    # Nothing in another school's or the county's assessment.
    assert not _evidence(_assessment(cycle, world.schools["A-junior"]))
    assert not _evidence(Assessment.objects.get(cycle=cycle, school__isnull=True))
    # Again: nothing new.
    assert feed.run_to_evidence(run=r, actor=None) == []
    assert Evidence.objects.count() == 2


def test_strategy_with_a_shown_group_counts_it(world: World, cycle: Cycle) -> None:
    r = _run_with_leaders_only_strategy(world, leaders=5)
    services.run_close(run=r, actor=world.users["a_admin"])
    school = _evidence(_assessment(cycle, world.schools["A-elem"]))
    assert set(school) == {"S2.D4", "S1.M1", "S3.D1"}
    assert "（n=5）" in school["S3.D1"][0].title
    assert "（n=11）" in school["S2.D4"][0].title


def test_without_a_site_address_the_evidence_is_text(
    world: World, cycle: Cycle, settings: Any
) -> None:
    settings.SITE_URL = ""
    r = _run_with_leaders_only_strategy(world, leaders=4)
    services.run_close(run=r, actor=world.users["a_admin"])
    e = _evidence(_assessment(cycle, world.schools["A-elem"]))["S2.D4"][0]
    assert e.kind == "text" and e.url == ""
    assert reverse("surveys:run_results", args=[r.public_id]) in e.text
    assert feed.run_to_evidence(run=r, actor=None) == []


def test_no_editable_assessment_skips_and_the_run_still_closes(
    world: World, cycle: Cycle, caplog: Any
) -> None:
    assessment = _assessment(cycle, world.schools["A-elem"])
    framework_services.assessment_submit(assessment=assessment, actor=world.users["elem_admin"])
    r = _run_with_leaders_only_strategy(world, leaders=5)
    with caplog.at_level("INFO", logger="dtss.surveys.feed"):
        services.run_close(run=r, actor=world.users["a_admin"])
    r.refresh_from_db()
    assert r.status == Run.Status.CLOSED and not Evidence.objects.exists()
    assert "no editable assessment" in caplog.text


def test_no_cycle_at_all_closes_quietly(world: World) -> None:
    r = _run_with_leaders_only_strategy(world, leaders=5)
    services.run_close(run=r, actor=world.users["a_admin"])
    r.refresh_from_db()
    assert r.status == Run.Status.CLOSED and not Evidence.objects.exists()


def test_a_failing_feed_never_fails_the_close(
    world: World, cycle: Cycle, monkeypatch: Any, caplog: Any
) -> None:
    def broken(**_kw: Any) -> list[Any]:
        Evidence.objects.all().delete()  # a write inside the savepoint, rolled back
        raise RuntimeError("boom")

    r = _run_with_leaders_only_strategy(world, leaders=5)
    monkeypatch.setattr(feed, "run_to_evidence", broken)
    services.run_close(run=r, actor=world.users["a_admin"])
    r.refresh_from_db()
    assert r.status == Run.Status.CLOSED and r.closed_at is not None
    assert "adding its results as evidence failed" in caplog.text


def test_county_run_feeds_the_countys_own_assessment(world: World, cycle: Cycle) -> None:
    qn = services.questionnaire_create(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        title_zh="推動辦公室問卷",
        group="county_staff",
    )
    services.question_create(
        section=qn.sections.get(),
        actor=world.users["a_admin"],
        kind="scale5",
        required=True,
        text_zh="本縣的數位學習推動目標清楚",
        strategies=["L4.M3", "S2.D4"],
    )
    r = run(world, {"county_staff": qn}, school=None)
    codes = services.codes_generate(
        run=r, actor=world.users["a_admin"], group="county_staff", count=5
    )
    for code, score in zip(codes, [4, 5, 4, 3, 4], strict=True):
        services.submission_anonymous(code=code.code, answers={"Q1": score})
    services.run_close(run=r, actor=world.users["a_admin"])
    county = _evidence(Assessment.objects.get(cycle=cycle, school__isnull=True))
    assert set(county) == {"L4.M3"}  # S2.D4 is a school strategy: not in Table 6
    assert "縣市推動辦公室 4.00" in county["L4.M3"][0].title
    assert not Evidence.objects.filter(response__assessment__school__isnull=False).exists()


def test_survey_indicators_show_beside_s2_d4_on_the_item_page(world: World, cycle: Cycle) -> None:
    r = _run_with_leaders_only_strategy(world, leaders=5)
    services.run_close(run=r, actor=world.users["elem_admin"])
    assessment = _assessment(cycle, world.schools["A-elem"])
    readings = {
        reading.indicator.id: reading.value
        for reading in indicator_readings(assessment=assessment)["S2.D4"]
    }
    assert readings["surveys.groups_heard"] == 2.0  # teachers and leaders, both ≥ 5
    # Q1 (S2.D4): teachers 4,4,5,3,4,2 and leaders 5×5 → 9 of 11 agree
    assert readings["surveys.agreement.S2.D4"] == pytest.approx(81.8)
    url = reverse("framework:assessment_item", args=[assessment.public_id, "S2"])
    body = world.client("elem_admin").get(url).content.decode()
    block = re.search(
        r'<article class="card strategy"[^>]*data-code="S2.D4">.*?</article>', body, re.S
    )
    assert block is not None
    block = block.group(0)
    assert "近一年問卷聽取的利害關係人群組數: <strong>2" in block
    assert "問卷同意度（S2.D4 相關題目）: <strong>81.8" in block
    assert "問卷結果：" in block  # and the results are evidence beside them
