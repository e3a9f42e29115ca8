"""Who may see and change what in the devices module. Views, API endpoints, exports and
commands ask these questions; the querysets come from `Model.objects.visible_to(user)`.

- The register of a school: its staff read it (teachers too); its administrators (principal,
  directors, IT head) and the county's office (administrators and staff) change it.
- The county's own stock, needs collections and procurement plans: the county's office.
- Equity data (support categories, home access): the school's administrators and the county's
  office only — never teachers, students, other parents or the MOE viewer, who see counts.
- Students see the devices they hold; parents their children's, and sign their loans.
"""

from __future__ import annotations

from typing import Any

from dtss.core.tenancy import Scope, scope_for


def may_manage_school(scope: Scope, *, school_id: int, county_id: int) -> bool:
    """Change the register, assignments and loans of one school."""
    return scope.superuser or school_id in scope.admin_school_ids or county_id in scope.county_ids


def may_manage_county(scope: Scope, *, county_id: int) -> bool:
    """Change the county's stock, needs collections and procurement plans."""
    return scope.superuser or county_id in scope.county_ids


def may_see_equity(scope: Scope, *, school_id: int, county_id: int) -> bool:
    """Read and change a student's support categories and home access."""
    return scope.superuser or school_id in scope.admin_school_ids or county_id in scope.county_ids


def may_use_register(user: Any) -> bool:
    """Whether the user has any register to read (staff of a school or a county)."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.staff_school_ids or scope.county_ids)


def manages_any(user: Any) -> bool:
    """Whether the user may change some school's or county's devices."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.admin_school_ids or scope.county_ids)


def managed_school_ids(scope: Scope) -> set[int] | None:
    """The schools whose devices the scope may change; None means every school of the
    scope's counties (or all, for a superuser) — callers filter by county then."""
    if scope.superuser or scope.county_ids:
        return None
    return set(scope.admin_school_ids)
