"""Phone and walk-in intake: staff enter a request for someone who called
or came in, through the same checks and routing as the public form, so it
lands in the right department's queue at once."""

import json
import logging

from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from town311.directory.models import Town
from town311.lib import geo
from town311.lib.errors import ActionError, HandledElsewhere, InvalidInput
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.servicerequests.selectors import nearby_open_requests
from town311.staff.access import staff_required
from town311.staff.forms_intake import IntakeForm, IntakeServiceForm

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request):
    chooser = IntakeServiceForm(request.GET if "service" in request.GET else None)
    if not chooser.is_valid():
        return render(request, "staff/intake.html", {"chooser": chooser})

    service = chooser.cleaned_data["service"]
    if request.method == "GET" and "nearby" in request.GET:
        return _nearby_json(request, service)

    if request.method == "GET":
        form = IntakeForm(service)
        return _render(request, chooser, form)

    form = IntakeForm(service, request.POST)
    # The form's draft key is the idempotency key: a second click on Send,
    # or the browser resending the form, files one request.
    entered = ServiceRequest.objects.filter(idempotency_key=form.draft_key).first()
    if entered is not None:
        return _entered(request, entered)

    if not form.is_valid():
        return _render(request, chooser, form)

    data = form.cleaned_data
    # As on the public form: the clerk sees who already reported it, so the
    # caller can be added to that request instead of filing a second one.
    if not data["not_duplicate"]:
        nearby = _nearby(service, data["lat"], data["long"])
        if nearby:
            return _render(request, chooser, form, nearby=nearby)

    try:
        service_request = services.request_submit(
            service=service,
            lat=data["lat"],
            long=data["long"],
            address=data["address"],
            description=data["description"],
            attributes=form.answers(),
            channel=data["channel"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            by=request.user,
            idempotency_key=form.draft_key,
        )
    except HandledElsewhere as e:
        form.location_problem = e.message
        form.agency = e.agency
        return _render(request, chooser, form)
    except InvalidInput as e:
        form.add_lifecycle_errors(e.errors)
        return _render(request, chooser, form)
    except ActionError as e:
        form.add_error(None, e.message)
        return _render(request, chooser, form)

    return _entered(request, service_request)


def _entered(request, service_request: ServiceRequest):
    department = service_request.department
    messages.success(
        request,
        f"Sent to {department}: request {service_request.number}, "
        f"{service_request.service}. Give the caller the number.",
    )

    # Customer service often enters requests for queues it does not work;
    # they go back to a fresh form rather than to a page they may not see.
    if request.user.works_for(department):
        return redirect("staff:request", pk=service_request.pk)

    return redirect(reverse("staff:intake"))


def _render(request, chooser: IntakeServiceForm, form: IntakeForm, *, nearby=()):
    return render(
        request,
        "staff/intake.html",
        {
            "chooser": chooser,
            "service": form.service,
            "form": form,
            "summary": form.error_summary(),
            "nearby": nearby,
            "map_bounds": _town_bounds(),
        },
    )


def _nearby(service, lat, long) -> list[ServiceRequest]:
    if lat is None or long is None:
        return []

    return nearby_open_requests(service=service, lat=lat, long=long)


def _nearby_json(request, service) -> JsonResponse:
    """The nearby open requests for staff-intake.js, as the clerk types."""
    point = geo.parse_point(request.GET.get("lat"), request.GET.get("long"))
    if point is None:
        return HttpResponseBadRequest("Give lat and long in degrees.")

    found = _nearby(service, *point)
    return JsonResponse(
        {
            "requests": [
                {
                    "number": item.number,
                    "url": reverse("staff:request", args=[item.pk]),
                    "service": item.service.name,
                    "address": item.address,
                    "distance_m": round(item.distance_m),
                    "status": item.get_status_display(),
                }
                for item in found
            ]
        }
    )


def _town_bounds() -> str:
    town = Town.objects.current()
    return json.dumps(geo.map_bounds(town.boundary)) if town else ""
