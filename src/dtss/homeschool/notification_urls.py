"""URLs of the homeschool's notification pages (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import notification_views as v

urlpatterns = [
    path("", v.notification_list, name="notification_list"),
    path("read/", v.notification_read, name="notification_read"),
    path("settings/", v.preferences, name="preferences"),
]
