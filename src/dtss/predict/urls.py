from django.urls import include, path

app_name = "predict"

urlpatterns = [
    path("", include("dtss.predict.view_urls")),  # risk list, student, interventions, models
    path("", include("dtss.predict.pattern_urls")),  # learning patterns
]
