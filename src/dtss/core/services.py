"""Writes owned by core: the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from dtss.core.models import AuditEntry
from dtss.core.net import client_ip


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    request: Any = None,
    county: Any = None,
    school: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. The tenant defaults to the object's own county and school."""
    if obj is not None:
        county = county if county is not None else _tenant_attr(obj, "county")
        school = school if school is not None else _tenant_attr(obj, "school")
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=real_actor,
        actor_name=(real_actor.get_username() if real_actor else "system")[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", getattr(obj, "pk", ""))) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        county=county,
        school=school,
        ip_address=client_ip(request),
        detail=detail or {},
    )


def _tenant_attr(obj: models.Model, name: str) -> Any:
    if obj._meta.label_lower == f"orgs.{name}":
        return obj
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return None
    return getattr(obj, field.name, None)
