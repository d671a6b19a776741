"""The servicerequestupdates extension: updates of requests, read and posted.

mySociety's extension to GeoReport v2, which FixMyStreet uses to follow
what happens to the requests it sent. An update is one public event of a
public request's timeline. Its status is the request's status after the
event, in the extension's extended statuses:

| our status / resolution       | extended status              |
| ----------------------------- | ---------------------------- |
| submitted                     | OPEN                         |
| acknowledged                  | INVESTIGATING                |
| in_progress                   | IN_PROGRESS                  |
| closed, fixed                 | FIXED                        |
| closed, duplicate             | DUPLICATE                    |
| closed, referred              | NOT_COUNCILS_RESPONSIBILITY  |
| closed, no_action             | NO_FURTHER_ACTION            |
| closed, not_located           | CLOSED                       |
| closed, no_response           | CLOSED                       |
| closed, withdrawn             | CLOSED                       |

Posted updates are a resident's comments that the client publishes on
its own site, so they are public here too. The poster's e-mail and name
are not stored: the client stays the one who knows the resident.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery

from town311.front.timeline import STAFF_MESSAGES
from town311.lib.errors import InvalidInput
from town311.open311.models import ApiKey, ApiUpdate
from town311.servicerequests.models import (
    Event,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.services import request_add_resident_update

logger = logging.getLogger(__name__)

Kind = Event.Kind

# The one table from our status (and, when closed, resolution) to the
# extension's status.
EXTENDED_STATUS = {
    (Status.SUBMITTED, ""): "OPEN",
    (Status.ACKNOWLEDGED, ""): "INVESTIGATING",
    (Status.IN_PROGRESS, ""): "IN_PROGRESS",
    (Status.CLOSED, Resolution.FIXED): "FIXED",
    (Status.CLOSED, Resolution.DUPLICATE): "DUPLICATE",
    (Status.CLOSED, Resolution.REFERRED): "NOT_COUNCILS_RESPONSIBILITY",
    (Status.CLOSED, Resolution.NO_ACTION): "NO_FURTHER_ACTION",
    (Status.CLOSED, Resolution.NOT_LOCATED): "CLOSED",
    (Status.CLOSED, Resolution.NO_RESPONSE): "CLOSED",
    (Status.CLOSED, Resolution.WITHDRAWN): "CLOSED",
}

# The events that are news to a follower. Routing and assignment are the
# town's internal bookkeeping (an assignment names a staff member), and the
# submission is the request itself.
UPDATE_KINDS = (
    Kind.ACKNOWLEDGED,
    Kind.WORK_STARTED,
    Kind.REPLY,
    Kind.INFORMATION_REQUESTED,
    Kind.INFORMATION_PROVIDED,
    Kind.REASSIGNED,
    Kind.REFERRED,
    Kind.MERGED,
    Kind.CLOSED,
    Kind.REOPENED,
)

RESIDENT_WISHES = ("OPEN", "CLOSED")
MAX_UPDATE_ID_LENGTH = ApiUpdate._meta.get_field("update_id").max_length


def extended_status(status: str, resolution: str = "") -> str:
    if status != Status.CLOSED:
        resolution = ""
    return EXTENDED_STATUS.get((status, resolution), "CLOSED")


def public_updates(*, start: datetime | None, end: datetime | None):
    """Public events of public requests, oldest first, each annotated with
    the request's status and resolution just after it."""
    # The latest event up to this one that set a status; events of one
    # request at the same moment are told apart by their id.
    setting = (
        Event.objects.filter(request=OuterRef("request"))
        .exclude(to_status="")
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by("-created_at", "-pk")
    )
    updates = (
        Event.objects.filter(
            is_public=True,
            kind__in=UPDATE_KINDS,
            request__in=ServiceRequest.objects.public(),
        )
        .annotate(
            status_after=Subquery(setting.values("to_status")[:1]),
            resolution_after=Subquery(setting.values("resolution")[:1]),
        )
        .select_related("api_update")
        .order_by("created_at", "pk")
    )
    if start is not None:
        updates = updates.filter(created_at__gte=start)
    if end is not None:
        updates = updates.filter(created_at__lte=end)
    return updates


def update_data(event: Event, zone: ZoneInfo) -> dict:
    status = event.status_after or Status.SUBMITTED
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.request_id),
        "status": extended_status(status, event.resolution_after or ""),
        "updated_datetime": event.created_at.astimezone(zone).isoformat(
            timespec="seconds"
        ),
        "description": _description(event),
        "media_url": _media_url(event),
    }


def _description(event: Event) -> str:
    # The same words the public page shows: staff messages, and comments
    # posted through the API. A resident's reason for reopening or
    # withdrawing is theirs and stays private, as on the page.
    if event.kind == Kind.INFORMATION_PROVIDED:
        return event.text if _posted(event) else ""
    if event.kind == Kind.REOPENED and event.actor_id is None:
        return ""
    if event.kind == Kind.CLOSED and event.resolution == Resolution.WITHDRAWN:
        return ""
    if event.kind in STAFF_MESSAGES:
        return event.text
    return ""


def _posted(event: Event) -> ApiUpdate | None:
    try:
        return event.api_update
    except Event.api_update.RelatedObjectDoesNotExist:
        return None


def _media_url(event: Event) -> str:
    posted = _posted(event)
    return posted.media_url if posted else ""


def api_update_record(
    *,
    api_key: ApiKey,
    service_request: ServiceRequest,
    update_id: str,
    description: str,
    media_url: str = "",
    client_updated_at: datetime | None = None,
) -> tuple[ApiUpdate, bool]:
    """Record a client's update once per update_id; returns it and whether
    it is new. A repeat of an update_id returns the first one unchanged."""
    existing = _existing(api_key, update_id)
    if existing is not None:
        return _same_request(existing, service_request), False

    try:
        with transaction.atomic():
            event = request_add_resident_update(service_request, text=description)
            posted = ApiUpdate.objects.create(
                api_key=api_key,
                update_id=update_id,
                event=event,
                media_url=media_url,
                client_updated_at=client_updated_at,
            )
    except IntegrityError:
        # Two copies of the same update raced; the other one was recorded
        # and this one's event was rolled back with it.
        existing = _existing(api_key, update_id)
        if existing is None:
            raise
        return _same_request(existing, service_request), False

    return posted, True


def _existing(api_key: ApiKey, update_id: str) -> ApiUpdate | None:
    return (
        ApiUpdate.objects.filter(api_key=api_key, update_id=update_id)
        .select_related("event")
        .first()
    )


def _same_request(posted: ApiUpdate, service_request: ServiceRequest) -> ApiUpdate:
    if posted.event.request_id != service_request.pk:
        raise InvalidInput(
            {
                "update_id": f"update_id {posted.update_id} was already used for "
                f"request {posted.event.request_id}; send a new id for this update."
            }
        )
    return posted
