"""JSON API of core: the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dtss.api.access import require_admin
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.models import AuditEntry
from dtss.orgs.schemas import SchoolRef

router = Router()


class AuditOut(Schema):
    at: datetime = Field(description="When it happened.")
    actor_name: str = Field(description="Login name of who did it ('system' for jobs).")
    action: str = Field(description="What was done, e.g. school.update or student.read.")
    object_type: str = Field(description="Kind of object, e.g. orgs.person.")
    object_id: str = Field(description="The object's public id.")
    object_repr: str = Field(description="The object as text at the time.")
    county: str | None = Field(description="Code of the county the entry belongs to.")
    school: SchoolRef | None = Field(description="The school the entry belongs to.")
    ip_address: str | None = Field(description="Where the request came from.")
    detail: dict[str, Any] = Field(description="What changed (old and new values) and more.")

    @staticmethod
    def resolve_county(obj: AuditEntry) -> str | None:
        return obj.county.code if obj.county is not None else None


class AuditFilters(Schema):
    action: str = Field("", description="Only actions starting with this, e.g. student.read.")
    actor: str = Field("", description="Only entries by users whose login contains this.")
    object_id: str = Field("", description="Only entries about this object (public id).")


@router.get(
    "/audit",
    response=responses({200: list[AuditOut]}, 403, 422),
    tags=["audit"],
    summary="Read the audit log",
    description=(
        "Audit entries of the schools and counties you administer, newest first. "
        "Administrators only (403 for others)."
    ),
)
@paged
def audit_list(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    require_admin(request)
    qs = AuditEntry.objects.visible_to(request.user, write=True).select_related("county", "school")
    if filters.action.strip():
        qs = qs.filter(action__startswith=filters.action.strip())
    if filters.actor.strip():
        qs = qs.filter(actor_name__icontains=filters.actor.strip())
    if filters.object_id.strip():
        qs = qs.filter(object_id=filters.object_id.strip())
    return qs.order_by("-at", "-id")
