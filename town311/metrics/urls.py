from django.urls import path, re_path

from town311.metrics import (
    views,
    views_areas,
    views_dashboard,
    views_leaderboard,
    views_monthly,
    views_trends,
)

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
    re_path(
        r"^export/table\.(?P<extension>csv|xlsx)$",
        views.export_table,
        name="export-table",
    ),
    # /metrics/leaderboard/
    path("leaderboard/", views_leaderboard.leaderboard, name="leaderboard"),
    # /metrics/areas/
    path("areas/", views_areas.areas, name="areas"),
    path("areas.csv", views_areas.areas_csv, name="areas-csv"),
    path("areas/upload/", views_areas.areas_upload, name="areas-upload"),
    # /metrics/monthly/
    path("monthly/", views_monthly.monthly, name="monthly"),
    path("monthly/send/", views_monthly.monthly_send, name="monthly-send"),
    # /metrics/trends/, /metrics/charts/, /metrics/heat.geojson
    path("trends/", views_trends.trends, name="trends"),
    re_path(
        r"^charts/(?P<name>acknowledge|close|channels|services)\.(?P<extension>svg|png)$",
        views_trends.chart,
        name="chart",
    ),
    path("heat.geojson", views_trends.heat, name="heat"),
]
