"""Read-only queries about service requests that more than one page needs."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from town311.directory.models import Service
from town311.lib.geo import distance_m, near
from town311.servicerequests.models import ServiceRequest


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
    candidates = (
        ServiceRequest.objects.public()
        .open()
        .filter(
            near(lat, long, radius_m),
            service=service,
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
