"""The smallest views that do what an API endpoint does at its core: one
indexed read, or one inserted row. The benchmark measures each endpoint
against its counterpart here, to see how much our own code costs on top of
Django and the database."""

from datetime import UTC, datetime, timedelta

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from town311.open311.models import ApiRateWindow
from town311.servicerequests.models import ServiceRequest

# The list endpoint's defaults: the last 90 days, a page of 1,000.
DEFAULT_DAYS = 90
PAGE_SIZE = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The request's own columns that the list shows; no joined names, photos or
# replies, which are the API's extra work.
LIST_COLUMNS = (
    "pk",
    "status",
    "description",
    "address",
    "lat",
    "long",
    "submitted_at",
    "updated_at",
    "close_due_at",
)


@require_GET
def minimal_read(request: HttpRequest) -> JsonResponse:
    row = (
        ServiceRequest.objects.filter(pk=int(request.GET.get("id", "1")))
        .values_list("pk", "status", "submitted_at")
        .first()
    )
    return JsonResponse({"request": row})


@require_GET
def minimal_list(request: HttpRequest) -> JsonResponse:
    """The rows `GET requests.json` answers for the same start_date,
    end_date and service_code, in one query. The bench sends only
    well-formed values, so there is no checking."""
    start = request.GET.get("start_date")
    end = request.GET.get("end_date")
    found = ServiceRequest.objects.public()

    if start is None and end is None:
        found = found.filter(
            submitted_at__gte=timezone.now() - timedelta(days=DEFAULT_DAYS)
        )
    if start is not None:
        found = found.filter(submitted_at__gte=parse_datetime(start))
    if end is not None:
        found = found.filter(submitted_at__lte=parse_datetime(end))
    if code := request.GET.get("service_code"):
        found = found.filter(service__code=code)

    rows = found.order_by("-submitted_at", "-pk").values(*LIST_COLUMNS)[:PAGE_SIZE]
    return JsonResponse({"requests": list(rows)})


# A rate-limit window is the simplest table the API already writes to on
# every post, so the insert needs no bench-only model or migration. Each
# call brings its own number n, and its window starts n microseconds after
# the epoch: two workers inserting in the same microsecond would otherwise
# collide on the unique (key, window start).
@csrf_exempt
@require_POST
def minimal_write(request: HttpRequest) -> JsonResponse:
    window = ApiRateWindow.objects.create(
        api_key_id=int(request.POST["key"]),
        window_start=EPOCH + timedelta(microseconds=int(request.POST["n"])),
        count=1,
    )
    return JsonResponse({"id": str(window.pk)})
