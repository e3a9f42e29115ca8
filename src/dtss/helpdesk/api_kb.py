"""API of the helpdesk: the knowledge base.

The same rules as the pages (`kb_views.py`): everyone signed in reads the published articles
of their county and schools; editors (the county's office for the county's articles, a
school's administrators for their school's additions; `access.may_edit_articles`) also see
drafts and archived articles and write them — other roles get 403, another tenant's article is
a 404. A handler turns a resolved or closed request into a draft article. Writes go through
`kb_services.py`: a PermissionError is a 403, a ValidationError a 422 naming the field; nothing
is changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.helpdesk import access, markup
from dtss.helpdesk import kb_selectors as sel
from dtss.helpdesk import kb_services as svc
from dtss.helpdesk.models import Article, ArticleMedia, HelpRequest

router = Router(tags=["helpdesk"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class MediaOut(Schema):
    public_id: UUID = Field(description="The file's id; `media:<id>` in the text refers to it.")
    kind: str = Field(description="image, video or file.")
    name: str = Field(description="The file name.")
    size: int = Field(description="Size in bytes.")
    content_type: str = Field(description="The file's media type.")
    caption: str = Field(description="The caption.")
    url: str = Field(description="Where DTSS serves it (public articles' files without sign-in).")


class ArticleSummaryOut(Schema):
    public_id: UUID = Field(description="The article's id.")
    title_zh: str = Field(description="The subject in Chinese.")
    title_en: str = Field(description="The subject in English (may be empty).")
    county: str = Field(description="The county's MOI code.")
    school: UUID | None = Field(description="The school of a school's addition (null: county's).")
    category: str = Field(description="device, account, platform, network, teaching, other or ''.")
    platform: str = Field(description="The learning platform it is about (adl, cooc …) or ''.")
    tags: str = Field(description="Comma-separated tags.")
    status: str = Field(description="draft, published or archived.")
    visibility: str = Field(description="public (no sign-in needed) or signed_in.")
    published_at: dt.datetime | None = Field(description="When it was first published.")
    updated_at: dt.datetime = Field(description="The last change.")
    view_count: int = Field(description="How many times it was read.")
    helpful_yes: int = Field(description="Readers who found it helpful.")
    helpful_no: int = Field(description="Readers who did not.")
    snippet: str = Field(description="Plain text around the first match of q (or the start).")
    url: str = Field(description="The article's page.")


class ArticleOut(ArticleSummaryOut):
    body_zh: str = Field(description="The Chinese text (markdown).")
    body_en: str = Field(description="The English text (markdown; may be empty).")
    html_zh: str = Field(description="The Chinese text rendered as safe HTML.")
    html_en: str = Field(description="The English text rendered as safe HTML (or empty).")
    source_request: UUID | None = Field(description="The request it was drafted from (editors).")
    media: list[MediaOut] = Field(description="Its images, videos and files.")
    editable: bool = Field(description="Whether the caller may change it.")


class ArticleFilters(Schema):
    q: str = Field("", max_length=100, description="Words to search (Chinese or English).")
    category: str = Field("", description="Only this category.")
    platform: str = Field("", description="Only this platform.")
    status: Literal["", "draft", "published", "archived"] = Field(
        "", description="Only this status (editors; readers only ever see published ones)."
    )


class ArticleIn(Schema):
    title_zh: str = Field(max_length=200, description="The subject in Chinese (required).")
    body_zh: str = Field(description="The text in Chinese, markdown (required).")
    title_en: str = Field("", max_length=200, description="The subject in English.")
    body_en: str = Field("", description="The text in English, markdown.")
    category: str = Field("", description="device, account, platform, network, teaching, other.")
    platform: str = Field("", description="adl, cooc, junyi, coolenglish, classroom …")
    tags: str = Field("", description="Comma-separated tags (at most 200 characters).")
    visibility: Literal["public", "signed_in"] = Field(
        "signed_in", description="public (the county's public help page) or signed_in."
    )
    school: UUID | None = Field(
        None, description="A school's addition: the school's id. Omit for the county's article."
    )
    county: str | None = Field(
        None, description="The county's MOI code (county articles; default: the caller's)."
    )


class ArticlePatch(Schema):
    title_zh: str | None = Field(None, max_length=200, description="The subject in Chinese.")
    body_zh: str | None = Field(None, description="The text in Chinese, markdown.")
    title_en: str | None = Field(None, max_length=200, description="The subject in English.")
    body_en: str | None = Field(None, description="The text in English, markdown.")
    category: str | None = Field(None, description="The category.")
    platform: str | None = Field(None, description="The platform.")
    tags: str | None = Field(None, description="Comma-separated tags.")
    visibility: Literal["public", "signed_in"] | None = Field(None, description="Who reads it.")


class StatusIn(Schema):
    status: Literal["draft", "published", "archived"] = Field(
        description="published (readers find it), archived (withdrawn) or draft."
    )


class SuggestionOut(Schema):
    title: str = Field(description="The subject in the reader's language.")
    url: str = Field(description="The article's page.")
    snippet: str = Field(description="Plain text around the match.")


class SuggestionsOut(Schema):
    items: list[SuggestionOut] = Field(description="The best matches, best first.")


class SuggestQuery(Schema):
    q: str = Field("", max_length=200, description="What the person is typing.")
    limit: int = Field(5, ge=1, le=10, description="At most this many.")


# --------------------------------------------------------------------------- helpers


@contextmanager
def _service() -> Iterator[None]:
    """A service's PermissionError is a 403."""
    try:
        yield
    except PermissionError as exc:
        raise PermissionDenied(_("You may not change this article.")) from exc


