"""URLs of the homeschool's announcement pages (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import announce_views as v

urlpatterns = [
    path("", v.announcement_list, name="announcement_list"),
    path("new/", v.announcement_create, name="announcement_create"),
    path("<uuid:public_id>/", v.announcement_detail, name="announcement_detail"),
    path("<uuid:public_id>/edit/", v.announcement_edit, name="announcement_edit"),
    path("<uuid:public_id>/publish/", v.announcement_publish, name="announcement_publish"),
    path("<uuid:public_id>/receipts/", v.announcement_receipts, name="announcement_receipts"),
]
