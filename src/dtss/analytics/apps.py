from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "dtss.analytics"
    label = "analytics"
    verbose_name = "Learning analytics"
