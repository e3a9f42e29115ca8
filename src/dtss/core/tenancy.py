"""Who may see what: the scope of a user, computed once per request from memberships.

Every view, API endpoint, export and command starts from `Model.objects.visible_to(user)` or
from `get_visible_or_404`. An object outside the scope is a 404, the same as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    authenticated: bool = False
    superuser: bool = False
    everything: bool = False  # MOE viewer: reads every county
    county_ids: frozenset[int] = field(default_factory=frozenset)  # county admin or staff
    admin_county_ids: frozenset[int] = field(default_factory=frozenset)
    staff_school_ids: frozenset[int] = field(default_factory=frozenset)  # school admin, teacher
    admin_school_ids: frozenset[int] = field(default_factory=frozenset)
    teacher_school_ids: frozenset[int] = field(default_factory=frozenset)
    student_school_ids: frozenset[int] = field(default_factory=frozenset)
    parent_school_ids: frozenset[int] = field(default_factory=frozenset)
    person_id: int | None = None
    child_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_county_level(self) -> bool:
        return self.superuser or self.everything or bool(self.county_ids)

    @property
    def is_staff_level(self) -> bool:
        return self.is_county_level or bool(self.staff_school_ids)

    @property
    def can_administer(self) -> bool:
        return self.superuser or bool(self.admin_county_ids or self.admin_school_ids)

    def may_administer_school(self, school: Any) -> bool:
        return (
            self.superuser
            or school.id in self.admin_school_ids
            or school.county_id in self.admin_county_ids
        )

    def may_administer_county(self, county_id: int) -> bool:
        return self.superuser or county_id in self.admin_county_ids


ANONYMOUS = Scope()


def scope_for(user: Any) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_dtss_scope", None)
    if cached is not None:
        return cached
    from dtss.orgs.selectors import scope_compute

    scope = scope_compute(user=user)
    user._dtss_scope = scope
    return scope


def get_visible_or_404[M: models.Model](
    model: type[M], user: Any, public_id: UUID | str, *, write: bool = False
) -> M:
    """Fetch one tenant object by public id; another tenant's object is a 404 like a missing one."""
    from django.core.exceptions import ValidationError

    try:
        return model.objects.visible_to(user, write=write).get(public_id=public_id)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc  # a malformed id is as missing as another tenant's
