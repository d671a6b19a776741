import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from town311.directory.gazetteer import places_search
from town311.directory.models import Service, Town
from town311.lib import geo
from town311.lib.errors import ActionError, HandledElsewhere, InvalidInput
from town311.notifications.wording import duration_words
from town311.report.forms import ReportForm, ServiceSearchForm
from town311.report.selectors import service_catalogue
from town311.report.uploads import (
    draft_photos,
    photo_not_kept,
    photo_problem,
    photo_upload_answer,
    thumbnail_url,
)
from town311.servicerequests import services
from town311.servicerequests.models import Channel, Photo, ServiceRequest
from town311.servicerequests.photos import photo_store, photos_attach
from town311.servicerequests.selectors import nearby_open_requests

logger = logging.getLogger(__name__)

# The requests this browser submitted, so only it sees their confirmation.
SUBMITTED_SESSION_KEY = "report_submitted"
SUBMITTED_REMEMBERED = 20


# Picking a service


@require_GET
def service_list(request):
    form = ServiceSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    groups = service_catalogue(query)
    match_count = sum(e.is_match for g in groups for e in g.entries)

    return render(
        request,
        "report/service_list.html",
        {"form": form, "query": query, "groups": groups, "match_count": match_count},
    )


# Reporting


@require_http_methods(["GET", "POST"])
def report_form(request, service_code: str):
    service = get_object_or_404(_services(), code=service_code)
    if request.method == "POST":
        return _report_post(request, service)

    form = ReportForm(service)
    return _render_form(request, form)


def _report_post(request, service: Service):
    form = ReportForm(service, request.POST)
    draft_key = form.draft_key

    # A second tap on Submit, or the browser resending the form: the
    # request exists already, and it is itself "nearby".
    submitted = ServiceRequest.objects.filter(idempotency_key=draft_key).first()
    if submitted is not None:
        return _submitted(request, submitted)

    photo_errors, photo_gps = _photos_update(request, draft_key)
    if not form.is_valid() or photo_errors:
        if photo_gps and _has_no_location(form):
            form = _form_at_photo_location(service, request.POST, photo_gps)
        return _render_form(request, form, photo_errors=photo_errors)

    data = form.cleaned_data
    if not data["not_duplicate"]:
        nearby = nearby_open_requests(
            service=service, lat=data["lat"], long=data["long"]
        )
        if nearby:
            return _render_form(request, form, nearby=nearby)

    try:
        with transaction.atomic():
            service_request = services.request_submit(
                service=service,
                lat=data["lat"],
                long=data["long"],
                address=data["address"],
                description=data["description"],
                attributes=form.answers(),
                channel=Channel.WEB,
                reporter_name=data["reporter_name"],
                reporter_email=data["reporter_email"],
                reporter_phone=data["reporter_phone"],
                idempotency_key=draft_key,
            )
            photos_attach(draft_key=draft_key, service_request=service_request)
    except HandledElsewhere as e:
        form.location_problem = e.message
        form.agency = e.agency
        return _render_form(request, form)
    except InvalidInput as e:
        form.add_lifecycle_errors(e.errors)
        return _render_form(request, form)
    except ActionError as e:
        form.add_error(None, e.message)
        return _render_form(request, form)

    return _submitted(request, service_request)


def _submitted(request, service_request: ServiceRequest):
    remembered = request.session.get(SUBMITTED_SESSION_KEY, [])
    if service_request.pk not in remembered:
        remembered = [*remembered, service_request.pk][-SUBMITTED_REMEMBERED:]
        request.session[SUBMITTED_SESSION_KEY] = remembered

    return redirect("report:done", pk=service_request.pk)


def _render_form(request, form: ReportForm, *, nearby=None, photo_errors=()):
    service = form.service
    draft_key = form.draft_key
    context = {
        "service": service,
        "form": form,
        "draft_key": draft_key,
        "photos": _with_thumbnails(draft_photos(draft_key)),
        "photo_errors": list(photo_errors),
        "max_photos": settings.PHOTOS_PER_REQUEST,
        "nearby": nearby or [],
        "summary": form.error_summary(photo_errors),
        "map_bounds": _town_bounds(),
        "script_messages": _script_messages(),
    }
    return render(request, "report/report_form.html", context)


def _script_messages() -> dict[str, str]:
    """What report.js says, translated here like every other string."""
    return {
        "pin": _("Where the problem is"),
        "pinPlaced": _("Pin placed at %(lat)s, %(long)s."),
        "locating": _("Finding where you are…"),
        "locationFound": _("Pin placed where you are."),
        "locationFailed": _(
            "We could not get your location. Tap the map or type an address."
        ),
        "placesOne": _("1 place found: pick it below."),
        "placesMany": _("%(count)s places found: pick one below."),
        "noPlaces": _("No place found yet. Try a street name or a landmark."),
        "placeChosen": _("Pin placed at %(name)s."),
        "nearbyFound": _(
            "Open requests nearby may be the same problem: see “Is it one of these?”."
        ),
        "meTooDone": _("Thanks, we counted you in. You do not need to report it."),
        "meTooFailed": _("That did not work. Please try again."),
        "uploading": _("Adding %(name)s…"),
        "uploaded": _("Added %(name)s."),
        "uploadFailed": _("We could not add %(name)s. Check your connection."),
        "tooManyPhotos": _too_many_photos(),
        "photoNumber": _("Photo %(number)s of your report"),
        "removePhoto": _("Remove this photo"),
        "photoLocationUsed": _("Pin placed where the photo was taken."),
    }


