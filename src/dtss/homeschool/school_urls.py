"""URLs of the homeschool's school pages (included by urls.py at /homeschool/school/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dtss.homeschool import school_views as views

urlpatterns: list[URLPattern] = [
    path("s/<uuid:public_id>/", views.school_settings, name="school_settings"),
    path("s/<uuid:public_id>/leave-types/", views.leave_types, name="leave_types"),
    path("s/<uuid:public_id>/periods/", views.periods, name="periods"),
    path("c/<uuid:public_id>/timetable/", views.timetable, name="timetable"),
    path(
        "c/<uuid:public_id>/timetable/template.csv",
        views.timetable_template,
        name="timetable_template",
    ),
]
