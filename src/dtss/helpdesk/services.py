"""Writes of help requests: raise, route, reply, assign, escalate, status, rating, and the
service-target check. Keyword-only, atomic, validating before saving (DESIGN.md rule 2).

Routing: a request of a school goes to the school's IT head (the first administrator with
that title; the school's administrators share it when there is none); a request raised by the
county's office goes to the group its category's target names. The category's service target
(`ServiceTarget`, or `sla.DEFAULT_TARGETS`) sets the first-response and resolution deadlines in
working time (`sla.calendar_for`), and whether the request is escalated to a group of the
county's office as soon as it is raised, when a target is missed, or only by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.helpdesk import access, sla
from dtss.helpdesk.models import (
    Category,
    HelpRequest,
    Platform,
    RequestAttachment,
    RequestMessage,
    ServiceTarget,
)

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ATTACHMENT_TYPES = (
    "image/",
    "video/",
    "application/pdf",
    "text/plain",
    "application/vnd.openxmlformats-officedocument",
    "application/msword",
    "application/vnd.ms-excel",
    "application/zip",
)


# ---------------------------------------------------------------------------------------------
# Helpers


def _person(user: Any) -> Any:
    person = getattr(user, "person", None)
    if person is None:
        raise ValidationError({"requester": _("This account has no person behind it.")})
    return person


def requester_schools(*, user: Any) -> list[Any]:
    """The schools a user may raise a request for: where they work, study, or have a child."""
    from dtss.orgs.models import School

    scope = scope_for(user)
    ids = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
    return list(School.objects.filter(pk__in=ids).select_related("county").order_by("name_zh"))


def target_for(*, county_id: int, category: str) -> tuple[int, int, str, Any]:
    """(first response minutes, resolution minutes, escalate_when, escalate_to group)."""
    row = (
        ServiceTarget.objects.filter(county_id=county_id, category=category)
        .select_related("escalate_to")
        .first()
    )
    if row is None:
        first, resolution = sla.DEFAULT_TARGETS.get(category, sla.DEFAULT_TARGETS["other"])
        return (
            first,
            resolution,
            ServiceTarget.Escalate.ON_BREACH,
            _default_group(county_id=county_id, category=category),
        )
    return row.first_response_minutes, row.resolution_minutes, row.escalate_when, row.escalate_to


def _default_group(*, county_id: int, category: str) -> Any:
    """Without a rule: teaching questions go to 教學輔導組, everything else to 資訊設備組."""
    from dtss.orgs.models import OfficeGroup

    kind = (
        OfficeGroup.Kind.TEACHING if category == Category.TEACHING else OfficeGroup.Kind.EQUIPMENT
    )
    return OfficeGroup.objects.filter(county_id=county_id, kind=kind).order_by("id").first()


def it_head_of(*, school_id: int) -> Any:
    from dtss.orgs.models import Membership, Person, Role

    person_id = (
        Membership.objects.filter(
            school_id=school_id, role=Role.SCHOOL_ADMIN, title=Membership.Title.IT_HEAD
        )
        .order_by("id")
        .values_list("person_id", flat=True)
        .first()
    )
    return Person.objects.filter(pk=person_id).first() if person_id else None


def handler_ids(*, request_obj: HelpRequest) -> set[int]:
    """The people who may handle a request: the school's administrators and the county's
    office (administrators and staff)."""
    from dtss.orgs.models import Membership, Role

    ids = set(
        Membership.objects.filter(
            county_id=request_obj.county_id, role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF]
        ).values_list("person_id", flat=True)
    )
    if request_obj.school_id:
        ids |= set(
            Membership.objects.filter(
                school_id=request_obj.school_id, role=Role.SCHOOL_ADMIN
            ).values_list("person_id", flat=True)
        )
    return ids


def _school_admin_ids(school_id: int) -> set[int]:
    from dtss.orgs.models import Membership, Role

    return set(
        Membership.objects.filter(school_id=school_id, role=Role.SCHOOL_ADMIN).values_list(
            "person_id", flat=True
        )
    )


def _event(
    request_obj: HelpRequest, *, event: str, actor: Any = None, **detail: Any
) -> RequestMessage:
    return RequestMessage.objects.create(
        county_id=request_obj.county_id,
        school_id=request_obj.school_id,
        request=request_obj,
        kind=RequestMessage.Kind.EVENT,
        author=getattr(actor, "person", None) if actor is not None else None,
        event=event,
        detail=detail,
    )


def _status_move(req: HelpRequest, status: str, now: dt.datetime) -> list[str]:
    """Set the status and keep the clocks honest: entering "waiting for the requester" stops
    them; leaving it moves each deadline not yet met by the working time spent waiting.
    Returns the fields changed."""
    fields = ["status"]
    if req.status == HelpRequest.Status.WAITING and status != HelpRequest.Status.WAITING:
        if req.waiting_since is not None:
            cal = sla.calendar_for(
                county_id=req.county_id, school_id=req.school_id, around=timezone.localdate(now)
            )
            paused = sla.working_minutes_between(req.waiting_since, now, cal)
            if paused and req.resolution_due is not None and req.resolved_at is None:
                req.resolution_due = sla.add_working_minutes(req.resolution_due, paused, cal)
                fields.append("resolution_due")
            if paused and req.first_response_due is not None and req.first_responded_at is None:
                req.first_response_due = sla.add_working_minutes(
                    req.first_response_due, paused, cal
                )
                fields.append("first_response_due")
        req.waiting_since = None
        fields.append("waiting_since")
    elif status == HelpRequest.Status.WAITING and req.status != HelpRequest.Status.WAITING:
        req.waiting_since = now
        fields.append("waiting_since")
    req.status = status
    return fields


def _touch(request_obj: HelpRequest, now: dt.datetime, *fields: str) -> None:
    request_obj.last_activity_at = now
    request_obj.save(update_fields=[*fields, "last_activity_at", "updated_at"])


def _validate_files(files: Sequence[UploadedFile], field: str = "attachments") -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({field: _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
    for f in files:
        if f.size and f.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError({field: _("%(name)s is larger than 10 MB.") % {"name": f.name}})
        ctype = getattr(f, "content_type", "") or mimetypes.guess_type(f.name or "")[0] or ""
        if not ctype.startswith(ATTACHMENT_TYPES):
            raise ValidationError(
                {field: _("%(name)s: this kind of file cannot be attached.") % {"name": f.name}}
            )


def _save_files(
    request_obj: HelpRequest,
    message: RequestMessage | None,
    files: Iterable[UploadedFile],
    person: Any,
) -> None:
    for f in files:
        ctype = getattr(f, "content_type", "") or mimetypes.guess_type(f.name or "")[0] or ""
        RequestAttachment.objects.create(
            county_id=request_obj.county_id,
            school_id=request_obj.school_id,
            request=request_obj,
            message=message,
            file=f,
            name=(f.name or "file")[-200:],
            size=f.size or 0,
            content_type=ctype[:100],
            uploaded_by=person,
        )


# ---------------------------------------------------------------------------------------------
# Raising and routing


@transaction.atomic
def request_create(
    *,
    user: Any,
    category: str,
    subject: str,
    description: str,
    school: Any = None,
    platform: str = "",
    device: Any = None,
    page_url: str = "",
    files: Sequence[UploadedFile] = (),
    priority: str = HelpRequest.Priority.NORMAL,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    """Raise a request. `school` is required unless the requester works in a county's office
    and has no school of their own; a requester with several schools (a parent whose children
    attend two) names one."""
    from dtss.orgs.models import County

    now = now or timezone.now()
    person = _person(user)
    scope = scope_for(user)
    errors: dict[str, str] = {}
    subject = (subject or "").strip()
    description = (description or "").strip()
    if not subject:
        errors["subject"] = _("Say in a few words what the problem is.")
    elif len(subject) > 200:
        errors["subject"] = _("At most 200 characters.")
    if not description:
        errors["description"] = _("Describe the problem.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if platform and platform not in Platform.values:
        errors["platform"] = _("Choose a platform from the list.")
    if priority not in HelpRequest.Priority.values:
        errors["priority"] = _("Choose a priority from the list.")
    schools = requester_schools(user=user)
    county = None
    if school is None:
        if len(schools) == 1:
            school = schools[0]
        elif len(schools) > 1:
            errors["school"] = _("Choose the school the request is about.")
        elif scope.county_ids:
            county = County.objects.get(pk=min(scope.county_ids))
        else:
            errors["school"] = _("You belong to no school or county office.")
    elif school.pk not in {s.pk for s in schools}:
        errors["school"] = _("Choose one of your own schools.")
    if school is not None:
        county = school.county
    if device is not None and county is not None and device.county_id != county.pk:
        errors["device"] = _("That device is not in this county's register.")
    if errors:
        raise ValidationError(errors)
    _validate_files(files)
    assert county is not None

    from dtss.helpdesk.models import HelpRequest as HR

    # The number is the county's next one; the county row is locked so two requests raised at
    # the same moment cannot take the same number (SQLite serialises writers anyway).
    County.objects.select_for_update().filter(pk=county.pk).first()
    number = (HR.objects.filter(county=county).aggregate(m=Max("number"))["m"] or 0) + 1
    first, resolution, escalate_when, group = target_for(county_id=county.pk, category=category)
    cal = sla.calendar_for(
        county_id=county.pk,
        school_id=school.pk if school else None,
        around=timezone.localdate(now),
    )
    req = HR.objects.create(
        county=county,
        school=school,
        number=number,
        requester=person,
        category=category,
        platform=platform or "",
        subject=subject,
        description=description,
        device=device,
        page_url=(page_url or "")[:300],
        priority=priority,
        first_response_due=sla.add_working_minutes(now, first, cal),
        resolution_due=sla.add_working_minutes(now, resolution, cal),
        last_activity_at=now,
    )
    # created_at is auto_now_add; the clock the targets run on is `now`.
    HR.objects.filter(pk=req.pk).update(created_at=now)
    req.created_at = now
    _save_files(req, None, files, person)
    _event(req, event="created", actor=user)
    notify_ids: set[int] = set()
    if school is not None:
        head = it_head_of(school_id=school.pk)
        if head is not None and head.pk != person.pk:
            req.assignee = head
            req.save(update_fields=["assignee"])
            _event(req, event="assigned", assignee=head.name, rule=True)
            notify_ids.add(head.pk)
        else:
            notify_ids |= _school_admin_ids(school.pk) - {person.pk}
    if group is not None and (school is None or escalate_when == ServiceTarget.Escalate.ALWAYS):
        _escalate(req, group=group, actor=None, reason=_("By rule for this category."), now=now)
    elif school is None:
        notify_ids |= handler_ids(request_obj=req) - {person.pk}
    audit_record(actor=user, action="helpdesk.request.create", obj=req, request=http_request)
    _notify_new(req, notify_ids)
    return req


def _escalate(req: HelpRequest, *, group: Any, actor: Any, reason: str, now: dt.datetime) -> None:
    req.escalated_to = group
    req.escalated_at = now
    _touch(req, now, "escalated_to", "escalated_at")
    _event(req, event="escalated", actor=actor, group=group.name, reason=reason)
    members = set(group.members.values_list("pk", flat=True))
    if group.lead_id:
        members.add(group.lead_id)
    _notify_escalated(req, members, reason)


# ---------------------------------------------------------------------------------------------
# Handling


def _require_handler(user: Any, req: HelpRequest) -> None:
    if not access.may_handle_request(user, req):
        raise PermissionError("not a handler of this request")


@transaction.atomic
def request_reply(
    *,
    request_obj: HelpRequest,
    user: Any,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] = (),
    status: str = "",
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> RequestMessage:
    """A reply (or, from a handler, an internal note). A handler's first reply stops the
    first-response clock; a requester's reply to a request waiting for them or resolved
    reopens it. A handler may set the status in the same step."""
    now = now or timezone.now()
    req = HelpRequest.objects.select_for_update().get(pk=request_obj.pk)
    handler = access.may_handle_request(user, req)
    requester = access.is_requester(user, req)
    if not (handler or requester):
        raise PermissionError("neither the requester nor a handler")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if internal and not handler:
        raise PermissionError("only handlers write internal notes")
    if req.status == HelpRequest.Status.CLOSED and not handler:
        raise ValidationError({"body": _("This request is closed; raise a new one.")})
    if status and (not handler or status not in HelpRequest.Status.values):
        raise ValidationError({"status": _("Choose a status from the list.")})
    _validate_files(files)
    person = _person(user)
    msg = RequestMessage.objects.create(
        county_id=req.county_id,
        school_id=req.school_id,
        request=req,
        kind=RequestMessage.Kind.NOTE if internal else RequestMessage.Kind.REPLY,
        author=person,
        body=body,
    )
    _save_files(req, msg, files, person)
    fields: list[str] = []
    if handler and not internal and not requester:
        if req.first_responded_at is None:
            req.first_responded_at = now
            fields.append("first_responded_at")
        if req.status == HelpRequest.Status.NEW and not status:
            req.status = HelpRequest.Status.OPEN
            fields.append("status")
    elif requester and not handler and req.status in ("waiting", "resolved"):
        fields += _status_move(req, HelpRequest.Status.OPEN, now)
        req.resolved_at = None
        fields.append("resolved_at")
        _event(req, event="status", actor=user, status="open", reopened=True)
    if fields:
        _touch(req, now, *fields)
    else:
        _touch(req, now)
    if status and status != req.status:
        request_status_set(request_obj=req, user=user, status=status, now=now)
    audit_record(
        actor=user,
        action="helpdesk.request.note" if internal else "helpdesk.request.reply",
        obj=req,
        request=http_request,
    )
    if not internal:
        if handler and not requester:
            _notify_reply_to_requester(req, msg)
        else:
            targets = (
                {req.assignee_id} if req.assignee_id else _school_admin_ids(req.school_id or 0)
            )
            _notify_reply_to_handlers(req, msg, {t for t in targets if t} - {person.pk})
    request_obj.__dict__.update(req.__dict__)
    return msg


@transaction.atomic
def request_attach(
    *,
    request_obj: HelpRequest,
    user: Any,
    files: Sequence[UploadedFile],
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> list[RequestAttachment]:
    """Attach files to a request without a message (a screenshot sent afterwards): its
    requester or a handler; not to a closed request by the requester. All or none."""
    now = now or timezone.now()
    req = HelpRequest.objects.select_for_update().get(pk=request_obj.pk)
    handler = access.may_handle_request(user, req)
    if not (handler or access.is_requester(user, req)):
        raise PermissionError("neither the requester nor a handler")
    if req.status == HelpRequest.Status.CLOSED and not handler:
        raise ValidationError({"files": _("This request is closed; raise a new one.")})
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    _validate_files(files, "files")
    before = set(req.attachments.values_list("pk", flat=True))
    _save_files(req, None, files, _person(user))
    _touch(req, now)
    added = list(req.attachments.exclude(pk__in=before).order_by("id"))
    audit_record(
        actor=user,
        action="helpdesk.request.attach",
        obj=req,
        request=http_request,
        detail={"files": [a.name for a in added]},
    )
    return added


@transaction.atomic
def request_assign(
    *,
    request_obj: HelpRequest,
    user: Any,
    assignee: Any,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    """Give the request to one of its handlers (or to nobody: the school's queue)."""
    now = now or timezone.now()
    _require_handler(user, request_obj)
    if assignee is not None and assignee.pk not in handler_ids(request_obj=request_obj):
        raise ValidationError(
            {"assignee": _("Only the school's administrators or the county's office can take it.")}
        )
    request_obj.assignee = assignee
    _touch(request_obj, now, "assignee")
    _event(request_obj, event="assigned", actor=user, assignee=assignee.name if assignee else "")
    audit_record(
        actor=user, action="helpdesk.request.assign", obj=request_obj, request=http_request
    )
    if assignee is not None and assignee.pk != getattr(user, "person_id", None):
        _notify_assigned(request_obj, assignee)
    return request_obj


@transaction.atomic
def request_escalate(
    *,
    request_obj: HelpRequest,
    user: Any,
    group: Any,
    reason: str = "",
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    """Hand the request up to a group of the county's office (by hand)."""
    now = now or timezone.now()
    _require_handler(user, request_obj)
    if group is None or group.county_id != request_obj.county_id:
        raise ValidationError({"group": _("Choose a group of this county's office.")})
    if not request_obj.is_open:
        raise ValidationError({"group": _("Only an open request can be escalated.")})
    _escalate(request_obj, group=group, actor=user, reason=(reason or "").strip(), now=now)
    audit_record(
        actor=user,
        action="helpdesk.request.escalate",
        obj=request_obj,
        request=http_request,
        detail={"group": group.name},
    )
    return request_obj


@transaction.atomic
def request_status_set(
    *,
    request_obj: HelpRequest,
    user: Any,
    status: str,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    """A handler moves the request along: in progress, waiting for the requester, resolved,
    closed; or reopens it."""
    now = now or timezone.now()
    _require_handler(user, request_obj)
    if status not in HelpRequest.Status.values or status == HelpRequest.Status.NEW:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == request_obj.status:
        return request_obj
    fields = _status_move(request_obj, status, now)
    if status == HelpRequest.Status.RESOLVED:
        request_obj.resolved_at = now
        fields.append("resolved_at")
    elif status == HelpRequest.Status.CLOSED:
        request_obj.closed_at = now
        fields.append("closed_at")
        if request_obj.resolved_at is None:
            request_obj.resolved_at = now
            fields.append("resolved_at")
    else:
        request_obj.resolved_at = None
        request_obj.closed_at = None
        fields += ["resolved_at", "closed_at"]
    _touch(request_obj, now, *fields)
    _event(request_obj, event="status", actor=user, status=status)
    audit_record(
        actor=user,
        action="helpdesk.request.status",
        obj=request_obj,
        request=http_request,
        detail={"status": status},
    )
    if status == HelpRequest.Status.RESOLVED:
        _notify_resolved(request_obj)
    return request_obj


@transaction.atomic
def request_priority_set(
    *,
    request_obj: HelpRequest,
    user: Any,
    priority: str,
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    now = now or timezone.now()
    _require_handler(user, request_obj)
    if priority not in HelpRequest.Priority.values:
        raise ValidationError({"priority": _("Choose a priority from the list.")})
    if priority != request_obj.priority:
        request_obj.priority = priority
        _touch(request_obj, now, "priority")
        _event(request_obj, event="priority", actor=user, priority=priority)
        audit_record(
            actor=user,
            action="helpdesk.request.priority",
            obj=request_obj,
            request=http_request,
            detail={"priority": priority},
        )
    return request_obj


@transaction.atomic
def request_solved_by_requester(
    *, request_obj: HelpRequest, user: Any, now: dt.datetime | None = None, http_request: Any = None
) -> HelpRequest:
    """The requester says the problem is solved (perhaps by an article): resolved."""
    now = now or timezone.now()
    if not access.is_requester(user, request_obj):
        raise PermissionError("only the requester")
    if not request_obj.is_open:
        raise ValidationError({"status": _("This request is already resolved.")})
    fields = _status_move(request_obj, HelpRequest.Status.RESOLVED, now)
    request_obj.resolved_at = now
    _touch(request_obj, now, *fields, "resolved_at")
    _event(request_obj, event="status", actor=user, status="resolved", by_requester=True)
    audit_record(
        actor=user, action="helpdesk.request.solved", obj=request_obj, request=http_request
    )
    return request_obj


@transaction.atomic
def request_rate(
    *,
    request_obj: HelpRequest,
    user: Any,
    rating: int,
    comment: str = "",
    now: dt.datetime | None = None,
    http_request: Any = None,
) -> HelpRequest:
    """The requester rates the service (1–5) once the request is resolved; this closes it."""
    now = now or timezone.now()
    if not access.is_requester(user, request_obj):
        raise PermissionError("only the requester rates")
    if request_obj.status not in (HelpRequest.Status.RESOLVED, HelpRequest.Status.CLOSED):
        raise ValidationError({"rating": _("A request can be rated once it is resolved.")})
    if request_obj.rating is not None:
        raise ValidationError({"rating": _("This request has already been rated.")})
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5.")})
    request_obj.rating = value
    request_obj.rating_comment = (comment or "").strip()[:2000]
    fields = ["rating", "rating_comment"]
    if request_obj.status != HelpRequest.Status.CLOSED:
        request_obj.status = HelpRequest.Status.CLOSED
        request_obj.closed_at = now
        fields += ["status", "closed_at"]
    _touch(request_obj, now, *fields)
    _event(request_obj, event="rated", actor=user, rating=value)
    audit_record(
        actor=user,
        action="helpdesk.request.rate",
        obj=request_obj,
        request=http_request,
        detail={"rating": value},
    )
    return request_obj


# ---------------------------------------------------------------------------------------------
# The service-target check (cron: `dtss manage helpdesk sla`, every few minutes)


def sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark the open requests whose targets were missed (once each; a request waiting for its
    requester is not late while it waits), escalate those whose
    category says so, tell the handlers; close resolved requests left alone for the county's
    `auto_close_days`. Returns counts."""
    from dtss.helpdesk.models import HelpdeskSettings

    now = now or timezone.now()
    result = {"first_response": 0, "resolution": 0, "escalated": 0, "closed": 0}
    late_first = HelpRequest.objects.filter(
        status__in=HelpRequest.TIMED_STATUSES,
        first_responded_at__isnull=True,
        first_response_breached_at__isnull=True,
        first_response_due__lt=now,
    )
    late_resolution = HelpRequest.objects.filter(
        status__in=HelpRequest.TIMED_STATUSES,
        resolution_breached_at__isnull=True,
        resolution_due__lt=now,
    )
    for kind, qs in (("first_response", late_first), ("resolution", late_resolution)):
        for pk in list(qs.values_list("pk", flat=True)):
            with transaction.atomic():
                req = HelpRequest.objects.select_for_update().get(pk=pk)
                field = f"{kind}_breached_at"
                if getattr(req, field) is not None:
                    continue
                setattr(req, field, now)
                req.save(update_fields=[field, "updated_at"])
                _event(req, event="breach", target=kind)
                result[kind] += 1
                _first, _resolution, when, group = target_for(
                    county_id=req.county_id, category=req.category
                )
                if (
                    group is not None
                    and req.escalated_to_id is None
                    and when == ServiceTarget.Escalate.ON_BREACH
                ):
                    _escalate(
                        req,
                        group=group,
                        actor=None,
                        reason=_("A service target was missed."),
                        now=now,
                    )
                    result["escalated"] += 1
                _notify_breach(req, kind)
    days = dict(HelpdeskSettings.objects.values_list("county_id", "auto_close_days"))
    resolved = HelpRequest.objects.filter(
        status=HelpRequest.Status.RESOLVED, resolved_at__isnull=False
    ).values_list("pk", "county_id", "resolved_at")
    for pk, county_id, resolved_at in list(resolved):
        if resolved_at + dt.timedelta(days=days.get(county_id, 7)) <= now:
            with transaction.atomic():
                req = HelpRequest.objects.select_for_update().get(pk=pk)
                if req.status != HelpRequest.Status.RESOLVED:
                    continue
                req.status = HelpRequest.Status.CLOSED
                req.closed_at = now
                req.save(update_fields=["status", "closed_at", "updated_at"])
                _event(req, event="status", status="closed", automatic=True)
                result["closed"] += 1
    return result


# ---------------------------------------------------------------------------------------------
# Mail (sent after the commit, in the worker)


def _emails(person_ids: Iterable[int]) -> list[str]:
    from dtss.accounts.models import User
    from dtss.orgs.models import Person

    ids = [i for i in set(person_ids) if i]
    if not ids:
        return []
    found: dict[int, str] = {}
    for pk, email in Person.objects.filter(pk__in=ids).values_list("pk", "email"):
        if email:
            found[pk] = email
    for pk, email in (
        User.objects.filter(person_id__in=ids).exclude(email="").values_list("person_id", "email")
    ):
        found.setdefault(pk, email)
    return sorted(set(found.values()))


def _link(req: HelpRequest) -> str:
    from django.urls import NoReverseMatch, reverse

    site = getattr(settings, "SITE_URL", "").rstrip("/")
    try:
        return f"{site}{reverse('helpdesk:request_detail', args=[req.public_id])}"
    except NoReverseMatch:
        return site or "/"


def _send(to: list[str], subject: str, body: str) -> None:
    if not to:
        return
    from dtss.helpdesk.tasks import mail_send

    def enqueue() -> None:
        try:
            mail_send.enqueue(to, subject, body)
        except Exception:  # a failed mail must never undo or block the request
            log.warning("helpdesk mail could not be queued", exc_info=True)

    transaction.on_commit(enqueue)


def _mail(to_ids: Iterable[int], subject: str, lines: list[str], req: HelpRequest) -> None:
    to = _emails(to_ids)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = f"[DTSS #{req.number}] {subject}"
        body = "\n\n".join([*lines, _link(req), _("This message was sent automatically by DTSS.")])
    _send(to, subject_text, body)


def _notify_new(req: HelpRequest, ids: set[int]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            ids,
            _("New help request: %(subject)s") % {"subject": req.subject},
            [
                _("%(name)s asked for help (%(category)s).")
                % {"name": req.requester.name, "category": req.get_category_display()},
                req.description,
            ],
            req,
        )


def _notify_escalated(req: HelpRequest, ids: set[int], reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            ids,
            _("Escalated to your group: %(subject)s") % {"subject": req.subject},
            [reason, req.description],
            req,
        )


def _notify_assigned(req: HelpRequest, assignee: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            [assignee.pk],
            _("Assigned to you: %(subject)s") % {"subject": req.subject},
            [req.description],
            req,
        )


def _notify_reply_to_requester(req: HelpRequest, msg: RequestMessage) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            [req.requester_id],
            _("Reply to your request: %(subject)s") % {"subject": req.subject},
            [msg.body],
            req,
        )


def _notify_reply_to_handlers(req: HelpRequest, msg: RequestMessage, ids: set[int]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            ids,
            _("The requester replied: %(subject)s") % {"subject": req.subject},
            [msg.body],
            req,
        )


def _notify_resolved(req: HelpRequest) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            [req.requester_id],
            _("Your request is resolved: %(subject)s") % {"subject": req.subject},
            [
                _(
                    "If the problem is gone, please rate the help you received. If not, reply "
                    "and the request opens again."
                )
            ],
            req,
        )


def _notify_breach(req: HelpRequest, kind: str) -> None:
    ids = {req.assignee_id} if req.assignee_id else _school_admin_ids(req.school_id or 0)
    with translation.override(settings.LANGUAGE_CODE):
        what = (
            _("No first response within the service target.")
            if kind == "first_response"
            else _("Not resolved within the service target.")
        )
        _mail(
            {i for i in ids if i},
            _("Service target missed: %(subject)s") % {"subject": req.subject},
            [what],
            req,
        )
