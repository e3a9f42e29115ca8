"""URLs of the helpdesk: the county's community (threads, posts, the shared queue)."""

from __future__ import annotations

from django.urls import path

from dtss.helpdesk import community_views as v

urlpatterns = [
    path("", v.community, name="community"),
    path("new/", v.thread_create, name="thread_create"),
    path("queue/", v.shared_queue, name="shared_queue"),
    path("queue/export.csv", v.shared_queue_export, name="shared_queue_export"),
    path("t/<uuid:public_id>/", v.thread_detail, name="thread_detail"),
    path("t/<uuid:public_id>/pin/", v.thread_pin, name="thread_pin"),
    path("t/<uuid:public_id>/lock/", v.thread_lock, name="thread_lock"),
    path("p/<uuid:public_id>/edit/", v.post_edit, name="post_edit"),
    path("p/<uuid:public_id>/answer/", v.post_answer, name="post_answer"),
]
