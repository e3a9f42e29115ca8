"""URLs of the report downloads, included at the root of the framework app."""

from __future__ import annotations

from django.urls import path

from dtss.framework import report_views as views

urlpatterns = [
    path(
        "assessments/<uuid:public_id>/report.pdf",
        views.assessment_report_pdf,
        name="assessment_report_pdf",
    ),
    path(
        "assessments/<uuid:public_id>/report.xlsx",
        views.assessment_report_xlsx,
        name="assessment_report_xlsx",
    ),
    path("cycles/<uuid:public_id>/export.csv", views.cycle_export_csv, name="cycle_export_csv"),
    path("cycles/<uuid:public_id>/export.xlsx", views.cycle_export_xlsx, name="cycle_export_xlsx"),
]
