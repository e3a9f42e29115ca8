"""One student's learning page and /analytics/me/: content from real rollups, who sees it (and
under which name), the audit log, the staff export and the parent's chooser.

The page is asked for a fixed week (?week=2025-10-13, in the world's term 114-1) so nothing
depends on the day the tests run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from dtss.analytics import access
from dtss.analytics import student_selectors as sel
from dtss.analytics.models import Platform
from dtss.analytics.tests.conftest import stmt
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

WEEK = dt.date(2025, 10, 13)  # a Monday
PREV = dt.date(2025, 10, 6)


def at(day: dt.date, hour: int = 1) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)


def _url(world: Any, name: str = "elem_student", page: str = "student_detail") -> str:
    return reverse(f"analytics:{page}", args=[world.people[name].public_id])


@pytest.fixture
def student_data(learning: Any, world: Any) -> Any:
    """elem_student on 因材網 (registered) and from an unregistered source:
    - week of 10-06: 因材網 math video 30 min on 10-07;
    - week of 10-13: 因材網 math 4 answers (3 correct) on 10-14, 因材網 english video 10 min
      on 10-16, other source science 5 min on 10-16.
    elem_student2 has a record too (never shown on elem_student's page)."""
    Platform.objects.create(
        county=world.counties["A"],
        name="因材網",
        kind="adl",
        account_home_page="https://adl.edu.tw",
    )
    s = [stmt("elem_student", seconds=1800, when=at(dt.date(2025, 10, 7)))]
    s += [
        stmt(
            "elem_student",
            verb="answered",
            success=i < 3,
            seconds=60,
            when=at(dt.date(2025, 10, 14)),
        )
        for i in range(4)
    ]
    s.append(
        stmt(
            "elem_student",
            seconds=600,
            subject="english",
            completion=True,
            when=at(dt.date(2025, 10, 16)),
        )
    )
    s.append(
        stmt(
            "elem_student",
            seconds=300,
            subject="science",
            home="https://other.example.org",
            when=at(dt.date(2025, 10, 16)),
        )
    )
    s.append(stmt("elem_student2", seconds=4200, when=at(dt.date(2025, 10, 14))))
    learning.send(s)
    learning.roll()
    return world


# --------------------------------------------------------------------------- content


def test_report_from_real_rollups(student_data: Any) -> None:
    world = student_data
    r = sel.student_report(
        person=world.people["elem_student"],
        week=dt.date(2025, 10, 15),  # any day of the week
        today=dt.date(2025, 11, 30),
        language="en",
    )
    assert r.week == WEEK and r.previous_week == PREV and r.next_week == dt.date(2025, 10, 20)
    assert not r.in_progress
    tw, lw = r.this_week, r.last_week
    assert (tw.minutes, tw.active_days, tw.events, tw.completions) == (19.0, 2, 6, 1)
    assert tw.correct_rate == 75.0
    assert (lw.minutes, lw.active_days, lw.events) == (30.0, 1, 1)
    assert r.changes["minutes"].delta == -11.0 and r.changes["minutes"].direction == "down"
    assert r.changes["active_days"].direction == "up"
    assert r.changes["correct_rate"].delta is None  # no answers the week before
    # term 114-1 starts 2025-08-01 (a Friday): weeks from Monday 07-28 to the chosen week
    assert r.term is not None and r.span_start == dt.date(2025, 8, 1)
    assert r.weeks[0][0] == dt.date(2025, 7, 28) and r.weeks[-1][0] == WEEK
    assert [s.minutes for w, s in r.weeks if s.events] == [30.0, 19.0]
    subjects = {p.key: p for p in r.subjects}
    assert subjects["math"].sums.minutes == 34.0 and subjects["math"].label == "Mathematics"
    assert subjects["english"].sums.completions == 1
    assert round(sum(p.share for p in r.subjects)) == 100
    platforms = {p.label: p.sums.minutes for p in r.platforms}
    assert platforms == {"因材網": 44.0, "Other sources": 5.0}
    # 14 days to the end of the chosen week, newest first; a day per platform × subject
    assert r.days[0].day == dt.date(2025, 10, 19) and r.days[-1].day == dt.date(2025, 10, 6)
    day16 = next(d for d in r.days if d.day == dt.date(2025, 10, 16))
    assert day16.minutes == 15.0 and len(day16.parts) == 2
    assert {(p.platform, p.subject) for p in day16.parts} == {
        ("因材網", "English"),
        ("Other sources", "Natural sciences"),
    }


def test_the_page_for_the_student_themself(student_data: Any) -> None:
    world = student_data
    r = world.client("elem_student").get(_url(world), {"week": "2025-10-13"})
    assert r.status_code == 200
    html = r.content.decode()
    assert r.context["how"] == "self"
    assert 'data-week="2025-10-13"' in html and 'href="?week=2025-10-06"' in html
    assert 'data-day="2025-10-16"' in html and "因材網" in html
    # days without records are folded into runs: 10-17..10-19, 10-15, 10-08..10-13, 10-06
    assert [e.get("first") or e["day"].day for e in r.context["r"].timeline] == [
        dt.date(2025, 10, 17),
        dt.date(2025, 10, 16),
        dt.date(2025, 10, 15),
        dt.date(2025, 10, 14),
        dt.date(2025, 10, 8),
        dt.date(2025, 10, 7),
        dt.date(2025, 10, 6),
    ]
    assert 'data-quiet="2025-10-08/2025-10-13"' in html
    assert 'id="export-csv"' not in html  # the export is for staff
    assert not AuditEntry.objects.filter(action="analytics.student_view").exists()


def test_a_week_in_the_future_shows_this_week_and_a_bad_week_is_named(student_data: Any) -> None:
    world = student_data
    client = world.client("elem_student")
    r = client.get(_url(world), {"week": "2999-01-01"})
    assert r.context["r"].week <= dt.date.today()
    assert r.context["r"].next_week is None
    r = client.get(_url(world), {"week": "last-tuesday"})
    assert r.status_code == 200 and 'id="week-error"' in r.content.decode()


def test_a_student_without_records_gets_the_empty_state(world: Any) -> None:
    r = world.client("elem_student2").get(_url(world, "elem_student2"), {"week": "2025-10-13"})
    assert r.status_code == 200 and 'id="no-learning"' in r.content.decode()


# --------------------------------------------------------------------------- access


STUDENT_ACCESS = [
    ("elem_student", "elem_student", 200, "self"),
    ("elem_parent", "elem_student", 200, "parent"),
    ("elem_teacher", "elem_student", 200, "staff"),
    ("elem_admin", "elem_student", 200, "staff"),
    ("a_staff", "elem_student", 200, "county"),
    ("a_admin", "elem_student", 200, "county"),
    ("elem_parent", "elem_student2", 404, ""),
    ("elem_student", "elem_student2", 404, ""),
    ("elem_student2", "elem_student", 404, ""),
    ("junior_teacher", "elem_student", 404, ""),
    ("junior_admin", "elem_student", 404, ""),
    ("b_admin", "elem_student", 404, ""),
    ("b_teacher", "elem_student", 404, ""),
    ("b_parent", "elem_student", 404, ""),
    ("moe", "elem_student", 404, ""),
    ("outsider", "elem_student", 404, ""),
    ("elem_teacher", "b_student", 404, ""),
    ("a_staff", "b_student", 404, ""),
    ("a_staff", "elem_teacher", 404, ""),  # not a student: no county page either
    ("b_teacher", "b_student", 200, "staff"),
]


@pytest.mark.parametrize(
    ("user", "student", "status", "how"),
    STUDENT_ACCESS,
    ids=[f"{u}-{s}" for u, s, _st, _h in STUDENT_ACCESS],
)
def test_who_sees_a_student(
    student_data: Any, user: str, student: str, status: int, how: str
) -> None:
    world = student_data
    r = world.client(user).get(_url(world, student), {"week": "2025-10-13"})
    assert r.status_code == status
    entries = AuditEntry.objects.filter(
        action="analytics.student_view", object_id=str(world.people[student].public_id)
    )
    if status == 200:
        assert r.context["how"] == how
        # every staff or county view is in the audit log; the family's own views are not
        assert entries.count() == (1 if how in ("staff", "county") else 0)
        if how in ("staff", "county"):
            entry = entries.get()
            assert entry.actor == world.users[user] and entry.detail["access"] == how
    else:
        assert not entries.exists()


def test_county_staff_see_a_pseudonym_only(student_data: Any) -> None:
    world = student_data
    person = world.people["elem_student"]
    r = world.client("a_staff").get(_url(world), {"week": "2025-10-13"})
    html = r.content.decode()
    assert access.pseudonym(person.pk) in html
    assert person.name not in html
    assert world.schools["A-elem"].name not in html
    assert 'id="pseudonymous"' in html and 'id="student-class"' not in html
    entry = AuditEntry.objects.get(action="analytics.student_view")
    assert entry.school == world.schools["A-elem"] and entry.county == world.counties["A"]


def test_staff_see_the_name_class_and_seat(student_data: Any) -> None:
    world = student_data
    html = world.client("elem_teacher").get(_url(world)).content.decode()
    assert "elem_student" in html and 'id="student-class"' in html
    assert reverse("analytics:class_detail", args=[world.classes["A-elem 5-1"].public_id]) in html
    assert 'id="export-csv"' in html


# --------------------------------------------------------------------------- export


def test_staff_export_every_day_of_the_term(student_data: Any) -> None:
    world = student_data
    r = world.client("elem_teacher").get(
        _url(world, page="student_export_csv"), {"week": "2025-10-13"}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8").lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert len(header) == 11
    assert [b[0] for b in body] == ["2025-10-07", "2025-10-14", "2025-10-16", "2025-10-16"]
    assert body[1][1] == "因材網" and body[1][3:10] == ["4.0", "4", "0", "0", "4", "3", "75.0"]
    entry = AuditEntry.objects.get(action="analytics.student_view")
    assert entry.detail["format"] == "csv" and entry.detail["rows"] == 4


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("elem_admin", 200),
        ("elem_student", 403),
        ("elem_parent", 403),
        ("a_staff", 403),
        ("junior_teacher", 404),
        ("b_admin", 404),
        ("outsider", 404),
    ],
    ids=lambda v: str(v),
)
def test_who_may_export_a_student(student_data: Any, user: str, status: int) -> None:
    world = student_data
    r = world.client(user).get(_url(world, page="student_export_csv"))
    assert r.status_code == status


