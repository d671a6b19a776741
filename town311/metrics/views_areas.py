"""Fairness by area: the dashboard's figures per neighbourhood, the
requests waiting on each blocker, and the upload of the town's areas."""

import csv
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from town311.directory.models import Town
from town311.metrics.areas import (
    AreaUploadError,
    PendingUploadGone,
    areas_apply,
    areas_parse,
    areas_plan,
    upload_keep,
    upload_take,
)
from town311.metrics.cells import (
    COLUMNS,
    count_cell,
    days_cell,
    share_cell,
    signed,
    tenths,
)
from town311.metrics.fairness import (
    AREA_FIGURE_KEYS,
    FEWEST_TO_COMPARE,
    area_figures,
    blocker_counts,
)
from town311.metrics.forms_areas import AreaConfirmForm, AreaUploadForm
from town311.metrics.forms_dashboard import DashboardForm, last_complete_month
from town311.staff.access import staff_required

logger = logging.getLogger(__name__)

CELL_FOR = {"count": count_cell, "days": days_cell, "share": share_cell}


def _figures(request):
    """The period, filters and rows the page and its CSV share."""
    user = request.user
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()

    data = request.GET.copy()
    if not any(data.get(name) for name in ("month", "start", "end")):
        data["month"] = f"{last_complete_month(today).first:%Y-%m}"
    form = DashboardForm(data)
    form.is_valid()

    period = form.period(today)
    filters = form.filters()
    department = None if user.sees_all_departments else user.department
    start, end = period.bounds(zone)
    rows = area_figures(
        start=start,
        end=end,
        service=filters["service"],
        channel=filters["channel"],
        department=department,
    )
    return form, period, department, rows


@require_GET
@staff_required
def areas(request):
    form, period, department, rows = _figures(request)

    return render(
        request,
        "metrics/areas.html",
        {
            "form": form,
            "period": period,
            "department": department,
            "rows": _area_table(rows),
            "blockers": _blocker_table(blocker_counts(department=department)),
            "fewest_to_compare": FEWEST_TO_COMPARE,
            "csv_query": request.GET.urlencode(),
            "may_upload": request.user.sees_all_departments,
        },
    )


@require_GET
@staff_required
def areas_csv(request):
    """The area table for spreadsheets: unrounded days, shares as fractions."""
    form, period, department, rows = _figures(request)

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"areas-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, lineterminator="\r\n")
    columns = [key for key in AREA_FIGURE_KEYS if key not in ("area", "is_town")]
    writer.writerow(["area" if key == "name" else key for key in columns])
    for row in rows:
        writer.writerow(["" if row[key] is None else row[key] for key in columns])

    return response


def _area_table(rows: list[dict]) -> list[dict]:
    town = rows[-1]
    table = []
    for row in rows:
        table.append(
            {
                "area": row["area"],
                "name": row["name"],
                "is_town": row["is_town"],
                "cells": [CELL_FOR[kind](row[key], None) for key, kind in COLUMNS],
                "gaps": [
                    _gap_cell(row, town, "ack_median_days", row["acknowledged"]),
                    _gap_cell(row, town, "close_median_days", row["closed"]),
                ],
            }
        )

    return table


def _gap_cell(row: dict, town: dict, key: str, count: int) -> dict:
    if row["is_town"]:
        return {"text": "", "note": None}

    if count < FEWEST_TO_COMPARE:
        return {"text": "", "note": "too few to compare"}

    if row[key] is None or town[key] is None:
        return {"text": "—", "note": None}

    # The gap between the medians as shown, so readers can check it.
    gap = tenths(row[key]) - tenths(town[key])
    if not gap:
        return {"text": "same as the town", "note": None}

    return {"text": f"{signed(gap)} days", "note": None}


def _blocker_table(rows: list[dict]) -> list[dict]:
    table = []
    for row in rows:
        oldest = row["oldest_days"]
        table.append(
            {
                "name": row["name"],
                "is_total": row["blocker"] is None,
                "waiting": row["waiting"],
                "oldest": "—" if oldest is None else f"{tenths(oldest)} days",
            }
        )

    return table


# The upload of the town's areas


def _check_may_upload(user) -> None:
    if not user.sees_all_departments:
        raise PermissionDenied(
            "Only coordinators and administrators may replace the town's areas, "
            "since every department's figures by area depend on them. Ask a "
            "coordinator to upload the file."
        )


@require_http_methods(["GET", "POST"])
@staff_required
def areas_upload(request):
    """First the file, checked and previewed; then its confirmation."""
    _check_may_upload(request.user)

    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)

    form = AreaUploadForm()
    if request.method == "POST":
        form = AreaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            remove_missing = form.cleaned_data["remove_missing"]
            token = upload_keep(
                form.content, remove_missing=remove_missing, user_id=request.user.pk
            )
            return render(
                request,
                "metrics/areas_upload.html",
                {
                    "plan": areas_plan(form.areas, remove_missing=remove_missing),
                    "confirm": AreaConfirmForm(initial={"token": token}),
                    "filename": form.cleaned_data["file"].name,
                },
            )

    return render(request, "metrics/areas_upload.html", {"form": form})


def _confirm(request):
    form = AreaConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise PendingUploadGone
        content, remove_missing = upload_take(
            form.cleaned_data["token"], user_id=request.user.pk
        )
    except PendingUploadGone:
        # Most often a second click on Confirm: the first one applied it.
        messages.info(
            request,
            "That upload was already applied or has expired; nothing more was "
            "changed. Upload the file again to apply it again.",
        )
        return redirect("metrics:areas")

    # The town's limits may have changed since the preview; check again.
    try:
        areas = areas_parse(content)
    except AreaUploadError as error:
        messages.error(request, " ".join(error.problems))
        return redirect("metrics:areas-upload")

    result = areas_apply(areas, remove_missing=remove_missing)
    logger.info(
        "%s uploaded the town's areas: %s added, %s updated, %s removed",
        request.user,
        result.added,
        result.updated,
        result.removed,
    )
    messages.success(
        request,
        f"Areas saved: {result.added} added, {result.updated} updated, "
        f"{result.removed} removed"
        + (
            f" with {result.subscriptions_removed} alert subscription(s)"
            if result.removed
            else ""
        )
        + ". Requests are being placed in the new areas in the background; "
        "the figures by area follow within a few minutes.",
    )
    return redirect("metrics:areas")
