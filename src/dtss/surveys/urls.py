"""URLs of the surveys app: each part has its own module."""

from django.urls import include, path

app_name = "surveys"

urlpatterns = [
    path("", include("dtss.surveys.answer_urls")),
    path("", include("dtss.surveys.builder_urls")),
    path("", include("dtss.surveys.run_urls")),
    path("", include("dtss.surveys.results_urls")),
]
