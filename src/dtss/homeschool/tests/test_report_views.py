"""Reports: exact figures on a small hand-made week, counts only, tenancy, bad input, CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dtss.homeschool import report_selectors as rsel
from dtss.homeschool import services
from dtss.homeschool.models import (
    Announcement,
    AnnouncementRead,
    AttendanceRecord,
    Conversation,
    LeaveRequest,
    Message,
)
from dtss.homeschool.tests.factories import MONDAY, leave_type, make_leave, period
from dtss.homeschool.tests.test_family_views import entry, sign
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
FROM, TO = "2026-11-23", "2026-11-27"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def week(world: Any) -> dict[str, Any]:
    """A week of 5-1 at A-elem (two students; elem_parent is elem_student's mother)."""
    d = MONDAY
    e1 = entry(world, "A-elem 5-1", d)
    e2 = entry(world, "A-elem 5-1", d + dt.timedelta(days=1))
    entry(world, "A-elem 5-1", d + dt.timedelta(days=2))
    entry(world, "A-elem 5-1", d + dt.timedelta(days=3), published_at=None)  # a draft
    sat = entry(world, "A-elem 5-1", d + dt.timedelta(days=5))  # Saturday: not a school day
    sign(world, e1, "elem_student", "elem_parent")
    sign(world, e1, "elem_student2", "elem_teacher")
    sign(world, e2, "elem_student", "elem_parent")
    sign(world, sat, "elem_student", "elem_parent")
    entry(world, "B-elem 3-2", d)  # another county

    teacher = world.users["elem_teacher"]
    one = make_leave(world, start=MONDAY)  # whole day: 9 periods
    LeaveRequest.objects.filter(pk=one.pk).update(created_at=at(24, 9))
    services.leave_decide(user=teacher, leave=one, approve=True, now=at(24, 12))
    two = make_leave(world, start=MONDAY + dt.timedelta(days=2), reason="旅遊")
    LeaveRequest.objects.filter(pk=two.pk).update(created_at=at(25, 8))
    services.leave_decide(user=teacher, leave=two, approve=False, note="不准", now=at(25, 18))
    three = make_leave(
        world, "elem_admin", start=MONDAY + dt.timedelta(days=3), periods=["p1"], reason="紙本"
    )
    LeaveRequest.objects.filter(pk=three.pk).update(created_at=at(26, 9))
    four = make_leave(world, start=MONDAY + dt.timedelta(days=4), reason="取消")
    services.leave_cancel(user=world.users["elem_parent"], leave=four)
    LeaveRequest.objects.filter(pk=four.pk).update(created_at=at(26, 9))
    for status, code in (("leave", "p2"), ("unexcused", "p3")):
        AttendanceRecord.objects.create(
            county=world.counties["A"],
            school=world.schools["A-elem"],
            school_class=world.classes["A-elem 5-1"],
            student=world.people["elem_student2"],
            date=MONDAY + dt.timedelta(days=4),
            period=period(world, code),
            status=status,
            leave_type=leave_type(world) if status == "leave" else None,
        )

    klass = world.classes["A-elem 5-1"]
    conv = Conversation.objects.create(
        county=klass.county,
        school=klass.school,
        teacher=world.people["elem_teacher"],
        parent=world.people["elem_parent"],
        student=world.people["elem_student"],
    )
    for who, moment in [
        ("elem_parent", at(24, 10)),
        ("elem_parent", at(24, 11)),
        ("elem_teacher", at(24, 14)),  # 4 h after the first unanswered message
        ("elem_teacher", at(24, 15)),
        ("elem_parent", at(25, 20)),
        ("elem_teacher", at(26, 8)),  # 12 h
    ]:
        Message.objects.create(
            county=klass.county,
            school=klass.school,
            conversation=conv,
            sender=world.people[who],
            body="…",
            sent_at=moment,
        )
    cls_ann = Announcement.objects.create(
        county=klass.county,
        school=klass.school,
        school_class=klass,
        title="班級公告",
        body="x",
        to_parents=True,
        to_students=True,
        published_at=at(24, 9),
    )
    for who in ("elem_parent", "elem_student"):
        AnnouncementRead.objects.create(
            county=klass.county,
            school=klass.school,
            announcement=cls_ann,
            person=world.people[who],
            read_at=at(24, 20),
        )
    Announcement.objects.create(
        county=klass.county,
        school=klass.school,
        title="校內公告",
        body="x",
        to_staff=True,
        published_at=at(25, 9),
    )
    county_ann = Announcement.objects.create(
        county=klass.county,
        title="縣府公告",
        body="x",
        to_parents=True,
        published_at=at(24, 9),
    )
    AnnouncementRead.objects.create(
        county=klass.county,
        announcement=county_ann,
        person=world.people["elem_parent"],
        read_at=at(24, 21),
    )
    return {"leaves": [one, two, three, four]}


def _check_elem_row(row: rsel.Row) -> None:
    assert row.school_days == 5 and row.class_days == 5
    assert row.days_with_entry == 3 and row.posted_share == 60.0
    assert row.entries == 3 and row.expected_signatures == 6  # Saturday 28th is outside
    assert row.signatures == 3 and row.sign_rate == 50.0
    assert row.leave_requests == 3 and row.leave_online == 2 and row.online_share == 66.7
    assert row.leave_records == 11 and row.leave_records_from_request == 10
    assert row.records_from_request_share == 90.9
    assert row.median_decision_hours == 6.5  # 3 h and 10 h
    assert row.median_reply_hours == 8.0  # 4 h and 12 h


def test_school_report_figures_per_class(world):
    week(world)
    report = rsel.report_build(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        start=MONDAY,
        end=MONDAY + dt.timedelta(days=4),
    )
    assert [r.label for r in report.rows] == ["5年01班"]
    row = report.rows[0]
    _check_elem_row(row)
    assert row.enrolled == 2
    assert (row.announcements, row.audience, row.reads, row.read_rate) == (1, 3, 2, 66.7)
    other = report.other_announcements
    assert other is not None and other.announcements == 1  # the school-wide one
    assert other.audience == 2  # staff: elem_admin, elem_teacher
    assert other.read_rate == 0.0


def test_county_report_per_school_and_county_announcements(world):
    week(world)
    report = rsel.report_build(
        county=world.counties["A"], start=MONDAY, end=MONDAY + dt.timedelta(days=4)
    )
    assert [r.code for r in report.rows] == ["083501", "083601"]
    junior, elem = report.rows
    _check_elem_row(elem)
    assert elem.classes == 1
    # the school's own announcements: the class's (3 people, 2 reads) and the school-wide one
    # (2 staff, no read)
    assert (elem.announcements, elem.audience, elem.reads) == (2, 5, 2)
    assert junior.entries == 0 and junior.sign_rate is None and junior.posted_share == 0.0
    county = report.other_announcements
    assert county is not None and (county.announcements, county.audience, county.reads) == (1, 1, 1)
    assert report.total.signatures == 3 and report.total.leave_requests == 3


def test_reports_page_for_county_office(world):
    week(world)
    response = world.client("a_staff").get(reverse("homeschool:reports"), {"from": FROM, "to": TO})
    assert response.status_code == 200
    html = response.content.decode()
    assert "南投國小" in html and "南投國中" in html and "宜蘭國小" not in html
    assert 'id="stat-sign">50%' in html
    # counts only: no student, parent or teacher is named
    for key in ("elem_student", "elem_parent", "elem_teacher"):
        assert world.people[key].name not in html
    # narrowing to a school gives its classes
    response = world.client("a_staff").get(
        reverse("homeschool:reports"),
        {"school": str(world.schools["A-elem"].public_id), "from": FROM, "to": TO},
    )
    assert response.status_code == 200 and "5年01班" in response.content.decode()


def test_reports_csv(world):
    week(world)
    response = world.client("a_admin").get(
        reverse("homeschool:reports"), {"from": FROM, "to": TO, "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 1 + 2 + 1 + 1  # header, two schools, total, county's announcements
    elem = next(line for line in lines if line.startswith("083601"))
    cells = elem.split(",")
    assert cells[6] == "60.0" and cells[9] == "50.0" and cells[12] == "66.7"
    assert "宜蘭" not in body
    for key in ("elem_student", "elem_parent"):
        assert world.people[key].name not in body


def test_school_admin_sees_own_school_only(world):
    week(world)
    client = world.client("elem_admin")
    response = client.get(reverse("homeschool:reports"), {"from": FROM, "to": TO})
    assert response.status_code == 200
    html = response.content.decode()
    assert "5年01班" in html and "南投國中" not in html
    for school in ("A-junior", "B-elem"):
        response = client.get(
            reverse("homeschool:reports"), {"school": str(world.schools[school].public_id)}
        )
        assert response.status_code == 404, school


def test_another_county_is_404(world):
    client = world.client("a_staff")
    assert client.get(reverse("homeschool:reports"), {"county": "10002"}).status_code == 404
    response = client.get(
        reverse("homeschool:reports"), {"school": str(world.schools["B-elem"].public_id)}
    )
    assert response.status_code == 404
    response = world.client("b_admin").get(reverse("homeschool:reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "宜蘭國小" in html and "南投國小" not in html


@pytest.mark.parametrize("who", ["elem_teacher", "elem_parent", "elem_student", "moe", "outsider"])
def test_reports_refused_to_others(world, who):
    assert world.client(who).get(reverse("homeschool:reports")).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-11-27", "to": "2026-11-23"}, "to"),
        ({"from": "2024-01-01", "to": "2026-11-27"}, "to"),
    ],
)
def test_bad_dates_name_the_field(world, params, field):
    client = world.client("a_staff")
    response = client.get(reverse("homeschool:reports"), params)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    csv = client.get(reverse("homeschool:reports"), {**params, "format": "csv"})
    assert csv.status_code == 400 and field in csv.content.decode()


def test_default_period_is_last_30_days(world):
    response = world.client("a_staff").get(reverse("homeschool:reports"))
    assert response.status_code == 200
    assert "2026-11-01" in response.content.decode() and "2026-11-30" in response.content.decode()


def test_queries_do_not_grow_with_schools(world):
    week(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rsel.report_build(
                county=world.counties["A"], start=MONDAY, end=MONDAY + dt.timedelta(days=4)
            )
        return len(ctx.captured_queries)

    before = count()
    district = world.schools["A-elem"].district
    term = world.classes["A-elem 5-1"].term
    for i in range(4):
        school = org_services.school_create(
            district=district, code=f"08370{i}", name_zh=f"新學校{i}", stage="elementary"
        )
        org_services.class_create(school=school, term=term, grade=1, number=1)
    assert count() == before


def test_both_languages(world):
    client = world.client("a_staff")
    zh = client.get(reverse("homeschool:reports")).content.decode()
    client.cookies["dtss_language"] = "en"
    en = client.get(reverse("homeschool:reports")).content.decode()
    assert '<html lang="en">' in en and '<html lang="zh-Hant-TW">' in zh
    assert "Nantou" in en or "南投" in en
