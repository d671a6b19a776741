"""The department queue: the list of open requests staff work from, its map,
and the bulk actions under its table.

The queue is a GET form, so a filtered queue can be bookmarked and shared,
and works without JavaScript; htmx only swaps the results in place.
"""

import json
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from town311.directory.models import Town
from town311.lib import geo
from town311.lib.errors import ActionError
from town311.servicerequests import services
from town311.servicerequests.models import Resolution
from town311.staff import selectors
from town311.staff.access import request_for_staff, staff_required
from town311.staff.forms_queue import BulkActionForm, QueueFilterForm

logger = logging.getLogger(__name__)

PER_PAGE = 50
# Beyond this many markers a map stops telling anyone anything.
MAP_MAX_FEATURES = 1000


def _zone(town: Town | None):
    return town.zone if town else timezone.get_current_timezone()


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target

    return None


def _town_bounds(town: Town | None) -> str:
    """[[south, west], [north, east]] of the town in JSON, for Leaflet."""
    if town is None:
        return ""

    try:
        west, south, east, north = geo.prepared_area(town.boundary).bounds
    except ValidationError:
        logger.warning("The town boundary cannot be read; the queue map has no bounds")
        return ""

    return json.dumps([[south, west], [north, east]])


def _heading(user, department) -> str:
    if department is not None:
        return f"{department} queue"

    if user.sees_all_departments:
        return "Queue of all departments"

    if user.granted_departments.exists():
        return "Your queues"

    return f"{user.department} queue"


# /staff/queue/


@staff_required
def queue(request):
    town = Town.objects.current()
    now = timezone.now()
    form = QueueFilterForm(request.GET, user=request.user)
    filters = form.queue_filters()
    requests = selectors.queue_requests(user=request.user, now=now, **filters)
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))

    rows = list(page.object_list)
    for row in rows:
        row.age = timesince(row.submitted_at, now, depth=1)

    show_map = request.GET.get("view") == "map"
    query = form.query_string()
    context = {
        "form": form,
        "heading": _heading(request.user, filters["department"]),
        "page": page,
        "rows": rows,
        "query": query,
        "list_query": query,
        "map_query": form.query_string(view="map"),
        "show_map": show_map,
        "map_geojson_url": f"{reverse('staff:queue-map')}?{query}",
        "map_bounds": _town_bounds(town) if show_map else "",
        "map_limit": MAP_MAX_FEATURES,
        "counts": selectors.queue_counts(
            user=request.user,
            now=now,
            zone=_zone(town),
            department=filters["department"],
        ),
        "bulk_form": BulkActionForm(
            user=request.user, initial={"next": request.get_full_path()}
        ),
        "is_htmx": _is_htmx(request),
    }

    template = "staff/queue_results.html" if _is_htmx(request) else "staff/queue.html"
    # Times in the queue are the town's, wherever the reader is.
    with timezone.override(_zone(town)):
        return render(request, template, context)


# /staff/queue.geojson


@staff_required
def queue_map(request):
    """The filtered queue as GeoJSON, for the queue's map: only requests this
    person may see, whatever the filters say."""
    form = QueueFilterForm(request.GET, user=request.user)
    requests = selectors.queue_requests(
        user=request.user, now=timezone.now(), **form.queue_filters()
    )
    rows = selectors.queue_map_rows(requests, limit=MAP_MAX_FEATURES)

    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["long"], row["lat"]]},
            "properties": {
                "number": str(row["pk"]),
                "service": row["service__name"],
                "status": row["status"],
                "url": reverse("staff:request", args=[row["pk"]]),
            },
        }
        for row in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


# /staff/queue/bulk/


def _act(form: BulkActionForm, service_request, *, by, seen_version) -> None:
    data = form.cleaned_data
    if data["verb"] == "acknowledge":
        services.request_acknowledge(
            service_request,
            by=by,
            message=data["message"],
            seen_version=seen_version,
        )
    elif data["verb"] == "assign":
        services.request_assign(
            service_request,
            by=by,
            assignee=data["assignee"],
            seen_version=seen_version,
        )
    else:
        services.request_close(
            service_request,
            by=by,
            resolution=data["resolution"],
            message=data["message"],
            seen_version=seen_version,
        )


def _done_words(form: BulkActionForm, count: int) -> str:
    data = form.cleaned_data
    requests = "1 request" if count == 1 else f"{count} requests"
    if data["verb"] == "acknowledge":
        return f"Acknowledged {requests}"

    if data["verb"] == "assign":
        if data["assignee"] is None:
            return f"Unassigned {requests}"
        return f"Assigned {requests} to {data['assignee']}"

    resolution = Resolution(data["resolution"]).label.lower()
    return f"Closed {requests} as “{resolution}”"


def _report(request, form: BulkActionForm, done: list, skipped: list[str]) -> None:
    """One message for the whole batch: what was done, then each refusal in
    the words of the rule that refused it."""
    reasons = " ".join(skipped)
    if not done:
        messages.error(request, f"Nothing was done: {reasons}")
        return

    summary = _done_words(form, len(done))
    if not skipped:
        messages.success(request, f"{summary}.")
        return

    were = "1 was" if len(skipped) == 1 else f"{len(skipped)} were"
    messages.warning(request, f"{summary}; {were} skipped: {reasons}")


@require_POST
@staff_required
def bulk(request):
    back = _safe_next(request) or reverse("staff:queue")
    form = BulkActionForm(request.POST, user=request.user)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(problems))
        return redirect(back)

    done, skipped = [], []
    # Each request in its own transaction (the lifecycle opens one per
    # action), so one refusal leaves the others done.
    for pk in form.cleaned_data["requests"]:
        try:
            service_request = request_for_staff(request.user, pk)
            _act(
                form,
                service_request,
                by=request.user,
                seen_version=form.seen_version(pk),
            )
        except Http404:
            skipped.append(f"Request {pk} does not exist.")
        except PermissionDenied as refusal:
            skipped.append(str(refusal))
        except ActionError as refusal:
            skipped.append(refusal.message)
        else:
            done.append(pk)

    _report(request, form, done, skipped)
    return redirect(back)
