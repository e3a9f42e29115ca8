"""URLs of the devices module: needs collections and procurement plans (under
/devices/procurement/, namespace `devices`)."""

from __future__ import annotations

from django.urls import path

from dtss.devices import procurement_views as v

urlpatterns = [
    path("needs/", v.needs_list, name="needs_list"),
    path("needs/new/", v.needs_create, name="needs_create"),
    path("needs/<uuid:public_id>/", v.needs_detail, name="needs_detail"),
    path("needs/<uuid:public_id>/edit/", v.needs_edit, name="needs_edit"),
    path("needs/<uuid:public_id>/open/", v.needs_open, name="needs_open"),
    path("needs/<uuid:public_id>/close/", v.needs_close, name="needs_close"),
    path("needs/<uuid:public_id>/export.csv", v.needs_export_csv, name="needs_export_csv"),
    path("needs/<uuid:public_id>/export.xlsx", v.needs_export_xlsx, name="needs_export_xlsx"),
    path("needs/<uuid:public_id>/submission/", v.need_submission, name="need_submission"),
    path("needs/lines/<uuid:public_id>/edit/", v.need_line_edit, name="need_line_edit"),
    path("needs/lines/<uuid:public_id>/delete/", v.need_line_delete, name="need_line_delete"),
    path("needs/submissions/<uuid:public_id>/submit/", v.need_submit, name="need_submit"),
    path("needs/submissions/<uuid:public_id>/return/", v.need_return, name="need_return"),
    path("plans/", v.plan_list, name="plan_list"),
    path("plans/new/", v.plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/", v.plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/edit/", v.plan_edit, name="plan_edit"),
    path("plans/<uuid:public_id>/lines/new/", v.plan_line_add, name="plan_line_add"),
    path("plans/<uuid:public_id>/approve/", v.plan_approve, name="plan_approve"),
    path("plans/<uuid:public_id>/ordered/", v.plan_ordered, name="plan_ordered"),
    path("plans/<uuid:public_id>/export.csv", v.plan_export_csv, name="plan_export_csv"),
    path("plans/lines/<uuid:public_id>/edit/", v.plan_line_edit, name="plan_line_edit"),
    path("plans/lines/<uuid:public_id>/delete/", v.plan_line_delete, name="plan_line_delete"),
    path("plans/allocations/<uuid:public_id>/receive/", v.plan_receive, name="plan_receive"),
]
