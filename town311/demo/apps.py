from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "town311.demo"
    verbose_name = "Demo town"
