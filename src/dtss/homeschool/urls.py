"""URLs of the parent–teacher–student platform (namespace `homeschool`, at /homeschool/),
one file per part."""

from __future__ import annotations

from django.urls import include, path

app_name = "homeschool"

urlpatterns = [
    path("", include("dtss.homeschool.family_urls")),
    path("contact/", include("dtss.homeschool.contact_urls")),
    path("leave/", include("dtss.homeschool.leave_urls")),
    path("attendance/", include("dtss.homeschool.attendance_urls")),
    path("announcements/", include("dtss.homeschool.announce_urls")),
    path("messages/", include("dtss.homeschool.message_urls")),
    path("notifications/", include("dtss.homeschool.notification_urls")),
    path("forms/", include("dtss.homeschool.form_urls")),
    path("school/", include("dtss.homeschool.school_urls")),
]
