"""Writes of the county's community (L2.D2): threads, posts, answers and moderation.

Members are the county's office (administrators and staff) and the administrators (principal,
directors, IT head) of the county's schools (`access.community_county_ids`); they start
threads and reply. The author of a post may edit it for 24 hours; the thread's author or a
moderator (the county's office, `access.may_moderate`) marks the post that answered the
question, which marks the thread solved; moderators pin and lock threads. Nobody posts in a
locked thread. The MOE viewer reads but never writes. Every write is audited.

Who may not do something gets `PermissionDenied` (a 403); a write the state of the thread
forbids (locked, the edit window passed) or bad input gets `ValidationError` naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.helpdesk import access
from dtss.helpdesk.models import Category, HelpRequest, Post, Thread

MAX_TITLE = 200
MAX_BODY = 10_000
EDIT_WINDOW = dt.timedelta(hours=24)


# ---------------------------------------------------------------------------------------------
# Helpers


def is_member(user: Any, county_id: int) -> bool:
    """Whether the user belongs to this county's community (and so may write in it)."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    return county_id in access.community_county_ids(user)


def may_moderate(user: Any, county_id: int) -> bool:
    return access.may_moderate(scope_for(user), county_id=county_id)


def may_edit_post(user: Any, post: Post, *, now: dt.datetime | None = None) -> bool:
    """The post's author, within the edit window, in a thread not locked."""
    now = now or timezone.now()
    scope = scope_for(user)
    return (
        scope.person_id is not None
        and post.author_id == scope.person_id
        and not post.thread.locked
        and now - post.created_at <= EDIT_WINDOW
        and is_member(user, post.county_id)
    )


def may_mark_answer(user: Any, thread: Thread) -> bool:
    """The thread's author (still a member) or a moderator."""
    scope = scope_for(user)
    if may_moderate(user, thread.county_id):
        return True
    return (
        scope.person_id is not None
        and thread.author_id == scope.person_id
        and is_member(user, thread.county_id)
    )


def author_school(user: Any, county_id: int) -> Any:
    """The school a member writes for: none for the county's office, else the first school of
    the county the user administers."""
    from dtss.orgs.models import School

    scope = scope_for(user)
    if county_id in scope.county_ids or not scope.admin_school_ids:
        return None
    return (
        School.objects.filter(pk__in=scope.admin_school_ids, county_id=county_id)
        .order_by("code")
        .first()
    )


def _require_member(user: Any, county_id: int) -> Any:
    if not is_member(user, county_id):
        raise PermissionDenied(_("Only members of the county's community may write here."))
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied(_("This account has no person behind it."))
    return person


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("At most %(n)d characters.") % {"n": MAX_BODY}})
    return body


def _refresh_counts(thread: Thread, now: dt.datetime) -> None:
    thread.post_count = thread.posts.count()
    thread.last_post_at = now
    thread.save(update_fields=["post_count", "last_post_at", "updated_at"])


# ---------------------------------------------------------------------------------------------
# Threads and posts


