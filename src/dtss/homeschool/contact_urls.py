"""URLs of the homeschool's contact pages (included by urls.py): the electronic contact book."""

from __future__ import annotations

from django.urls import URLPattern, path

from dtss.homeschool import contact_views as v

urlpatterns: list[URLPattern] = [
    path("", v.contact_home, name="contact_home"),
    path("c/<uuid:public_id>/", v.contact_class, name="contact_class"),
    path("c/<uuid:public_id>/<str:day>/edit/", v.contact_entry_edit, name="contact_entry_edit"),
    path(
        "c/<uuid:public_id>/signatures.csv",
        v.contact_signatures_csv,
        name="contact_signatures_csv",
    ),
    path("e/<uuid:public_id>/", v.contact_entry, name="contact_entry"),
    path("e/<uuid:public_id>/sign/", v.contact_sign, name="contact_sign"),
    path("s/<uuid:public_id>/answer/", v.contact_answer, name="contact_answer"),
    path("files/<uuid:public_id>/", v.contact_attachment, name="contact_attachment"),
]