def _has_no_location(form: ReportForm) -> bool:
    data = form.data
    return not any(data.get(name, "").strip() for name in ("lat", "long", "address"))


def _form_at_photo_location(service, data, gps) -> ReportForm:
    """The form again, with the place filled in from where the photo was
    taken: the resident checks it and sends, nothing is sent for them."""
    data = data.copy()
    data["lat"], data["long"] = (f"{value:.6f}" for value in gps)
    form = ReportForm(service, data)
    form.is_valid()
    form.location_from_photo = True
    return form


# Photos


def _photos_update(request, draft_key: str) -> tuple[list[str], tuple | None]:
    """Remove the draft photos the resident ticked and store the uploaded
    ones. Returns what was wrong with uploads, and the first GPS position."""
    remove = [int(pk) for pk in request.POST.getlist("remove_photos") if pk.isdecimal()]
    if remove:
        _drafts_remove(draft_key, remove)

    errors, gps = [], None
    room = settings.PHOTOS_PER_REQUEST - draft_photos(draft_key).count()
    for upload in request.FILES.getlist("photos"):
        if room <= 0:
            errors.append(_too_many_photos())
            break

        try:
            stored = photo_store(upload, draft_key=draft_key)
        except InvalidInput as e:
            errors.append(photo_problem(upload, e))
            continue
        except OSError:
            logger.exception("Could not save an uploaded photo to storage")
            errors.append(photo_not_kept(upload))
            continue

        room -= 1
        gps = gps or stored.gps

    return errors, gps


@require_POST
def photo_upload(request, service_code: str):
    """Store one photo as soon as it is picked, for the report form."""
    get_object_or_404(_services(), code=service_code)
    return photo_upload_answer(request, keep=photo_store)


def _drafts_remove(draft_key: str, pks: list[int]) -> None:
    # Only photos of this very draft: the key is the proof they are ours.
    for photo in draft_photos(draft_key).filter(pk__in=pks):
        photo.image.delete(save=False)
        if photo.thumbnail:
            photo.thumbnail.delete(save=False)
        photo.delete()


def _with_thumbnails(photos) -> list[Photo]:
    photos = list(photos)
    for photo in photos:
        photo.thumbnail_url = thumbnail_url(photo)

    return photos


def _too_many_photos() -> str:
    count = settings.PHOTOS_PER_REQUEST
    return ngettext(
        "You can add %(count)d photo to a report.",
        "You can add up to %(count)d photos to a report.",
        count,
    ) % {"count": count}


# Helpers for the form's scripts


@require_GET
def nearby(request, service_code: str):
    """The "Is it one of these?" list for a place, as a piece of the form."""
    service = get_object_or_404(_services(), code=service_code)
    point = geo.parse_point(request.GET.get("lat"), request.GET.get("long"))
    if point is None:
        return HttpResponse(status=400)

    found = nearby_open_requests(service=service, lat=point[0], long=point[1])
    return render(
        request,
        "report/nearby.html",
        {"nearby": found, "service": service, "js": True},
    )


@require_GET
def places(request):
    """Gazetteer suggestions for the address field, as JSON."""
    matches = places_search(request.GET.get("q", "")[:200])
    return JsonResponse(
        {
            "places": [
                {
                    "name": m.place.name,
                    "kind": m.place.get_kind_display(),
                    "address": m.address,
                    "lat": m.lat,
                    "long": m.long,
                }
                for m in matches
            ]
        }
    )


# Confirmation


@require_GET
def report_done(request, pk: int):
    if pk not in request.session.get(SUBMITTED_SESSION_KEY, []):
        return redirect("front:request", pk=pk)

    service_request = get_object_or_404(
        ServiceRequest.objects.select_related("service", "department"), pk=pk
    )
    department = service_request.department
    return render(
        request,
        "report/report_done.html",
        {
            "service_request": service_request,
            "department": department,
            # Worded as in the confirmation e-mail, which says the same.
            "acknowledge_within": duration_words(department.acknowledge_target),
            "close_within": duration_words(department.close_target),
        },
    )


# Shared


def _services():
    return Service.objects.public().select_related("department")


def _town_bounds() -> str:
    town = Town.objects.current()
    return json.dumps(geo.map_bounds(town.boundary)) if town else ""
