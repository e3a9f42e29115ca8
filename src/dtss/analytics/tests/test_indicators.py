"""The learning-data indicators, computed from real rollups of the `learning` fixture."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dtss.analytics.indicators import complete_weeks, recent_weeks
from dtss.analytics.models import Platform
from dtss.analytics.tests.conftest import stmt
from dtss.core import indicators as registry
from dtss.lrs.credential_services import credential_create
from dtss.orgs import services as org_services

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Taipei
AS_OF = dt.date(2026, 10, 20)  # Tuesday: complete weeks 09-21 … 10-12


def _value(indicator_id: str, org: Any, as_of: dt.date = AS_OF) -> float | None:
    ind = registry.get(indicator_id)
    many = ind.values([org], as_of)[org.pk]
    assert ind.compute(org, as_of) == many  # one org or many: the same value
    return many


@pytest.fixture
def rolled(learning: Any, world: Any) -> Any:
    """County A: elem_student active in week 10-05 (900 s), elem_student2 in week 10-12 (600 s)
    on the registered platform 因材網 (its credential), one unresolved actor, and a third
    student of A-elem 5-1 with no records; county B: nothing."""
    county = world.counties["A"]
    quiet = org_services.person_create(county=county, name="安靜", external_id="elem_student3")
    org_services.enrollment_create(
        student=quiet, school_class=world.classes["A-elem 5-1"], seat_number=3
    )
    cred = credential_create(name="adl", county=county).credential
    learning.platform = Platform.objects.create(
        county=county, name="因材網", kind="adl", credential=cred
    )
    learning.send(
        [
            stmt("elem_student", when=T0, seconds=600),
            stmt("elem_student", when=T0 + dt.timedelta(days=2), seconds=300),
            stmt("elem_student2", when=T0 + dt.timedelta(days=8), seconds=600),
            stmt("adl-unknown", when=T0, seconds=60),
        ],
        credential_id=cred.pk,
    )
    learning.roll()
    return learning


def test_week_windows() -> None:
    assert complete_weeks(AS_OF) == (dt.date(2026, 9, 21), dt.date(2026, 10, 12))
    assert complete_weeks(dt.date(2026, 10, 25)) == (dt.date(2026, 9, 21), dt.date(2026, 10, 12))
    assert recent_weeks(AS_OF) == (dt.date(2026, 7, 20), dt.date(2026, 10, 19))


def test_active_share_per_school(rolled: Any, world: Any) -> None:
    school = world.schools["A-elem"]
    assert _value("analytics.active_share", school) == 66.7  # two of three
    assert _value("analytics.active_share", world.schools["A-junior"]) is None  # nobody enrolled
    assert _value("analytics.active_share", world.schools["B-elem"]) == 0.0
    # three weeks on, elem_student's week has left the four-week window, elem_student2's not
    assert _value("analytics.active_share", school, AS_OF + dt.timedelta(21)) == 33.3
    assert _value("analytics.active_share", school, AS_OF + dt.timedelta(28)) == 0.0
    # before the first term began there is nobody to count
    assert _value("analytics.active_share", world.schools["A-elem"], dt.date(2020, 1, 1)) is None


def test_active_share_uses_the_term_covering_as_of(rolled: Any, world: Any) -> None:
    term = org_services.term_get_or_create(roc_year=115, semester=1)  # 2026-08-01 … 2027-01-31
    school_class = org_services.class_create(
        school=world.schools["A-elem"], term=term, grade=6, number=1
    )
    org_services.enrollment_create(
        student=world.people["elem_student"], school_class=school_class, seat_number=1
    )
    assert _value("analytics.active_share", world.schools["A-elem"]) == 100.0
    # in the earlier term's time, the earlier roster counts
    assert _value("analytics.active_share", world.schools["A-elem"], dt.date(2026, 1, 20)) == 0.0


def test_weekly_minutes(rolled: Any, world: Any) -> None:
    # (900 + 600) seconds over two active student-weeks
    assert _value("analytics.weekly_minutes", world.schools["A-elem"]) == 12.5
    assert _value("analytics.weekly_minutes", world.schools["B-elem"]) is None


def test_platforms_integrated(rolled: Any, world: Any, learning: Any) -> None:
    school = world.schools["A-elem"]
    assert _value("analytics.platforms_integrated", school) == 1.0
    assert _value("analytics.platforms_integrated", world.schools["A-junior"]) == 0.0
    # a second platform, known by its account home page (a file import, no credential)
    Platform.objects.create(
        county=world.counties["A"],
        name="酷英網",
        kind="coolenglish",
        account_home_page="https://www.coolenglish.edu.tw",
    )
    learning.send(
        [stmt("elem_student", when=T0, home="https://www.coolenglish.edu.tw", subject="english")]
    )
    learning.roll()
    assert _value("analytics.platforms_integrated", school) == 2.0
    # an inactive platform no longer counts; records older than 90 days do not either
    Platform.objects.filter(name="酷英網").update(active=False)
    assert _value("analytics.platforms_integrated", school) == 1.0
    assert _value("analytics.platforms_integrated", school, AS_OF + dt.timedelta(120)) == 0.0


def test_county_indicators(rolled: Any, world: Any) -> None:
    a, b = world.counties["A"], world.counties["B"]
    assert _value("analytics.county_active_share", a) == 66.7
    assert _value("analytics.county_active_share", b) == 0.0
    assert _value("analytics.county_platforms_integrated", a) == 1.0
    assert _value("analytics.county_platforms_integrated", b) == 0.0
    assert _value("analytics.schools_integrated", a) == 50.0  # A-elem yes, A-junior no
    assert _value("analytics.schools_integrated", b) == 0.0
    # elem_student and elem_student2 resolved automatically, adl-unknown not; actors count
    # from when DTSS first saw them (today, when the fixture rolled up)
    today = timezone.localdate()
    assert _value("analytics.actors_resolved", a, today) == 66.7
    assert _value("analytics.actors_resolved", b, today) is None
    assert _value("analytics.actors_resolved", a, dt.date(2020, 1, 1)) is None  # not seen yet


def test_registration_levels_strategies_and_achievement(rolled: Any, world: Any) -> None:
    school_ids = {i.id for i in registry.for_level("school") if i.id.startswith("analytics.")}
    county_ids = {i.id for i in registry.for_level("county") if i.id.startswith("analytics.")}
    assert school_ids == {
        "analytics.active_share",
        "analytics.weekly_minutes",
        "analytics.platforms_integrated",
    }
    assert county_ids == {
        "analytics.county_active_share",
        "analytics.county_platforms_integrated",
        "analytics.schools_integrated",
        "analytics.actors_resolved",
    }
    assert "analytics.platforms_integrated" in {i.id for i in registry.for_strategy("L7.D1")}
    assert "analytics.active_share" in {i.id for i in registry.for_strategy("S5.D2")}
    for ind in registry.all_indicators():
        if ind.id.startswith("analytics."):
            assert ind.title_zh and ind.title_en and ind.unit and ind.compute_many
    share = registry.get("analytics.active_share")
    assert share.is_achieved(50.0) is True and share.is_achieved(49.9) is False


def test_many_orgs_cost_a_constant_number_of_queries(
    rolled: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    from dtss.orgs.models import County, School

    schools = list(School.objects.all())
    counties = list(County.objects.all())
    for indicator_id, orgs, most in [
        ("analytics.active_share", schools, 2),
        ("analytics.weekly_minutes", schools, 1),
        ("analytics.platforms_integrated", schools, 1),
        ("analytics.county_active_share", counties, 2),
        ("analytics.county_platforms_integrated", counties, 1),
        ("analytics.schools_integrated", counties, 1),
        ("analytics.actors_resolved", counties, 1),
    ]:
        with django_assert_max_num_queries(most):
            values = registry.get(indicator_id).values(orgs, AS_OF)
        assert set(values) == {o.pk for o in orgs}
