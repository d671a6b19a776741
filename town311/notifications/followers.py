"""E-mail to the followers of a request, queued by the lifecycle.

The lifecycle calls these inside the transaction of each action, so an
e-mail exists exactly when the change it reports does. What followers may
read is what the public request page shows: the department's own words,
the status and the outcome; never internal notes, and never anything about
another person (name, e-mail address, phone, or who on the staff acted).

Requests that are not public (a private request, or one of a staff-only
service) e-mail only their reporter: anyone else following them got there
through staff or a merge, never through the public site, and the request
is not theirs to hear about.

E-mails are written in the site's default language: followers do not
record a language, and staff act in theirs, not the resident's.
"""

import logging

from django.conf import settings
from django.utils import translation

from town311.directory.models import Town
from town311.notifications.emails import email_queue, url
from town311.notifications.wording import (
    duration_words,
    resolution_sentence,
    status_label,
)
from town311.servicerequests.models import (
    Event,
    Follower,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.tokens import token_make

logger = logging.getLogger(__name__)

# The public events followers hear about, and the e-mail each one sends.
# Submission sends its own confirmation (see `reporter_confirm`); status
# moves without a message, assignments and notes send nothing.
EVENT_EMAILS = {
    Event.Kind.ACKNOWLEDGED: "acknowledged",
    Event.Kind.WORK_STARTED: "started",
    Event.Kind.REPLY: "reply",
    Event.Kind.INFORMATION_REQUESTED: "question",
    Event.Kind.REASSIGNED: "reassigned",
    Event.Kind.REFERRED: "closed",
    Event.Kind.CLOSED: "closed",
    Event.Kind.MERGED: "merged",
    Event.Kind.REOPENED: "reopened",
}

# Events whose text is a message from staff to residents. A merge's text is
# written by the system, and a resident's reason for reopening is theirs.
STAFF_WORDS = {
    Event.Kind.ACKNOWLEDGED,
    Event.Kind.WORK_STARTED,
    Event.Kind.REPLY,
    Event.Kind.INFORMATION_REQUESTED,
    Event.Kind.REASSIGNED,
    Event.Kind.REFERRED,
    Event.Kind.CLOSED,
    Event.Kind.REOPENED,
}


def reporter_confirm(service_request: ServiceRequest) -> int:
    """E-mail the reporter the request number, where it went and where to
    follow it. Returns how many e-mails were queued (0 or 1)."""
    reporter = service_request.followers.filter(is_reporter=True).first()
    if reporter is None:
        return 0

    department = service_request.department
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(service_request, reporter, town=Town.objects.current())
        context["acknowledge_target"] = duration_words(department.acknowledge_target)
        context["close_target"] = duration_words(department.close_target)
        _queue("confirmation", service_request, reporter, context)

    return 1


def followers_notify(event: Event) -> int:
    """Queue an e-mail per follower for a new timeline event, when it is one
    residents care about. Returns how many e-mails were queued."""
    kind = _email_kind(event)
    if kind is None:
        return 0

    service_request = event.request
    followers = list(service_request.followers.order_by("pk"))
    # Only the reporter can answer a question, since the answer link
    # speaks for them.
    if followers and (
        event.kind == Event.Kind.INFORMATION_REQUESTED
        or not _is_public(service_request)
    ):
        followers = [follower for follower in followers if follower.is_reporter]

    if not followers:
        return 0

    town = Town.objects.current()
    with translation.override(settings.LANGUAGE_CODE):
        for follower in followers:
            context = _context(service_request, follower, town=town, event=event)
            _queue(kind, service_request, follower, context)

    logger.debug(
        "Queued %s %s e-mail(s) for request %s", len(followers), kind, event.request_id
    )
    return len(followers)


def follower_unsubscribe(*, request_id: int, email: str) -> int:
    """Stop e-mails about a request to `email`. Returns how many follows
    ended."""
    follows = Follower.objects.filter(
        request_id__in=_merge_chain(request_id), email__iexact=email
    )
    deleted, _ = follows.delete()
    return deleted


def is_following(*, request_id: int, email: str) -> bool:
    return Follower.objects.filter(
        request_id__in=_merge_chain(request_id), email__iexact=email
    ).exists()


def _merge_chain(request_id: int) -> list[int]:
    # The request may have been merged since the e-mail was sent, taking
    # its followers to the original, so the follow there counts too.
    chain: list[int] = []
    pk = request_id
    while pk is not None and pk not in chain and len(chain) < 50:
        chain.append(pk)
        pk = (
            ServiceRequest.objects.filter(pk=pk)
            .values_list("duplicate_of_id", flat=True)
            .first()
        )

    return chain


def unsubscribe_url(request_id: int, email: str) -> str:
    token = token_make("unsubscribe", request_id=request_id, email=email)
    return url("notifications:unsubscribe", token)


def _email_kind(event: Event) -> str | None:
    if not event.is_public:
        return None

    # Starting work is news when it is the acknowledgment or comes with
    # a message; otherwise the status on the page says enough.
    if event.kind == Event.Kind.WORK_STARTED and not (
        event.from_status == Status.SUBMITTED or event.text
    ):
        return None

    if event.kind == Event.Kind.CLOSED and event.resolution == Resolution.WITHDRAWN:
        return "withdrawn"

    return EVENT_EMAILS.get(event.kind)


def _is_public(service_request: ServiceRequest) -> bool:
    return service_request.is_public and service_request.service.is_public


def _context(
    service_request: ServiceRequest,
    follower: Follower,
    *,
    town: Town | None,
    event: Event | None = None,
) -> dict:
    pk = service_request.pk
    is_public = _is_public(service_request)
    department = service_request.department
    context = {
        "town": town,
        "number": service_request.number,
        "service": service_request.service.name,
        "address": service_request.address,
        "department": department.name if department else "",
        "status": status_label(service_request.status),
        "is_public": is_public,
        "is_reporter": follower.is_reporter,
        "request_url": url("front:request", pk) if is_public else "",
        "message": "",
    }
    if event is None:
        return context

    context["event"] = event
    if event.kind in STAFF_WORDS and event.actor_id is not None:
        context["message"] = event.text

    if event.kind == Event.Kind.REOPENED:
        context["reopened_by_resident"] = event.actor_id is None

    if event.kind == Event.Kind.REASSIGNED:
        context["from_department"] = (
            event.from_department.name if event.from_department else ""
        )

    if event.kind in (Event.Kind.CLOSED, Event.Kind.REFERRED):
        context["resolution"] = resolution_sentence(service_request)
        agency = service_request.agency
        if agency is not None:
            context["agency"] = {
                "name": agency.name,
                "phone": agency.phone,
                "email": agency.email,
                "website": agency.website,
            }
        if follower.is_reporter and event.resolution != Resolution.WITHDRAWN:
            token = token_make("rating", request_id=pk, email=follower.email)
            context["rating_url"] = url("front:rate", pk, token)

    if event.kind == Event.Kind.MERGED:
        original = service_request.duplicate_of
        context["original_number"] = original.number
        context["original_url"] = (
            url("front:request", original.pk) if _is_public(original) else ""
        )

    if event.kind == Event.Kind.INFORMATION_REQUESTED:
        token = token_make("answer", request_id=pk, email=follower.email)
        context["answer_url"] = url("front:answer", pk, token)

    if event.kind == Event.Kind.CLOSED and event.resolution == Resolution.WITHDRAWN:
        context["report_url"] = url("report:service")

    return context


def _queue(
    kind: str, service_request: ServiceRequest, follower: Follower, context: dict
) -> None:
    # After a merge the follower follows the original, so that is the
    # follow the link ends.
    followed = service_request.duplicate_of_id if kind == "merged" else None
    email_queue(
        kind,
        to=follower.email,
        context=context,
        request=service_request,
        unsubscribe_url=unsubscribe_url(followed or service_request.pk, follower.email),
    )
