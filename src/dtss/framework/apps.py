from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "dtss.framework"
    label = "framework"
    verbose_name = "Support-system framework"
