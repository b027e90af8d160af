"""The reporting season's pages (README, "The reporting season"): 待办, notices, rounds and 填报进度."""

from django.urls import path

from figures import season_views

app_name = "season"

urlpatterns = [
    path("start/", season_views.start, name="start"),
    path("todo/", season_views.todo_page, name="todo"),
    path("notices/<int:pk>/read/", season_views.notice_read, name="notice-read"),
    path("notices/read/", season_views.notices_read, name="notices-read"),
    path("years/<int:year>/round/", season_views.year_round, name="year-round"),
    path("timeliness/", season_views.timeliness_page, name="timeliness"),
    path("timeliness.xlsx", season_views.timeliness_xlsx, name="timeliness-xlsx"),
]

unprefixed = [
    path("api/timeliness/", season_views.timeliness_api, name="api-timeliness"),
]
