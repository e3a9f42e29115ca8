from django.urls import include, path

from dtss.framework import views

app_name = "framework"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("local-strategies/add/", views.local_strategy_add, name="local_strategy_add"),
    path("", include("dtss.framework.assess_urls")),
    path("", include("dtss.framework.cycle_urls")),
    path("", include("dtss.framework.plan_urls")),
    path("", include("dtss.framework.report_urls")),
]
