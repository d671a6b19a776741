from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "town311.alerts"
    verbose_name = "Area alerts"
