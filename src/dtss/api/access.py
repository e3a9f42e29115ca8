"""Who may call what: the checks every endpoint starts with.

Reads start from ``visible_to(user)``; writes from ``visible_to(user, write=True)``. On top of
that, an endpoint a role can never use at all answers 403 before looking anything up (so a
student gets 403 from the staff lists, not an empty list). An object outside the user's scope
is a 404, indistinguishable from a missing one. An object referenced in a request *body* that
is missing or outside the write scope is a 422 naming that field — again the same answer for
both, so a body reference never reveals another tenant's object.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from dtss.core.tenancy import Scope, scope_for


def scope_of(request: HttpRequest) -> Scope:
    return scope_for(request.user)


def require_staff(request: HttpRequest) -> Scope:
    """School staff, county staff, MOE viewers and superusers (not students, parents, others)."""
    scope = scope_of(request)
    if not scope.is_staff_level:
        raise PermissionDenied(_("Only school and county staff may use this."))
    return scope


def require_admin(request: HttpRequest) -> Scope:
    """School or county administrators (and superusers)."""
    scope = scope_of(request)
    if not scope.can_administer:
        raise PermissionDenied(_("Only administrators may change this."))
    return scope


def require_county_admin(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if not (scope.superuser or scope.admin_county_ids):
        raise PermissionDenied(_("Only county administrators may change this."))
    return scope


def require_county_level(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if not scope.is_county_level:
        raise PermissionDenied(_("Only county staff may use this."))
    return scope


def get_for_write[M: models.Model](model: type[M], request: HttpRequest, public_id: UUID) -> M:
    """An object the user may change. Visible but read-only: 403. Not visible: 404."""
    manager: Any = model._default_manager
    obj = manager.visible_to(request.user, write=True).filter(public_id=public_id).first()
    if obj is not None:
        return obj
    if manager.visible_to(request.user).filter(public_id=public_id).exists():
        raise PermissionDenied(_("You may read this but not change it."))
    raise Http404


def ref_or_422[M: models.Model](
    queryset: models.QuerySet[M], field: str, *, message: str = "", **lookup: Any
) -> M:
    """The one object of an already scoped queryset, or a 422 naming the body field.

    Used for objects named in a request body: a missing object and one outside the caller's
    scope give the same message."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise ValidationError(
            {field: message or _("No such object, or not one you may use here.")}
        ) from exc
