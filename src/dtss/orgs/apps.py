from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dtss.orgs"
    label = "orgs"
    verbose_name = "Organisations"
