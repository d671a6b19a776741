from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from town311.alerts.feeds import AreaFeed
from town311.alerts.forms import AreaForm, FeedForm, SubscribeForm
from town311.alerts.services import (
    BadToken,
    SubscriptionGone,
    area_words,
    subscription_area_words,
    subscription_confirm,
    subscription_create,
    subscription_end,
    subscription_from_token,
)
from town311.directory.models import Town
from town311.lib import geo
from town311.lib.errors import InvalidInput
from town311.notifications.decorators import one_click_unsubscribe


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Two steps, both without JavaScript: choose the area and services
    (a GET form), then subscribe by e-mail (POST) or copy the feed address
    for that area."""
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            try:
                subscription = subscription_create(
                    email=form.cleaned_data["email"],
                    area=form.chosen_area(),
                    place_name=form.place_name(),
                    language=get_language(),
                )
            except InvalidInput as e:
                for field, message in e.errors.items():
                    form.add_error(field, message)
            else:
                ctx = {
                    "email": subscription.email,
                    "area": subscription_area_words(subscription),
                    "feed_url": _feed_url(request, form),
                }
                return render(request, "alerts/subscribed.html", ctx)

        # The area came from hidden fields; if they no longer hold up (a
        # neighbourhood renamed meanwhile), the person chooses again.
        if set(form.errors) - {"email"}:
            return _choose(request, form)

        return _email_step(request, form)

    if "where" not in request.GET:
        return _choose(request, AreaForm())

    form = AreaForm(request.GET)
    if "change" in request.GET or not form.is_valid():
        return _choose(request, form)

    return _email_step(request, SubscribeForm(), area=form)


def _choose(request, form: AreaForm):
    ctx = {
        "form": form,
        "centre": _town_centre(),
        "town_feed_url": request.build_absolute_uri(reverse("alerts:feed")),
    }
    return render(request, "alerts/subscribe.html", ctx)


def _email_step(request, form: SubscribeForm, *, area: AreaForm | None = None):
    # After a failed POST the subscribe form itself holds the area.
    area = area or form
    query = area.area_query()
    # Back on the first step, a place is found again from its name, so
    # that changing the name moves the centre.
    named = area.place_name()
    change = [(k, v) for k, v in query if not (named and k in ("lat", "long"))]
    ctx = {
        "form": form,
        "area": area_words(area.chosen_area(), place_name=area.place_name()),
        "services": [service.name for service in area.chosen_area().services],
        "area_query": query,
        "change_url": _subscribe_url(change + [("change", "1")]),
        "feed_url": _feed_url(request, area),
    }
    return render(request, "alerts/subscribe_email.html", ctx)


def _subscribe_url(query: list[tuple[str, str]]) -> str:
    return f"{reverse('alerts:subscribe')}?{urlencode(query)}"


def _town_centre() -> tuple[float, float] | None:
    town = Town.objects.current()
    if town is None:
        return None

    minx, miny, maxx, maxy = geo.prepared_area(town.boundary).bounds
    return (miny + maxy) / 2, (minx + maxx) / 2


def _feed_url(request, form: AreaForm) -> str:
    query = urlencode(form.feed_query())
    return request.build_absolute_uri(f"{reverse('alerts:feed')}?{query}")


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button and POST confirms, so that a mail scanner opening
    the link cannot confirm for the person."""
    try:
        subscription = subscription_from_token("confirm", token)
    except BadToken:
        return render(request, "alerts/bad_link.html", {"kind": "confirm"}, status=400)

    ctx = {"area": subscription_area_words(subscription)}
    if request.method == "POST" or subscription.is_confirmed:
        subscription_confirm(subscription)
        return render(request, "alerts/confirmed.html", ctx)

    return render(request, "alerts/confirm.html", ctx)


@one_click_unsubscribe
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        subscription = subscription_from_token("unsubscribe", token)
    except SubscriptionGone:
        # Ended already: what the person wanted is done.
        return render(request, "alerts/unsubscribed.html")
    except BadToken:
        return render(
            request, "alerts/bad_link.html", {"kind": "unsubscribe"}, status=400
        )

    if request.method == "POST":
        subscription_end(subscription)
        return render(request, "alerts/unsubscribed.html")

    ctx = {"area": subscription_area_words(subscription)}
    return render(request, "alerts/unsubscribe.html", ctx)


@require_GET
def feed(request):
    form = FeedForm(request.GET)
    if not form.is_valid():
        problems = [
            f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
            for field, errors in form.errors.items()
        ]
        return HttpResponseBadRequest(
            "\n".join(problems) + "\n", content_type="text/plain; charset=utf-8"
        )

    return AreaFeed()(request, area=form.chosen_area())
