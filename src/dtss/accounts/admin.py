from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from dtss.accounts.models import ApiToken, User


@admin.register(User)
class DtssUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("DTSS", {"fields": ("person",)}))
    raw_id_fields = ("person",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash")
