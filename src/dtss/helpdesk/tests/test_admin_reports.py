"""The reports: every figure from known requests (working hours on each request's calendar,
targets met/missed/pending, escalations, satisfaction, most-read articles, the weekly trend),
the page, its CSV export, the `helpdesk report` command, and who sees which report."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from dtss.helpdesk import report_selectors as rsel
from dtss.helpdesk import services
from dtss.helpdesk.models import ArticleReadDay, HelpRequest
from dtss.helpdesk.tests.factories import at, make_article, make_request, office_groups

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 1, 12, 0)
REPORTS = reverse("helpdesk:reports")
EXPORT = reverse("helpdesk:reports_export")
A = "10008"


def _at(when: dt.datetime, fn: Any, **kw: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return fn(now=when, **kw)


@pytest.fixture
def requests(world) -> dict[str, HelpRequest]:
    """r1 (A-junior, platform): answered after 1.5 h, resolved after 9 h, rated 5;
    r2 (A-elem, device): answered after 8 h (late), escalated, still open (resolution late);
    r3 (A-elem, account): raised this morning, not answered yet (pending);
    rb (county B): never in county A's report."""
    groups = office_groups(world)
    u = world.users
    r1 = _at(at(2026, 11, 3, 9, 0), make_request, world=world, user_key="junior_teacher")
    _at(
        at(2026, 11, 3, 10, 30),
        services.request_reply,
        request_obj=r1,
        user=u["junior_admin"],
        body="請清除快取。",
    )
    _at(
        at(2026, 11, 4, 9, 0),
        services.request_status_set,
        request_obj=r1,
        user=u["junior_admin"],
        status="resolved",
    )
    _at(
        at(2026, 11, 4, 10, 0),
        services.request_rate,
        request_obj=r1,
        user=u["junior_teacher"],
        rating=5,
    )
    r2 = _at(
        at(2026, 11, 3, 16, 0),
        make_request,
        world=world,
        user_key="elem_teacher",
        category="device",
        platform="",
    )
    _at(
        at(2026, 11, 4, 15, 0),
        services.request_reply,
        request_obj=r2,
        user=u["elem_admin"],
        body="明天送修。",
    )
    _at(
        at(2026, 11, 4, 15, 5),
        services.request_escalate,
        request_obj=r2,
        user=u["elem_admin"],
        group=groups["equipment"],
    )
    r3 = _at(
        at(2026, 12, 1, 11, 0),
        make_request,
        world=world,
        user_key="elem_parent",
        category="account",
        platform="",
    )
    rb = _at(at(2026, 11, 3, 9, 0), make_request, world=world, user_key="b_teacher")
    county_article = make_article(world)
    junior_article = make_article(world, title_zh="國中的文章", school=world.schools["A-junior"])
    b_article = make_article(world, "B", title_zh="宜蘭的文章")
    for article, day, reads in [
        (county_article, dt.date(2026, 11, 10), 7),
        (county_article, dt.date(2026, 11, 11), 2),
        (junior_article, dt.date(2026, 11, 10), 3),
        (b_article, dt.date(2026, 11, 10), 50),
        (county_article, dt.date(2026, 8, 1), 100),  # before the period
    ]:
        ArticleReadDay.objects.create(article=article, day=day, reads=reads)
    return {"r1": r1, "r2": r2, "r3": r3, "rb": rb}


def build(world, school: Any = None, **period: dt.date) -> rsel.Report:
    p = rsel.Period(**period) if period else rsel.default_period(dt.date(2026, 12, 1))
    return rsel.report_build(county=world.counties["A"], school=school, period=p, now=NOW)


def test_the_countys_figures(world, requests) -> None:
    r = build(world)
    assert r.period == rsel.Period(dt.date(2026, 9, 3), dt.date(2026, 12, 1))
    assert r.total == 3
    assert [(x.key, x.count) for x in r.by_school] == [("083601", 2), ("083501", 1)]
    assert {x.key: x.count for x in r.by_category} == {"device": 1, "account": 1, "platform": 1}
    assert {x.key: x.count for x in r.by_platform} == {"": 2, "adl": 1}
    assert {x.key: x.count for x in r.by_status} == {"new": 1, "open": 1, "closed": 1}
    # working hours: 1.5 and 8 (Tuesday 16–17, Wednesday 08–15) → median 4.75; resolved in 9
    assert r.median_first_response_hours == 4.75
    assert r.median_resolution_hours == 9.0
    assert r.first_response == {"met": 1, "missed": 1, "pending": 1}
    assert r.resolution == {"met": 1, "missed": 1, "pending": 1}
    assert (r.first_response_within, r.resolution_within) == (50.0, 50.0)
    assert [(x.label, x.count) for x in r.escalations] == [("資訊設備組", 1)]
    assert (r.rating_average, r.rating_count) == (5.0, 1)
    assert [(a.title, a.reads) for a in r.top_articles] == [
        ("因材網無法登入怎麼辦", 9),
        ("國中的文章", 3),
    ]
    weeks = {w.start: (w.raised, w.resolved) for w in r.weekly}
    assert weeks[dt.date(2026, 11, 2)] == (2, 1)
    assert weeks[dt.date(2026, 11, 30)] == (1, 0)
    assert sum(w.raised for w in r.weekly) == 3 and len(r.weekly) == 14


