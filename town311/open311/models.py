"""API keys for Open311 clients, their rate windows, and submission tokens."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    """A client allowed to post requests and updates through the API.

    Only a hash of the key is stored; the key itself is shown once, when it
    is made. The prefix finds the row without comparing every hash.
    """

    name = models.CharField(max_length=100, help_text="Who uses it, e.g. “County app”.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="api_keys",
        help_text="The person to ask about this client.",
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.PositiveIntegerField(
        default=60, help_text="Requests per minute this client may make."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiRateWindow(models.Model):
    """How many calls a key made in one minute; the unique pair lets every
    web process count in the same row."""

    api_key = models.ForeignKey(ApiKey, models.CASCADE, related_name="rate_windows")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "window_start"], name="open311_rate_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key} from {self.window_start:%Y-%m-%d %H:%M}"


class RequestToken(models.Model):
    """The token answered for a request posted through the API.

    A post is checked at once and answered with its token; a task then
    files the request and links it here, and the client looks it up by the
    token, as GeoReport v2 allows for "batch" services. Until then
    `submission` holds the checked arguments. They are emptied once the
    request is filed or refused, so the reporter's details are kept only on
    the request itself.
    """

    token = models.CharField(max_length=64, unique=True)
    request = models.OneToOneField(
        "servicerequests.ServiceRequest",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="api_token",
    )
    fingerprint = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The same post from the same key within minutes has the "
        "same fingerprint, and gets this token again.",
    )
    submission = models.JSONField(default=dict, blank=True, editable=False)
    failure = models.TextField(
        blank=True, help_text="Why the request could not be filed, if it was not."
    )
    created_at = models.DateTimeField(default=timezone.now)
    media_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="The picture URL the client posted, shown until the town "
        "has a photo of its own.",
    )

    def __str__(self) -> str:
        return self.token

    @property
    def is_waiting(self) -> bool:
        return self.request_id is None and not self.failure


class ApiUpdate(models.Model):
    """An update a client posted on a request (servicerequestupdates).

    The client's own update_id is kept per key, so that posting the same
    update twice records it once.
    """

    api_key = models.ForeignKey(ApiKey, models.PROTECT, related_name="updates")
    update_id = models.CharField(max_length=100)
    event = models.OneToOneField(
        "servicerequests.Event", models.PROTECT, related_name="api_update"
    )
    media_url = models.URLField(max_length=500, blank=True)
    client_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the client says the update was made."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API update"
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "update_id"], name="open311_api_update_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.update_id} from {self.api_key}"
