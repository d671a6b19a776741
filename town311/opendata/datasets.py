"""The open datasets the town publishes, as a small registry.

Each dataset says what it is (for the open-data page and the DCAT-US
catalogue at /data.json), which files it comes in, what each column means,
what was left out to protect residents, and how far it reaches in time.
A fixed dataset joins with `dataset_register`; datasets that come and go
with the data, one per campaign, come from a provider given to
`dataset_provider_register`, which is asked each time the list is read.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from town311.campaigns.models import Campaign, CampaignQuestion, Datatype
from town311.campaigns.publication import campaign_columns, published_points
from town311.campaigns.services import campaign_questions, campaigns_started
from town311.directory.models import Town
from town311.servicerequests.models import ServiceRequest


@dataclass(frozen=True)
class Distribution:
    """One file a dataset comes in, at the URL named `url_name` with
    `url_kwargs`."""

    format: str
    media_type: str
    url_name: str
    extension: str
    url_kwargs: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return reverse(self.url_name, kwargs=dict(self.url_kwargs))


@dataclass(frozen=True)
class Column:
    name: str
    description: Promise | str


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
    # Paragraphs about the files, after the columns.
    notes: tuple[Promise | str, ...] = ()
    # Empty for the town's open-data licence.
    licence_name: str = ""
    licence_url: str = ""
    # Whether the files take the Open311 API's filters.
    takes_filters: bool = False
    # A page about the data, such as the campaign that gathers it.
    page_url: str = ""

    def file_name(self, town: Town, distribution: Distribution) -> str:
        return f"{town_slug(town)}-{self.slug}.{distribution.extension}"

    def licence(self, town: Town) -> tuple[str, str]:
        """The licence's name and address."""
        if self.licence_url:
            return self.licence_name or self.licence_url, self.licence_url

        return town.open_data_licence_name, town.open_data_licence_url


_registry: dict[str, Dataset] = {}
_providers: list[Callable[[], Iterable[Dataset]]] = []


def dataset_register(dataset: Dataset) -> Dataset:
    if dataset.slug in _registry:
        raise ValueError(f"A dataset called “{dataset.slug}” is already registered.")

    _registry[dataset.slug] = dataset
    return dataset


def dataset_provider_register(
    provider: Callable[[], Iterable[Dataset]],
) -> Callable[[], Iterable[Dataset]]:
    """Add the datasets `provider` returns, asked afresh each time the
    datasets are listed."""
    _providers.append(provider)
    return provider


def dataset_list() -> list[Dataset]:
    datasets = list(_registry.values())
    for provider in _providers:
        datasets.extend(provider())

    return datasets


def dataset_get(slug: str) -> Dataset:
    for dataset in dataset_list():
        if dataset.slug == slug:
            return dataset

    raise KeyError(slug)


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
        notes=(
            _(
                "Dates and times are in ISO 8601 with the town's offset from UTC. "
                "In the GeoJSON file each request is a point, longitude first as "
                "RFC 7946 says."
            ),
        ),
        takes_filters=True,
    )
)


# Campaigns: each one that has started is a dataset of its published points.

POINT_COLUMN_DESCRIPTIONS = {
    "id": _("The point's number."),
    "campaign": _("The campaign's short name, as in the files' addresses."),
    "lat": _("Latitude in degrees (WGS 84)."),
    "long": _("Longitude in degrees (WGS 84)."),
    "photo_url": _("The point's photo, without the camera's metadata."),
    "thumbnail_url": _("A small copy of the photo."),
    "published_at": _("When the point was published."),
    "confirmations": _(
        "How many times residents said the point is still there, counting "
        "the submissions merged into it."
    ),
    "last_confirmed_at": _("When it was last confirmed. Empty if never."),
}

CAMPAIGN_LEFT_OUT = (
    _("The e-mail addresses of the residents who sent or confirmed points."),
    _(
        "Submissions waiting for moderation or rejected, and those merged into "
        "another point, which count as its confirmations instead."
    ),
)

CAMPAIGN_NOTES = (
    _(
        "Dates and times are in ISO 8601 with the town's offset from UTC. In "
        "the GeoJSON file each point is a Feature, longitude first as RFC 7946 "
        "says. An answer of several choices is a list in the GeoJSON file, and "
        "the choices joined with “;” in the CSV file."
    ),
)


def campaign_slug(campaign: Campaign) -> str:
    return f"campaign-{campaign.slug}"


def campaign_datasets() -> list[Dataset]:
    return [campaign_dataset(campaign) for campaign in campaigns_started()]


def campaign_dataset(campaign: Campaign) -> Dataset:
    kwargs = (("slug", campaign.slug),)
    questions = campaign_questions(campaign)
    return Dataset(
        slug=campaign_slug(campaign),
        title=campaign.title,
        description=campaign.description,
        keywords=("crowdsourced data", "campaign", campaign.slug),
        distributions=(
            Distribution(
                format="GeoJSON",
                media_type="application/geo+json",
                url_name="opendata:campaign-geojson",
                extension="geojson",
                url_kwargs=kwargs,
            ),
            Distribution(
                format="CSV",
                media_type="text/csv",
                url_name="opendata:campaign-csv",
                extension="csv",
                url_kwargs=kwargs,
            ),
        ),
        columns=tuple(
            Column(column.name, _column_description(column.name, column.question))
            for column in campaign_columns(campaign, questions)
        ),
        left_out=CAMPAIGN_LEFT_OUT,
        coverage=partial(_campaign_coverage, campaign),
        notes=CAMPAIGN_NOTES,
        licence_name=campaign.licence_name,
        licence_url=campaign.licence_url,
        page_url=reverse("campaigns:detail", kwargs={"slug": campaign.slug}),
    )


def _column_description(name: str, question: CampaignQuestion | None) -> str:
    if question is None:
        return POINT_COLUMN_DESCRIPTIONS[name]

    parts = [question.description]
    if question.datatype_description:
        parts.append(f"({question.datatype_description})")
    # The question reads as a sentence before what follows it.
    if not parts[-1].endswith(("?", ".", "!", ":")):
        parts[-1] += "."

    choices = [f"{value.key} ({value.name})" for value in question.values.all()]
    if question.datatype == Datatype.SINGLEVALUELIST:
        parts.append(gettext("One of: %(choices)s.") % {"choices": ", ".join(choices)})
    elif question.datatype == Datatype.MULTIVALUELIST:
        parts.append(gettext("Any of: %(choices)s.") % {"choices": ", ".join(choices)})

    if not question.required:
        parts.append(gettext("Empty if not answered."))

    return " ".join(parts)


def _campaign_coverage(campaign: Campaign, town: Town) -> Coverage:
    span = published_points(campaign).aggregate(
        first=Min("published_at"),
        published=Max("published_at"),
        confirmed=Max("last_confirmed_at"),
    )
    # Taking a published point off the map changes the data too.
    moderated = campaign.submissions.aggregate(last=Max("moderated_at"))["last"]
    if span["first"] is None:
        return Coverage(modified=moderated)

    last = max(filter(None, [span["published"], span["confirmed"]]))
    return Coverage(
        modified=max(filter(None, [last, moderated])),
        first_day=timezone.localtime(span["first"], town.zone).date(),
        last_day=timezone.localtime(last, town.zone).date(),
    )


dataset_provider_register(campaign_datasets)