def _summary(article: Article, query: str = "") -> dict[str, Any]:
    loc = sel.localised(article)
    return {
        "public_id": article.public_id,
        "title_zh": article.title_zh,
        "title_en": article.title_en,
        "county": article.county.code,
        "school": article.school.public_id if article.school_id else None,
        "category": article.category,
        "platform": article.platform,
        "tags": article.tags,
        "status": article.status,
        "visibility": article.visibility,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "view_count": article.view_count,
        "helpful_yes": article.helpful_yes,
        "helpful_no": article.helpful_no,
        "snippet": sel.snippet(loc.body, query).text,
        "url": reverse("helpdesk:kb_article", args=[article.public_id]),
    }


def _full(request: HttpRequest, article: Article) -> dict[str, Any]:
    article = (
        Article.objects.select_related("county", "school", "source_request")
        .prefetch_related("media")
        .get(pk=article.pk)
    )
    refs = markup.media_map(article)
    editable = sel.may_edit(request.user, article)
    return {
        **_summary(article),
        "body_zh": article.body_zh,
        "body_en": article.body_en,
        "html_zh": markup.render(article.body_zh, media=refs),
        "html_en": markup.render(article.body_en, media=refs) if article.body_en else "",
        "source_request": (
            article.source_request.public_id if editable and article.source_request_id else None
        ),
        "media": [
            {
                "public_id": m.public_id,
                "kind": m.kind,
                "name": m.name,
                "size": m.size,
                "content_type": m.content_type,
                "caption": m.caption,
                "url": refs[str(m.public_id)].url,
            }
            for m in article.media.all()
        ],
        "editable": editable,
    }


def _readable(request: HttpRequest, public_id: UUID) -> Article:
    article = sel.articles_readable(user=request.user).filter(public_id=public_id).first()
    if article is None:
        raise Http404
    return article


def _editable(request: HttpRequest, public_id: UUID) -> Article:
    article = _readable(request, public_id)
    if not sel.may_edit(request.user, article):
        raise PermissionDenied(_("You may read this article but not change it."))
    return article


# --------------------------------------------------------------------------- endpoints


@router.get(
    "/helpdesk/articles",
    response=responses({200: list[ArticleSummaryOut]}, 422),
    summary="Knowledge-base articles",
    description=(
        "The articles the caller may read: the published ones of their county and schools, "
        "and for editors also their drafts and archived articles. With q, ranked best first "
        "(Chinese is matched by pairs of characters, so no spaces are needed); without it, "
        "newest first. Filters: category, platform, status."
    ),
)
@paged
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    articles = sel.articles_readable(user=request.user).select_related("county", "school")
    listing = sel.article_list(
        articles=articles,
        query=filters.q,
        category=filters.category,
        platform=filters.platform,
        status=filters.status,
    )
    return [_summary(a, filters.q) for a in listing.articles]


@router.get(
    "/helpdesk/articles/suggest",
    response=responses({200: SuggestionsOut}, 422),
    summary="Articles for what someone is typing",
    description=(
        "The few published articles that best match q (for the request form: 'these might "
        "already answer your question'). Fewer than two characters: no items. Reads are not "
        "counted."
    ),
)
def article_suggest(request: HttpRequest, params: Query[SuggestQuery]) -> Any:
    query = params.q.strip()
    if len(query) < 2:
        return {"items": []}
    found = sel.search.article_search(
        sel.articles_published(user=request.user), query, limit=params.limit
    )
    return {
        "items": [
            {
                "title": r.title.text,
                "url": reverse("helpdesk:kb_article", args=[r.article.public_id]),
                "snippet": r.snippet.text,
            }
            for r in sel.results([a for a, _s in found], query)
        ]
    }


@router.get(
    "/helpdesk/articles/{public_id}",
    response=responses({200: ArticleOut}, 404),
    summary="One article",
    description=(
        "The article's markdown and its rendered (sanitised) HTML in both languages, with its "
        "media. Drafts only for editors; 404 if missing or not yours to read. Reading it here "
        "is not counted as a read."
    ),
)
def article_get(request: HttpRequest, public_id: PublicId) -> Any:
    return _full(request, _readable(request, public_id))


