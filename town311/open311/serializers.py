"""Services and requests as GeoReport v2 data.

Only what the public site shows goes out: never the reporter's name,
e-mail or phone, internal notes, hidden photos, or anything of staff-only
services. Ids are strings and times carry the town's offset.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Func, OuterRef, Subquery

from town311.directory.models import Service, ServiceAttribute
from town311.front.timeline import RESOLUTION_WORDS, STAFF_MESSAGES
from town311.lib.localtime import LocalTime
from town311.servicerequests.models import Event, Photo, Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-05T00:00:00Z"


def iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat(timespec="seconds")


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


# Discovery and services


def discovery_data(town) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": _contact(town),
        "key_service": f"Ask {town.email or town.display_name} for an API key.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{settings.SITE_URL}/open311/v2/",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _contact(town) -> str:
    ways = [w for w in (town.email, town.phone, town.website) if w]
    return f"{town.display_name}: {', '.join(ways)}" if ways else town.display_name


def public_services():
    return (
        Service.objects.public()
        .select_related("group")
        .prefetch_related("attributes")
        .order_by("group__order", "group__name", "order", "name")
    )


def service_data(service: Service) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": any(a.variable for a in service.attributes.all()),
        # A post is answered with a token, and filed a moment later.
        "type": "batch",
        "keywords": ", ".join(service.keyword_list),
        "group": service.group.name if service.group else "",
    }


def service_definition_data(service: Service) -> dict:
    questions = service.attributes.prefetch_related("values")
    return {
        "service_code": service.code,
        "attributes": [_attribute_data(q) for q in questions],
    }


def _attribute_data(question: ServiceAttribute) -> dict:
    is_list = question.datatype in ServiceAttribute.LIST_DATATYPES
    return {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.datatype_description,
        "order": question.order,
        "description": question.description,
        "values": (
            [{"key": v.key, "name": v.name} for v in question.values.all()]
            if is_list
            else []
        ),
    }


# Requests
#
# A page of up to a thousand requests is read as plain values from one
# query, with the latest public message and the first shown photo as
# correlated subqueries on indexed columns; the extensions add two batched
# queries for the page's ids. Model instances would cost more than the
# query itself.

CLOSED = Status.CLOSED.value
REQUEST_COLUMNS = (
    "pk",
    "status",
    "resolution",
    "service__name",
    "service__code",
    "description",
    "agency_id",
    "agency__name",
    "department__name",
    "address",
    "lat",
    "long",
    "api_token__media_url",
)
MOMENT_COLUMNS = ("submitted_at", "updated_at", "close_due_at")
MOMENT_TEXTS = tuple(f"{name}_text" for name in MOMENT_COLUMNS)
EXTENSION_COLUMNS = (
    "channel",
    "attributes",
    "duplicate_of_id",
    "duplicate_of__is_public",
    "duplicate_of__service__is_public",
)


class UtcText(Func):
    """A date-time column as UTC text, `YYYY-MM-DD HH:MM:SS`, for
    `LocalTime`: the drivers turn a thousand rows of date-times into
    objects more slowly than the database finds the rows."""

    # SQLite stores date-times as this text already, with any fraction of
    # a second after it.
    template = "SUBSTR(%(expressions)s, 1, 19)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS')",
            **extra,
        )


def _public_messages():
    return (
        Event.objects.filter(
            is_public=True, kind__in=STAFF_MESSAGES, actor__isnull=False
        )
        .exclude(text="")
        .order_by("created_at", "pk")
    )


def _shown_photos():
    return Photo.objects.filter(is_hidden=False).order_by("created_at", "pk")


def requests_for_output(requests, *, extensions: bool = False):
    """`requests` as rows of the values the output reads; slice it for a
    page, then hand the rows to `requests_data`."""
    latest_message = _public_messages().filter(request=OuterRef("pk")).reverse()
    first_photo = _shown_photos().filter(request=OuterRef("pk"))
    columns = REQUEST_COLUMNS + (EXTENSION_COLUMNS if extensions else ())
    return requests.annotate(
        latest_message=Subquery(latest_message.values("text")[:1]),
        first_photo=Subquery(first_photo.values("image")[:1]),
        **{f"{name}_text": UtcText(name) for name in MOMENT_COLUMNS},
    ).values(*columns, "latest_message", "first_photo", *MOMENT_TEXTS)


def requests_data(rows, zone: ZoneInfo, *, extensions: bool = False) -> list[dict]:
    """GeoReport v2 data of rows from `requests_for_output`."""
    rows = list(rows)
    if extensions and rows:
        ids = [row["pk"] for row in rows]
        notes = _notes_by_request(ids, zone)
        photos = _photos_by_request(ids)
    else:
        notes = photos = {}

    # Translated once per answer rather than once per closed request.
    closed_notes = {
        resolution: f"Closed: {words}."
        for resolution, words in RESOLUTION_WORDS.items()
    }
    local = LocalTime(zone)
    answer = []
    for row in rows:
        data = _request_data(row, local, closed_notes)
        if extensions:
            data["extended_attributes"] = _extended_attributes(
                row, notes.get(row["pk"], []), photos.get(row["pk"], [])
            )
        answer.append(data)
    return answer


def _request_data(row: dict, local: LocalTime, closed_notes: dict) -> dict:
    closed = row["status"] == CLOSED
    if row["first_photo"]:
        media_url = _photo_url(row["first_photo"])
    else:
        media_url = row["api_token__media_url"] or ""
    return {
        "service_request_id": str(row["pk"]),
        "status": "closed" if closed else "open",
        "status_notes": (
            row["latest_message"]
            or (closed_notes.get(row["resolution"], "Closed.") if closed else "")
        ),
        "service_name": row["service__name"],
        "service_code": row["service__code"],
        "description": row["description"],
        "agency_responsible": (
            row["agency__name"]
            if row["agency_id"] is not None
            else row["department__name"] or ""
        ),
        "service_notice": "",
        "requested_datetime": local.iso(row["submitted_at_text"]),
        "updated_datetime": local.iso(row["updated_at_text"]),
        "expected_datetime": (
            local.iso(row["close_due_at_text"]) if row["close_due_at_text"] else None
        ),
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": media_url,
    }


def _extended_attributes(row: dict, notes: list[dict], photos: list[str]) -> dict:
    original = None
    if (
        row["duplicate_of_id"] is not None
        and row["duplicate_of__is_public"]
        and row["duplicate_of__service__is_public"]
    ):
        original = str(row["duplicate_of_id"])
    return {
        "channel": row["channel"],
        "duplicate": original,
        # Merging is the only parent link between requests we keep.
        "parent_request_id": original,
        "attributes": [
            {"code": code, "value": value}
            for code, value in (row["attributes"] or {}).items()
        ],
        "photos": photos,
        "notes": notes,
    }


def _notes_by_request(ids: list[int], zone: ZoneInfo) -> dict[int, list[dict]]:
    notes: dict[int, list[dict]] = {}
    found = _public_messages().filter(request_id__in=ids)
    for request_id, created_at, text in found.values_list(
        "request_id", "created_at", "text"
    ):
        notes.setdefault(request_id, []).append(
            {"datetime": iso(created_at, zone), "description": text}
        )
    return notes


def _photos_by_request(ids: list[int]) -> dict[int, list[str]]:
    photos: dict[int, list[str]] = {}
    found = _shown_photos().filter(request_id__in=ids)
    for request_id, name in found.values_list("request_id", "image"):
        photos.setdefault(request_id, []).append(_photo_url(name))
    return photos


def _photo_url(name: str) -> str:
    return absolute(Photo._meta.get_field("image").storage.url(name))


def token_data(token) -> dict:
    # A post still being filed has no request id yet.
    request_id = str(token.request_id) if token.request_id is not None else None
    return {"service_request_id": request_id, "token": token.token}
