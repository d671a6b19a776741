from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "town311.accounts"
    verbose_name = "Accounts"
