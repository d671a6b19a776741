"""The trends page, its charts as images and its heat map's cells.

Everyone on staff sees the whole town; coordinators see every department,
or the one they pick, and other staff their own department beside the
town, as on the dashboard. The chart images and the map's cells follow the
same rule, so a link cannot show what the page would not.
"""

import json
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from town311.directory.models import Department, Town
from town311.lib import geo
from town311.metrics.charts import (
    channel_name,
    channel_volume_chart,
    days_text,
    median_trend_chart,
    month_label,
    service_volume_chart,
)
from town311.metrics.figures import month_bounds
from town311.metrics.forms_trends import TrendsForm
from town311.metrics.leaderboard import Month
from town311.metrics.trends import (
    channel_volume,
    heat_cells,
    median_trend,
    service_volume,
)
from town311.staff.access import staff_required

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}

# The busiest cells listed under the map, for readers who cannot see it.
BUSIEST_CELLS = 10
TREND_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Choice:
    """What the page, a chart or the map shows, once access is settled."""

    month: Month
    # The department whose lines and volumes are shown, None for all.
    department: Department | None
    # The department asked for in links; staff never need to name theirs.
    asked: Department | None


@require_GET
@staff_required
def trends(request):
    zone = _zone()
    form = TrendsForm(request.GET, now=timezone.now(), zone=zone)
    context = {"form": form, "sees_all": request.user.sees_all_departments}
    if not form.is_valid():
        context["error"] = form.problems()
        return render(request, "metrics/trends.html", context, status=400)

    choice = _choice(request.user, form)
    trend = _median_trend(choice, zone)
    months, volume = channel_volume(
        last=choice.month, zone=zone, department=choice.department
    )
    start, end = month_bounds(choice.month.year, choice.month.month, zone)
    services = service_volume(start=start, end=end, department=choice.department)
    cells = heat_cells(start=start, end=end, department=choice.department)

    query = _query(choice)
    charts = {
        "acknowledge": median_trend_chart(
            trend, clock="ack", department=choice.department
        ),
        "close": median_trend_chart(trend, clock="close", department=choice.department),
        "channels": channel_volume_chart(months, volume),
        "services": service_volume_chart(services),
    }
    context.update(
        choice=choice,
        month_label=f"{choice.month.first_day:%B %Y}",
        first_label=f"{months[0].first_day:%B %Y}",
        scope=choice.department.name if choice.department else "the whole town",
        charts={
            name: {
                "chart": chart,
                "svg": _chart_url(name, "svg", query),
                "png": _chart_url(name, "png", query),
            }
            for name, chart in charts.items()
        },
        medians=_median_table(trend),
        channels=_channel_table(months, volume),
        services=services,
        busiest=_busiest(cells),
        heat_url=reverse("metrics:heat") + "?" + query,
        bounds=_town_bounds(),
    )
    return render(request, "metrics/trends.html", context)


@require_GET
@staff_required
def chart(request, name: str, extension: str):
    """One chart of the page as an SVG or PNG image."""
    zone = _zone()
    form = TrendsForm(request.GET, now=timezone.now(), zone=zone)
    if not form.is_valid():
        return _bad_request(form)

    choice = _choice(request.user, form)
    if name in ("acknowledge", "close"):
        trend = _median_trend(choice, zone)
        clock = "ack" if name == "acknowledge" else "close"
        drawn = median_trend_chart(trend, clock=clock, department=choice.department)
    elif name == "channels":
        months, volume = channel_volume(
            last=choice.month, zone=zone, department=choice.department
        )
        drawn = channel_volume_chart(months, volume)
    else:
        start, end = month_bounds(choice.month.year, choice.month.month, zone)
        rows = service_volume(start=start, end=end, department=choice.department)
        drawn = service_volume_chart(rows)

    content = drawn.svg() if extension == "svg" else drawn.png()
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    return _private(response)


