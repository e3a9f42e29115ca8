"""URLs of the learning-pattern pages (see urls.py and pattern_views.py)."""

from django.urls import path

from dtss.predict import pattern_views

urlpatterns = [
    path(
        "schools/<uuid:public_id>/patterns/",
        pattern_views.school_patterns_page,
        name="patterns_school",
    ),
    path(
        "classes/<uuid:public_id>/patterns/",
        pattern_views.class_patterns_page,
        name="patterns_class",
    ),
]
