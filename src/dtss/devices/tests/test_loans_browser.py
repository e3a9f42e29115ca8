"""A parent signs a borrowing agreement in a real browser on a phone (Debian's Chromium through
/usr/bin/chromedriver, as in dtss/core/tests/test_browser.py): log in, open Devices and loans,
follow the sign link, read the agreement, type a wrong name and see the error, type the right
name, tick the box, sign, and land back on the family page with the loan active. The page never
scrolls sideways. Assertions use ids, data attributes and data, never translated strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PHONE,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.devices import loan_services as svc
from dtss.devices.models import Assignment
from dtss.devices.tests.factories import make_device

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def _submit(b: Browser, selector: str) -> None:
    old = b.driver.find_element("tag name", "html")
    b.css(selector).click()
    b.wait(lambda d: _stale(old), "the form to be submitted")


def test_parent_signs_on_phone(world: Any, browser_factory: Callable[..., Browser]) -> None:  # noqa: F811
    device = make_device(world, serial="SN-PHONE-1")
    loan = svc.loan_create(
        device=device,
        student=world.people["elem_student"],
        due_on=timezone.localdate() + dt.timedelta(days=120),
        accessories="充電器、保護套",
    )
    parent = world.people["elem_parent"]
    b = browser_factory(PHONE)
    b.log_in("elem_parent", PASSWORD)
    b.open(reverse("devices:my_devices"))
    card = b.css(f'.loan-card[data-id="{loan.public_id}"]')
    assert card.get_attribute("data-status") == "awaiting" and device.asset_tag in card.text
    _no_sideways_scroll(b, "the family page")
    _submit(b, f"#sign-{loan.public_id}")
    assert b.path() == reverse("devices:loan_sign", args=[loan.public_id])
    text = b.css("#agreement-text").text
    assert "借用切結書" in text and "SN-PHONE-1" in text and "充電器、保護套" in text
    _no_sideways_scroll(b, "the signing page")

    # a wrong name: an error, nothing signed
    b.css("#id_signed_name").send_keys("王大明")
    b.css("#id_agree").click()
    _submit(b, "#sign-form button[type=submit]")
    b.css("#form-errors")
    loan.refresh_from_db()
    assert loan.status == "awaiting"

    # the right name, the box ticked
    name = b.css("#id_signed_name")
    name.clear()
    name.send_keys(parent.name)
    if not b.css("#id_agree").is_selected():
        b.css("#id_agree").click()
    _submit(b, "#sign-form button[type=submit]")
    assert b.path() == reverse("devices:my_devices")
    card = b.css(f'.loan-card[data-id="{loan.public_id}"]')
    assert card.get_attribute("data-status") == "active"
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == Assignment.Status.ACTIVE and loan.signed_by == parent
    assert loan.signed_ip and device.status == "on_loan"
    _no_sideways_scroll(b, "the family page after signing")
