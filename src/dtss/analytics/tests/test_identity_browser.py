"""A county administrator maps an unresolved actor on a phone, in a real browser.

Debian's Chromium through /usr/bin/chromedriver, with the fixtures of
dtss/core/tests/test_browser.py. The pages must fit a 390 px wide screen (no sideways scrolling
of the page; long tables scroll inside their own box). Assertions read ids and data, never
translated strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dtss.analytics.models import ActorLink, StudentWeek
from dtss.analytics.tests.conftest import stmt
from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PHONE,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)


def _fits(b: Any) -> bool:
    return b.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_admin_maps_an_actor_on_a_phone(
    world: Any,
    learning: Any,
    browser_factory: Any,  # noqa: F811
) -> None:
    learning.send([stmt("adl-0042-a-rather-long-account-name@school.example", when=T0)])
    learning.roll()
    link = ActorLink.objects.get()
    person = world.people["elem_student2"]

    b = browser_factory(PHONE)
    b.log_in("a_admin", PASSWORD)
    b.open("/analytics/actors/")
    assert b.has(f'tr[data-actor="{link.public_id}"]')
    assert _fits(b), "the actor list is wider than the phone"
    b.css(f'tr[data-actor="{link.public_id}"] a').click()
    b.wait(lambda d: b.path() == f"/analytics/actors/{link.public_id}/", "the actor page")
    b.css("#person-q").send_keys("elem_student2")
    old = b.driver.find_element("tag name", "html")
    b.css("#person-q").submit()
    b.wait(lambda d: _stale(old), "the search results")
    assert _fits(b), "the search results are wider than the phone"
    b.css(f'#people a[href*="{person.public_id}"]').click()
    b.wait(lambda d: b.has("#confirm-map"), "the confirmation")
    old = b.driver.find_element("tag name", "html")
    b.css("#confirm-map").click()
    b.wait(lambda d: _stale(old), "the mapping to be saved")
    assert b.path() == f"/analytics/actors/{link.public_id}/"
    assert person.name in b.css("#current-person").text
    link.refresh_from_db()
    assert link.person == person
    assert StudentWeek.objects.filter(person=person).exists()
    b.open("/analytics/actors/")
    assert b.has("#all-resolved")
