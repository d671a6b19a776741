"""Who may use the staff workspace, and which requests they may work."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from town311.accounts.models import User
from town311.servicerequests.models import ServiceRequest


def is_staff_member(user) -> bool:
    """Signed in, active, and either in a department or seeing all of them."""
    return (
        user.is_authenticated
        and user.is_active
        and isinstance(user, User)
        and (user.sees_all_departments or user.department_id is not None)
    )


def staff_required(view):
    """Send anonymous visitors to the staff sign-in page, and refuse signed-in
    people who are not staff with a page that says so."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "staff:login")

        if not is_staff_member(request.user):
            raise PermissionDenied(
                "Your account is not part of a department. Ask an administrator "
                "to add you to one."
            )

        return view(request, *args, **kwargs)

    return wrapper


def request_for_staff(user: User, pk: int) -> ServiceRequest:
    """The request, if this staff member may work it; otherwise 403 saying
    whose queue it is in, so nothing of another department leaks."""
    service_request = get_object_or_404(
        ServiceRequest.objects.select_related("service", "department"), pk=pk
    )
    if not user.works_for(service_request.department):
        raise PermissionDenied(
            f"Request {service_request.number} is in the "
            f"{service_request.department} queue, which you do not work. Ask a "
            "coordinator to reassign it or to grant you access."
        )

    return service_request


def requests_for_staff(user: User):
    """The requests this staff member may see in their queues."""
    requests = ServiceRequest.objects.all()
    if user.sees_all_departments:
        return requests

    departments = [
        user.department_id,
        *user.granted_departments.values_list("pk", flat=True),
    ]
    return requests.filter(department__in=departments)
