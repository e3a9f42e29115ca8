"""The school view: figures on constructed data, suppression per viewer, periods, exports, who
may see it. Also the helpers the county and programme tests build their data with."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dtss.analytics import overview_views
from dtss.analytics.models import Platform
from dtss.analytics.school_selectors import period_from_query, period_make, school_overview
from dtss.analytics.tests.conftest import HOME, stmt
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

TAIPEI = dt.timezone(dt.timedelta(hours=8))
W1 = dt.date(2025, 10, 6)  # Mondays in 114學年度第1學期
W2 = dt.date(2025, 10, 13)
PERIOD = "?period=custom&start=2025-10-06&end=2025-10-19"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def english(settings: Any) -> Any:
    """Pages and files in English, so that the assertions hold whatever the translations."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def enrol(world: Any, school_class: Any, names: list[str]) -> list[Any]:
    """Students (no login) in a class; their external id is their name."""
    seat = school_class.enrollments.count()
    people = []
    for name in names:
        seat += 1
        p = org_services.person_create(county=school_class.county, name=name, external_id=name)
        org_services.enrollment_create(student=p, school_class=school_class, seat_number=seat)
        world.people[name] = p
        people.append(p)
    return people


def new_class(world: Any, school_key: str, grade: int, number: int, term: Any = None) -> Any:
    term = term or org_services.term_get_or_create(roc_year=114, semester=1)
    return org_services.class_create(
        school=world.schools[school_key], term=term, grade=grade, number=number
    )


def learn(
    name: str,
    week: dt.date,
    *,
    seconds: int = 0,
    right: int = 0,
    wrong: int = 0,
    subject: str = "math",
    home: str = HOME,
    scaled: float | None = None,
    day: int = 1,
) -> list[dict[str, Any]]:
    """Statements of one student in one week (on its `day`-th day, 10:00 in Taipei): one record
    of `seconds` learning time (with a score when `scaled`), `right` correct and `wrong` wrong
    answers without time."""
    when = dt.datetime.combine(week + dt.timedelta(days=day), dt.time(10), tzinfo=TAIPEI)
    out = []
    if seconds or scaled is not None:
        verb = "passed" if scaled is not None else "experienced"
        out.append(
            stmt(
                name,
                verb=verb,
                when=when,
                subject=subject,
                seconds=seconds,
                scaled=scaled,
                home=home,
            )
        )
    for success in [True] * right + [False] * wrong:
        out.append(
            stmt(
                name,
                verb="answered",
                success=success,
                when=when,
                subject=subject,
                seconds=None,
                home=home,
            )
        )
    return out


def school_scenario(learning: Any, world: Any) -> dict[str, Any]:
    """A-elem: 5-1 (six students) and 6-1 (five students).

    W1: five of 5-1 learn 600 s maths with 3 right and 1 wrong answers; two of 6-1 learn 300 s
    Chinese (on the platform 因材網) with 2 right. W2: three of 5-1 learn 1500 s with 1 right,
    1 wrong."""
    c51 = world.classes["A-elem 5-1"]
    enrol(world, c51, ["s53", "s54", "s55", "s56"])
    c61 = new_class(world, "A-elem", 6, 1)
    world.classes["A-elem 6-1"] = c61
    enrol(world, c61, ["s61", "s62", "s63", "s64", "s65"])
    platform = Platform.objects.create(
        county=world.counties["A"], name="因材網", kind="adl", account_home_page="https://adl.x"
    )
    batch: list[dict[str, Any]] = []
    for name in ["elem_student", "elem_student2", "s53", "s54", "s55"]:
        batch += learn(name, W1, seconds=600, right=3, wrong=1)
    for name in ["s61", "s62"]:
        batch += learn(name, W1, seconds=300, right=2, subject="chinese", home="https://adl.x")
    for name in ["elem_student", "s53", "s54"]:
        batch += learn(name, W2, seconds=1500, right=1, wrong=1)
    learning.send(batch)
    learning.roll()
    return {"c51": c51, "c61": c61, "platform": platform}


def period(start: str = "2025-10-06", end: str = "2025-10-19") -> Any:
    p, errors = period_from_query(
        {"period": "custom", "start": start, "end": end}, today=dt.date(2025, 11, 12)
    )
    assert not errors
    return p


