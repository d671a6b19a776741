"""The life of a service request: every action staff or residents take.

Each function checks that the move is allowed from the request's current
status and that the actor has the right to make it, then writes the change
and its timeline event in one transaction, holding a lock on the request
row so that two people acting at once cannot both succeed.

`by` is the staff member acting; it is None only for what residents do
themselves (answering a question, reopening through their rating).
`at` is when it happened; it defaults to now and is set only by the
demo town and the history importer, which replay past actions.
"""

import contextvars
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext, ngettext_lazy

from town311.accounts.models import User
from town311.alerts.services import alerts_queue
from town311.directory.models import Agency, Department, Service
from town311.lib.errors import ActionError, InvalidInput, InvalidTransition, NotAllowed
from town311.notifications.followers import followers_notify, reporter_confirm
from town311.notifications.wording import status_label
from town311.servicerequests.attributes import attributes_clean
from town311.servicerequests.models import (
    OPEN_STATUSES,
    Channel,
    Event,
    Follower,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.routing import (
    Geography,
    Route,
    geography,
    neighbourhood_at,
    route,
)
from town311.staff.due import department_due_dates, due_dates

logger = logging.getLogger(__name__)

_replaying = contextvars.ContextVar("replaying", default=False)

MAX_DESCRIPTION_LENGTH = 4000

# Whole sentences per field, so that a translation need not fit a field's
# name into a sentence (and agree with it).
TOO_LONG = {
    "address": ngettext_lazy(
        "Keep the address to %(limit)s character or fewer.",
        "Keep the address to %(limit)s characters or fewer.",
        "limit",
    ),
    "reporter_name": ngettext_lazy(
        "Keep the reporter name to %(limit)s character or fewer.",
        "Keep the reporter name to %(limit)s characters or fewer.",
        "limit",
    ),
    "reporter_email": ngettext_lazy(
        "Keep the reporter email to %(limit)s character or fewer.",
        "Keep the reporter email to %(limit)s characters or fewer.",
        "limit",
    ),
    "reporter_phone": ngettext_lazy(
        "Keep the reporter phone to %(limit)s character or fewer.",
        "Keep the reporter phone to %(limit)s characters or fewer.",
        "limit",
    ),
}

# Resolutions that need their own action, because they carry more than a word.
RESOLUTIONS_WITH_OWN_ACTION = (Resolution.DUPLICATE, Resolution.REFERRED)

STAFF_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.EMAIL)


@contextmanager
def history_replay() -> Iterator[None]:
    """Replay past actions (the demo town, imports) without telling anyone:
    inside it, actions queue no e-mail to followers and no area alerts."""
    token = _replaying.set(True)
    try:
        yield
    finally:
        _replaying.reset(token)


# Submitting


@dataclass(frozen=True)
class Submission:
    """A new request's values, checked and cleaned, with where it goes."""

    service: Service
    lat: float
    long: float
    description: str
    address: str
    answers: dict
    channel: str
    reporter_name: str
    reporter_email: str
    reporter_phone: str
    decision: Route
    places: Geography


def submission_check(
    *,
    service: Service,
    lat: float,
    long: float,
    description: str = "",
    address: str = "",
    attributes: dict | None = None,
    channel: str = Channel.WEB,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    places: Geography | None = None,
    questions=None,
) -> Submission:
    """Check a new request as `request_submit` would, without writing it.

    Raises what `request_submit` raises for the same values, so a caller
    that files the request later (the API's queued posts) can refuse bad
    input while the client is still waiting for the answer. `places` and
    `questions` (the service's variable attributes) save reading them
    again when the caller has them.
    """
    lat, long = location_clean(lat, long)
    description = (description or "").strip()
    address = (address or "").strip()
    reporter_name = (reporter_name or "").strip()
    reporter_email = (reporter_email or "").strip().lower()
    reporter_phone = (reporter_phone or "").strip()
    _check_submission(service, description, channel, reporter_email, by)
    _check_lengths(
        address=address,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        idempotency_key=idempotency_key or "",
    )
    answers = attributes_clean(service, attributes or {}, questions=questions)
    places = places or geography()
    decision = route(service=service, lat=lat, long=long, places=places)
    return Submission(
        service=service,
        lat=lat,
        long=long,
        description=description,
        address=address,
        answers=answers,
        channel=channel,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        decision=decision,
        places=places,
    )


