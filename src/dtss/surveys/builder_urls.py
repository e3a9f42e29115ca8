"""The questionnaire builder: questionnaires, sections, questions, the bank, the preview."""

from django.urls import path

from dtss.surveys import builder_views as views

Q = "questionnaires/<uuid:public_id>/"

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path(
        "questionnaires/new/from-bank/",
        views.questionnaire_from_bank,
        name="questionnaire_from_bank",
    ),
    path(Q, views.questionnaire_detail, name="questionnaire_detail"),
    path(Q + "edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path(Q + "preview/", views.questionnaire_preview, name="questionnaire_preview"),
    path(Q + "copy/", views.questionnaire_copy, name="questionnaire_copy"),
    path(Q + "archive/", views.questionnaire_archive, name="questionnaire_archive"),
    path(
        Q + "add-from-bank/", views.questionnaire_add_from_bank, name="questionnaire_add_from_bank"
    ),
    path(Q + "sections/new/", views.section_create, name="section_create"),
    path(Q + "sections/<uuid:section_id>/edit/", views.section_edit, name="section_edit"),
    path(Q + "sections/<uuid:section_id>/delete/", views.section_delete, name="section_delete"),
    path(Q + "sections/<uuid:section_id>/move/", views.section_move, name="section_move"),
    path(
        Q + "sections/<uuid:section_id>/questions/new/",
        views.question_create,
        name="question_create",
    ),
    path(Q + "questions/<uuid:question_id>/edit/", views.question_edit, name="question_edit"),
    path(Q + "questions/<uuid:question_id>/delete/", views.question_delete, name="question_delete"),
    path(Q + "questions/<uuid:question_id>/move/", views.question_move, name="question_move"),
    path("bank/", views.bank_list, name="bank_list"),
    path("bank/new/", views.bank_question_create, name="bank_question_create"),
]
