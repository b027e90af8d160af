from django.urls import path

from exports import evaluation_views, views

app_name = "exports"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("export/", views.export_form, name="export"),
    path("export/report.xlsx", views.export_report, name="export-report"),
    path("export/evaluation.docx", evaluation_views.export_evaluation, name="export-evaluation"),
]
