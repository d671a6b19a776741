from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_RADIUS = 100
MAX_RADIUS = 5000


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriptionQuerySet":
        return self.filter(confirmed_at__isnull=False)


class Subscription(models.Model):
    """Someone who wants an e-mail about each new public request in an area.

    The area is either a circle (a centre and a radius) or a neighbourhood,
    optionally narrowed to some services. Nothing is sent until the address
    is confirmed from the e-mail the subscription sends first.
    """

    email = models.EmailField(_("e-mail address"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    long = models.FloatField(_("longitude"), null=True, blank=True)
    radius = models.PositiveIntegerField(
        _("radius in metres"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_RADIUS), MaxValueValidator(MAX_RADIUS)],
    )
    place_name = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("The place the circle is around, as the subscriber named it."),
    )
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    services = models.ManyToManyField(
        "directory.Service",
        blank=True,
        related_name="+",
        help_text=_("Only requests for these services; none means all."),
    )
    language = models.CharField(
        max_length=10,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the alerts are written in."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lat", "long"], name="subscription_centre"),
            models.Index(fields=["email", "created_at"], name="subscription_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        neighbourhood__isnull=True,
                        lat__isnull=False,
                        long__isnull=False,
                        radius__gte=MIN_RADIUS,
                        radius__lte=MAX_RADIUS,
                    )
                    | models.Q(
                        neighbourhood__isnull=False,
                        lat__isnull=True,
                        long__isnull=True,
                        radius__isnull=True,
                    )
                ),
                name="subscription_circle_or_neighbourhood",
            )
        ]

    def __str__(self) -> str:
        return f"Alert subscription {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