def request_submit(
    *,
    service: Service,
    lat: float,
    long: float,
    description: str = "",
    address: str = "",
    attributes: dict | None = None,
    channel: str = Channel.WEB,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> ServiceRequest:
    """Take a new request, route it and start its timeline.

    Submitting again with the same idempotency key returns the request the
    first call created instead of a second one, so a resident who taps
    Submit twice on a bad connection files one request.
    """
    if idempotency_key:
        existing = ServiceRequest.objects.filter(idempotency_key=idempotency_key)
        if existing_request := existing.first():
            return existing_request

    at = at or timezone.now()
    checked = submission_check(
        service=service,
        lat=lat,
        long=long,
        description=description,
        address=address,
        attributes=attributes,
        channel=channel,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        by=by,
        idempotency_key=idempotency_key,
    )
    decision = checked.decision
    acknowledge_due_at, close_due_at = department_due_dates(decision.department, at)

    try:
        with transaction.atomic():
            service_request = ServiceRequest.objects.create(
                service=checked.service,
                description=checked.description,
                lat=checked.lat,
                long=checked.long,
                address=checked.address,
                neighbourhood=neighbourhood_at(
                    checked.lat, checked.long, places=checked.places
                ),
                attributes=checked.answers,
                channel=channel,
                is_public=checked.service.is_public,
                reporter_name=checked.reporter_name,
                reporter_email=checked.reporter_email,
                reporter_phone=checked.reporter_phone,
                department=decision.department,
                department_entered_at=at,
                acknowledge_due_at=acknowledge_due_at,
                close_due_at=close_due_at,
                submitted_at=at,
                updated_at=at,
                idempotency_key=idempotency_key or None,
            )
            _event(
                service_request,
                Event.Kind.SUBMITTED,
                at=at,
                by=by,
                to_status=Status.SUBMITTED,
            )
            _event(
                service_request,
                Event.Kind.ROUTED,
                at=at,
                text=decision.reason,
                to_department=decision.department,
            )
            if checked.reporter_email:
                Follower.objects.create(
                    request=service_request,
                    email=checked.reporter_email,
                    is_reporter=True,
                    created_at=at,
                )
            if not _replaying.get():
                reporter_confirm(service_request)
                alerts_queue(service_request)
    except IntegrityError:
        # Two identical submissions raced; the other one won.
        if idempotency_key:
            existing = ServiceRequest.objects.filter(idempotency_key=idempotency_key)
            if existing_request := existing.first():
                return existing_request
        raise

    return service_request


def location_clean(lat, long) -> tuple[float, float]:
    """Latitude and longitude as numbers in range, or InvalidInput naming
    each one that is not."""
    errors = {}
    try:
        lat = float(lat)
        if not math.isfinite(lat) or not -90 <= lat <= 90:
            raise ValueError
    except (TypeError, ValueError):
        errors["lat"] = gettext("Latitude must be a number between -90 and 90.")

    try:
        long = float(long)
        if not math.isfinite(long) or not -180 <= long <= 180:
            raise ValueError
    except (TypeError, ValueError):
        errors["long"] = gettext("Longitude must be a number between -180 and 180.")

    if errors:
        raise InvalidInput(errors)

    return lat, long


def _check_submission(service, description, channel, reporter_email, by) -> None:
    if not service.is_active:
        raise ActionError(
            gettext("“%(service)s” is no longer offered; pick another service.")
            % {"service": service.name},
            field="service",
        )

    if not service.is_public and not _is_staff(by):
        raise NotAllowed(
            gettext("“%(service)s” can only be reported by town staff.")
            % {"service": service.name},
            field="service",
        )

    if channel not in Channel.values:
        raise ActionError(
            gettext("Unknown channel “%(channel)s”.") % {"channel": channel},
            field="channel",
        )

    if channel in STAFF_CHANNELS and not _is_staff(by):
        raise NotAllowed(
            gettext("Only town staff can enter phone, e-mail and walk-in requests."),
            field="channel",
        )

    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            {
                "description": ngettext(
                    "Keep the description to %(limit)s character or fewer.",
                    "Keep the description to %(limit)s characters or fewer.",
                    MAX_DESCRIPTION_LENGTH,
                )
                % {"limit": MAX_DESCRIPTION_LENGTH}
            }
        )

    if reporter_email:
        try:
            validate_email(reporter_email)
        except ValidationError:
            raise InvalidInput(
                {
                    "reporter_email": gettext(
                        "Enter an e-mail address like name@example.org."
                    )
                }
            ) from None


