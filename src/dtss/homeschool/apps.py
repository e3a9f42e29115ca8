from django.apps import AppConfig


class HomeschoolConfig(AppConfig):
    name = "dtss.homeschool"
    label = "homeschool"
    verbose_name = "Contact book, leave and announcements"
