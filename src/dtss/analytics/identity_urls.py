"""URLs of the identity pages, under /analytics/actors/ (see urls.py)."""

from django.urls import path

from dtss.analytics import identity_views as views

urlpatterns = [
    path("", views.actor_list, name="actors"),
    path("export.csv", views.actor_export, {"fmt": "csv"}, name="actors_export_csv"),
    path("export.xlsx", views.actor_export, {"fmt": "xlsx"}, name="actors_export_xlsx"),
    path("import/", views.actor_import, name="actors_import"),
    path("resolve/", views.actor_resolve, name="actors_resolve"),
    path("<uuid:public_id>/", views.actor_detail, name="actor_detail"),
    path("<uuid:public_id>/map/", views.actor_map_view, name="actor_map"),
    path("<uuid:public_id>/unmap/", views.actor_unmap_view, name="actor_unmap"),
]
