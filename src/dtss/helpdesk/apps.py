from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "dtss.helpdesk"
    label = "helpdesk"
    verbose_name = "Help requests and knowledge base"

    def ready(self) -> None:
        from dtss.helpdesk import indicators  # noqa: F401  (registers the indicators)
