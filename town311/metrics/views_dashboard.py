"""The dashboard: each department's figures for a period, beside the town's."""

from datetime import timedelta
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.directory.models import Town
from town311.metrics.cells import figure_table
from town311.metrics.figures import period_figures
from town311.metrics.forms_dashboard import DashboardForm, last_complete_month
from town311.staff.access import staff_required

# The downloads of requests, by which of their moments falls in the period.
EXPORT_BASES = (
    ("submitted", "received"),
    ("acknowledged", "acknowledged"),
    ("closed", "closed"),
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
            "rows": figure_table(rows, before),
            "sees_all": user.sees_all_departments,
            "exports": _export_links(period, form, department),
        },
    )


def _export_links(period, form, department) -> dict:
    """The downloads for what the page shows: the requests received,
    acknowledged and closed in the period, and the table itself; "csv" and
    "xlsx" alone are the requests received."""
    filters = form.filters()
    narrowing = {}
    if filters["service"]:
        narrowing["service"] = filters["service"].code
    if filters["channel"]:
        narrowing["channel"] = filters["channel"]
    if filters["neighbourhood"]:
        narrowing["area"] = filters["neighbourhood"].slug

    # The export counts its end date out, while the dashboard counts it in.
    requests = {
        "start": period.first.isoformat(),
        "end": (period.last + timedelta(days=1)).isoformat(),
        **narrowing,
    }
    if department:
        requests["department"] = department.slug

    def links(name: str, query: dict) -> dict:
        return {
            extension: reverse(name, args=[extension]) + "?" + urlencode(query)
            for extension in ("csv", "xlsx")
        }

    bases = []
    for basis, label in EXPORT_BASES:
        query = dict(requests) if basis == "submitted" else {**requests, "basis": basis}
        bases.append(
            {"basis": basis, "label": label, **links("metrics:export-requests", query)}
        )

    if period.is_month:
        table = {"month": f"{period.first:%Y-%m}"}
    else:
        table = {"start": period.first.isoformat(), "end": period.last.isoformat()}

    return {
        **bases[0],
        "bases": bases,
        "table": links("metrics:export-table", {**table, **narrowing}),
    }
