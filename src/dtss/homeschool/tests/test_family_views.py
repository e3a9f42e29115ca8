"""The family page (every child in one place, nothing of another family) and the landing page
by role. "Today" is Monday 30 November 2026 (conftest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.homeschool import services
from dtss.homeschool.models import (
    Announcement,
    AnnouncementRead,
    AttendanceRecord,
    ContactEntry,
    ContactSignature,
    Conversation,
    Message,
)
from dtss.homeschool.tests.factories import make_leave, period
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def entry(world: Any, class_key: str, day: dt.date = TODAY, **kw: Any) -> ContactEntry:
    klass = world.classes[class_key]
    return ContactEntry.objects.create(
        county_id=klass.county_id,
        school_id=klass.school_id,
        school_class=klass,
        date=day,
        homework=kw.pop("homework", f"作業 {class_key} {day}"),
        author=klass.homeroom_teacher,
        published_at=kw.pop("published_at", timezone.now()),
        **kw,
    )


def sign(world: Any, e: ContactEntry, student_key: str, by_key: str) -> ContactSignature:
    return ContactSignature.objects.create(
        county_id=e.county_id,
        school_id=e.school_id,
        school_class_id=e.school_class_id,
        entry=e,
        student=world.people[student_key],
        signed_by=world.people[by_key],
        signed_at=timezone.now(),
    )


def junior_child(world: Any) -> Any:
    """elem_parent's second child, at A-junior (another school)."""
    from django.contrib.auth import get_user_model

    klass = world.classes["A-junior 7-1"]
    p = org_services.person_create(county=klass.county, name="國中生", external_id="junior_student")
    get_user_model().objects.create_user(username="junior_student", password=None, person=p)
    org_services.enrollment_create(student=p, school_class=klass, seat_number=1)
    org_services.guardianship_create(parent=world.people["elem_parent"], child=p, relation="mother")
    world.people["junior_student"] = p
    return p


def _html(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_family_shows_both_children_at_two_schools(world):
    kid2 = junior_child(world)
    e1 = entry(world, "A-elem 5-1", homework="數學習作第12頁")
    e2 = entry(world, "A-junior 7-1", homework="英語單字第三課")
    sign(world, e2, "junior_student", "elem_parent")
    entry(world, "A-elem 5-1", TODAY + dt.timedelta(days=1), homework="明天的作業")  # future
    entry(world, "B-elem 3-2", homework="宜蘭的作業")
    html = _html(world.client("elem_parent").get(reverse("homeschool:family")))
    assert world.people["elem_student"].name in html and kid2.name in html
    assert "南投國小" in html and "南投國中" in html
    assert "數學習作第12頁" in html and "英語單字第三課" in html
    assert "明天的作業" not in html and "宜蘭的作業" not in html
    # the first child's entry waits for a signature; the second is signed by the mother
    assert f'data-child="{world.people["elem_student"].public_id}"' in html
    assert 'data-role="unsigned"' in html and 'data-role="signed"' in html
    assert html.count('data-role="request-leave"') in (0, 2)  # shown when leave pages exist
    assert e1.date == TODAY


def test_family_leave_week_and_counts(world):
    leave = make_leave(world, start=TODAY, reason="看牙醫")
    declined = make_leave(world, start=TODAY - dt.timedelta(days=3), reason="家庭旅遊")
    services.leave_decide(
        user=world.users["elem_teacher"], leave=declined, approve=False, note="請改請事假"
    )
    AttendanceRecord.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        school_class=world.classes["A-elem 5-1"],
        student=world.people["elem_student"],
        date=TODAY,
        period=period(world, "p3"),
        status="unexcused",
    )
    klass = world.classes["A-elem 5-1"]
    Announcement.objects.create(
        county=klass.county,
        school=klass.school,
        school_class=klass,
        title="班親會",
        body="週五晚上",
        to_parents=True,
        published_at=timezone.now(),
    )
    read = Announcement.objects.create(
        county=klass.county,
        school=klass.school,
        title="已讀公告",
        body="x",
        to_parents=True,
        published_at=timezone.now(),
    )
    AnnouncementRead.objects.create(
        county=klass.county,
        school=klass.school,
        announcement=read,
        person=world.people["elem_parent"],
        read_at=timezone.now(),
    )
    conv = Conversation.objects.create(
        county=klass.county,
        school=klass.school,
        teacher=world.people["elem_teacher"],
        parent=world.people["elem_parent"],
        student=world.people["elem_student"],
    )
    script = [("elem_teacher", "請回覆"), ("elem_teacher", "再提醒"), ("elem_parent", "好")]
    for who, body in script:
        Message.objects.create(
            county=klass.county,
            school=klass.school,
            conversation=conv,
            sender=world.people[who],
            body=body,
            sent_at=timezone.now(),
        )
    html = _html(world.client("elem_parent").get(reverse("homeschool:family")))
    assert f'data-leave="{leave.public_id}" data-status="pending"' in html
    assert f'data-leave="{declined.public_id}" data-status="declined"' in html
    assert "請改請事假" in html
    assert 'data-date="2026-11-30"' in html
    assert 'class="hs-state bad"' in html  # the unexcused period today
    from dtss.homeschool.family_selectors import family_cards

    cards = family_cards(world.users["elem_parent"])
    assert len(cards) == 1
    card = cards[0]
    assert card.unread_announcements == 1
    assert card.unread_messages == 2
    assert [d.unexcused for d in card.week] == [1, 0, 0, 0, 0]
    assert [lv.pk for lv in card.open_leave] == [leave.pk]
    assert [lv.pk for lv in card.decisions] == [declined.pk]


