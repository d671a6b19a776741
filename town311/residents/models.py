from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInLink(models.Model):
    """A one-time link a resident asked for to sign in by e-mail.

    Only a hash of the link's secret is kept, so the table cannot be used
    to sign in. A row is written for every request for a link, whether or
    not one was sent, so that the hourly limit answers the same for every
    address and tells nobody which addresses have requests.
    """

    email = models.EmailField(_("e-mail address"))
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "created_at"], name="sign_in_link_email"),
            models.Index(fields=["created_at"], name="sign_in_link_created"),
        ]

    def __str__(self) -> str:
        return f"Sign-in link {self.pk}"
