"""Reads of the knowledge base: who reads which articles, search, snippets, and the article in
the reader's language.

- `articles_readable(user)`: from `Article.objects.visible_to(user)` — the published articles
  of the user's county and schools, and for editors (the county's office; a school's
  administrators for their school's additions) every status of the articles they edit.
- `articles_public(county)`: published, public articles of one county (its schools' public
  additions included), for anyone without signing in.
- `article_list(...)`: filters, then either ranked by `search.article_search` (the one
  search; Chinese by character bigrams) or sorted (newest, most read, subject).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dtss.core.tenancy import Scope, scope_for
from dtss.helpdesk import access, markup, search
from dtss.helpdesk.models import Article, ArticleMedia, Category, Platform

SORTS = ("new", "read", "subject")
SEARCH_LIMIT = 200
SNIPPET_CHARS = 120


# --------------------------------------------------------------------------- who reads what


def editable_q(scope: Scope) -> Q:
    """The articles the scope edits (drafts and archived included)."""
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return q


def articles_readable(*, user: Any) -> QuerySet[Article]:
    """Every article the user may open: the published ones they may read, and all of those
    they edit. (A reader never sees drafts, not even one the tenancy rule would show.)"""
    scope = scope_for(user)
    qs = Article.objects.visible_to(user)
    if scope.superuser:
        return qs
    return qs.filter(Q(status=Article.Status.PUBLISHED) | editable_q(scope))


def articles_published(*, user: Any) -> QuerySet[Article]:
    """The published articles the user reads (suggestions, the reader's search)."""
    return Article.objects.visible_to(user).filter(status=Article.Status.PUBLISHED)


def articles_public(*, county: Any) -> QuerySet[Article]:
    return Article.objects.filter(
        county=county,
        status=Article.Status.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
    )


def may_edit(user: Any, article: Article) -> bool:
    return access.may_edit_articles(
        scope_for(user), school_id=article.school_id, county_id=article.county_id
    )


def edits_any(user: Any) -> bool:
    return access.edits_any_articles(user)


def media_readable(*, user: Any, public_id: Any) -> ArticleMedia | None:
    """One media file the user may fetch: of an article they may open, or of a published
    public article (for anyone)."""
    base = ArticleMedia.objects.select_related("article").filter(public_id=public_id)
    try:
        media = base.first()
    except (ValueError, TypeError):
        return None
    if media is None:
        return None
    article = media.article
    if (
        article.status == Article.Status.PUBLISHED
        and article.visibility == Article.Visibility.PUBLIC
    ):
        return media
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and articles_readable(user=user).filter(pk=article.pk).exists():
        return media
    return None


# --------------------------------------------------------------------------- lists and search


@dataclass
class Listing:
    """A list of articles: either ranked by a query (with scores) or sorted."""

    articles: list[Article] | QuerySet[Article]
    ranked: bool


def article_list(
    *,
    articles: QuerySet[Article],
    query: str = "",
    category: str = "",
    platform: str = "",
    status: str = "",
    sort: str = "new",
    limit: int = SEARCH_LIMIT,
) -> Listing:
    """Filter an already scoped queryset; rank it by `query` (best first) or sort it."""
    qs = articles
    if category in Category.values:
        qs = qs.filter(category=category)
    if platform and platform in Platform.values:
        qs = qs.filter(platform=platform)
    if status in Article.Status.values:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        found = search.article_search(qs, query, limit=limit)
        return Listing(articles=[a for a, _score in found], ranked=True)
    if sort == "read":
        qs = qs.order_by("-view_count", "-published_at", "-id")
    elif sort == "subject":
        qs = qs.order_by("title_zh", "id")
    else:
        qs = qs.order_by("-published_at", "-updated_at", "-id")
    return Listing(articles=qs, ranked=False)


# --------------------------------------------------------------------------- language


@dataclass
class Localised:
    title: str
    body: str
    fallback: bool  # English asked for, Chinese shown
    lang: str


def localised(article: Article, lang: str | None = None) -> Localised:
    """The article in the reader's language: English when asked for and written, else the
    Chinese text (with `fallback` set when English was asked for)."""
    lang = lang or translation.get_language() or "zh-hant"
    if lang.startswith("en"):
        if (article.body_en or "").strip():
            return Localised(
                title=article.title_en or article.title_zh,
                body=article.body_en,
                fallback=False,
                lang="en",
            )
        return Localised(article.title_zh, article.body_zh, fallback=True, lang="zh-Hant")
    return Localised(article.title_zh, article.body_zh, fallback=False, lang="zh-Hant")


# --------------------------------------------------------------------------- snippets


def _norm_chars(text: str) -> str:
    """Normalise character by character (keeping positions) as the search does."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch).lower()
        out.append(n if len(n) == 1 else ch.lower())
    return "".join(out)


def _match_spans(normalised: str, grams: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for gram in grams:
        start = normalised.find(gram)
        while start != -1:
            end = start + len(gram)
            latin = gram.isascii()
            # a Latin word matches whole words only
            if not latin or (
                (start == 0 or not normalised[start - 1].isalnum())
                and (end == len(normalised) or not normalised[end].isalnum())
            ):
                spans.append((start, end))
            start = normalised.find(gram, start + 1)
    return spans


@dataclass
class Snippet:
    text: str
    marks: list[tuple[int, int]]

    def html(self) -> SafeString:
        """The snippet with the matched characters in `<mark>` (everything else escaped)."""
        out = []
        pos = 0
        for start, end in self.marks:
            out.append(escape(self.text[pos:start]))
            out.append(f"<mark>{escape(self.text[start:end])}</mark>")
            pos = end
        out.append(escape(self.text[pos:]))
        return mark_safe("".join(out))  # noqa: S308 — every part escaped above


def snippet(text: str, query: str, *, width: int = SNIPPET_CHARS) -> Snippet:
    """A window of the plain text around the first match of the query, with the matched
    characters marked; the beginning of the text when nothing (or no query) matches."""
    plain = markup.plain_text(text)
    grams = search.query_grams(query) if query else []
    spans = _match_spans(_norm_chars(plain), grams) if grams else []
    if not spans:
        cut = plain[:width]
        return Snippet(cut + ("…" if len(plain) > width else ""), [])
    first = min(s for s, _e in spans)
    start = max(0, first - width // 4)
    end = min(len(plain), start + width)
    start = max(0, min(start, end - width))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(plain) else ""
    window = plain[start:end]
    covered = [False] * len(window)
    for s, e in spans:
        for i in range(max(s, start), min(e, end)):
            covered[i - start] = True
    marks: list[tuple[int, int]] = []
    i = 0
    while i < len(window):
        if covered[i]:
            j = i
            while j < len(window) and covered[j]:
                j += 1
            marks.append((i + len(prefix), j + len(prefix)))
            i = j
        else:
            i += 1
    return Snippet(prefix + window + suffix, marks)


def title_marks(title: str, query: str) -> Snippet:
    """The title with the matched characters marked."""
    grams = search.query_grams(query) if query else []
    spans = sorted(_match_spans(_norm_chars(title), grams)) if grams else []
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return Snippet(title, merged)


@dataclass
class Result:
    article: Article
    title: Snippet
    snippet: Snippet
    fallback: bool


def results(articles: Any, query: str, lang: str | None = None) -> list[Result]:
    out = []
    for article in articles:
        loc = localised(article, lang)
        out.append(
            Result(
                article=article,
                title=title_marks(loc.title, query),
                snippet=snippet(loc.body, query),
                fallback=loc.fallback,
            )
        )
    return out


# --------------------------------------------------------------------------- editors' choices


def editable_targets(*, user: Any) -> list[tuple[str, str, Any, Any]]:
    """Where the user may put a new article: (key, label, county, school). The county's
    office writes the county's articles; a school's administrators their school's."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    out: list[tuple[str, str, Any, Any]] = []
    counties = (
        County.objects.all() if scope.superuser else County.objects.filter(pk__in=scope.county_ids)
    )
    for county in counties.order_by("code"):
        out.append((f"county:{county.code}", str(county.name), county, None))
    schools = School.objects.filter(pk__in=scope.admin_school_ids).select_related("county")
    for school in schools.order_by("code"):
        out.append((f"school:{school.public_id}", str(school.name), school.county, school))
    return out
