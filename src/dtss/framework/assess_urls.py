"""URLs of the self-assessment pages, included at the root of the framework app."""

from __future__ import annotations

from django.urls import path

from dtss.framework import assess_views as views

urlpatterns = [
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/<uuid:public_id>/", views.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<uuid:public_id>/items/<str:code>/",
        views.assessment_item,
        name="assessment_item",
    ),
    path(
        "assessments/<uuid:public_id>/submit/",
        views.assessment_submit,
        name="assessment_submit",
    ),
    path(
        "assessments/<uuid:public_id>/review/",
        views.assessment_review,
        name="assessment_review",
    ),
    path("responses/<uuid:public_id>/", views.response_update, name="response_update"),
    path("responses/<uuid:public_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<uuid:public_id>/", views.evidence_download, name="evidence_download"),
    path("evidence/<uuid:public_id>/remove/", views.evidence_remove, name="evidence_remove"),
]
