from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from town311.notifications.decorators import one_click_unsubscribe
from town311.notifications.followers import follower_unsubscribe, is_following
from town311.servicerequests.models import ServiceRequest
from town311.servicerequests.tokens import UNSUBSCRIBE_MAX_AGE, BadToken, token_read


@one_click_unsubscribe
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm, so that a mail scanner opening the link ends
    nothing; POST (the button, or a mail program's one-click) ends it."""
    try:
        request_id, email = token_read(
            "unsubscribe", token, max_age=UNSUBSCRIBE_MAX_AGE
        )
    except BadToken:
        return render(request, "notifications/bad_link.html", status=400)

    ctx = {"number": request_id, "service": _public_service_name(request_id)}
    if request.method == "POST":
        follower_unsubscribe(request_id=request_id, email=email)
        return render(request, "notifications/unsubscribed.html", ctx)

    if not is_following(request_id=request_id, email=email):
        return render(request, "notifications/unsubscribed.html", ctx)

    return render(request, "notifications/unsubscribe.html", ctx)


def _public_service_name(request_id: int) -> str:
    # The page may be seen by others than the link's owner (a forwarded
    # e-mail): a private request is named by its number only.
    service_request = (
        ServiceRequest.objects.public()
        .filter(pk=request_id)
        .select_related("service")
        .first()
    )
    return service_request.service.name if service_request else ""
