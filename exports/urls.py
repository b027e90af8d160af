from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("export/", views.export_form, name="export"),
    path("export/report.xlsx", views.export_report, name="export-report"),
]
