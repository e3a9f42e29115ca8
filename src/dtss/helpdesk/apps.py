from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "dtss.helpdesk"
    label = "helpdesk"
    verbose_name = "Help requests and knowledge base"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.devices.demo import demo_devices
        from dtss.helpdesk import indicators  # noqa: F401  (registers the indicators)
        from dtss.helpdesk.demo import demo_helpdesk

        if demo_helpdesk not in DEMO_EXTENSIONS:  # journey 9, after the devices (parent's loan)
            at = (
                DEMO_EXTENSIONS.index(demo_devices) + 1
                if demo_devices in DEMO_EXTENSIONS
                else len(DEMO_EXTENSIONS)
            )
            DEMO_EXTENSIONS.insert(at, demo_helpdesk)
