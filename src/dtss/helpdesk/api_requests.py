"""API of the helpdesk: help requests, their messages and handling, and canned replies.

The same rules as the pages (`requests_views.py`): anyone signed in raises requests and reads
their own (replies and events — never the internal notes); the school's administrators and the
county's office handle them (`access.may_handle_request`; others 403); the queue and canned
replies are for handlers only (403). Another school's, county's or family's request is a 404.
Writes go through `services.py` and `canned_services.py`: a PermissionError is a 403, a
ValidationError a 422 naming the field; nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404
from dtss.devices.models import Device
from dtss.helpdesk import access, services
from dtss.helpdesk import canned_services as canned_svc
from dtss.helpdesk import requests_selectors as sel
from dtss.helpdesk.models import (
    CannedReply,
    Category,
    HelpRequest,
    Platform,
    RequestAttachment,
    RequestMessage,
)
from dtss.helpdesk.requests_views import attachment_response, safe_page_path
from dtss.orgs.models import OfficeGroup, Person

router = Router(tags=["helpdesk"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class AttachmentOut(Schema):
    public_id: UUID = Field(description="The file's id.")
    name: str = Field(description="The file name.")
    size: int = Field(description="Size in bytes.")
    content_type: str = Field(description="The file's media type.")
    url: str = Field(description="Where to download it (the page's link; same sign-in).")


class RequestOut(Schema):
    public_id: UUID = Field(description="The request's id.")
    number: int = Field(description="The request's number in its county (#123).")
    school: UUID | None = Field(description="The school's id (null: the county's office).")
    school_name: str = Field(description="The school's name, or empty for the county's office.")
    requester_name: str = Field(description="Who asked.")
    category: str = Field(description="device, account, platform, network, teaching or other.")
    platform: str = Field(description="The learning platform asked about (adl, cooc …) or empty.")
    subject: str = Field(description="In a few words.")
    description: str = Field(description="The problem as the requester described it.")
    status: str = Field(description="new, open (in progress), waiting, resolved or closed.")
    status_label: str = Field(description="The status in the reader's language.")
    priority: str = Field(description="low, normal, high or urgent.")
    assignee_name: str = Field(description="Who handles it (empty: the school's queue).")
    escalated_to: str = Field(description="The group of the county's office it went to, if any.")
    device: UUID | None = Field(description="The device it is about, if any.")
    page_url: str = Field(description="The DTSS page it was raised from, if any.")
    created_at: dt.datetime = Field(description="When it was raised.")
    last_activity_at: dt.datetime = Field(description="The last reply, note or change.")
    first_response_due: dt.datetime | None = Field(description="First response due (target).")
    resolution_due: dt.datetime | None = Field(description="Resolution due (target).")
    first_responded_at: dt.datetime | None = Field(description="When a handler first replied.")
    resolved_at: dt.datetime | None = Field(description="When it was resolved.")
    closed_at: dt.datetime | None = Field(description="When it was closed.")
    rating: int | None = Field(description="The requester's satisfaction, 1–5.")
    rating_comment: str = Field(description="The requester's comment on the service.")
    files: list[AttachmentOut] = Field(description="Files attached when it was raised.")
    url: str = Field(description="The request's page.")


class RequestFilters(Schema):
    scope: Literal["mine", "queue"] = Field(
        "mine",
        description="mine: the requests you raised; queue: those you handle (handlers only).",
    )
    status: Literal["active", "new", "open", "waiting", "resolved", "closed"] | None = Field(
        None, description="Only this status; active = new, open and waiting. Default: all."
    )
    category: Literal[tuple(Category.values)] | None = Field(  # type: ignore[valid-type]
        None, description="Only this category."
    )
    platform: Literal[tuple(v for v in Platform.values if v)] | None = Field(  # type: ignore[valid-type]
        None, description="Only this platform."
    )
    overdue: bool = Field(False, description="queue: only requests past a target not met.")
    q: str = Field(
        "", max_length=100, description="queue: number, subject, text or requester's name."
    )


class RequestIn(Schema):
    category: str = Field(description="device, account, platform, network, teaching or other.")
    subject: str = Field(max_length=200, description="In a few words.")
    description: str = Field(description="What is wrong, what you tried, any error message.")
    platform: str = Field("", description="The learning platform (adl, cooc …), if any.")
    school: UUID | None = Field(
        None, description="The school it is about; required when you have several."
    )
    device: UUID | None = Field(None, description="A device you can see that it is about.")
    page_url: str = Field(
        "", max_length=300, description="The DTSS page (a path like /devices/) it is about."
    )
    priority: Literal["low", "normal", "high", "urgent"] | None = Field(
        None, description="Handlers only: the priority (default normal)."
    )


class MessageOut(Schema):
    public_id: UUID = Field(description="The message's id.")
    kind: str = Field(description="reply, note (handlers only) or event.")
    event: str = Field(
        description="For an event: created, assigned, escalated, status, priority, breach, rated."
    )
    author_name: str = Field(description="Who wrote it (empty for automatic events).")
    text: str = Field(description="The message, or the event as a readable line.")
    created_at: dt.datetime = Field(description="When.")
    files: list[AttachmentOut] = Field(description="Files attached to the message.")


class MessageIn(Schema):
    body: str = Field(description="The message.")
    internal: bool = Field(False, description="An internal note only handlers see (handlers).")
    status: Literal["open", "waiting", "resolved", "closed"] | None = Field(
        None, description="Handlers: set the status in the same step."
    )


class AssignIn(Schema):
    assignee: UUID | None = Field(
        description="The person's id: one of the school's administrators or the county's "
        "office; null puts it back in the school's queue."
    )


class StatusIn(Schema):
    status: str = Field(description="open, waiting, resolved or closed.")


class PriorityIn(Schema):
    priority: str = Field(description="low, normal, high or urgent.")


class EscalateIn(Schema):
    group: UUID = Field(description="The id of a group of the request's county's office.")
    reason: str = Field("", max_length=500, description="Why (handlers see it).")


class RatingIn(Schema):
    rating: int = Field(description="1 (not at all) to 5 (very satisfied).")
    comment: str = Field("", max_length=2000, description="A comment on the service.")


class CannedOut(Schema):
    public_id: UUID = Field(description="The canned reply's id.")
    title: str = Field(description="Its short name.")
    body: str = Field(description="The text inserted into a reply.")
    category: str = Field(description="The category it suits, or empty for any.")
    county: str = Field(description="The county's code.")
    school: UUID | None = Field(description="The school whose own it is; null: county-wide.")
    school_name: str = Field(description="The school's name, or empty.")
    editable: bool = Field(description="Whether you may change or delete it.")
    updated_at: dt.datetime = Field(description="Last change.")


class CannedFilters(Schema):
    q: str = Field("", max_length=100, description="In the name or text.")
    category: Literal[tuple(Category.values)] | None = Field(  # type: ignore[valid-type]
        None, description="Only replies of this category."
    )
    request: UUID | None = Field(
        None, description="Only the replies usable in this request (its county's and school's)."
    )


class CannedIn(Schema):
    title: str = Field(max_length=120, description="A short name.")
    body: str = Field(description="The text.")
    category: str = Field("", description="The category it suits, or empty.")
    school: UUID | None = Field(
        None, description="The school whose own it is (its administrators); null: county-wide."
    )
    county: str | None = Field(
        None, description="County-wide: the county's code, when you serve several counties."
    )


class CannedPatch(Schema):
    title: str | None = Field(None, max_length=120, description="A short name.")
    body: str | None = Field(None, description="The text.")
    category: str | None = Field(None, description="The category it suits, or empty.")


# --------------------------------------------------------------------------- helpers


@contextmanager
def _service() -> Iterator[None]:
    """A service's PermissionError is a 403."""
    try:
        yield
    except PermissionError as exc:
        raise PermissionDenied(_("You may not do this with this request.")) from exc


