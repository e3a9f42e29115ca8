"""Writes of the knowledge base (L7.M2, S3.A1: repairs and common problems recorded as
articles with pictures and teaching videos). Keyword-only, atomic, validating before saving;
every save of an article's text rebuilds its search index (`search.article_index`).

Who may write: `access.may_edit_articles` — the county's office the county's articles (and
its schools' additions), a school's administrators their school's additions. Anything else is
a `PermissionError` (the views answer 403; another tenant's article never gets this far: 404).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.helpdesk import access, search
from dtss.helpdesk.models import (
    Article,
    ArticleMedia,
    ArticleReadDay,
    Category,
    HelpRequest,
    Platform,
    RequestMessage,
)

TEXT_FIELDS = ("title_zh", "body_zh", "title_en", "body_en", "tags")
EDIT_FIELDS = (*TEXT_FIELDS, "category", "platform", "visibility")
MAX_TITLE = 200
MAX_TAGS = 200
MAX_BODY = 100_000
MAX_FILES_PER_UPLOAD = 10
MAX_CAPTION = 200

MB = 1024 * 1024
# kind: (limit in bytes, {extension: content type})
MEDIA_TYPES: dict[str, tuple[int, dict[str, str]]] = {
    "image": (
        10 * MB,
        {
            ".png": "image/png",
            ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg",
            ".gif": "image/gif",
            ".webp": "image/webp",
        },
    ),
    "video": (200 * MB, {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}),
    "file": (
        20 * MB,
        {
            ".pdf": "application/pdf",
            ".txt": "text/plain",
            ".csv": "text/csv",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".odt": "application/vnd.oasis.opendocument.text",
            ".ods": "application/vnd.oasis.opendocument.spreadsheet",
            ".odp": "application/vnd.oasis.opendocument.presentation",
            ".zip": "application/zip",
        },
    ),
}


# --------------------------------------------------------------------------- helpers


def _person(user: Any) -> Any:
    return getattr(user, "person", None)


def _require_editor(user: Any, *, school_id: int | None, county_id: int) -> None:
    if not access.may_edit_articles(scope_for(user), school_id=school_id, county_id=county_id):
        raise PermissionError("not an editor of this article")


def _clean_text(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Strip and check the editable fields; returns (values, errors)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in EDIT_FIELDS:
        if name not in values:
            continue
        value = values[name]
        value = "" if value is None else str(value)
        value = value.replace("\r\n", "\n")
        out[name] = value.strip() if name not in ("body_zh", "body_en") else value.strip("\n ")
    if "title_zh" in out:
        if not out["title_zh"]:
            errors["title_zh"] = _("Write the subject in Chinese.")
        elif len(out["title_zh"]) > MAX_TITLE:
            errors["title_zh"] = _("At most 200 characters.")
    if "body_zh" in out and not out["body_zh"].strip():
        errors["body_zh"] = _("Write the text in Chinese.")
    if len(out.get("title_en", "")) > MAX_TITLE:
        errors["title_en"] = _("At most 200 characters.")
    for name in ("body_zh", "body_en"):
        if len(out.get(name, "")) > MAX_BODY:
            errors[name] = _("At most 100,000 characters.")
    if out.get("body_en", "").strip() and not out.get("title_en", "x"):
        errors["title_en"] = _("Give the English text a subject too.")
    if "tags" in out:
        tags = [t.strip() for t in re.split(r"[,，、]", out["tags"]) if t.strip()]
        out["tags"] = ", ".join(dict.fromkeys(tags))
        if len(out["tags"]) > MAX_TAGS:
            errors["tags"] = _("Tags: at most 200 characters in all.")
    if out.get("category", "") and out["category"] not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    if out.get("platform", "") and out["platform"] not in Platform.values:
        errors["platform"] = _("Choose a platform from the list.")
    if "visibility" in out and out["visibility"] not in Article.Visibility.values:
        errors["visibility"] = _("Choose who may read it.")
    return out, errors


def _index(article: Article) -> None:
    search.article_index(article)


# --------------------------------------------------------------------------- articles


@transaction.atomic
def article_create(
    *,
    user: Any,
    title_zh: str,
    body_zh: str,
    county: Any = None,
    school: Any = None,
    title_en: str = "",
    body_en: str = "",
    category: str = "",
    platform: str = "",
    tags: str = "",
    visibility: str = Article.Visibility.SIGNED_IN,
    source_request: HelpRequest | None = None,
    http_request: Any = None,
) -> Article:
    """A new draft: the county's article (`county`, no school) or a school's addition
    (`school`). The user must edit articles there."""
    values, errors = _clean_text(
        {
            "title_zh": title_zh,
            "body_zh": body_zh,
            "title_en": title_en,
            "body_en": body_en,
            "tags": tags,
            "category": category,
            "platform": platform,
            "visibility": visibility,
        }
    )
    scope = scope_for(user)
    if school is not None:
        county = school.county
        if not access.may_edit_articles(scope, school_id=school.pk, county_id=school.county_id):
            errors["school"] = _("Choose a school whose articles you edit.")
    elif county is None:
        errors["school"] = _("Choose where the article belongs.")
    elif not access.may_edit_articles(scope, school_id=None, county_id=county.pk):
        errors["school"] = _("Only the county's office writes the county's articles.")
    if errors:
        raise ValidationError(errors)
    article = Article.objects.create(
        county=county,
        school=school,
        source_request=source_request,
        author=_person(user),
        status=Article.Status.DRAFT,
        **values,
    )
    _index(article)
    audit_record(actor=user, action="helpdesk.article.create", obj=article, request=http_request)
    return article


@transaction.atomic
def article_update(
    *, article: Article, user: Any, http_request: Any = None, **changes: Any
) -> Article:
    """Change the text, category, platform, tags or visibility (only the fields given)."""
    _require_editor(user, school_id=article.school_id, county_id=article.county_id)
    unknown = set(changes) - set(EDIT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    values, errors = _clean_text(changes)
    body_en = values.get("body_en", "").strip()
    if body_en and "title_en" not in values and not article.title_en:
        errors["title_en"] = _("Give the English text a subject too.")
    if errors:
        raise ValidationError(errors)
    fields = [name for name, value in values.items() if getattr(article, name) != value]
    if not fields:
        return article
    for name in fields:
        setattr(article, name, values[name])
    article.save(update_fields=[*fields, "updated_at"])
    if set(fields) & set(TEXT_FIELDS):
        _index(article)
    audit_record(
        actor=user,
        action="helpdesk.article.update",
        obj=article,
        request=http_request,
        detail={"fields": fields},
    )
    return article


@transaction.atomic
def article_status_set(
    *,
    article: Article,
    user: Any,
    status: str,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> Article:
    """Publish, archive, or take back to draft. Publishing sets the publication time the
    first time (a republished article keeps its place)."""
    _require_editor(user, school_id=article.school_id, county_id=article.county_id)
    if status not in Article.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == article.status:
        return article
    now = now or timezone.now()
    fields = ["status"]
    article.status = status
    if status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = now
        fields.append("published_at")
    article.save(update_fields=[*fields, "updated_at"])
    _index(article)
    audit_record(
        actor=user,
        action=f"helpdesk.article.{status}",
        obj=article,
        request=http_request,
        detail={"status": status},
    )
    return article


# --------------------------------------------------------------------------- media


def _sniff(head: bytes) -> str:
    """The content type the first bytes of a file say it is ("" when unknown)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return ""


