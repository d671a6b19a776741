"""Redaction: hiding what a resident wrote or photographed that exposes
personal details or is abusive.

The public page then shows a marker instead of the text, or leaves the
photo out. The original is kept in a `Redaction` row, which only leads,
coordinators and administrators may read on the staff page, and the
timeline gets an internal note saying who redacted what (never the
original itself, or the note would undo the redaction for every staff
member).
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from town311.accounts.models import User
from town311.directory.models import Town
from town311.lib.errors import InvalidInput, InvalidTransition, NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import Event, Photo, Redaction, ServiceRequest

logger = logging.getLogger(__name__)

REDACTED = "[removed by staff]"

Target = Redaction.Target


def can_see_originals(user: User) -> bool:
    """Leads, coordinators and administrators may read what was redacted."""
    return user.is_active and (
        user.is_superuser or user.role in (User.Role.LEAD, User.Role.COORDINATOR)
    )


def request_redact(
    service_request: ServiceRequest,
    *,
    by: User,
    target: str,
    reason: str,
    event: Event | None = None,
    photo: Photo | None = None,
    seen_version: int | None = None,
) -> Redaction:
    """Redact the request's description, one timeline entry's text, or hide
    one of its photos, keeping the original for those allowed to see it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why you are redacting it."})

    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update(of=("self",)).get(
            pk=service_request.pk
        )
        _check(by, locked, seen_version)

        match target:
            case Target.DESCRIPTION:
                redaction, what = _redact_description(locked, by, reason)
            case Target.EVENT:
                redaction, what = _redact_event(locked, event, by, reason)
            case Target.PHOTO:
                redaction, what = _hide_photo(locked, photo, by, reason)
            case _:
                raise InvalidInput({"target": "Choose what to redact."})

        # The page showing the old text is out of date now, like after any
        # other action.
        ServiceRequest.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        services.request_add_note(
            locked, by=by, text=f"Redacted {what}. Reason: {reason}"
        )

    service_request.refresh_from_db()
    return redaction


def _check(by: User, service_request: ServiceRequest, seen_version) -> None:
    if by is None or not by.works_for(service_request.department):
        raise NotAllowed(
            f"Request {service_request.number} is in the "
            f"{service_request.department} queue, which you do not work, so you "
            "cannot redact it."
        )

    if seen_version is not None and seen_version != service_request.version:
        raise InvalidTransition(
            f"Someone else changed request {service_request.number} while you "
            "were looking at it. Check what they did before you redact."
        )


def _redact_description(service_request, by, reason) -> tuple[Redaction, str]:
    if not service_request.description or service_request.description == REDACTED:
        raise InvalidTransition(
            f"The description of request {service_request.number} has nothing "
            "left to redact."
        )

    redaction = Redaction.objects.create(
        request=service_request,
        target=Target.DESCRIPTION,
        original_text=service_request.description,
        reason=reason,
        redacted_by=by,
    )
    ServiceRequest.objects.filter(pk=service_request.pk).update(description=REDACTED)
    return redaction, "the description"


def _redact_event(service_request, event, by, reason) -> tuple[Redaction, str]:
    if event is None or event.request_id != service_request.pk:
        raise InvalidInput(
            {"event": f"Pick an entry of request {service_request.number}'s timeline."}
        )

    if not event.text or event.text == REDACTED:
        raise InvalidTransition("That timeline entry has no text left to redact.")

    redaction = Redaction.objects.create(
        request=service_request,
        target=Target.EVENT,
        event=event,
        original_text=event.text,
        reason=reason,
        redacted_by=by,
    )
    # Event.save refuses any change, because the timeline is the record the
    # metrics are checked against. Redaction replaces only the words (never
    # the kind, time or status of the entry, which the metrics read), and
    # the words are kept in the Redaction row, so an update is the one
    # sanctioned way past that guard.
    Event.objects.filter(pk=event.pk).update(text=REDACTED)
    town = Town.objects.current()
    when = timezone.localtime(event.created_at, town.zone if town else None)
    when = when.strftime("%Y-%m-%d %H:%M")
    return redaction, f"the text of the “{event.get_kind_display()}” entry of {when}"


def _hide_photo(service_request, photo, by, reason) -> tuple[Redaction, str]:
    if photo is None or photo.request_id != service_request.pk:
        raise InvalidInput(
            {"photo": f"Pick one of request {service_request.number}'s photos."}
        )

    if photo.is_hidden:
        raise InvalidTransition("That photo is already hidden from the public.")

    redaction = Redaction.objects.create(
        request=service_request,
        target=Target.PHOTO,
        photo=photo,
        reason=reason,
        redacted_by=by,
    )
    Photo.objects.filter(pk=photo.pk).update(is_hidden=True)
    position = service_request.photos.filter(pk__lte=photo.pk).count()
    return redaction, f"photo {position}, hiding it from the public"
