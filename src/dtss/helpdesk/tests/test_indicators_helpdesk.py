"""The helpdesk's indicators (DESIGN.md rule 4) from known data: each value, None where nothing
is measured, `as_of`, many orgs at once within a small query budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from dtss.core import indicators as registry
from dtss.helpdesk import services
from dtss.helpdesk.models import ArticleMedia, Post, Thread
from dtss.helpdesk.tests.factories import at, make_article, make_request

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 1, 12, 0)
TODAY = dt.date(2026, 12, 1)


def value(ind_id: str, org: Any, as_of: dt.date = TODAY) -> float | None:
    ind = registry.get(ind_id)
    with time_machine.travel(NOW, tick=False):
        one = ind.compute(org, as_of)
        assert ind.values([org], as_of) == {org.pk: one}  # compute and compute_many agree
    return one


def test_registered_with_strategies_levels_and_units() -> None:
    got = {i.id: i for i in registry.all_indicators() if i.id.startswith("helpdesk.")}
    assert {k: (i.level, i.strategies, i.unit, i.achieved_at) for k, i in got.items()} == {
        "helpdesk.county_first_response_hours": ("county", ("L7.M2",), "hours", None),
        "helpdesk.county_first_response_within_target": ("county", ("L7.M2",), "%", 80.0),
        "helpdesk.county_school_coverage": ("county", ("L7.M2",), "%", None),
        "helpdesk.county_articles": ("county", ("L7.M2",), "count", None),
        "helpdesk.community_members": ("county", ("L2.D2",), "count", None),
        "helpdesk.community_school_share": ("county", ("L2.D2",), "%", None),
        "helpdesk.school_video_articles": ("school", ("S3.A1",), "count", 1.0),
    }
    assert not got["helpdesk.county_first_response_hours"].higher_is_better
    assert all(i.compute_many is not None for i in got.values())
    assert "helpdesk.school_video_articles" in {i.id for i in registry.for_strategy("S3.A1")}


@pytest.fixture
def answered(world) -> None:
    """r1 (A-junior) answered after 1.5 working hours on 3 November; r2 (A-elem) raised the
    same day at 16:00, answered the next day at 15:00 (8 working hours: late)."""
    u = world.users
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False):
        r1 = make_request(world, "junior_teacher", now=at(2026, 11, 3, 9, 0))
        services.request_reply(
            request_obj=r1, user=u["junior_admin"], body="好", now=at(2026, 11, 3, 10, 30)
        )
        r2 = make_request(world, "elem_teacher", now=at(2026, 11, 3, 16, 0), category="device")
        services.request_reply(
            request_obj=r2, user=u["elem_admin"], body="好", now=at(2026, 11, 4, 15, 0)
        )


def test_first_response_figures_of_a_county(world, answered) -> None:
    a, b = world.counties["A"], world.counties["B"]
    assert value("helpdesk.county_first_response_hours", a) == 4.75
    assert value("helpdesk.county_first_response_within_target", a) == 50.0
    assert value("helpdesk.county_school_coverage", a) == 100.0
    for ind in (
        "helpdesk.county_first_response_hours",
        "helpdesk.county_first_response_within_target",
        "helpdesk.county_school_coverage",
    ):
        assert value(ind, b) is None  # no request in county B


def test_first_response_figures_honour_as_of(world, answered) -> None:
    a = world.counties["A"]
    # at the end of 3 November r2 was not answered yet, and not yet late (due 4 Nov 11:00)
    nov3 = dt.date(2026, 11, 3)
    assert value("helpdesk.county_first_response_hours", a, nov3) == 1.5
    assert value("helpdesk.county_first_response_within_target", a, nov3) == 100.0
    assert value("helpdesk.county_school_coverage", a, nov3) == 50.0
    # before anything was raised, and once the requests have left the 90-day window
    assert value("helpdesk.county_first_response_hours", a, dt.date(2026, 11, 2)) is None
    assert value("helpdesk.county_first_response_within_target", a, dt.date(2027, 3, 1)) is None


def test_an_unanswered_overdue_request_counts_as_missed(world) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        make_request(world, "junior_teacher", now=at(2026, 11, 30, 9, 0))
    a = world.counties["A"]
    assert value("helpdesk.county_first_response_within_target", a) == 0.0
    assert value("helpdesk.county_first_response_hours", a) is None
    assert value("helpdesk.county_school_coverage", a) == 0.0


def test_published_articles_and_school_videos(world) -> None:
    a, elem, junior, b_elem = (
        world.counties["A"],
        world.schools["A-elem"],
        world.schools["A-junior"],
        world.schools["B-elem"],
    )
    published = timezone.make_aware(dt.datetime(2026, 11, 10, 9))
    make_article(world, published_at=published)
    make_article(world, status="draft", title_zh="草稿")
    video = make_article(world, school=elem, title_zh="平板送修教學影片", published_at=published)
    with time_machine.travel(NOW, tick=False):  # uploaded before "today", whatever the date
        ArticleMedia.objects.create(
            county=a,
            school=elem,
            article=video,
            kind="video",
            file="helpdesk/kb/x.mp4",
            name="x.mp4",
        )
    make_article(world, school=junior, title_zh="純文字", published_at=published)
    assert value("helpdesk.county_articles", a) == 3.0
    assert value("helpdesk.county_articles", a, dt.date(2026, 11, 9)) == 0.0
    assert value("helpdesk.county_articles", world.counties["B"]) == 0.0
    assert value("helpdesk.school_video_articles", elem) == 1.0
    assert value("helpdesk.school_video_articles", junior) == 0.0
    assert value("helpdesk.school_video_articles", b_elem) is None
    assert value("helpdesk.school_video_articles", elem, dt.date(2026, 11, 9)) is None
    ind = registry.get("helpdesk.school_video_articles")
    assert ind.is_achieved(1.0) and not ind.is_achieved(0.0)


def _post(world: Any, thread: Thread, who: str, when: dt.datetime) -> Post:
    post = Post.objects.create(
        county=thread.county, thread=thread, author=world.people[who], body="我也遇到"
    )
    Post.objects.filter(pk=post.pk).update(created_at=when)
    return post


def test_community_activity(world) -> None:
    a = world.counties["A"]
    thread = Thread.objects.create(
        county=a, topic="network", title="校園 Wi-Fi 斷線", last_post_at=NOW
    )
    _post(world, thread, "a_admin", at(2026, 11, 20, 9))
    _post(world, thread, "junior_admin", at(2026, 11, 21, 9))
    _post(world, thread, "junior_admin", at(2026, 11, 22, 9))
    _post(world, thread, "elem_admin", at(2026, 6, 1, 9))  # long before the window
    assert value("helpdesk.community_members", a) == 2.0
    assert value("helpdesk.community_school_share", a) == 50.0  # A-junior of two schools
    assert value("helpdesk.community_members", a, dt.date(2026, 6, 30)) == 1.0
    assert value("helpdesk.community_school_share", a, dt.date(2026, 6, 30)) == 50.0
    assert value("helpdesk.community_members", a, dt.date(2026, 5, 1)) is None  # no post yet
    assert value("helpdesk.community_members", world.counties["B"]) is None
    assert value("helpdesk.community_school_share", world.counties["B"]) is None


def test_many_orgs_cost_a_few_queries(world, answered, django_assert_max_num_queries) -> None:
    from dtss.orgs import services as org_services

    district = world.schools["A-elem"].district
    extra = [
        org_services.school_create(
            district=district, code=f"0899{i:02d}", name_zh=f"測試國小{i}", stage="elementary"
        )
        for i in range(8)
    ]
    counties = [world.counties["A"], world.counties["B"]]
    schools = [*world.schools.values(), *extra]
    with time_machine.travel(NOW, tick=False), registry.shared_work():
        # county: requests 1 + calendars 2 + schools 1 + articles 1 + community 1 (no posts)
        with django_assert_max_num_queries(6):
            values = {
                i.id: i.values(counties, TODAY)
                for i in registry.for_level("county")
                if i.id.startswith("helpdesk.")
            }
        with django_assert_max_num_queries(1):
            school_values = registry.get("helpdesk.school_video_articles").values(schools, TODAY)
    assert values["helpdesk.county_school_coverage"][world.counties["A"].pk] == 20.0  # 2 of 10
    assert set(school_values) == {s.pk for s in schools}
