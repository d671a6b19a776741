from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from town311.servicerequests.models import Follower, ServiceRequest


def _follows(email: str) -> Exists:
    return Exists(Follower.objects.filter(request=OuterRef("pk"), email=email))


def resident_requests(email: str):
    """The requests `email` reported, and the public ones it follows, newest
    first, each with `is_mine` (they reported it).

    Addresses are compared as stored: the lifecycle and following both
    store them in lower case.
    """
    public = Q(is_public=True, service__is_public=True)
    return (
        ServiceRequest.objects.filter(
            Q(reporter_email=email) | (_follows(email) & public)
        )
        .annotate(
            is_mine=ExpressionWrapper(
                Q(reporter_email=email), output_field=BooleanField()
            )
        )
        .select_related("service", "department", "neighbourhood")
        .order_by("-submitted_at", "-pk")
    )


def resident_has_requests(email: str) -> bool:
    return resident_requests(email).exists()
