"""Pages of the knowledge base (L7.M2, S3.A1): search and read articles, suggestions while
someone types a request, the county's public help pages, the editors' pages, media files, and
turning a resolved request into a draft article.

Who sees what (`kb_selectors.py`, `access.py`):
- everyone signed in reads the published articles of their county and of their own schools
  (another school's additions and another county's articles are a 404);
- anyone, without signing in, reads a county's published *public* articles under
  `/helpdesk/kb/public/<county code>/` (a signed-in-only article or a draft is a 404 there);
- editors (the county's office for the county's articles, a school's administrators for their
  school's) also see drafts and archived articles and write; others get 403 on the editors'
  pages, and another tenant's article is a 404.
Reads are counted once per session and article (never an editor's own preview); "was this
helpful?" is answered once per session and article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.core.tenancy import get_visible_or_404
from dtss.helpdesk import access, markup
from dtss.helpdesk import kb_forms as forms
from dtss.helpdesk import kb_selectors as sel
from dtss.helpdesk import kb_services as svc
from dtss.helpdesk.models import Article, ArticleMedia, Category, HelpRequest, Platform

SESSION_READ = "helpdesk_kb_read"
SESSION_HELPFUL = "helpdesk_kb_helpful"
SESSION_MAX = 300
SUGGEST_MIN_CHARS = 2
SUGGEST_MAX = 10

# --------------------------------------------------------------------------- helpers


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        if name == "school" and "where" in form.fields:
            target = "where"
        for m in msgs:
            form.add_error(target, m)


def _session_once(request: HttpRequest, key: str, article: Article) -> bool:
    """True the first time in this session for this article (and remember it)."""
    seen = list(request.session.get(key, []))
    marker = str(article.public_id)
    if marker in seen:
        return False
    seen.append(marker)
    request.session[key] = seen[-SESSION_MAX:]
    return True


def _session_has(request: HttpRequest, key: str, article: Article) -> bool:
    return str(article.public_id) in request.session.get(key, [])


def _readable(request: HttpRequest, public_id: UUID) -> Article:
    try:
        return (
            sel.articles_readable(user=request.user)
            .select_related("county", "school", "source_request")
            .get(public_id=public_id)
        )
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def _editable(request: HttpRequest, public_id: UUID) -> Article:
    """An article the user edits: another tenant's 404, one they only read 403."""
    article = _readable(request, public_id)
    if not sel.may_edit(request.user, article):
        raise PermissionDenied
    return article


def _public_county(county_code: str) -> Any:
    from dtss.orgs.models import County

    return get_object_or_404(County, code=county_code)


def _filters(request: HttpRequest) -> dict[str, str]:
    category = request.GET.get("category", "")
    platform = request.GET.get("platform", "")
    sort = request.GET.get("sort", "new")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "category": category if category in Category.values else "",
        "platform": platform if platform and platform in Platform.values else "",
        "sort": sort if sort in sel.SORTS else "new",
    }


def status_labels() -> dict[str, str]:
    return {
        "": _("Published and drafts"),
        "published": _("Published"),
        "draft": _("Drafts"),
        "archived": _("Archived"),
        "all": _("All"),
    }


def sort_labels() -> dict[str, str]:
    return {"new": _("Newest"), "read": _("Most read"), "subject": pgettext("article", "Subject")}


def _listing_context(
    request: HttpRequest, articles: Any, filters: dict[str, str], status: str = ""
) -> dict[str, Any]:
    listing = sel.article_list(
        articles=articles.select_related("school"),
        query=filters["q"],
        category=filters["category"],
        platform=filters["platform"],
        status=status if status in Article.Status.values else "",
        sort=filters["sort"],
    )
    page = Paginator(listing.articles, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "new")}
    if status:
        params["status"] = status
    return {
        "page": page,
        "results": sel.results(page.object_list, filters["q"]),
        "ranked": listing.ranked,
        "filters": filters,
        "categories": Category.choices,
        "platforms": [c for c in Platform.choices if c[0]],
        "sorts": sort_labels(),
        "querystring": urlencode(params),
        "filtered": any(v for k, v in filters.items() if k != "sort") or bool(status),
    }


