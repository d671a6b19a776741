from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "town311.metrics"
    verbose_name = "Metrics"
