from django.urls import path

from tasks import api, views

app_name = "tasks"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("tasks/", views.task_list, name="list"),
    path("tasks/<int:number>/", views.task_detail, name="detail"),
    path("tasks/<int:number>/reports/<int:year>/", views.task_report, name="report"),
    path("tasks/<int:number>/reports/<int:year>/evidence/", views.task_evidence, name="evidence"),
    path("district-targets/", views.district_targets, name="district-targets"),
    path("key-projects/", views.key_projects, name="key-projects"),
]

# The API names its plan with ?plan= (docs/api.md).
unprefixed = [
    path("api/tasks/", api.task_list, name="api-tasks"),
    path("api/districts/<str:code>/", api.district_detail, name="api-district"),
]
