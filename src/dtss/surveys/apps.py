from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dtss.surveys"
    label = "surveys"
    verbose_name = "Surveys and forms"

    def ready(self) -> None:
        from dtss.surveys import indicators  # noqa: F401  (registers the survey indicators)
