from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "town311.directory"
    verbose_name = "Directory"
