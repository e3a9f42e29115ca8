from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dtss.imports"
    label = "imports"
    verbose_name = "Imports"
