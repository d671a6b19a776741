"""The servicerequestupdates extension: list updates, post a resident's."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from town311.directory.models import Town
from town311.lib.errors import ActionError, InvalidInput
from town311.open311 import params
from town311.open311.formats import Open311Error, open311_view, respond
from town311.open311.keys import ApiKeyRefused, api_key_check
from town311.open311.updates import (
    MAX_UPDATE_ID_LENGTH,
    RESIDENT_WISHES,
    api_update_record,
    public_updates,
    update_data,
)
from town311.servicerequests.models import ServiceRequest
from town311.servicerequests.services import MAX_DESCRIPTION_LENGTH

# FixMyStreet asks for the updates since its last fetch; without a range
# a day's worth keeps the answer small.
DEFAULT_PERIOD = timedelta(hours=24)
MAX_MEDIA_URL_LENGTH = 500


def _town() -> Town:
    town = Town.objects.current()
    if town is None:
        raise Open311Error(404, "This server has no town set up yet.")
    return town


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311_view
def service_request_updates(request, fmt: str):
    if request.method == "POST":
        return _updates_post(request, fmt)
    return _updates_list(request, fmt)


def _updates_list(request, fmt: str):
    zone = _town().zone
    query = request.GET
    start = params.date_time(query, "start_date", zone)
    end = params.date_time(query, "end_date", zone)
    params.date_range(start, end, "start_date", "end_date")
    page = params.page_slice(query)

    if start is None and end is None:
        start = timezone.now() - DEFAULT_PERIOD
    found = public_updates(start=start, end=end)[page]
    rows = [update_data(event, zone) for event in found]
    return respond(fmt, "service_request_updates", rows)


def _updates_post(request, fmt: str):
    zone = _town().zone
    data = request.POST
    try:
        api_key = api_key_check(request, data.get("api_key"))
    except ApiKeyRefused as e:
        raise Open311Error(e.status, e.description, retry_after=e.retry_after) from None

    service_request = _public_request(params.text(data, "service_request_id"))
    update_id = _update_id(data)
    description = params.text(data, "description")
    if not description:
        raise Open311Error(400, "description is missing: write the update's text.")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise Open311Error(
            400,
            f"description is too long: keep it to {MAX_DESCRIPTION_LENGTH} "
            "characters or fewer.",
        )
    status = params.text(data, "status").upper()
    if status and status not in RESIDENT_WISHES:
        raise Open311Error(400, "status must be OPEN or CLOSED.")
    client_updated_at = params.date_time(data, "updated_datetime", zone)
    media_url = _media_url(data)

    # The resident's wish (status) changes nothing: only staff open and
    # close requests, so the comment alone is recorded.
    try:
        posted, _created = api_update_record(
            api_key=api_key,
            service_request=service_request,
            update_id=update_id,
            description=description,
            media_url=media_url,
            client_updated_at=client_updated_at,
        )
    except InvalidInput as e:
        raise Open311Error.several(400, list(e.errors.values())) from None
    except ActionError as e:
        raise Open311Error(400, e.message) from None

    return respond(
        fmt, "service_request_updates", [{"update_id": str(posted.event_id)}]
    )


def _public_request(value: str) -> ServiceRequest:
    if not value:
        raise Open311Error(400, "service_request_id is missing.")
    pk = params.row_id(value)
    found = ServiceRequest.objects.public()
    service_request = found.filter(pk=pk).first() if pk is not None else None
    if service_request is None:
        raise Open311Error(404, f"There is no public request “{value}”.")
    return service_request


def _update_id(data) -> str:
    update_id = params.text(data, "update_id")
    if not update_id:
        raise Open311Error(
            400,
            "update_id is missing: send your own id for this update, so that "
            "sending it again records it once.",
        )
    if len(update_id) > MAX_UPDATE_ID_LENGTH:
        raise Open311Error(
            400, f"update_id must be {MAX_UPDATE_ID_LENGTH} characters or fewer."
        )
    return update_id


def _media_url(data) -> str:
    media_url = params.text(data, "media_url")
    if not media_url:
        return ""

    try:
        URLValidator(schemes=["http", "https"])(media_url)
    except ValidationError:
        media_url = ""
    if not media_url or len(media_url) > MAX_MEDIA_URL_LENGTH:
        raise Open311Error(
            400,
            "media_url must be an http or https address of at most "
            f"{MAX_MEDIA_URL_LENGTH} characters.",
        )
    return media_url
