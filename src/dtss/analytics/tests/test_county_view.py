"""The county view: schools, districts, stages, areas, learner groups, terms and weeks on
constructed data; suppression; filters and sorting; exports; who may see it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from dtss.analytics import overview_views
from dtss.analytics.county_selectors import county_overview
from dtss.analytics.models import LearnerGroup
from dtss.analytics.tests.test_school_view import (  # noqa: F401  (english: autouse fixture)
    W1,
    W2,
    _csv,
    english,
    enrol,
    learn,
    new_class,
    period,
    school_scenario,
)
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

TODAY = dt.date(2025, 10, 22)
PREV = [dt.date(2025, 9, 22), dt.date(2025, 9, 29)]  # the previous period of W1–W2
PERIOD = "?period=custom&start=2025-10-06&end=2025-10-19"
REMOTE = ["stu-r1", "stu-r2", "stu-r3", "stu-r4", "stu-r5"]
JUNIOR = ["stu-j1", "stu-j2", "stu-j3", "stu-j4", "stu-j5", "stu-j6"]


def remote_school(world: Any) -> Any:
    district = org_services.district_create(
        county=world.counties["A"], code="A2", name_zh="仁愛鄉", name_en="Ren'ai"
    )
    school = org_services.school_create(
        district=district, code="083999", name_zh="山上國小", stage="elementary", area="remote"
    )
    world.schools["A-remote"] = school
    return school


def county_scenario(learning: Any, world: Any) -> None:
    """A-elem as in the school tests (7 and 3 active of 11); A-junior: six students active in
    W1 (1200 s, 1 right 1 wrong) and in both weeks before (600 s); A-remote (district A2, a
    remote area): five students active in both weeks (300 s, 1 right). In the previous period
    the five of A-elem 5-1 who learn in W1 were active once."""
    school_scenario(learning, world)
    enrol(world, world.classes["A-junior 7-1"], JUNIOR)
    remote_school(world)
    enrol(world, new_class(world, "A-remote", 3, 1), REMOTE)
    batch: list[dict[str, Any]] = []
    for name in JUNIOR:
        batch += learn(name, W1, seconds=1200, right=1, wrong=1)
        for week in PREV:
            batch += learn(name, week, seconds=600)
    for name in REMOTE:
        for week in (W1, W2):
            batch += learn(name, week, seconds=300, right=1)
    for name in ["elem_student", "elem_student2", "s53", "s54", "s55"]:
        batch += learn(name, PREV[1], seconds=60)
    learning.send(batch)
    learning.roll()


def overview(world: Any) -> Any:
    return county_overview(county=world.counties["A"], period=period(), today=TODAY)


def row_figures(row: Any) -> tuple:
    return (
        row.enrolled,
        row.shown_active,
        row.active_share,
        row.minutes_per_active,
        row.correct_rate,
    )


def url(world: Any, county: str = "A") -> str:
    return f"/analytics/counties/{world.counties[county].code}/"


# --------------------------------------------------------------------------- figures


def test_schools_districts_stages_and_areas(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    o = overview(world)
    schools = {r.label: r for r in o.schools}
    assert set(schools) == {"南投國小", "南投國中", "山上國小"}
    assert row_figures(schools["南投國小"]) == (11, 7, 45.5, 13.5, 73.3)
    assert (schools["南投國小"].change, schools["南投國小"].trend) == (22.8, "▲")  # 5 of 22 before
    assert row_figures(schools["南投國中"]) == (6, 6, 50.0, 20.0, 50.0)
    assert (schools["南投國中"].change, schools["南投國中"].trend) == (-50.0, "▼")
    assert row_figures(schools["山上國小"]) == (5, 5, 100.0, 5.0, 100.0)
    assert (schools["山上國小"].change, schools["山上國小"].trend) == (100.0, "▲")
    assert schools["山上國小"].extra["district"] == "Ren'ai"
    assert schools["山上國小"].extra["area"] == "Remote"
    assert schools["南投國小"].url == f"/analytics/schools/{world.schools['A-elem'].public_id}/"

    districts = {r.label: r for r in o.districts}
    # A1: weekly 13 and 3 active of 17; 15300 s over 16 student-weeks; 28 of 42 right
    assert row_figures(districts["Nantou City"]) == (17, 13, 47.1, 15.9, 66.7)
    assert row_figures(districts["Ren'ai"]) == (5, 5, 100.0, 5.0, 100.0)
    stages = {r.key: r for r in o.stages}
    assert row_figures(stages["elementary"]) == (16, 12, 62.5, 9.2, 80.0)
    assert row_figures(stages["junior"]) == (6, 6, 50.0, 20.0, 50.0)
    areas = {r.key: r for r in o.areas}
    assert row_figures(areas["general"]) == row_figures(districts["Nantou City"])
    assert row_figures(areas["remote"]) == (5, 5, 100.0, 5.0, 100.0)
    # the county: weeks of 18 and 8 active of 22; 18300 s over 26; 38 of 52 right
    assert row_figures(o.total) == (22, 18, 59.1, 11.7, 73.1)
    assert [row_figures(r) for r in o.weekly] == [
        (22, 18, 81.8, 11.4, 73.2),  # 12300 s / 18; 30 of 41
        (22, 8, 36.4, 12.5, 72.7),  # 6000 s / 8; 8 of 11
    ]


def test_learner_groups(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    a = world.counties["A"]
    for name in ["elem_student", "elem_student2", "s53", "s54", "s55"]:
        LearnerGroup.objects.create(
            county=a, person=world.people[name], kind="low_income", start_date=dt.date(2025, 9, 1)
        )
    for name in ["stu-r1", "stu-r2"]:
        LearnerGroup.objects.create(
            county=a, person=world.people[name], kind="indigenous", start_date=dt.date(2025, 9, 1)
        )
    # a membership that ended before the period does not count
    LearnerGroup.objects.create(
        county=a,
        person=world.people["stu-j1"],
        kind="new_resident",
        start_date=dt.date(2025, 8, 1),
        end_date=dt.date(2025, 9, 30),
    )
    groups = {r.key: r for r in overview(world).groups}
    # five members, 8 student-weeks of 10; 7500 s; 18 of 26 right
    assert row_figures(groups["low_income"]) == (5, 5, 80.0, 15.6, 69.2)
    assert groups["indigenous"].hidden and groups["indigenous"].correct_rate is None
    assert groups["indigenous"].enrolled == 2  # the enrolled count is no learning figure
    assert row_figures(groups["new_resident"]) == (0, 0, None, None, None)
    assert row_figures(groups["any"]) == (7, 7, 85.7, 12.1, 73.3)
    # the others: the county minus the union (26 − 12 student-weeks, 15 of 22 enrolled)
    assert row_figures(groups["none"]) == (15, 11, 46.7, 11.4, 72.7)

    # The page reads the groups on request only; the export always has them.
    client = world.client("a_admin")
    page = client.get(url(world) + PERIOD + "&sort=name")
    assert page.status_code == 200 and page.context["o"].groups is None
    html = page.content.decode()
    assert "In any of these groups" not in html
    query = "period=custom&amp;start=2025-10-06&amp;end=2025-10-19&amp;sort=name"
    assert f'href="?{query}&amp;groups=1#learners"' in html
    shown = client.get(url(world) + PERIOD + "&sort=name&groups=1")
    assert "In any of these groups" in shown.content.decode()
    assert "groups-on-request" not in shown.content.decode()
    assert [r.key for r in shown.context["o"].groups] == [r.key for r in overview(world).groups]
    export = client.get(url(world) + "export/groups.csv" + PERIOD).content.decode("utf-8-sig")
    assert "In any of these groups" in export


def test_trend_across_terms(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    spring = org_services.term_get_or_create(roc_year=113, semester=2)
    c4 = new_class(world, "A-elem", 4, 1, term=spring)
    names = ["stu-t1", "stu-t2", "stu-t3", "stu-t4", "stu-t5"]
    enrol(world, c4, names)
    learning.send([s for n in names for s in learn(n, dt.date(2025, 5, 5), seconds=600, right=1)])
    learning.roll()
    terms = {(r.label, r.key): r for r in overview(world).terms}
    rows = list(terms.values())
    assert [r.key for r in rows] == [spring.pk, world.classes["A-elem 5-1"].term_id]
    # 113-2: 26 weeks of 5 enrolled, 5 student-weeks; 114-1 up to this week: 12 weeks of 22,
    # 26 student-weeks in the period and 5 + 12 in the two weeks before
    assert (rows[0].extra["weeks"], rows[0].active_share, rows[0].minutes_per_active) == (
        26,
        3.8,
        10.0,
    )
    assert rows[0].correct_rate == 100.0
    assert (rows[1].extra["weeks"], rows[1].active_share, rows[1].shown_active) == (12, 16.3, 18)


# --------------------------------------------------------------------------- suppression


def test_small_schools_are_suppressed_with_a_complement(learning: Any, world: Any) -> None:
    """A-remote has two active students: hidden; the smallest other school (A-junior) is hidden
    too, else A-remote = the county − A-elem − A-junior. Districts alike."""
    school_scenario(learning, world)
    enrol(world, world.classes["A-junior 7-1"], JUNIOR)
    remote_school(world)
    enrol(world, new_class(world, "A-remote", 3, 1), REMOTE)
    batch: list[dict[str, Any]] = []
    for name in JUNIOR:
        batch += learn(name, W1, seconds=1200, right=1, wrong=1)
    for name in REMOTE[:2]:
        batch += learn(name, W1, seconds=300, right=1)
    learning.send(batch)
    learning.roll()
    o = overview(world)
    hidden = {r.label: r.hidden for r in o.schools}
    assert hidden == {"南投國小": False, "南投國中": True, "山上國小": True}
    assert {r.label: r.hidden for r in o.districts} == {"Nantou City": True, "Ren'ai": True}
    assert {r.key: r.hidden for r in o.areas} == {"general": True, "remote": True}
    assert {r.key: r.hidden for r in o.stages} == {"elementary": False, "junior": False}
    assert not o.total.hidden
    html = world.client("a_staff").get(url(world) + PERIOD).content.decode()
    assert "fewer than 5 active students" in html
    rows = _csv(world.client("a_staff").get(url(world) + "export/schools.csv" + PERIOD))
    remote = next(r for r in rows if r[0] == "山上國小")
    assert remote[5] == "5" and remote[6:12] == ["", "", "", "", "", ""]
    assert remote[12] == "fewer than 5 active students"


def test_no_student_names_at_county_level(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    LearnerGroup.objects.create(
        county=world.counties["A"],
        person=world.people["s53"],
        kind="low_income",
        start_date=dt.date(2025, 9, 1),
    )
    client = world.client("a_staff")
    pages = [client.get(url(world) + PERIOD).content.decode()]
    pages += [
        client.get(url(world) + f"export/{t}.csv" + PERIOD).content.decode("utf-8-sig")
        for t in ("schools", "groups", "districts", "terms", "weeks")
    ]
    for text in pages:
        for name in ["elem_student", "s53", "stu-j1", "stu-r1"]:
            assert name not in text


# --------------------------------------------------------------------------- the page


def test_filters_sorting_and_links(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    client = world.client("a_staff")
    remote = world.schools["A-remote"]
    response = client.get(url(world) + PERIOD + f"&district={remote.district_id}")
    assert [r.label for r in response.context["page"].object_list] == ["山上國小"]
    response = client.get(url(world) + PERIOD + "&stage=junior")
    assert [r.label for r in response.context["page"].object_list] == ["南投國中"]
    response = client.get(url(world) + PERIOD + "&area=remote")
    assert [r.label for r in response.context["page"].object_list] == ["山上國小"]
    response = client.get(url(world) + PERIOD + "&sort=-share")
    assert [r.label for r in response.context["page"].object_list] == [
        "山上國小",
        "南投國中",
        "南投國小",
    ]
    response = client.get(url(world) + PERIOD + "&sort=change")
    assert response.context["page"].object_list[0].label == "南投國中"
    html = response.content.decode()
    # drill-down to the school view, keeping the period
    assert f"/analytics/schools/{remote.public_id}/?period=custom&amp;start=2025-10-06" in html
    assert "▼" in html and "▲" in html
    assert f"/analytics/counties/{world.counties['A'].code}/programmes/?period=custom" in html
    empty = client.get(url(world) + PERIOD + "&stage=senior").content.decode()
    assert "No school matches these filters" in empty


def test_default_period_and_empty_state(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(overview_views, "today", lambda: TODAY)
    response = world.client("a_staff").get(url(world))
    assert response.status_code == 200
    assert response.context["period"].kind == "term"
    assert "No learning records of this county" in response.content.decode()


def test_exports(learning: Any, world: Any) -> None:
    county_scenario(learning, world)
    client = world.client("a_admin")
    rows = _csv(client.get(url(world) + "export/schools.csv" + PERIOD))
    assert rows[0][:3] == ["School", "MOE school code", "District"]
    elem = next(r for r in rows if r[0] == "南投國小")
    assert elem[1:] == [
        "083601",
        "Nantou City",
        "Elementary school",
        "General",
        "11",
        "7",
        "45.5",
        "22.8",
        "13.5",
        "73.3",
        "",
        "",
    ]
    weeks = _csv(client.get(url(world) + "export/weeks.csv" + PERIOD))
    assert [r[0] for r in weeks[1:]] == ["2025-10-06", "2025-10-13"]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(url(world) + "export/all.xlsx" + PERIOD).content))
    assert book.sheetnames == [
        "By school",
        "By district",
        "By school stage",
        "By area category",
        "By learner group",
        "Trend across terms",
        "Weekly trend",
    ]
    one = load_workbook(io.BytesIO(client.get(url(world) + "export/groups.xlsx" + PERIOD).content))
    assert one.sheetnames == ["By learner group"]
    assert client.get(url(world) + "export/people.csv").status_code == 404
    audit = AuditEntry.objects.filter(
        action="report.export", object_id=str(world.counties["A"].public_id)
    )
    assert audit.count() == 4 and {e.detail["table"] for e in audit} == {
        "schools",
        "weeks",
        "all",
        "groups",
    }


# --------------------------------------------------------------------------- who may see it


@pytest.mark.parametrize(
    ("user", "county", "status"),
    [
        ("a_staff", "A", 200),
        ("a_staff", "B", 404),
        ("a_admin", "A", 200),
        ("a_admin", "B", 404),
        ("b_admin", "A", 404),
        ("b_admin", "B", 200),
        ("moe", "A", 200),
        ("moe", "B", 200),
        ("elem_admin", "A", 403),
        ("elem_teacher", "A", 403),
        ("elem_student", "A", 403),
        ("elem_parent", "A", 403),
        ("outsider", "A", 403),
    ],
)
def test_who_may_see_a_county(world: Any, user: str, county: str, status: int) -> None:
    client = world.client(user)
    assert client.get(url(world, county)).status_code == status
    assert client.get(url(world, county) + "export/schools.csv").status_code == status
    assert client.get(url(world, county) + "export/all.xlsx").status_code == status


def test_unknown_county_is_404(world: Any) -> None:
    assert world.client("moe").get("/analytics/counties/99999/").status_code == 404
