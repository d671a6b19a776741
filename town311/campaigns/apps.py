from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "town311.campaigns"
    verbose_name = "Campaigns"
