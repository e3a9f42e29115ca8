"""/analytics/: the learning-data views, one URL module per part."""

from django.urls import include, path

app_name = "analytics"

urlpatterns = [
    path("", include("dtss.analytics.overview_urls")),  # hub, county, school, programme views
    path("", include("dtss.analytics.class_urls")),  # teacher's class, one student
    path("platforms/", include("dtss.analytics.platform_urls")),  # register, mappings, imports
    path("actors/", include("dtss.analytics.identity_urls")),  # unresolved actors, mapping
    path("groups/", include("dtss.analytics.group_urls")),  # disadvantaged groups, programmes
]
