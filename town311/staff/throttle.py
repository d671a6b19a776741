"""The staff sign-in throttle: too many failed sign-ins for one username, or
from one address, lock further attempts for a while, so a password cannot be
guessed by trying many."""

import logging
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from town311.staff.models import LoginAttempt

logger = logging.getLogger(__name__)


def _key(username: str) -> str:
    # Usernames differ only by case for people, not for guessers, so the
    # throttle counts them together.
    return username.strip().casefold()[:150]


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def _failures(now: datetime, **lookup):
    return LoginAttempt.objects.filter(
        succeeded=False, created_at__gt=now - _window(), **lookup
    )


def _locked_until(failures) -> datetime | None:
    """When enough of these failures will have left the window to let a
    person try again, or None if they may try now."""
    limit = settings.LOGIN_FAILURE_LIMIT
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True))
    if len(times) < limit:
        return None

    # The lock lifts when fewer than `limit` failures remain in the window,
    # i.e. when the limit-th most recent one grows older than the window.
    return times[limit - 1] + _window()


def sign_in_lock_minutes(*, username: str, ip_address: str | None) -> int:
    """Minutes until this username or address may try to sign in again;
    0 when it may try now."""
    now = timezone.now()
    ends = [_locked_until(_failures(now, username=_key(username)))]
    if ip_address:
        ends.append(_locked_until(_failures(now, ip_address=ip_address)))

    ends = [end for end in ends if end is not None and end > now]
    if not ends:
        return 0

    return max(1, math.ceil((max(ends) - now).total_seconds() / 60))


def sign_in_attempt_record(
    *, username: str, ip_address: str | None, succeeded: bool
) -> None:
    """Remember a sign-in attempt. Refused attempts count as failures, so
    someone who keeps trying while locked stays locked."""
    now = timezone.now()

    LoginAttempt.objects.create(
        username=_key(username),
        ip_address=ip_address or None,
        succeeded=succeeded,
        created_at=now,
    )

    # Attempts older than the window no longer count for anything; pruning
    # them here keeps the table small without a scheduled job.
    LoginAttempt.objects.filter(created_at__lte=now - _window()).delete()

    if succeeded:
        return

    limit = settings.LOGIN_FAILURE_LIMIT
    by_username = _failures(now, username=_key(username)).count()
    by_address = _failures(now, ip_address=ip_address).count() if ip_address else 0
    # Warn once, as the lock starts, rather than at every refused attempt.
    if by_username == limit or by_address == limit:
        logger.warning(
            "Staff sign-in locked after %d failed attempts (address %s)",
            max(by_username, by_address),
            ip_address or "unknown",
        )
