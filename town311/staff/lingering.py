"""Requests that linger, per department, and the coordinator's nudge.

A request lingers (DESIGN.md) when it was not acknowledged within its
department's target, or when it is open and residents have seen no change
for 14 days. "Within target" is its `acknowledge_due_at`, counted in
working time; a request without one (imported, or taken before due dates
existed) falls back to the department's target from when it entered the
queue.

A nudge is one friendly e-mail to the department's own address listing
what lingers there. It is recorded as a `Nudge`, not as notes on each
request: the department hears it once, in its mailbox, and the timelines
stay about the requests. One nudge an hour per department is enough.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    BooleanField,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone, translation
from django.utils.timesince import timesince

from town311.accounts.models import User
from town311.directory.models import Department, Town
from town311.lib.errors import ActionError, NotAllowed
from town311.notifications.emails import email_queue, url
from town311.servicerequests.models import OPEN_STATUSES, ServiceRequest, Status
from town311.staff.models import Nudge

logger = logging.getLogger(__name__)

NO_UPDATE_AFTER = timedelta(days=14)
# Enough for a department to act on; the rest waits in its queue.
LISTED_PER_DEPARTMENT = 50
NUDGE_INTERVAL = timedelta(hours=1)


@dataclass
class DepartmentLingering:
    """What lingers in one department's queue."""

    department: Department
    requests: list[ServiceRequest] = field(default_factory=list)
    unacknowledged: int = 0
    no_update: int = 0
    last_nudge: Nudge | None = None

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def listed(self) -> list[ServiceRequest]:
        return self.requests[:LISTED_PER_DEPARTMENT]

    @property
    def not_listed(self) -> int:
        return max(self.count - LISTED_PER_DEPARTMENT, 0)


def lingering_requests(*, now: datetime | None = None) -> QuerySet[ServiceRequest]:
    """Open requests that linger, annotated with `is_unacknowledged` and
    `has_no_update`, by department and oldest first."""
    now = now or timezone.now()
    target_at = ExpressionWrapper(
        F("department_entered_at") + F("department__acknowledge_target"),
        output_field=DateTimeField(),
    )
    unacknowledged = Q(status=Status.SUBMITTED) & (
        Q(acknowledge_due_at__lt=now)
        | Q(acknowledge_due_at__isnull=True, acknowledge_target_at__lt=now)
    )
    no_update = Q(updated_at__lt=now - NO_UPDATE_AFTER)
    return (
        ServiceRequest.objects.filter(
            status__in=OPEN_STATUSES, department__isnull=False
        )
        .annotate(acknowledge_target_at=target_at)
        .filter(unacknowledged | no_update)
        .annotate(
            is_unacknowledged=ExpressionWrapper(
                unacknowledged, output_field=BooleanField()
            ),
            has_no_update=ExpressionWrapper(no_update, output_field=BooleanField()),
        )
        .select_related("service", "department", "assignee")
        .order_by("department__name", "submitted_at", "pk")
    )


def lingering_by_department(
    *, now: datetime | None = None, department: Department | None = None
) -> list[DepartmentLingering]:
    """Lingering requests grouped by department, with counts and each
    department's latest nudge; departments with nothing lingering are left
    out."""
    requests = lingering_requests(now=now)
    if department is not None:
        requests = requests.filter(department=department)

    groups: dict[int, DepartmentLingering] = {}
    for service_request in requests:
        group = groups.get(service_request.department_id)
        if group is None:
            group = DepartmentLingering(service_request.department)
            groups[service_request.department_id] = group

        group.requests.append(service_request)
        group.unacknowledged += service_request.is_unacknowledged
        group.no_update += service_request.has_no_update

    for nudge in _latest_nudges(groups):
        groups[nudge.department_id].last_nudge = nudge

    return list(groups.values())


def _latest_nudges(department_ids) -> QuerySet[Nudge]:
    latest = (
        Nudge.objects.filter(department=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    departments = Department.objects.filter(pk__in=department_ids)
    pks = departments.annotate(nudge=Subquery(latest)).values("nudge")
    return Nudge.objects.filter(pk__in=pks).select_related("sent_by")


def department_nudge(
    *, department: Department, by: User, now: datetime | None = None
) -> Nudge:
    """E-mail the department a friendly list of its lingering requests."""
    now = now or timezone.now()
    if not by.sees_all_departments:
        raise NotAllowed("Only coordinators can nudge a department.")

    with transaction.atomic():
        # Locking the department makes two coordinators pressing Nudge at
        # once send one e-mail: the second sees the first one's nudge.
        Department.objects.select_for_update().filter(pk=department.pk).first()
        recent = department.nudges.filter(created_at__gt=now - NUDGE_INTERVAL).first()
        if recent is not None:
            ago = timesince(recent.created_at, now, depth=1)
            raise ActionError(
                f"{department} was nudged {ago} ago; give them a little time "
                "before the next reminder."
            )

        groups = lingering_by_department(now=now, department=department)
        if not groups:
            raise ActionError(
                f"Nothing lingers in {department} any more, so no reminder was sent."
            )

        lingering = groups[0]
        nudge = Nudge.objects.create(
            department=department,
            sent_by=by,
            request_count=lingering.count,
            created_at=now,
        )
        _queue_email(lingering, by, now)

    return nudge


def _queue_email(lingering: DepartmentLingering, by: User, now: datetime) -> None:
    department = lingering.department
    town = Town.objects.current()
    with translation.override("en"):
        rows = [
            {
                "number": r.number,
                "service": r.service.name,
                "address": r.address,
                "age": timesince(r.submitted_at, now, depth=1),
                "is_unacknowledged": r.is_unacknowledged,
                "has_no_update": r.has_no_update,
                "staff_url": url("staff:request", r.pk),
            }
            for r in lingering.listed
        ]
        context = {
            "town": town,
            "department": department.name,
            "requests": rows,
            "count": lingering.count,
            "not_listed": lingering.not_listed,
            "unacknowledged": lingering.unacknowledged,
            "no_update": lingering.no_update,
            "sender": by.get_full_name() or by.username,
            "queue_url": url("staff:queue"),
        }
        email_queue("nudge", to=department.email, context=context)
