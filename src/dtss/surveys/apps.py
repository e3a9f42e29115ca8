from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dtss.surveys"
    label = "surveys"
    verbose_name = "Surveys and forms"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.surveys import indicators  # noqa: F401  (registers the survey indicators)
        from dtss.surveys.demo import demo_surveys

        if demo_surveys not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_surveys)  # journey 12: the principal's school's surveys