def _file(a: Any) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "url": reverse("helpdesk:attachment_download", args=[a.public_id]),
    }


def _request(r: HelpRequest, files: list[Any] | None = None) -> dict[str, Any]:
    return {
        "public_id": r.public_id,
        "number": r.number,
        "school": r.school.public_id if r.school else None,
        "school_name": r.school.name if r.school else "",
        "requester_name": r.requester.name,
        "category": r.category,
        "platform": r.platform,
        "subject": r.subject,
        "description": r.description,
        "status": r.status,
        "status_label": r.get_status_display(),
        "priority": r.priority,
        "assignee_name": r.assignee.name if r.assignee else "",
        "escalated_to": r.escalated_to.name if r.escalated_to else "",
        "device": r.device.public_id if r.device else None,
        "page_url": r.page_url,
        "created_at": r.created_at,
        "last_activity_at": r.last_activity_at,
        "first_response_due": r.first_response_due,
        "resolution_due": r.resolution_due,
        "first_responded_at": r.first_responded_at,
        "resolved_at": r.resolved_at,
        "closed_at": r.closed_at,
        "rating": r.rating,
        "rating_comment": r.rating_comment,
        "files": [_file(a) for a in files or []],
        "url": reverse("helpdesk:request_detail", args=[r.public_id]),
    }


