"""URLs of the homeschool's family pages (included by urls.py): the landing page by role, the
family page and the reports."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import family_views, report_views

urlpatterns = [
    path("", family_views.home, name="home"),
    path("family/", family_views.family, name="family"),
    path("reports/", report_views.reports, name="reports"),
]
