"""The knowledge base in a real browser on a phone (Debian's Chromium, as in
dtss/core/tests/test_browser.py): an editor writes a draft, uploads a picture, inserts it into
the text with the button, previews, saves and publishes; a teacher searches in Chinese without
spaces and opens the first result, which shows the picture; an anonymous visitor reads the
county's public page. No page scrolls sideways. Assertions use ids and data, not labels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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
from dtss.helpdesk.models import Article, ArticleMedia
from dtss.helpdesk.tests.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMEDRIVER.exists(),
        reason=f"{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2d3a40000000049454e44ae426082"
)


def _no_sideways_scroll(b: Browser, what: str) -> None:
    width = b.driver.execute_script("return document.documentElement.clientWidth")
    scroll = b.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width})"


def _submit(b: Browser, selector: str) -> None:
    old = b.driver.find_element("tag name", "html")
    b.css(selector).click()
    b.wait(lambda d: _stale(old), "the form to be submitted")


def test_editor_writes_with_a_picture_and_a_teacher_finds_it(
    world: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_article(world, title_zh="平板充電充不進去", body_zh="換一個插座試試。")
    b = browser_factory(PHONE)
    b.log_in("a_admin", PASSWORD)
    b.open(reverse("helpdesk:article_create"))
    _no_sideways_scroll(b, "the new article form")
    b.css("#id_title_zh").send_keys("因材網無法登入怎麼辦")
    b.css("#id_body_zh").send_keys("請先清除瀏覽器快取，再重新登入因材網。\n")
    _submit(b, "#kb-save")
    article = Article.objects.get(title_zh="因材網無法登入怎麼辦")
    assert b.path() == reverse("helpdesk:article_edit", args=[article.public_id]) + ""
    picture = tmp_path / "step1.png"
    picture.write_bytes(PNG)
    b.css("#media-form input[type=file]").send_keys(str(picture))
    _submit(b, "#media-form button[type=submit]")
    media = ArticleMedia.objects.get(article=article)
    assert media.kind == "image"
    b.css(f'li[data-id="{media.public_id}"] .kb-insert').click()
    value = b.css("#id_body_zh").get_attribute("value")
    assert f"(media:{media.public_id})" in value
    _submit(b, "#kb-preview-button")
    assert b.has(f'#kb-preview img[src="/helpdesk/kb/media/{media.public_id}/"]')
    _no_sideways_scroll(b, "the editor with a preview")
    _submit(b, "button[name=view]")
    _submit(b, "#kb-publish")
    article.refresh_from_db()
    assert article.status == "published" and f"media:{media.public_id}" in article.body_zh

    t = browser_factory(PHONE)
    t.log_in("elem_teacher", PASSWORD)
    t.open(reverse("helpdesk:kb_list"))
    t.css("#kb-search input[name=q]").send_keys("因材網登不進去")
    _submit(t, "#kb-search button[type=submit]")
    first = t.css("#kb-results li.kb-result")
    assert first.get_attribute("data-id") == str(article.public_id)
    assert t.has("#kb-results li.kb-result mark")
    _no_sideways_scroll(t, "the search results")
    _submit(t, "#kb-results li.kb-result h2 a")
    img = t.css("#kb-body img")
    t.wait(lambda d: d.execute_script("return arguments[0].naturalWidth", img) == 1, "the image")
    _no_sideways_scroll(t, "the article")
    assert t.has("#helpful button[name=helpful]")


def test_anonymous_reads_the_public_page_on_a_phone(
    world: Any,
    browser_factory: Callable[..., Browser],  # noqa: F811
) -> None:
    public = make_article(world, title_zh="家長如何協助孩子登入因材網", visibility="public")
    make_article(world, title_zh="只給登入者", visibility="signed_in")
    b = browser_factory(PHONE)
    b.open(reverse("helpdesk:kb_public", args=["10008"]))
    rows = b.driver.find_elements("css selector", "#kb-results li.kb-result")
    assert [r.get_attribute("data-id") for r in rows] == [str(public.public_id)]
    _no_sideways_scroll(b, "the public help page")
    _submit(b, "#kb-results li.kb-result h2 a")
    assert b.path() == reverse("helpdesk:kb_public_article", args=["10008", public.public_id])
    _submit(b, "#helpful button[value=yes]")
    public.refresh_from_db()
    assert public.helpful_yes == 1 and public.view_count == 1
