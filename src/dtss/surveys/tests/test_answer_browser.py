"""Answering an anonymous survey in a real browser on a phone (Debian's Chromium through
/usr/bin/chromedriver, as in dtss/core/tests/test_browser.py): type the code from a slip, see
the skip logic show and hide a question as the answers change, reload half-way and find the
answers kept on the device, switch the language, send with a required answer missing and see
the error next to it, fix it, send, and land on the thank-you page; the draft is then gone, and
the back button cannot send the answers twice. The page never scrolls sideways.

The assertions use data attributes, ids, values and typed data, never translated strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    EN,
    PHONE,
    ZH,
    Browser,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.surveys import services
from dtss.surveys.models import Answer, Submission
from dtss.surveys.tests.factories import questionnaire, run

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

WHY = "家裡沒有網路，只能用手機熱點"


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def _ready(b: Browser) -> None:
    b.wait(
        lambda d: d.execute_script(
            "var f = document.getElementById('survey-form');"
            "return !!f && f.getAttribute('data-ready') === '1'"
        ),
        "the answer page's script to start",
    )


def _shown(b: Browser, code: str) -> bool:
    return bool(
        b.driver.execute_script(
            "var el = document.querySelector('[data-q=\"' + arguments[0] + '\"]');"
            "return !!el && !el.hidden && el.offsetParent !== null",
            code,
        )
    )


def _checked(b: Browser, code: str) -> str:
    return b.driver.execute_script(
        "var el = document.querySelector('input[name=\"' + arguments[0] + '\"]:checked');"
        "return el ? el.value : ''",
        code,
    )


def _draft(b: Browser, key: str) -> str:
    return b.driver.execute_script("return localStorage.getItem(arguments[0]) || ''", key)


def _submit(b: Browser) -> None:
    old = b.driver.find_element("tag name", "html")
    b.css("#survey-form button[data-action=send]").click()
    b.wait(lambda d: _stale(old), "the answers to be sent")
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", "next page")


def test_answer_with_a_code_on_a_phone(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    r = run(world, {"teachers": questionnaire(world)})
    code = services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=1)[
        0
    ].code
    key = f"dtss:survey:code:{code}"
    b = browser_factory(window=PHONE)

    # the code from the slip, typed the way people type it
    b.open("/surveys/code/")
    assert b.html_lang() == ZH
    field = b.css("input#id_code")
    assert field.get_attribute("autocomplete") == "off"
    field.send_keys(f"{code[:4].lower()} {code[4:].lower()}")
    old = b.driver.find_element("tag name", "html")
    b.css("form.code-form button[type=submit]").click()
    b.wait(lambda d: _stale(old), "the code to be sent")
    b.wait(lambda d: b.path() == f"/surveys/a/{code}/", "the questionnaire of the code")
    _ready(b)
    _no_sideways_scroll(b, "the questionnaire")

    # skip logic, live: Q3 ("why not?") only when Q2 is "no"
    assert _shown(b, "Q1") and _shown(b, "Q2") and not _shown(b, "Q3")
    b.css('#q-Q2 input[value="no"]').click()
    b.wait(lambda d: _shown(b, "Q3"), "Q3 to appear when Q2 is no")
    b.css('#q-Q2 input[value="yes"]').click()
    b.wait(lambda d: not _shown(b, "Q3"), "Q3 to hide when Q2 is yes")
    b.css('#q-Q2 input[value="no"]').click()
    b.wait(lambda d: _shown(b, "Q3"), "Q3 to appear again")
    b.css("#q-Q3 textarea").send_keys(WHY)
    b.wait(lambda d: WHY in _draft(b, key), "the typed answer to be kept on the device")
    _no_sideways_scroll(b, "the questionnaire with every question")

    # a reload half-way: everything typed is back, with a notice
    b.driver.refresh()
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete", "reload")
    _ready(b)
    assert _checked(b, "Q2") == "no"
    assert b.css("#q-Q3 textarea").get_attribute("value") == WHY
    assert _shown(b, "Q3")
    assert b.css("[data-draft-restored]").is_displayed()

    # the other language: the page follows, the answers stay
    assert b.switch_language() == EN
    assert b.path() == f"/surveys/a/{code}/"
    _ready(b)
    assert _checked(b, "Q2") == "no"
    assert b.css("#q-Q3 textarea").get_attribute("value") == WHY

    # sent without the required Q1: the error sits next to Q1, the answers stay
    _submit(b)
    assert b.html_lang() == EN
    error = b.css('#q-Q1 [data-error-for="Q1"]')
    assert error.text.strip()
    assert not b.has('[data-error-for="Q2"]') and not b.has('[data-error-for="Q3"]')
    assert b.driver.execute_script("return document.activeElement.id") == "answer-errors"
    _ready(b)
    assert _checked(b, "Q2") == "no"
    assert b.css("#q-Q3 textarea").get_attribute("value") == WHY
    assert not Submission.objects.filter(run=r).exists()
    _no_sideways_scroll(b, "the questionnaire with an error")

    # fixed and sent: the thank-you page, back in Chinese; the draft is forgotten
    b.css('#q-Q1 input[value="4"]').click()
    assert b.switch_language() == ZH
    _ready(b)
    assert _checked(b, "Q1") == "4" and _checked(b, "Q2") == "no"
    _submit(b)
    b.wait(lambda d: b.path() == "/surveys/thanks/", "the thank-you page")
    assert b.has("[data-survey-done]") and b.html_lang() == ZH
    b.wait(lambda d: _draft(b, key) == "", "the draft to be forgotten")
    _no_sideways_scroll(b, "the thank-you page")
    sub = Submission.objects.get(run=r)
    assert dict(Answer.objects.filter(submission=sub).values_list("question__code", "value")) == {
        "Q1": 4,
        "Q2": "no",
        "Q3": WHY,
    }

    # the back button cannot send twice: the code is used
    b.driver.back()
    b.wait(lambda d: b.has("[data-survey-gone]"), "the used-code page")
    assert not b.has("#survey-form")
    assert Submission.objects.filter(run=r).count() == 1


def test_skip_logic_in_the_browser_matches_the_server(
    browser_factory: Callable[..., Browser],  # noqa: F811
    world: Any,
) -> None:
    """answer.js mirrors logic.py: for the same answers, the page shows exactly the questions
    `logic.visible_codes` shows (N/A is not a low score, out-of-range numbers count as not
    answered, a question hidden by its own or its section's conditions counts as unanswered)."""
    from dtss.surveys import logic
    from dtss.surveys.services import _logic_questions

    admin = world.users["a_admin"]
    qn = services.questionnaire_create(
        actor=admin, county=world.counties["A"], school=world.schools["A-elem"], title_zh="邏輯"
    )
    first = qn.sections.get()
    add = services.question_create
    add(section=first, actor=admin, kind="scale5", text_zh="Q1")
    add(section=first, actor=admin, kind="number", text_zh="Q2", min_value=0, max_value=10)
    add(
        section=first,
        actor=admin,
        kind="short_text",
        text_zh="Q3",
        show_if=[{"q": "Q1", "op": "lte", "value": 2}],
    )
    opts = [{"value": v, "zh": v} for v in ("a", "b", "c")]
    add(section=first, actor=admin, kind="multiple", text_zh="Q4", options=opts)
    add(
        section=first,
        actor=admin,
        kind="short_text",
        text_zh="Q5",
        show_if=[{"q": "Q4", "op": "in", "value": ["b", "c"]}],
    )
    add(
        section=first,
        actor=admin,
        kind="short_text",
        text_zh="Q6",
        show_if=[{"q": "Q2", "op": "gte", "value": "5"}],
    )
    second = services.section_create(
        questionnaire=qn,
        actor=admin,
        title_zh="第二部分",
        show_if=[{"q": "Q4", "op": "not_in", "value": ["a"]}],
    )
    add(
        section=second,
        actor=admin,
        kind="short_text",
        text_zh="Q7",
        show_if=[{"q": "Q6", "op": "answered"}],
    )
    r = run(world, {"teachers": qn})
    code = services.codes_generate(run=r, actor=admin, group="teachers", count=1)[0].code
    questions = _logic_questions(qn)

    def expected(raw: dict[str, Any]) -> set[str]:
        cleaned = {}
        for q in questions:
            try:
                value = logic.clean_value(q, raw.get(q.code))
            except ValueError:
                continue
            if value is not None:
                cleaned[q.code] = value
        return logic.visible_codes(questions, cleaned)

    b = browser_factory(window=PHONE)
    b.open(f"/surveys/a/{code}/")
    _ready(b)
    raw: dict[str, Any] = {}
    steps: list[dict[str, Any]] = [
        {},
        {"Q1": "0"},  # N/A: not "at most 2"
        {"Q1": "2"},
        {"Q4": ["b"]},
        {"Q4": ["a"]},  # hides the second section
        {"Q4": ["a", "c"]},
        {"Q4": []},
        {"Q2": "7"},
        {"Q6": "有"},
        {"Q2": "12"},  # out of range: not answered, so Q6 hides, and Q7 with it
        {"Q2": "0"},
        {"Q2": "5"},
        {"Q1": "5"},
    ]
    for step in steps:
        raw.update(step)
        b.driver.execute_script(
            """
            var form = document.getElementById('survey-form'), values = arguments[0];
            Object.keys(values).forEach(function (code) {
              var v = values[code];
              form.querySelectorAll('[name="' + code + '"]').forEach(function (el) {
                if (el.type === 'radio' || el.type === 'checkbox') {
                  el.checked = (Array.isArray(v) ? v : [v]).indexOf(el.value) >= 0;
                } else { el.value = v; }
              });
            });
            form.dispatchEvent(new Event('change', {bubbles: true}));
            """,
            step,
        )
        shown = set(
            b.driver.execute_script(
                "return Array.from(document.querySelectorAll('[data-q]'))"
                ".filter(function (el) { return el.offsetParent !== null; })"
                ".map(function (el) { return el.getAttribute('data-q'); })"
            )
        )
        assert shown == expected(raw), (step, raw)
