"""A campaign's published points as open data: GeoJSON (RFC 7946) and CSV.

Each point carries the answers to the campaign's questions, one column per
question code, its photo, when it was published and how often residents
confirmed it. Nothing about who sent or confirmed it leaves this module:
the columns are listed here, and the contributor's e-mail is not among
them.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from town311.campaigns.models import (
    POINT_COLUMNS,
    Campaign,
    CampaignQuestion,
    Datatype,
    Submission,
)
from town311.directory.models import Town

CHUNK_SIZE = 500
# How a list answer with several choices reads in one CSV cell.
CSV_LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class PointColumn:
    """A column of the dataset; `question` is set for an answer's column."""

    name: str
    question: CampaignQuestion | None = None


def published_points(campaign: Campaign) -> QuerySet[Submission]:
    """The campaign's points on the map and in its dataset, oldest first."""
    return Submission.objects.filter(
        campaign=campaign, status=Submission.Status.PUBLISHED
    ).order_by("published_at", "pk")


def campaign_columns(
    campaign: Campaign, questions: list[CampaignQuestion] | None = None
) -> list[PointColumn]:
    """The dataset's columns in order: the point's own, with the answers'
    after `campaign`, in the order the questions are asked."""
    if questions is None:
        questions = list(campaign.questions.prefetch_related("values"))

    own = [PointColumn(name) for name in POINT_COLUMNS]
    answers = [PointColumn(q.code, question=q) for q in questions]
    return own[:2] + answers + own[2:]


def campaign_geojson(campaign: Campaign, request=None) -> dict:
    """The published points as a GeoJSON FeatureCollection; each point's
    coordinates are [longitude, latitude], as RFC 7946 says. `request`
    makes the photo links absolute for the address it came to; without it
    they start with SITE_URL."""
    features = []
    for row in _rows(campaign, request):
        lat, long = row.pop("lat"), row.pop("long")
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [long, lat]},
                "properties": row,
            }
        )

    return {"type": "FeatureCollection", "features": features}


def campaign_csv_chunks(campaign: Campaign, request=None) -> Iterator[str]:
    """The published points as CSV: a header of the column names, then a
    row per point, answers from lists joined with “;”."""
    columns = campaign_columns(campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in columns])

    for count, row in enumerate(_rows(campaign, request, columns=columns), start=1):
        writer.writerow([_cell(row[column.name]) for column in columns])
        if count % CHUNK_SIZE == 0:
            yield _drain(buffer)

    yield _drain(buffer)


def _rows(campaign: Campaign, request, *, columns=None) -> Iterator[dict]:
    """Each published point as a dict of its columns, in column order, with
    None for what it lacks."""
    columns = columns or campaign_columns(campaign)
    questions = [column.question for column in columns if column.question]
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()

    for point in published_points(campaign).iterator(chunk_size=CHUNK_SIZE):
        values = {
            "id": point.pk,
            "campaign": campaign.slug,
            "lat": point.lat,
            "long": point.long,
            "photo_url": _file_url(point.photo, request),
            "thumbnail_url": _file_url(point.thumbnail, request),
            "published_at": _iso(point.published_at, zone),
            "confirmations": point.confirmations,
            "last_confirmed_at": _iso(point.last_confirmed_at, zone),
        }
        for question in questions:
            values[question.code] = _answer(question, point.answers.get(question.code))

        yield {column.name: values[column.name] for column in columns}


def _answer(question: CampaignQuestion, value):
    # A question added after the point was sent has no answer on it.
    if value is None or value == "" or value == []:
        return None

    if question.datatype == Datatype.MULTIVALUELIST and not isinstance(value, list):
        return [value]

    return value


def _file_url(field, request) -> str | None:
    if not field:
        return None

    url = field.url
    if url.startswith(("http://", "https://")):
        return url

    if request is not None:
        return request.build_absolute_uri(url)

    return settings.SITE_URL + url


def _iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    if moment is None:
        return None

    return moment.astimezone(zone).isoformat(timespec="seconds")


def _cell(value) -> str:
    if value is None:
        return ""

    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(str(item) for item in value)

    return str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
