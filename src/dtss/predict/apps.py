from django.apps import AppConfig


class PredictConfig(AppConfig):
    name = "dtss.predict"
    label = "predict"
    verbose_name = "Learning risk model"

    def ready(self) -> None:
        from dtss.analytics.demo import demo_analytics
        from dtss.demo.county import DEMO_DEFERRABLE, DEMO_EXTENSIONS
        from dtss.predict.demo import demo_predict

        if demo_predict not in DEMO_EXTENSIONS:
            # after analytics' extension: the model trains on its semester of records
            at = (
                DEMO_EXTENSIONS.index(demo_analytics) + 1
                if demo_analytics in DEMO_EXTENSIONS
                else len(DEMO_EXTENSIONS)
            )
            DEMO_EXTENSIONS.insert(at, demo_predict)
        DEMO_DEFERRABLE.add(demo_predict)  # trains on the (deferred) learning records
