from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "town311.front"
    verbose_name = "Public site"
