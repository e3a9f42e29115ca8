"""Journey 2 in a real browser (Debian's Chromium through /usr/bin/chromedriver, as in
dtss/core/tests/test_browser.py): the IT head opens item S1 on a laptop, marks strategies and
types notes (autosave shows "Saved"), reloads and finds them, uploads a PDF and a photo as
evidence, watches the item's stage move, recovers text that was typed but never sent; then
submits the assessment on a phone.

The assertions use data attributes, ids, classes and data (codes, names), never translated
strings: the page is in Traditional Chinese and its translations are written separately.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    DESKTOP,
    PHONE,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.framework.models import Assessment, Evidence, Response
from dtss.framework.tests.test_assess_views import PDF, PNG, open_cycles

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    # live_server makes these transactional; the flush after each test would also remove the
    # counties and the framework loaded by migration, so restore them before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAVED = re.compile(r"\d\d:\d\d")


def _saved(b: Browser, code: str, field: str) -> None:
    """Wait for the autosave state next to a field to say it was saved (with the time)."""
    selector = f"#{_anchor(code)} [data-save-state={field}]"

    def done(d: Any) -> bool:
        el = d.find_element("css selector", selector)
        return "ok" in el.get_attribute("class").split() and bool(SAVED.search(el.text))

    b.wait(done, f"{code} {field} to be saved")


def _anchor(code: str) -> str:
    return "s-" + code.replace(".", "-")


def _choose(b: Browser, code: str, status: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(b.css(f"#{_anchor(code)} select[name=status]")).select_by_value(status)


def _add_file(b: Browser, code: str, path: Path) -> None:
    article = f"#{_anchor(code)}"
    b.css(f"{article} details.evidence-add > summary").click()
    b.css(f"{article} details.evidence-add[open] input[type=file]").send_keys(str(path))
    old = b.driver.find_element("tag name", "html")
    b.css(f"{article} form.evidence-form button[type=submit]").click()
    b.wait(lambda d: _stale(old), "the evidence form to be sent")
    b.wait(
        lambda d: path.name in b.css(f"{article} .evidence .evidence-list").text,
        f"{path.name} in the evidence of {code}",
    )


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def test_it_head_fills_s1_with_autosave_and_evidence_then_submits_on_a_phone(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    setup = open_cycles(world)
    assessment = setup.assessments["elem"]
    item_path = f"/framework/assessments/{assessment.public_id}/items/S1/"
    pdf = tmp_path / "資訊設備盤點.pdf"
    pdf.write_bytes(PDF)
    photo = tmp_path / "classroom.png"
    photo.write_bytes(PNG)

    # --- laptop -----------------------------------------------------------------------------
    b = browser_factory(window=DESKTOP)
    b.log_in("elem_admin", PASSWORD)
    b.wait(lambda d: b.path() == "/", "the home page after logging in")
    b.open(item_path)
    assert b.css("[data-item-stage]").get_attribute("data-item-stage") == ""
    # with JavaScript the forms save themselves: the no-JS Save buttons are hidden
    buttons = b.driver.find_elements("css selector", "form.response-form .nojs-save button")
    assert buttons and not any(e.is_displayed() for e in buttons)

    _choose(b, "S1.D1", "implemented")
    _saved(b, "S1.D1", "status")
    notes = b.css("#s-S1-D1 textarea[name=notes]")
    notes.send_keys("113年盤點完成，平板 120 台")
    _saved(b, "S1.D1", "notes")
    b.driver.refresh()
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", "reload")
    assert b.css("#s-S1-D1 select[name=status]").get_attribute("value") == "implemented"
    assert b.css("#s-S1-D1 textarea[name=notes]").get_attribute("value") == (
        "113年盤點完成，平板 120 台"
    )
    response = Response.objects.get(assessment=assessment, strategy__code="S1.D1")
    assert (response.status, response.notes) == ("implemented", "113年盤點完成，平板 120 台")
    assert response.updated_by == world.users["elem_admin"]

    # evidence: a PDF on S1.D1, a photo on S1.D2; then S1.D2 implemented moves S1 to D live
    _add_file(b, "S1.D1", pdf)
    assert b.css("#s-S1-D1 [data-met-badge]").is_displayed()
    _add_file(b, "S1.D2", photo)
    assert b.css("[data-item-stage]").get_attribute("data-item-stage") == ""
    _choose(b, "S1.D2", "embedded")
    _saved(b, "S1.D2", "status")
    b.wait(
        lambda d: b.css("[data-item-stage]").get_attribute("data-item-stage") == "D",
        "the item's stage to move to D",
    )
    visible_next = [
        li.get_attribute("data-code")
        for li in b.driver.find_elements("css selector", ".next-steps li[data-code]")
        if li.is_displayed()
    ]
    assert visible_next == ["S1.A1", "S1.A2", "S1.A3"], visible_next
    width = b.driver.execute_script(
        "return document.querySelector('[data-bar-seg=D] > span').style.width"
    )
    assert width == "100%"
    kinds = sorted(
        Evidence.objects.filter(response__assessment=assessment).values_list("title", "kind")
    )
    assert kinds == [("classroom.png", "file"), ("資訊設備盤點.pdf", "file")]
    # the PDF is served to the signed-in school, from DTSS, not from a public media URL
    link = b.css("#s-S1-D1 .evidence .evidence-list a")
    assert "/framework/evidence/" in link.get_attribute("href")

    # nothing typed is lost: text kept on the device (as after a crash before the autosave
    # ran) comes back on the next visit and is saved
    response = Response.objects.get(assessment=assessment, strategy__code="S1.A1")
    key = f"dtss:assess:notes:{response.public_id}"
    b.driver.execute_script(
        "localStorage.setItem(arguments[0], arguments[1])",
        key,
        json.dumps({"value": "與廠商洽談中", "base": "", "at": 0}),
    )
    b.driver.refresh()
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", "reload")
    assert b.css("#s-S1-A1 textarea[name=notes]").get_attribute("value") == "與廠商洽談中"
    assert b.css("#s-S1-A1 .restore-note").text
    _saved(b, "S1.A1", "notes")
    b.wait(
        lambda d: d.execute_script("return localStorage.getItem(arguments[0])", key) is None,
        "the kept text to be forgotten once saved",
    )
    response.refresh_from_db()
    assert response.notes == "與廠商洽談中"

    # --- phone: submit ----------------------------------------------------------------------
    phone = browser_factory(window=PHONE)
    phone.log_in("elem_admin", PASSWORD)
    phone.wait(lambda d: phone.path() == "/", "the home page after logging in")
    phone.open(item_path)
    _no_sideways_scroll(phone, "the item page")
    phone.open(f"/framework/assessments/{assessment.public_id}/")
    _no_sideways_scroll(phone, "the assessment overview")
    assert phone.css("[data-assessment-status]").get_attribute("data-assessment-status") == (
        "draft"
    )
    phone.css("form.submit-form textarea[name=note]").send_keys("請督導考核組審閱")
    old = phone.driver.find_element("tag name", "html")
    phone.css("form.submit-form button[type=submit]").click()
    phone.wait(lambda d: _stale(old), "the submission to be sent")
    phone.wait(
        lambda d: (
            phone.css("[data-assessment-status]").get_attribute("data-assessment-status")
            == "submitted"
        ),
        "the assessment to show as submitted",
    )
    assert not phone.has("form.submit-form")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    event = assessment.events.get(action="submit")
    assert (event.by, event.note) == (world.users["elem_admin"], "請督導考核組審閱")
    # now read-only: no autosave forms on the item page
    phone.open(item_path)
    assert not phone.has("form[data-autosave-url]")
