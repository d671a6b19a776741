from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "town311.staff"
    verbose_name = "Staff workspace"
