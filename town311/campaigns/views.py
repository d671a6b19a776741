"""The public pages of campaigns: the list, a campaign's page with its map
and submission form, and the thank-you pages."""

import json
import logging
import mimetypes
import posixpath
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from town311.campaigns import services
from town311.campaigns.forms import SubmissionForm
from town311.campaigns.models import (
    Campaign,
    CampaignQuestion,
    Confirmation,
    Datatype,
    Submission,
)
from town311.directory.models import Town
from town311.lib import geo
from town311.lib.errors import ActionError, InvalidInput
from town311.report.uploads import (
    draft_photos,
    photo_not_kept,
    photo_problem,
    photo_upload_answer,
)
from town311.servicerequests.photos import photo_store

logger = logging.getLogger(__name__)

# Ended campaigns stay on the list this long, so residents see the result.
RECENTLY_ENDED = timedelta(days=90)

# The points and confirmations this browser sent, so only it sees their
# thank-you page.
SUBMITTED_SESSION_KEY = "campaign_submitted"
CONFIRMED_SESSION_KEY = "campaign_confirmed"
REMEMBERED = 20

STATE_ORDER = ("open", "upcoming", "ended")


# The list


@require_GET
def campaign_list(request):
    town = Town.objects.current()
    today = timezone.localdate(timezone=town.zone if town else None)
    campaigns = Campaign.objects.filter(ends_on__gte=today - RECENTLY_ENDED).annotate(
        published_count=Count(
            "submissions", filter=Q(submissions__status=Submission.Status.PUBLISHED)
        )
    )

    groups = {state: [] for state in STATE_ORDER}
    for campaign in campaigns.order_by("ends_on", "title"):
        groups[services.campaign_state(campaign, today)].append(campaign)

    # The latest ended first: the others are further back in time.
    groups["ended"].reverse()
    return render(request, "campaigns/campaign_list.html", {"groups": groups})


# A campaign's page and its form


