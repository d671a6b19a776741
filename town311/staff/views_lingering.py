"""The coordinator's lingering page and its per-department nudge."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from town311.directory.models import Department
from town311.lib.errors import ActionError
from town311.staff.access import staff_required
from town311.staff.lingering import (
    LISTED_PER_DEPARTMENT,
    NO_UPDATE_AFTER,
    department_nudge,
    lingering_by_department,
)

logger = logging.getLogger(__name__)


def _check_coordinator(user) -> None:
    if not user.sees_all_departments:
        raise PermissionDenied(
            "The lingering list is for coordinators, who follow every "
            "department. Your queue marks your own department's late requests "
            "with badges."
        )


@require_GET
@staff_required
def lingering(request):
    _check_coordinator(request.user)

    groups = lingering_by_department()
    return render(
        request,
        "staff/lingering.html",
        {
            "groups": groups,
            "total": sum(group.count for group in groups),
            "now": timezone.now(),
            "no_update_days": NO_UPDATE_AFTER.days,
            "listed_per_department": LISTED_PER_DEPARTMENT,
        },
    )


@require_POST
@staff_required
def nudge(request, slug: str):
    _check_coordinator(request.user)
    department = get_object_or_404(Department, slug=slug)

    try:
        sent = department_nudge(department=department, by=request.user)
    except ActionError as e:
        messages.error(request, e.message)
    else:
        count = sent.request_count
        messages.success(
            request,
            f"Sent {department} a friendly reminder at {department.email} "
            f"listing {count} request{'s' if count != 1 else ''}.",
        )

    return redirect(reverse("staff:lingering") + f"#department-{department.slug}")
