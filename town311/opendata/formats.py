"""The service requests dataset as GeoJSON (RFC 7946) and CSV, written a
chunk at a time so a million requests never sit in memory at once.

Rows come from one query read through `.iterator()`, as plain values
rather than model instances, and each chunk of rows leaves as one piece of
text.
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from town311.servicerequests.models import Status

CHUNK_SIZE = 2000

# The columns read, in the order values_list returns them.
VALUES = (
    "pk",
    "service__code",
    "service__name",
    "status",
    "resolution",
    "department__name",
    "submitted_at",
    "updated_at",
    "acknowledged_at",
    "closed_at",
    "lat",
    "long",
    "address",
    "neighbourhood__name",
)

CSV_HEADER = (
    "number",
    "service_code",
    "service_name",
    "status",
    "resolution",
    "department",
    "requested_datetime",
    "updated_datetime",
    "acknowledged_datetime",
    "closed_datetime",
    "lat",
    "long",
    "address",
    "neighbourhood",
    "url",
)


class RequestRows:
    """The dataset's rows as dicts of text, in the town's time zone.

    `url_prefix` and `url_suffix` surround the number to make the link to
    a request's public page, so no URL is reversed per row.
    """

    def __init__(
        self, requests: QuerySet, *, zone: ZoneInfo, url_prefix: str, url_suffix: str
    ) -> None:
        self.requests = requests.order_by("pk").values_list(*VALUES)
        self.zone = zone
        self.url_prefix = url_prefix
        self.url_suffix = url_suffix

    def __iter__(self) -> Iterator[dict]:
        for values in self.requests.iterator(chunk_size=CHUNK_SIZE):
            yield self._row(*values)

    def _row(
        self,
        pk,
        service_code,
        service_name,
        status,
        resolution,
        department,
        submitted_at,
        updated_at,
        acknowledged_at,
        closed_at,
        lat,
        long,
        address,
        neighbourhood,
    ) -> dict:
        number = str(pk)
        return {
            "number": number,
            "service_code": service_code,
            "service_name": service_name,
            "status": "closed" if status == Status.CLOSED else "open",
            "resolution": resolution,
            "department": department or "",
            "requested_datetime": self._iso(submitted_at),
            "updated_datetime": self._iso(updated_at),
            "acknowledged_datetime": self._iso(acknowledged_at),
            "closed_datetime": self._iso(closed_at),
            "lat": lat,
            "long": long,
            "address": address,
            "neighbourhood": neighbourhood or "",
            "url": f"{self.url_prefix}{number}{self.url_suffix}",
        }

    def _iso(self, moment: datetime | None) -> str:
        if moment is None:
            return ""

        return moment.astimezone(self.zone).isoformat(timespec="seconds")


def geojson_chunks(rows: RequestRows) -> Iterator[str]:
    """A FeatureCollection, a few thousand features per piece of text."""
    yield '{"type":"FeatureCollection","features":['

    features, first = [], True
    for row in rows:
        features.append(json.dumps(_feature(row), ensure_ascii=False))
        if len(features) == CHUNK_SIZE:
            yield ("" if first else ",") + ",".join(features)
            features, first = [], False

    if features:
        yield ("" if first else ",") + ",".join(features)

    yield "]}\n"


def _feature(row: dict) -> dict:
    properties = dict(row)
    lat, long = properties.pop("lat"), properties.pop("long")

    # Empty timestamps and text are null in JSON, not "".
    for name, value in properties.items():
        if value == "":
            properties[name] = None

    return {
        "type": "Feature",
        "id": row["number"],
        # RFC 7946: longitude first.
        "geometry": {"type": "Point", "coordinates": [long, lat]},
        "properties": properties,
    }


def csv_chunks(rows: RequestRows) -> Iterator[str]:
    """The header, then the rows, a few thousand per piece of text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)

    count = 0
    for row in rows:
        writer.writerow([row[name] for name in CSV_HEADER])
        count += 1
        if count % CHUNK_SIZE == 0:
            yield _drain(buffer)

    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
