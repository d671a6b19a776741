"""API keys: making them, checking them and counting their calls per minute.

A raw key looks like "t311_" followed by 32 random URL-safe characters. The
database keeps the first 8 characters after "t311_" (the prefix, to find the
row) and a SHA-256 hash of the whole key.
"""

import hashlib
import hmac
import logging
import math
import secrets
import string
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from town311.open311.models import ApiKey, ApiRateWindow

logger = logging.getLogger(__name__)

KEY_PREFIX = "t311_"
PREFIX_LENGTH = 8
SECRET_LENGTH = 32
KEY_ALPHABET = string.ascii_letters + string.digits
WINDOW = timedelta(minutes=1)


class ApiKeyRefused(Exception):
    """The call may not go on: `status` is 403 or 429, `description` says why.

    `retry_after` is the number of seconds to wait (429 only), for the
    Retry-After header.
    """

    def __init__(
        self, status: int, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _hash(raw_key: str) -> str:
    # A key is 32 random characters (about 190 bits), so nobody can guess it
    # from its hash by trying candidates; a slow password hash would only
    # make every API call slower without adding safety.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _new_raw_key() -> str:
    # Letters and digits only: a key (or its prefix) starting with "-" would
    # be read as an option on the command line, and 32 of 62 symbols still
    # give about 190 bits.
    return KEY_PREFIX + "".join(
        secrets.choice(KEY_ALPHABET) for _ in range(SECRET_LENGTH)
    )


def api_key_issue(api_key: ApiKey) -> str:
    """Give an unsaved key its secret: set prefix and hash, return the raw key."""
    while True:
        raw_key = _new_raw_key()
        prefix = raw_key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_LENGTH]
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break

    api_key.prefix = prefix
    api_key.key_hash = _hash(raw_key)
    return raw_key


def api_key_create(*, name: str, owner, rate_limit: int = 60) -> tuple[ApiKey, str]:
    """Make a key; the raw key is returned only here and is never stored."""
    api_key = ApiKey(name=name, owner=owner, rate_limit=rate_limit)
    raw_key = api_key_issue(api_key)
    api_key.full_clean()
    api_key.save()
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Stop a key from working; revoking twice keeps the first date."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def _find(raw_key: str) -> ApiKey | None:
    if not raw_key.startswith(KEY_PREFIX):
        return None
    prefix = raw_key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_LENGTH]
    # Every call of the API with a key starts here; a raw query skips
    # building the SQL each time.
    table = connection.ops.quote_name(ApiKey._meta.db_table)
    found = ApiKey.objects.raw(f"SELECT * FROM {table} WHERE prefix = %s", [prefix])
    api_key = next(iter(found), None)
    if api_key is None:
        return None

    if not hmac.compare_digest(api_key.key_hash, _hash(raw_key)):
        return None
    return api_key


def window_start(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _count_call(api_key: ApiKey, start: datetime) -> int:
    """Add one call to the key's window and return the new count.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING statement does it, so
    several web processes counting at once never lose a call; SQLite (3.35+)
    and PostgreSQL both understand it.
    """
    table = connection.ops.quote_name(ApiRateWindow._meta.db_table)
    sql = (
        f"INSERT INTO {table} (api_key_id, window_start, count) VALUES (%s, %s, 1) "
        "ON CONFLICT (api_key_id, window_start) "
        f"DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )
    values = [api_key.pk, connection.ops.adapt_datetimefield_value(start)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchone()[0]

    # A count lost in a crash lets a key make a few more calls once, so
    # PostgreSQL need not wait for the disk before answering. Two
    # statements in one query run as one transaction of their own, so the
    # relaxed commit reaches only the count, in a single round trip; a
    # commit that waited would hold the window's row, which every call of
    # the key updates, while the disk catches up.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF; " + sql, values)
        cursor.nextset()
        return cursor.fetchone()[0]


def api_key_check(request, raw_key: str | None) -> ApiKey:
    """Return the key if it is valid and under its rate limit.

    Raises ApiKeyRefused (403 or 429) otherwise. Every accepted or
    rate-limited call counts in the current minute.
    """
    raw_key = (raw_key or "").strip()
    if not raw_key:
        raise ApiKeyRefused(403, "api_key is missing")

    api_key = _find(raw_key)
    if api_key is None or api_key.is_revoked:
        raise ApiKeyRefused(403, "api_key is not valid or was revoked")

    now = timezone.now()
    start = window_start(now)
    # The count is one statement committed at once, not part of the call's
    # transaction: a row lock held until the call ends would make every
    # call of one key wait for the one before it.
    count = _count_call(api_key, start)
    if count == 1:
        # The first call of a minute clears the key's older windows, so
        # the table holds about one row per active key.
        api_key.rate_windows.filter(window_start__lt=start).delete()
    if count > api_key.rate_limit:
        if count == api_key.rate_limit + 1:
            # Once per minute at most: the first refused call of the window.
            logger.warning(
                "API key %s reached its limit of %d calls per minute",
                api_key.prefix,
                api_key.rate_limit,
            )
        retry_after = max(1, math.ceil((start + WINDOW - now).total_seconds()))
        raise ApiKeyRefused(
            429,
            f"Rate limit of {api_key.rate_limit} requests per minute exceeded; "
            f"retry after {retry_after} seconds",
            retry_after=retry_after,
        )

    # A conditional update keeps this to one write per key per minute,
    # however many calls come in.
    if api_key.last_used_at is None or api_key.last_used_at < now - WINDOW:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - WINDOW)
        ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
