"""Answering: my surveys (named runs), answering with an access code or a class link."""

from django.urls import path

from dtss.surveys import answer_views as views

urlpatterns = [
    path("mine/", views.my_surveys, name="my_surveys"),
]
