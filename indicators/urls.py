from django.urls import path

from indicators import api, views

app_name = "indicators"

urlpatterns = [
    path("", views.plan_overview, name="overview"),
    path("indicators/<slug:code>/", views.indicator_detail, name="detail"),
    path("api/plan/", api.plan_detail, name="api-plan"),
]
