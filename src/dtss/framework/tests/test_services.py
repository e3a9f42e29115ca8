from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dtss.conftest import World
from dtss.framework import services
from dtss.framework.models import Assessment, AssessmentEvent, Cycle, Item, Response
from dtss.framework.selectors import assessment_items, current_version


def _cycle(world: World, **kwargs: Any) -> Cycle:
    args = {
        "county": world.counties["A"],
        "name": "114學年度第1學期",
        "opens_on": date(2025, 9, 1),
        "deadline": date(2025, 12, 31),
        "schools": [world.schools["A-elem"], world.schools["A-junior"]],
        "actor": world.users["a_admin"],
    }
    args.update(kwargs)
    return services.cycle_open(**args)


def test_open_cycle_creates_one_assessment_per_org_with_every_strategy(world: World) -> None:
    cycle = _cycle(world)
    assert cycle.assessments.count() == 3  # the county's own and two schools
    county_a = cycle.assessments.get(school__isnull=True)
    assert county_a.responses.count() == 57
    assert cycle.assessments.get(school=world.schools["A-elem"]).responses.count() == 45


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"deadline": date(2025, 8, 1)}, "__all__"),
        ({"schools": [], "include_county": False}, "schools"),
        ({"rule_share": Decimal("0.3")}, "rule_share"),
        ("other county", "schools"),
    ],
)
def test_bad_cycles_name_the_field_and_create_nothing(
    world: World, kwargs: Any, field: str
) -> None:
    if kwargs == "other county":
        kwargs = {"schools": [world.schools["A-elem"], world.schools["B-elem"]]}
    with pytest.raises(ValidationError) as exc:
        _cycle(world, **kwargs)
    assert field in exc.value.message_dict
    assert not Cycle.objects.exists() and not Response.objects.exists()


def _school_assessment(world: World, **kwargs: Any) -> Assessment:
    return _cycle(world, **kwargs).assessments.get(school=world.schools["A-elem"])


def _mark(assessment: Assessment, codes: list[str], user: Any, evidence: bool = True) -> None:
    for r in assessment.responses.filter(strategy__code__in=codes):
        services.response_update(response=r, actor=user, status="implemented")
        if evidence:
            services.evidence_add(response=r, actor=user, kind="text", text="校務會議紀錄")


def test_stage_moves_with_status_and_evidence_and_history_is_kept(world: World) -> None:
    a = _school_assessment(world)
    user = world.users["elem_admin"]
    _mark(a, ["S1.D1"], user)
    a.refresh_from_db()
    assert a.stages["S1"] is None
    _mark(a, ["S1.D2"], user, evidence=False)
    a.refresh_from_db()
    assert a.stages["S1"] is None  # evidence is required by default
    r = a.responses.get(strategy__code="S1.D2")
    services.evidence_add(response=r, actor=user, kind="link", url="https://example.org/plan.pdf")
    a.refresh_from_db()
    assert a.stages["S1"] == "D"
    view = next(v for v in assessment_items(assessment=a) if v.item.code == "S1")
    assert view.result.next_stage == "A" and "S1.A1" in view.result.next_steps
    event = AssessmentEvent.objects.filter(strategy__code="S1.D1").get()
    assert (event.by, event.from_status, event.to_status) == (user, "not_started", "implemented")


def test_two_thirds_rule(world: World) -> None:
    a = _school_assessment(world, rule_share=Decimal("0.667"))
    user = world.users["elem_admin"]
    _mark(a, ["S2.D1", "S2.D2", "S2.D3"], user)  # 3 of 4 development strategies
    a.refresh_from_db()
    assert a.stages["S2"] == "D"


def test_bad_status_changes_nothing(world: World) -> None:
    a = _school_assessment(world)
    r = a.responses.first()
    with pytest.raises(ValidationError):
        services.response_update(response=r, actor=world.users["elem_admin"], status="done")
    r.refresh_from_db()
    assert r.status == "not_started" and not AssessmentEvent.objects.exists()


def test_evidence_files_are_checked(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = _school_assessment(world)
    r = a.responses.first()
    user = world.users["elem_admin"]
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            response=r, actor=user, kind="file", file=SimpleUploadedFile("run.exe", b"MZ")
        )
    assert "file" in exc.value.message_dict
    big = SimpleUploadedFile("big.pdf", b"0" * (services.MAX_EVIDENCE_BYTES + 1))
    with pytest.raises(ValidationError):
        services.evidence_add(response=r, actor=user, kind="file", file=big)
    ok = services.evidence_add(
        response=r, actor=user, kind="file", file=SimpleUploadedFile("計畫.pdf", b"%PDF-1.4 test")
    )
    assert ok.size == 13 and ok.content_type == "application/pdf" and ok.title == "計畫.pdf"
    assert r.evidence.count() == 1


