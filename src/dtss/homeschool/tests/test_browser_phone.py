"""A parent on a phone (scenario 6, issue 10), in a real browser: Debian's Chromium through
/usr/bin/chromedriver at 390×844, as in dtss/core/tests/test_browser.py.

The homeroom teacher has published today's contact-book entry (through the service, in the
test). The parent logs in through the form, opens the contact book from the main navigation
(/homeschool/ sends a parent to the family page), sees today's entry for the child and that it
is not signed, opens it, signs it with a reply and sees it signed, there and back on the family
page; then presses "request leave" on the child's card, picks 病假, a day, two periods and a
reason, sends it and sees the request pending, there and on the family page. The database then
holds the signature with the reply and a pending request with the right type, dates, periods
and requester. No page of the journey scrolls sideways. Assertions use ids, data attributes
and data (names, dates, the entry's text), never translated strings.

Time: the homeschool conftest's autouse `_school_day` fixture travels to Monday 30 November
2026, 10:00 in Taipei *with the clock ticking*, so the live server's thread and Selenium's
waits see time pass normally; it needs no override here. "Today" in the test is therefore
that Monday (the server's `timezone.localdate()`), and the leave is for the next day, Tuesday
1 December 2026, a school day.
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
from dtss.homeschool import contact_services
from dtss.homeschool.models import ContactSignature, LeaveRequest
from dtss.homeschool.tests.factories import leave_type, period, setup

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOMEWORK = "國語習作第12課\n數學課本 p.34–35"
BRING = "美勞課的彩色筆"
REPLY = "收到，明天會帶彩色筆。孩子有點咳嗽，請老師多留意。"
REASON = "發燒，上午要帶去看醫生。"


# The elements whose right edge passes the viewport's (to say what to fix when a page is wide).
_WIDE_JS = """
const w = document.documentElement.clientWidth;
return Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > w + 0.5)
  .slice(0, 8)
  .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim()
      ? "." + e.className.trim().split(/\\s+/).join(".") : "")
    + " " + Math.round(e.getBoundingClientRect().right) + "px");
