"""URLs of the helpdesk's configuration and reports (namespace `helpdesk`, under
`/helpdesk/admin/`)."""

from __future__ import annotations

from django.urls import path

from dtss.helpdesk import admin_views as views

urlpatterns = [
    path("", views.settings, name="settings"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<uuid:public_id>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendar/template.csv", views.calendar_template, name="calendar_template"),
    path("calendar/export.csv", views.calendar_export, name="calendar_export"),
    path("reports/", views.reports, name="reports"),
    path("reports/export.csv", views.reports_export, name="reports_export"),
]
