"""The homeroom teacher's class view in a real browser (journey 5), on a laptop and a phone.

Debian's Chromium through /usr/bin/chromedriver, with the fixtures of
dtss/core/tests/test_browser.py. Learning records are sent to the LRS and rolled up, dated
relative to the class's period anchor (the last day of its standard periods), so the default
"last 28 days" shows them whatever the day the test runs. The teacher opens "my classes", then
the class; sees a row per student and the gone-quiet flag on the right student; sorts by
minutes; and on a 390×844 screen the table scrolls sideways inside its frame with the student
column kept in view, without widening the page. Assertions read ids, data attributes and link
targets, never translated strings.

Set DTSS_SCREENSHOT_DIR to keep screenshots of the pages for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from dtss.analytics.class_selectors import period_anchor
from dtss.analytics.tests.conftest import stmt
from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    DESKTOP,
    PHONE,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.orgs import services as org_services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC)  # 09:00 in Taipei


def _shot(b: Any, name: str) -> None:
    folder = os.environ.get("DTSS_SCREENSHOT_DIR")
    if folder:  # the whole page, then the window as it was
        size = b.driver.get_window_size()
        height = b.driver.execute_script("return document.documentElement.scrollHeight")
        b.driver.set_window_size(size["width"], max(height + 140, size["height"]))
        b.driver.save_screenshot(os.path.join(folder, f"{name}.png"))
        b.driver.set_window_size(size["width"], size["height"])


def _seats(b: Any) -> list[str]:
    rows = b.driver.find_elements("css selector", "table#students tbody tr")
    return [r.get_attribute("data-seat") for r in rows]


@pytest.fixture
def busy_class(world: Any, learning: Any) -> Any:
    """5-1 with three students, relative to the class's anchor E:
    seat 1 elem_student: 3 days in the last week, 25 + 20 + 15 minutes;
    seat 2 elem_student2: active 12 and 20 days before E, nothing since (gone quiet);
    seat 3 third_kid: 5 minutes, 2 days before E."""
    school_class = world.classes["A-elem 5-1"]
    kid = org_services.person_create(county=school_class.county, name="林小三", external_id="kid3")
    org_services.enrollment_create(student=kid, school_class=school_class, seat_number=3)
    anchor = period_anchor(school_class, timezone.localdate())

    def before(days: int) -> dt.datetime:
        return _at(anchor - dt.timedelta(days=days))

    learning.send(
        [
            stmt("elem_student", seconds=1500, when=before(1)),
            stmt("elem_student", seconds=1200, when=before(3)),
            stmt("elem_student", seconds=900, when=before(5)),
            stmt("elem_student2", seconds=1800, when=before(12)),
            stmt("elem_student2", seconds=600, when=before(20)),
            stmt("kid3", seconds=300, when=before(2)),
        ]
    )
    learning.roll()
    return world


def test_teacher_sees_who_has_gone_quiet_and_sorts(
    busy_class: Any,
    browser_factory: Any,  # noqa: F811
) -> None:
    world = busy_class
    school_class = world.classes["A-elem 5-1"]
    detail = f"/analytics/classes/{school_class.public_id}/"

    b = browser_factory(DESKTOP)
    b.log_in("elem_teacher", PASSWORD)
    b.open("/analytics/classes/")
    _shot(b, "class_list")
    card = b.css(f'li[data-class="{school_class.public_id}"]')
    assert (
        card.find_element("css selector", "[data-gone-quiet]").get_attribute("data-gone-quiet")
        == "1"
    )
    assert not b.has(f'a[href="/analytics/classes/{world.classes["B-elem 3-2"].public_id}/"]')
    old = b.driver.find_element("tag name", "html")
    b.css(f'main a[href="{detail}"]').click()
    b.wait(lambda d: _stale(old) and b.path() == detail, "the class view")

    b.css("table#students")
    _shot(b, "class_detail_desktop")
    assert _seats(b) == ["1", "2", "3"]
    assert b.css("#active-count").text.split()[0] == "3"
    quiet = b.css('tr[data-seat="2"]')
    assert quiet.get_attribute("data-flags") == "gone_quiet"
    assert quiet.find_elements("css selector", '[data-flag="gone_quiet"]')
    for seat in ("1", "3"):
        assert "gone_quiet" not in b.css(f'tr[data-seat="{seat}"]').get_attribute("data-flags")
    assert b.css("#count-gone_quiet").text == "1"

    # sort by minutes: the first click puts the most minutes first, the second reverses
    old = b.driver.find_element("tag name", "html")
    b.css('table#students thead a[data-sort="minutes"]').click()
    b.wait(lambda d: _stale(old) and "sort=-minutes" in b.path(), "the sorted table")
    assert _seats(b) == ["1", "2", "3"]  # 60, 40 and 5 minutes
    old = b.driver.find_element("tag name", "html")
    b.css('table#students thead a[data-sort="minutes"]').click()
    b.wait(lambda d: _stale(old) and b.path().endswith("sort=minutes"), "the reversed table")
    assert _seats(b) == ["3", "2", "1"]
    th = b.css('table#students thead a[data-sort="minutes"]').find_element("xpath", "..")
    assert th.get_attribute("aria-sort") == "ascending"

    # the period selector: a custom period far back shows the students without records
    b.open(detail + "?period=custom&start=2020-01-01&end=2020-01-28")
    assert b.css("#active-count").text.split()[0] == "0"
    assert len(b.driver.find_elements("css selector", "table#students td.nodata")) == 3


def test_class_view_is_usable_on_a_phone(
    busy_class: Any,
    browser_factory: Any,  # noqa: F811
) -> None:
    world = busy_class
    school_class = world.classes["A-elem 5-1"]
    b = browser_factory(PHONE)
    b.log_in("elem_teacher", PASSWORD)
    b.open(f"/analytics/classes/{school_class.public_id}/")
    table = b.css("table#students")
    _shot(b, "class_detail_phone_top")
    b.driver.execute_script("arguments[0].scrollIntoView()", table)
    _shot(b, "class_detail_phone")
    js = b.driver.execute_script
    # the page itself does not scroll sideways; the table does, inside its frame
    assert js("return document.documentElement.scrollWidth") <= PHONE[0]
    frame = table.find_element("xpath", "..")
    assert js("return arguments[0].scrollWidth > arguments[0].clientWidth", frame)
    first = b.css('tr[data-seat="2"] th.first')
    left_before = first.rect["x"]
    js("arguments[0].scrollLeft = arguments[0].scrollWidth", frame)
    b.wait(lambda d: js("return arguments[0].scrollLeft", frame) > 0, "the table to scroll")
    _shot(b, "class_detail_phone_scrolled")
    # the student column stays in view while the flags column comes into view
    assert abs(first.rect["x"] - left_before) <= 4
    assert abs(first.rect["x"] - frame.rect["x"]) <= 6
    flag = b.css('tr[data-seat="2"] [data-flag="gone_quiet"]')
    assert flag.rect["x"] >= 0 and flag.rect["x"] + flag.rect["width"] <= PHONE[0]
    assert flag.rect["x"] >= first.rect["x"] + first.rect["width"] - 1
    # the student's name opens their page
    old = b.driver.find_element("tag name", "html")
    first.find_element("css selector", "a").click()
    person = world.people["elem_student2"]
    b.wait(
        lambda d: _stale(old) and b.path().startswith(f"/analytics/students/{person.public_id}/"),
        "the student's page",
    )
    b.css("#week-summary")
    _shot(b, "student_phone")
    assert js("return document.documentElement.scrollWidth") <= PHONE[0]
