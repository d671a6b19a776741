"""The daily lingering digest.

Every morning each department hears, at its own address, which of its
requests linger (`town311/staff/lingering.py`: not acknowledged within
target, or open with no update for 14 days), and each coordinator gets the
same list for the whole town. A department with nothing lingering gets no
e-mail, and when nothing lingers anywhere nobody does: a digest that says
"all clear" every day soon goes unread.

`run_schedule` calls this once per local day; it does not check that
itself.
"""

import logging
from datetime import date, datetime

from django.utils import dateformat, timezone, translation
from django.utils.timesince import timesince

from town311.accounts.models import User
from town311.directory.models import Town
from town311.notifications.emails import email_queue, url
from town311.notifications.models import Message
from town311.staff.lingering import DepartmentLingering, lingering_by_department

logger = logging.getLogger(__name__)


def lingering_digests_send(
    *, today: date, now: datetime | None = None
) -> list[Message]:
    """Queue today's digests and return them; none when nothing lingers."""
    now = now or timezone.now()
    groups = lingering_by_department(now=now)
    if not groups:
        return []

    town = Town.objects.current()
    messages = []
    # Staff e-mails are in English, like the staff workspace.
    with translation.override("en"):
        departments = [_department_context(group, now) for group in groups]
        common = {
            "town": town,
            "today": dateformat.format(today, "l j F"),
            "queue_url": url("staff:queue"),
        }
        for group, context in zip(groups, departments, strict=True):
            if group.department.email:
                messages.append(
                    email_queue(
                        "lingering-digest",
                        to=group.department.email,
                        context={**common, **context},
                    )
                )

        coordinators = (
            User.objects.filter(role=User.Role.COORDINATOR, is_active=True)
            .exclude(email="")
            .order_by("pk")
        )
        for coordinator in coordinators:
            context = {
                **common,
                "person": coordinator,
                "departments": departments,
                "count": sum(group.count for group in groups),
            }
            messages.append(
                email_queue(
                    "lingering-digest-coordinator",
                    to=coordinator.email,
                    context=context,
                )
            )

    logger.debug("Queued %s lingering digest(s)", len(messages))
    return messages


def _department_context(group: DepartmentLingering, now: datetime) -> dict:
    return {
        "department": group.department.name,
        "count": group.count,
        "unacknowledged": group.unacknowledged,
        "no_update": group.no_update,
        "not_listed": group.not_listed,
        "requests": [
            {
                "number": r.number,
                "service": r.service.name,
                "address": r.address,
                "age": timesince(r.submitted_at, now, depth=1),
                "is_unacknowledged": r.is_unacknowledged,
                "has_no_update": r.has_no_update,
                "staff_url": url("staff:request", r.pk),
            }
            for r in group.listed
        ],
    }
