from django.urls import include, path

from dtss.framework import views

app_name = "framework"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("", include("dtss.framework.assess_urls")),
    path("", include("dtss.framework.cycle_urls")),
    path("", include("dtss.framework.plan_urls")),
]
