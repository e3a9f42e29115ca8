"""URLs of the overview pages (see urls.py): the hub, the school, county and programme views
and their CSV/XLSX files (`<table>.csv`, `<table>.xlsx`; `all.xlsx` has every table)."""

from django.urls import path

from dtss.analytics import overview_views as views

urlpatterns = [
    path("", views.hub, name="hub"),
    path("schools/<uuid:public_id>/", views.school_detail, name="school_detail"),
    path(
        "schools/<uuid:public_id>/export/<slug:table>.<slug:fmt>",
        views.school_export,
        name="school_export",
    ),
    path("counties/<slug:code>/", views.county_detail, name="county_detail"),
    path(
        "counties/<slug:code>/export/<slug:table>.<slug:fmt>",
        views.county_export,
        name="county_export",
    ),
    path("counties/<slug:code>/programmes/", views.programme_detail, name="programme_detail"),
    path(
        "counties/<slug:code>/programmes/export/<slug:table>.<slug:fmt>",
        views.programme_export,
        name="programme_export",
    ),
]
