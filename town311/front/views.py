"""The public site: the home page, browsing requests, a request's own page,
and the pages residents reach from links in e-mails (answering a question,
rating the outcome).

Public pages show public requests only, and of those only what the public
timeline shows: never the reporter's details, followers or internal notes.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from town311.directory.models import Department, Town
from town311.front.forms import AnswerForm, BrowseForm, FollowForm, RatingForm
from town311.front.timeline import public_timeline, status_words
from town311.lib import geo
from town311.lib.errors import ActionError, InvalidInput
from town311.metrics.selectors import town_headline_figures
from town311.servicerequests import engagement, services, tokens
from town311.servicerequests.models import (
    Event,
    MeToo,
    Resolution,
    ServiceRequest,
    Status,
)

logger = logging.getLogger(__name__)

PER_PAGE = 25
# The map shows the newest requests of a filter; beyond this many, markers
# stop telling anyone anything and the page gets slow on a phone.
MAP_MAX_FEATURES = 1000
RECENT_DAYS = 30
HOME_LATEST = 5
# Close enough on a request's own map to tell one street from the next.
REQUEST_MAP_ZOOM = 17


def _public_requests():
    return ServiceRequest.objects.public().select_related("service", "neighbourhood")


def _render(request, template: str, context: dict | None = None, status: int = 200):
    # Dates on the public site are the town's, wherever the reader is.
    town = Town.objects.current()
    with timezone.override(town.zone if town else None):
        return render(request, template, context, status=status)


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
    """[[south, west], [north, east]] of the town in JSON, as Leaflet takes
    them; empty when unknown."""
    if town is None:
        return ""

    try:
        west, south, east, north = geo.prepared_area(town.boundary).bounds
    except ValidationError:
        logger.warning("The town boundary cannot be read; maps show no bounds")
        return ""

    return json.dumps([[south, west], [north, east]])


# Home


def home(request):
    town = Town.objects.current()
    if town is None:
        return render(request, "front/home.html")

    since = timezone.localdate(timezone=town.zone) - timedelta(days=RECENT_DAYS)
    recent_filter = BrowseForm({"since": since.isoformat()})
    recent = recent_filter.filter_requests(_public_requests())

    geojson_url = reverse("front:requests-geojson")
    context = {
        "latest": recent[:HOME_LATEST],
        "recent_count": recent.count(),
        "recent_days": RECENT_DAYS,
        "browse_query": recent_filter.query_string(),
        "figures": town_headline_figures(days=RECENT_DAYS),
        "map_geojson_url": f"{geojson_url}?{recent_filter.query_string()}",
        "map_bounds": _town_bounds(town),
    }
    return _render(request, "front/home.html", context)


# Browse


def browse(request):
    form = BrowseForm(request.GET)
    requests = form.filter_requests(_public_requests()).order_by("-submitted_at", "-pk")
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))

    query = form.query_string()
    town = Town.objects.current()
    context = {
        "form": form,
        "page": page,
        "query": query,
        "is_filtered": bool(query),
        # Filters other than the search box fold away on a phone until used.
        "show_filters": bool(form.errors)
        or any(form.cleaned_data.get(f) for f in form.fields if f != "q"),
        "map_geojson_url": f"{reverse('front:requests-geojson')}?{query}",
        "map_limit": MAP_MAX_FEATURES,
        "map_bounds": _town_bounds(town),
    }
    return _render(request, "front/browse.html", context)


def requests_geojson(request):
    """Public requests for maps, filtered as on the browse page."""
    form = BrowseForm(request.GET)
    if not form.is_valid():
        errors = {field: " ".join(e) for field, e in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)

    rows = (
        form.filter_requests(ServiceRequest.objects.public())
        .order_by("-submitted_at", "-pk")
        .values(
            "pk", "lat", "long", "status", "resolution", "submitted_at", "service__name"
        )[:MAP_MAX_FEATURES]
    )

    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["long"], row["lat"]]},
            "properties": {
                "id": row["pk"],
                "service": row["service__name"],
                "status": row["status"],
                "status_label": status_words(row["status"], row["resolution"]),
                "submitted": timezone.localdate(row["submitted_at"], zone).isoformat(),
                "url": reverse("front:request", args=[row["pk"]]),
            },
        }
        for row in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


# A request's page


@dataclass(frozen=True)
class Expectation:
    """When the department aims to acknowledge or close the request."""

    kind: str
    by: datetime
    target: str
    is_late: bool


def _duration_words(duration: timedelta) -> str:
    days = duration / timedelta(days=1)
    if days >= 1 and days == int(days):
        return ngettext("%(count)d day", "%(count)d days", int(days)) % {
            "count": int(days)
        }

    hours = max(1, round(duration / timedelta(hours=1)))
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _expectations(service_request: ServiceRequest) -> list[Expectation]:
    department: Department | None = service_request.department
    if department is None or not service_request.is_open:
        return []

    # The due dates count the department's targets in working hours from
    # when the request entered its queue; requests from before due dates
    # were kept fall back to the plain target from that moment.
    start = service_request.department_entered_at or service_request.submitted_at
    now = timezone.now()
    targets = [
        ("close", department.close_target, service_request.close_due_at),
    ]
    if service_request.status == Status.SUBMITTED:
        targets.insert(
            0,
            (
                "acknowledge",
                department.acknowledge_target,
                service_request.acknowledge_due_at,
            ),
        )

    return [
        Expectation(
            kind=kind,
            by=due or start + target,
            target=_duration_words(target),
            is_late=(due or start + target) < now,
        )
        for kind, target, due in targets
    ]


def _visitor(request, *, create: bool) -> str | None:
    """An opaque hash standing for this browser, from its session."""
    if not request.session.session_key:
        if not create:
            return None

        request.session.save()
        # Make the session middleware send the cookie for the new session.
        request.session.modified = True

    key = request.session.session_key
    return salted_hmac("town311.me-too", key, algorithm="sha256").hexdigest()


def _rating_notice(service_request: ServiceRequest) -> bool:
    """Whether to remind the reporter that a "not fixed" rating reopens it."""
    if service_request.is_open or service_request.resolution in (
        Resolution.DUPLICATE,
        Resolution.WITHDRAWN,
    ):
        return False

    return service_request.closed_at >= timezone.now() - engagement.REOPEN_WINDOW


def _can_follow(service_request: ServiceRequest) -> bool:
    if service_request.is_open:
        return True

    return service_request.closed_at >= timezone.now() - engagement.REOPEN_WINDOW


def _public_original(service_request: ServiceRequest) -> ServiceRequest | None:
    original = service_request.duplicate_of
    if original and original.is_public and original.service.is_public:
        return original

    return None


def _follow_context(service_request: ServiceRequest, form: FollowForm) -> dict:
    return {
        "service_request": service_request,
        "follow_form": form,
        "can_follow": _can_follow(service_request),
        "original": _public_original(service_request),
    }


def _me_too_context(request, service_request: ServiceRequest) -> dict:
    visitor = _visitor(request, create=False)
    done = (
        visitor is not None
        and MeToo.objects.filter(request=service_request, visitor=visitor).exists()
    )
    return {
        "service_request": service_request,
        "me_too_count": service_request.me_toos.count(),
        "me_too_done": done,
    }


def _render_details(request, service_request, *, follow_form=None, status=200):
    context = {
        "service_request": service_request,
        "status_words": status_words(
            service_request.status, service_request.resolution
        ),
        "timeline": public_timeline(service_request),
        "photos": service_request.photos.filter(is_hidden=False),
        "expectations": _expectations(service_request),
        "rating_notice": _rating_notice(service_request),
        "map_zoom": REQUEST_MAP_ZOOM,
        **_follow_context(service_request, follow_form or FollowForm()),
        **_me_too_context(request, service_request),
    }
    return _render(request, "front/request.html", context, status=status)


def _public_request_or_404(pk: int) -> ServiceRequest:
    requests = _public_requests().select_related(
        "department", "agency", "duplicate_of__service"
    )
    return get_object_or_404(requests, pk=pk)


def details(request, pk: int):
    return _render_details(request, _public_request_or_404(pk))


@require_POST
def follow(request, pk: int):
    service_request = _public_request_or_404(pk)
    form = FollowForm(request.POST)
    follower = None
    if form.is_valid():
        try:
            follower = engagement.request_follow(
                service_request, email=form.cleaned_data["email"]
            )
        except InvalidInput as e:
            form.add_error("email", e.errors.get("email", e.message))
        except ActionError as e:
            form.add_error(None, e.message)

    if follower is None:
        if _is_htmx(request):
            context = _follow_context(service_request, form)
            return _render(request, "front/request_follow.html", context)

        return _render_details(request, service_request, follow_form=form)

    if follower.request_id == service_request.pk:
        message = _(
            "You are following request %(number)s. We will e-mail you when it "
            "changes; each e-mail has a link to stop."
        ) % {"number": service_request.number}
    else:
        message = _(
            "Request %(number)s repeats request %(original)s, so you are "
            "following request %(original)s. We will e-mail you when it changes."
        ) % {"number": service_request.number, "original": follower.request_id}

    if _is_htmx(request):
        context = _follow_context(service_request, FollowForm())
        context["followed_message"] = message
        return _render(request, "front/request_follow.html", context)

    messages.success(request, message)
    return redirect(_safe_next(request) or reverse("front:request", args=[pk]))


@require_POST
def me_too(request, pk: int):
    service_request = _public_request_or_404(pk)
    target = _safe_next(request)
    try:
        visitor = _visitor(request, create=True)
        counted = engagement.request_me_too(service_request, visitor=visitor)
    except ActionError as e:
        message, level = e.message, messages.ERROR
    else:
        if counted:
            message = _(
                "Thank you: request %(number)s now counts you as affected too."
            ) % {"number": service_request.number}
        else:
            message = _("You had already said this affects you too.")
        level = messages.SUCCESS

    if _is_htmx(request) and target is None:
        context = _me_too_context(request, service_request)
        context["me_too_message"] = message
        return _render(request, "front/request_me_too.html", context)

    messages.add_message(request, level, message)
    return redirect(target or reverse("front:request", args=[pk]))


# Pages reached from links in e-mails


class _BadLink(Exception):
    def __init__(self, *, expired: bool) -> None:
        self.expired = expired


def _linked_request(kind: str, pk: int, token: str, max_age: int | None):
    """The request and e-mail address a signed link was made for."""
    try:
        request_id, email = tokens.token_read(kind, token, max_age=max_age)
    except tokens.BadToken as e:
        expired = isinstance(e.__cause__, signing.SignatureExpired)
        raise _BadLink(expired=expired) from e

    if request_id != pk:
        raise _BadLink(expired=False)

    service_request = (
        ServiceRequest.objects.select_related("service", "department")
        .filter(pk=pk)
        .first()
    )
    if service_request is None:
        raise _BadLink(expired=False)

    return service_request, email


def _bad_link(request, error: _BadLink, pk: int) -> HttpResponse:
    context = {"expired": error.expired, "number": pk}
    status = 403 if error.expired else 400
    return _render(request, "front/bad_link.html", context, status=status)


def _is_public(service_request: ServiceRequest) -> bool:
    return service_request.is_public and service_request.service.is_public


def answer(request, pk: int, token: str):
    try:
        service_request, _email = _linked_request(
            "answer", pk, token, tokens.ANSWER_MAX_AGE
        )
    except _BadLink as e:
        return _bad_link(request, e, pk)

    questions = [
        entry
        for entry in public_timeline(service_request)
        if entry.kind == Event.Kind.INFORMATION_REQUESTED
    ]
    last_answer = (
        service_request.events.filter(kind=Event.Kind.INFORMATION_PROVIDED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    unanswered = [q for q in questions if last_answer is None or q.at > last_answer]

    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_record_answer(
                service_request, text=form.cleaned_data["answer"]
            )
        except InvalidInput as e:
            form.add_error("answer", " ".join(e.errors.values()))
        except ActionError as e:
            form.add_error(None, e.message)
        else:
            # Back to a GET, so reloading the thank-you page sends nothing twice.
            return redirect(f"{request.path}?sent=1")

    context = {
        "service_request": service_request,
        "is_public": _is_public(service_request),
        "questions": unanswered or questions[-1:],
        "last_answer": last_answer if not unanswered else None,
        "form": form,
        "sent": request.method == "GET" and request.GET.get("sent") == "1",
    }
    return _render(request, "front/answer.html", context)


def rate(request, pk: int, token: str):
    try:
        service_request, email = _linked_request(
            "rating", pk, token, tokens.RATING_MAX_AGE
        )
    except _BadLink as e:
        return _bad_link(request, e, pk)

    context = {
        "service_request": service_request,
        "is_public": _is_public(service_request),
    }
    try:
        engagement.request_check_rateable(service_request, email=email)
    except engagement.RatingRefused as e:
        context["refusal"] = e.message
        return _render(request, "front/rate.html", context)

    previous = engagement.close_rating(service_request)
    initial = {}
    if previous is not None:
        initial = {
            "is_fixed": "yes" if previous.is_fixed else "no",
            "score": str(previous.score),
            "comment": previous.comment,
        }

    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rating = engagement.request_rate(
                service_request, email=email, **form.cleaned_data
            )
        except InvalidInput as e:
            for field, message in e.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except engagement.RatingRefused as e:
            context["refusal"] = e.message
            return _render(request, "front/rate.html", context)
        else:
            context["rating"] = rating
            context["reopened"] = service_request.is_open
            context["department"] = service_request.department
            return _render(request, "front/rate_done.html", context)

    context.update({"form": form, "previous": previous})
    return _render(request, "front/rate.html", context)
