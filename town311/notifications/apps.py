from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "town311.notifications"
    verbose_name = "Notifications"
