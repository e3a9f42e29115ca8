"""The teacher's risk page in a real browser (issue 7, item 3): the ranked list with a reason,
then the student's page, where an intervention is added and its marker appears on the trend.

Debian's Chromium through /usr/bin/chromedriver, with the fixtures of
dtss/core/tests/test_browser.py (as analytics/tests/test_class_browser.py). Scores are made
directly (`risk_world` of test_views.py). Assertions read ids and data attributes, never
translated strings (the page is in Traditional Chinese).

Set DTSS_SCREENSHOT_DIR to keep screenshots of the pages for a look by eye.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone

from dtss.conftest import PASSWORD
from dtss.core.tests.test_browser import (
    CHROMEDRIVER,
    DESKTOP,
    PHONE,
    _stale,
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.predict.models import Intervention
from dtss.predict.tests.test_views import risk_world  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(b: Any, name: str) -> None:
    folder = os.environ.get("DTSS_SCREENSHOT_DIR")
    if folder:
        size = b.driver.get_window_size()
        height = b.driver.execute_script("return document.documentElement.scrollHeight")
        b.driver.set_window_size(size["width"], max(height + 140, size["height"]))
        b.driver.save_screenshot(os.path.join(folder, f"{name}.png"))
        b.driver.set_window_size(size["width"], size["height"])


def test_teacher_reads_the_ranked_list_and_logs_an_intervention(
    risk_world: Any,  # noqa: F811
    browser_factory: Any,  # noqa: F811
) -> None:
    w = risk_world
    school_class = w.classes["A-elem 5-1"]
    student = w.people["elem_student2"]
    page = f"/predict/classes/{school_class.public_id}/"

    b = browser_factory(DESKTOP)
    b.log_in("elem_teacher", PASSWORD)
    b.open("/predict/classes/")
    b.css(f'li[data-class="{school_class.public_id}"] a[href="{page}"]').click()
    b.wait(lambda d: b.path() == page, "the class risk page")
    b.css("table#ranked")
    _shot(b, "predict_class")
    rows = b.driver.find_elements("css selector", "table#ranked tbody tr")
    assert [(r.get_attribute("data-rank"), r.get_attribute("data-band")) for r in rows] == [
        ("1", "high"),
        ("2", "low"),
    ]
    first = rows[0]
    assert first.get_attribute("data-person") == str(student.public_id)
    assert "60%" in first.find_element("css selector", "ul.reasons li").text  # a reason
    assert b.has(f'#insufficient li[data-person="{w.people["kid3"].public_id}"]')

    old = b.driver.find_element("tag name", "html")
    first.find_element("css selector", f'a[href="/predict/students/{student.public_id}/"]').click()
    b.wait(lambda d: _stale(old) and b.path().startswith("/predict/students/"), "the student")
    assert not b.has("svg.trend g.marker")
    today = timezone.localdate().isoformat()
    date_input = b.css("form#add-intervention input[name=date]")
    b.driver.execute_script("arguments[0].value = arguments[1];", date_input, today)
    from selenium.webdriver.support.ui import Select

    Select(b.css("form#add-intervention select[name=kind]")).select_by_value("parent")
    b.css("form#add-intervention textarea[name=note]").send_keys("已與家長通話")
    old = b.driver.find_element("tag name", "html")
    b.css("form#add-intervention button[type=submit]").click()
    b.wait(lambda d: _stale(old), "the form to be submitted")
    iv = b.wait(lambda d: Intervention.objects.filter(person=student).first(), "the entry")
    marker = b.wait(
        lambda d: d.find_element(
            "css selector", f'svg.trend g.marker[data-intervention="{iv.pk}"]'
        ),
        "the intervention's marker on the trend",
    )
    assert marker.get_attribute("data-date") == today
    row = b.css(f'table#interventions tr[data-intervention="{iv.pk}"]')
    assert row.get_attribute("data-kind") == "parent" and "已與家長通話" in row.text
    _shot(b, "predict_student")
    # back on the class page, the last intervention shows beside the student
    b.open(page)
    assert b.css(f'tr[data-person="{student.public_id}"] [data-last-intervention="{today}"]')


def test_risk_pages_and_model_card_on_a_phone_in_english(
    risk_world: Any,  # noqa: F811
    browser_factory: Any,  # noqa: F811
) -> None:
    """The teacher's pages and the county's model card at 390 × 844, in English: nothing
    makes the page scroll sideways, the reasons and the intervention form are in view."""
    w = risk_world
    school_class = w.classes["A-elem 5-1"]
    student = w.people["elem_student2"]
    js_width = "return document.documentElement.scrollWidth"

    b = browser_factory(PHONE)
    b.log_in("elem_teacher", PASSWORD)
    assert b.switch_language() == "en"
    b.open(f"/predict/classes/{school_class.public_id}/")
    row = b.css(f'table#ranked tr[data-person="{student.public_id}"]')
    _shot(b, "predict_class_phone_en")
    assert b.driver.execute_script(js_width) <= PHONE[0]
    reason = row.find_element("css selector", "ul.reasons li")
    assert "60%" in reason.text and "activity" in reason.text.lower()  # English wording
    b.open(f"/predict/students/{student.public_id}/")
    form = b.css("form#add-intervention")
    b.driver.execute_script("arguments[0].scrollIntoView()", form)
    _shot(b, "predict_student_phone_en")
    assert b.driver.execute_script(js_width) <= PHONE[0]
    button = form.find_element("css selector", "button[type=submit]")
    assert button.rect["x"] >= 0 and button.rect["x"] + button.rect["width"] <= PHONE[0]
    assert b.css("svg.trend").rect["width"] <= PHONE[0]

    admin = browser_factory(PHONE)
    admin.log_in("a_admin", PASSWORD)
    assert admin.switch_language() == "en"
    admin.open(f"/predict/models/{w.versions['A'].public_id}/")
    admin.css("#auc")
    _shot(admin, "predict_model_phone_en")
    assert admin.driver.execute_script(js_width) <= PHONE[0]
    # another county's version is not found
    admin.open(f"/predict/models/{w.versions['B'].public_id}/")
    assert not admin.has("#auc")
