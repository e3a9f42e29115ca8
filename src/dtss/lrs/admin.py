"""Django admin: LRS credentials, read-only (create and revoke on /lrs/credentials/ or with
`dtss lrs credentials`, which go through the audited services and show the secret once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from dtss.lrs.models import Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "county", "key", "created_at", "revoked_at")
    list_filter = ("county",)
    search_fields = ("name", "platform", "key")
    readonly_fields = (
        "name",
        "platform",
        "county",
        "key",
        "scopes",
        "created_at",
        "created_by",
        "revoked_at",
    )
    exclude = ("secret_hash",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
