"""URLs of the devices module: assignments, loans, loan requests, the queue and equity."""

from __future__ import annotations

from django.urls import path

from dtss.devices import loan_views as v

urlpatterns = [
    path("", v.loan_list, name="loan_list"),
    path("export.csv", v.loan_export, name="loan_export"),
    path("new/", v.loan_create, name="loan_create"),
    path("assign/", v.assignment_create, name="assignment_create"),
    path("mine/", v.my_devices, name="my_devices"),
    path("mine/<uuid:public_id>/home/", v.home_access_edit, name="home_access_edit"),
    path("requests/new/", v.loan_request_create, name="loan_request_create"),
    path("requests/<uuid:public_id>/decline/", v.loan_request_decline, name="loan_request_decline"),
    path("queue/", v.loan_queue, name="loan_queue"),
    path("equity/", v.equity_list, name="equity_list"),
    path("equity/export.csv", v.equity_export, name="equity_export"),
    path("equity/import/", v.equity_import, name="equity_import"),
    path("equity/<uuid:public_id>/", v.equity_edit, name="equity_edit"),
    path("device/<uuid:public_id>/loaner/", v.loaner_issue, name="loaner_issue"),
    path("<uuid:public_id>/", v.loan_detail, name="loan_detail"),
    path("<uuid:public_id>/sign/", v.loan_sign, name="loan_sign"),
    path("<uuid:public_id>/paper/", v.loan_sign_paper, name="loan_sign_paper"),
    path("<uuid:public_id>/recall/", v.loan_recall, name="loan_recall"),
    path("<uuid:public_id>/return/", v.assignment_return, name="assignment_return"),
    path("<uuid:public_id>/cancel/", v.loan_cancel, name="loan_cancel"),
    path("<uuid:public_id>/loaner-return/", v.loaner_return, name="loaner_return"),
    path("<uuid:public_id>/agreement.pdf", v.loan_print, name="loan_print"),
]