@router.post(
    "/helpdesk/articles",
    response=responses({201: ArticleOut}, 403, 422),
    summary="Write an article (a draft)",
    description=(
        "A new draft: the county's article (the county's office; `county` or the caller's "
        "county) or a school's addition (`school`, its administrators). title_zh and body_zh "
        "are required. Roles that never edit articles get 403; a school or county you may not "
        "write for is a 422 naming the field."
    ),
)
def article_create(request: HttpRequest, data: ArticleIn) -> Any:
    if not access.edits_any_articles(request.user):
        raise PermissionDenied(_("Only the county's office and schools' administrators write."))
    from dtss.orgs.models import County, School

    scope = scope_for(request.user)
    school = None
    county = None
    if data.school is not None:
        schools = School.objects.all()
        if not scope.superuser:
            schools = schools.filter(
                Q(pk__in=scope.admin_school_ids) | Q(county_id__in=scope.county_ids)
            )
        school = ref_or_422(schools, "school", public_id=data.school)
    elif data.county:
        counties = (
            County.objects.all()
            if scope.superuser
            else County.objects.filter(pk__in=scope.county_ids)
        )
        county = ref_or_422(counties, "county", code=data.county)
    elif len(scope.county_ids) == 1:
        county = County.objects.get(pk=next(iter(scope.county_ids)))
    values = data.dict(exclude={"school", "county"})
    with _service():
        article = svc.article_create(
            user=request.user, county=county, school=school, http_request=request, **values
        )
    return Status(201, _full(request, article))


@router.patch(
    "/helpdesk/articles/{public_id}",
    response=responses({200: ArticleOut}, 403, 404, 422),
    summary="Change an article",
    description=(
        "Change the fields given (text, category, platform, tags, visibility). Editors only: "
        "a reader gets 403, another tenant's article 404."
    ),
)
def article_update(request: HttpRequest, public_id: PublicId, data: ArticlePatch) -> Any:
    article = _editable(request, public_id)
    changes = data.dict(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None}
    with _service():
        svc.article_update(article=article, user=request.user, http_request=request, **changes)
    return _full(request, article)


@router.post(
    "/helpdesk/articles/{public_id}/status",
    response=responses({200: ArticleOut}, 403, 404, 422),
    summary="Publish, archive or take back to draft",
    description="Editors only: a reader gets 403, another tenant's article 404.",
)
def article_status(request: HttpRequest, public_id: PublicId, data: StatusIn) -> Any:
    article = _editable(request, public_id)
    with _service():
        svc.article_status_set(
            article=article, user=request.user, status=data.status, http_request=request
        )
    return _full(request, article)


@router.post(
    "/helpdesk/articles/{public_id}/media",
    response=responses({201: ArticleOut}, 403, 404, 422),
    summary="Add images, videos or files to an article",
    description=(
        "Multipart form: `files` (one or more; images up to 10 MB, mp4/webm videos up to "
        "200 MB, other files up to 20 MB, each checked by its first bytes) and an optional "
        "`caption`. Refer to one in the text as `![caption](media:<id>)`. Editors only (403 "
        "for readers); another tenant's article 404; a bad file 422 naming it, and nothing is "
        "added."
    ),
)
def article_media_add(
    request: HttpRequest,
    public_id: PublicId,
    files: Annotated[list[UploadedFile], File(..., description="The files to add.")],
    caption: Annotated[str, Form(max_length=200, description="A caption for them.")] = "",
) -> Any:
    article = _editable(request, public_id)
    with _service():
        svc.article_media_add(
            article=article, user=request.user, files=files, caption=caption, http_request=request
        )
    return Status(201, _full(request, article))


@router.delete(
    "/helpdesk/article-media/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Remove an image, video or file from an article",
    description="Editors only (403 for readers); another tenant's file 404.",
)
def article_media_delete(request: HttpRequest, public_id: PublicId) -> Any:
    media = (
        ArticleMedia.objects.filter(
            public_id=public_id, article__in=sel.articles_readable(user=request.user)
        )
        .select_related("article")
        .first()
    )
    if media is None:
        raise Http404
    if not sel.may_edit(request.user, media.article):
        raise PermissionDenied(_("You may read this article but not change it."))
    svc.article_media_delete(media=media, user=request.user, http_request=request)
    return Status(204, None)


@router.post(
    "/helpdesk/requests/{public_id}/article-draft",
    response=responses({201: ArticleOut}, 403, 404, 422),
    summary="Draft an article from a resolved request",
    description=(
        "A handler of a resolved or closed request turns it into a draft article: the "
        "subject, the problem and the handlers' replies, without the requester's name or "
        "contact details. A school's administrator drafts the school's addition, the county's "
        "office a county article. The requester and other readers get 403; another tenant's "
        "request 404; a request still open 422."
    ),
)
def article_from_request(request: HttpRequest, public_id: PublicId) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    if not access.may_handle_request(request.user, req):
        raise PermissionDenied(_("Only the request's handlers write articles from it."))
    with _service():
        article = svc.article_draft_from_request(
            request_obj=req, user=request.user, http_request=request
        )
    return Status(201, _full(request, article))
