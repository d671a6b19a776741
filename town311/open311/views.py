"""GeoReport v2 endpoints: discovery, services, requests and tokens."""

import logging
from datetime import timedelta

from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from town311.directory.models import Service, Town
from town311.open311 import params
from town311.open311.formats import (
    JSON,
    Open311Error,
    error_response,
    open311_view,
    respond,
)
from town311.open311.keys import ApiKeyRefused, api_key_check
from town311.open311.models import RequestToken
from town311.open311.serializers import (
    discovery_data,
    public_services,
    requests_data,
    requests_for_output,
    service_data,
    service_definition_data,
    token_data,
)
from town311.open311.services import api_request_submit
from town311.servicerequests.models import ServiceRequest, Status
from town311.servicerequests.routing import geography

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90
NO_TOWN = "This server has no town set up yet."
STATUSES = ("open", "closed")


def _town() -> Town:
    town = Town.objects.current()
    if town is None:
        raise Open311Error(404, NO_TOWN)
    return town


def unknown_endpoint(request, *args, **kwargs):
    # Clients read our errors, not Django's web page; without a format in
    # the path JSON is the one every client reads.
    return error_response(
        JSON, 404, ["There is no such endpoint: see discovery.json for the list."]
    )


@require_GET
@open311_view
def discovery(request, fmt: str):
    return respond(fmt, "discovery", discovery_data(_town()))


@require_GET
@open311_view
def services(request, fmt: str):
    return respond(fmt, "services", [service_data(s) for s in public_services()])


@require_GET
@open311_view
def service_definition(request, service_code: str, fmt: str):
    service = Service.objects.public().filter(code=service_code).first()
    if service is None:
        raise Open311Error(404, f"There is no service “{service_code}”.")

    return respond(fmt, "service_definition", service_definition_data(service))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311_view
def service_requests(request, fmt: str):
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_list(request, fmt)


def _requests_post(request, fmt: str):
    # The routing geography holds the town, so a post reads only its
    # version when nothing changed.
    places = geography()
    if places.town is None:
        raise Open311Error(404, NO_TOWN)

    try:
        api_key = api_key_check(request, request.POST.get("api_key"))
    except ApiKeyRefused as e:
        raise Open311Error(e.status, e.description, retry_after=e.retry_after) from None

    token = api_request_submit(api_key=api_key, arguments=request.POST, places=places)
    answer = {
        "token": token.token,
        "service_notice": "",
        "account_id": params.text(request.POST, "account_id") or None,
    }
    if token.request_id is not None:
        # A repeated post, or a task backend that ran at once.
        answer = {"service_request_id": str(token.request_id), **answer}
    return respond(fmt, "service_requests", [answer], status=201)


def _requests_list(request, fmt: str):
    zone = _town().zone
    query = request.GET
    extensions = params.flag(query, "extensions")
    page = params.page_slice(query)
    found = ServiceRequest.objects.public()

    if ids := params.word_list(query, "service_request_id"):
        # Asking for ids overrides every other filter, as GeoReport v2 says.
        numbers = [params.row_id(i) for i in ids]
        found = found.filter(pk__in=[n for n in numbers if n is not None])
    else:
        found = _filtered(found, query, zone)

    found = found.order_by("-submitted_at", "-pk")
    rows = requests_for_output(found, extensions=extensions)[page]
    return respond(
        fmt, "service_requests", requests_data(rows, zone, extensions=extensions)
    )


def _filtered(found, query, zone):
    start = params.date_time(query, "start_date", zone)
    end = params.date_time(query, "end_date", zone)
    params.date_range(start, end, "start_date", "end_date")
    after = params.date_time(query, "updated_after", zone)
    before = params.date_time(query, "updated_before", zone)
    params.date_range(after, before, "updated_after", "updated_before")

    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        found = found.filter(submitted_at__gte=start)
    if end is not None:
        found = found.filter(submitted_at__lte=end)
    if after is not None:
        found = found.filter(updated_at__gte=after)
    if before is not None:
        found = found.filter(updated_at__lte=before)

    if codes := params.word_list(query, "service_code"):
        # Ids rather than a join on codes, so the planner knows which
        # service it reads and can stop at the page's end.
        ids = Service.objects.filter(code__in=codes).values_list("pk", flat=True)
        found = found.filter(service_id__in=list(ids))

    statuses = params.choices(query, "status", STATUSES)
    if statuses == ["open"]:
        found = found.exclude(status=Status.CLOSED)
    elif statuses == ["closed"]:
        found = found.filter(status=Status.CLOSED)

    return found


@require_GET
@open311_view
def service_request(request, service_request_id: str, fmt: str):
    zone = _town().zone
    extensions = params.flag(request.GET, "extensions")
    rows = []
    if (pk := params.row_id(service_request_id)) is not None:
        found = ServiceRequest.objects.public().filter(pk=pk)
        rows = list(requests_for_output(found, extensions=extensions))
    if not rows:
        raise Open311Error(404, f"There is no request “{service_request_id}”.")

    return respond(
        fmt, "service_requests", requests_data(rows, zone, extensions=extensions)
    )


@require_GET
@open311_view
def token(request, token: str, fmt: str):
    found = RequestToken.objects.filter(token=token).first()
    if found is not None and found.request_id is not None:
        # A request made private since, as staff may, is not found.
        if not ServiceRequest.objects.public().filter(pk=found.request_id).exists():
            found = None
    if found is None:
        raise Open311Error(404, f"There is no request with token “{token}”.")

    if found.failure:
        raise Open311Error(
            404,
            f"The request posted with token “{token}” was not filed: {found.failure}",
        )

    return respond(fmt, "service_requests", [token_data(found)])