def _message(m: RequestMessage) -> dict[str, Any]:
    return {
        "public_id": m.public_id,
        "kind": m.kind,
        "event": m.event,
        "author_name": m.author.name if m.author else "",
        "text": getattr(m, "text", "") if m.kind == RequestMessage.Kind.EVENT else m.body,
        "created_at": m.created_at,
        "files": [_file(a) for a in m.attachments.all()],
    }


def _one(request: HttpRequest, public_id: UUID) -> HelpRequest:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    return sel.request_for_page(request_obj=req)


def _out(request: HttpRequest, req: HelpRequest) -> dict[str, Any]:
    req = sel.request_for_page(request_obj=req)
    return _request(req, sel.request_files(user=request.user, request_obj=req))


def _canned(c: CannedReply, user: Any) -> dict[str, Any]:
    return {
        "public_id": c.public_id,
        "title": c.title,
        "body": c.body,
        "category": c.category,
        "county": c.county.code,
        "school": c.school.public_id if c.school else None,
        "school_name": c.school.name if c.school else "",
        "editable": canned_svc.may_edit(user, c),
        "updated_at": c.updated_at,
    }


def _require_handler_anywhere(request: HttpRequest) -> None:
    if not access.handles_any(request.user):
        raise PermissionDenied(_("Only the school's administrators and the county's office."))


# --------------------------------------------------------------------------- requests


@router.get(
    "/helpdesk/requests",
    response=responses({200: list[RequestOut]}, 403, 422),
    summary="Help requests: mine or the queue",
    description=(
        "scope=mine (default): the requests you raised, latest activity first. scope=queue: "
        "the requests you handle (the school's administrators: their school's; the county's "
        "office: the county's), the next due first; 403 for anyone who handles none. Filters: "
        "status (active = new, open and waiting), category, platform; for the queue also "
        "overdue and q (number, subject, text, requester's name)."
    ),
)
@paged
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    status = filters.status or "all"
    if filters.scope == "queue":
        _require_handler_anywhere(request)
        f = sel.QueueFilters(
            status=status,
            category=filters.category or "",
            platform=filters.platform or "",
            overdue=filters.overdue,
            query=filters.q.strip(),
        )
        rows = sel.queue(user=request.user, filters=f)
    else:
        rows = sel.my_requests(user=request.user, status=status)
        if filters.category:
            rows = rows.filter(category=filters.category)
        if filters.platform:
            rows = rows.filter(platform=filters.platform)
    rows = rows.select_related("requester", "escalated_to", "device")
    return [_request(r) for r in rows]