def _check_lengths(**values: str) -> None:
    # PostgreSQL refuses an over-long value with an error page and SQLite
    # keeps it whole; either way the person should hear what to shorten.
    errors = {}
    for name, value in values.items():
        field = ServiceRequest._meta.get_field(name)
        if len(value) > field.max_length:
            words = {"limit": field.max_length, "field": field.verbose_name}
            if name in TOO_LONG:
                errors[name] = TOO_LONG[name] % words
            else:
                # Only a client of the API meets the others.
                errors[name] = (
                    ngettext(
                        "Keep the %(field)s to %(limit)s character or fewer.",
                        "Keep the %(field)s to %(limit)s characters or fewer.",
                        field.max_length,
                    )
                    % words
                )

    if errors:
        raise InvalidInput(errors)


# Working a request


def request_acknowledge(
    service_request: ServiceRequest,
    *,
    by: User,
    message: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Tell the resident the department has the request."""
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        if locked.status != Status.SUBMITTED:
            status = locked.get_status_display().lower()
            raise InvalidTransition(
                f"Request {locked.number} is already {status}; "
                "there is nothing to acknowledge."
            )

        at = _moment(at, locked)
        _move(locked, Status.ACKNOWLEDGED, at)
        _event(
            locked,
            Event.Kind.ACKNOWLEDGED,
            at=at,
            by=by,
            text=message.strip(),
            from_status=Status.SUBMITTED,
            to_status=Status.ACKNOWLEDGED,
        )
        _save(locked)

    return _refreshed(service_request)


def request_start_work(
    service_request: ServiceRequest,
    *,
    by: User,
    message: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Mark that someone is working on it; this also acknowledges it."""
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "start work on")
        if locked.status == Status.IN_PROGRESS:
            raise InvalidTransition(f"Request {locked.number} is already in progress.")

        at = _moment(at, locked)
        from_status = locked.status
        _move(locked, Status.IN_PROGRESS, at)
        _event(
            locked,
            Event.Kind.WORK_STARTED,
            at=at,
            by=by,
            text=message.strip(),
            from_status=from_status,
            to_status=Status.IN_PROGRESS,
        )
        _save(locked)

    return _refreshed(service_request)


