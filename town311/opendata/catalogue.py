"""The data catalogue at /data.json in DCAT-US 1.1, the Project Open Data
metadata schema that data.gov and most US open-data portals harvest."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from town311.directory.models import Town
from town311.lib import geo
from town311.opendata.datasets import Dataset, dataset_list

logger = logging.getLogger(__name__)

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"


def catalogue_build(*, town: Town, absolute) -> dict:
    """The catalogue as a dict ready for JSON; `absolute` turns a path into
    a full URL."""
    # A harvester reads one language: the site's, not the visitor's.
    with translation.override(settings.LANGUAGE_CODE):
        datasets = [
            _dataset(dataset, town=town, absolute=absolute)
            for dataset in dataset_list()
        ]

    return {
        "@context": f"{SCHEMA}/catalog.jsonld",
        "@id": absolute(reverse("data-json")),
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
        "dataset": datasets,
    }


def _dataset(dataset: Dataset, *, town: Town, absolute) -> dict:
    landing_page = absolute(reverse("opendata:index"))
    coverage = dataset.coverage(town)
    # The schema needs a date even for a dataset with nothing in it yet.
    modified = timezone.localtime(coverage.modified or timezone.now(), town.zone)
    email = town.open_data_contact or settings.DEFAULT_FROM_EMAIL
    entry = {
        "@type": "dcat:Dataset",
        "identifier": f"{landing_page}#{dataset.slug}",
        "title": f"{town.name}: {dataset.title}",
        "description": str(dataset.description),
        "keyword": list(dataset.keywords),
        "modified": modified.isoformat(timespec="seconds"),
        "publisher": {
            "@type": "org:Organization",
            "name": town.open_data_publisher_name,
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": town.open_data_publisher_name,
            "hasEmail": f"mailto:{email}",
        },
        "accessLevel": "public",
        "license": dataset.licence(town)[1],
        "landingPage": absolute(dataset.page_url) if dataset.page_url else landing_page,
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": f"{dataset.title} ({distribution.format})",
                "downloadURL": absolute(distribution.path),
                "mediaType": distribution.media_type,
                "format": distribution.format,
            }
            for distribution in dataset.distributions
        ],
    }

    spatial = town_bounding_box(town)
    if spatial:
        entry["spatial"] = spatial

    if coverage.first_day:
        entry["temporal"] = f"{coverage.first_day}/{coverage.last_day}"

    return entry


def town_bounding_box(town: Town) -> str:
    """West, south, east and north in degrees, as DCAT-US writes a bounding
    box; empty when the boundary cannot be read."""
    try:
        west, south, east, north = geo.parse_area(town.boundary).bounds
    except ValidationError:
        logger.warning("The town boundary cannot be read; data.json has no spatial")
        return ""

    return ",".join(f"{value:.6f}" for value in (west, south, east, north))
