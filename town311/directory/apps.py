from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DirectoryConfig(AppConfig):
    name = "town311.directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from town311.directory import models

        # Routing and the API's check of a post cache these rows per
        # process; a change must reach every process, so each one renews
        # the version the caches compare with.
        for model in (
            models.Town,
            models.Department,
            models.Agency,
            models.RoutingArea,
            models.Neighbourhood,
            models.Service,
            models.ServiceAttribute,
            models.AttributeValue,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    models.geography_changed,
                    sender=model,
                    dispatch_uid=f"geography-{model._meta.model_name}-{id(signal)}",
                )
