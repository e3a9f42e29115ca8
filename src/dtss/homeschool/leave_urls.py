"""URLs of the homeschool's leave pages (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import leave_views as v

urlpatterns = [
    path("", v.leave_list, name="leave_list"),
    path("new/", v.leave_create, name="leave_create"),
    path("export.csv", v.leave_export, name="leave_export"),
    path("files/<uuid:public_id>/", v.leave_attachment, name="leave_attachment"),
    path("<uuid:public_id>/", v.leave_detail, name="leave_detail"),
    path("<uuid:public_id>/decide/", v.leave_decide, name="leave_decide"),
    path("<uuid:public_id>/cancel/", v.leave_cancel, name="leave_cancel"),
]
