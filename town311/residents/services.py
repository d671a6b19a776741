"""Signing residents in with a one-time link sent to their e-mail address.

Residents have no password and no account: an address that has reported or
follows requests can ask for a link, and following it within 30 minutes
proves they read that address. The answer to asking is the same whether
or not the address has requests, so the form tells nobody who reported
what.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from town311.lib.errors import ActionError, InvalidInput
from town311.notifications.emails import email_queue, url
from town311.residents.models import SignInLink
from town311.residents.selectors import resident_has_requests

logger = logging.getLogger(__name__)

LINK_MINUTES = 30
LINKS_PER_HOUR = 5
# Rows older than this serve neither the hourly limit nor a live link.
KEEP_LINKS = timedelta(days=1)
MAX_SECRET_LENGTH = 100


class SignInLinkRefused(ActionError):
    """The link cannot sign anyone in; `reason` says why: "invalid",
    "used" or "expired". `email` is the link's address, when known."""

    def __init__(self, message: str, *, reason: str, email: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.email = email


def sign_in_link_send(*, email: str) -> bool:
    """E-mail a one-time sign-in link to `email` if it has requests.

    Returns whether a link was sent, for tests and logs; residents must be
    told the same either way. Raises InvalidInput after LINKS_PER_HOUR
    asks for the address within an hour.
    """
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        asked = SignInLink.objects.filter(
            email=email, created_at__gte=now - timedelta(hours=1)
        ).count()
        if asked >= LINKS_PER_HOUR:
            # Someone hammering the form; the address stays out of the log.
            logger.warning(
                "Refused a sign-in link after %s asks for one address in an hour",
                asked,
            )
            raise InvalidInput(
                {
                    "email": ngettext(
                        "A link to this address was asked for %(count)s time in "
                        "the last hour. Use the newest e-mail, or try again in "
                        "an hour.",
                        "A link to this address was asked for %(count)s times in "
                        "the last hour. Use the newest e-mail, or try again in "
                        "an hour.",
                        LINKS_PER_HOUR,
                    )
                    % {"count": LINKS_PER_HOUR}
                }
            )

        SignInLink.objects.filter(created_at__lt=now - KEEP_LINKS).delete()
        secret = secrets.token_urlsafe(32)
        SignInLink.objects.create(
            email=email, secret_hash=_hash(secret), created_at=now
        )
        if not resident_has_requests(email):
            return False

        email_queue(
            "sign-in",
            to=email,
            context={
                "sign_in_url": url("residents:sign-in-link", secret),
                "minutes": LINK_MINUTES,
            },
        )

    return True


def sign_in_link_use(secret: str) -> str:
    """Spend a sign-in link; returns its e-mail address, or raises
    SignInLinkRefused."""
    link = None
    if len(secret) <= MAX_SECRET_LENGTH:
        link = SignInLink.objects.filter(secret_hash=_hash(secret)).first()

    if link is None:
        raise SignInLinkRefused(
            gettext("This sign-in link is not valid."), reason="invalid"
        )

    now = timezone.now()
    if link.used_at is None and link.created_at < now - timedelta(minutes=LINK_MINUTES):
        raise SignInLinkRefused(
            gettext("This sign-in link has expired."),
            reason="expired",
            email=link.email,
        )

    # The conditional update is what makes the link single-use, even when
    # it is opened twice at the same moment.
    spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now
    )
    if not spent:
        raise SignInLinkRefused(
            gettext("This sign-in link was already used."),
            reason="used",
            email=link.email,
        )

    return link.email


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