def test_a_schools_figures(world, requests) -> None:
    r = build(world, school=world.schools["A-elem"])
    assert r.total == 2 and r.median_first_response_hours == 8.0
    assert r.first_response == {"met": 0, "missed": 1, "pending": 1}
    assert [a.title for a in r.top_articles] == ["因材網無法登入怎麼辦"]  # not A-junior's own


def test_a_school_closed_day_counts_as_no_working_time(world, requests) -> None:
    from dtss.helpdesk.models import CalendarDay

    # A-elem was closed on Wednesday 4 November: r2's 8 h become 1 h (the Tuesday hour) … and
    # the reply on the closed day itself adds nothing
    CalendarDay.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        date=dt.date(2026, 11, 4),
        name="校慶補假",
    )
    r = build(world, school=world.schools["A-elem"])
    assert r.median_first_response_hours == 1.0


def test_a_period_narrows_the_figures(world, requests) -> None:
    r = build(world, start=dt.date(2026, 11, 30), end=dt.date(2026, 12, 1))
    assert r.total == 1 and r.median_first_response_hours is None
    assert r.first_response_within is None and r.rating_average is None
    assert r.top_articles == []


def test_the_report_page_for_the_countys_office(world, requests) -> None:
    with time_machine.travel(NOW, tick=False):
        r = world.client("a_admin").get(REPORTS)
        assert r.status_code == 200
        report = r.context["report"]
        assert report.total == 3 and r.context["report_scope"].county == world.counties["A"]
        body = r.content.decode()
        assert 'id="stat-first"' in body and "4.75" in body and "<svg" in body
        assert 'id="by-school"' in body and 'id="top-articles"' in body
        r = world.client("a_staff").get(
            REPORTS, {"school": str(world.schools["A-junior"].public_id)}
        )
        assert r.context["report"].total == 1
        r = world.client("a_admin").get(REPORTS, {"start": "2026-11-30", "end": "2026-12-01"})
        assert r.context["report"].total == 1
        r = world.client("a_admin").get(REPORTS, {"start": "2026-12-01", "end": "2026-11-01"})
        assert r.status_code == 400 and r.context["report"] is None
        assert "end" in r.context["form"].errors


def test_the_csv_export_has_one_section_per_table(world, requests) -> None:
    with time_machine.travel(NOW, tick=False):
        r = world.client("a_admin").get(EXPORT, {"county": A})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    lines = text.splitlines()
    sections = [lines[0]] + [lines[i + 1] for i, line in enumerate(lines) if line == ""]
    assert len(sections) == 9
    assert "083601,南投國小,2" in text and "資訊設備組,1" in text
    assert "因材網無法登入怎麼辦,9" in text and "2026-11-02,2,1" in text
    with time_machine.travel(NOW, tick=False):
        bad = world.client("a_admin").get(EXPORT, {"start": "x"})
    assert bad.status_code == 400


def test_a_schools_administrators_see_their_school_only(world, requests) -> None:
    with time_machine.travel(NOW, tick=False):
        r = world.client("elem_admin").get(REPORTS)
        assert r.status_code == 200
        assert r.context["report_scope"].school == world.schools["A-elem"]
        assert r.context["report"].total == 2
        other = {"school": str(world.schools["A-junior"].public_id)}
        assert world.client("elem_admin").get(REPORTS, other).status_code == 404
        assert world.client("elem_admin").get(EXPORT, other).status_code == 404
        assert world.client("elem_admin").get(REPORTS, {"county": "10002"}).status_code == 404
        r = world.client("junior_admin").get(EXPORT)
        assert r.status_code == 200 and "083601" not in r.content.decode("utf-8-sig")


@pytest.mark.parametrize("who", ["elem_teacher", "elem_student", "elem_parent", "outsider"])
def test_others_get_no_report(world, requests, who) -> None:
    assert world.client(who).get(REPORTS).status_code == 403
    assert world.client(who).get(EXPORT).status_code == 403


def test_another_countys_office_and_the_moe_viewer(world, requests) -> None:
    with time_machine.travel(NOW, tick=False):
        assert world.client("b_admin").get(REPORTS, {"county": A}).status_code == 404
        assert world.client("b_admin").get(EXPORT, {"county": A}).status_code == 404
        school = {"school": str(world.schools["A-elem"].public_id)}
        assert world.client("b_admin").get(REPORTS, school).status_code == 404
        r = world.client("b_admin").get(REPORTS)
        assert r.context["report"].total == 1  # county B's own
        r = world.client("moe").get(REPORTS)
        assert r.status_code == 200 and "county-choices" in r.content.decode()
        r = world.client("moe").get(REPORTS, {"county": A})
        assert r.context["report"].total == 3


def test_the_report_command_prints_the_figures(world, requests) -> None:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "helpdesk",
            "report",
            "--county",
            A,
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            stdout=out,
        )
    text = out.getvalue()
    assert "Requests raised\t3" in text
    assert "Median first response (working hours)\t4.75" in text
    assert "083601\t南投國小\t2" in text
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("helpdesk", "report", "--county", A, "--school", "083501", stdout=out)
    assert "Requests raised\t1" in out.getvalue()


def test_the_report_command_refuses_bad_arguments(world) -> None:
    from django.core.management.base import CommandError

    for args in (
        ["--county", "99999"],
        ["--county", A, "--school", "024601"],
        ["--county", A, "--from", "2026-13-01"],
        ["--county", A, "--from", "2026-12-01", "--to", "2026-11-01"],
    ):
        with pytest.raises(CommandError) as exc:
            call_command("helpdesk", "report", *args)
        assert exc.value.returncode == 2