def request_reply(
    service_request: ServiceRequest,
    *,
    by: User,
    text: str,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Write to the resident. A first reply also acknowledges the request."""
    text = _required_text(text, "Write the reply before sending it.")
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _staff_message(locked, Event.Kind.REPLY, text, by=by, at=_moment(at, locked))

    return _refreshed(service_request)


def request_add_note(
    service_request: ServiceRequest,
    *,
    by: User,
    text: str,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Write a note only staff can read. Residents see no change."""
    text = _required_text(text, "Write the note before saving it.")
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _event(
            locked,
            Event.Kind.NOTE,
            at=_moment(at, locked),
            by=by,
            text=text,
            is_public=False,
        )

    return _refreshed(service_request)


def request_ask_information(
    service_request: ServiceRequest,
    *,
    by: User,
    question: str,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Ask the resident for more. As a message from staff to the resident it
    counts as a public reply, so it acknowledges a new request."""
    question = _required_text(question, "Write the question for the resident.")
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "ask about")
        _staff_message(
            locked,
            Event.Kind.INFORMATION_REQUESTED,
            question,
            by=by,
            at=_moment(at, locked),
        )

    return _refreshed(service_request)


def request_record_answer(
    service_request: ServiceRequest,
    *,
    text: str,
    at: datetime | None = None,
) -> ServiceRequest:
    """Keep the resident's answer to a question. Only staff see the text,
    since residents often put personal details in it."""
    text = _required_text(text, gettext("Write your answer before sending it."))
    with transaction.atomic():
        locked = _lock(service_request)
        asked = locked.events.filter(kind=Event.Kind.INFORMATION_REQUESTED).exists()
        if not asked:
            raise InvalidTransition(
                gettext("Nobody has asked a question about request %(number)s.")
                % {"number": locked.number}
            )

        _event(
            locked,
            Event.Kind.INFORMATION_PROVIDED,
            at=_moment(at, locked),
            text=text,
            is_public=False,
        )

    return _refreshed(service_request)


def request_add_resident_update(
    service_request: ServiceRequest, *, text: str, at: datetime | None = None
) -> Event:
    """Keep a resident's comment that a partner site already publishes
    (an Open311 update). It is public, as it is public there, and it is
    allowed on a closed request too: the comment alone changes no status."""
    text = _required_text(text, "description is missing: write the update's text.")
    with transaction.atomic():
        locked = _lock(service_request)
        return _event(
            locked,
            Event.Kind.INFORMATION_PROVIDED,
            at=_moment(at, locked),
            text=text,
        )


def request_assign(
    service_request: ServiceRequest,
    *,
    by: User,
    assignee: User | None,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Give the request to one person of its department, or to nobody."""
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "assign")
        if assignee is not None and not assignee.is_active:
            raise NotAllowed(
                f"{assignee}'s account is switched off; assign someone else.",
                field="assignee",
            )

        if assignee is not None and not assignee.works_for(locked.department):
            raise NotAllowed(
                f"{assignee} does not work for {locked.department}; "
                "assign someone from that department.",
                field="assignee",
            )

        if assignee == locked.assignee:
            raise InvalidTransition(
                f"Request {locked.number} is already assigned to "
                f"{assignee or 'nobody'}."
            )

        locked.assignee = assignee
        _event(
            locked,
            Event.Kind.ASSIGNED,
            at=_moment(at, locked),
            by=by,
            assignee=assignee,
            is_public=False,
        )
        _save(locked)

    return _refreshed(service_request)


def request_reassign(
    service_request: ServiceRequest,
    *,
    by: User,
    department: Department,
    reason: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Move the request to another department's queue.

    The new department's clock starts now. Residents see the move and the
    reason, so the reason should be written for them.
    """
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "reassign")
        if department.pk == locked.department_id:
            raise InvalidTransition(
                f"Request {locked.number} is already with {department}.",
                field="department",
            )

        if not department.is_active:
            raise ActionError(
                f"{department} no longer takes requests; pick another department.",
                field="department",
            )

        at = _moment(at, locked)
        from_department, from_status = locked.department, locked.status
        locked.department = department
        locked.department_entered_at = at
        locked.acknowledge_due_at, locked.close_due_at = due_dates(locked)
        locked.assignee = None
        # The new department has not started anything yet.
        if locked.status == Status.IN_PROGRESS:
            locked.status = Status.ACKNOWLEDGED
        locked.updated_at = at
        _event(
            locked,
            Event.Kind.REASSIGNED,
            at=at,
            by=by,
            text=reason.strip(),
            from_department=from_department,
            to_department=department,
            from_status=from_status if from_status != locked.status else "",
            to_status=locked.status if from_status != locked.status else "",
        )
        _save(locked)

    return _refreshed(service_request)


def request_refer(
    service_request: ServiceRequest,
    *,
    by: User,
    agency: Agency,
    message: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Close the request as another agency's responsibility."""
    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "refer")
        at = _moment(at, locked)
        from_status = locked.status
        locked.agency = agency
        _close(locked, Resolution.REFERRED, at)
        _event(
            locked,
            Event.Kind.REFERRED,
            at=at,
            by=by,
            text=message.strip(),
            agency=agency,
            resolution=Resolution.REFERRED,
            from_status=from_status,
            to_status=Status.CLOSED,
        )
        _save(locked)

    return _refreshed(service_request)


def request_merge(
    service_request: ServiceRequest,
    *,
    by: User,
    original: ServiceRequest,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Close the request as a duplicate of `original`; its followers move
    to the original so they hear how it ends."""
    with transaction.atomic():
        # Lock both rows in a fixed order so two merges cannot deadlock.
        pks = sorted({service_request.pk, original.pk})
        rows = ServiceRequest.objects.select_for_update().filter(pk__in=pks)
        rows = {r.pk: r for r in rows.order_by("pk")}
        locked, target = rows[service_request.pk], rows[original.pk]
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "merge")
        if original.pk == locked.pk:
            raise InvalidTransition(
                "A request cannot be a duplicate of itself; pick the request "
                "it repeats.",
                field="original",
            )

        # Point at the request that ends the chain, so followers land where
        # the outcome will be decided.
        while target.duplicate_of_id:
            target = ServiceRequest.objects.select_for_update().get(
                pk=target.duplicate_of_id
            )

        if target.pk == locked.pk:
            raise InvalidTransition(
                f"Request {original.number} was already merged into request "
                f"{locked.number}, so it cannot be the original.",
                field="original",
            )

        at = _moment(at, locked)
        from_status = locked.status
        locked.duplicate_of = target
        _close(locked, Resolution.DUPLICATE, at)
        _event(
            locked,
            Event.Kind.MERGED,
            at=at,
            by=by,
            text=f"Merged into request {target.number}.",
            duplicate_of=target,
            resolution=Resolution.DUPLICATE,
            from_status=from_status,
            to_status=Status.CLOSED,
        )
        _save(locked)

        already = set(target.followers.values_list("email", flat=True))
        moving = locked.followers.exclude(email__in=already)
        moved = moving.update(request=target, is_reporter=False)
        _event(
            target,
            Event.Kind.NOTE,
            at=at,
            by=by,
            text=f"Request {locked.number} was merged into this one; "
            f"{moved} follower(s) moved here.",
            is_public=False,
        )

    return _refreshed(service_request)


def request_close(
    service_request: ServiceRequest,
    *,
    by: User,
    resolution: str,
    message: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Close the request with how it ended. Closing also acknowledges."""
    if resolution in RESOLUTIONS_WITH_OWN_ACTION:
        action = "merge" if resolution == Resolution.DUPLICATE else "refer"
        raise ActionError(
            f"Use “{action}” to close a request as "
            f"{Resolution(resolution).label.lower()}.",
            field="resolution",
        )

    if resolution not in Resolution.values:
        raise ActionError("Choose how the request was resolved.", field="resolution")

    with transaction.atomic():
        locked = _lock(service_request)
        _check_staff(by, locked)
        _check_version(locked, seen_version)
        _check_open(locked, "close")
        at = _moment(at, locked)
        from_status = locked.status
        _close(locked, resolution, at)
        _event(
            locked,
            Event.Kind.CLOSED,
            at=at,
            by=by,
            text=message.strip(),
            resolution=resolution,
            from_status=from_status,
            to_status=Status.CLOSED,
        )
        _save(locked)

    return _refreshed(service_request)


def request_reopen(
    service_request: ServiceRequest,
    *,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ServiceRequest:
    """Put a closed request back in its department's queue, acknowledged.

    `by` is None when the resident reopens it by rating the outcome as not
    fixed. The close time is cleared: the next close is the one counted.
    """
    with transaction.atomic():
        locked = _lock(service_request)
        if by is not None:
            _check_staff(by, locked)
        _check_version(locked, seen_version)
        if locked.status != Status.CLOSED:
            status = locked.get_status_display().lower()
            raise InvalidTransition(
                f"Request {locked.number} is still open ({status}); only a "
                "closed request can be reopened."
            )

        at = _moment(at, locked)
        locked.status = Status.ACKNOWLEDGED
        if by is not None:
            # Only a withdrawn request was never acknowledged; staff taking
            # it back up is its acknowledgment.
            _mark_acknowledged(locked, at)
        locked.resolution = ""
        locked.closed_at = None
        # The department gets its close target again for the reopened work.
        _, locked.close_due_at = due_dates(locked, since=at)
        locked.agency = None
        locked.duplicate_of = None
        locked.updated_at = at
        _event(
            locked,
            Event.Kind.REOPENED,
            at=at,
            by=by,
            text=reason.strip(),
            from_status=Status.CLOSED,
            to_status=Status.ACKNOWLEDGED,
        )
        _save(locked)

    return _refreshed(service_request)


# What residents do themselves


def request_withdraw(
    service_request: ServiceRequest,
    *,
    email: str,
    at: datetime | None = None,
) -> ServiceRequest:
    """Close a request at its reporter's wish, while nobody has acknowledged
    it yet.

    A withdrawal is not a response from the town: it sets `closed_at`, so
    the request leaves the queue, but not `acknowledged_at`. The metrics
    leave withdrawn requests out of close figures by their resolution.
    """
    email = (email or "").strip().lower()
    with transaction.atomic():
        locked = _lock(service_request)
        if not email or email != locked.reporter_email.lower():
            raise NotAllowed(
                gettext(
                    "Only the person who reported request %(number)s can withdraw it."
                )
                % {"number": locked.number}
            )

        if locked.status != Status.SUBMITTED:
            raise InvalidTransition(
                gettext(
                    "Request %(number)s is already %(status)s; only a request "
                    "nobody has acknowledged yet can be withdrawn."
                )
                % {
                    "number": locked.number,
                    "status": status_label(locked.status).lower(),
                }
            )

        at = _moment(at, locked)
        locked.status = Status.CLOSED
        locked.resolution = Resolution.WITHDRAWN
        locked.closed_at = at
        locked.updated_at = at
        _event(
            locked,
            Event.Kind.CLOSED,
            at=at,
            text="Withdrawn by the resident.",
            resolution=Resolution.WITHDRAWN,
            from_status=Status.SUBMITTED,
            to_status=Status.CLOSED,
        )
        _save(locked)

    return _refreshed(service_request)


# Helpers shared by the actions above


def _lock(service_request: ServiceRequest) -> ServiceRequest:
    # Only the request row: PostgreSQL cannot lock the nullable side of the
    # join to the department, and locking the department would make every
    # action in its queue wait for every other.
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=service_request.pk)
    )


def _refreshed(service_request: ServiceRequest) -> ServiceRequest:
    # The caller's copy is stale after the action; refresh it in place so
    # code holding it cannot act on the old state.
    service_request.refresh_from_db()
    return service_request


def _is_staff(user: User | None) -> bool:
    return (
        user is not None
        and user.is_active
        and (user.sees_all_departments or user.department_id is not None)
    )


def _check_staff(by: User | None, service_request: ServiceRequest) -> None:
    if by is None or not by.is_active:
        raise NotAllowed("Sign in as town staff to do this.")

    if not by.works_for(service_request.department):
        raise NotAllowed(
            f"Request {service_request.number} is in the {service_request.department} "
            "queue, which you do not work. Ask a coordinator to reassign it or to "
            "grant you access."
        )


def _check_version(service_request: ServiceRequest, seen_version: int | None) -> None:
    """Refuse an action taken on a page that showed an older state.

    Staff pages send the version they showed; when someone else acted in
    between, the second person is told and sees the new state instead of
    undoing or repeating the first person's work.
    """
    if seen_version is not None and seen_version != service_request.version:
        raise InvalidTransition(
            f"Someone else changed request {service_request.number} while you "
            "were looking at it. Check what they did before you act."
        )


def _check_open(service_request: ServiceRequest, verb: str) -> None:
    if service_request.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"Request {service_request.number} is closed; reopen it before you "
            f"{verb} it."
        )


