"""The programme view (L6.A3): participants before and after their own start, against
non-participants of the same grade in the same weeks; counts, suppression, the pseudonymous
list, exports and who may see what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dtss.analytics import overview_views
from dtss.analytics.access import pseudonym
from dtss.analytics.models import LearnerGroup
from dtss.analytics.programme_selectors import programme_view
from dtss.analytics.tests.test_school_view import (  # noqa: F401  (english: autouse fixture)
    _csv,
    english,
    enrol,
    learn,
    new_class,
    period,
)
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

TODAY = dt.date(2025, 11, 12)
START = dt.date(2025, 10, 15)  # a Wednesday: week 0 is 2025-10-13
BEFORE = [dt.date(2025, 9, 29), dt.date(2025, 10, 6)]
WEEK0 = dt.date(2025, 10, 13)
AFTER = [dt.date(2025, 10, 20), dt.date(2025, 10, 27)]
PARTICIPANTS = ["elem_student", "elem_student2", "stu-p3", "stu-p4", "stu-p5"]
OTHERS = ["stu-n1", "stu-n2", "stu-n3", "stu-n4", "stu-n5"]
QUERY = "?programme=learning_support&weeks=2&period=custom&start=2025-10-01&end=2025-11-09"


@pytest.fixture(autouse=True)
def _today(monkeypatch: Any) -> None:
    monkeypatch.setattr(overview_views, "today", lambda: TODAY)


def join(world: Any, names: list[str], kind: str, start: dt.date) -> None:
    for name in names:
        LearnerGroup.objects.create(
            county=world.counties["A"], person=world.people[name], kind=kind, start_date=start
        )


def scenario(learning: Any, world: Any) -> None:
    """Grade 5: five participants of 學習扶助 from 2025-10-15 (in 5-1), five others (5-2), one
    participant who joined too recently (5-3), one in no class; grade 6 busy all along.

    Participants: before, active in one of the two weeks (600 s, 1 right 1 wrong); after, in
    both (1200 s, 3 right 1 wrong). Others: before, two of five active each week (600 s, 1
    right 1 wrong); after, four of five (600 s, 2 right). Week 0 is busy for everyone and must
    not count."""
    enrol(world, world.classes["A-elem 5-1"], PARTICIPANTS[2:])
    enrol(world, new_class(world, "A-elem", 5, 2), OTHERS)
    enrol(world, new_class(world, "A-elem", 5, 3), ["stu-late"])
    enrol(world, new_class(world, "A-elem", 6, 1), ["stu-g1", "stu-g2", "stu-g3"])
    world.people["stu-noclass"] = org_services.person_create(
        county=world.counties["A"], name="stu-noclass", external_id="stu-noclass"
    )
    join(world, [*PARTICIPANTS, "stu-noclass"], "learning_support", START)
    join(world, ["stu-late"], "learning_support", dt.date(2025, 11, 5))
    batch: list[dict[str, Any]] = []
    for name in PARTICIPANTS:
        batch += learn(name, BEFORE[1], seconds=600, right=1, wrong=1)
        batch += learn(name, WEEK0, seconds=3000, right=5)
        for week in AFTER:
            batch += learn(name, week, seconds=1200, right=3, wrong=1)
    for week in BEFORE:
        for name in OTHERS[:2]:
            batch += learn(name, week, seconds=600, right=1, wrong=1)
    for week in AFTER:
        for name in OTHERS[:4]:
            batch += learn(name, week, seconds=600, right=2)
    batch += learn(OTHERS[4], WEEK0, seconds=3000, right=4)
    for week in [*BEFORE, WEEK0, *AFTER]:
        for name in ["stu-g1", "stu-g2", "stu-g3", "stu-late"]:
            batch += learn(name, week, seconds=2400, right=1, wrong=3)
    learning.send(batch)
    learning.roll()


def view(world: Any, kind: str = "learning_support", weeks: int = 2) -> Any:
    return programme_view(
        county=world.counties["A"],
        kind=kind,
        period=period("2025-10-01", "2025-11-09"),
        weeks=weeks,
        today=TODAY,
    )


def url(world: Any) -> str:
    return f"/analytics/counties/{world.counties['A'].code}/programmes/"


# --------------------------------------------------------------------------- figures


def test_before_and_after_against_the_comparison(learning: Any, world: Any) -> None:
    scenario(learning, world)
    v = view(world)
    assert (v.too_recent, v.no_class, len(v.participants)) == (1, 1, 6)
    overall, grade5 = v.rows
    assert (overall.label, overall.active, overall.comparison_size) == ("All participants", 5, 5)
    assert not overall.hidden
    lines = {line["metric"]: line for line in overall.lines()}
    # participants: 3000 s over 10 person-weeks, then 12000 s; 5 then 10 of 10 weeks active
    assert lines["minutes"] == {
        "metric": "minutes",
        "label": "Minutes per week",
        "p_before": 5.0,
        "p_after": 20.0,
        "p_change": 15.0,
        "c_before": 4.0,  # 1200 s a week among five others: 240 s each
        "c_after": 8.0,
        "c_change": 4.0,
        "did": 11.0,
    }
    assert [lines["active_share"][k] for k in ("p_before", "p_after", "c_before", "c_after")] == [
        50.0,
        100.0,
        40.0,
        80.0,
    ]
    assert lines["active_share"]["did"] == 10.0
    assert [lines["correct_rate"][k] for k in ("p_before", "p_after", "c_before", "c_after")] == [
        50.0,
        75.0,
        50.0,
        100.0,
    ]
    assert lines["correct_rate"]["did"] == -25.0
    assert grade5.label == "Grade 5" and grade5.lines() == overall.lines()


def test_each_participant_before_and_after(learning: Any, world: Any) -> None:
    scenario(learning, world)
    v = view(world)
    by_id = {p.person_id: p for p in v.participants}
    p = by_id[world.people["stu-p3"].pk]
    assert p.pseudonym == pseudonym(world.people["stu-p3"].pk)
    assert (p.grade, p.start_week) == (5, WEEK0)
    assert (p.before.minutes, p.before.active_weeks, p.before.correct_rate) == (5.0, 1, 50.0)
    assert (p.after.minutes, p.after.active_weeks, p.after.correct_rate) == (20.0, 2, 75.0)
    assert p.change("minutes") == 15.0
    lost = by_id[world.people["stu-noclass"].pk]
    assert lost.grade is None and lost.before.active_weeks == 0


def test_windows_follow_each_participants_own_start(learning: Any, world: Any) -> None:
    """Two participants a week apart: each is measured on their own weeks."""
    scenario(learning, world)
    LearnerGroup.objects.filter(person=world.people["stu-p4"]).update(
        start_date=dt.date(2025, 10, 8)  # week 0 = 10-06: before 09-22, 09-29; after 10-13, 10-20
    )
    p = next(p for p in view(world).participants if p.person_id == world.people["stu-p4"].pk)
    assert p.start_week == dt.date(2025, 10, 6)
    assert (p.before.active_weeks, p.before.minutes) == (0, 0.0)
    assert (p.after.active_weeks, p.after.minutes) == (2, 35.0)  # 3000 s + 1200 s over 2 weeks


def test_the_comparison_cohort_moves_up_a_grade_with_the_year(learning: Any, world: Any) -> None:
    """A grade-5 participant who starts in August is compared, in the July weeks before, with
    grade 4 of the term before."""
    spring = org_services.term_get_or_create(roc_year=113, semester=2)
    younger = ["stu-m1", "stu-m2", "stu-m3", "stu-m4", "stu-m5"]
    enrol(world, new_class(world, "A-elem", 4, 1, term=spring), younger)
    join(world, ["elem_student"], "learning_support", dt.date(2025, 8, 20))
    batch = [s for n in younger for s in learn(n, dt.date(2025, 7, 21), seconds=600)]
    batch += learn("elem_student2", dt.date(2025, 8, 4), seconds=1200)
    learning.send(batch)
    learning.roll()
    v = programme_view(
        county=world.counties["A"],
        kind="learning_support",
        period=period("2025-08-01", "2025-08-31"),
        weeks=4,
        today=TODAY,
    )
    overall = v.rows[0]
    assert overall.hidden  # one participant
    # weeks 07-21 and 07-28 (113-2, grade 4: 3000 s among 5) and 08-04, 08-11 (114-1, grade 5:
    # elem_student2 alone, 1200 s)
    assert overall.c_before.pairs == 4
    assert overall.c_before.minutes == 7.5


# --------------------------------------------------------------------------- suppression


def test_small_programmes_are_suppressed(learning: Any, world: Any) -> None:
    scenario(learning, world)
    join(world, PARTICIPANTS[:3], "digital_companion", START)
    v = view(world, kind="digital_companion")
    assert v.rows and all(r.hidden for r in v.rows)
    assert all(set(line) == {"metric", "label"} for line in v.rows[0].lines())
    client = world.client("a_staff")
    q = QUERY.replace("learning_support", "digital_companion")
    html = client.get(url(world) + q).content.decode()
    assert "fewer than 5 participants" in html
    rows = _csv(client.get(url(world) + "export/summary.csv" + q))
    assert rows[1][0] == "All participants" and rows[1][1:3] == ["", ""]
    assert rows[1][4:11] == [""] * 7 and rows[1][11] == "fewer than 5 participants"


# --------------------------------------------------------------------------- the page


def test_page_for_county_staff_lists_pseudonyms(learning: Any, world: Any) -> None:
    scenario(learning, world)
    response = world.client("a_staff").get(url(world) + QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Difference in differences" in html and "11.0" in html and "-25.0" in html
    assert pseudonym(world.people["stu-p3"].pk) in html
    for name in PARTICIPANTS + OTHERS:
        assert name not in html
    entry = AuditEntry.objects.get(action="analytics.programme.participants")
    assert entry.detail["programme"] == "learning_support" and entry.detail["shown"] == 6
    # the pseudonym search
    one = pseudonym(world.people["stu-p4"].pk)
    found = world.client("a_staff").get(url(world) + QUERY + "&q=" + one.lower())
    assert [p.pseudonym for p in found.context["page"].object_list] == [one]


def test_moe_sees_aggregates_but_no_participant_list(learning: Any, world: Any) -> None:
    scenario(learning, world)
    client = world.client("moe")
    html = client.get(url(world) + QUERY).content.decode()
    assert "Difference in differences" in html
    assert pseudonym(world.people["stu-p3"].pk) not in html
    assert "The list of participants is for the county's own staff." in html
    assert client.get(url(world) + "export/summary.csv" + QUERY).status_code == 200
    assert client.get(url(world) + "export/participants.csv" + QUERY).status_code == 403
    assert not AuditEntry.objects.filter(action="analytics.programme.participants").exists()


def test_exports(learning: Any, world: Any) -> None:
    scenario(learning, world)
    client = world.client("a_admin")
    summary = _csv(client.get(url(world) + "export/summary.csv" + QUERY))
    assert summary[0][:4] == ["Group", "Participants", "Comparison students", "Measure"]
    assert summary[1] == [
        "All participants",
        "5",
        "5",
        "Minutes per week",
        "5.0",
        "20.0",
        "15.0",
        "4.0",
        "8.0",
        "4.0",
        "11.0",
        "",
    ]
    people = _csv(client.get(url(world) + "export/participants.csv" + QUERY))
    assert len(people) == 7  # header and six participants
    row = next(r for r in people if r[0] == pseudonym(world.people["stu-p3"].pk))
    assert row[1:] == ["5", "2025-10-15", "5.0", "20.0", "1", "2", "50.0", "75.0"]
    assert client.get(url(world) + "export/all.xlsx" + QUERY).status_code == 200
    assert AuditEntry.objects.filter(action="report.export").count() == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [("?programme=bogus", "programme"), ("?weeks=0", "weeks"), ("?weeks=x", "weeks")],
    ids=["programme", "weeks-zero", "weeks-text"],
)
def test_bad_parameters_name_the_field(world: Any, query: str, field: str) -> None:
    response = world.client("a_staff").get(url(world) + query)
    assert response.status_code == 200 and field in response.context["errors"]


def test_empty_state(world: Any) -> None:
    html = world.client("a_staff").get(url(world)).content.decode()
    assert "No participant of this programme started in this period" in html


# --------------------------------------------------------------------------- who may see it


@pytest.mark.parametrize(
    ("user", "county", "status"),
    [
        ("a_staff", "A", 200),
        ("a_staff", "B", 404),
        ("b_admin", "A", 404),
        ("moe", "B", 200),
        ("elem_admin", "A", 403),
        ("elem_teacher", "A", 403),
        ("elem_student", "A", 403),
        ("elem_parent", "A", 403),
        ("outsider", "A", 403),
    ],
)
def test_who_may_see_a_programme(world: Any, user: str, county: str, status: int) -> None:
    base = f"/analytics/counties/{world.counties[county].code}/programmes/"
    client = world.client(user)
    assert client.get(base).status_code == status
    assert client.get(base + "export/summary.csv").status_code == status
