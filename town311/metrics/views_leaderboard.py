"""The monthly leaderboard page, for every staff member."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.directory.models import Town
from town311.metrics.leaderboard import (
    MIN_REQUESTS,
    MonthError,
    leaderboard_for_month,
    month_last_complete,
    month_parse,
)
from town311.staff.access import staff_required


@require_GET
@staff_required
def leaderboard(request):
    """Departments ranked for ?month=YYYY-MM, by default the last complete
    month; a month it cannot show gets the reason, with status 400."""
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    now = timezone.now()
    context = {
        "min_requests": MIN_REQUESTS,
        "latest": month_last_complete(now=now, zone=zone),
    }

    try:
        if request.GET.get("month"):
            month = month_parse(request.GET["month"], now=now, zone=zone)
        else:
            month = context["latest"]
    except MonthError as error:
        context["error"] = str(error)
        context["asked"] = request.GET["month"]
        return render(request, "metrics/leaderboard.html", context, status=400)

    board = leaderboard_for_month(month=month, zone=zone)
    this_month = context["latest"].following
    context.update(
        rankings=[board.acknowledge, board.close],
        month=month,
        previous=month.previous,
        following=month.following if month < this_month else None,
        in_progress=month == this_month,
    )
    return render(request, "metrics/leaderboard.html", context)