def media_kind_of(f: UploadedFile) -> tuple[str, str]:
    """(kind, content type) of an upload, by its extension and checked against its first
    bytes for images, videos and PDFs; ValidationError naming the file otherwise."""
    name = f.name or "file"
    ext = os.path.splitext(name)[1].lower()
    for kind, (limit, types) in MEDIA_TYPES.items():
        if ext not in types:
            continue
        ctype = types[ext]
        size = f.size or 0
        if size > limit:
            raise ValidationError(
                {
                    "files": _("%(name)s is larger than %(mb)d MB (the limit for a %(kind)s).")
                    % {"name": name, "mb": limit // MB, "kind": ArticleMedia.Kind(kind).label}
                }
            )
        if size == 0:
            raise ValidationError({"files": _("%(name)s is empty.") % {"name": name}})
        if kind in ("image", "video") or ctype == "application/pdf":
            f.seek(0)
            head = f.read(16)
            f.seek(0)
            found = _sniff(head)
            same = found == ctype or (kind == "video" and found.startswith("video/"))
            if not same:
                raise ValidationError(
                    {
                        "files": _("%(name)s is not really a %(ext)s file.")
                        % {"name": name, "ext": ext.lstrip(".")}
                    }
                )
            ctype = found if kind != "video" else ctype
        return kind, ctype
    raise ValidationError(
        {
            "files": _(
                "%(name)s: this kind of file cannot be added. Images: PNG, JPEG, GIF, WebP; "
                "videos: MP4, WebM; files: PDF, text, Office and OpenDocument, ZIP."
            )
            % {"name": name}
        }
    )


@transaction.atomic
def article_media_add(
    *,
    article: Article,
    user: Any,
    files: Sequence[UploadedFile],
    caption: str = "",
    http_request: Any = None,
) -> list[ArticleMedia]:
    """Add images, videos or files to an article (all or none)."""
    _require_editor(user, school_id=article.school_id, county_id=article.county_id)
    files = list(files)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError({"files": _("At most 10 files at a time.")})
    caption = (caption or "").strip()
    if len(caption) > MAX_CAPTION:
        raise ValidationError({"caption": _("At most 200 characters.")})
    kinds = [media_kind_of(f) for f in files]
    created = []
    for f, (kind, ctype) in zip(files, kinds, strict=True):
        media = ArticleMedia(
            county_id=article.county_id,
            school_id=article.school_id,
            article=article,
            kind=kind,
            name=os.path.basename(f.name or "file")[-200:],
            size=f.size or 0,
            content_type=ctype,
            caption=caption,
        )
        media.file.save(os.path.basename(f.name or "file")[-100:], f, save=False)
        media.save()
        created.append(media)
    audit_record(
        actor=user,
        action="helpdesk.article.media_add",
        obj=article,
        request=http_request,
        detail={"files": [m.name for m in created]},
    )
    return created


@transaction.atomic
def article_media_delete(*, media: ArticleMedia, user: Any, http_request: Any = None) -> None:
    """Remove a media file of an article (and the file from storage, after the commit)."""
    article = media.article
    _require_editor(user, school_id=article.school_id, county_id=article.county_id)
    name = media.file.name
    storage = media.file.storage
    label = media.name
    media.delete()

    def remove() -> None:
        with contextlib.suppress(OSError):
            storage.delete(name)

    transaction.on_commit(remove)
    audit_record(
        actor=user,
        action="helpdesk.article.media_delete",
        obj=article,
        request=http_request,
        detail={"file": label},
    )


# --------------------------------------------------------------------------- readers


def article_read_record(*, article: Article, now: dt.datetime | None = None) -> None:
    """Count one read: the article's total and today's row (Asia/Taipei)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
        updated = ArticleReadDay.objects.filter(article=article, day=day).update(
            reads=F("reads") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    ArticleReadDay.objects.create(article=article, day=day, reads=1)
            except IntegrityError:  # created meanwhile by another reader
                ArticleReadDay.objects.filter(article=article, day=day).update(reads=F("reads") + 1)
    article.view_count += 1


def article_helpful_record(*, article: Article, helpful: bool) -> None:
    """Count one "was this helpful?" answer."""
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    setattr(article, field, getattr(article, field) + 1)


# --------------------------------------------------------------------------- from a request

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?886[-\s]?|0)\d(?:[-\s]?\d){7,9}(?!\d)")


def scrub(text: str, *, names: Sequence[str], placeholder: str, removed: str) -> str:
    """The text without the given names (each replaced by `placeholder`), e-mail addresses
    and phone numbers (replaced by `removed`)."""
    out = text or ""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len)[::-1]:
        out = re.sub(re.escape(name), placeholder, out, flags=re.IGNORECASE)
    out = _EMAIL.sub(removed, out)
    return _PHONE.sub(removed, out)


def _private_names(request_obj: HelpRequest) -> list[str]:
    """The requester's name, e-mail, account name and id, and their children's names (a
    parent asking about a child names them)."""
    person = request_obj.requester
    names = [person.name, getattr(person, "external_id", "") or "", person.email or ""]
    user = getattr(person, "user", None)
    if user is not None:
        names += [user.get_username(), user.email or ""]
    from dtss.orgs.models import Guardianship

    names += Guardianship.objects.filter(parent=person).values_list("child__name", flat=True)
    return [n for n in names if n]


@transaction.atomic
def article_draft_from_request(
    *,
    request_obj: HelpRequest,
    user: Any,
    http_request: Any = None,
) -> Article:
    """Turn a resolved (or closed) request into a DRAFT article: the subject, the problem and
    the handlers' replies — never the requester's name, e-mail or phone ("the requester"),
    never internal notes. The county's office drafts a county article, a school's
    administrator one of the school's."""
    if not access.may_handle_request(user, request_obj):
        raise PermissionError("not a handler of this request")
    if request_obj.is_open:
        raise ValidationError(
            {"request": _("The request is still open; resolve it first, then write it up.")}
        )
    scope = scope_for(user)
    county_office = scope.superuser or request_obj.county_id in scope.county_ids
    school = None if county_office or request_obj.school_id is None else request_obj.school
    replies = [
        m.body
        for m in RequestMessage.objects.filter(
            request=request_obj, kind=RequestMessage.Kind.REPLY
        ).exclude(author_id=request_obj.requester_id)
        if m.body.strip()
    ]
    names = _private_names(request_obj)
    with translation.override(settings.LANGUAGE_CODE):
        placeholder = _("the requester")
        removed = _("[removed]")
        parts = [
            "## " + _("The problem"),
            scrub(request_obj.description, names=names, placeholder=placeholder, removed=removed),
        ]
        if replies:
            parts.append("## " + _("What solved it"))
            parts += [
                scrub(r, names=names, placeholder=placeholder, removed=removed) for r in replies
            ]
    title = scrub(request_obj.subject, names=names, placeholder=placeholder, removed=removed)
    article = article_create(
        user=user,
        county=request_obj.county,
        school=school,
        title_zh=title[:MAX_TITLE],
        body_zh="\n\n".join(p.strip() for p in parts if p.strip()),
        category=request_obj.category,
        platform=request_obj.platform,
        source_request=request_obj,
        http_request=http_request,
    )
    audit_record(
        actor=user,
        action="helpdesk.article.from_request",
        obj=article,
        request=http_request,
        detail={"request": request_obj.number},
    )
    return article