@require_GET
@staff_required
def heat(request):
    """The month's heat cells as GeoJSON rectangles, each with its count."""
    zone = _zone()
    form = TrendsForm(request.GET, now=timezone.now(), zone=zone)
    if not form.is_valid():
        return _bad_request(form)

    choice = _choice(request.user, form)
    start, end = month_bounds(choice.month.year, choice.month.month, zone)
    cells = heat_cells(start=start, end=end, department=choice.department)
    collection = {
        "type": "FeatureCollection",
        "features": [_feature(cell) for cell in cells],
    }
    response = JsonResponse(collection, content_type="application/geo+json")
    return _private(response)


# Access and parameters


def _median_trend(choice: Choice, zone):
    # The page and its two median charts all need the same trend, and it is
    # the costliest figure here (seconds on a large SQLite town), so it is
    # kept for a few minutes; past months change rarely, and only by a late
    # close or a reopen.
    scope = choice.department.pk if choice.department else "all"
    key = f"metrics:median-trend:{choice.month}:{scope}:{zone}"
    return cache.get_or_set(
        key,
        lambda: median_trend(
            last=choice.month, zone=zone, department=choice.department
        ),
        TREND_CACHE_SECONDS,
    )


def _zone():
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def _choice(user, form: TrendsForm) -> Choice:
    month = form.cleaned_data["month"]
    asked = form.cleaned_data.get("department")
    if user.sees_all_departments:
        return Choice(month=month, department=asked, asked=asked)

    if asked is not None and asked.pk != user.department_id:
        raise PermissionDenied(
            f"The trends of {asked} are for that department and the "
            f"coordinators. Yours are those of {user.department}, beside the "
            "whole town's."
        )

    return Choice(month=month, department=user.department, asked=None)


def _bad_request(form: TrendsForm) -> HttpResponse:
    response = HttpResponse(
        form.problems(), status=400, content_type="text/plain; charset=utf-8"
    )
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    # Figures are for staff only: no shared cache may keep them.
    patch_cache_control(response, private=True)
    return response


def _query(choice: Choice) -> str:
    query = {"month": str(choice.month)}
    if choice.asked is not None:
        query["department"] = choice.asked.slug
    return urlencode(query)


def _chart_url(name: str, extension: str, query: str) -> str:
    return reverse("metrics:chart", args=[name, extension]) + "?" + query


def _town_bounds() -> str:
    town = Town.objects.current()
    if town is None:
        return ""

    try:
        return json.dumps(geo.map_bounds(town.boundary))
    except ValidationError:
        logger.warning("The town boundary cannot be read; the heat map has no bounds")
        return ""


# The numbers beside the charts


def _median_table(trend) -> dict:
    names = ["Whole town", *(each.name for each, _ in trend.departments)]
    tables = {}
    for key in ("ack", "close"):
        series = [trend.town[key], *(s[key] for _, s in trend.departments)]
        tables[key] = {
            "names": names,
            "rows": [
                {
                    "month": month_label(month),
                    "cells": [days_text(values[index]) for values in series],
                }
                for index, month in enumerate(trend.months)
            ],
        }
    return tables


def _channel_table(months: list[Month], volume: dict[str, list[int]]) -> dict:
    return {
        "names": [channel_name(value) for value in volume],
        "rows": [
            {
                "month": month_label(month),
                "cells": [series[index] for series in volume.values()],
            }
            for index, month in enumerate(months)
        ],
    }


def _busiest(cells: list[dict]) -> list[dict]:
    busiest = sorted(cells, key=lambda cell: -cell["count"])[:BUSIEST_CELLS]
    return [
        {
            "count": cell["count"],
            "lat": f"{(cell['south'] + cell['north']) / 2:.4f}",
            "long": f"{(cell['west'] + cell['east']) / 2:.4f}",
        }
        for cell in busiest
    ]


def _feature(cell: dict) -> dict:
    south, west, north, east = (cell[k] for k in ("south", "west", "north", "east"))
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": cell,
    }
