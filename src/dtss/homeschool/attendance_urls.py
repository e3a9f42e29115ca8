"""URLs of the homeschool's attendance pages (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import attendance_views as v

urlpatterns = [
    path("c/<uuid:public_id>/", v.attendance_class, name="attendance_class"),
    path("c/<uuid:public_id>/report/", v.attendance_class_report, name="attendance_class_report"),
    path("s/<uuid:public_id>/", v.attendance_school, name="attendance_school"),
    path("s/<uuid:public_id>/export.csv", v.attendance_school_csv, name="attendance_school_csv"),
    path("p/<uuid:public_id>/", v.attendance_student, name="attendance_student"),
]