def figures(row: Any) -> tuple:
    return (
        row.enrolled,
        row.shown_active,
        row.active_share,
        row.minutes_per_active,
        row.correct_rate,
    )


def url(world: Any, school: str = "A-elem") -> str:
    return f"/analytics/schools/{world.schools[school].public_id}/"


# --------------------------------------------------------------------------- figures


def test_figures_for_the_school_administrator(learning: Any, world: Any) -> None:
    data = school_scenario(learning, world)
    o = school_overview(
        school=world.schools["A-elem"], period=period(), user=world.users["elem_admin"]
    )
    assert o.names_visible
    # 11 enrolled; weeks of 7 and 3 active; 8100 s over 10 student-weeks; 22 of 30 right
    assert figures(o.total) == (11, 7, 45.5, 13.5, 73.3)
    assert [figures(r) for r in o.weekly] == [
        (11, 7, 63.6, 8.6, 79.2),  # 3600 s / 7; 19 of 24
        (11, 3, 27.3, 25.0, 50.0),
    ]
    assert [(r.label, *figures(r)) for r in o.grades] == [
        ("Grade 5", 6, 5, 66.7, 15.6, 69.2),  # 8 of 12 student-weeks; 7500 s / 8; 18 of 26
        ("Grade 6", 5, 2, 20.0, 5.0, 100.0),
    ]
    assert [(r.key, *figures(r)) for r in o.classes] == [
        (data["c51"].pk, 6, 5, 66.7, 15.6, 69.2),
        (data["c61"].pk, 5, 2, 20.0, 5.0, 100.0),
    ]
    # an administrator opens every class
    assert o.classes[0].url == f"/analytics/classes/{data['c51'].public_id}/"
    assert o.classes[1].url == f"/analytics/classes/{data['c61'].public_id}/"
    subjects = {r.key: r for r in o.subjects}
    assert subjects["math"].minutes == 125.0 and subjects["math"].active == 5
    assert subjects["math"].extra["share"] == 92.6 and subjects["chinese"].extra["share"] == 7.4
    assert subjects["chinese"].correct_rate == 100.0 and not subjects["chinese"].hidden
    platforms = {r.key: r for r in o.platforms}
    assert platforms[data["platform"].pk].label == "因材網"
    assert platforms[data["platform"].pk].minutes == 10.0
    assert platforms[0].minutes == 125.0


