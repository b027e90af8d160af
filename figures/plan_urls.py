"""The plan workbook (which creates plans, so belongs to none) and a plan's 待核实 list."""

from django.urls import path

from figures import plan_views

app_name = "plans"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("review-flags/", plan_views.review_flag_list, name="review-flags"),
]

unprefixed = [
    path("plans/workbook/", plan_views.plan_workbook, name="workbook"),
    path("plans/workbook/preview/", plan_views.plan_workbook_preview, name="workbook-preview"),
    path("plans/workbook/confirm/", plan_views.plan_workbook_confirm, name="workbook-confirm"),
    path("plans/<slug:code>/workbook.xlsx", plan_views.plan_workbook_download, name="workbook-download"),
]
