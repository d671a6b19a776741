"""Which subscriptions a new request concerns, and which requests an area's
feed lists.

Both match a circle in two steps: a latitude/longitude box around it,
which the composite indexes answer, then the exact distance in Python over
what the box let through.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from town311.alerts.models import MAX_RADIUS, Subscription
from town311.directory.models import Neighbourhood, Service
from town311.lib.geo import distance_m, near
from town311.servicerequests.models import ServiceRequest

FEED_DAYS = 90


@dataclass(frozen=True)
class Area:
    """Where someone wants to hear about: a circle or a neighbourhood, and
    optionally only some services."""

    lat: float | None = None
    long: float | None = None
    radius: int | None = None
    neighbourhood: Neighbourhood | None = None
    services: tuple[Service, ...] = field(default=())

    @property
    def is_circle(self) -> bool:
        return self.neighbourhood is None and self.lat is not None


def subscriptions_matching(service_request: ServiceRequest) -> list[Subscription]:
    """Confirmed subscriptions whose area and services hold the request.
    Requests that are not public match none."""
    if not (service_request.is_public and service_request.service.is_public):
        return []

    lat, long = service_request.lat, service_request.long
    # Any circle holding the point has its centre within the largest radius.
    where = near(lat, long, MAX_RADIUS) & Q(neighbourhood__isnull=True)
    if service_request.neighbourhood_id:
        where |= Q(neighbourhood_id=service_request.neighbourhood_id)

    candidates = (
        Subscription.objects.confirmed()
        .filter(where)
        .filter(Q(services__isnull=True) | Q(services=service_request.service_id))
        .distinct()
        .order_by("pk")
    )
    # Reporters hear about their own request from its confirmation instead.
    if service_request.reporter_email:
        candidates = candidates.exclude(email__iexact=service_request.reporter_email)

    return [
        subscription
        for subscription in candidates
        if subscription.neighbourhood_id is not None
        or distance_m(lat, long, subscription.lat, subscription.long)
        <= subscription.radius
    ]


def area_requests(area: Area, *, limit: int = 50) -> list[ServiceRequest]:
    """The newest public requests in the area, from the last FEED_DAYS days."""
    since = timezone.now() - timedelta(days=FEED_DAYS)
    requests = (
        ServiceRequest.objects.public()
        .filter(submitted_at__gte=since)
        .select_related("service", "department", "neighbourhood")
        .order_by("-submitted_at", "-pk")
    )
    if area.services:
        requests = requests.filter(service__in=area.services)

    if area.neighbourhood is not None:
        return list(requests.filter(neighbourhood=area.neighbourhood)[:limit])

    if not area.is_circle:
        return list(requests[:limit])

    requests = requests.filter(near(area.lat, area.long, area.radius))
    return list(_within(requests.iterator(), area, limit))


def _within(requests: Iterable[ServiceRequest], area: Area, limit: int):
    found = 0
    for service_request in requests:
        if found >= limit:
            return

        distance = distance_m(
            area.lat, area.long, service_request.lat, service_request.long
        )
        if distance <= area.radius:
            found += 1
            yield service_request
