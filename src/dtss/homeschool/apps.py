from django.apps import AppConfig


class HomeschoolConfig(AppConfig):
    name = "dtss.homeschool"
    label = "homeschool"
    verbose_name = "Contact book, leave and announcements"

    def ready(self) -> None:
        from dtss.demo.county import DEMO_EXTENSIONS
        from dtss.helpdesk.demo import demo_helpdesk
        from dtss.homeschool import indicators  # noqa: F401  (registers the indicators)
        from dtss.homeschool.demo import demo_homeschool

        if demo_homeschool not in DEMO_EXTENSIONS:  # after the helpdesk (its school calendar)
            at = (
                DEMO_EXTENSIONS.index(demo_helpdesk) + 1
                if demo_helpdesk in DEMO_EXTENSIONS
                else len(DEMO_EXTENSIONS)
            )
            DEMO_EXTENSIONS.insert(at, demo_homeschool)
