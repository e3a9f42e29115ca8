from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "dtss.analytics"
    label = "analytics"
    verbose_name = "Learning analytics"

    def ready(self) -> None:
        from dtss.analytics import indicators  # noqa: F401  (registers the learning indicators)
        from dtss.analytics.hooks import after_statements_stored
        from dtss.lrs.statement_services import AFTER_STORE_HOOKS

        if after_statements_stored not in AFTER_STORE_HOOKS:
            AFTER_STORE_HOOKS.append(after_statements_stored)  # keep the rollups in step

        from dtss.analytics.demo import demo_analytics
        from dtss.demo.county import DEMO_DEFERRABLE, DEMO_EXTENSIONS

        if demo_analytics not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_analytics)  # item 6: platforms and a semester of records
        DEMO_DEFERRABLE.add(demo_analytics)  # minutes of records: `dtss demo` serves first
