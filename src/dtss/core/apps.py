from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dtss.core"
    label = "core"
    verbose_name = "DTSS core"