def _required_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"text": message})

    return text


def _moment(at: datetime | None, service_request: ServiceRequest) -> datetime:
    if at is None:
        return timezone.now()

    # A replayed history must stay in order, or the timeline and the
    # metric timestamps would tell different stories.
    latest = service_request.events.order_by("-created_at")
    latest_at = latest.values_list("created_at", flat=True).first()
    if at < (latest_at or service_request.submitted_at):
        raise ActionError(
            f"An action on request {service_request.number} cannot be dated "
            "before its latest timeline event."
        )

    return at


def _staff_message(
    service_request: ServiceRequest, kind: str, text: str, *, by: User, at: datetime
) -> None:
    """Write a public message from staff; the first one acknowledges."""
    from_status = service_request.status
    if from_status == Status.SUBMITTED:
        _move(service_request, Status.ACKNOWLEDGED, at)
    else:
        service_request.updated_at = at

    moved = from_status != service_request.status
    _event(
        service_request,
        kind,
        at=at,
        by=by,
        text=text,
        from_status=from_status if moved else "",
        to_status=service_request.status if moved else "",
    )
    _save(service_request)


def _move(service_request: ServiceRequest, status: str, at: datetime) -> None:
    """Change an open request's status; any move out of submitted is its
    acknowledgment."""
    service_request.status = status
    service_request.updated_at = at
    _mark_acknowledged(service_request, at)


