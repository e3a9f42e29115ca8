"""URLs of the devices module: register (devices, labels, BYOD, licences)."""

from __future__ import annotations

from django.urls import path

from dtss.devices import register_views as views

urlpatterns = [
    path("", views.device_list, name="device_list"),
    path("export.csv", views.device_export_csv, name="device_export_csv"),
    path("export.xlsx", views.device_export_xlsx, name="device_export_xlsx"),
    path("labels.pdf", views.label_sheet, name="labels"),
    path("new/", views.device_create, name="device_create"),
    path("byod/new/", views.byod_create, name="byod_create"),
    path("licences/", views.licence_list, name="licence_list"),
    path("licences/new/", views.licence_create, name="licence_create"),
    path("licences/<uuid:public_id>/", views.licence_detail, name="licence_detail"),
    path("licences/<uuid:public_id>/edit/", views.licence_edit, name="licence_edit"),
    path("licences/<uuid:public_id>/seats/", views.licence_seat_add, name="licence_seat_add"),
    path("seats/<uuid:public_id>/remove/", views.seat_remove, name="seat_remove"),
    path("<uuid:public_id>/", views.device_detail, name="device_detail"),
    path("<uuid:public_id>/edit/", views.device_edit, name="device_edit"),
    path("<uuid:public_id>/status/", views.device_status, name="device_status"),
    path("<uuid:public_id>/transfer/", views.device_transfer, name="device_transfer"),
    path("<uuid:public_id>/label.pdf", views.device_label, name="device_label"),
]
