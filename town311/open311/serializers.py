"""Services and requests as GeoReport v2 data.

Only what the public site shows goes out: never the reporter's name,
e-mail or phone, internal notes, hidden photos, or anything of staff-only
services. Ids are strings and times carry the town's offset.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch

from town311.directory.models import Service, ServiceAttribute
from town311.front.timeline import RESOLUTION_WORDS, STAFF_MESSAGES
from town311.servicerequests.models import Event, Photo, ServiceRequest, Status

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
        "type": "realtime",
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


def requests_for_output(requests):
    """`requests` with everything the output reads, in a fixed number of
    queries however many rows a page holds."""
    messages = Event.objects.filter(
        is_public=True, kind__in=STAFF_MESSAGES, actor__isnull=False
    ).exclude(text="")
    return requests.select_related(
        "service", "department", "agency", "duplicate_of__service", "api_token"
    ).prefetch_related(
        Prefetch("events", queryset=messages, to_attr="public_messages"),
        Prefetch(
            "photos", queryset=Photo.objects.filter(is_hidden=False), to_attr="shown"
        ),
    )


def request_data(
    service_request: ServiceRequest, zone: ZoneInfo, *, extensions: bool = False
) -> dict:
    photos = [absolute(p.image.url) for p in service_request.shown]
    data = {
        "service_request_id": str(service_request.pk),
        "status": "closed" if service_request.status == Status.CLOSED else "open",
        "status_notes": _status_notes(service_request),
        "service_name": service_request.service.name,
        "service_code": service_request.service.code,
        "description": service_request.description,
        "agency_responsible": _agency_responsible(service_request),
        "service_notice": "",
        "requested_datetime": iso(service_request.submitted_at, zone),
        "updated_datetime": iso(service_request.updated_at, zone),
        "expected_datetime": iso(service_request.close_due_at, zone),
        "address": service_request.address,
        "address_id": None,
        "zipcode": None,
        "lat": service_request.lat,
        "long": service_request.long,
        "media_url": photos[0] if photos else _posted_media_url(service_request),
    }
    if extensions:
        original = _public_original(service_request)
        data["extended_attributes"] = {
            "channel": service_request.channel,
            "duplicate": original,
            # Merging is the only parent link between requests we keep.
            "parent_request_id": original,
            "attributes": [
                {"code": code, "value": value}
                for code, value in service_request.attributes.items()
            ],
            "photos": photos,
            "notes": [
                {"datetime": iso(e.created_at, zone), "description": e.text}
                for e in service_request.public_messages
            ],
        }
    return data


def _status_notes(service_request: ServiceRequest) -> str:
    if service_request.public_messages:
        return service_request.public_messages[-1].text

    if service_request.status == Status.CLOSED:
        words = RESOLUTION_WORDS.get(service_request.resolution)
        return f"Closed: {words}." if words else "Closed."

    return ""


def _agency_responsible(service_request: ServiceRequest) -> str:
    if service_request.agency is not None:
        return service_request.agency.name
    if service_request.department is not None:
        return service_request.department.name
    return ""


def _posted_media_url(service_request: ServiceRequest) -> str:
    try:
        return service_request.api_token.media_url
    except ServiceRequest.api_token.RelatedObjectDoesNotExist:
        return ""


def _public_original(service_request: ServiceRequest) -> str | None:
    original = service_request.duplicate_of
    if original and original.is_public and original.service.is_public:
        return str(original.pk)
    return None


def token_data(service_request: ServiceRequest, token: str) -> dict:
    return {"service_request_id": str(service_request.pk), "token": token}
