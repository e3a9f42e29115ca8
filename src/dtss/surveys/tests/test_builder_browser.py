"""The questionnaire builder in a real browser on a phone (Debian's Chromium through
/usr/bin/chromedriver, as in dtss/core/tests/test_browser.py): from the top bar to the editor,
add a question whose form shows only the fields its kind uses, write a skip-logic row whose
option list follows the chosen question, save, and see the condition in the editor and the
preview. No page scrolls sideways.

The assertions use ids, names, values and data, never translated strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    PASSWORD,
    PHONE,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.surveys.tests.factories import questionnaire

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    # live_server makes these transactional; the flush after each test would also remove the
    # counties and the question bank loaded by migration, so restore them before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def _visible(b: Browser, selector: str) -> bool:
    return bool(
        b.driver.execute_script(
            "var el = document.querySelector(arguments[0]);return !!el && el.offsetParent !== null",
            selector,
        )
    )


def _select(b: Browser, name: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(b.css(f'select[name="{name}"]')).select_by_value(value)


def _options_shown(b: Browser, name: str) -> list[str]:
    return b.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'select[name=\"' + arguments[0] + '\"] option'))"
        ".filter(function (o) { return !o.disabled && !o.parentNode.hidden; })"
        ".map(function (o) { return o.value; })",
        name,
    )


def test_build_a_question_with_skip_logic_on_a_phone(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    qn = questionnaire(world)
    editor = reverse("surveys:questionnaire_detail", args=[qn.public_id])
    b = browser_factory(window=PHONE)
    b.log_in("elem_admin", PASSWORD)

    b.open(reverse("surveys:questionnaire_list"))
    assert b.has(f'header nav a[href="{reverse("surveys:questionnaire_list")}"]')
    _no_sideways_scroll(b, "the list of questionnaires")
    b.css(f'a[href="{editor}"]').click()
    b.wait(lambda d: b.path() == editor, "the editor")
    _no_sideways_scroll(b, "the editor")
    section = qn.sections.get()
    add = reverse("surveys:question_create", args=[qn.public_id, section.public_id])
    b.css(f'a[href="{add}"]').click()
    b.wait(lambda d: b.path() == add, "the new-question form")
    _no_sideways_scroll(b, "the new-question form")

    # only the fields the kind uses
    _select(b, "kind", "single")
    b.wait(lambda d: _visible(b, "#id_options"), "the options of a choice question")
    assert not _visible(b, "#id_min_value")
    _select(b, "kind", "number")
    b.wait(lambda d: _visible(b, "#id_min_value"), "the range of a number question")
    assert not _visible(b, "#id_options")
    _select(b, "kind", "short_text")

    # the skip-logic row: the options offered follow the chosen question
    assert not _visible(b, "#id_c0_op")
    _select(b, "c0_q", "Q2")
    b.wait(lambda d: _visible(b, "#id_c0_choice"), "the options of Q2")
    assert _options_shown(b, "c0_choice") == ["Q2=yes", "Q2=no"]
    assert not _visible(b, "#id_c0_value")
    _select(b, "c0_q", "Q1")
    b.wait(lambda d: _options_shown(b, "c0_choice")[0] == "Q1=5", "the scale of Q1")
    _select(b, "c0_op", "answered")
    b.wait(lambda d: not _visible(b, "#id_c0_choice"), "no value for 'is answered'")
    _select(b, "c0_q", "Q2")
    _select(b, "c0_op", "eq")
    _select(b, "c0_choice", "Q2=no")
    b.css("#id_text_zh").send_keys("沒有網路時，你怎麼完成線上作業？")
    _no_sideways_scroll(b, "the new-question form with a condition")
    old = b.driver.find_element("tag name", "html")
    b.css("form.builder button[type=submit]").click()
    b.wait(lambda d: _stale(old), "the question to be saved")
    b.wait(lambda d: b.path().split("#")[0] == editor, "the editor again")

    q4 = qn.questions.get(code="Q4")
    assert q4.kind == "short_text" and q4.show_if == [{"q": "Q2", "op": "eq", "value": "no"}]
    assert "Q2 = 沒有" in b.css(f"#q-{q4.public_id}").text
    b.open(reverse("surveys:questionnaire_preview", args=[qn.public_id]))
    assert "Q2 = 沒有" in b.body_text()
    _no_sideways_scroll(b, "the preview")
    b.open(f"{reverse('surveys:bank_list')}?to={qn.public_id}")
    b.css('input[type=checkbox][name="bank"]')
    _no_sideways_scroll(b, "the bank")
