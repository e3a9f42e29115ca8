"""The platform's indicators: registered for L7.M1 and S2, with the reports' figures."""

from __future__ import annotations

import datetime as dt

import pytest

from dtss.core import indicators as registry
from dtss.homeschool import indicators  # noqa: F401  (registers them until apps.py does)
from dtss.homeschool.tests.test_report_views import week

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 27)


def test_registered_with_strategies_titles_and_units():
    ids = {i.id for i in registry.for_strategy("L7.M1")}
    assert {
        "homeschool.county_sign_rate",
        "homeschool.county_school_usage",
        "homeschool.county_leave_online",
    } <= ids
    assert "homeschool.school_sign_rate" in {i.id for i in registry.for_strategy("S2.M4")}
    assert "homeschool.school_reply_hours" in {i.id for i in registry.for_strategy("S2.M4")}
    assert "homeschool.school_read_rate" in {i.id for i in registry.for_strategy("S2.D3")}
    for ind in registry.all_indicators():
        if ind.id.startswith("homeschool."):
            assert ind.title_zh and ind.title_en and ind.unit and ind.description_en
            assert ind.level == ("county" if ".county_" in ind.id else "school")
    reply = registry.get("homeschool.school_reply_hours")
    assert reply.higher_is_better is False and reply.is_achieved(8.0) is True


def test_county_values(world):
    week(world)
    a, b = world.counties["A"], world.counties["B"]
    with registry.shared_work():
        sign = registry.get("homeschool.county_sign_rate").values([a, b], AS_OF)
        usage = registry.get("homeschool.county_school_usage").values([a, b], AS_OF)
        online = registry.get("homeschool.county_leave_online").values([a, b], AS_OF)
    assert sign[a.pk] == 50.0  # 3 signatures of 3 entries × 2 students
    assert usage[a.pk] == 50.0  # A-elem of A-elem and A-junior
    assert online[a.pk] == 66.7  # 2 online of 3 (the withdrawn one left out)
    # county B: one entry on 23 November, nobody signed; no leave
    assert sign[b.pk] == 0.0 and usage[b.pk] == 100.0 and online[b.pk] is None
    # the single-org compute gives the same
    assert registry.get("homeschool.county_sign_rate").compute(a, AS_OF) == 50.0


def test_school_values(world):
    week(world)
    elem, junior = world.schools["A-elem"], world.schools["A-junior"]
    values = {
        key: registry.get(f"homeschool.{key}").values([elem, junior], AS_OF)
        for key in ("school_sign_rate", "school_reply_hours", "school_read_rate")
    }
    assert values["school_sign_rate"] == {elem.pk: 50.0, junior.pk: None}
    assert values["school_reply_hours"] == {elem.pk: 8.0, junior.pk: None}
    # the class's announcement (3 people, 2 reads) and the school-wide one (2 staff, none)
    assert values["school_read_rate"] == {elem.pk: 40.0, junior.pk: None}


def test_window_is_30_days(world):
    week(world)
    later = AS_OF + dt.timedelta(days=40)
    elem = world.schools["A-elem"]
    assert registry.get("homeschool.school_sign_rate").compute(elem, later) is None
    online = registry.get("homeschool.county_leave_online")
    assert online.compute(world.counties["A"], later) is None
