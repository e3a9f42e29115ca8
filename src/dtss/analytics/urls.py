"""/analytics/: the learning-data views, one URL module per part."""

app_name = "analytics"

urlpatterns: list = []
