"""URLs of the learner-group register, under /analytics/groups/ (see urls.py)."""

from django.urls import path

from dtss.analytics import group_views as views

urlpatterns = [
    path("", views.group_list, name="groups"),
    path("export.csv", views.group_export, {"fmt": "csv"}, name="groups_export_csv"),
    path("export.xlsx", views.group_export, {"fmt": "xlsx"}, name="groups_export_xlsx"),
    path("new/", views.group_add, name="group_add"),
    path("import/", views.group_import, name="groups_import"),
    path("<uuid:public_id>/end/", views.group_end, name="group_end"),
    path("<uuid:public_id>/remove/", views.group_remove, name="group_remove"),
]
