"""API of the helpdesk: the county's community (L2.D2) and the shared queue.

The same rules as the pages (`community_views.py`): members of a county's community (its office
and the administrators of its schools) read and write; the MOE viewer reads every county's and
gets 403 on every write; teachers, students and parents get 403 everywhere; another county's
thread or post is a 404. Moderation (pin, lock) is for the county's office. The shared queue
carries only number, school, category, platform, subject, status, age, the escalated group and
lateness — never the requester, the description, messages or attachments.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.helpdesk import community_selectors as sel
from dtss.helpdesk import community_services as svc
from dtss.helpdesk.models import Post, Thread

router = Router(tags=["helpdesk"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]

TOPICS = Literal["device", "account", "platform", "network", "teaching", "other"]


# --------------------------------------------------------------------------- schemas


class ThreadOut(Schema):
    public_id: UUID = Field(description="The discussion's id.")
    county: str = Field(description="The county's MOI code.")
    topic: str = Field(description="device, account, platform, network, teaching or other.")
    title: str = Field(description="The discussion's subject.")
    author_name: str | None = Field(description="Who started it (null if the person is gone).")
    author_school: str | None = Field(
        description="The author's school's name; null for the county's office."
    )
    request: UUID | None = Field(
        description="The help request it is about (only its handlers can open it)."
    )
    request_number: int | None = Field(description="That request's number in the county.")
    pinned: bool = Field(description="Kept at the top of the list by the county's office.")
    locked: bool = Field(description="Closed to new replies and edits.")
    solved: bool = Field(description="A reply is marked as the answer.")
    post_count: int = Field(description="How many posts, the opening one included.")
    created_at: dt.datetime = Field(description="When it was started.")
    last_post_at: dt.datetime = Field(description="When the latest post was written.")


class PostOut(Schema):
    public_id: UUID = Field(description="The post's id.")
    author_name: str | None = Field(description="Who wrote it.")
    author_school: str | None = Field(
        description="The author's school's name; null for the county's office."
    )
    body: str = Field(description="The text.")
    created_at: dt.datetime = Field(description="When it was written.")
    edited_at: dt.datetime | None = Field(description="When its author last edited it.")
    helpful: bool = Field(description="Marked as the answer to the discussion.")
    editable: bool = Field(description="Whether the caller may still edit it (own, 24 hours).")


class ThreadDetailOut(ThreadOut):
    posts: list[PostOut] = Field(description="Every post, oldest first.")
    may_reply: bool = Field(description="Whether the caller may reply (member, not locked).")
    may_mark_answer: bool = Field(description="The caller is its author or a moderator.")
    may_moderate: bool = Field(description="The caller may pin and lock it.")


class ThreadFilters(Schema):
    topic: TOPICS | None = Field(None, description="Only this topic.")
    q: str = Field("", max_length=100, description="Words in the subject or in a post.")
    state: Literal["solved", "unsolved"] | None = Field(None, description="solved or unsolved.")
    sort: Literal["last", "new"] = Field(
        "last", description="last (latest post first) or new (newest discussion first)."
    )
    county: str | None = Field(None, max_length=5, description="Only this county (MOI code).")


class ThreadIn(Schema):
    topic: TOPICS = Field(description="The topic (a help-request category).")
    title: str = Field(max_length=200, description="The subject in a few words.")
    body: str = Field(max_length=10_000, description="The opening post.")
    county: str | None = Field(
        None,
        max_length=5,
        description="The county's MOI code; needed only by members of several communities.",
    )
    request: UUID | None = Field(
        None, description="An open help request of the shared queue the discussion is about."
    )


class PostIn(Schema):
    body: str = Field(max_length=10_000, description="The text.")


class PinIn(Schema):
    pinned: bool = Field(True, description="true to pin, false to unpin.")


class LockIn(Schema):
    locked: bool = Field(True, description="true to lock, false to open it again.")


class AnswerIn(Schema):
    helpful: bool = Field(True, description="true to mark as the answer, false to unmark.")


class SharedOut(Schema):
    public_id: UUID = Field(description="The request's id (only its handlers can open it).")
    number: int = Field(description="The request's number in the county.")
    school: str = Field(description="The school's name (the county's office for its own).")
    category: str = Field(description="device, account, platform, network, teaching or other.")
    platform: str = Field(description="The learning platform, if any (adl, coolenglish …).")
    subject: str = Field(description="The request's subject.")
    status: str = Field(description="new, open or waiting.")
    created_at: dt.datetime = Field(description="When it was raised.")
    age_hours: int = Field(description="Hours since it was raised.")
    escalated_to: str = Field(description="The office group it is escalated to, or empty.")
    overdue: bool = Field(description="A service target is missed.")


class SharedFilters(Schema):
    category: TOPICS | None = Field(None, description="Only this category.")
    platform: str = Field("", max_length=16, description="Only this platform (adl, cooc …).")
    school: UUID | None = Field(None, description="Only this school's (its public_id).")
    county: str | None = Field(None, max_length=5, description="Only this county (MOI code).")
    sort: Literal["oldest", "newest"] = Field("oldest", description="oldest or newest first.")


# --------------------------------------------------------------------------- helpers


def _reader(request: HttpRequest) -> None:
    if not sel.may_read(request.user):
        raise PermissionDenied(
            _("Only the county's office and the schools' administrators use the community.")
        )


def _thread(t: Thread) -> dict[str, Any]:
    return {
        "public_id": t.public_id,
        "county": t.county.code,
        "topic": t.topic,
        "title": t.title,
        "author_name": t.author.name if t.author_id else None,
        "author_school": t.author_school.name if t.author_school_id else None,
        "request": t.request.public_id if t.request_id else None,
        "request_number": t.request.number if t.request_id else None,
        "pinned": t.pinned,
        "locked": t.locked,
        "solved": t.solved,
        "post_count": t.post_count,
        "created_at": t.created_at,
        "last_post_at": t.last_post_at,
    }


def _post(p: Post, user: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "author_name": p.author.name if p.author_id else None,
        "author_school": p.author_school.name if p.author_school_id else None,
        "body": p.body,
        "created_at": p.created_at,
        "edited_at": p.edited_at,
        "helpful": p.helpful,
        "editable": svc.may_edit_post(user, p, now=now),
    }


def _detail(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    thread = sel.thread_get(user=request.user, public_id=public_id)
    now = timezone.now()
    posts = list(sel.thread_posts(thread=thread))
    for p in posts:
        p.thread = thread
    member = svc.is_member(request.user, thread.county_id)
    return {
        **_thread(thread),
        "posts": [_post(p, request.user, now) for p in posts],
        "may_reply": member and not thread.locked,
        "may_mark_answer": svc.may_mark_answer(request.user, thread),
        "may_moderate": svc.may_moderate(request.user, thread.county_id),
    }


def _county(request: HttpRequest, code: str | None, *, write: bool = False) -> Any:
    if not code:
        return None
    qs = sel.writable_counties(user=request.user) if write else sel.counties(user=request.user)
    county = qs.filter(code=code).first()
    if county is None:
        if not write:  # a filter naming a county outside the community: as if missing
            raise Http404
        raise ValidationError({"county": _("No such county, or not one you may use here.")})
    return county


# --------------------------------------------------------------------------- threads


@router.get(
    "/helpdesk/threads",
    response=responses({200: list[ThreadOut]}, 403, 422),
    summary="Community discussions",
    description=(
        "The discussions of the caller's county community, pinned first, then by the latest "
        "post (sort=new: newest first). Filters: topic, q (words in the subject or a post), "
        "state (solved/unsolved), county. For the county's office and the schools' "
        "administrators; the MOE viewer reads every county's; other roles 403."
    ),
)
@paged
def thread_list(request: HttpRequest, filters: Query[ThreadFilters]) -> Any:
    _reader(request)
    county = _county(request, filters.county)
    rows = sel.thread_list(
        user=request.user,
        topic=filters.topic or "",
        query=filters.q,
        state=filters.state or "",
        sort=filters.sort,
        county_id=county.pk if county else None,
    ).select_related("request")
    return [_thread(t) for t in rows]


@router.post(
    "/helpdesk/threads",
    response=responses({201: ThreadDetailOut}, 403, 422),
    summary="Start a discussion",
    description=(
        "A new discussion with its opening post. `request` links an open help request of the "
        "shared queue (of the same county). For members of the county's community; the MOE "
        "viewer and other roles 403; a county or request you cannot use is a 422."
    ),
)
def thread_create(request: HttpRequest, data: ThreadIn) -> Any:
    _reader(request)
    if not sel.may_write_any(request.user):
        raise PermissionDenied(_("You can read this community but not post in it."))
    county = _county(request, data.county, write=True)
    request_obj = None
    if data.request:
        try:
            request_obj = sel.shared_request(user=request.user, public_id=data.request)
        except Http404 as exc:  # a 422 naming the field, like any body reference
            raise ValidationError(
                {"request": _("No such open request, or not one you may use here.")}
            ) from exc
    thread = svc.thread_create(
        user=request.user,
        county=county,
        topic=data.topic,
        title=data.title,
        body=data.body,
        request_obj=request_obj,
        http_request=request,
    )
    return Status(201, _detail(request, thread.public_id))


@router.get(
    "/helpdesk/threads/{public_id}",
    response=responses({200: ThreadDetailOut}, 403, 404),
    summary="One discussion with its posts",
    description="With every post, oldest first. Another county's discussion is a 404.",
)
def thread_get(request: HttpRequest, public_id: PublicId) -> Any:
    _reader(request)
    return _detail(request, public_id)


@router.post(
    "/helpdesk/threads/{public_id}/posts",
    response=responses({201: PostOut}, 403, 404, 422),
    summary="Reply in a discussion",
    description=(
        "Members of the county's community reply; a locked discussion takes no replies (422 on "
        "`body`). The MOE viewer 403; another county's discussion 404."
    ),
)
def post_create(request: HttpRequest, public_id: PublicId, data: PostIn) -> Any:
    _reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    post = svc.post_create(thread=thread, user=request.user, body=data.body, http_request=request)
    post = sel.post_get(user=request.user, public_id=post.public_id)
    return Status(201, _post(post, request.user, timezone.now()))


@router.patch(
    "/helpdesk/posts/{public_id}",
    response=responses({200: PostOut}, 403, 404, 422),
    summary="Edit your post",
    description=(
        "The author edits their post within 24 hours of writing it (422 on `body` after that, "
        "or in a locked discussion); anyone else 403."
    ),
)
def post_edit(request: HttpRequest, public_id: PublicId, data: PostIn) -> Any:
    _reader(request)
    post = sel.post_get(user=request.user, public_id=public_id)
    svc.post_edit(post=post, user=request.user, body=data.body, http_request=request)
    return _post(post, request.user, timezone.now())


@router.post(
    "/helpdesk/posts/{public_id}/answer",
    response=responses({200: PostOut}, 403, 404, 422),
    summary="Mark the answer",
    description=(
        "The discussion's author or a moderator marks the reply that answered the question "
        "(helpful=false unmarks it); the discussion is solved while it has an answer. One "
        "answer per discussion; the opening post cannot be it (422)."
    ),
)
def post_answer(request: HttpRequest, public_id: PublicId, data: AnswerIn) -> Any:
    _reader(request)
    post = sel.post_get(user=request.user, public_id=public_id)
    svc.post_mark_answer(post=post, user=request.user, helpful=data.helpful, http_request=request)
    return _post(post, request.user, timezone.now())


@router.post(
    "/helpdesk/threads/{public_id}/pin",
    response=responses({200: ThreadOut}, 403, 404, 422),
    summary="Pin a discussion (moderators)",
    description="The county's office keeps a discussion at the top (pinned=false unpins).",
)
def thread_pin(request: HttpRequest, public_id: PublicId, data: PinIn) -> Any:
    _reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    svc.thread_pin(thread=thread, user=request.user, pinned=data.pinned, http_request=request)
    return _thread(thread)


@router.post(
    "/helpdesk/threads/{public_id}/lock",
    response=responses({200: ThreadOut}, 403, 404, 422),
    summary="Lock a discussion (moderators)",
    description="The county's office closes a discussion to replies (locked=false reopens it).",
)
def thread_lock(request: HttpRequest, public_id: PublicId, data: LockIn) -> Any:
    _reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    svc.thread_lock(thread=thread, user=request.user, locked=data.locked, http_request=request)
    return _thread(thread)


# --------------------------------------------------------------------------- shared queue


@router.get(
    "/helpdesk/shared-queue",
    response=responses({200: list[SharedOut]}, 403, 404, 422),
    summary="The shared queue",
    description=(
        "Every open help request (new, in progress, waiting) of the caller's county "
        "community, oldest first: number, school, category, platform, subject, status, age, "
        "the escalated group and lateness only — never who asked, the description, messages "
        "or attachments. Filters: category, platform, school, county (one outside the "
        "caller's community is a 404). Members only: the MOE viewer and other roles 403."
    ),
)
@paged
def shared_queue(request: HttpRequest, filters: Query[SharedFilters]) -> Any:
    if not sel.may_read_queue(request.user):
        raise PermissionDenied(_("Only the members of a county's community read its queue."))
    county = _county(request, filters.county)
    school_id = None
    if filters.school:
        school = sel.shared_schools(user=request.user).filter(public_id=filters.school).first()
        if school is None:
            raise Http404
        school_id = school.pk
    rows = sel.shared_queue(
        user=request.user,
        filters=sel.QueueFilters(
            category=filters.category or "",
            platform=filters.platform,
            school_id=school_id,
            county_id=county.pk if county else None,
            sort=filters.sort,
        ),
    )
    now = timezone.now()
    return [
        {
            "public_id": r.public_id,
            "number": r.number,
            "school": r.school_name,
            "category": r.category,
            "platform": r.platform,
            "subject": r.subject,
            "status": r.status,
            "created_at": r.created_at,
            "age_hours": max(0, int((now - r.created_at).total_seconds() // 3600)),
            "escalated_to": r.escalated_to,
            "overdue": r.overdue,
        }
        for r in rows
    ]
