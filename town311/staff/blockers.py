"""Marking why a request is waiting, from the town's list of blockers.

Residents read the blocker's public text on the request page; staff see
the blocker in the queue, and the metrics count requests per blocker. The
change itself goes on the timeline as an internal note, since the event
kinds (and what each one tells followers by e-mail) belong to the
lifecycle, and residents already see the blocker where it matters.
"""

import logging

from django.db import transaction
from django.utils import timezone

from town311.accounts.models import User
from town311.directory.models import Blocker
from town311.lib.errors import ActionError, InvalidTransition, NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)


def request_block(
    service_request: ServiceRequest,
    *,
    by: User,
    blocker: Blocker | None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Say why the request is waiting, or with `blocker=None`, that it no
    longer is."""
    with transaction.atomic():
        locked = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("blocker")
            .get(pk=service_request.pk)
        )
        _check(by, locked, seen_version)
        previous = locked.blocker
        if blocker is not None:
            _check_can_block(locked, blocker)
        elif previous is None:
            raise InvalidTransition(
                f"Request {locked.number} is not marked as waiting."
            )

        now = timezone.now()
        locked.blocker = blocker
        locked.blocked_at = now if blocker else None
        # Residents see the blocker, so it counts as an update for them.
        locked.updated_at = now
        locked.version += 1
        locked.save(update_fields=["blocker", "blocked_at", "updated_at", "version"])

        if blocker is not None:
            note = f"Waiting: {blocker.name}"
        else:
            note = f"No longer waiting (was: {previous.name})"
        services.request_add_note(locked, by=by, text=note)

    service_request.refresh_from_db()
    return service_request


def _check(by: User, service_request: ServiceRequest, seen_version) -> None:
    if by is None or not by.works_for(service_request.department):
        raise NotAllowed(
            f"Request {service_request.number} is in the "
            f"{service_request.department} queue, which you do not work. Ask a "
            "coordinator to reassign it or to grant you access."
        )

    if seen_version is not None and seen_version != service_request.version:
        raise InvalidTransition(
            f"Someone else changed request {service_request.number} while you "
            "were looking at it. Check what they did before you act."
        )


def _check_can_block(service_request: ServiceRequest, blocker: Blocker) -> None:
    if not service_request.is_open:
        raise InvalidTransition(
            f"Request {service_request.number} is closed, so it is not waiting "
            "on anything; reopen it first."
        )

    if not blocker.is_active:
        raise ActionError(
            f"“{blocker.name}” is no longer on the list; pick another reason.",
            field="blocker",
        )

    if blocker.pk == service_request.blocker_id:
        raise InvalidTransition(
            f"Request {service_request.number} is already marked “{blocker.name}”."
        )
