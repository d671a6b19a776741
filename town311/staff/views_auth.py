from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from town311.staff.access import is_staff_member, staff_required
from town311.staff.forms_auth import StaffSignInForm


def _next_url(request) -> str:
    """Where to go after signing in: the page that sent the person here, if
    it is on this site, else the queue."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Back to the sign-in page would loop for someone already signed in.
    if not safe or url.split("?")[0] == reverse("staff:login"):
        return reverse("staff:home")

    return url


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    next_url = _next_url(request)
    if request.method == "GET" and is_staff_member(request.user):
        return redirect(next_url)

    form = StaffSignInForm(request, data=request.POST or None)
    if form.is_bound and form.is_valid():
        # Django's login gives the session a new key, so a session id planted
        # before signing in is worth nothing afterwards.
        auth_login(request, form.get_user())
        return redirect(next_url)

    locked = form.is_bound and form.has_error(NON_FIELD_ERRORS, "locked")
    ctx = {"form": form, "next": next_url}
    return render(request, "staff/login.html", ctx, status=429 if locked else 200)


@require_POST
def logout(request):
    auth_logout(request)
    messages.success(request, "You have signed out.")
    return redirect("staff:login")


@require_GET
@staff_required
def home(request):
    return redirect("staff:queue")
