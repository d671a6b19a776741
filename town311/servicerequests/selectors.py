"""Read-only queries about service requests that more than one page needs."""

import math
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from town311.directory.models import Service
from town311.servicerequests.models import ServiceRequest

EARTH_RADIUS_M = 6_371_000
# Near the poles a degree of longitude shrinks to nothing; this floor keeps
# the bounding box finite there (it only widens it, never misses anything).
MIN_COS_LAT = 0.01


def nearby_open_requests(
    *,
    service: Service,
    lat: float,
    long: float,
    radius_m: float = 150,
    days: int = 30,
) -> list[ServiceRequest]:
    """Open public requests for `service` within `radius_m` of the point,
    submitted in the last `days` days, nearest first.

    Each request carries `distance_m` and `me_too_count`. This is the
    "Is it one of these?" list residents see before they report.
    """
    # A bounding box on the (lat, long) index narrows the table to a few
    # candidates; the exact distance then decides on those alone.
    lat_span = math.degrees(radius_m / EARTH_RADIUS_M)
    long_span = lat_span / max(math.cos(math.radians(lat)), MIN_COS_LAT)
    candidates = (
        ServiceRequest.objects.public()
        .open()
        .filter(
            _longitude_range(long, long_span),
            service=service,
            lat__range=(lat - lat_span, lat + lat_span),
            submitted_at__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("service", "department")
        .annotate(me_too_count=Count("me_toos"))
    )

    nearby = []
    for candidate in candidates:
        candidate.distance_m = distance_m(lat, long, candidate.lat, candidate.long)
        if candidate.distance_m <= radius_m:
            nearby.append(candidate)

    nearby.sort(key=lambda r: (r.distance_m, -r.pk))
    return nearby


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(long2 - long1)
    h = (
        math.sin(d_phi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _longitude_range(long: float, span: float) -> Q:
    low, high = long - span, long + span
    if span >= 180:
        return Q()

    # A box across the antimeridian is two boxes, one on each side.
    if low < -180:
        return Q(long__gte=low + 360) | Q(long__lte=high)
    if high > 180:
        return Q(long__gte=low) | Q(long__lte=high - 360)

    return Q(long__range=(low, high))
