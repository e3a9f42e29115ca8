"""URLs of the homeschool's message pages (included by urls.py). There is deliberately no URL
to edit or delete a message."""

from __future__ import annotations

from django.urls import path

from dtss.homeschool import message_views as v

urlpatterns = [
    path("", v.conversation_list, name="conversation_list"),
    path("new/", v.conversation_start, name="conversation_start"),
    path("<uuid:public_id>/", v.conversation_detail, name="conversation_detail"),
    path("<uuid:public_id>/send/", v.message_send, name="message_send"),
    path("<uuid:public_id>/export.csv", v.conversation_export, name="conversation_export"),
]
