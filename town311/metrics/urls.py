from django.urls import re_path

from town311.metrics import views

app_name = "metrics"

urlpatterns: list = [
    # /metrics/export/
    re_path(
        r"^export/requests\.(?P<extension>csv|xlsx)$",
        views.export_requests,
        name="export-requests",
    ),
]
