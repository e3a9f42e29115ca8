from django.apps import AppConfig


class PredictConfig(AppConfig):
    name = "dtss.predict"
    label = "predict"
    verbose_name = "Learning risk model"
