"""The dashboard: each department's figures for a period, beside the town's."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.directory.models import Town
from town311.metrics.figures import period_figures
from town311.metrics.forms_dashboard import DashboardForm, last_complete_month
from town311.staff.access import staff_required

MINUS = "\u2212"
TENTH = Decimal("0.1")

# The table's columns, in the order the page shows them.
COLUMNS = (
    ("received", "count"),
    ("acknowledged", "count"),
    ("closed", "count"),
    ("open_at_end", "count"),
    ("ack_median_days", "days"),
    ("ack_mean_days", "days"),
    ("ack_p90_days", "days"),
    ("ack_within_target_share", "share"),
    ("close_median_days", "days"),
    ("close_mean_days", "days"),
    ("close_p90_days", "days"),
    ("close_within_target_share", "share"),
)


@require_GET
@staff_required
def dashboard(request):
    user = request.user
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()

    # With no period asked for, the month field shows the month on screen.
    data = request.GET.copy()
    if not any(data.get(name) for name in ("month", "start", "end")):
        data["month"] = f"{last_complete_month(today).first:%Y-%m}"
    form = DashboardForm(data)
    form.is_valid()

    period = form.period(today)
    previous = period.previous()
    filters = form.filters()
    department = None if user.sees_all_departments else user.department
    start, end = period.bounds(zone)
    rows = period_figures(start=start, end=end, department=department, **filters)
    start, end = previous.bounds(zone)
    before = period_figures(start=start, end=end, department=department, **filters)

    return render(
        request,
        "metrics/dashboard.html",
        {
            "form": form,
            "period": period,
            "previous": previous,
            "rows": _table(rows, before),
            "sees_all": user.sees_all_departments,
            "exports": _export_links(period, form, department),
        },
    )


def _export_links(period, form, department) -> dict:
    # The export counts its end date out, while the dashboard counts it in.
    query = {
        "start": period.first.isoformat(),
        "end": (period.last + timedelta(days=1)).isoformat(),
    }
    filters = form.filters()
    if filters["service"]:
        query["service"] = filters["service"].code
    if filters["channel"]:
        query["channel"] = filters["channel"]
    if department:
        query["department"] = department.slug

    return {
        extension: reverse("metrics:export-requests", args=[extension])
        + "?"
        + urlencode(query)
        for extension in ("csv", "xlsx")
    }


# The table, as the page shows it


def _table(rows: list[dict], before: list[dict]) -> list[dict]:
    previous = {_key(row): row for row in before}
    cell_for = {"count": _count_cell, "days": _days_cell, "share": _share_cell}
    table = []
    for row in rows:
        earlier = previous.get(_key(row), {})
        cells = [cell_for[kind](row[key], earlier.get(key)) for key, kind in COLUMNS]
        table.append({"department": row["department"], "cells": cells})

    return table


def _key(row: dict) -> int | None:
    return row["department"].pk if row["department"] else None


def _tenths(days: float) -> Decimal:
    return Decimal(repr(days)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _signed(number) -> str:
    return f"{MINUS}{-number}" if number < 0 else f"+{number}"


def _count_cell(value: int, earlier: int | None) -> dict:
    # More requests is neither good nor bad news, so counts stay neutral.
    cell = {"text": str(value), "change": None, "tone": "neutral"}
    if earlier is not None:
        change = value - earlier
        cell["change"] = _signed(change) if change else "no change"

    return cell


def _days_cell(value: float | None, earlier: float | None) -> dict:
    if value is None:
        return {"text": "—", "change": None, "tone": "neutral"}

    shown = _tenths(value)
    cell = {"text": f"{shown} days", "change": None, "tone": "neutral"}
    if earlier is not None:
        # The change is between the figures as shown, so readers can check it.
        change = shown - _tenths(earlier)
        cell["change"] = f"{_signed(change)} days" if change else "no change"
        cell["tone"] = "improved" if change < 0 else "neutral"

    return cell


def _share_cell(value: float | None, earlier: float | None) -> dict:
    if value is None:
        return {"text": "—", "change": None, "tone": "neutral"}

    shown = round(value * 100)
    cell = {"text": f"{shown}%", "change": None, "tone": "neutral"}
    if earlier is not None:
        change = shown - round(earlier * 100)
        cell["change"] = f"{_signed(change)} points" if change else "no change"
        cell["tone"] = "improved" if change > 0 else "neutral"

    return cell
