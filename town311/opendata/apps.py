from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "town311.opendata"
    verbose_name = "Open data"
