from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "town311.residents"
    verbose_name = "Residents"
