from django.urls import path

from dtss.orgs import views

app_name = "orgs"
urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/<uuid:public_id>/", views.school_detail, name="school_detail"),
    path("schools/<uuid:public_id>/edit/", views.school_edit, name="school_edit"),
    path("schools/<uuid:public_id>/people/add/", views.person_add, name="person_add"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<uuid:public_id>/", views.class_detail, name="class_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<uuid:public_id>/", views.person_detail, name="person_detail"),
    path("people/<uuid:public_id>/account/", views.person_invite, name="person_invite"),
    path("office/", views.office, name="office"),
    path("office/create/", views.office_create, name="office_create"),
    path("office/groups/add/", views.office_group_add, name="office_group_add"),
    path("office/plans/add/", views.office_plan_add, name="office_plan_add"),
    path("office/members/add/", views.office_member_add, name="office_member_add"),
    path("office/plans/<uuid:public_id>/tasks/add/", views.office_task_add, name="office_task_add"),
    path(
        "office/tasks/<uuid:public_id>/status/", views.office_task_status, name="office_task_status"
    ),
]
