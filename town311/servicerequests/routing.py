"""Choose the department for a new request from its service and place."""

import logging
import threading
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext
from shapely.geometry.base import BaseGeometry

from town311.directory.models import (
    Agency,
    Department,
    GeographyVersion,
    Neighbourhood,
    RoutingArea,
    Service,
    Town,
)
from town311.lib import geo
from town311.lib.errors import ActionError, HandledElsewhere, OutsideServiceArea

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    department: Department
    reason: str


@dataclass(frozen=True)
class Geography:
    """The rows routing reads, with their areas parsed and prepared.

    Each list holds (size, pk, row, geometry) for the rows with a valid
    area, so the smallest holding area is found without parsing anything.
    """

    version: int | None
    town: Town | None
    routing_areas: list[tuple[float, int, RoutingArea, BaseGeometry]]
    neighbourhoods: list[tuple[float, int, Neighbourhood, BaseGeometry]]
    agencies: list[tuple[float, int, Agency, BaseGeometry]]


# One per process; threads (runserver, a threaded worker) share it and
# take turns loading it.
_cached: Geography | None = None
_loading = threading.Lock()

# A busy process reads the stored version at most this often. A change
# saved in this process is seen at once (`GeographyVersion.renewals_here`),
# one saved in another process within this time.
TRUST_SECONDS = 1.0
# (monotonic time, renewals_here) of the last look at the stored version,
# or None when the copy must be checked on its next use.
_checked: tuple[float, int] | None = None


def geography() -> Geography:
    """The current rows for routing: from this process's cache while the
    stored GeographyVersion is unchanged, else loaded again."""
    global _cached, _checked
    cached, checked = _cached, _checked
    if (
        cached is not None
        and checked is not None
        and checked[1] == GeographyVersion.renewals_here
        and time.monotonic() - checked[0] < TRUST_SECONDS
    ):
        return cached

    renewals = GeographyVersion.renewals_here
    version = GeographyVersion.current()
    # Inside a transaction the version read may be one that is rolled
    # back later, so the copy is checked again on its next use.
    _checked = None if connection.in_atomic_block else (time.monotonic(), renewals)
    if cached is not None and version is not None and cached.version == version:
        return cached

    with _loading:
        loaded = _load(version)
        if version is not None:
            _cached = loaded
    return loaded


def _load(version: int | None) -> Geography:
    # An area pointing at a department that no longer takes requests is
    # passed over, so the request falls to the next area or the default.
    routing_areas = (
        RoutingArea.objects.filter(is_active=True)
        .exclude(department__is_active=False)
        .select_related("department", "agency")
    )
    return Geography(
        version=version,
        town=Town.objects.current(),
        routing_areas=_sized(routing_areas),
        neighbourhoods=_sized(Neighbourhood.objects.all()),
        agencies=_sized(Agency.objects.exclude(area="")),
    )


def _sized(rows) -> list:
    sized = []
    for row in rows:
        if not row.area.strip():
            continue

        # An area saved around the admin's validation (a script, a raw
        # import) must not stop every request in town; it is skipped
        # until fixed.
        try:
            geometry = geo.prepared_area(row.area)
        except ValidationError as e:
            logger.error(
                "Skipping %s %s: its area is not valid GeoJSON (%s)",
                type(row).__name__,
                row.pk,
                " ".join(e.messages),
            )
            continue
        sized.append((geometry.area, row.pk, row, geometry))
    return sized


def route(
    *, service: Service, lat: float, long: float, places: Geography | None = None
) -> Route:
    """Where a request for `service` at (lat, long) goes, and why.

    Raises OutsideServiceArea for a place beyond the town boundary and
    HandledElsewhere when a routing area hands the place to an agency;
    both carry the agency to contact when one is known. `places` saves
    reading the geography again when the caller already has it.
    """
    places = places or geography()
    town = places.town
    if town is None:
        raise ActionError(
            gettext("The town is not set up yet: add it in the admin first.")
        )

    if not town.covers(lat, long):
        agency = covering_agency(lat, long, places=places)
        if agency is None:
            raise OutsideServiceArea(
                gettext(
                    "This place is outside %(town)s's service area, so the town "
                    "cannot take the request."
                )
                % {"town": town.name}
            )
        values = {"town": town.name, "agency": agency.name}
        if contacts := _contacts(agency):
            message = gettext(
                "This place is outside %(town)s. %(agency)s handles it: contact "
                "them at %(contacts)s."
            ) % {**values, "contacts": contacts}
        else:
            message = (
                gettext("This place is outside %(town)s. %(agency)s handles it.")
                % values
            )
        raise OutsideServiceArea(message, agency=agency)

    area = routing_area_for(service, lat, long, places=places)
    if area is None:
        return Route(
            department=service.department,
            reason=f"{service.name} goes to {service.department.name} by default",
        )

    if area.agency is not None:
        values = {"service": service.name, "agency": area.agency.name}
        if contacts := _contacts(area.agency):
            message = gettext(
                "%(service)s requests here are handled by %(agency)s: contact them "
                "at %(contacts)s."
            ) % {**values, "contacts": contacts}
        else:
            message = (
                gettext("%(service)s requests here are handled by %(agency)s.") % values
            )
        raise HandledElsewhere(message, agency=area.agency)

    return Route(
        department=area.department,
        reason=f"{service.name} inside “{area.name}” → {area.department.name}",
    )


def routing_area_for(
    service: Service, lat: float, long: float, *, places: Geography | None = None
) -> RoutingArea | None:
    """The most specific active routing area holding the point, if any.

    An area for this very service beats one for all services; among those
    the smallest wins, so a neighbourhood carved out of a district takes
    precedence over the district. A point on an edge counts as inside.
    """
    places = places or geography()
    holding = [
        (area.service_id is None, size, pk, area)
        for size, pk, area, geometry in places.routing_areas
        if area.service_id in (None, service.pk) and geo.holds(geometry, lat, long)
    ]
    return min(holding, key=lambda h: h[:3])[3] if holding else None


def neighbourhood_at(
    lat: float, long: float, *, places: Geography | None = None
) -> Neighbourhood | None:
    """The smallest neighbourhood holding the point, if any."""
    places = places or geography()
    return _smallest_holding(places.neighbourhoods, lat, long)


def covering_agency(
    lat: float, long: float, *, places: Geography | None = None
) -> Agency | None:
    """The smallest agency area holding the point, if any."""
    places = places or geography()
    return _smallest_holding(places.agencies, lat, long)


def _smallest_holding(sized: list, lat: float, long: float):
    holding = [
        (size, pk, row)
        for size, pk, row, geometry in sized
        if geo.holds(geometry, lat, long)
    ]
    return min(holding, key=lambda h: h[:2])[2] if holding else None


def _contacts(agency: Agency) -> str:
    ways = [w for w in (agency.phone, agency.email, agency.website) if w]
    return ", ".join(ways)
