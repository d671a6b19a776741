"""Area alerts: subscribing with a confirmation e-mail, confirming, ending a
subscription, and the e-mail each confirmed subscription gets for a new
public request in its area.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from town311.alerts.models import Subscription
from town311.alerts.selectors import Area, subscriptions_matching
from town311.alerts.tokens import CONFIRM_MAX_AGE, BadToken, token_make, token_read
from town311.directory.models import Town
from town311.lib.errors import InvalidInput
from town311.notifications.emails import email_queue, url
from town311.notifications.wording import status_label
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

# Each confirmation e-mail goes to an address nobody has confirmed yet, so
# the form must not become a way to flood someone's inbox.
UNCONFIRMED_PER_DAY = 5


class SubscriptionGone(BadToken):
    """The link was good, but the subscription has since been ended."""


def subscription_create(
    *, email: str, area: Area, place_name: str = "", language: str
) -> Subscription:
    """Record a subscription and e-mail its confirmation link. Nothing is
    sent for it until the link is followed."""
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        recent = Subscription.objects.filter(
            email=email,
            confirmed_at__isnull=True,
            created_at__gte=now - timedelta(days=1),
        )
        if recent.count() >= UNCONFIRMED_PER_DAY:
            logger.warning("Refused an alert subscription: too many unconfirmed")
            raise InvalidInput(
                {
                    "email": gettext(
                        "We already sent several confirmation e-mails to this "
                        "address today. Confirm one of them, or try again "
                        "tomorrow."
                    )
                }
            )

        # Unconfirmed subscriptions whose link has expired will never send.
        Subscription.objects.filter(
            confirmed_at__isnull=True,
            created_at__lt=now - timedelta(seconds=CONFIRM_MAX_AGE),
        ).delete()

        subscription = Subscription.objects.create(
            email=email,
            lat=area.lat if area.is_circle else None,
            long=area.long if area.is_circle else None,
            radius=area.radius if area.is_circle else None,
            place_name=place_name[:200] if area.is_circle else "",
            neighbourhood=area.neighbourhood,
            language=language,
            created_at=now,
        )
        subscription.services.set(area.services)

        token = token_make("confirm", subscription_id=subscription.pk, email=email)
        with translation.override(language):
            email_queue(
                "alert-confirm",
                to=email,
                context={
                    "area": subscription_area_words(subscription),
                    "services": _services_words(subscription),
                    "confirm_url": url("alerts:confirm", token),
                },
            )

    return subscription


def subscription_from_token(kind: str, token: str) -> Subscription:
    """The subscription a confirm or unsubscribe link is for, or BadToken."""
    max_age = CONFIRM_MAX_AGE if kind == "confirm" else None
    subscription_id, email = token_read(kind, token, max_age=max_age)
    subscription = Subscription.objects.filter(
        pk=subscription_id, email__iexact=email
    ).first()
    if subscription is None:
        raise SubscriptionGone("This subscription has ended.")

    return subscription


def subscription_confirm(subscription: Subscription) -> bool:
    """Start sending alerts. Returns False if it was already confirmed."""
    confirmed = Subscription.objects.filter(
        pk=subscription.pk, confirmed_at__isnull=True
    ).update(confirmed_at=timezone.now())
    subscription.refresh_from_db()
    return bool(confirmed)


def subscription_end(subscription: Subscription) -> None:
    subscription.delete()


def unsubscribe_url(subscription: Subscription) -> str:
    token = token_make(
        "unsubscribe", subscription_id=subscription.pk, email=subscription.email
    )
    return url("alerts:unsubscribe", token)


def alerts_queue(service_request: ServiceRequest) -> int:
    """Queue an alert per confirmed subscription the new request matches,
    in the caller's transaction. Returns how many were queued."""
    subscriptions = subscriptions_matching(service_request)
    if not subscriptions:
        return 0

    town = Town.objects.current()
    department = service_request.department
    neighbourhood = service_request.neighbourhood
    zone = town.zone if town else timezone.get_current_timezone()
    for subscription in subscriptions:
        # Times read as the town's clocks show them.
        with translation.override(subscription.language), timezone.override(zone):
            email_queue(
                "alert",
                to=subscription.email,
                request=service_request,
                unsubscribe_url=unsubscribe_url(subscription),
                context={
                    "town": town,
                    "number": service_request.number,
                    "service": service_request.service.name,
                    "address": service_request.address,
                    "neighbourhood": neighbourhood.name if neighbourhood else "",
                    "department": department.name if department else "",
                    "status": status_label(service_request.status),
                    "submitted_at": service_request.submitted_at,
                    "request_url": url("front:request", service_request.pk),
                    "area": subscription_area_words(subscription),
                },
            )

    logger.debug(
        "Queued %s area alert(s) for request %s", len(subscriptions), service_request.pk
    )
    return len(subscriptions)


def subscription_area_words(subscription: Subscription) -> str:
    """“within 500 m of Main Street”, “in Downtown”."""
    if subscription.neighbourhood_id is not None:
        return gettext("in %(neighbourhood)s") % {
            "neighbourhood": subscription.neighbourhood.name
        }

    return area_words(
        Area(lat=subscription.lat, long=subscription.long, radius=subscription.radius),
        place_name=subscription.place_name,
    )


def area_words(area: Area, *, place_name: str = "") -> str:
    if area.neighbourhood is not None:
        return gettext("in %(neighbourhood)s") % {
            "neighbourhood": area.neighbourhood.name
        }

    place = place_name or f"{area.lat:.5f}, {area.long:.5f}"
    return gettext("within %(radius)s m of %(place)s") % {
        "radius": area.radius,
        "place": place,
    }


def _services_words(subscription: Subscription) -> str:
    names = [service.name for service in subscription.services.all()]
    return ", ".join(names) if names else str(_("all services"))
