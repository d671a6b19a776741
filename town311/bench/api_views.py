"""The smallest views that do what an API endpoint does at its core: one
indexed read, or one inserted row. The benchmark measures each endpoint
against its counterpart here, to see how much our own code costs on top of
Django and the database."""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from town311.open311.models import ApiRateWindow
from town311.servicerequests.models import ServiceRequest


@require_GET
def minimal_read(request: HttpRequest) -> JsonResponse:
    row = (
        ServiceRequest.objects.filter(pk=int(request.GET.get("id", "1")))
        .values_list("pk", "status", "submitted_at")
        .first()
    )
    return JsonResponse({"request": row})


# A rate-limit window is the simplest table the API already writes to on
# every post, so the insert needs no bench-only model or migration.
@csrf_exempt
@require_POST
def minimal_write(request: HttpRequest) -> JsonResponse:
    window = ApiRateWindow.objects.create(
        api_key_id=int(request.POST["key"]), window_start=timezone.now(), count=1
    )
    return JsonResponse({"id": str(window.pk)})
