"""The configuration and report pages in a real browser, on a phone (390 × 844): nothing makes
the page scroll sideways; a county's office saves a service target in hours and adds a typhoon
day, and the report shows its figures and chart.

Debian's Chromium through /usr/bin/chromedriver, with the fixtures of
dtss/core/tests/test_browser.py. Assertions read ids, data attributes and data, never
translated strings. Set DTSS_SCREENSHOT_DIR to keep screenshots for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PHONE,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.helpdesk.models import CalendarDay, ServiceTarget
from dtss.helpdesk.tests.factories import make_request, office_groups

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = "return document.documentElement.scrollWidth"


def _shot(b: Any, name: str) -> None:
    folder = os.environ.get("DTSS_SCREENSHOT_DIR")
    if folder:
        size = b.driver.get_window_size()
        height = b.driver.execute_script("return document.documentElement.scrollHeight")
        b.driver.set_window_size(size["width"], max(height + 140, size["height"]))
        b.driver.save_screenshot(os.path.join(folder, f"{name}.png"))
        b.driver.set_window_size(size["width"], size["height"])


def _submit(b: Any, button: Any) -> None:
    old = b.driver.find_element("tag name", "html")
    b.driver.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    b.wait(lambda d: _stale(old), "the form to be submitted")


def test_the_countys_office_configures_and_reads_reports_on_a_phone(
    world: Any,
    browser_factory: Any,  # noqa: F811
) -> None:
    office_groups(world)
    now = timezone.now()
    make_request(world, "junior_teacher", now=now - dt.timedelta(days=3))
    make_request(world, "elem_teacher", now=now - dt.timedelta(days=10), category="device")

    b = browser_factory(PHONE)
    b.log_in("a_admin", PASSWORD)

    b.open("/helpdesk/admin/")
    b.css("#how-clocks-work")
    _shot(b, "helpdesk_settings_phone")
    assert b.driver.execute_script(WIDTH) <= PHONE[0]
    field = b.css("input[name=network-first]")
    b.driver.execute_script("arguments[0].scrollIntoView()", field)
    field.clear()
    field.send_keys("0.5")
    _submit(b, b.css("#targets-form button[type=submit]"))
    b.css("#targets-table")
    target = ServiceTarget.objects.get()
    assert (target.category, target.first_response_minutes) == ("network", 30)
    assert b.css('tr[data-category="network"]').get_attribute("data-default") is None

    b.open("/helpdesk/admin/calendar/")
    b.css("#preview-table")
    assert b.driver.execute_script(WIDTH) <= PHONE[0]
    b.driver.execute_script("document.getElementById('add-day').open = true")
    date_input = b.css("#add-day input[name=day-date]")
    b.driver.execute_script("arguments[0].value = '2026-12-24';", date_input)
    b.css("#add-day input[name=day-name]").send_keys("颱風停班")
    _submit(b, b.css("#add-day button[type=submit]"))
    row = b.css('#calendar-days tr[data-date="2026-12-24"]')
    assert row.get_attribute("data-kind") == "closed" and "颱風停班" in row.text
    assert CalendarDay.objects.filter(name="颱風停班").count() == 1
    _shot(b, "helpdesk_calendar_phone")
    assert b.driver.execute_script(WIDTH) <= PHONE[0]

    b.open("/helpdesk/admin/reports/")
    assert b.css("#stat-total").text == "2"
    assert b.css("svg.chart").rect["width"] <= PHONE[0]
    _shot(b, "helpdesk_reports_phone")
    assert b.driver.execute_script(WIDTH) <= PHONE[0]
