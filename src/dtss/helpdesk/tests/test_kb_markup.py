"""Article markdown is rendered and then sanitised: no scripts, no event handlers, no
javascript: links; images and videos only from the article's own media."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dtss.helpdesk import markup
from dtss.helpdesk.markup import MediaRef

IMG = uuid.UUID("11111111-1111-4111-8111-111111111111")
VID = uuid.UUID("22222222-2222-4222-8222-222222222222")
DOC = uuid.UUID("33333333-3333-4333-8333-333333333333")
OTHER = uuid.UUID("44444444-4444-4444-8444-444444444444")
MEDIA = {
    str(IMG): MediaRef("image", f"/helpdesk/kb/media/{IMG}/", "step1.png"),
    str(VID): MediaRef("video", f"/helpdesk/kb/media/{VID}/", "repair.mp4", "換電池"),
    str(DOC): MediaRef("file", f"/helpdesk/kb/media/{DOC}/", "guide.pdf"),
}


def render(text: str) -> str:
    return markup.render(text, media=MEDIA)


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>hello", "<script"),
        ("<script>alert(1)</script>hello", "alert"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<a href="data:text/html,<script>x</script>">x</a>', "data:"),
        ("![x](https://evil.example/track.png)", "evil.example"),
        ('<img src="https://evil.example/t.png">', "evil.example"),
        ('<video src="https://evil.example/v.mp4"></video>', "evil.example"),
        ('<form action="/x"><input name="a"></form>', "<input"),
        ('<td style="position:fixed;text-align:left">a</td>', "position"),
    ],
)
def test_dangerous_input_is_stripped(source: str, forbidden: str) -> None:
    assert forbidden.lower() not in render(source).lower()


def test_allowed_markup_survives() -> None:
    html = render(
        "# 問題\n\n- 一\n- 二\n\n1. 先\n2. 後\n\n**粗** _斜_ `code`\n\n"
        "[教育部](https://www.edu.tw)\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n```\nping 8.8.8.8\n```"
    )
    assert "<h2>問題</h2>" in html  # headings one level down: the page's title is the h1
    assert "<ul>" in html and "<ol>" in html and "<strong>粗</strong>" in html
    assert "<code>code</code>" in html and "<pre><code>ping 8.8.8.8" in html
    assert '<a href="https://www.edu.tw" rel="noopener noreferrer">教育部</a>' in html
    assert "<table>" in html and 'style="text-align:right"' in html


def test_media_references_resolve_to_the_articles_own_media_only() -> None:
    html = render(
        f"![第一步](media:{IMG})\n\n![影片](media:{VID})\n\n[說明書](media:{DOC})\n\n"
        f"![別人的](media:{OTHER})\n\n![](media:{DOC})"
    )
    assert f'<img src="/helpdesk/kb/media/{IMG}/" alt="第一步" loading="lazy">' in html
    assert (
        f'<video controls="" preload="metadata" playsinline="" src="/helpdesk/kb/media/{VID}/"'
        in html
    )
    assert f'<a href="/helpdesk/kb/media/{DOC}/" rel="noopener noreferrer">說明書</a>' in html
    assert str(OTHER) not in html and "別人的" in html  # the caption stays, nothing loads
    # a raw tag pointing at the media URL of another article is not loaded either
    raw = render(
        f'<img src="/helpdesk/kb/media/{OTHER}/"><video src="/helpdesk/kb/media/{OTHER}/">'
    )
    assert str(OTHER) not in raw
    # without any media nothing resolves
    assert "/helpdesk/kb/media/" not in markup.render(f"![x](media:{IMG})")
    assert markup.referenced_ids(f"![a](media:{IMG}) [b](media:{str(DOC).upper()})") == {
        str(IMG),
        str(DOC),
    }


def test_plain_text_for_snippets() -> None:
    assert markup.plain_text(
        "## 標題\n\n**粗體** [連結](https://x) <script>bad()</script> a&b"
    ) == ("標題 粗體 連結 a&b")


def test_media_map_uses_the_served_url(world: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.base import ContentFile

    from dtss.helpdesk.models import ArticleMedia
    from dtss.helpdesk.tests.factories import make_article

    settings.MEDIA_ROOT = tmp_path
    article = make_article(world)
    m = ArticleMedia(county=article.county, article=article, kind="image", name="a.png")
    m.file.save("a.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    refs = markup.media_map(article)
    assert refs[str(m.public_id)].url == f"/helpdesk/kb/media/{m.public_id}/"
    html = markup.render_article_text(article, f"![圖](media:{m.public_id})")
    assert f'src="/helpdesk/kb/media/{m.public_id}/"' in html
