"""Taking a request posted through the API.

A post is checked at once, by the same `submission_check` the web form's
`request_submit` runs, so a client hears about bad input in the answer.
What passes is stored with a token and filed by a task, through
`request_submit` with the `api` channel, so an API request gets the same
routing, timeline and e-mail as one from the web form. Its clocks start
when it was posted, not when the task ran. The client reads the new
request's id from `tokens/{token}`: GeoReport v2 calls such services
"batch".
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from town311.directory.gazetteer import places_search
from town311.directory.models import Place, Service, Town
from town311.lib.errors import ActionError, InvalidInput, NotAllowed

# The tasks module imports this one; its task is looked up only when used.
from town311.open311 import params, tasks
from town311.open311.catalogue import CheckedService, public_service
from town311.open311.formats import Open311Error
from town311.open311.models import ApiKey, RequestToken
from town311.servicerequests.models import Channel
from town311.servicerequests.routing import Geography
from town311.servicerequests.services import request_submit, submission_check

logger = logging.getLogger(__name__)

# Identical posts from one key within this many seconds make one request:
# a client retrying after a lost answer must not file the problem twice.
REPEAT_WINDOW_SECONDS = 600

# A filing task runs this long after the post that queued it, and files
# every post that came meanwhile.
FILING_DELAY = timedelta(seconds=1)
FILING_QUEUED_KEY = "open311:filing-queued"

# A post still waiting this long lost its task (the queue was down, or a
# worker died), and the schedule files it.
LATE_AFTER = timedelta(minutes=2)

# Our field names in error messages, as the client knows them.
ARGUMENT_NAMES = {
    "reporter_email": "email",
    "reporter_name": "first_name and last_name",
    "reporter_phone": "phone",
}

IGNORED_IN_FINGERPRINT = {"api_key"}


def jurisdiction_id(town: Town) -> str:
    """The one jurisdiction this server answers for: the town's name as a
    slug, such as "riverton"."""
    return slugify(town.name)


def api_request_submit(
    *, api_key: ApiKey, arguments, places: Geography
) -> RequestToken:
    """Check the request the arguments describe, queue it for filing and
    return its token; posting the same arguments again soon returns the
    same token.

    `places` is the routing geography, with the town. The token's request
    is set when the request was filed before the answer, as it is with a
    task backend that runs tasks at once.
    """
    fingerprint = _fingerprint(api_key, arguments)
    service, values, media_url = _checked(arguments, places, fingerprint)

    token = _token_store(
        RequestToken(
            token=secrets.token_urlsafe(24),
            fingerprint=fingerprint,
            media_url=media_url,
            submission={"service": service.pk, **values},
        )
    )
    if token is None:
        return RequestToken.objects.get(fingerprint=fingerprint)

    _filing_queue()
    if token.request_id is None and _filed_at_once():
        token.refresh_from_db(fields=["request"])
    return token


def _filing_queue() -> None:
    """Make sure a filing task runs after the token just stored.

    Posts are filed in batches: the task files every waiting post, and
    runs FILING_DELAY after it was queued. While the task this process
    queued last is not due yet, it will see the new token, so a busy
    server queues about one task per second instead of one per post. The
    token is stored before this, and a token whose task was lost is filed
    by the schedule (posted_requests_file_late).
    """
    task = tasks.file_posted_requests
    try:
        if not task.get_backend().supports_defer:
            task.enqueue()
        elif cache.add(FILING_QUEUED_KEY, True, timeout=FILING_DELAY.total_seconds()):
            task.using(run_after=timezone.now() + FILING_DELAY).enqueue()
    except Exception:
        logger.exception("Could not queue the filing of API posts")


def _filed_at_once() -> bool:
    # A backend that runs tasks at once (the tests, a small install
    # without a worker) has filed the request before the answer.
    return not tasks.file_posted_requests.get_backend().supports_defer


def _token_store(token: RequestToken) -> RequestToken | None:
    """Insert the token and return it, or None when its fingerprint is
    taken: the same post came before.

    One INSERT … ON CONFLICT DO NOTHING … RETURNING statement, committed
    at once: a repeated post finds the first one's row without an error
    that would spoil the caller's transaction, and without a query before
    every post to look for it (SQLite 3.35+ and PostgreSQL).
    """
    table = connection.ops.quote_name(RequestToken._meta.db_table)
    fields = [
        RequestToken._meta.get_field(name)
        for name in ("token", "fingerprint", "submission", "failure", "media_url")
    ]
    created_at = RequestToken._meta.get_field("created_at")
    columns = ", ".join(
        connection.ops.quote_name(f.column) for f in [*fields, created_at]
    )
    values = [f.get_db_prep_save(getattr(token, f.attname), connection) for f in fields]
    values.append(created_at.get_db_prep_save(token.created_at, connection))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(values))}) "
        "ON CONFLICT (fingerprint) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None

    token.pk = row[0]
    token._state.adding = False
    return token


def _checked(
    arguments, places: Geography, fingerprint: str
) -> tuple[Service, dict, str]:
    """The post's service, the values to file it with, and its media_url;
    raises Open311Error for anything the post gets wrong."""
    _check_jurisdiction(arguments, places.town)
    checked = _service(arguments, places.version)
    lat, long, address = _location(arguments)
    media_url = _media_url(arguments)
    name = " ".join(
        part
        for part in (
            params.text(arguments, "first_name"),
            params.text(arguments, "last_name"),
        )
        if part
    )
    values = {
        "lat": lat,
        "long": long,
        "description": params.text(arguments, "description"),
        "address": address,
        "attributes": params.attributes(arguments),
        "reporter_name": name,
        "reporter_email": params.text(arguments, "email"),
        "reporter_phone": params.text(arguments, "phone"),
    }

    try:
        submission_check(
            service=checked.service,
            channel=Channel.API,
            idempotency_key=fingerprint,
            places=places,
            questions=checked.questions,
            **values,
        )
    except ActionError as e:
        raise _refusal(e) from None

    return checked.service, values, media_url


def posted_request_file(token_id: int) -> int | None:
    """File the request a queued post describes and return its id.

    Returns None when the request could not be filed; the token then says
    why. A token already handled is left as it is.
    """
    with transaction.atomic():
        token = RequestToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None or not token.is_waiting:
            return token.request_id if token else None

        values = dict(token.submission)
        service = (
            Service.objects.filter(pk=values.pop("service", None))
            .select_related("department")
            .first()
        )
        try:
            if service is None:
                raise ActionError(
                    "The service was removed before the request was filed."
                )
            service_request = request_submit(
                service=service,
                channel=Channel.API,
                idempotency_key=token.fingerprint,
                at=token.created_at,
                **values,
            )
        except ActionError as e:
            # Only a change between the post and the task (a service
            # withdrawn, a boundary moved) gets here: the post was checked.
            token.failure = "; ".join(_refusal(e).descriptions)
            token.submission = {}
            token.save(update_fields=["failure", "submission"])
            logger.warning(
                "API post %s could not be filed: %s", token.pk, type(e).__name__
            )
            return None

        token.request = service_request
        token.submission = {}
        token.save(update_fields=["request", "submission"])

    return service_request.pk


def posted_requests_file_waiting() -> int:
    """File every post still waiting; return how many were filed."""
    return _posts_file(RequestToken.objects.filter(request=None, failure=""))


def posted_requests_file_late(now=None) -> int:
    """File the posts that waited longer than a task should take; return how
    many were filed."""
    now = now or timezone.now()
    return _posts_file(
        RequestToken.objects.filter(
            request=None, failure="", created_at__lt=now - LATE_AFTER
        )
    )


def _posts_file(waiting) -> int:
    filed = 0
    for token_id in list(waiting.order_by("pk").values_list("pk", flat=True)):
        try:
            if posted_request_file(token_id) is not None:
                filed += 1
        except Exception:
            logger.exception("Filing API post %s failed", token_id)
    return filed


def _refusal(e: ActionError) -> Open311Error:
    if isinstance(e, InvalidInput):
        return Open311Error.several(
            400, [_described(field, m) for field, m in e.errors.items()]
        )
    if isinstance(e, NotAllowed):
        return Open311Error(403, e.message)
    return Open311Error(400, e.message)


def _check_jurisdiction(arguments, town: Town) -> None:
    given = params.text(arguments, "jurisdiction_id")
    if given and given != jurisdiction_id(town):
        raise Open311Error(
            400,
            f"jurisdiction_id “{given}” is not served here; "
            f"use “{jurisdiction_id(town)}” or leave it out.",
        )


def _service(arguments, version: int | None) -> CheckedService:
    code = params.text(arguments, "service_code")
    if not code:
        raise Open311Error(400, "service_code is missing; services.json lists them.")

    # Staff-only services are refused as unknown, so their codes stay private.
    service = public_service(code, version)
    if service is None:
        raise Open311Error(
            400, f"service_code “{code}” is not a service; services.json lists them."
        )
    return service


def _location(arguments) -> tuple[float, float, str]:
    lat = params.coordinate(arguments, "lat", -90, 90)
    long = params.coordinate(arguments, "long", -180, 180)
    address = params.text(arguments, "address_string")
    if (lat is None) != (long is None):
        raise Open311Error(400, "Send lat and long together.")

    if lat is not None:
        return lat, long, address

    if address_id := params.text(arguments, "address_id"):
        place = (
            Place.objects.filter(pk=address_id).first()
            if address_id.isdigit()
            else None
        )
        if place is None:
            raise Open311Error(400, f"address_id “{address_id}” is not a known place.")
        return place.lat, place.long, address or place.name

    if address:
        matches = places_search(address, limit=1)
        if not matches:
            raise Open311Error(
                400,
                f"No street or landmark matches address_string “{address}”; "
                "send lat and long instead.",
            )
        return matches[0].lat, matches[0].long, matches[0].address

    raise Open311Error(
        400,
        "Say where the problem is: send lat and long, address_string or address_id.",
    )


def _media_url(arguments) -> str:
    url = params.text(arguments, "media_url")
    if not url:
        return ""

    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        url = ""
    field = RequestToken._meta.get_field("media_url")
    if not url or len(url) > field.max_length:
        raise Open311Error(
            400,
            f"media_url must be an http or https address of at most "
            f"{field.max_length} characters.",
        )
    return url


def _fingerprint(api_key: ApiKey, arguments) -> str:
    pairs = sorted(
        (key, value.strip())
        for key in arguments
        if key not in IGNORED_IN_FINGERPRINT
        for value in arguments.getlist(key)
        if value.strip()
    )
    bucket = int(timezone.now().timestamp()) // REPEAT_WINDOW_SECONDS
    digest = hashlib.sha256(repr((api_key.pk, bucket, pairs)).encode()).hexdigest()
    return f"open311:{digest}"


def _described(field: str, message: str) -> str:
    name = ARGUMENT_NAMES.get(field)
    if name is None and field not in ("lat", "long", "description", "address"):
        name = f"attribute[{field}]"
    return f"{name}: {message}" if name else message