def _mark_acknowledged(service_request: ServiceRequest, at: datetime) -> None:
    if service_request.acknowledged_at is not None:
        return

    service_request.acknowledged_at = at
    service_request.acknowledged_department = service_request.department
    service_request.acknowledged_department_entered_at = (
        service_request.department_entered_at
    )


def _close(service_request: ServiceRequest, resolution: str, at: datetime) -> None:
    service_request.status = Status.CLOSED
    service_request.resolution = resolution
    service_request.closed_at = at
    service_request.updated_at = at
    _mark_acknowledged(service_request, at)


def _save(service_request: ServiceRequest) -> None:
    service_request.version += 1
    service_request.save(
        update_fields=[
            "version",
            "status",
            "resolution",
            "department",
            "department_entered_at",
            "agency",
            "assignee",
            "duplicate_of",
            "acknowledged_at",
            "acknowledged_department",
            "acknowledged_department_entered_at",
            "closed_at",
            "updated_at",
            "acknowledge_due_at",
            "close_due_at",
        ]
    )


def _event(
    service_request: ServiceRequest, kind: str, *, at: datetime, by=None, **fields
) -> Event:
    fields.setdefault("is_public", True)
    event = Event.objects.create(
        request=service_request, kind=kind, created_at=at, actor=by, **fields
    )

    # Through the outbox, in the action's own transaction: followers hear of
    # exactly the actions that happened.
    if not _replaying.get():
        followers_notify(event)
    return event
