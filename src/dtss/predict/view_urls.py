"""URLs of the risk pages and the model versions (see views.py)."""

from django.urls import path

from dtss.predict import views

urlpatterns = [
    path("classes/", views.class_list, name="class_list"),
    path("classes/<uuid:public_id>/", views.class_detail, name="class_detail"),
    path("classes/<uuid:public_id>/export.csv", views.class_export_csv, name="class_export_csv"),
    path("classes/<uuid:public_id>/export.xlsx", views.class_export_xlsx, name="class_export_xlsx"),
    path("students/<uuid:public_id>/", views.student_detail, name="student_detail"),
    path("interventions/<uuid:public_id>/edit/", views.intervention_edit, name="intervention_edit"),
    path(
        "interventions/<uuid:public_id>/delete/",
        views.intervention_delete,
        name="intervention_delete",
    ),
    path("models/", views.model_list, name="model_list"),
    path("models/train/", views.model_train, name="model_train"),
    path("models/<uuid:public_id>/", views.model_detail, name="model_detail"),
    path("models/<uuid:public_id>/enable/", views.model_enable, name="model_enable"),
    path("models/<uuid:public_id>/retire/", views.model_retire, name="model_retire"),
]
