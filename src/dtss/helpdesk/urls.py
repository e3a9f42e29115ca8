"""URLs of the helpdesk (namespace `helpdesk`), one file per part."""

from __future__ import annotations

from django.urls import include, path

app_name = "helpdesk"

urlpatterns = [
    path("", include("dtss.helpdesk.requests_urls")),
    path("kb/", include("dtss.helpdesk.kb_urls")),
    path("admin/", include("dtss.helpdesk.admin_urls")),
    path("community/", include("dtss.helpdesk.community_urls")),
]
