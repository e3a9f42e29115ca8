"""Base model, tenant queryset and the audit log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from dtss.core.tenancy import Scope


class BaseModel(models.Model):
    """Every DTSS row: an integer key for joins, a UUID for URLs, timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet):
    """The one visibility rule (DESIGN.md rule 1), applied to any tenant-owned model.

    A model declares which of its own columns carry the tenant (`TENANT_COUNTY_FIELD`,
    `TENANT_SCHOOL_FIELD`) and may widen what students and parents see with `personal_q`.
    County roles see rows of their county, school roles rows of their school. With
    `write=True` only administrators of that scope match.
    """

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        from dtss.core.tenancy import scope_for

        scope = scope_for(user)
        model = self.model
        moe_reads = getattr(model, "MOE_READS", True)
        if scope.superuser or (scope.everything and not write and moe_reads):
            return self.all()
        custom = getattr(model, "tenant_q", None)
        if custom is not None:
            return self.filter(custom(scope, write=write))
        county_field = getattr(model, "TENANT_COUNTY_FIELD", None)
        school_field = getattr(model, "TENANT_SCHOOL_FIELD", None)
        county_ids = scope.admin_county_ids if write else scope.county_ids
        school_ids = scope.admin_school_ids if write else scope.staff_school_ids
        q = Q(pk__in=[])
        if county_field and county_ids:
            q |= Q(**{f"{county_field}__in": county_ids})
        if school_field and school_ids:
            q |= Q(**{f"{school_field}__in": school_ids})
        if not write:
            personal = model.personal_q(scope) if hasattr(model, "personal_q") else None
            if personal is not None:
                q |= personal
        return self.filter(q)


class TenantModel(BaseModel):
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"
    # The MOE viewer reads every county's rows, except of models holding sensitive data about
    # minors (equity categories), which only the rule of the model itself (`tenant_q`) opens.
    MOE_READS: ClassVar[bool] = True

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        """What a student or parent may see of this model beyond staff scopes (nothing)."""
        return None


class AuditEntry(models.Model):
    """Who did what to which object, when, and from where. Never edited, never deleted by UI."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    county = models.ForeignKey(
        "orgs.County", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    TENANT_COUNTY_FIELD = "county"
    TENANT_SCHOOL_FIELD = "school"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