def _article_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    """What the article pages show: the text in the reader's language, rendered with its own
    media; the pictures and videos the text does not show; the files."""
    loc = sel.localised(article)
    media = list(article.media.all())
    refs = markup.media_map(article)
    shown = markup.referenced_ids(loc.body)
    return {
        "article": article,
        "loc": loc,
        "body_html": markup.render(loc.body, media=refs),
        "gallery": [
            (m, refs[str(m.public_id)].url)
            for m in media
            if m.kind in ("image", "video") and str(m.public_id) not in shown
        ],
        "files": [(m, refs[str(m.public_id)].url) for m in media if m.kind == "file"],
        "voted": _session_has(request, SESSION_HELPFUL, article),
    }


def _count_read(request: HttpRequest, article: Article, *, editor: bool) -> None:
    if editor or article.status != Article.Status.PUBLISHED:
        return
    if _session_once(request, SESSION_READ, article):
        svc.article_read_record(article=article)


# --------------------------------------------------------------------------- readers


@login_required
@require_GET
def kb_list(request: HttpRequest) -> HttpResponse:
    editor = sel.edits_any(request.user)
    filters = _filters(request)
    status = request.GET.get("status", "") if editor else ""
    status = status if status in status_labels() else ""
    articles = sel.articles_readable(user=request.user)
    if not editor:
        articles = articles.filter(status=Article.Status.PUBLISHED)
    elif status == "":
        articles = articles.exclude(status=Article.Status.ARCHIVED)
    context = _listing_context(request, articles, filters, status)
    context.update(
        {
            "editor": editor,
            "status": status,
            "statuses": status_labels(),
            "public_links": _public_links(request),
        }
    )
    return render(request, "helpdesk/kb/list.html", context)


def _public_links(request: HttpRequest) -> list[tuple[str, str]]:
    """The public help pages of the reader's counties (to share with families)."""
    from dtss.orgs.models import County

    counties = County.objects.visible_to(request.user).order_by("code")[:5]
    return [(str(c.name), reverse("helpdesk:kb_public", args=[c.code])) for c in counties]


