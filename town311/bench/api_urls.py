"""The site's URLs plus the benchmark's minimal views (town311.bench.settings)."""

from django.urls import path

from town311.bench import api_views
from town311.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/minimal-read", api_views.minimal_read, name="bench-minimal-read"),
    path("bench/minimal-list", api_views.minimal_list, name="bench-minimal-list"),
    path("bench/minimal-write", api_views.minimal_write, name="bench-minimal-write"),
    *site_urlpatterns,
]
