from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "dtss.framework"
    label = "framework"
    verbose_name = "Support-system framework"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.framework.demo import demo_cycles

        if demo_cycles not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_cycles)  # three cycles of assessments for the demo county