@router.post(
    "/helpdesk/requests",
    response=responses({201: RequestOut}, 403, 422),
    summary="Ask for help",
    description=(
        "Raise a request (JSON; attach files on the page). It goes to the school's IT head "
        "(or the school's administrators), with the category's service targets. school is "
        "required when you have several (a parent with children at two schools); device must "
        "be one you can see; priority is for handlers. 403 for an account with no person."
    ),
)
def request_create(request: HttpRequest, data: RequestIn) -> Any:
    if not access.may_raise(request.user):
        raise PermissionDenied(_("This account has no person behind it."))
    school = None
    if data.school is not None:
        schools = {s.public_id: s for s in services.requester_schools(user=request.user)}
        school = schools.get(data.school)
        if school is None:
            raise ValidationError({"school": _("Choose one of your own schools.")})
    device = (
        ref_or_422(Device.objects.visible_to(request.user), "device", public_id=data.device)
        if data.device
        else None
    )
    page_url = safe_page_path(data.page_url, request) if data.page_url else ""
    if data.page_url and not page_url:
        raise ValidationError({"page_url": _("Only a page of this site (a path like /devices/).")})
    if data.priority and not access.handles_any(request.user):
        raise ValidationError({"priority": _("Only handlers set the priority.")})
    req = services.request_create(
        user=request.user,
        school=school,
        category=data.category,
        platform=data.platform,
        subject=data.subject,
        description=data.description,
        device=device,
        page_url=page_url,
        priority=data.priority or HelpRequest.Priority.NORMAL,
        http_request=request,
    )
    return Status(201, _out(request, req))


@router.get(
    "/helpdesk/requests/{public_id}",
    response=responses({200: RequestOut}, 404),
    summary="One help request",
    description="For its requester and its handlers; 404 for anyone else.",
)
def request_get(request: HttpRequest, public_id: PublicId) -> Any:
    return _out(request, _one(request, public_id))


@router.get(
    "/helpdesk/requests/{public_id}/messages",
    response=responses({200: list[MessageOut]}, 404, 422),
    summary="The conversation of a request",
    description=(
        "Replies, internal notes and events, oldest first. The requester never gets the "
        "internal notes. With after (a message id), only the later messages."
    ),
)
def request_messages(
    request: HttpRequest,
    public_id: PublicId,
    after: Annotated[UUID | None, Query(description="Only messages after this one.")] = None,
) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    msgs = sel.conversation(user=request.user, request_obj=req, after=str(after) if after else None)
    return [_message(m) for m in msgs]


