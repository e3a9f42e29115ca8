"""Run management: the list, creating, one run, opening/closing, codes and slips, reminders."""

from django.urls import path

from dtss.surveys import run_views as views

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<uuid:public_id>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:public_id>/open/", views.run_open, name="run_open"),
    path("runs/<uuid:public_id>/close/", views.run_close, name="run_close"),
    path("runs/<uuid:public_id>/codes/", views.run_codes, name="run_codes"),
    path("runs/<uuid:public_id>/slips/", views.run_slips, name="run_slips"),
    path("runs/<uuid:public_id>/remind/", views.run_remind, name="run_remind"),
    path("runs/<uuid:public_id>/invite/", views.run_invite, name="run_invite"),
]
