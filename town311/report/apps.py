from django.apps import AppConfig


class ReportConfig(AppConfig):
    name = "town311.report"
    verbose_name = "Reporting"
