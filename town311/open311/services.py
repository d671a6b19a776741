"""Taking a request posted through the API.

The arguments are turned into a call of `request_submit`, so an API
request meets the same checks, routing, timeline and e-mail as one from
the web form; only the reading of the arguments is the API's own.
"""

import hashlib
import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from town311.directory.gazetteer import places_search
from town311.directory.models import Place, Service, Town
from town311.lib.errors import ActionError, HandledElsewhere, InvalidInput, NotAllowed
from town311.open311 import params
from town311.open311.formats import Open311Error
from town311.open311.models import ApiKey, RequestToken
from town311.servicerequests.models import Channel, ServiceRequest
from town311.servicerequests.services import request_submit

logger = logging.getLogger(__name__)

# Identical posts from one key within this many seconds make one request:
# a client retrying after a lost answer must not file the problem twice.
REPEAT_WINDOW_SECONDS = 600

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
    *, api_key: ApiKey, arguments, town: Town
) -> tuple[ServiceRequest, RequestToken]:
    """Submit the request the arguments describe and return it with its
    token; posting the same arguments again soon returns the same pair."""
    _check_jurisdiction(arguments, town)
    service = _service(arguments)
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

    try:
        # The request and its token share one transaction, so one commit
        # stores both and no request is ever left without its token.
        with transaction.atomic():
            service_request = request_submit(
                service=service,
                lat=lat,
                long=long,
                description=params.text(arguments, "description"),
                address=address,
                attributes=params.attributes(arguments),
                channel=Channel.API,
                reporter_name=name,
                reporter_email=params.text(arguments, "email"),
                reporter_phone=params.text(arguments, "phone"),
                idempotency_key=_fingerprint(api_key, arguments),
            )
            token = _token(service_request, media_url)
    except InvalidInput as e:
        raise Open311Error.several(
            400, [_described(field, m) for field, m in e.errors.items()]
        ) from None
    except HandledElsewhere as e:
        raise Open311Error(400, e.message) from None
    except NotAllowed as e:
        raise Open311Error(403, e.message) from None
    except ActionError as e:
        raise Open311Error(400, e.message) from None

    return service_request, token


def _token(service_request: ServiceRequest, media_url: str) -> RequestToken:
    # A repeated post gets the request the first one made, and its token,
    # which was written in the same transaction as that request.
    token = RequestToken.objects.filter(request=service_request).first()
    if token is None:
        token = RequestToken.objects.create(
            request=service_request,
            token=secrets.token_urlsafe(24),
            media_url=media_url,
        )
    return token


def _check_jurisdiction(arguments, town: Town) -> None:
    given = params.text(arguments, "jurisdiction_id")
    if given and given != jurisdiction_id(town):
        raise Open311Error(
            400,
            f"jurisdiction_id “{given}” is not served here; "
            f"use “{jurisdiction_id(town)}” or leave it out.",
        )


def _service(arguments) -> Service:
    code = params.text(arguments, "service_code")
    if not code:
        raise Open311Error(400, "service_code is missing; services.json lists them.")

    # Staff-only services are refused as unknown, so their codes stay private.
    service = (
        Service.objects.public().filter(code=code).select_related("department").first()
    )
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
