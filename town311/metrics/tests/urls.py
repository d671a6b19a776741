"""The project's URLs with the metrics app mounted, for tests that run
before the project's urls.py includes it."""

from django.urls import include, path

from town311.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "metrics" for p in urlpatterns):
    urlpatterns.append(path("metrics/", include("town311.metrics.urls")))
