from django.urls import path

from figures import api, quality_views, views

app_name = "figures"

# A plan's pages, under /plans/<code>/ (planboard/urls.py).
urlpatterns = [
    path("report/", views.entry_index, name="entry-index"),
    path("report/<str:code>/<int:year>/", views.entry_grid, name="entry"),
    path("review/", views.review_list, name="review"),
    path("review/completeness/", views.review_completeness, name="completeness"),
    path("observations/<int:pk>/history/", views.observation_history, name="observation-history"),
    path("observations/<int:pk>/<str:step>/", views.observation_review, name="observation-review"),
    path(
        "observations/<int:pk>/history/<int:history_id>/restore/",
        views.observation_restore,
        name="observation-restore",
    ),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/preview/", views.import_preview, name="import-preview"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("years/", views.year_locks, name="year-locks"),
    path("years/<int:year>/lock/", views.year_lock, {"locked": True}, name="year-lock"),
    path("years/<int:year>/unlock/", views.year_lock, {"locked": False}, name="year-unlock"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("quality.xlsx", quality_views.quality_xlsx, name="quality-xlsx"),
]

# The API names its plan with ?plan= (docs/api.md).
unprefixed = [
    path("api/observations/", api.observations, name="api-observations"),
    path("api/observations/review/", api.observation_review, name="api-observation-review"),
    path("api/years/<int:year>/lock/", api.year_lock, name="api-year-lock"),
    path("api/quality/", quality_views.quality_api, name="api-quality"),
    path("api/quality/<str:section>/", quality_views.quality_section_api, name="api-quality-section"),
]
