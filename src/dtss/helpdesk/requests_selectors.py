"""Reads of help requests: my requests, the handlers' queue, the conversation a viewer may see,
the live updates, the service-target clocks, and the readable lines of events.

Every read starts from `visible_to(user)`. The queue is the requests the user may *handle*
(`access.may_handle`: the school's administrators, and the county's office — administrators
and staff, who take the escalated ones); a requester's own requests are not in it unless they
also handle them. A requester never sees internal notes (`RequestMessage.tenant_q`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.tenancy import Scope, scope_for
from dtss.helpdesk import access, sla
from dtss.helpdesk.models import (
    CannedReply,
    Category,
    HelpRequest,
    Platform,
    RequestAttachment,
    RequestMessage,
)
from dtss.helpdesk.selectors import overdue_q

# Status filters of the lists: "active" is every open status (the queue's default).
STATUS_FILTERS = ("active", "new", "open", "waiting", "resolved", "closed", "all")
QUEUE_SORTS = ("due", "created", "activity", "priority")
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def status_labels() -> dict[str, str]:
    return {
        "active": _("Open (not yet resolved)"),
        **{k: str(v) for k, v in HelpRequest.Status.choices},
        "all": _("All"),
    }


def sort_labels() -> dict[str, str]:
    return {
        "due": _("Due soonest"),
        "created": _("Newest"),
        "activity": _("Last activity"),
        "priority": _("Priority"),
    }


def _status_filter(qs: QuerySet[HelpRequest], status: str) -> QuerySet[HelpRequest]:
    if status == "active":
        return qs.filter(status__in=HelpRequest.OPEN_STATUSES)
    if status in HelpRequest.Status.values:
        return qs.filter(status=status)
    return qs


# --------------------------------------------------------------------------- my requests


def my_requests(*, user: Any, status: str = "all") -> QuerySet[HelpRequest]:
    """The requests the user raised, newest activity first."""
    scope = scope_for(user)
    if scope.person_id is None:
        return HelpRequest.objects.none()
    qs = HelpRequest.objects.visible_to(user).filter(requester_id=scope.person_id)
    return (
        _status_filter(qs, status)
        .select_related("school", "assignee")
        .order_by("-last_activity_at", "-id")
    )


# --------------------------------------------------------------------------- the queue


def handled_q(scope: Scope) -> Q:
    """The requests a scope may handle: the rule of `access.may_handle` as a filter."""
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return q


def handled_requests(*, user: Any) -> QuerySet[HelpRequest]:
    """Every request the user may handle (the queue before its filters)."""
    return HelpRequest.objects.visible_to(user).filter(handled_q(scope_for(user)))


@dataclass(frozen=True)
class QueueFilters:
    status: str = "active"
    category: str = ""
    platform: str = ""
    school: Any = None  # a School
    assigned: str = ""  # "me", "none" or ""
    my_group: bool = False
    overdue: bool = False
    query: str = ""
    sort: str = "due"


def queue_filters_from(data: Any, *, schools: dict[str, Any]) -> QueueFilters:
    """Filters from a query string (unknown values fall back to the defaults)."""
    status = data.get("status", "active")
    sort = data.get("sort", "due")
    assigned = data.get("assigned", "")
    category = data.get("category", "")
    platform = data.get("platform", "")
    return QueueFilters(
        status=status if status in STATUS_FILTERS else "active",
        category=category if category in Category.values else "",
        platform=platform if platform and platform in Platform.values else "",
        school=schools.get(data.get("school", "")),
        assigned=assigned if assigned in ("me", "none") else "",
        my_group=data.get("group") == "mine",
        overdue=data.get("overdue") == "1",
        query=(data.get("q") or "").strip()[:100],
        sort=sort if sort in QUEUE_SORTS else "due",
    )


def _search(qs: QuerySet[HelpRequest], query: str) -> QuerySet[HelpRequest]:
    if not query:
        return qs
    q = (
        Q(subject__icontains=query)
        | Q(description__icontains=query)
        | Q(requester__name__icontains=query)
    )
    digits = query.lstrip("#").strip()
    if digits.isdigit() and len(digits) < 10:
        q |= Q(number=int(digits))
    return qs.filter(q)


def queue(
    *, user: Any, filters: QueueFilters, now: dt.datetime | None = None, with_status: bool = True
) -> QuerySet[HelpRequest]:
    """The queue with its filters, search and sort; rows carry `overdue` and `next_due`."""
    now = now or timezone.now()
    scope = scope_for(user)
    qs = handled_requests(user=user)
    if with_status:
        qs = _status_filter(qs, filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    if filters.school is not None:
        qs = qs.filter(school=filters.school)
    if filters.assigned == "me":
        qs = qs.filter(assignee_id=scope.person_id or 0)
    elif filters.assigned == "none":
        qs = qs.filter(assignee__isnull=True)
    if filters.my_group:
        person = scope.person_id or 0
        qs = qs.filter(Q(escalated_to__members=person) | Q(escalated_to__lead_id=person)).distinct()
    if filters.overdue:
        qs = qs.filter(overdue_q(now))
    qs = _search(qs, filters.query)
    qs = qs.annotate(
        overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()),
        next_due=Case(
            When(first_responded_at__isnull=True, then=F("first_response_due")),
            default=F("resolution_due"),
        ),
        priority_rank=Case(
            *(When(priority=k, then=Value(v)) for k, v in PRIORITY_RANK.items()),
            default=Value(9),
            output_field=IntegerField(),
        ),
    )
    order = {
        "due": [F("next_due").asc(nulls_last=True), "id"],
        "created": ["-created_at", "-id"],
        "activity": ["-last_activity_at", "-id"],
        "priority": ["priority_rank", F("next_due").asc(nulls_last=True), "id"],
    }[filters.sort]
    return qs.select_related("school", "requester", "assignee", "escalated_to").order_by(*order)


def status_counts(*, user: Any, filters: QueueFilters) -> dict[str, int]:
    """How many requests of each status match the other filters (for the queue's tabs)."""
    rows = (
        queue(user=user, filters=filters, with_status=False)
        .order_by()
        .values("status")
        .annotate(n=Count("id", distinct=True))
    )
    counts = {k: 0 for k in HelpRequest.Status.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["active"] = sum(counts[k] for k in HelpRequest.OPEN_STATUSES)
    counts["all"] = sum(counts[k] for k in HelpRequest.Status.values)
    return counts


def queue_schools(*, user: Any) -> list[Any]:
    """The schools whose requests the user handles (for the queue's school filter)."""
    from dtss.orgs.models import School

    scope = scope_for(user)
    qs = School.objects.all()
    if not scope.superuser:
        qs = qs.filter(Q(pk__in=scope.admin_school_ids) | Q(county_id__in=scope.county_ids))
    return list(qs.order_by("code"))


def in_office_group(*, user: Any) -> bool:
    """Whether the user is a member (or lead) of a group of a county's office."""
    from dtss.orgs.models import OfficeGroup

    person = scope_for(user).person_id
    if person is None:
        return False
    return OfficeGroup.objects.filter(Q(members=person) | Q(lead_id=person)).exists()


# --------------------------------------------------------------------------- one request


def request_for_page(*, request_obj: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_related(
        "school", "county", "requester", "assignee", "escalated_to", "device"
    ).get(pk=request_obj.pk)


def request_files(*, user: Any, request_obj: HelpRequest) -> list[RequestAttachment]:
    """The files attached to the request itself (not to a message)."""
    return list(
        RequestAttachment.objects.visible_to(user).filter(request=request_obj, message__isnull=True)
    )


def conversation(
    *, user: Any, request_obj: HelpRequest, after: str | None = None
) -> list[RequestMessage]:
    """The messages of a request this viewer may see (a requester: no internal notes), oldest
    first, each with its visible attachments and `text` (the readable line of an event).
    With `after` (a message's public id), only the later ones: one indexed query (the
    request's messages with a larger id) plus one for their files."""
    qs = RequestMessage.objects.visible_to(user).filter(request=request_obj)
    if after is not None:
        anchor = RequestMessage.objects.filter(request=request_obj, public_id=after).values("id")
        qs = qs.filter(id__gt=Subquery(anchor[:1]))
    qs = qs.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=RequestAttachment.objects.visible_to(user))
    )
    handler = access.may_handle_request(user, request_obj)
    out = list(qs.order_by("id"))
    for m in out:
        m.text = event_text(m, handler=handler) if m.kind == RequestMessage.Kind.EVENT else ""
    return out


def canned_for(*, user: Any, request_obj: HelpRequest) -> QuerySet[CannedReply]:
    """The canned replies a handler may insert into this request's reply: the county's and
    the request's school's own."""
    school_q = Q(school__isnull=True)
    if request_obj.school_id:
        school_q |= Q(school_id=request_obj.school_id)
    return (
        CannedReply.objects.visible_to(user)
        .filter(county_id=request_obj.county_id)
        .filter(school_q)
        .order_by("title", "id")
    )


def handlers_of(*, request_obj: HelpRequest) -> list[Any]:
    from dtss.helpdesk.services import handler_ids
    from dtss.orgs.models import Person

    return list(Person.objects.filter(pk__in=handler_ids(request_obj=request_obj)).order_by("name"))


def groups_of(*, request_obj: HelpRequest) -> list[Any]:
    from dtss.orgs.models import OfficeGroup

    return list(OfficeGroup.objects.filter(county_id=request_obj.county_id).order_by("name", "id"))


# --------------------------------------------------------------------------- events


def _status_label(value: str) -> str:
    return str(dict(HelpRequest.Status.choices).get(value, value))


def event_text(m: RequestMessage, *, handler: bool) -> str:
    """One readable line for an event message (in the active language)."""
    d = m.detail or {}
    who = m.author.name if m.author_id and m.author else ""
    e = m.event
    if e == "created":
        return _("%(name)s asked for help.") % {"name": who} if who else _("Request raised.")
    if e == "assigned":
        if not d.get("assignee"):
            return _("Returned to the school's queue (no one assigned).")
        if d.get("rule"):
            return _("Routed to %(name)s (the school's IT head).") % {"name": d["assignee"]}
        return _("Assigned to %(name)s.") % {"name": d["assignee"]}
    if e == "escalated":
        text = _("Escalated to %(group)s of the county's office.") % {"group": d.get("group", "")}
        if handler and d.get("reason"):
            text += " " + _("Reason: %(reason)s") % {"reason": d["reason"]}
        return text
    if e == "status":
        label = _status_label(d.get("status", ""))
        if d.get("reopened"):
            return _("Reopened by the requester's reply.")
        if d.get("by_requester"):
            return _("The requester said the problem is solved.")
        if d.get("automatic"):
            return _("Closed automatically after the resolved request was left alone.")
        return _("Status changed to: %(status)s") % {"status": label}
    if e == "priority":
        label = dict(HelpRequest.Priority.choices).get(d.get("priority", ""), d.get("priority"))
        return _("Priority changed to: %(priority)s") % {"priority": label}
    if e == "breach":
        if d.get("target") == "first_response":
            return _("The first-response target was missed.")
        return _("The resolution target was missed.")
    if e == "rated":
        return _("The requester rated the help %(rating)s of 5.") % {"rating": d.get("rating")}
    return e


# --------------------------------------------------------------------------- target clocks


def _duration(minutes: int) -> str:
    hours, mins = divmod(max(0, minutes), 60)
    if hours and mins:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": mins}


@dataclass(frozen=True)
class Clock:
    key: str  # "first_response" or "resolution"
    label: str
    due: dt.datetime | None
    done_at: dt.datetime | None
    state: str  # "met", "missed", "running", "overdue", "paused", "none"
    text: str  # "3 h 20 min left" / "overdue by 40 min" (working time) / ""


def clocks(*, request_obj: HelpRequest, now: dt.datetime | None = None) -> list[Clock]:
    """The first-response and resolution targets: met or missed once done; otherwise the
    working time left, or by how much it is overdue (on the county's and school's calendar)."""
    now = now or timezone.now()
    cal = sla.calendar_for(county_id=request_obj.county_id, school_id=request_obj.school_id)
    out = []
    for key, label, due, done in (
        (
            "first_response",
            _("First response"),
            request_obj.first_response_due,
            request_obj.first_responded_at,
        ),
        ("resolution", _("Resolution"), request_obj.resolution_due, request_obj.resolved_at),
    ):
        if due is None:
            out.append(Clock(key, label, None, done, "none", ""))
        elif done is not None:
            out.append(Clock(key, label, due, done, "met" if done <= due else "missed", ""))
        elif not request_obj.is_open:
            out.append(Clock(key, label, due, None, "none", ""))
        elif request_obj.status == HelpRequest.Status.WAITING:
            text = _("stopped while waiting for the requester")
            out.append(Clock(key, label, due, None, "paused", text))
        elif due >= now:
            left = sla.working_minutes_between(now, due, cal)
            text = _("%(time)s left (working time)") % {"time": _duration(left)}
            out.append(Clock(key, label, due, None, "running", text))
        else:
            late = sla.working_minutes_between(due, now, cal)
            text = _("overdue by %(time)s (working time)") % {"time": _duration(late)}
            out.append(Clock(key, label, due, None, "overdue", text))
    return out
