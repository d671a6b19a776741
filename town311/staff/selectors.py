"""Reads for the staff workspace: the department queue, its counts and the
people a request can be given to.

Every figure here is a database expression (annotations and one aggregate),
so a queue of thousands of requests costs the same few queries as one of
ten.
"""

from datetime import datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from town311.accounts.models import User
from town311.directory.models import Department, Neighbourhood, Service
from town311.servicerequests.models import (
    OPEN_STATUSES,
    Follower,
    MeToo,
    Status,
)
from town311.staff.access import requests_for_staff

# An open request nobody has touched for this long lingers (DESIGN.md).
NO_UPDATE_AFTER = timedelta(days=14)

# Longer numbers cannot be a request number, and SQLite refuses to compare
# an integer column with them.
MAX_NUMBER_DIGITS = 18


class Sort:
    OLDEST = "oldest"
    NEWEST = "newest"
    IMPACT = "impact"
    DUE = "due"

    CHOICES = [
        (OLDEST, "Oldest first"),
        (NEWEST, "Newest first"),
        (IMPACT, "Most impact first (me too + followers)"),
        (DUE, "Due soonest"),
    ]


def queue_departments(user: User) -> QuerySet[Department]:
    """The departments whose queues this person may open."""
    if user.sees_all_departments:
        return Department.objects.filter(is_active=True)

    return Department.objects.filter(
        Q(pk=user.department_id) | Q(granted_members=user)
    ).distinct()


def queue_people(user: User) -> QuerySet[User]:
    """Active people who work one of this person's queues: whom the queue
    can be filtered by, and to whom its requests can be assigned."""
    people = User.objects.filter(is_active=True)
    if not user.sees_all_departments:
        departments = queue_departments(user)
        people = people.filter(
            Q(department__in=departments) | Q(granted_departments__in=departments)
        ).distinct()
    else:
        people = people.filter(department__isnull=False)

    return people.order_by("first_name", "last_name", "username")


def queue_scope(user: User, *, department: Department | None = None) -> QuerySet:
    """The requests of this person's queues, open or not, optionally of one
    department only."""
    requests = requests_for_staff(user)
    if department is not None:
        requests = requests.filter(department=department)

    return requests


def _count_of(model) -> Subquery:
    # A correlated count per request: joining both tables and counting
    # distinct rows would multiply me-toos by followers before counting.
    counts = (
        model.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _acknowledgment_late(now: datetime) -> Q:
    # A computed due date wins; without one, the department's target counts
    # from when the request entered its queue (see _with_targets).
    return Q(status=Status.SUBMITTED) & (
        Q(acknowledge_due_at__lt=now)
        | Q(acknowledge_due_at__isnull=True, ack_target_at__lt=now)
    )


def _close_late(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES) & (
        Q(close_due_at__lt=now) | Q(close_due_at__isnull=True, close_target_at__lt=now)
    )


def _with_targets(requests: QuerySet) -> QuerySet:
    # Imported requests have no queue history: their clock starts at
    # submission.
    start = Coalesce("department_entered_at", "submitted_at")
    return requests.annotate(
        ack_target_at=ExpressionWrapper(
            start + F("department__acknowledge_target"), output_field=DateTimeField()
        ),
        close_target_at=ExpressionWrapper(
            start + F("department__close_target"), output_field=DateTimeField()
        ),
    )


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False))


def queue_requests(
    *,
    user: User,
    now: datetime,
    department: Department | None = None,
    service: Service | None = None,
    status: str = "",
    older_than_days: int | None = None,
    assignee: User | None = None,
    unassigned: bool = False,
    channel: str = "",
    area: Neighbourhood | None = None,
    q: str = "",
    sort: str = Sort.OLDEST,
) -> QuerySet:
    """The open requests of this person's queue that pass the filters, with
    their badges, impact and due date as annotations, in the chosen order."""
    requests = queue_scope(user, department=department).filter(status__in=OPEN_STATUSES)

    if status:
        requests = requests.filter(status=status)

    if service is not None:
        requests = requests.filter(service=service)

    if older_than_days is not None:
        requests = requests.filter(
            submitted_at__lt=now - timedelta(days=older_than_days)
        )

    if unassigned:
        requests = requests.filter(assignee__isnull=True)
    elif assignee is not None:
        requests = requests.filter(assignee=assignee)

    if channel:
        requests = requests.filter(channel=channel)

    if area is not None:
        requests = requests.filter(neighbourhood=area)

    if q := q.strip():
        matches = Q(description__icontains=q) | Q(address__icontains=q)
        number = q.removeprefix("#")
        if number.isdigit() and len(number) <= MAX_NUMBER_DIGITS:
            matches |= Q(pk=int(number))
        requests = requests.filter(matches)

    requests = _with_targets(requests).annotate(
        me_too_count=_count_of(MeToo),
        follower_count=_count_of(Follower),
        impact=F("me_too_count") + F("follower_count"),
        is_late_to_acknowledge=_flag(_acknowledgment_late(now)),
        has_no_recent_update=_flag(Q(updated_at__lt=now - NO_UPDATE_AFTER)),
        # What the department must do next decides which due date counts.
        due_at=Case(
            When(status=Status.SUBMITTED, then=F("acknowledge_due_at")),
            default=F("close_due_at"),
        ),
    )
    requests = requests.select_related(
        "service", "neighbourhood", "assignee", "blocker", "department"
    )
    return requests.order_by(*_ORDERS.get(sort, _ORDERS[Sort.OLDEST]))


_ORDERS = {
    Sort.OLDEST: ["submitted_at", "pk"],
    Sort.NEWEST: ["-submitted_at", "-pk"],
    Sort.IMPACT: ["-impact", "submitted_at", "pk"],
    Sort.DUE: [F("due_at").asc(nulls_last=True), "submitted_at", "pk"],
}


def queue_counts(
    *, user: User, now: datetime, zone, department: Department | None = None
) -> dict[str, int]:
    """New today, unacknowledged and overdue in this person's queue, in one
    query. A day starts at midnight in the town, not in UTC."""
    midnight = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    requests = _with_targets(queue_scope(user, department=department))
    return requests.aggregate(
        new_today=Count("pk", filter=Q(submitted_at__gte=midnight)),
        unacknowledged=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=_acknowledgment_late(now) | _close_late(now)),
    )


def queue_map_rows(requests: QuerySet, *, limit: int) -> list[dict]:
    """What the queue map needs of each request, in the queue's order."""
    return list(requests.values("pk", "lat", "long", "status", "service__name")[:limit])
