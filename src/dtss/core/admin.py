from typing import Any

from django.contrib import admin

from dtss.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited."""

    list_display = ("at", "actor_name", "action", "object_repr", "county", "school", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_repr", "object_id")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
