"""Attendance reports count right: periods (records) or days (per student, dates with any such
record) per the school's setting; the class report, the school report (per class, by day /
week / month, the 缺曠高風險 list), its CSV, and who may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from dtss.homeschool import attendance_selectors as sel
from dtss.homeschool import services
from dtss.homeschool.models import HomeschoolSettings, LeaveType, Period
from dtss.homeschool.tests.factories import MONDAY, make_leave, setup

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + dt.timedelta(days=1)


def mark(
    world: Any, day: dt.date, student: str, codes: list[str], status: str, t: str = ""
) -> None:
    setup(world)
    school = world.schools["A-elem"]
    ltype = LeaveType.objects.get(school=school, code=t) if t else None
    services.attendance_set(
        user=world.users["elem_teacher"],
        school_class=world.classes["A-elem 5-1"],
        date=day,
        marks={
            (world.people[student].pk, Period.objects.get(school=school, code=c).pk): (
                status,
                ltype,
                "",
            )
            for c in codes
        },
    )


def count_in(world: Any, days: bool) -> None:
    school = world.schools["A-elem"]
    HomeschoolSettings.objects.update_or_create(
        school=school, defaults={"county": school.county, "count_in_days": days}
    )


@pytest.fixture
def records(world: Any) -> Any:
    """elem_student: sick p1+p2 Monday (approved leave), personal p3 Monday, unexcused p5
    Monday and p5+p6 Tuesday, late p1 Tuesday; elem_student2: unexcused p1 Tuesday."""
    leave = make_leave(world, periods=["p1", "p2"])
    services.leave_decide(user=world.users["elem_teacher"], leave=leave, approve=True)
    mark(world, MONDAY, "elem_student", ["p3"], "leave", "personal")
    mark(world, MONDAY, "elem_student", ["p5"], "unexcused")
    mark(world, TUESDAY, "elem_student", ["p5", "p6"], "unexcused")
    mark(world, TUESDAY, "elem_student", ["p1"], "late")
    mark(world, TUESDAY, "elem_student2", ["p1"], "unexcused")
    return world


def _line(report: Any, key: str, world: Any) -> Any:
    return next(x for x in report.lines if x.student == world.people[key])


def test_class_report_in_periods_and_days(records: Any) -> None:
    world = records
    klass = world.classes["A-elem 5-1"]
    count_in(world, False)
    report = sel.class_report(school_class=klass, start=MONDAY, end=TUESDAY)
    one = _line(report, "elem_student", world)
    types = [t.code for t in report.leave_types]
    assert dict(zip(types, one.by_type, strict=True))["sick"] == 2
    assert dict(zip(types, one.by_type, strict=True))["personal"] == 1
    assert (one.leave, one.unexcused, one.late) == (3, 3, 1)
    assert (report.totals.unexcused, report.totals.late) == (4, 1)
    count_in(world, True)
    report = sel.class_report(school_class=klass, start=MONDAY, end=TUESDAY)
    one = _line(report, "elem_student", world)
    assert dict(zip(types, one.by_type, strict=True))["sick"] == 1
    assert dict(zip(types, one.by_type, strict=True))["personal"] == 1
    # sick and personal leave on the same Monday: one day of leave in total
    assert (one.leave, one.unexcused, one.late) == (1, 2, 1)
    assert _line(report, "elem_student2", world).unexcused == 1
    assert report.totals.unexcused == 3
    # a range without the Tuesday
    report = sel.class_report(school_class=klass, start=MONDAY, end=MONDAY)
    assert _line(report, "elem_student", world).unexcused == 1


def test_class_report_page(records: Any) -> None:
    world = records
    count_in(world, False)
    url = reverse(
        "homeschool:attendance_class_report", args=[world.classes["A-elem 5-1"].public_id]
    )
    resp = world.client("elem_teacher").get(url + f"?from={MONDAY}&to={TUESDAY}")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-unit="periods"' in html and '<td class="num" data-col="unexcused">3</td>' in html
    bad = world.client("elem_teacher").get(url + f"?from={TUESDAY}&to={MONDAY}")
    assert bad.status_code == 400 and 'data-field="to"' in bad.content.decode()
    assert world.client("elem_parent").get(url).status_code == 403
    for key in ("b_teacher", "b_parent", "junior_admin", "b_admin"):
        assert world.client(key).get(url).status_code == 404, key


def test_school_report_and_risk(records: Any) -> None:
    world = records
    school = world.schools["A-elem"]
    count_in(world, False)
    report = sel.school_report(school=school, start=MONDAY, end=TUESDAY, group="day")
    line = next(c for c in report.classes if c.school_class == world.classes["A-elem 5-1"])
    assert (line.students, line.leave, line.unexcused, line.late) == (2, 3, 4, 1)
    assert [(b.start, b.leave, b.unexcused, b.late) for b in report.buckets] == [
        (MONDAY, 3, 1, 0),
        (TUESDAY, 0, 3, 1),
    ]
    week = sel.school_report(school=school, start=MONDAY, end=TUESDAY, group="week")
    assert [(b.start, b.unexcused) for b in week.buckets] == [(MONDAY, 4)]
    assert [(r.student, r.unexcused_periods, r.unexcused_days) for r in report.risk] == [
        (world.people["elem_student"], 3, 2),
        (world.people["elem_student2"], 1, 1),
    ]
    assert report.risk[0].homeroom == "elem_teacher"
    count_in(world, True)
    month = sel.school_report(school=school, start=MONDAY, end=TUESDAY, group="month")
    assert [(b.start, b.leave, b.unexcused) for b in month.buckets] == [
        (MONDAY.replace(day=1), 1, 3)
    ]


def test_school_pages_and_csv(records: Any) -> None:
    world = records
    school = world.schools["A-elem"]
    count_in(world, False)
    url = reverse("homeschool:attendance_school", args=[school.public_id])
    csv_url = reverse("homeschool:attendance_school_csv", args=[school.public_id])
    admin = world.client("elem_admin")
    resp = admin.get(url + f"?from={MONDAY}&to={TUESDAY}&group=week")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f'data-student="{world.people["elem_student"].public_id}"' in html
    assert f'data-bucket="{MONDAY}"' in html
    resp = admin.get(csv_url + f"?from={MONDAY}&to={TUESDAY}")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    body = resp.content.decode("utf-8")
    assert body.startswith("\ufeff") and "5年01班,elem_teacher,2,3,4,1" in body
    assert "elem_student" not in body  # per class totals only: no child's name
    assert admin.get(url + "?from=bad").status_code == 400
    assert admin.get(csv_url + "?from=bad").status_code == 400
    # the school's administrators only: teachers and families 403; another school 404
    for key in ("elem_teacher", "elem_parent", "elem_student"):
        assert world.client(key).get(url).status_code == 403, key
        assert world.client(key).get(csv_url).status_code == 403, key
    for key in ("b_admin", "junior_admin", "b_parent", "b_teacher"):
        assert world.client(key).get(url).status_code == 404, key
        assert world.client(key).get(csv_url).status_code == 404, key
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    assert "School attendance report" in client.get(url).content.decode()
    client.logout()
    assert client.get(url).status_code == 302
