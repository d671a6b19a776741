"""The open datasets the town publishes, as a small registry.

Each dataset says what it is (for the open-data page and the DCAT-US
catalogue at /data.json), which files it comes in, what each column means,
what was left out to protect residents, and how far it reaches in time.
Another kind of data (campaign submissions, say) joins by calling
`dataset_register` with its own `Dataset`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from town311.directory.models import Town
from town311.servicerequests.models import ServiceRequest


@dataclass(frozen=True)
class Distribution:
    """One file a dataset comes in."""

    format: str
    media_type: str
    url_name: str
    extension: str


@dataclass(frozen=True)
class Column:
    name: str
    description: Promise


@dataclass(frozen=True)
class Coverage:
    """When the data was last changed and which days it spans; all None for
    a dataset with nothing in it yet."""

    modified: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    keywords: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    columns: tuple[Column, ...]
    left_out: tuple[Promise, ...]
    coverage: Callable[[Town], Coverage] = field(compare=False)

    def file_name(self, town: Town, distribution: Distribution) -> str:
        return f"{town_slug(town)}-{self.slug}.{distribution.extension}"


_registry: dict[str, Dataset] = {}


def dataset_register(dataset: Dataset) -> Dataset:
    if dataset.slug in _registry:
        raise ValueError(f"A dataset called “{dataset.slug}” is already registered.")

    _registry[dataset.slug] = dataset
    return dataset


def dataset_list() -> list[Dataset]:
    return list(_registry.values())


def dataset_get(slug: str) -> Dataset:
    return _registry[slug]


def town_slug(town: Town) -> str:
    return slugify(town.name) or "town"


# Service requests


def public_requests():
    """The requests open data may show: public requests of public services.

    Staff-only services are left out even when still active, and so are
    requests of services since retired, as long as the service is public.
    """
    return ServiceRequest.objects.public()


def _requests_coverage(town: Town) -> Coverage:
    span = public_requests().aggregate(
        first=Min("submitted_at"), last=Max("updated_at")
    )
    if span["first"] is None:
        return Coverage()

    return Coverage(
        modified=span["last"],
        first_day=timezone.localtime(span["first"], town.zone).date(),
        last_day=timezone.localtime(span["last"], town.zone).date(),
    )


REQUEST_COLUMNS = (
    Column("number", _("The request number residents and staff quote.")),
    Column("service_code", _("The code of the service, as in the Open311 API.")),
    Column("service_name", _("The name of the service, such as “Pothole”.")),
    Column("status", _("“open” or “closed”.")),
    Column(
        "resolution",
        _(
            "How a closed request ended: fixed, duplicate, referred, no_action, "
            "not_located, no_response or withdrawn. Empty while open."
        ),
    ),
    Column("department", _("The town department that has the request.")),
    Column("requested_datetime", _("When the request was submitted.")),
    Column("updated_datetime", _("When the request last changed.")),
    Column(
        "acknowledged_datetime",
        _("When the town first acknowledged it. Empty if not yet."),
    ),
    Column(
        "closed_datetime",
        _("When it was closed (the latest close if it was reopened)."),
    ),
    Column("lat", _("Latitude in degrees (WGS 84).")),
    Column("long", _("Longitude in degrees (WGS 84).")),
    Column("address", _("The address the resident gave or picked on the map.")),
    Column("neighbourhood", _("The neighbourhood the place lies in, if any.")),
    Column("url", _("The request's public page.")),
)

SERVICE_REQUESTS = dataset_register(
    Dataset(
        slug="service-requests",
        title=_("Service requests"),
        description=_(
            "Every public request residents made to the town: what kind of "
            "problem, where, which department has it, and when it was "
            "submitted, acknowledged and closed."
        ),
        keywords=("311", "service requests", "open311", "city services"),
        distributions=(
            Distribution(
                format="GeoJSON",
                media_type="application/geo+json",
                url_name="opendata:requests-geojson",
                extension="geojson",
            ),
            Distribution(
                format="CSV",
                media_type="text/csv",
                url_name="opendata:requests-csv",
                extension="csv",
            ),
        ),
        columns=REQUEST_COLUMNS,
        left_out=(
            _("The reporter's name, e-mail address and phone number."),
            _(
                "The description, the answers to the service's questions and "
                "the photos: residents often put names, phone numbers or "
                "faces in them."
            ),
            _("Staff notes and the timeline of replies."),
            _("Staff-only services and requests the town keeps private."),
        ),
        coverage=_requests_coverage,
    )
)
