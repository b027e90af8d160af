from django.urls import path

from dashboards import api, open_views, views

app_name = "dashboards"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("districts/<str:code>/", views.district_detail, name="district"),
    path("overview/", views.plan_overview, name="overview"),
]

# The API names its plan with ?plan= (docs/api.md); open data names it in the address.
unprefixed = [
    path("api/plan/", api.plan_detail, name="api-plan"),
    path("api/progress/", api.progress, name="api-progress"),
    # Open data: no login, only for a plan its administrator published.
    path("open/<slug:plan_code>/", open_views.plan_page, name="open-plan"),
    path("open/<slug:plan_code>/datapackage.json", open_views.data_package, name="open-datapackage"),
    path("open/<slug:plan_code>/data/<slug:table>.csv", open_views.table_csv, name="open-table"),
    path("open/<slug:plan_code>/<slug:code>.csv", open_views.indicator_csv, name="open-indicator-csv"),
]
