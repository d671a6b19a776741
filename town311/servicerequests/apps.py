from django.apps import AppConfig


class ServicerequestsConfig(AppConfig):
    name = "town311.servicerequests"
    verbose_name = "Service requests"
