"""How statuses, resolutions and targets read in e-mails and on residents'
pages, in words a resident understands and in their language.

The model choices carry labels for staff and the admin; these are the
residents' versions, and they are translated.
"""

from datetime import timedelta

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from town311.servicerequests.models import Resolution, ServiceRequest, Status

# The words residents read for each status, on pages, in e-mail and feeds.
STATUS_LABELS = {
    Status.SUBMITTED: _("Received"),
    Status.ACKNOWLEDGED: _("Acknowledged"),
    Status.IN_PROGRESS: _("Being worked on"),
    Status.CLOSED: _("Closed"),
}

RESOLUTION_SENTENCES = {
    Resolution.FIXED: _("The problem has been fixed."),
    Resolution.NO_ACTION: _(
        "The department looked into it and found that no action was needed."
    ),
    Resolution.NOT_LOCATED: _(
        "The department could not find the problem at the place given."
    ),
    Resolution.NO_RESPONSE: _(
        "It was closed because a question about it went unanswered."
    ),
    Resolution.WITHDRAWN: _("The resident who reported it withdrew it."),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def resolution_sentence(service_request: ServiceRequest) -> str:
    """How the request ended, as one sentence."""
    if service_request.resolution == Resolution.REFERRED:
        agency = service_request.agency
        if agency is None:
            return gettext("It is not the town's responsibility.")

        return gettext(
            "It is not the town's responsibility, so it was passed to %(agency)s."
        ) % {"agency": agency.name}

    if service_request.resolution == Resolution.DUPLICATE:
        return gettext(
            "It repeats request %(number)s, so it will be dealt with there."
        ) % {"number": service_request.duplicate_of_id}

    sentence = RESOLUTION_SENTENCES.get(service_request.resolution)
    return str(sentence) if sentence else ""


def duration_words(duration: timedelta) -> str:
    """“2 days”, “12 hours”: a department's target as people say it."""
    hours = round(duration.total_seconds() / 3600)
    if hours >= 24 and hours % 24 == 0 or hours >= 72:
        days = round(hours / 24)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}

    hours = max(hours, 1)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
