"""A student's help request in a real browser on a phone (Debian's Chromium through
/usr/bin/chromedriver, as in dtss/core/tests/test_browser.py): the student opens the request's
page; the school's principal answers (through the service, in the test); within 15 seconds the
answer appears in the conversation and the status badge changes, without the page being
reloaded (a marker set on `window` survives). The page never scrolls sideways. Assertions use
ids, data attributes and data, never translated strings.
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
    browser_factory,  # noqa: F401  (the fixture)
)
from dtss.helpdesk import services
from dtss.helpdesk.tests.factories import make_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIVE_SECONDS = 15


def test_the_answer_appears_without_reloading(
    world: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    req = make_request(world, "elem_student", subject="因材網登入不了")
    b = browser_factory(PHONE)
    b.log_in("elem_student", PASSWORD)
    b.open(reverse("helpdesk:request_detail", args=[req.public_id]))
    assert b.css("#status-badge").get_attribute("data-status") == "new"
    assert b.has("#conversation[aria-live=polite]")
    before = len(b.driver.find_elements("css selector", "#conversation > li"))
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the request page scrolls sideways on a phone ({scroll} > {width})"
    b.driver.execute_script("window.__notReloaded = 'still-here';")

    reply = services.request_reply(
        request_obj=req, user=world.users["elem_admin"], body="請先清除瀏覽器快取，再重新登入。"
    )
    services.request_reply(
        request_obj=req, user=world.users["elem_admin"], body="內部備註不該出現", internal=True
    )

    WebDriverWait(b.driver, LIVE_SECONDS).until(
        lambda d: d.find_elements("css selector", f"#conversation #m-{reply.public_id}"),
        "the reply to appear on the requester's page",
    )
    node = b.css(f"#m-{reply.public_id}")
    assert "請先清除瀏覽器快取，再重新登入。" in node.text
    assert node.get_attribute("data-kind") == "reply"
    WebDriverWait(b.driver, LIVE_SECONDS).until(
        lambda d: d.find_element("id", "status-badge").get_attribute("data-status") == "open",
        "the status badge to change",
    )
    assert b.driver.execute_script("return window.__notReloaded") == "still-here"
    after = b.driver.find_elements("css selector", "#conversation > li")
    assert len(after) == before + 1  # the reply only: never the internal note
    assert "內部備註不該出現" not in b.body_text()
    assert not b.has("#conversation [data-kind=note]")


def _suggest(request: Any) -> Any:
    from django.http import JsonResponse

    q = request.GET.get("q", "")
    items = [
        {"title": "因材網無法登入怎麼辦", "url": "/helpdesk/kb/1/", "snippet": "先確認教育雲帳號"},
        {"title": "elsewhere", "url": "https://evil.example/", "snippet": "never shown"},
    ]
    return JsonResponse({"items": items if "因材網" in q else []})


def test_suggestions_while_typing_and_the_form_still_sends(
    world: Any,
    settings: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
) -> None:
    from django.urls import path

    from dtss.helpdesk.models import HelpRequest
    from dtss.helpdesk.tests.test_requests_views import _urlconf

    conf = _urlconf(with_kb=False)
    helpdesk = conf.urlpatterns[0]
    helpdesk.url_patterns.append(path("kb/suggest/", _suggest, name="kb_suggest"))
    settings.ROOT_URLCONF = conf
    b = browser_factory(PHONE)
    b.log_in("elem_student", PASSWORD)
    b.open("/helpdesk/new/?from=/devices/mine/")
    box = b.driver.find_element("id", "kb-suggest")  # empty (so not displayed) until then
    assert box.get_attribute("aria-live") == "polite" and box.text == ""
    b.css("#id_category").send_keys("\ue015")  # arrow down: the first category
    b.css("#id_subject").send_keys("因材網登入不了")
    link = b.css("#kb-suggest a")
    assert link.get_attribute("href").endswith("/helpdesk/kb/1/")
    assert "因材網無法登入怎麼辦" in box.text and "先確認教育雲帳號" in box.text
    assert "evil" not in box.get_attribute("innerHTML")  # only same-site links
    # on a phone the suggestions sit right under the subject being typed, not below the form
    assert b.driver.execute_script(
        "var box = document.getElementById('kb-suggest');"
        "return box.previousElementSibling.classList.contains('field-subject');"
    )
    b.css("#id_description").send_keys("輸入密碼後一直轉圈圈")
    b.driver.execute_script("document.getElementById('request-submit').click()")
    b.wait(lambda d: "/helpdesk/r/" in d.current_url, "the request's page")
    req = HelpRequest.objects.get()
    assert req.page_url == "/devices/mine/" and req.subject == "因材網登入不了"