# --------------------------------------------------------------------------- /me/


def test_me_sends_a_student_to_their_page(world: Any) -> None:
    r = world.client("elem_student").get(reverse("analytics:student_me"))
    assert r.status_code == 302 and r["Location"] == _url(world, "elem_student")


def test_me_sends_a_parent_of_one_child_to_the_child(world: Any) -> None:
    r = world.client("elem_parent").get(reverse("analytics:student_me"))
    assert r.status_code == 302 and r["Location"] == _url(world, "elem_student")


def test_me_lists_children_at_two_schools(student_data: Any) -> None:
    world = student_data
    kid = org_services.person_create(
        county=world.counties["A"], name="junior_kid", external_id="junior_kid"
    )
    org_services.enrollment_create(
        student=kid, school_class=world.classes["A-junior 7-1"], seat_number=5
    )
    org_services.guardianship_create(
        parent=world.people["elem_parent"], child=kid, relation="mother"
    )
    world.people["junior_kid"] = kid
    client = world.client("elem_parent")
    r = client.get(reverse("analytics:student_me"))
    assert r.status_code == 200
    html = r.content.decode()
    lines = r.context["lines"]
    assert [line.person.name for line in lines] == ["elem_student", "junior_kid"]
    assert {line.enrollment.school for line in lines} == {
        world.schools["A-elem"],
        world.schools["A-junior"],
    }
    assert _url(world, "elem_student") in html and _url(world, "junior_kid") in html
    assert world.schools["A-junior"].name in html and world.schools["A-elem"].name in html
    # both children's pages open for the parent; the chooser is linked from them
    for name in ("elem_student", "junior_kid"):
        page = client.get(_url(world, name))
        assert page.status_code == 200 and page.context["how"] == "parent"
        assert reverse("analytics:student_me") in page.content.decode()
    assert client.get(_url(world, "elem_student2")).status_code == 404


@pytest.mark.parametrize("user", ["elem_teacher", "a_staff", "outsider"])
def test_me_without_learning_of_ones_own(world: Any, user: str) -> None:
    r = world.client(user).get(reverse("analytics:student_me"))
    assert r.status_code == 200 and 'id="no-learning-account"' in r.content.decode()
