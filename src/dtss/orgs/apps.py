from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dtss.orgs"
    label = "orgs"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from dtss.orgs import indicators  # noqa: F401  (registers the org indicators)
