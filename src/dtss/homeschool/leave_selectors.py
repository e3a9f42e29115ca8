"""Reads of online leave (線上請假): the list a user works from, one request with its history,
and the rows of the CSV export.

Every read starts from `LeaveRequest.objects.visible_to(user)`: a parent sees the requests of
their children (at any school), a student their own, a homeroom teacher those of their classes,
a school's administrators the school's. The list puts first what waits for the reader: the
homeroom teacher's pending requests, the second approver's long leave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from dtss.core.tenancy import Scope, scope_for
from dtss.homeschool.models import HomeschoolSettings, LeaveAttachment, LeaveRequest, LeaveType

STATUS_FILTERS = ("open", "pending", "second", "approved", "declined", "cancelled", "all")
SORTS = ("waiting", "start", "created", "student")


def status_labels() -> dict[str, str]:
    return {
        "open": _("Waiting for a decision"),
        **{k: str(v) for k, v in LeaveRequest.Status.choices},
        "all": _("All"),
    }


def sort_labels() -> dict[str, str]:
    return {
        "waiting": _("Waiting for me first"),
        "start": _("First day, latest first"),
        "created": _("Newest request"),
        "student": _("Student's name"),
    }


@dataclass(frozen=True)
class LeaveFilters:
    status: str = "all"
    school_class: Any = None  # a SchoolClass
    leave_type: str = ""  # a leave type's code
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    query: str = ""
    sort: str = "waiting"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def filters_from(data: Any, *, classes: dict[str, Any]) -> LeaveFilters:
    """Filters from a query string; unknown values fall back to the defaults."""
    status = data.get("status", "all")
    sort = data.get("sort", "waiting")
    code = (data.get("type") or "").strip()[:20]
    return LeaveFilters(
        status=status if status in STATUS_FILTERS else "all",
        school_class=classes.get(data.get("class", "")),
        leave_type=code if code.replace("-", "").replace("_", "").isalnum() else "",
        date_from=_date(data.get("from")),
        date_to=_date(data.get("to")),
        query=(data.get("q") or "").strip()[:100],
        sort=sort if sort in SORTS else "waiting",
    )


def filter_params(f: LeaveFilters) -> dict[str, str]:
    params = {
        "status": f.status if f.status != "all" else "",
        "class": str(f.school_class.public_id) if f.school_class is not None else "",
        "type": f.leave_type,
        "from": f.date_from.isoformat() if f.date_from else "",
        "to": f.date_to.isoformat() if f.date_to else "",
        "q": f.query,
        "sort": f.sort if f.sort != "waiting" else "",
    }
    return {k: v for k, v in params.items() if v}


def second_approver_school_ids(scope: Scope) -> set[int]:
    """Schools where this person is the named second approver."""
    if scope.person_id is None or not scope.staff_school_ids:
        return set()
    return set(
        HomeschoolSettings.objects.filter(
            second_approver_id=scope.person_id, school_id__in=scope.staff_school_ids
        ).values_list("school_id", flat=True)
    )


def waiting_for_me_q(scope: Scope) -> Q:
    """The requests this user may decide now (the rule of `access.may_decide_*` as a filter;
    a school with a named second approver leaves long leave to them)."""
    q = Q(pk__in=[])
    if scope.person_id and scope.teacher_school_ids:
        q |= Q(
            status=LeaveRequest.Status.PENDING,
            school_id__in=scope.teacher_school_ids,
            school_class__homeroom_teacher_id=scope.person_id,
        )
    if scope.admin_school_ids:
        q |= Q(status=LeaveRequest.Status.PENDING, school_id__in=scope.admin_school_ids)
        named = HomeschoolSettings.objects.filter(second_approver__isnull=False).values("school_id")
        q |= Q(status=LeaveRequest.Status.SECOND, school_id__in=scope.admin_school_ids) & ~Q(
            school_id__in=named
        )
    mine = second_approver_school_ids(scope)
    if mine:
        q |= Q(status=LeaveRequest.Status.SECOND, school_id__in=mine)
    return q


def leave_list(*, user: Any, filters: LeaveFilters) -> QuerySet[LeaveRequest]:
    """The requests the user may see, filtered and sorted; each row carries `waiting` (1 when
    it waits for this user's decision)."""
    scope = scope_for(user)
    qs = LeaveRequest.objects.visible_to(user)
    if filters.status == "open":
        qs = qs.filter(status__in=LeaveRequest.OPEN_STATUSES)
    elif filters.status in LeaveRequest.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.school_class is not None:
        qs = qs.filter(school_class=filters.school_class)
    if filters.leave_type:
        qs = qs.filter(leave_type__code=filters.leave_type)
    if filters.date_from:
        qs = qs.filter(end_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(start_date__lte=filters.date_to)
    if filters.query:
        qs = qs.filter(student__name__icontains=filters.query)
    waiting = waiting_for_me_q(scope)
    qs = qs.annotate(
        waiting=Case(When(waiting, then=Value(1)), default=Value(0), output_field=IntegerField()),
        # the second approval before the first: long leave has waited longest
        waiting_rank=Case(
            When(waiting & Q(status=LeaveRequest.Status.SECOND), then=Value(0)),
            When(waiting, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )
    order = {
        "waiting": ["waiting_rank", "start_date", "id"],
        "start": ["-start_date", "-id"],
        "created": ["-created_at", "-id"],
        "student": ["student__name", "-start_date", "-id"],
    }[filters.sort]
    return qs.select_related(
        "school", "school_class", "student", "requested_by", "leave_type"
    ).order_by(*order)


def filter_classes(*, user: Any) -> list[Any]:
    """The classes whose requests the user sees (for the class filter): staff only."""
    from dtss.orgs.models import SchoolClass

    scope = scope_for(user)
    if not (scope.staff_school_ids or scope.superuser):
        return []
    ids = LeaveRequest.objects.visible_to(user).values("school_class_id")
    return list(
        SchoolClass.objects.filter(pk__in=ids)
        .select_related("school", "term")
        .order_by("school__code", "-term__roc_year", "-term__semester", "grade", "number")
    )


def filter_leave_types(*, user: Any) -> list[tuple[str, str]]:
    """(code, name) of the leave types of the schools whose requests the user sees."""
    schools = LeaveRequest.objects.visible_to(user).values("school_id")
    seen: dict[str, str] = {}
    for t in LeaveType.objects.filter(school_id__in=schools).order_by("order", "id"):
        seen.setdefault(t.code, t.name)
    return list(seen.items())


def waiting_count(*, user: Any) -> int:
    scope = scope_for(user)
    return LeaveRequest.objects.visible_to(user).filter(waiting_for_me_q(scope)).count()


# --------------------------------------------------------------------------- one request


def leave_for_page(*, leave: LeaveRequest) -> LeaveRequest:
    return (
        LeaveRequest.objects.select_related(
            "school",
            "school_class",
            "school_class__homeroom_teacher",
            "student",
            "requested_by",
            "leave_type",
            "decided_by",
            "second_decided_by",
        )
        .prefetch_related("periods")
        .get(pk=leave.pk)
    )


def leave_files(*, user: Any, leave: LeaveRequest) -> list[LeaveAttachment]:
    return list(LeaveAttachment.objects.visible_to(user).filter(leave=leave).order_by("id"))


def leave_periods_label(leave: LeaveRequest) -> str:
    chosen = sorted(leave.periods.all(), key=lambda p: p.order)
    if not chosen:
        return _("Whole day")
    return "、".join(p.name for p in chosen)


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime | None
    who: str
    text: str
    note: str = ""


def leave_history(*, leave: LeaveRequest) -> list[HistoryLine]:
    """Who did what, when: the request, the decisions (with the reason), a cancellation."""
    from dtss.core.models import AuditEntry

    lines = [
        HistoryLine(
            leave.created_at,
            leave.requested_by.name,
            _("Entered by the school (paper form).")
            if leave.source == LeaveRequest.Source.STAFF
            else _("Requested the leave."),
        )
    ]
    entries = {
        e.action: e
        for e in AuditEntry.objects.filter(
            object_type="homeschool.leaverequest", object_id=str(leave.public_id)
        )
        .select_related("actor__person")
        .order_by("at")
    }
    second_needed = leave.second_decided_at is not None or (
        leave.status == LeaveRequest.Status.SECOND
    )
    note_shown = False
    if leave.decided_at is not None and not (
        leave.source == LeaveRequest.Source.STAFF and leave.status == LeaveRequest.Status.SECOND
    ):
        who = leave.decided_by.name if leave.decided_by else ""
        if leave.status == LeaveRequest.Status.DECLINED and leave.second_decided_at is None:
            text, note_shown = _("Declined."), True
        elif second_needed:
            text = _("Approved; the second approver decides next.")
        else:
            text, note_shown = _("Approved."), True
        if leave.source == LeaveRequest.Source.STAFF and leave.decided_by_id == (
            leave.requested_by_id
        ):
            text = _("Approved when entered.") if not second_needed else text
        lines.append(
            HistoryLine(leave.decided_at, who, text, leave.decision_note if note_shown else "")
        )
    if leave.second_decided_at is not None:
        who = leave.second_decided_by.name if leave.second_decided_by else ""
        declined = leave.status == LeaveRequest.Status.DECLINED
        text = _("Declined (second approval).") if declined else _("Approved (second approval).")
        lines.append(HistoryLine(leave.second_decided_at, who, text, leave.decision_note))
        note_shown = True
    if leave.status == LeaveRequest.Status.CANCELLED:
        entry = entries.get("homeschool.leave_cancel")
        who = ""
        if entry is not None and entry.actor is not None:
            person = getattr(entry.actor, "person", None)
            who = person.name if person is not None else entry.actor_name
        lines.append(HistoryLine(entry.at if entry else leave.updated_at, who, _("Cancelled.")))
    return lines


# --------------------------------------------------------------------------- export


def may_export(*, user: Any) -> bool:
    """The school's administrators and homeroom teachers (for their classes)."""
    scope = scope_for(user)
    return bool(scope.superuser or scope.admin_school_ids or scope.teacher_school_ids)


def export_rows(*, user: Any, filters: LeaveFilters) -> QuerySet[LeaveRequest]:
    """The list's rows a member of staff exports: the school's (administrators) or their
    classes' (homeroom teachers); never a family's own rows through a staff account."""
    scope = scope_for(user)
    staff = Q(pk__in=[])
    if scope.superuser:
        staff = Q()
    if scope.admin_school_ids:
        staff |= Q(school_id__in=scope.admin_school_ids)
    if scope.person_id and scope.teacher_school_ids:
        staff |= Q(
            school_id__in=scope.teacher_school_ids,
            school_class__homeroom_teacher_id=scope.person_id,
        )
    return (
        leave_list(user=user, filters=filters)
        .filter(staff)
        .select_related("decided_by", "second_decided_by")
        .prefetch_related("periods")
    )
