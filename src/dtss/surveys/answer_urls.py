"""Answering: my surveys (named runs), answering with an access code or a class link."""

from django.urls import path

from dtss.surveys import answer_views as views

urlpatterns = [
    path("mine/", views.my_surveys, name="my_surveys"),
    path("code/", views.code_entry, name="code_entry"),
    path("a/<str:code>/", views.answer_code, name="answer_code"),
    path("thanks/", views.answer_thanks, name="answer_thanks"),
    path("invitations/<uuid:public_id>/", views.answer_invitation, name="answer_invitation"),
]
