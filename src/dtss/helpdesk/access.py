"""Who may see and change what in the helpdesk. Views, API endpoints, exports and commands ask
these questions; the querysets come from `Model.objects.visible_to(user)` (see the models'
`tenant_q`).

- A request: its requester (replies, rating, reopening — never the internal notes); the
  school's administrators (principal, directors, IT head), who handle it; the county's office
  (administrators and staff of every group), who see the county's requests and take the
  escalated ones. Teachers, students and parents see only the requests they raised.
- The knowledge base: the county's office edits the county's articles, a school's
  administrators their school's additions; everyone signed in reads the published articles of
  their county and schools; public articles are read without signing in.
- Settings, calendars and service targets: the county's office.
- The community (L2.D2): the county's office and the administrators of its schools; the
  county's office moderates (pin, lock).
"""

from __future__ import annotations

from typing import Any

from dtss.core.tenancy import Scope, scope_for


def may_handle(scope: Scope, *, school_id: int | None, county_id: int) -> bool:
    """Answer, assign, escalate and change the status of a request of this school/county."""
    return (
        scope.superuser
        or county_id in scope.county_ids
        or (school_id is not None and school_id in scope.admin_school_ids)
    )


def may_handle_request(user: Any, request_obj: Any) -> bool:
    return may_handle(
        scope_for(user), school_id=request_obj.school_id, county_id=request_obj.county_id
    )


def is_requester(user: Any, request_obj: Any) -> bool:
    scope = scope_for(user)
    return scope.person_id is not None and request_obj.requester_id == scope.person_id


def handles_any(user: Any) -> bool:
    """Whether the user handles some school's or county's requests (the queue)."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.admin_school_ids or scope.county_ids)


def may_raise(user: Any) -> bool:
    """Anyone signed in who belongs somewhere — a school (staff, student, parent) or a county's
    office — asks for help; the request goes to that school or county. The MOE viewer and an
    account with no role have nobody to ask."""
    scope = scope_for(user)
    return scope.person_id is not None and bool(
        scope.staff_school_ids
        or scope.student_school_ids
        or scope.parent_school_ids
        or scope.county_ids
    )


def may_edit_articles(scope: Scope, *, school_id: int | None, county_id: int) -> bool:
    if scope.superuser or county_id in scope.county_ids:
        return True
    return school_id is not None and school_id in scope.admin_school_ids


def edits_any_articles(user: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or bool(scope.county_ids or scope.admin_school_ids)


def may_configure(scope: Scope, *, county_id: int) -> bool:
    """Working hours, calendar days, service targets and county-wide canned replies."""
    return scope.superuser or county_id in scope.county_ids


def community_county_ids(user: Any) -> set[int]:
    """The counties whose community the user belongs to."""
    from dtss.orgs.models import School

    scope = scope_for(user)
    ids = set(scope.county_ids)
    if scope.admin_school_ids:
        ids |= set(
            School.objects.filter(pk__in=scope.admin_school_ids).values_list("county_id", flat=True)
        )
    return ids


def in_community(user: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or bool(scope.county_ids or scope.admin_school_ids)


def may_moderate(scope: Scope, *, county_id: int) -> bool:
    return scope.superuser or county_id in scope.county_ids
