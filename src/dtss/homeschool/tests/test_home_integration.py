"""The platform in the rest of the app: the "Contact book" entry of the navigation, the header's
notifications link with its unread count, and the home page's section (what waits for a parent,
a homeroom teacher). "Today" is Monday 30 November 2026 (conftest)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dtss.homeschool import services
from dtss.homeschool.tests.factories import make_leave
from dtss.homeschool.tests.test_family_views import entry, sign

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def _home(world: Any, who: str) -> str:
    response = world.client(who).get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def _attr(html: str, name: str) -> str | None:
    found = re.search(rf'{name}="(\d+)"', html)
    return found.group(1) if found else None


def test_parent_home_counts_entries_to_sign_and_open_leave(world):
    entry(world, "A-elem 5-1", TODAY - dt.timedelta(days=1))
    signed = entry(world, "A-elem 5-1", TODAY - dt.timedelta(days=2))
    sign(world, signed, "elem_student", "elem_parent")
    entry(world, "A-elem 5-1", TODAY - dt.timedelta(days=10))  # older than a week: not counted
    entry(world, "B-elem 3-2", TODAY)  # another family's class: counted for them only
    make_leave(world, start=TODAY + dt.timedelta(days=1), reason="看牙醫")
    html = _home(world, "elem_parent")
    assert _attr(html, "data-home-unsigned") == "1"
    assert _attr(html, "data-home-leave-open") == "1"
    assert reverse("homeschool:home") in html  # the navigation entry
    # another family sees only its own child's entry, and none of the leave
    other = _home(world, "b_parent")
    assert _attr(other, "data-home-unsigned") == "1"
    assert _attr(other, "data-home-leave-open") is None


def test_teacher_home_counts_leave_to_decide_and_missing_entries(world):
    make_leave(world, start=TODAY + dt.timedelta(days=1), reason="看牙醫")
    html = _home(world, "elem_teacher")
    assert _attr(html, "data-home-leave-decide") == "1"
    assert "data-home-entries-missing" in html
    entry(world, "A-elem 5-1", TODAY)
    html = _home(world, "elem_teacher")
    assert "data-home-entries-missing" not in html
    # B's homeroom teacher has nothing of A's to decide
    assert _attr(_home(world, "b_teacher"), "data-home-leave-decide") is None


def test_header_shows_the_unread_notifications(world):
    parent = world.people["elem_parent"]
    html = _home(world, "elem_parent")
    assert _attr(html, "data-notifications") == "0"
    services.notify(
        recipients=[parent],
        kind="announcement",
        title="校外教學通知",
        url="/",
        county_id=parent.county_id,
    )
    html = _home(world, "elem_parent")
    assert _attr(html, "data-notifications") == "1"
    assert _attr(html, "data-home-unread") == "1"
    assert _attr(_home(world, "b_parent"), "data-notifications") == "0"


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("elem_parent", True),
        ("elem_student", True),
        ("elem_teacher", True),
        ("a_admin", True),
        ("moe", False),
        ("outsider", False),
    ],
)
def test_navigation_entry_by_role(world, who, shown):
    assert (f'href="{reverse("homeschool:home")}"' in _home(world, who)) is shown


def test_no_missing_entry_on_a_day_without_school(world):
    """On Saturday nothing is to be posted: the home page does not nag the homeroom teacher."""
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(saturday, tick=False):
        html = _home(world, "elem_teacher")
    assert "data-home-entries-missing" not in html