"""


def _no_sideways_scroll(b: Browser, what: str) -> None:
    """The page is no wider than the viewport. The viewport is `clientWidth`, as in
    dtss/core/tests/test_browser.py: headless Chromium draws a classic scrollbar inside the
    390px window (a phone overlays its own), so this is stricter than `innerWidth`."""
    inner = b.driver.execute_script("return window.innerWidth")
    assert inner == PHONE[0], f"the window is not phone-sized ({inner}px)"
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    if scroll > width:
        wide = b.driver.execute_script(_WIDE_JS)
        raise AssertionError(f"{what} scrolls sideways on a phone ({scroll} > {width}): {wide}")


def _submit(b: Browser, button: Any, what: str) -> None:
    """Press a submit button the way a thumb does, and wait for the next page."""
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    old_html = b.driver.find_element("tag name", "html")
    button.click()
    b.wait(lambda d: _stale(old_html), what)
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", what)


def _set_date(b: Browser, selector: str, day: dt.date) -> None:
    """A date input's typed format follows the browser's locale (yyyy/mm/dd in zh-TW), so set
    the value the way the picker does and tell the page it changed."""
    field = b.css(selector)
    b.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        field,
        day.isoformat(),
    )
    assert field.get_attribute("value") == day.isoformat()


def test_parent_signs_the_contact_book_and_requests_leave_on_a_phone(
    world: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
) -> None:
    from selenium.webdriver.support.ui import Select

    child = world.people["elem_student"]
    parent = world.people["elem_parent"]
    school_class = world.classes["A-elem 5-1"]
    setup(world)
    today = timezone.localdate()
    assert today == dt.date(2026, 11, 30)  # the homeschool conftest's school day (a Monday)
    leave_day = today + dt.timedelta(days=1)
    sick = leave_type(world, "sick")
    p3, p4 = period(world, "p3"), period(world, "p4")
    entry = contact_services.entry_save(
        user=world.users["elem_teacher"],
        school_class=school_class,
        day=today,
        homework=HOMEWORK,
        notices="",
        bring=BRING,
        publish=True,
    )
    family_url = reverse("homeschool:family")
    entry_url = reverse("homeschool:contact_entry", args=[entry.public_id])

    b = browser_factory(PHONE)
    b.log_in("elem_parent", PASSWORD)
    b.wait(lambda d: b.path() == "/", "the home page after logging in")

    # --- the contact book, from the main navigation: it sends a parent to the family page ----
    b.css(f'header nav a[href="{reverse("homeschool:home")}"]').click()
    b.wait(lambda d: b.path() == family_url, "the family page")
    card_css = f'#family-cards li.hs-card[data-child="{child.public_id}"]'
    card = b.css(card_css)
    assert child.name in card.find_element("css selector", "h2").text
    today_entry = card.find_element("css selector", "[data-role=entry]")
    assert today_entry.get_attribute("data-date") == today.isoformat()
    assert "國語習作第12課" in today_entry.text and BRING in today_entry.text
    assert today_entry.find_elements("css selector", "[data-role=unsigned]")
    assert not today_entry.find_elements("css selector", "[data-role=signed]")
    _no_sideways_scroll(b, "the family page")

    link = card.find_element("css selector", "a[data-role=entry-link]")
    assert link.is_displayed()
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    b.wait(lambda d: b.path() == entry_url, "the entry's page")

    # --- the entry: read it, sign with a reply ----------------------------------------------
    assert b.css("#state").get_attribute("class").split() == ["badge", "ok"]  # published
    assert "數學課本 p.34–35" in b.css("#homework").text
    assert BRING in b.css("#bring").text
    sign_css = f"#sign li#sign-{child.public_id}"
    assert b.css(sign_css).get_attribute("data-signed") == "0"
    assert not b.has("#signatures"), "a parent sees the class's signature list"
    _no_sideways_scroll(b, "the entry's page")

    reply = b.css(f"{sign_css} form textarea[name$=reply]")
    reply.send_keys(REPLY)
    button = b.css(f"{sign_css} form button.cb-sign[type=submit]")
    box = button.rect
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], f"sign button off screen {box}"
    _submit(b, button, "the signature to be sent")

    b.wait(lambda d: b.path() == entry_url, "the entry's page after signing")
    signed = b.css(sign_css)
    assert signed.get_attribute("data-signed") == "1"
    assert parent.name in signed.find_element("css selector", ".cb-signed").text
    assert REPLY in signed.text
    assert not b.has(f"{sign_css} button.cb-sign"), "still offers to sign after signing"
    assert not b.has("#form-errors")
    _no_sideways_scroll(b, "the entry's page once signed")

    # Back to the family page through the contact book's own navigation.
    family_link = b.css(f'nav.homeschool-nav a[href="{family_url}"]')
    family_link.click()
    b.wait(lambda d: b.path() == family_url, "the family page again")
    card = b.css(card_css)
    assert card.find_elements("css selector", "[data-role=entry] [data-role=signed]")
    assert not card.find_elements("css selector", "[data-role=unsigned]")

    # --- leave: from the child's card ---------------------------------------------------------
    request_leave = card.find_element("css selector", "a[data-role=request-leave]")
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", request_leave)
    assert request_leave.is_displayed()
    request_leave.click()
    b.wait(lambda d: b.path().startswith(reverse("homeschool:leave_create")), "the leave form")
    b.css("form#leave-form")
    assert child.name in b.css("#for-student").text
    _no_sideways_scroll(b, "the leave form")

    kind = Select(b.css("#leave-form select[name=leave_type]"))
    kind.select_by_value(str(sick.public_id))
    assert kind.first_selected_option.text.strip() == sick.name_zh == "病假"
    _set_date(b, "#leave-form input[name=start_date]", leave_day)
    _set_date(b, "#leave-form input[name=end_date]", leave_day)
    # The periods show only once "only the periods chosen below" is picked (leave.js).
    assert not b.driver.find_element("id", "fs-periods").is_displayed()
    b.css('#leave-form input[name=whole_day][value="0"]').click()
    b.wait(lambda d: d.find_element("id", "fs-periods").is_displayed(), "the periods to show")
    for p in (p3, p4):
        b.css(f'#fs-periods input[name=periods][value="{p.public_id}"]').click()
    b.css("#leave-form textarea[name=reason]").send_keys(REASON)
    _no_sideways_scroll(b, "the leave form, filled in")
    _submit(b, b.css("#leave-submit"), "the leave request to be sent")

    b.wait(lambda d: b.has("#status-badge"), "the leave request's page")
    assert not b.has("#form-errors"), b.body_text()[:2000]
    leave = LeaveRequest.objects.get(student=child)
    assert b.path() == reverse("homeschool:leave_detail", args=[leave.public_id])
    assert b.css("#status-badge").get_attribute("data-status") == "pending"
    assert b.css("#leave-type").text.strip() == "病假"
    assert leave_day.isoformat() in b.css("#dates").text
    assert p3.name_zh in b.css("#periods").text and p4.name_zh in b.css("#periods").text
    assert REASON in b.css("#reason").text
    assert b.has("#cancel-form"), "the family cannot withdraw its pending request"
    assert not b.has("#decide-form"), "a parent is offered the decision"
    _no_sideways_scroll(b, "the leave request's page")

    b.open(family_url)
    pending = b.css(f'{card_css} [data-role=leave] li[data-leave="{leave.public_id}"]')
    assert pending.get_attribute("data-status") == "pending"
    _no_sideways_scroll(b, "the family page with the request")

    # --- what was written -----------------------------------------------------------------------
    sig = ContactSignature.objects.get(entry=entry, student=child)
    assert sig.reply == REPLY
    assert sig.signed_by_id == parent.pk
    assert sig.school_class_id == school_class.pk
    assert ContactSignature.objects.filter(entry=entry).count() == 1

    assert LeaveRequest.objects.count() == 1
    assert leave.status == LeaveRequest.Status.PENDING
    assert leave.leave_type_id == sick.pk
    assert (leave.start_date, leave.end_date) == (leave_day, leave_day)
    assert sorted(p.code for p in leave.periods.all()) == ["p3", "p4"]
    assert leave.reason == REASON
    assert leave.requested_by_id == parent.pk
    assert leave.school_class_id == school_class.pk
    assert leave.days == 1
