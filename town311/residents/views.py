from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from town311.lib.errors import ActionError, InvalidInput
from town311.notifications.wording import resolution_sentence, status_label
from town311.residents.forms import SignInForm
from town311.residents.selectors import resident_requests
from town311.residents.services import (
    LINK_MINUTES,
    SignInLinkRefused,
    sign_in_link_send,
    sign_in_link_use,
)
from town311.residents.session import (
    resident_email,
    resident_sign_in,
    resident_sign_out,
)
from town311.servicerequests.models import ServiceRequest, Status
from town311.servicerequests.services import request_withdraw

REQUESTS_PER_PAGE = 25


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(request.POST) if request.method == "POST" else SignInForm()
    if form.is_bound and form.is_valid():
        email = form.cleaned_data["email"].lower()
        try:
            sign_in_link_send(email=email)
        except InvalidInput as e:
            for field, message in e.errors.items():
                form.add_error(field, message)
        else:
            ctx = {"email": email, "minutes": LINK_MINUTES}
            return render(request, "residents/sign_in_sent.html", ctx)

    ctx = {"form": form, "signed_in_as": resident_email(request)}
    return render(request, "residents/sign_in.html", ctx)


@require_GET
def sign_in_link(request, token: str):
    try:
        email = sign_in_link_use(token)
    except SignInLinkRefused as e:
        # Opening the link again from the same browser just carries on.
        if e.reason == "used" and e.email and resident_email(request) == e.email:
            return redirect("residents:my-requests")

        ctx = {"reason": e.reason, "form": SignInForm(), "minutes": LINK_MINUTES}
        return render(request, "residents/sign_in_refused.html", ctx, status=400)

    resident_sign_in(request, email)
    return redirect("residents:my-requests")


@require_POST
def sign_out(request):
    resident_sign_out(request)
    messages.success(request, gettext("You have signed out."))
    return redirect("home")


@require_GET
def my_requests(request):
    email = resident_email(request)
    if not email:
        return redirect("residents:sign-in")

    page = Paginator(resident_requests(email), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for item in page:
        item.status_text = status_label(item.status)
        item.outcome = resolution_sentence(item) if not item.is_open else ""
        item.is_listed = item.is_public and item.service.is_public

    ctx = {"email": email, "page": page, "submitted": Status.SUBMITTED}
    return render(request, "residents/my_requests.html", ctx)


@require_POST
def withdraw(request, pk: int):
    email = resident_email(request)
    if not email:
        return redirect("residents:sign-in")

    # Someone else's request is not found rather than refused, so the
    # page says nothing about requests that are not theirs.
    service_request = get_object_or_404(ServiceRequest, pk=pk, reporter_email=email)
    try:
        request_withdraw(service_request, email=email)
    except ActionError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            gettext("Request %(number)s is withdrawn. Thank you for letting us know.")
            % {"number": service_request.number},
        )

    return redirect("residents:my-requests")
