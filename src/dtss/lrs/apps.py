from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "dtss.lrs"
    label = "lrs"
    verbose_name = "Learning record store (xAPI)"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.lrs.demo import demo_lrs

        if demo_lrs not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_lrs)  # journey 7: 因材網 and 酷英網 send learning records