def test_review_workflow_freezes_the_accepted_assessment(world: World) -> None:
    a = _school_assessment(world)
    school_user, reviewer = world.users["elem_admin"], world.users["a_staff"]
    _mark(a, ["S1.D1", "S1.D2"], school_user)
    services.assessment_submit(assessment=a, actor=school_user)
    with pytest.raises(ValidationError):  # a submitted assessment is not edited
        _mark(a, ["S2.D1"], school_user)
    s2 = Item.objects.get(version=current_version(), code="S2")
    services.assessment_request_changes(
        assessment=a, actor=reviewer, item=s2, note="請補充家長日簡報"
    )
    assert a.status == "changes_requested"
    _mark(a, ["S2.D2"], school_user)
    services.assessment_submit(assessment=a, actor=school_user, note="已補充")
    services.assessment_accept(assessment=a, actor=reviewer)
    a.refresh_from_db()
    assert a.status == "accepted" and a.accepted_at is not None
    s1 = next(i for i in a.snapshot["items"] if i["item"] == "S1")
    assert s1["stage"] == "D"
    assert {
        "id": "S1.D1",
        "status": "implemented",
        "notes": "",
        "evidence": ["校務會議紀錄"],
    } in s1["strategies"]
    with pytest.raises(ValidationError):
        _mark(a, ["S3.D1"], school_user)
    actions = list(a.events.exclude(action="status").values_list("action", "by__username"))
    assert actions == [
        ("submit", "elem_admin"),
        ("request_changes", "a_staff"),
        ("answer", "elem_admin"),
        ("accept", "a_staff"),
    ]
    assert a.events.get(action="request_changes").item == s2


def test_sample_draws_schools_only(world: World) -> None:
    cycle = _cycle(world)
    drawn = services.cycle_draw_sample(cycle=cycle, size=5, actor=world.users["a_staff"], seed=1)
    assert len(drawn) == 2 and all(a.school_id for a in drawn)
    assert cycle.assessments.filter(sampled=True).count() == 2


def test_local_strategies_join_new_cycles_and_count_for_the_stage(world: World) -> None:
    item = Item.objects.get(version=current_version(), code="S1")
    local = services.strategy_local_add(
        county=world.counties["A"],
        item=item,
        stage="D",
        text_zh="縣本策略：每校設置載具管理員",
        actor=world.users["a_admin"],
    )
    assert local.code == "S1.DL1" and local.is_local
    with pytest.raises(ValidationError):
        services.strategy_local_add(county=world.counties["A"], item=item, stage="X", text_zh="x")
    a = _school_assessment(world)
    assert a.responses.filter(strategy=local).exists()
    user = world.users["elem_admin"]
    _mark(a, ["S1.D1", "S1.D2"], user)
    a.refresh_from_db()
    assert a.stages["S1"] is None  # the local development strategy is not met yet
    _mark(a, ["S1.DL1"], user)
    a.refresh_from_db()
    assert a.stages["S1"] == "D"
    # County B's schools never get county A's local strategy.
    b_cycle = services.cycle_open(
        county=world.counties["B"],
        name="B-1",
        opens_on=date(2025, 9, 1),
        deadline=date(2025, 12, 31),
        schools=[world.schools["B-elem"]],
    )
    assert not Response.objects.filter(assessment__cycle=b_cycle, strategy=local).exists()


def test_a_new_framework_version_maps_old_ids(world: World) -> None:
    from dtss.framework.models import FrameworkVersion, Strategy, StrategyMapping
    from dtss.framework.selectors import code_mapping

    old = current_version()
    new = FrameworkVersion.objects.create(code="2027", title_zh="新版", previous=old)
    s1 = Item.objects.create(version=new, code="S1", level="school", title_zh="建置數位環境")
    Strategy.objects.create(item=s1, code="S1.D1", stage="D", text_zh="同上")
    merged = Strategy.objects.create(item=s1, code="S1.M5", stage="M", text_zh="合併後的平權策略")
    StrategyMapping.objects.create(
        old=Strategy.objects.get(item__version=old, code="S1.M1"), new=merged
    )
    StrategyMapping.objects.create(
        old=Strategy.objects.get(item__version=old, code="S1.M2"), new=merged
    )
    mapping = code_mapping(old_version=old, new_version=new)
    assert mapping["S1.D1"] == ["S1.D1"]  # unchanged ID continues
    assert mapping["S1.M1"] == ["S1.M5"] and mapping["S1.M2"] == ["S1.M5"]
    assert mapping["S2.D1"] == []  # dropped in the new version
    # The official strategies of the old version are untouched.
    assert Strategy.objects.filter(item__version=old, county__isnull=True).count() == 102
