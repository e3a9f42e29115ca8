"""Knowledge-base search: Chinese by character pairs (no spaces needed), English words, the
list page and the suggestions the request form asks for while someone types."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from dtss.helpdesk import kb_selectors as sel
from dtss.helpdesk.models import Article, ArticleReadDay
from dtss.helpdesk.search import article_search
from dtss.helpdesk.tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world: Any) -> dict[str, Article]:
    return {
        "adl": make_article(
            world,
            title_zh="因材網無法登入怎麼辦",
            body_zh="請先確認教育雲帳號，再清除瀏覽器快取後重新登入因材網。",
            category="platform",
            platform="adl",
        ),
        "tablet": make_article(
            world,
            title_zh="平板充電充不進去",
            body_zh="平板插上充電線沒有反應時，請換一個插座，並檢查充電器是否損壞。",
            title_en="The tablet will not charge",
            body_en="Try another socket and check whether the charger is damaged.",
            category="device",
        ),
        "cool": make_article(
            world,
            title_zh="酷英網帳號與密碼",
            body_zh="酷英網以教育雲帳號登入；忘記密碼請找資訊組長重設。",
            category="platform",
            platform="coolenglish",
        ),
    }


def ids(found: list[tuple[Article, float]]) -> list[int]:
    return [a.pk for a, _score in found]


def test_a_chinese_question_finds_the_right_article_first(world: Any, three: Any) -> None:
    qs = Article.objects.filter(status="published")
    found = article_search(qs, "因材網登不進去")
    # the tablet article shares 不進/進去 (充不進去) but not the platform: it comes second
    assert ids(found) == [three["adl"].pk, three["tablet"].pk]
    assert ids(article_search(qs, "充電"))[0] == three["tablet"].pk
    assert ids(article_search(qs, "酷英網密碼"))[0] == three["cool"].pk


def test_two_characters_english_words_and_no_match(world: Any, three: Any) -> None:
    qs = Article.objects.filter(status="published")
    assert ids(article_search(qs, "平板")) == [three["tablet"].pk]
    assert ids(article_search(qs, "charger"))[0] == three["tablet"].pk
    assert ids(article_search(qs, "CHARGE")) == [three["tablet"].pk]  # case and width folded
    assert article_search(qs, "颱風停課") == []
    assert article_search(qs, "") == []
    assert article_search(qs, "zzzz") == []


def test_the_list_page_ranks_highlights_and_filters(world: Any, three: Any) -> None:
    client = world.client("elem_teacher")
    page = client.get(reverse("helpdesk:kb_list"), {"q": "因材網登不進去"}).content.decode()
    order = re.findall(r'data-id="([0-9a-f-]{36})"', page)
    assert order[0] == str(three["adl"].public_id)
    assert "<mark>因材網</mark>" in page  # the matched characters of the title
    page = client.get(
        reverse("helpdesk:kb_list"), {"q": "登入", "platform": "coolenglish"}
    ).content.decode()
    assert re.findall(r'data-id="([0-9a-f-]{36})"', page) == [str(three["cool"].public_id)]
    page = client.get(reverse("helpdesk:kb_list"), {"q": "颱風停課"}).content.decode()
    assert 'id="kb-empty"' in page and "data-id=" not in page
    # no query: every published article, newest first, paged
    page = client.get(reverse("helpdesk:kb_list")).content.decode()
    assert len(re.findall(r'data-id="', page)) == 3


def test_readers_never_see_drafts_editors_do_with_a_status_filter(world: Any, three: Any) -> None:
    draft = make_article(world, title_zh="因材網草稿", status="draft")
    archived = make_article(world, title_zh="舊的因材網說明", status="archived")
    teacher = world.client("elem_teacher").get(reverse("helpdesk:kb_list"), {"q": "因材網"})
    body = teacher.content.decode()
    assert str(draft.public_id) not in body and str(archived.public_id) not in body
    assert 'id="kb-new"' not in body
    admin = world.client("a_admin")
    body = admin.get(reverse("helpdesk:kb_list")).content.decode()
    assert str(draft.public_id) in body and str(archived.public_id) not in body
    assert 'id="kb-new"' in body
    body = admin.get(reverse("helpdesk:kb_list"), {"status": "archived"}).content.decode()
    assert re.findall(r'data-id="([0-9a-f-]{36})"', body) == [str(archived.public_id)]
    # another county's editor sees none of them
    body = world.client("b_admin").get(reverse("helpdesk:kb_list")).content.decode()
    assert "data-id=" not in body


def test_suggestions_json(world: Any, three: Any) -> None:
    make_article(world, title_zh="因材網登入的草稿", status="draft")
    url = reverse("helpdesk:kb_suggest")
    client = world.client("elem_student")
    data = client.get(url, {"q": "因材網登不進去", "limit": 2}).json()
    assert len(data["items"]) <= 2
    first = data["items"][0]
    assert first["title"] == "因材網無法登入怎麼辦"
    assert first["url"] == reverse("helpdesk:kb_article", args=[three["adl"].public_id])
    assert "因材網" in first["snippet"] and "<" not in first["snippet"]
    assert all("草稿" not in item["title"] for item in data["items"])
    assert client.get(url, {"q": "因"}).json() == {"items": []}
    assert client.get(url, {"q": "  "}).json() == {"items": []}
    assert client.get(url, {"q": "颱風停課"}).json() == {"items": []}
    # nothing is counted
    three["adl"].refresh_from_db()
    assert three["adl"].view_count == 0 and not ArticleReadDay.objects.exists()
    # signed in only; another county's reader finds nothing of county A
    from django.test import Client

    assert Client().get(url, {"q": "因材網"}).status_code == 401
    assert world.client("b_teacher").get(url, {"q": "因材網登入"}).json() == {"items": []}


def test_snippet_marks_the_matched_characters_around_the_match() -> None:
    text = "前言" * 80 + "請清除瀏覽器快取後重新登入，再開啟因材網。" + "結尾" * 80
    snip = sel.snippet(text, "因材網登入")
    assert snip.text.startswith("…") and snip.text.endswith("…")
    marked = {snip.text[s:e] for s, e in snip.marks}
    assert "因材網" in marked and "登入" in marked
    assert "<mark>因材網</mark>" in snip.html()
    assert sel.snippet("<b>a</b> & b", "zz").html() == "a &amp; b"
