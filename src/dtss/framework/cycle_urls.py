"""URLs of the cycle pages and the dashboards, included at the root of the framework app."""

from __future__ import annotations

from django.urls import path

from dtss.framework import cycle_views as views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<uuid:public_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:public_id>/sample/", views.cycle_sample, name="cycle_sample"),
    path("cycles/<uuid:public_id>/close/", views.cycle_close, name="cycle_close"),
    path("dashboard/", views.county_dashboard, name="dashboard"),
    path("schools/<uuid:public_id>/profile/", views.school_profile, name="school_profile"),
    path("counties/", views.county_comparison, name="county_comparison"),
]
