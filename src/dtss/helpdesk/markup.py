"""Knowledge-base markdown to safe HTML.

Articles are written in markdown (CommonMark with tables and strikethrough) and rendered by
`markdown_it`; the HTML is then sanitised by `nh3` (an allow list of tags and attributes), so
neither markdown nor raw HTML in an article can run a script, load a foreign image or carry an
event handler.

Images and videos come only from the article's own media (`ArticleMedia`), referenced as
`media:<public_id>`:

- `![caption](media:<id>)` of an image → `<img src="/helpdesk/kb/media/<id>/" alt="caption">`;
- the same of a video → `<video controls preload="metadata" src=…>` (with a link to the file
  as its fallback), so repair steps recorded on a phone play inline;
- the same of another file, or `[text](media:<id>)` of any media → a link to the file.

A reference to media of another article (or to nothing) renders as its caption text only;
`![x](https://elsewhere/…)` renders as its caption text too (images only from the article's
own media). Headings are moved one level down (the page's title is the `<h1>`); links get
`rel="noopener noreferrer"`; `javascript:` and other schemes than http(s), mailto and tel are
dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MEDIA_REF = re.compile(
    r"media:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)

TAGS = {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "s",
    "code",
    "pre",
    "kbd",
    "sup",
    "sub",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "video",
    "details",
    "summary",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading", "width", "height"},
    "video": {"src", "controls", "preload", "playsinline", "title", "width", "height"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class MediaRef:
    """What a `media:<id>` reference of an article resolves to."""

    kind: str  # image, video or file
    url: str
    name: str
    caption: str = ""


def referenced_ids(text: str) -> set[str]:
    """The media ids (lower case) a markdown text refers to."""
    return {m.lower() for m in MEDIA_REF.findall(text or "")}


def _media_id(src: str) -> str | None:
    match = MEDIA_REF.fullmatch(src.strip())
    return match.group(1).lower() if match else None


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True})
    md.enable(["table", "strikethrough"])

    def image(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        media: Mapping[str, MediaRef] = env.get("media", {})
        key = _media_id(str(token.attrGet("src") or ""))
        ref = media.get(key) if key else None
        if ref is None:
            return _escape(alt)
        label = alt or ref.caption or ref.name
        if ref.kind == "image":
            return f'<img src="{_escape(ref.url)}" alt="{_escape(label)}" loading="lazy">'
        if ref.kind == "video":
            return (
                f'<video controls preload="metadata" playsinline src="{_escape(ref.url)}"'
                f' title="{_escape(label)}"><a href="{_escape(ref.url)}">{_escape(label)}</a>'
                "</video>"
            )
        return f'<a href="{_escape(ref.url)}">{_escape(label)}</a>'

    def link_open(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if href.startswith("media:"):
            media: Mapping[str, MediaRef] = env.get("media", {})
            key = _media_id(href)
            ref = media.get(key) if key else None
            if ref is None:
                token.attrs.pop("href", None)
            else:
                token.attrSet("href", ref.url)
        return self.renderToken(tokens, idx, options, env)

    def heading(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        level = min(int(token.tag[1]) + 1, 6)
        token.tag = f"h{level}"
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("image", image)
    md.add_render_rule("link_open", link_open)
    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


_MD = _parser()


def sanitise(fragment: str, *, media_urls: Iterable[str] = ()) -> str:
    """Clean an HTML fragment: allowed tags and attributes only; `<img>` and `<video>` only
    with a `src` among `media_urls` (an image or video of anything else loses its source)."""
    allowed = set(media_urls)

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag in ("img", "video") and attr == "src":
            return value if value in allowed else None
        return value

    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def render(text: str, *, media: Mapping[str, MediaRef] | None = None) -> str:
    """Markdown to safe HTML; `media` maps the article's own media ids (lower case) to what
    they resolve to."""
    media = media or {}
    raw = _MD.render(text or "", {"media": media})
    return sanitise(raw, media_urls={ref.url for ref in media.values()})


def plain_text(text: str) -> str:
    """The words of a markdown text without its markup (for snippets), whitespace collapsed."""
    raw = _MD.render(text or "", {"media": {}})
    stripped = nh3.clean(raw, tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(stripped).split())


def media_map(article: Any) -> dict[str, MediaRef]:
    """The article's own media, by id, with the URL DTSS serves each from."""
    from django.urls import reverse

    return {
        str(m.public_id).lower(): MediaRef(
            kind=m.kind,
            url=reverse("helpdesk:kb_media", args=[m.public_id]),
            name=m.name,
            caption=m.caption,
        )
        for m in article.media.all()
    }


def render_article_text(article: Any, text: str) -> str:
    """One text of an article (its Chinese or English body) rendered with its own media."""
    return render(text, media=media_map(article))
