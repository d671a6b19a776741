"""A request's story as residents read it.

Only public events are told. Staff messages appear in the staff's own
words but signed by the department whose queue the request was in at the
time, never by the person: residents deal with the town, and staff names
stay out of search engines.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from town311.directory.models import Department
from town311.notifications.wording import STATUS_LABELS
from town311.servicerequests.models import Event, Resolution, ServiceRequest, Status

Kind = Event.Kind

STATUS_WORDS = STATUS_LABELS

RESOLUTION_WORDS = {
    Resolution.FIXED: gettext_lazy("fixed"),
    Resolution.DUPLICATE: gettext_lazy("a duplicate"),
    Resolution.REFERRED: gettext_lazy("referred to another agency"),
    Resolution.NO_ACTION: gettext_lazy("no action needed"),
    Resolution.NOT_LOCATED: gettext_lazy("could not find the problem"),
    Resolution.NO_RESPONSE: gettext_lazy("no answer to a question"),
    Resolution.WITHDRAWN: gettext_lazy("withdrawn by the resident"),
}

# Messages from staff to residents, shown in the staff's own words.
STAFF_MESSAGES = (
    Kind.ACKNOWLEDGED,
    Kind.WORK_STARTED,
    Kind.REPLY,
    Kind.INFORMATION_REQUESTED,
    Kind.REASSIGNED,
    Kind.REFERRED,
    Kind.CLOSED,
    Kind.REOPENED,
)


def status_words(status: str, resolution: str = "") -> str:
    """The status in plain words: "Being worked on", "Closed: fixed"."""
    words = str(STATUS_WORDS.get(status, status))
    if status == Status.CLOSED and resolution in RESOLUTION_WORDS:
        return _("%(status)s: %(resolution)s") % {
            "status": words,
            "resolution": RESOLUTION_WORDS[resolution],
        }

    return words


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    title: str
    # Words a staff member wrote, and the department that signs them.
    message: str = ""
    signed_by: str = ""
    link_url: str = ""
    link_label: str = ""


def public_timeline(service_request: ServiceRequest) -> list[Entry]:
    """The public events of the request, oldest first."""
    events = service_request.events.filter(is_public=True).select_related(
        "to_department",
        "from_department",
        "agency",
        "duplicate_of__service",
    )

    entries = []
    department = None
    for event in events:
        # A reassignment's reason is written by the department letting go.
        if event.kind == Kind.ROUTED and event.to_department:
            signer = event.to_department
        else:
            signer = department or service_request.department
        entries.append(_entry(event, signer))

        if event.kind in (Kind.ROUTED, Kind.REASSIGNED) and event.to_department:
            department = event.to_department

    return entries


def _entry(event: Event, department: Department | None) -> Entry:
    name = department.name if department else _("The town")
    title = _title(event, name)
    message = event.text if event.kind in STAFF_MESSAGES else ""

    # What residents do themselves is told in the reader's language rather
    # than with the sentence stored in the event, and signed by nobody.
    if event.kind == Kind.REOPENED and event.actor_id is None:
        title = _("Reopened: the resident who reported it says it is not fixed")
        message = ""
    elif event.kind == Kind.CLOSED and event.resolution == Resolution.WITHDRAWN:
        message = ""

    link_url = link_label = ""
    original = event.duplicate_of
    if original is not None and original.is_public and original.service.is_public:
        link_url = reverse("front:request", args=[original.pk])
        link_label = _("See request %(number)s") % {"number": original.number}

    return Entry(
        at=event.created_at,
        kind=event.kind,
        title=title,
        message=message,
        signed_by=name if message else "",
        link_url=link_url,
        link_label=link_label,
    )


def _title(event: Event, department: str) -> str:
    values = {"department": department}
    match event.kind:
        case Kind.SUBMITTED:
            return _("Request received")
        case Kind.ROUTED:
            return _("Sent to %(department)s") % values
        case Kind.ACKNOWLEDGED:
            return _("%(department)s acknowledged the request") % values
        case Kind.WORK_STARTED:
            return _("%(department)s started work") % values
        case Kind.REPLY:
            return _("%(department)s replied") % values
        case Kind.INFORMATION_REQUESTED:
            return _("%(department)s asked for more information") % values
        case Kind.REASSIGNED:
            return _("Moved from %(from)s to %(to)s") % {
                "from": event.from_department or _("another department"),
                "to": event.to_department or _("another department"),
            }
        case Kind.REFERRED:
            return _("Referred to %(agency)s") % {
                "agency": event.agency or _("another agency")
            }
        case Kind.MERGED:
            return _("Closed as a duplicate of request %(number)s") % {
                "number": event.duplicate_of_id
            }
        case Kind.CLOSED:
            return _("Closed: %(resolution)s") % {
                "resolution": RESOLUTION_WORDS.get(
                    event.resolution, event.get_resolution_display()
                )
            }
        case Kind.REOPENED:
            return _("Reopened")

    return event.get_kind_display()