@transaction.atomic
def thread_create(
    *,
    user: Any,
    topic: str,
    title: str,
    body: str,
    county: Any = None,
    request_obj: HelpRequest | None = None,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> Thread:
    """Start a discussion with its first post. `county` may be left out by a member of only
    one county's community; `request_obj` links an open request of the same county (from the
    shared queue)."""
    from dtss.orgs.models import County

    now = now or timezone.now()
    if county is None and request_obj is not None:
        county = request_obj.county
    if county is None:
        ids = access.community_county_ids(user)
        if len(ids) == 1:
            county = County.objects.get(pk=next(iter(ids)))
        elif not ids and not scope_for(user).superuser:
            raise PermissionDenied(_("Only members of the county's community may write here."))
        else:
            raise ValidationError({"county": _("Choose the county's community.")})
    person = _require_member(user, county.pk)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Say in a few words what the discussion is about.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.") % {"n": MAX_TITLE}
    if topic not in Category.values:
        errors["topic"] = _("Choose a topic from the list.")
    try:
        body = _clean_body(body)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if request_obj is not None and request_obj.county_id != county.pk:
        errors["request"] = _("That request is not one of this county's.")
    if errors:
        raise ValidationError(errors)
    school = author_school(user, county.pk)
    thread = Thread.objects.create(
        county=county,
        topic=topic,
        title=title,
        author=person,
        author_school=school,
        request=request_obj,
        last_post_at=now,
        post_count=1,
    )
    Thread.objects.filter(pk=thread.pk).update(created_at=now)
    thread.created_at = now
    post = Post.objects.create(
        county=county, thread=thread, author=person, author_school=school, body=body
    )
    Post.objects.filter(pk=post.pk).update(created_at=now)
    audit_record(actor=user, action="helpdesk.thread.create", obj=thread, request=http_request)
    return thread


@transaction.atomic
def post_create(
    *,
    thread: Thread,
    user: Any,
    body: str,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> Post:
    """Reply in a thread (not a locked one)."""
    now = now or timezone.now()
    person = _require_member(user, thread.county_id)
    locked = (
        Thread.objects.select_for_update().filter(pk=thread.pk).values_list("locked", flat=True)
    )
    if not locked or locked[0]:
        raise ValidationError({"body": _("This discussion is locked; no new replies.")})
    body = _clean_body(body)
    post = Post.objects.create(
        county_id=thread.county_id,
        thread=thread,
        author=person,
        author_school=author_school(user, thread.county_id),
        body=body,
    )
    Post.objects.filter(pk=post.pk).update(created_at=now)
    post.created_at = now
    _refresh_counts(thread, now)
    audit_record(actor=user, action="helpdesk.post.create", obj=post, request=http_request)
    return post


@transaction.atomic
def post_edit(
    *,
    post: Post,
    user: Any,
    body: str,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> Post:
    """The author corrects their post within 24 hours of writing it."""
    now = now or timezone.now()
    scope = scope_for(user)
    if scope.person_id is None or post.author_id != scope.person_id:
        raise PermissionDenied(_("Only the author may edit a post."))
    _require_member(user, post.county_id)
    if post.thread.locked:
        raise ValidationError({"body": _("This discussion is locked; posts cannot be changed.")})
    if now - post.created_at > EDIT_WINDOW:
        raise ValidationError({"body": _("A post can be edited only within 24 hours.")})
    body = _clean_body(body)
    if body != post.body:
        post.body = body
        post.edited_at = now
        post.save(update_fields=["body", "edited_at", "updated_at"])
        audit_record(actor=user, action="helpdesk.post.edit", obj=post, request=http_request)
    return post


@transaction.atomic
def post_mark_answer(
    *,
    post: Post,
    user: Any,
    helpful: bool = True,
    http_request: Any = None,
) -> Post:
    """Mark (or unmark) the post that answered the thread's question; a thread has one answer
    and is solved while it has one. The thread's author or a moderator; not the opening post."""
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    if not may_mark_answer(user, thread):
        raise PermissionDenied(
            _("Only the author of the discussion or a moderator may mark the answer.")
        )
    first = thread.posts.order_by("created_at", "id").values_list("pk", flat=True).first()
    if helpful and post.pk == first:
        raise ValidationError({"post": _("The opening post asks the question; choose a reply.")})
    if helpful:
        thread.posts.exclude(pk=post.pk).filter(helpful=True).update(helpful=False)
    Post.objects.filter(pk=post.pk).update(helpful=helpful)
    post.helpful = helpful
    solved = thread.posts.filter(helpful=True).exists()
    if thread.solved != solved:
        thread.solved = solved
        thread.save(update_fields=["solved", "updated_at"])
    post.thread = thread
    audit_record(
        actor=user,
        action="helpdesk.post.answer" if helpful else "helpdesk.post.unanswer",
        obj=post,
        request=http_request,
        detail={"thread": str(thread.public_id)},
    )
    return post


# ---------------------------------------------------------------------------------------------
# Moderation


def _require_moderator(user: Any, thread: Thread) -> None:
    if not may_moderate(user, thread.county_id):
        raise PermissionDenied(_("Only the county's office may moderate the community."))


@transaction.atomic
def thread_pin(
    *, thread: Thread, user: Any, pinned: bool = True, http_request: Any = None
) -> Thread:
    """Keep a thread at the top of the list (or stop)."""
    _require_moderator(user, thread)
    if thread.pinned != pinned:
        thread.pinned = pinned
        thread.save(update_fields=["pinned", "updated_at"])
        audit_record(
            actor=user,
            action="helpdesk.thread.pin" if pinned else "helpdesk.thread.unpin",
            obj=thread,
            request=http_request,
        )
    return thread


@transaction.atomic
def thread_lock(
    *, thread: Thread, user: Any, locked: bool = True, http_request: Any = None
) -> Thread:
    """Close a thread to new replies and edits (or open it again)."""
    _require_moderator(user, thread)
    if thread.locked != locked:
        thread.locked = locked
        thread.save(update_fields=["locked", "updated_at"])
        audit_record(
            actor=user,
            action="helpdesk.thread.lock" if locked else "helpdesk.thread.unlock",
            obj=thread,
            request=http_request,
        )
    return thread
