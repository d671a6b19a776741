"""What residents do with a request once it exists: follow it, say "me
too", and rate the outcome after it is closed.

None of these change a request's status, except a "not fixed" rating
soon after a close, which reopens the request through the lifecycle so
that staff see it in their queue again.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from town311.lib.errors import ActionError, InvalidInput, InvalidTransition
from town311.servicerequests import services
from town311.servicerequests.models import (
    Follower,
    MeToo,
    Rating,
    Resolution,
    ServiceRequest,
)

# How long after a close a request can still be followed, and a "not
# fixed" rating still reopens it; after that the problem is a new report.
REOPEN_WINDOW = timedelta(days=30)
MAX_COMMENT_LENGTH = 2000
# Public, in the timeline; written in the site's default language because
# it is stored, not shown from a template.
REOPEN_REASON = "The resident who reported it says it is not fixed."


class NotPublic(ActionError):
    """The request is not on the public site."""


class FollowingEnded(InvalidTransition):
    """The request was closed too long ago to follow."""


class MeTooClosed(InvalidTransition):
    """The request is closed, so adding "me too" would change nothing."""


class RatingRefused(ActionError):
    """This request cannot be rated, or not by this person, or not now."""


def request_follow(service_request: ServiceRequest, *, email: str) -> Follower:
    """Send updates on the request to `email`. Following twice is one follow.

    A request merged as a duplicate is followed through its original,
    where the outcome will be decided; the returned follower says which.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            {"email": _("Enter an e-mail address like name@example.org.")}
        ) from None

    if len(email) > Follower._meta.get_field("email").max_length:
        raise InvalidInput({"email": _("This e-mail address is too long.")})

    target = _original(service_request)
    _check_public(target)
    if not target.is_open and target.closed_at < timezone.now() - REOPEN_WINDOW:
        raise FollowingEnded(
            _(
                "Request %(number)s was closed more than 30 days ago, so there "
                "will be no more updates. If the problem is back, please "
                "report it again."
            )
            % {"number": target.number}
        )

    with transaction.atomic():
        follower, _created = Follower.objects.get_or_create(request=target, email=email)

    return follower


def request_me_too(service_request: ServiceRequest, *, visitor: str) -> bool:
    """Count the visitor as affected too; False if they already were.

    `visitor` is an opaque hash (of a browser session, say), never an
    e-mail address or a name.
    """
    if not visitor or len(visitor) > MeToo._meta.get_field("visitor").max_length:
        raise ValueError("visitor must be a hash of at most 64 characters")

    _check_public(service_request)
    if not service_request.is_open:
        raise MeTooClosed(
            _(
                "Request %(number)s is closed. If the problem is still there, "
                "please report it again."
            )
            % {"number": service_request.number}
        )

    with transaction.atomic():
        _me_too, created = MeToo.objects.get_or_create(
            request=service_request, visitor=visitor
        )

    return created


def request_rate(
    service_request: ServiceRequest,
    *,
    email: str,
    is_fixed: bool,
    score: int,
    comment: str = "",
) -> Rating:
    """Keep the reporter's judgment of how the request was closed.

    One rating counts per close: rating the same close again replaces the
    earlier rating. "Not fixed" within 30 days of the close reopens the
    request; the caller can tell from the request's status afterwards.
    """
    comment = (comment or "").strip()
    _check_rating(is_fixed, score, comment)

    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        request_check_rateable(locked, email=email)

        now = timezone.now()
        rating = close_rating(locked) or Rating(request=locked)
        rating.is_fixed = is_fixed
        rating.score = score
        rating.comment = comment
        rating.created_at = now
        rating.save()

        if not is_fixed and now - locked.closed_at <= REOPEN_WINDOW:
            # The comment stays with the rating, which only staff read: the
            # reopen reason is public, and residents' comments often hold
            # personal details.
            services.request_reopen(service_request, by=None, reason=REOPEN_REASON)

    service_request.refresh_from_db()
    return rating


def close_rating(service_request: ServiceRequest) -> Rating | None:
    """The reporter's rating of the request's latest close, if any."""
    if service_request.closed_at is None:
        return None

    return service_request.ratings.filter(
        created_at__gte=service_request.closed_at
    ).first()


def request_check_rateable(service_request: ServiceRequest, *, email: str) -> None:
    """Raise RatingRefused, saying why, unless `email` may rate the request now."""
    number = service_request.number
    if service_request.is_open:
        raise RatingRefused(
            _(
                "Request %(number)s is open, so there is nothing to rate yet. "
                "You will get an e-mail with a new link when it is closed."
            )
            % {"number": number}
        )

    if service_request.resolution == Resolution.DUPLICATE:
        raise RatingRefused(
            _(
                "Request %(number)s was closed as a duplicate of request "
                "%(original)s; its outcome is decided there."
            )
            % {"number": number, "original": service_request.duplicate_of_id}
        )

    if service_request.resolution == Resolution.WITHDRAWN:
        raise RatingRefused(
            _("Request %(number)s was withdrawn by its reporter.") % {"number": number}
        )

    # Rating links go to the reporter, who knows whether the problem they
    # saw is gone; a follower who thinks otherwise can report it again.
    reporter = service_request.reporter_email.strip().lower()
    if not reporter or (email or "").strip().lower() != reporter:
        raise RatingRefused(
            _("Only the person who reported request %(number)s can rate it.")
            % {"number": number}
        )


def _original(service_request: ServiceRequest) -> ServiceRequest:
    target = service_request
    seen = {target.pk}
    while target.duplicate_of_id and target.duplicate_of_id not in seen:
        target = target.duplicate_of
        seen.add(target.pk)

    return target


def _check_public(service_request: ServiceRequest) -> None:
    if not (service_request.is_public and service_request.service.is_public):
        raise NotPublic(
            _("Request %(number)s is not public.") % {"number": service_request.number}
        )


def _check_rating(is_fixed, score, comment: str) -> None:
    errors = {}
    if not isinstance(is_fixed, bool):
        errors["is_fixed"] = _("Tell us whether the problem was fixed.")

    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors["score"] = _("Choose a score from 1 to 5.")

    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = ngettext(
            "Keep the comment to %(max)d character or fewer.",
            "Keep the comment to %(max)d characters or fewer.",
            MAX_COMMENT_LENGTH,
        ) % {"max": MAX_COMMENT_LENGTH}

    if errors:
        raise InvalidInput(errors)
