from __future__ import annotations

from django.urls import path, re_path

from dtss.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    re_path(
        r"^templates/(?P<kind>schools|classes|people)\.(?P<fmt>csv|xlsx)$",
        views.template_download,
        name="template",
    ),
    path("<uuid:public_id>/", views.job_detail, name="detail"),
    path("<uuid:public_id>/status.json", views.job_status, name="status"),
]
