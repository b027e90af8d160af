from django.urls import path

from dashboards import api, views

app_name = "dashboards"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("districts/<str:code>/", views.district_detail, name="district"),
    path("overview/", views.plan_overview, name="overview"),
]

# The API names its plan with ?plan= (docs/api.md).
unprefixed = [
    path("api/plan/", api.plan_detail, name="api-plan"),
    path("api/progress/", api.progress, name="api-progress"),
]
