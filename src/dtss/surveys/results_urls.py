"""URLs of the results of a run (page and files), included at the root of the surveys app."""

from __future__ import annotations

from django.urls import path

from dtss.surveys import results_views as views

urlpatterns = [
    path("runs/<uuid:public_id>/results/", views.run_results, name="run_results"),
    path("runs/<uuid:public_id>/results.csv", views.run_results_csv, name="run_results_csv"),
    path("runs/<uuid:public_id>/results.xlsx", views.run_results_xlsx, name="run_results_xlsx"),
    path("runs/<uuid:public_id>/results.pdf", views.run_results_pdf, name="run_results_pdf"),
    path("runs/<uuid:public_id>/answers.csv", views.run_answers_csv, name="run_answers_csv"),
    path("runs/<uuid:public_id>/answers.xlsx", views.run_answers_xlsx, name="run_answers_xlsx"),
]