@router.post(
    "/helpdesk/requests/{public_id}/messages",
    response=responses({201: MessageOut}, 403, 404, 422),
    summary="Reply, or add an internal note",
    description=(
        "The requester replies (a reply to a request waiting for them or resolved opens it "
        "again; a closed request takes no more replies). A handler replies (the first reply "
        "stops the first-response clock) or writes an internal note (internal=true), and may "
        "set the status in the same step. Notes and status are for handlers only (403)."
    ),
)
def request_message_create(request: HttpRequest, public_id: PublicId, data: MessageIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        msg = services.request_reply(
            request_obj=req,
            user=request.user,
            body=data.body,
            internal=data.internal,
            status=data.status or "",
            http_request=request,
        )
    msg = RequestMessage.objects.select_related("author").get(pk=msg.pk)
    return Status(201, _message(msg))


@router.post(
    "/helpdesk/requests/{public_id}/files",
    response=responses({201: list[AttachmentOut]}, 403, 404, 422),
    summary="Attach files to a request",
    description=(
        "Multipart form: `files` (up to 5, 10 MB each; images, videos, PDF, text, Office "
        "documents, zip). The requester or a handler; the requester not on a closed request "
        "(422). Another tenant's request 404; a bad file 422 naming it, and nothing is kept."
    ),
)
def request_files_add(
    request: HttpRequest,
    public_id: PublicId,
    files: Annotated[list[UploadedFile], File(..., description="The files to attach.")],
) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        added = services.request_attach(
            request_obj=req, user=request.user, files=files, http_request=request
        )
    return Status(201, [_file(a) for a in added])


@router.get(
    "/helpdesk/attachments/{public_id}",
    response=responses({200: None}, 404, 422),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file itself, named as uploaded (an image inline, anything "
                "else as an attachment); `Content-Type` is the file's own media type.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    summary="Download an attachment",
    description=(
        "The file itself, for the requester and the request's handlers (an internal note's "
        "files for handlers only); 404 for anyone else, exactly like a missing file."
    ),
)
def attachment_get(request: HttpRequest, public_id: PublicId) -> HttpResponse:
    att = get_visible_or_404(RequestAttachment, request.user, public_id)
    return attachment_response(att)


@router.post(
    "/helpdesk/requests/{public_id}/assign",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="Assign a request",
    description=(
        "To one of its handlers (the school's administrators, the county's office), or null "
        "for the school's queue. Handlers only (403); anyone else is a 422 naming assignee."
    ),
)
def request_assign(request: HttpRequest, public_id: PublicId, data: AssignIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    if not access.may_handle_request(request.user, req):
        raise PermissionDenied(_("You may not do this with this request."))
    assignee = None
    if data.assignee is not None:
        assignee = ref_or_422(
            Person.objects.filter(pk__in=services.handler_ids(request_obj=req)),
            "assignee",
            public_id=data.assignee,
        )
    with _service():
        services.request_assign(
            request_obj=req, user=request.user, assignee=assignee, http_request=request
        )
    return _out(request, req)


@router.post(
    "/helpdesk/requests/{public_id}/status",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="Change a request's status",
    description="open, waiting, resolved or closed. Handlers only (403).",
)
def request_status(request: HttpRequest, public_id: PublicId, data: StatusIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        services.request_status_set(
            request_obj=req, user=request.user, status=data.status, http_request=request
        )
    return _out(request, req)


@router.post(
    "/helpdesk/requests/{public_id}/priority",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="Change a request's priority",
    description="low, normal, high or urgent. Handlers only (403).",
)
def request_priority(request: HttpRequest, public_id: PublicId, data: PriorityIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        services.request_priority_set(
            request_obj=req, user=request.user, priority=data.priority, http_request=request
        )
    return _out(request, req)


@router.post(
    "/helpdesk/requests/{public_id}/escalate",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="Escalate a request to the county's office",
    description=(
        "Hand an open request to a group of its county's office, with a reason. Handlers only "
        "(403); a group of another county is a 422 naming group."
    ),
)
def request_escalate(request: HttpRequest, public_id: PublicId, data: EscalateIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    if not access.may_handle_request(request.user, req):
        raise PermissionDenied(_("You may not do this with this request."))
    group = ref_or_422(
        OfficeGroup.objects.filter(county_id=req.county_id), "group", public_id=data.group
    )
    with _service():
        services.request_escalate(
            request_obj=req,
            user=request.user,
            group=group,
            reason=data.reason,
            http_request=request,
        )
    return _out(request, req)


@router.post(
    "/helpdesk/requests/{public_id}/solved",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="My problem is solved",
    description="The requester marks an open request resolved (403 for anyone else).",
)
def request_solved(request: HttpRequest, public_id: PublicId) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        services.request_solved_by_requester(
            request_obj=req, user=request.user, http_request=request
        )
    return _out(request, req)


@router.post(
    "/helpdesk/requests/{public_id}/rating",
    response=responses({200: RequestOut}, 403, 404, 422),
    summary="Rate the help received",
    description=(
        "The requester rates a resolved request once, 1–5 with a comment; this closes it. "
        "403 for anyone else; 422 before it is resolved or when already rated."
    ),
)
def request_rating(request: HttpRequest, public_id: PublicId, data: RatingIn) -> Any:
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    with _service():
        services.request_rate(
            request_obj=req,
            user=request.user,
            rating=data.rating,
            comment=data.comment,
            http_request=request,
        )
    return _out(request, req)


# --------------------------------------------------------------------------- canned replies


@router.get(
    "/helpdesk/canned-replies",
    response=responses({200: list[CannedOut]}, 403, 404, 422),
    summary="Canned replies",
    description=(
        "The ready answers handlers insert into replies: the county's and their school's own "
        "(the county's office: all of the county's). With request, only those usable in that "
        "request. Handlers only (403)."
    ),
)
@paged
def canned_list(request: HttpRequest, filters: Query[CannedFilters]) -> Any:
    _require_handler_anywhere(request)
    if filters.request is not None:
        req = get_visible_or_404(HelpRequest, request.user, filters.request)
        rows = sel.canned_for(user=request.user, request_obj=req)
    else:
        rows = CannedReply.objects.visible_to(request.user).order_by("title", "id")
    if filters.q.strip():
        q = filters.q.strip()
        rows = rows.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if filters.category:
        rows = rows.filter(category=filters.category)
    return [_canned(c, request.user) for c in rows.select_related("county", "school")]


@router.post(
    "/helpdesk/canned-replies",
    response=responses({201: CannedOut}, 403, 422),
    summary="Add a canned reply",
    description=(
        "County-wide (school null) for the county's office; a school's own for its "
        "administrators. A school you do not administer is a 422 naming school."
    ),
)
def canned_create(request: HttpRequest, data: CannedIn) -> Any:
    _require_handler_anywhere(request)
    owners = canned_svc.owners(user=request.user)
    county = school = None
    if data.school is not None:
        school = next(
            (s for _k, _l, _c, s in owners if s is not None and s.public_id == data.school), None
        )
        if school is None:
            raise ValidationError({"school": _("No such object, or not one you may use here.")})
    else:
        counties = [c for _k, _l, c, s in owners if s is None]
        if data.county:
            county = next((c for c in counties if c.code == data.county), None)
            if county is None:
                raise ValidationError({"county": _("No such object, or not one you may use here.")})
        elif len(counties) == 1:
            county = counties[0]
        elif counties:
            raise ValidationError({"county": _("Name the county (its code).")})
        else:
            raise ValidationError(
                {"school": _("Name your school: county-wide replies are the county office's.")}
            )
    with _service():
        reply = canned_svc.canned_create(
            user=request.user,
            title=data.title,
            body=data.body,
            category=data.category,
            county=county,
            school=school,
            http_request=request,
        )
    reply = CannedReply.objects.select_related("county", "school").get(pk=reply.pk)
    return Status(201, _canned(reply, request.user))


@router.patch(
    "/helpdesk/canned-replies/{public_id}",
    response=responses({200: CannedOut}, 403, 404, 422),
    summary="Change a canned reply",
    description=(
        "Only the fields given. County-wide replies: the county's office; a school's own: its "
        "administrators (403 for a reply you may read but not change)."
    ),
)
def canned_update(request: HttpRequest, public_id: PublicId, data: CannedPatch) -> Any:
    _require_handler_anywhere(request)
    reply = get_visible_or_404(CannedReply, request.user, public_id)
    with _service():
        canned_svc.canned_update(
            user=request.user,
            reply=reply,
            title=data.title if data.title is not None else reply.title,
            body=data.body if data.body is not None else reply.body,
            category=data.category if data.category is not None else reply.category,
            http_request=request,
        )
    reply = CannedReply.objects.select_related("county", "school").get(pk=reply.pk)
    return _canned(reply, request.user)


@router.delete(
    "/helpdesk/canned-replies/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Delete a canned reply",
    description="The same rule as changing it.",
)
def canned_delete(request: HttpRequest, public_id: PublicId) -> Any:
    _require_handler_anywhere(request)
    reply = get_visible_or_404(CannedReply, request.user, public_id)
    with _service():
        canned_svc.canned_delete(user=request.user, reply=reply, http_request=request)
    return Status(204, None)
