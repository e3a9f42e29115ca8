"""URLs of the devices module (namespace `devices`), one file per part."""

from __future__ import annotations

from django.urls import include, path

app_name = "devices"

urlpatterns = [
    path("", include("dtss.devices.register_urls")),
    path("imports/", include("dtss.devices.imports_urls")),
    path("loans/", include("dtss.devices.loans_urls")),
    path("procurement/", include("dtss.devices.procurement_urls")),
    path("review/", include("dtss.devices.review_urls")),
]
