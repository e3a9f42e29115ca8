"""Reads of the helpdesk shared by other modules (the home page) and by its own parts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.helpdesk.models import HelpRequest


def handled_requests(*, user: Any) -> QuerySet[HelpRequest]:
    """The requests the user handles: the county's office those of its county (administrators
    and staff alike), a school's administrators those of their school."""
    scope = scope_for(user)
    qs = HelpRequest.objects.visible_to(user)
    if scope.superuser or scope.everything:
        return qs if scope.superuser else qs.none()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return qs.filter(q)


def overdue_q(now: dt.datetime) -> Q:
    """Open requests whose first response or resolution is late (not those waiting for the
    requester: their clocks are stopped)."""
    return Q(status__in=HelpRequest.TIMED_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=now) | Q(resolution_due__lt=now)
    )


def home_summary(*, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """For the home page: the user's own open requests, and for handlers the queue's counts."""
    now = now or timezone.now()
    scope = scope_for(user)
    out: dict[str, Any] = {}
    if scope.person_id:
        out["mine"] = list(
            HelpRequest.objects.filter(
                requester_id=scope.person_id, status__in=HelpRequest.OPEN_STATUSES
            ).order_by("-last_activity_at")[:5]
        )
    if scope.county_ids or scope.admin_school_ids:
        open_qs = handled_requests(user=user).filter(status__in=HelpRequest.OPEN_STATUSES)
        counts = open_qs.aggregate(
            open=_count(Q()),
            overdue=_count(overdue_q(now)),
            unassigned=_count(Q(assignee__isnull=True)),
            mine=_count(Q(assignee_id=scope.person_id)),
        )
        out["queue"] = counts
    return out


def _count(q: Q) -> Any:
    from django.db.models import Count

    return Count("pk", filter=q) if q else Count("pk")