def test_family_never_shows_another_family(world):
    entry(world, "A-elem 5-1", homework="五年一班作業")
    leave = make_leave(world, reason="發燒")
    html = _html(world.client("b_parent").get(reverse("homeschool:family")))
    assert f'data-child="{world.people["elem_student"].public_id}"' not in html
    assert "五年一班作業" not in html and str(leave.public_id) not in html
    assert f'data-child="{world.people["b_student"].public_id}"' in html
    # a classmate's parent does not see elem_student either
    from django.contrib.auth import get_user_model

    p = org_services.person_create(county=world.counties["A"], name="同學家長", external_id="p2")
    user = get_user_model().objects.create_user(username="p2", password=None, person=p)
    org_services.guardianship_create(
        parent=p, child=world.people["elem_student2"], relation="father"
    )
    from django.test import Client

    client = Client()
    client.force_login(user)
    html = _html(client.get(reverse("homeschool:family")))
    assert f'data-child="{world.people["elem_student2"].public_id}"' in html
    assert f'data-child="{world.people["elem_student"].public_id}"' not in html
    assert str(leave.public_id) not in html
    assert "五年一班作業" in html  # the class's entry is the classmate's too


def test_student_sees_own_card(world):
    entry(world, "A-elem 5-1", homework="自己的作業")
    html = _html(world.client("elem_student").get(reverse("homeschool:family")))
    assert "自己的作業" in html and world.people["elem_student"].name in html
    assert f'data-child="{world.people["elem_student2"].public_id}"' not in html
    assert 'data-role="messages"' not in html


@pytest.mark.parametrize(
    "who", ["elem_teacher", "elem_admin", "a_admin", "a_staff", "moe", "outsider"]
)
def test_family_page_is_for_families_only(world, who):
    assert world.client(who).get(reverse("homeschool:family")).status_code == 403


def test_anonymous_goes_to_login(client):
    for name in ("homeschool:family", "homeschool:home", "homeschool:reports"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_parent_without_linked_child_sees_empty_state(world):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from dtss.orgs.models import Membership, Role

    p = org_services.person_create(county=world.counties["A"], name="待連結家長", external_id="p3")
    user = get_user_model().objects.create_user(username="p3", password=None, person=p)
    Membership.objects.create(
        person=p, county=world.counties["A"], school=world.schools["A-elem"], role=Role.PARENT
    )
    client = Client()
    client.force_login(user)
    html = _html(client.get(reverse("homeschool:family")))
    assert 'id="no-children"' in html


# --------------------------------------------------------------------------- home by role


def test_home_redirects_families_and_county(world):
    for who, target in [
        ("elem_parent", "homeschool:family"),
        ("elem_student", "homeschool:family"),
        ("a_staff", "homeschool:reports"),
        ("a_admin", "homeschool:reports"),
    ]:
        response = world.client(who).get(reverse("homeschool:home"))
        assert response.status_code == 302, who
        assert response["Location"] == reverse(target), who


@pytest.mark.parametrize("who", ["moe", "outsider"])
def test_home_refuses_others(world, who):
    assert world.client(who).get(reverse("homeschool:home")).status_code == 403


def test_home_teacher_sees_my_classes(world):
    e = entry(world, "A-elem 5-1")
    sign(world, e, "elem_student", "elem_parent")
    make_leave(world, reason="發燒")
    make_leave(world, "b_parent", "b_student", reason="感冒")  # another county's class
    AttendanceRecord.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        school_class=world.classes["A-elem 5-1"],
        student=world.people["elem_student2"],
        date=TODAY,
        period=period(world, "p1"),
        status="late",
    )
    html = _html(world.client("elem_teacher").get(reverse("homeschool:home")))
    klass = world.classes["A-elem 5-1"]
    assert f'data-class="{klass.public_id}"' in html
    assert 'data-signed="1" data-of="2"' in html
    assert 'data-role="leave-waiting" data-n="1"' in html
    assert 'data-role="absences" data-n="1"' in html
    assert str(world.classes["B-elem 3-2"].public_id) not in html
    assert str(world.classes["A-junior 7-1"].public_id) not in html


def test_home_school_admin_sees_school_classes_and_not_posted(world):
    html = _html(world.client("elem_admin").get(reverse("homeschool:home")))
    assert str(world.classes["A-elem 5-1"].public_id) in html
    assert 'data-role="not-posted"' in html
    assert str(world.classes["A-junior 7-1"].public_id) not in html


def test_home_teacher_without_homeroom_has_empty_state(world):
    from dtss.homeschool.tests.factories import subject_teacher

    subject_teacher(world)
    html = _html(world.client("elem_subject").get(reverse("homeschool:home")))
    assert 'id="no-classes"' in html


def test_both_languages(world):
    junior_child(world)
    entry(world, "A-elem 5-1")
    for who, name in [("elem_parent", "homeschool:family"), ("elem_teacher", "homeschool:home")]:
        client = world.client(who)
        zh = _html(client.get(reverse(name)))
        client.cookies["dtss_language"] = "en"
        en = _html(client.get(reverse(name)))
        assert '<html lang="en">' in en and '<html lang="zh-Hant-TW">' in zh
        assert ("My family" in en) or ("My classes" in en)
