from django.urls import path, re_path

from town311.metrics import views, views_dashboard, views_leaderboard

app_name = "metrics"

urlpatterns: list = [
    # /metrics/
    path("", views_dashboard.dashboard, name="dashboard"),
    # /metrics/export/
    re_path(
        r"^export/requests\.(?P<extension>csv|xlsx)$",
        views.export_requests,
        name="export-requests",
    ),
    # /metrics/leaderboard/
    path("leaderboard/", views_leaderboard.leaderboard, name="leaderboard"),
]