@require_http_methods(["GET", "POST"])
def campaign_detail(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    questions = services.campaign_questions(campaign)
    if request.method == "POST" and services.campaign_is_open(campaign):
        return _submission_post(request, campaign, questions)

    # A form sent after the campaign closed gets the page, which says when
    # it ran, and no form.
    form = SubmissionForm(campaign, questions)
    return _render_detail(request, form)


def _submission_post(request, campaign: Campaign, questions: list[CampaignQuestion]):
    form = SubmissionForm(campaign, questions, request.POST)
    draft_key = form.draft_key

    # A second tap on Send, or the browser sending the form again: the
    # point is in already.
    submitted = Submission.objects.filter(
        campaign=campaign, idempotency_key=draft_key
    ).first()
    if submitted is not None:
        return _submitted(request, submitted)

    if request.POST.get("confirm"):
        return _confirm_post(request, form)

    gps = _photo_update(request, form)
    if not form.is_valid() or form.photo_errors:
        if gps and not form.has_location():
            form = _form_at_photo_location(form, request.POST, gps)
        return _render_detail(request, form)

    data = form.cleaned_data
    try:
        submission = services.submission_submit(
            campaign=campaign,
            lat=data["lat"],
            long=data["long"],
            answers=form.answers(),
            photo=_draft_upload(draft_key),
            contributor_email=data["contributor_email"],
            idempotency_key=draft_key,
            different_point=data["different_point"],
        )
    except services.PointNearby as e:
        return _render_detail(request, form, nearby=e.points)
    except InvalidInput as e:
        form.add_service_errors(e.errors)
        return _render_detail(request, form)
    except ActionError as e:
        if e.field == "location":
            form.location_problem = e.message
        else:
            form.add_error(None, e.message)
        return _render_detail(request, form)

    _drafts_delete(draft_key)
    return _submitted(request, submission)


def _confirm_post(request, form: SubmissionForm):
    """The resident said "Yes, it is still there": their point is one
    already on the map, so it counts as a confirmation of that one."""
    campaign = form.campaign
    point = get_object_or_404(
        Submission, campaign=campaign, pk=_integer(request.POST["confirm"])
    )

    # Only the e-mail matters here: the point itself is not sent.
    form.is_valid()
    if "contributor_email" in form.errors:
        return _render_detail(request, form, nearby=[(point, _distance(form, point))])

    try:
        confirmation = services.point_confirm(
            point=point,
            contributor_email=form.cleaned_data["contributor_email"],
            idempotency_key=form.draft_key,
        )
    except ActionError as e:
        form.add_error(None, e.message)
        return _render_detail(request, form)

    _drafts_delete(form.draft_key)
    _remember(request, CONFIRMED_SESSION_KEY, confirmation.pk)
    return redirect("campaigns:confirmed", slug=campaign.slug, pk=confirmation.pk)


def _submitted(request, submission: Submission):
    _remember(request, SUBMITTED_SESSION_KEY, submission.pk)
    return redirect("campaigns:thanks", slug=submission.campaign.slug, pk=submission.pk)


def _render_detail(request, form: SubmissionForm, *, nearby=()):
    campaign = form.campaign
    area = services.campaign_area_text(campaign)
    photo = draft_photos(form.draft_key).last()
    context = {
        "campaign": campaign,
        "state": services.campaign_state(campaign),
        "form": form,
        "draft_key": form.draft_key,
        "photo": photo,
        "nearby": _nearby_items(nearby, form.questions),
        "different_point": form.is_bound and form.data.get("different_point") == "on",
        "summary": form.error_summary() if form.is_bound else [],
        "published_count": services.published_points(campaign).count(),
        "submission_count": campaign.submissions.count(),
        "licence": _licence(campaign),
        "map_area": _map_area(area),
        "map_bounds": _map_bounds(area),
        "script_messages": _script_messages(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _script_messages() -> dict[str, str]:
    """What campaign.js says, translated here like every other string."""
    return {
        "pin": _("Your point"),
        "pinPlaced": _("Point placed at %(lat)s, %(long)s."),
        "locating": _("Finding where you are…"),
        "locationFound": _("Point placed where you are."),
        "locationFailed": _(
            "We could not get your location. Tap the map or enter coordinates."
        ),
        "photoLocationUsed": _("Point placed where the photo was taken."),
        "nearbyFound": _(
            "One is already mapped close by: see “Already on the map?” below."
        ),
        "differentPoint": _("Thanks: yours will be sent as a new point."),
        "uploading": _("Adding %(name)s…"),
        "uploaded": _("Added %(name)s."),
        "uploadFailed": _("We could not add %(name)s. Check your connection."),
        "photoAlt": _("Your photo"),
        "removePhoto": _("Remove this photo"),
        "pointPhoto": _("Photo of this point"),
        "confirmations": _("Confirmations: %(count)s"),
    }


def _form_at_photo_location(form: SubmissionForm, data, gps) -> SubmissionForm:
    """The form again, with the point where the photo was taken: the
    resident checks it and sends, nothing is sent for them."""
    data = data.copy()
    data["lat"], data["long"] = (f"{value:.6f}" for value in gps)
    refilled = SubmissionForm(form.campaign, form.questions, data)
    refilled.is_valid()
    refilled.photo_errors = form.photo_errors
    refilled.location_from_photo = True
    return refilled


def _nearby_items(nearby, questions: list[CampaignQuestion]) -> list[dict]:
    return [
        {
            "point": point,
            "distance_m": distance,
            "answers": _answer_words(point, questions),
        }
        for point, distance in nearby
    ]


def _answer_words(point: Submission, questions: list[CampaignQuestion]) -> list[dict]:
    """A point's answers as residents read them: the question, and the
    names of the chosen values rather than their keys."""
    items = []
    for question in questions:
        value = point.answers.get(question.code)
        if value in (None, "", []):
            continue

        names = {v.key: v.name for v in question.values.all()}
        if question.datatype == Datatype.MULTIVALUELIST:
            value = ", ".join(names.get(key, key) for key in value)
        elif question.datatype == Datatype.SINGLEVALUELIST:
            value = names.get(value, value)
        elif question.datatype == Datatype.DATETIME:
            value = parse_datetime(str(value)) or value

        items.append({"question": question.description, "answer": value})

    return items


def _distance(form: SubmissionForm, point: Submission) -> float | None:
    lat, long = form.cleaned_data.get("lat"), form.cleaned_data.get("long")
    if lat is None or long is None:
        return None

    return geo.distance_m(lat, long, point.lat, point.long)


def _licence(campaign: Campaign) -> dict:
    if campaign.licence_name:
        return {"name": campaign.licence_name, "url": campaign.licence_url}

    town = Town.objects.current()
    if town is None:
        return {}

    return {"name": town.open_data_licence_name, "url": town.open_data_licence_url}


def _map_area(area: str) -> str:
    """The campaign's area as GeoJSON for the map, or empty if unreadable."""
    try:
        geo.prepared_area(area)
    except ValidationError:
        logger.warning("A campaign area cannot be read; its map shows no outline")
        return ""

    return area


def _map_bounds(area: str) -> str:
    if not _map_area(area):
        return ""

    return json.dumps(geo.map_bounds(area))


# The photo: kept as a draft of the form, as the report form's are


def _photo_update(request, form: SubmissionForm) -> tuple[float, float] | None:
    """Drop the photo the resident removed and keep the one sent with the
    form, if any. Returns where that photo was taken, if it says."""
    draft_key = form.draft_key
    if request.POST.get("remove_photo"):
        _drafts_delete(draft_key)

    upload = request.FILES.get("photo")
    if upload is None:
        return None

    try:
        stored = _photo_keep(upload, draft_key)
    except InvalidInput as e:
        form.photo_errors.append(photo_problem(upload, e))
        return None
    except OSError:
        logger.exception("Could not save an uploaded campaign photo to storage")
        form.photo_errors.append(photo_not_kept(upload))
        return None

    return stored.gps


@require_POST
def photo_upload(request, slug: str):
    """Keep a photo as soon as it is picked, and say where it was taken."""
    get_object_or_404(Campaign, slug=slug)
    return photo_upload_answer(request, keep=_photo_keep)


def _photo_keep(upload, draft_key: str):
    """Store the photo, checked and without its EXIF, as the form's only one."""
    stored = photo_store(upload, draft_key=draft_key)
    earlier = draft_photos(draft_key).exclude(pk=stored.photo.pk)
    _photos_delete(earlier)
    return stored


def _draft_upload(draft_key: str) -> SimpleUploadedFile | None:
    """The form's photo as an upload, for the campaign's services."""
    photo = draft_photos(draft_key).last()
    if photo is None:
        return None

    with photo.image.open("rb") as stored:
        content = stored.read()

    name = posixpath.basename(photo.image.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return SimpleUploadedFile(name, content, content_type=content_type)


def _drafts_delete(draft_key: str) -> None:
    _photos_delete(draft_photos(draft_key))


def _photos_delete(photos) -> None:
    for photo in photos:
        photo.image.delete(save=False)
        if photo.thumbnail:
            photo.thumbnail.delete(save=False)
        photo.delete()


# Helpers for the form's script


@require_GET
def nearby(request, slug: str):
    """The published points close to a place, with the "Is it the same
    one?" prompt for the form to show."""
    campaign = get_object_or_404(Campaign, slug=slug)
    point = geo.parse_point(request.GET.get("lat"), request.GET.get("long"))
    if point is None:
        message = _(
            "Give a latitude between -90 and 90 and a longitude between -180 and 180."
        )
        return JsonResponse({"error": message}, status=400)

    found = []
    if services.campaign_is_open(campaign):
        found = services.nearby_points(campaign, point[0], point[1])

    questions = services.campaign_questions(campaign)
    items = _nearby_items(found, questions)
    html = ""
    if items:
        context = {"campaign": campaign, "nearby": items, "js": True}
        html = render_to_string("campaigns/nearby.html", context, request=request)

    return JsonResponse(
        {
            "points": [
                {"id": item["point"].pk, "distance_m": round(item["distance_m"], 1)}
                for item in items
            ],
            "html": html,
        }
    )


# Thank-you pages


@require_GET
def thanks(request, slug: str, pk: int):
    campaign = get_object_or_404(Campaign, slug=slug)
    if pk not in request.session.get(SUBMITTED_SESSION_KEY, []):
        return redirect("campaigns:detail", slug=slug)

    submission = get_object_or_404(campaign.submissions, pk=pk)
    return render(
        request,
        "campaigns/thanks.html",
        {"campaign": campaign, "submission": submission},
    )


@require_GET
def confirmed(request, slug: str, pk: int):
    campaign = get_object_or_404(Campaign, slug=slug)
    if pk not in request.session.get(CONFIRMED_SESSION_KEY, []):
        return redirect("campaigns:detail", slug=slug)

    confirmation = get_object_or_404(
        Confirmation.objects.select_related("submission"),
        submission__campaign=campaign,
        pk=pk,
    )
    return render(
        request,
        "campaigns/confirmed.html",
        {"campaign": campaign, "point": confirmation.submission},
    )


# Shared


def _remember(request, key: str, pk: int) -> None:
    remembered = request.session.get(key, [])
    if pk not in remembered:
        request.session[key] = [*remembered, pk][-REMEMBERED:]


def _integer(value: str) -> int:
    return int(value) if value.isdecimal() else 0