@never_cache
@require_GET
def kb_suggest(request: HttpRequest) -> HttpResponse:
    """Articles for what someone is typing: `{"items": [{"title", "url", "snippet"}]}`."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    query = request.GET.get("q", "").strip()[:200]
    try:
        limit = max(1, min(int(request.GET.get("limit", 5)), SUGGEST_MAX))
    except ValueError:
        limit = 5
    items: list[dict[str, str]] = []
    if len(query) >= SUGGEST_MIN_CHARS:
        articles = sel.articles_published(user=request.user)
        found = sel.search.article_search(articles, query, limit=limit)
        for result in sel.results([a for a, _score in found], query):
            items.append(
                {
                    "title": result.title.text,
                    "url": reverse("helpdesk:kb_article", args=[result.article.public_id]),
                    "snippet": result.snippet.text,
                }
            )
    return JsonResponse({"items": items})


@login_required
@require_GET
def kb_article(request: HttpRequest, public_id: UUID) -> HttpResponse:
    article = _readable(request, public_id)
    editor = sel.may_edit(request.user, article)
    _count_read(request, article, editor=editor)
    context = _article_context(request, article)
    context.update(
        {
            "editor": editor,
            "helpful_url": reverse("helpdesk:article_helpful", args=[article.public_id]),
            "statuses": Article.Status.choices,
            "public_url": (
                reverse("helpdesk:kb_public_article", args=[article.county.code, article.public_id])
                if article.visibility == Article.Visibility.PUBLIC
                and article.status == Article.Status.PUBLISHED
                else ""
            ),
            "source_request_url": _request_url(article) if editor else "",
        }
    )
    return render(request, "helpdesk/kb/article.html", context)


def _request_url(article: Article) -> str:
    if article.source_request_id is None:
        return ""
    try:
        return reverse("helpdesk:request_detail", args=[article.source_request.public_id])
    except NoReverseMatch:  # the requests part may not be mounted
        return ""


@login_required
@require_POST
def article_helpful(request: HttpRequest, public_id: UUID) -> HttpResponse:
    article = _readable(request, public_id)
    _vote(request, article)
    return redirect(reverse("helpdesk:kb_article", args=[article.public_id]) + "#helpful")


def _vote(request: HttpRequest, article: Article) -> None:
    answer = request.POST.get("helpful", "")
    if answer not in ("yes", "no") or article.status != Article.Status.PUBLISHED:
        messages.error(request, _("Answer yes or no."))
        return
    if not _session_once(request, SESSION_HELPFUL, article):
        messages.info(request, _("You have already answered. Thank you."))
        return
    svc.article_helpful_record(article=article, helpful=answer == "yes")
    messages.success(request, _("Thank you for telling us."))


# --------------------------------------------------------------------------- public pages


@require_GET
def kb_public(request: HttpRequest, county_code: str) -> HttpResponse:
    county = _public_county(county_code)
    context = _listing_context(request, sel.articles_public(county=county), _filters(request))
    context["county"] = county
    return render(request, "helpdesk/kb/public_list.html", context)


@require_GET
def kb_public_article(request: HttpRequest, county_code: str, public_id: UUID) -> HttpResponse:
    county = _public_county(county_code)
    article = get_object_or_404(
        sel.articles_public(county=county).select_related("school"), public_id=public_id
    )
    _count_read(request, article, editor=False)
    context = _article_context(request, article)
    context.update(
        {
            "county": county,
            "helpful_url": reverse(
                "helpdesk:kb_public_helpful", args=[county.code, article.public_id]
            ),
        }
    )
    return render(request, "helpdesk/kb/public_article.html", context)


@require_POST
def kb_public_helpful(request: HttpRequest, county_code: str, public_id: UUID) -> HttpResponse:
    county = _public_county(county_code)
    article = get_object_or_404(sel.articles_public(county=county), public_id=public_id)
    _vote(request, article)
    return redirect(
        reverse("helpdesk:kb_public_article", args=[county.code, article.public_id]) + "#helpful"
    )


# --------------------------------------------------------------------------- media files

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CHUNK = 256 * 1024


def _chunks(handle: Any, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


@require_http_methods(["GET", "HEAD"])
def kb_media(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """An image, video or file of an article the reader may open (or of a public article).
    Images and videos are shown inline with their own type; other files are downloaded.
    Videos answer byte ranges (phones seek and play that way)."""
    media = sel.media_readable(user=request.user, public_id=public_id)
    if media is None or not media.file:
        raise Http404
    try:
        handle = media.file.open("rb")
        size = media.file.size
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    ctype = media.content_type or "application/octet-stream"
    inline = media.kind in (ArticleMedia.Kind.IMAGE, ArticleMedia.Kind.VIDEO) or (
        ctype == "application/pdf"
    )
    disposition = content_disposition_header(not inline, media.name)
    match = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    response: HttpResponse | StreamingHttpResponse
    if match and size > 0 and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        length = end - start + 1
        response = StreamingHttpResponse(_chunks(handle, length), status=206, content_type=ctype)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            handle, as_attachment=not inline, filename=media.name, content_type=ctype
        )
    public = (
        media.article.status == Article.Status.PUBLISHED
        and media.article.visibility == Article.Visibility.PUBLIC
    )
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=600"
    return response


# --------------------------------------------------------------------------- editors


def _require_some_editor(request: HttpRequest) -> list[tuple[str, str, Any, Any]]:
    targets = sel.editable_targets(user=request.user)
    if not targets:
        raise PermissionDenied
    return targets


def _target_key(article: Article) -> str:
    if article.school_id:
        return f"school:{article.school.public_id}"
    return f"county:{article.county.code}"


def _preview(form: forms.ArticleForm, article: Article | None) -> dict[str, str]:
    """Server-rendered previews of the two texts (with the article's media when it has some)."""
    refs = markup.media_map(article) if article is not None else {}
    out = {}
    for lang in ("zh", "en"):
        text = form.data.get(f"body_{lang}", "")
        if text.strip():
            out[lang] = markup.render(text, media=refs)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    targets = _require_some_editor(request)
    wanted = request.GET.get("where", "")
    initial = {"where": wanted} if any(t[0] == wanted for t in targets) else {}
    form = forms.ArticleForm(request.POST or None, targets=targets, initial=initial)
    preview: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(form, None)
        else:
            county, school = form.target()
            try:
                article = svc.article_create(
                    user=request.user,
                    county=county,
                    school=school,
                    http_request=request,
                    **form.values(),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Draft saved. Add pictures or videos below, then publish it."),
                )
                return redirect("helpdesk:article_edit", article.public_id)
    return render(
        request,
        "helpdesk/kb/form.html",
        {"form": form, "article": None, "preview": preview, "media_form": None},
    )


def _edit_page(
    request: HttpRequest,
    article: Article,
    form: forms.ArticleForm,
    *,
    media_form: forms.MediaForm | None = None,
    preview: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    refs = markup.media_map(article)
    return render(
        request,
        "helpdesk/kb/form.html",
        {
            "form": form,
            "article": article,
            "preview": preview or {},
            "media_form": media_form or forms.MediaForm(),
            "media": [(m, refs[str(m.public_id)].url) for m in article.media.all()],
            "statuses": Article.Status.choices,
        },
        status=status,
    )


def _edit_form(request: HttpRequest, article: Article, data: Any = None) -> forms.ArticleForm:
    key = _target_key(article)
    label = str(article.school.name) if article.school_id else str(article.county.name)
    initial = {
        "where": key,
        **{
            name: getattr(article, name)
            for name in (
                "title_zh",
                "body_zh",
                "title_en",
                "body_en",
                "category",
                "platform",
                "tags",
                "visibility",
            )
        },
    }
    form = forms.ArticleForm(
        data, targets=[(key, label, article.county, article.school)], initial=initial
    )
    form.fields["where"].disabled = True
    return form


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    article = _editable(request, public_id)
    form = _edit_form(request, article, request.POST or None)
    preview: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(form, article)
        else:
            try:
                svc.article_update(
                    article=article, user=request.user, http_request=request, **form.values()
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Article saved."))
                if "view" in request.POST:
                    return redirect("helpdesk:kb_article", article.public_id)
                return redirect("helpdesk:article_edit", article.public_id)
    return _edit_page(request, article, form, preview=preview, status=422 if form.errors else 200)


@login_required
@require_POST
def article_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    article = _editable(request, public_id)
    status = request.POST.get("status", "")
    try:
        svc.article_status_set(
            article=article, user=request.user, status=status, http_request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {
            Article.Status.PUBLISHED: _("Published."),
            Article.Status.ARCHIVED: _("Archived: readers no longer find it."),
            Article.Status.DRAFT: _("Back to draft: readers no longer find it."),
        }
        messages.success(request, done[Article.Status(status)])
    return redirect("helpdesk:kb_article", article.public_id)


@login_required
@require_POST
def article_media_upload(request: HttpRequest, public_id: UUID) -> HttpResponse:
    article = _editable(request, public_id)
    media_form = forms.MediaForm(request.POST, request.FILES)
    if media_form.is_valid():
        try:
            added = svc.article_media_add(
                article=article,
                user=request.user,
                files=media_form.cleaned_data["files"],
                caption=media_form.cleaned_data.get("caption", ""),
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(media_form, exc)
        else:
            messages.success(
                request,
                _("%(n)d file(s) added. Use “Insert” to place a picture or video in the text.")
                % {"n": len(added)},
            )
            return redirect(reverse("helpdesk:article_edit", args=[article.public_id]) + "#media")
    return _edit_page(
        request, article, _edit_form(request, article), media_form=media_form, status=422
    )


@login_required
@require_POST
def article_media_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
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
        raise PermissionDenied
    article = media.article
    svc.article_media_delete(media=media, user=request.user, http_request=request)
    messages.success(request, _("File removed."))
    return redirect(reverse("helpdesk:article_edit", args=[article.public_id]) + "#media")


@login_required
@require_POST
def article_from_request(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A handler turns a resolved or closed request into a draft article."""
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    if not access.may_handle_request(request.user, req):
        raise PermissionDenied
    try:
        article = svc.article_draft_from_request(
            request_obj=req, user=request.user, http_request=request
        )
    except ValidationError as exc:
        try:
            back = reverse("helpdesk:request_detail", args=[req.public_id])
        except NoReverseMatch:  # the requests part may not be mounted
            back = ""
        return render(
            request,
            "helpdesk/kb/from_request_error.html",
            {"messages_list": exc.messages, "back": back, "help_request": req},
            status=422,
        )
    messages.success(
        request,
        _("A draft was written from the request. Check it (no personal data), then publish."),
    )
    return redirect("helpdesk:article_edit", article.public_id)
