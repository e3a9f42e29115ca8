"""An IT head on a phone discusses a request of the shared queue in a real browser (Debian's
Chromium, as in dtss/core/tests/test_browser.py): open the shared queue, see another school's
open request without who asked or what they wrote, press "discuss", post the discussion with
the subject prefilled, reply, and find it in the community list. No page scrolls sideways.
Assertions use ids, data attributes and data, never translated strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PHONE,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.helpdesk.models import Thread
from dtss.helpdesk.tests.factories import make_request

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


def test_it_head_discusses_a_shared_request_on_a_phone(
    world: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
) -> None:
    secret = "我的帳號是 S1234567，密碼是生日"
    req = make_request(world, "elem_student", subject="因材網登入不了", description=secret)
    b = browser_factory(PHONE)
    b.log_in("junior_admin", PASSWORD)
    b.open(reverse("helpdesk:shared_queue"))
    row = b.css(f'#shared-queue tr[data-id="{req.public_id}"]')
    assert "因材網登入不了" in row.text and world.schools["A-elem"].name in row.text
    page = b.driver.page_source
    assert "S1234567" not in page and world.people["elem_student"].name not in page
    _no_sideways_scroll(b, "the shared queue")

    old = b.driver.find_element("tag name", "html")
    row.find_element("css selector", "a.button").click()
    b.wait(lambda d: _stale(old), "the new discussion form")
    assert b.css("#id_title").get_attribute("value") == "因材網登入不了"
    assert b.has("#about-request")
    _no_sideways_scroll(b, "the new discussion form")
    b.css("#id_body").send_keys("本校也有學生遇到，大家怎麼處理？")
    _submit(b, "#thread-form button[type=submit]")
    thread = Thread.objects.get()
    assert thread.request == req
    assert b.path() == reverse("helpdesk:thread_detail", args=[thread.public_id])
    assert b.has("#linked-request") and "S1234567" not in b.driver.page_source
    _no_sideways_scroll(b, "the discussion")

    b.css("#reply textarea").send_keys("先清除快取再用教育雲端帳號登入。")
    _submit(b, "#reply button[type=submit]")
    posts = b.driver.find_elements("css selector", "#posts li.post")
    assert len(posts) == 2 and "教育雲端帳號" in posts[-1].text
    assert world.schools["A-junior"].name in posts[-1].text

    b.open(reverse("helpdesk:community"))
    assert b.has(f'#threads li[data-id="{thread.public_id}"]')
    _no_sideways_scroll(b, "the community list")
