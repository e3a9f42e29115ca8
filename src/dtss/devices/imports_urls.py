"""URLs of the devices module: imports (mounted at /devices/imports/)."""

from __future__ import annotations

from django.urls import path, re_path

from dtss.devices import import_views as views

SOURCES = "register|jamf|google|intune"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_create, name="import_create"),
    # devices:import_template <source> (CSV, or ?format=xlsx) and <source> <csv|xlsx>
    re_path(
        rf"^templates/(?P<source>{SOURCES})\.(?P<fmt_name>csv|xlsx)$",
        views.import_template,
        name="import_template",
    ),
    re_path(rf"^templates/(?P<source>{SOURCES})/$", views.import_template, name="import_template"),
    path("<uuid:public_id>/", views.import_detail, name="import_detail"),
    path("<uuid:public_id>/status.json", views.import_status, name="import_status"),
]
