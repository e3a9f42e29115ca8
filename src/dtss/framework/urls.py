from django.urls import path

from dtss.framework import views

app_name = "framework"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("local-strategies/add/", views.local_strategy_add, name="local_strategy_add"),
]
