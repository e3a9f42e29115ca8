"""URLs of the class pages (see urls.py): the teacher's classes, one student, "me"."""

from django.urls import path

from dtss.analytics import class_views, student_views

urlpatterns = [
    path("classes/", class_views.class_list, name="class_list"),
    path("classes/<uuid:public_id>/", class_views.class_detail, name="class_detail"),
    path(
        "classes/<uuid:public_id>/export.csv",
        class_views.class_export_csv,
        name="class_export_csv",
    ),
    path(
        "classes/<uuid:public_id>/export.xlsx",
        class_views.class_export_xlsx,
        name="class_export_xlsx",
    ),
    path("students/<uuid:public_id>/", student_views.student_detail, name="student_detail"),
    path(
        "students/<uuid:public_id>/export.csv",
        student_views.student_export_csv,
        name="student_export_csv",
    ),
    path("me/", student_views.student_me, name="student_me"),
]
