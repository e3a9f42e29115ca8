"""URLs of the platform pages, under /analytics/platforms/ (see urls.py and platform_views.py)."""

from django.urls import path

from dtss.analytics import platform_views as views

urlpatterns: list = [
    path("", views.platform_list, name="platform_list"),
    path("export.<str:fmt>", views.platform_export, name="platform_export"),
    path("new/", views.platform_create, name="platform_create"),
    path("profile/", views.profile_page, name="profile"),
    path("profile.json", views.profile_json, name="profile_json"),
    path("<uuid:public_id>/", views.platform_detail, name="platform_detail"),
    path("<uuid:public_id>/edit/", views.platform_edit, name="platform_edit"),
    path("<uuid:public_id>/deactivate/", views.platform_deactivate, name="platform_deactivate"),
    path("<uuid:public_id>/reactivate/", views.platform_reactivate, name="platform_reactivate"),
    path("<uuid:public_id>/credential/", views.platform_credential, name="platform_credential"),
    path("<uuid:public_id>/mappings/new/", views.mapping_create, name="mapping_create"),
    path(
        "<uuid:public_id>/mappings/<uuid:mapping_id>/edit/",
        views.mapping_edit,
        name="mapping_edit",
    ),
    path(
        "<uuid:public_id>/mappings/<uuid:mapping_id>/delete/",
        views.mapping_delete,
        name="mapping_delete",
    ),
    path(
        "<uuid:public_id>/mappings/<uuid:mapping_id>/import/",
        views.mapping_import,
        name="mapping_import",
    ),
    path("<uuid:public_id>/imports/", views.import_list, name="import_list"),
    path("<uuid:public_id>/imports/<uuid:job_id>/", views.import_detail, name="import_detail"),
    path(
        "<uuid:public_id>/imports/<uuid:job_id>/status.json",
        views.import_status,
        name="import_status",
    ),
    path("<uuid:public_id>/imports/<uuid:job_id>/start/", views.import_start, name="import_start"),
    path(
        "<uuid:public_id>/mappings/<uuid:mapping_id>/example.csv",
        views.mapping_example,
        name="mapping_example",
    ),
    path(
        "<uuid:public_id>/mappings/<uuid:mapping_id>/mapping.json",
        views.mapping_spec,
        name="mapping_spec",
    ),
]
