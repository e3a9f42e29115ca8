"""URLs of the knowledge base (namespace `helpdesk`, mounted at /helpdesk/kb/)."""

from __future__ import annotations

from django.urls import path

from dtss.helpdesk import kb_views as v

urlpatterns = [
    path("", v.kb_list, name="kb_list"),
    path("suggest/", v.kb_suggest, name="kb_suggest"),
    path("new/", v.article_create, name="article_create"),
    path("a/<uuid:public_id>/", v.kb_article, name="kb_article"),
    path("a/<uuid:public_id>/edit/", v.article_edit, name="article_edit"),
    path("a/<uuid:public_id>/status/", v.article_status, name="article_status"),
    path("a/<uuid:public_id>/helpful/", v.article_helpful, name="article_helpful"),
    path("a/<uuid:public_id>/media/", v.article_media_upload, name="article_media_upload"),
    path("media/<uuid:public_id>/", v.kb_media, name="kb_media"),
    path("media/<uuid:public_id>/delete/", v.article_media_delete, name="article_media_delete"),
    path("from-request/<uuid:public_id>/", v.article_from_request, name="article_from_request"),
    path("public/<str:county_code>/", v.kb_public, name="kb_public"),
    path(
        "public/<str:county_code>/<uuid:public_id>/",
        v.kb_public_article,
        name="kb_public_article",
    ),
    path(
        "public/<str:county_code>/<uuid:public_id>/helpful/",
        v.kb_public_helpful,
        name="kb_public_helpful",
    ),
]
