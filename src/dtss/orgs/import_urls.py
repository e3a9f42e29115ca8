from django.urls import path

from dtss.core import views as core_views

app_name = "imports"
urlpatterns = [path("", core_views.home, name="list")]
