"""The pages that describe the API to client developers.

They are in English only, like the staff pages: their readers are
programmers, and the API's own words (service_code, jurisdiction_id) are
English whatever the resident's language.
"""

import shlex
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from town311.directory.models import Town
from town311.lib.geo import parse_area
from town311.open311.keys import KEY_PREFIX
from town311.open311.models import ApiKey
from town311.open311.openapi import API_PREFIX, example_service_code, openapi_document
from town311.open311.services import jurisdiction_id
from town311.open311.updates import EXTENDED_STATUS
from town311.servicerequests.models import Resolution, ServiceRequest, Status

# The endpoints in the order a new client meets them.
ENDPOINTS = [
    ("GET", "discovery", "Where the endpoints are, their formats and contacts."),
    ("GET", "services", "The services residents can report, with their codes."),
    ("GET", "services/{service_code}", "The extra questions one service asks."),
    ("POST", "requests", "Submit a request; needs an API key."),
    ("GET", "requests", "Public requests, filtered by service, dates and status."),
    ("GET", "requests/{service_request_id}", "One public request in full."),
    ("GET", "tokens/{token}", "The request made from a post, by its token."),
    ("GET", "servicerequestupdates", "Extension: public updates of requests."),
    (
        "POST",
        "servicerequestupdates",
        "Extension: add a resident's update; needs an API key.",
    ),
]

# How our lifecycle reads in the GeoReport v2 status field.
STATUSES = [
    (Status.SUBMITTED, "open"),
    (Status.ACKNOWLEDGED, "open"),
    (Status.IN_PROGRESS, "open"),
    (Status.CLOSED, "closed"),
]


def openapi(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(openapi_document(), json_dumps_params={"indent": 2})
    # Browser tools such as Swagger UI load the document from other sites.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def index(request: HttpRequest) -> HttpResponse:
    town = Town.objects.current()
    base = f"{settings.SITE_URL}{API_PREFIX}"
    service_code = example_service_code() or "pothole"

    ctx = {
        "base": base,
        "jurisdiction": jurisdiction_id(town) if town else "",
        "endpoints": [
            {"method": m, "path": f"{API_PREFIX}/{p}.{{format}}", "purpose": t}
            for m, p, t in ENDPOINTS
        ],
        "examples": _curl_examples(town, base, service_code),
        "service_code": service_code,
        "statuses": [(s.label, s.value, word) for s, word in STATUSES],
        "extended_statuses": _extended_statuses(),
        "default_rate_limit": ApiKey._meta.get_field("rate_limit").default,
        "key_prefix": KEY_PREFIX,
        "contact": town.email if town else "",
    }
    return render(request, "open311/index.html", ctx)


def _extended_statuses() -> list[dict]:
    """The updates extension's status for each stage and resolution."""
    return [
        {
            "stage": Status(status).label,
            "status": status,
            "resolution": Resolution(resolution).label if resolution else "",
            "resolution_value": resolution,
            "extended": word,
        }
        for (status, resolution), word in EXTENDED_STATUS.items()
    ]


def _curl_examples(town: Town | None, base: str, service_code: str) -> list[dict]:
    """A working command for every endpoint, with this town's own values."""
    lat, long = _inside(town)
    today = timezone.localdate(timezone=town.zone if town else None)
    start = (today - timedelta(days=30)).isoformat()
    request_id = (
        ServiceRequest.objects.public()
        .filter(service__is_public=True)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    ) or 1
    key = "YOUR_API_KEY"

    def get(path: str, query: str = "") -> str:
        url = f"{base}/{path}" + (f"?{query}" if query else "")
        return f"curl {shlex.quote(url)}"

    def post(path: str, fields: list[tuple[str, str]]) -> str:
        lines = [f"curl -X POST {shlex.quote(f'{base}/{path}')}"]
        lines += [f"  --data-urlencode {shlex.quote(f'{n}={v}')}" for n, v in fields]
        return " \\\n".join(lines)

    return [
        {"title": "Discovery", "command": get("discovery.json")},
        {"title": "Services", "command": get("services.xml")},
        {
            "title": "One service's questions",
            "command": get(f"services/{service_code}.json"),
        },
        {
            "title": "Submit a request",
            "command": post(
                "requests.json",
                [
                    ("api_key", key),
                    ("service_code", service_code),
                    ("lat", f"{lat:.6f}"),
                    ("long", f"{long:.6f}"),
                    ("description", "What is wrong, and where exactly."),
                ],
            ),
        },
        {
            "title": "Requests of one service in the last 30 days",
            "command": get(
                "requests.json",
                f"service_code={service_code}&start_date={start}T00:00:00"
                "&status=open,closed&page=1&page_size=100",
            ),
        },
        {
            "title": "One request, with the extensions",
            "command": get(f"requests/{request_id}.json", "extensions=true"),
        },
        {"title": "The request made from a post", "command": get("tokens/TOKEN.json")},
        {
            "title": "Updates since a date",
            "command": get("servicerequestupdates.xml", f"start_date={start}T00:00:00"),
        },
        {
            "title": "Add a resident's update",
            "command": post(
                "servicerequestupdates.json",
                [
                    ("api_key", key),
                    ("service_request_id", str(request_id)),
                    ("update_id", "your-own-id-1"),
                    ("description", "It is still there this morning."),
                ],
            ),
        },
    ]


def _inside(town: Town | None) -> tuple[float, float]:
    if town is None:
        return 0.0, 0.0

    point = parse_area(town.boundary).representative_point()
    return point.y, point.x
