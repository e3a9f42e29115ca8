"""The LRS administration pages, mounted at /lrs/."""

from __future__ import annotations

from django.urls import path

from dtss.lrs import views

app_name = "lrs"
urlpatterns = [
    path("credentials/", views.credential_list, name="credentials"),
    path("credentials/new/", views.credential_create_view, name="credential_create"),
    path(
        "credentials/<uuid:public_id>/revoke/",
        views.credential_revoke_view,
        name="credential_revoke",
    ),
    path("statements/", views.statement_list, name="statements"),
    path("statements/export.jsonl", views.statement_export, name="statement_export"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("stats/", views.stats, name="stats"),
]
