"""URLs of the homeschool's class forms (included by urls.py at /homeschool/forms/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dtss.homeschool import form_views as views

urlpatterns: list[URLPattern] = [
    path("", views.form_list, name="form_list"),
    path("c/<uuid:public_id>/new/", views.form_send, name="form_send"),
    path("<uuid:public_id>/", views.form_detail, name="form_detail"),
]
