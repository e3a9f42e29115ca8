"""Plans (短中長程計畫) and good-practice cases (案例); included by framework/urls.py."""

from django.urls import path

from dtss.framework import plan_views as views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/timeline/", views.plan_timeline, name="plan_timeline"),
    path("plans/<uuid:public_id>/goals/", views.goal_add, name="goal_add"),
    path("plans/<uuid:public_id>/actions/", views.action_add, name="action_add"),
    path("goals/<uuid:public_id>/delete/", views.goal_delete, name="goal_delete"),
    path("actions/<uuid:public_id>/edit/", views.action_edit, name="action_edit"),
    path("actions/<uuid:public_id>/delete/", views.action_delete, name="action_delete"),
    path("actions/<uuid:public_id>/progress/", views.action_progress, name="action_progress"),
    path(
        "assessments/<uuid:public_id>/plan/",
        views.plan_from_assessment,
        name="plan_from_assessment",
    ),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<uuid:public_id>/unpublish/", views.case_unpublish, name="case_unpublish"),
    path("evidence/<uuid:public_id>/publish/", views.evidence_publish, name="evidence_publish"),
]