def test_page_shows_the_figures_and_links(learning: Any, world: Any) -> None:
    data = school_scenario(learning, world)
    response = world.client("elem_admin").get(url(world) + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/analytics/classes/{data['c51'].public_id}/" in html
    assert "45.5" in html and "73.3" in html
    assert "<svg" in html and "polyline" in html  # the weekly charts, drawn on the server
    assert "2025-10-06 – 2025-10-19" in html


def test_mean_score_and_an_unknown_grade_of_nobody(learning: Any, world: Any) -> None:
    learning.send(
        learn("elem_student", W1, seconds=60, scaled=0.8) + learn("elem_student2", W1, scaled=0.5)
    )
    learning.roll()
    o = school_overview(
        school=world.schools["A-elem"], period=period(), user=world.users["elem_admin"]
    )
    assert o.total.mean_score == 65.0
    assert [r.label for r in o.grades] == ["Grade 5"]


# --------------------------------------------------------------------------- suppression


def test_county_staff_see_aggregates_with_small_groups_hidden(learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    o = school_overview(
        school=world.schools["A-elem"], period=period(), user=world.users["a_staff"]
    )
    assert not o.names_visible
    # grade 6 has 2 active students: hidden; grade 5 then hidden too, or 2 = total − grade 5
    assert [r.hidden for r in o.grades] == [True, True]
    assert all(r.correct_rate is None and r.shown_active is None for r in o.grades)
    assert [r.hidden for r in o.classes] == [True, True]
    assert all(not r.url for r in o.classes)  # county staff never open a class
    assert not o.total.hidden and o.total.correct_rate == 73.3
    assert [r.hidden for r in o.weekly] == [False, True]  # W2: 3 active students
    assert {r.key: r.hidden for r in o.subjects} == {"math": False, "chinese": True}
    html = world.client("a_staff").get(url(world) + PERIOD).content.decode()
    assert "fewer than 5 active students" in html
    assert "elem_student" not in html and "s61" not in html


def test_a_teacher_sees_their_class_and_the_rest_suppressed(learning: Any, world: Any) -> None:
    data = school_scenario(learning, world)
    o = school_overview(
        school=world.schools["A-elem"], period=period(), user=world.users["elem_teacher"]
    )
    rows = {r.key: r for r in o.classes}
    own, other = rows[data["c51"].pk], rows[data["c61"].pk]
    assert not own.hidden and own.correct_rate == 69.2
    assert own.url == f"/analytics/classes/{data['c51'].public_id}/"
    assert other.hidden and not other.url
    # 6-1 (2 students) could be worked out as the school total minus 5-1: the total is hidden
    assert o.total.hidden and o.total.active_share is None


def test_the_rule_is_stated_on_the_page(learning: Any, world: Any) -> None:
    html = world.client("a_staff").get(url(world) + PERIOD).content.decode()
    assert "How to read these figures" in html
    assert "fewer than 5 active students" in html


# --------------------------------------------------------------------------- periods


def test_default_period_is_this_term(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(overview_views, "today", lambda: dt.date(2025, 10, 22))
    response = world.client("elem_admin").get(url(world))
    p = response.context["period"]
    assert (p.kind, p.first_week, p.last_week) == (
        "term",
        dt.date(2025, 8, 4),
        dt.date(2025, 10, 20),
    )
    assert (p.term.roc_year, p.term.semester) == (114, 1)
    assert p.current_week == dt.date(2025, 10, 20)
    last = world.client("elem_admin").get(url(world) + "?period=4w").context["period"]
    assert (last.first_week, last.last_week) == (dt.date(2025, 9, 29), dt.date(2025, 10, 20))


def test_a_term_chosen_by_code(world: Any) -> None:
    org_services.term_get_or_create(roc_year=113, semester=2)
    p, errors = period_from_query({"term": "113-2"}, today=dt.date(2025, 10, 22))
    assert not errors
    # 2025-02-01 is a Saturday: the first week is the one whose Thursday is in the term
    assert (p.first_week, p.last_week) == (dt.date(2025, 2, 3), dt.date(2025, 7, 28))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?period=custom&start=2025-13-01&end=2025-10-19", "start"),
        ("?period=custom&start=2025-10-06", "end"),
        ("?period=custom&start=2025-10-20&end=2025-10-06", "end"),
        ("?period=custom&start=2024-01-01&end=2025-10-06", "end"),
        ("?period=yearly", "period"),
        ("?term=999-1", "term"),
    ],
    ids=["bad-date", "no-end", "end-before-start", "too-long", "bad-kind", "no-such-term"],
)
def test_bad_period_names_the_field(world: Any, monkeypatch: Any, query: str, field: str) -> None:
    monkeypatch.setattr(overview_views, "today", lambda: dt.date(2025, 10, 22))
    response = world.client("elem_admin").get(url(world) + query)
    assert response.status_code == 200
    assert field in response.context["errors"]
    assert response.context["period"].kind == "term"  # the default, shown instead
    assert "ov-errors" in response.content.decode()


def test_weeks_of_a_custom_period_are_whole_weeks(world: Any) -> None:
    p = period("2025-10-08", "2025-10-14")  # Wednesday to Tuesday
    assert p.weeks == [W1, W2] and p.start == W1 and p.end == dt.date(2025, 10, 19)
    assert period_make("custom", W2, W2).previous().weeks == [W1]


# --------------------------------------------------------------------------- bounded reads


def test_reads_of_student_weeks_use_the_school_week_index(learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    with CaptureQueriesContext(connection) as ctx:
        school_overview(
            school=world.schools["A-elem"], period=period(), user=world.users["elem_admin"]
        )
    reads = [q["sql"] for q in ctx.captured_queries if "analytics_studentweek" in q["sql"]]
    assert reads
    for sql in reads:
        where = sql.split("WHERE", 1)[1]
        assert '"school_id" =' in where and '"week" >=' in where and '"week" <=' in where
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)  # Django inlined the parameters
                plan = " ".join(str(r) for r in cursor.fetchall())
            assert "analytics_sw_school" in plan
    assert len(ctx.captured_queries) < 20


# --------------------------------------------------------------------------- exports


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_exports_csv_and_xlsx(learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    client = world.client("elem_admin")
    base = url(world) + "export/"
    response = client.get(base + "classes.csv" + PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:4] == ["Group", "Enrolled", "Active students", "Weekly active share (%)"]
    assert rows[1][1:6] == ["6", "5", "66.7", "15.6", "69.2"]
    assert rows[2][1:6] == ["5", "2", "20.0", "5.0", "100.0"]
    grades = _csv(client.get(base + "grades.csv" + PERIOD))
    assert [r[0] for r in grades[1:]] == ["Grade 5", "Grade 6"]
    weeks = _csv(client.get(base + "weeks.csv" + PERIOD))
    assert [r[0] for r in weeks[1:]] == ["2025-10-06", "2025-10-13"]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(base + "all.xlsx" + PERIOD).content))
    assert book.sheetnames == ["Weekly trend", "By grade", "By class", "By subject", "By platform"]
    sheet = book["By class"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values.index(
        [
            "Group",
            "Enrolled",
            "Active students",
            "Weekly active share (%)",
            "Minutes per active student per week",
            "Correct rate (%)",
            "Mean score (%)",
            "Note",
        ]
    )
    assert values[header + 1][1:6] == [6, 5, 66.7, 15.6, 69.2]
    one = load_workbook(io.BytesIO(client.get(base + "subjects.xlsx" + PERIOD).content))
    assert one.sheetnames == ["By subject"]
    entries = AuditEntry.objects.filter(
        action="report.export", object_id=str(world.schools["A-elem"].public_id)
    )
    assert entries.count() == 5
    assert entries.first().detail["what"] == "analytics_school"


def test_exports_carry_the_viewers_suppression(learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    rows = _csv(world.client("a_staff").get(url(world) + "export/classes.csv" + PERIOD))
    assert rows[1][2:7] == ["", "", "", "", ""]
    assert rows[1][7] == "fewer than 5 active students"
    assert rows[1][1] == "6"  # the enrolled count is not a learning figure: always shown


@pytest.mark.parametrize(
    "tail", ["nothing.csv", "classes.pdf", "all.csv"], ids=["table", "format", "all-csv"]
)
def test_unknown_exports_are_404(world: Any, tail: str) -> None:
    assert world.client("elem_admin").get(url(world) + "export/" + tail).status_code == 404


# --------------------------------------------------------------------------- who may see it


@pytest.mark.parametrize(
    ("user", "school", "status"),
    [
        ("elem_admin", "A-elem", 200),
        ("elem_admin", "A-junior", 404),
        ("junior_admin", "A-elem", 404),
        ("elem_teacher", "A-elem", 200),
        ("elem_teacher", "A-junior", 404),
        ("elem_teacher", "B-elem", 404),
        ("a_staff", "A-elem", 200),
        ("a_staff", "A-junior", 200),
        ("a_staff", "B-elem", 404),
        ("a_admin", "B-elem", 404),
        ("b_admin", "A-elem", 404),
        ("b_admin", "B-elem", 200),
        ("b_teacher", "A-elem", 404),
        ("moe", "A-elem", 200),
        ("moe", "B-elem", 200),
        ("elem_student", "A-elem", 403),
        ("elem_parent", "A-elem", 403),
        ("b_student", "A-elem", 403),
        ("outsider", "A-elem", 403),
    ],
)
def test_who_may_see_a_school(world: Any, user: str, school: str, status: int) -> None:
    client = world.client(user)
    assert client.get(url(world, school)).status_code == status
    assert client.get(url(world, school) + "export/classes.csv").status_code == status
    assert client.get(url(world, school) + "export/all.xlsx").status_code == status


def test_anonymous_and_unknown_school(world: Any) -> None:
    from django.test import Client

    response = Client().get(url(world))
    assert response.status_code == 302 and "/login" in response["Location"]
    missing = "/analytics/schools/00000000-0000-0000-0000-000000000000/"
    assert world.client("moe").get(missing).status_code == 404


def test_empty_state(world: Any) -> None:
    html = world.client("elem_admin").get(url(world) + PERIOD).content.decode()
    assert "No learning records of this school" in html
