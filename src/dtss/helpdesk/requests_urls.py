"""URLs of the helpdesk: help requests, the handlers' queue and canned replies (namespace
`helpdesk`, mounted at /helpdesk/)."""

from __future__ import annotations

from django.urls import path

from dtss.helpdesk import requests_views as v

urlpatterns = [
    path("", v.request_mine, name="request_mine"),
    path("new/", v.request_create, name="request_create"),
    path("r/<uuid:public_id>/", v.request_detail, name="request_detail"),
    path("r/<uuid:public_id>/updates/", v.request_updates, name="request_updates"),
    path("files/<uuid:public_id>/", v.attachment_download, name="attachment_download"),
    path("queue/", v.queue, name="queue"),
    path("queue/export.csv", v.queue_export, name="queue_export"),
    path("canned/", v.canned_list, name="canned_list"),
    path("canned/new/", v.canned_create, name="canned_create"),
    path("canned/<uuid:public_id>/", v.canned_edit, name="canned_edit"),
    path("canned/<uuid:public_id>/delete/", v.canned_delete, name="canned_delete"),
]
