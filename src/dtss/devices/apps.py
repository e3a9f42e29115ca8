from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "dtss.devices"
    label = "devices"
    verbose_name = "Devices and the digital environment"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.devices import indicators  # noqa: F401  (registers the indicators)
        from dtss.devices.demo import demo_devices

        if demo_devices not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_devices)  # journey 8: register, loans, needs, procurement
