"""The OpenAPI 3.0 description of the GeoReport v2 API under /open311/v2/.

Client developers read it, and the fuzz test drives the real endpoints from
it, so it must say exactly what the views accept and answer. Every endpoint
takes its format as a path parameter (`services.{format}`), which keeps one
operation per endpoint for both JSON and XML.
"""

from django.conf import settings

from town311.directory.models import Service
from town311.open311.params import DATE_EXAMPLE, MAX_PAGE, MAX_PAGE_SIZE

OPENAPI_VERSION = "3.0.3"
API_PREFIX = "/open311/v2"
DESCRIPTION_MAX_LENGTH = 4000

XML_MEDIA_TYPE = "text/xml"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"

EXTENDED_STATUSES = [
    "OPEN",
    "INVESTIGATING",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "FIXED",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "CLOSED",
]


# Dates to filter by: any offset is read and the moment compared in UTC.
QUERY_DATE_TIME = {"type": "string", "format": "date-time", "example": DATE_EXAMPLE}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _text(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def _nullable(description: str, **extra) -> dict:
    return {"type": "string", "nullable": True, "description": description, **extra}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _ok(description: str, schema: str) -> dict:
    """A success answer: the JSON body as `schema`, or the same data as XML."""
    return {
        "description": description,
        "content": {
            "application/json": {"schema": _ref("schemas", schema)},
            XML_MEDIA_TYPE: {"schema": _ref("schemas", "XmlDocument")},
        },
    }


def _errors(*statuses: int) -> dict:
    names = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 429: "RateLimited"}
    return {str(status): _ref("responses", names[status]) for status in statuses}


def _form_body(schema: str) -> dict:
    return {
        "required": True,
        "content": {FORM_MEDIA_TYPE: {"schema": _ref("schemas", schema)}},
    }


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": _ref("schemas", "Errors")},
            XML_MEDIA_TYPE: {"schema": _ref("schemas", "XmlDocument")},
        },
    }


def _schemas(service_code_example: str) -> dict:
    date_time = {"type": "string", "format": "date-time"}
    return {
        "Error": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {
                "code": {
                    "type": "integer",
                    "description": "The HTTP status: 400, 403, 404 or 429.",
                },
                "description": _text("What went wrong and how to fix it."),
            },
        },
        "Errors": {
            "type": "array",
            "minItems": 1,
            "items": _ref("schemas", "Error"),
        },
        "XmlDocument": _text(
            "The same data as the JSON answer, as a UTF-8 XML document with the "
            "element names of GeoReport v2."
        ),
        "Discovery": {
            "type": "object",
            "required": ["changeset", "endpoints"],
            "properties": {
                "changeset": {**date_time, "description": "When this list changed."},
                "contact": _text("Whom to ask about the API."),
                "key_service": _text("How to get an API key."),
                "endpoints": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["specification", "url", "type", "formats"],
                        "properties": {
                            "specification": _text("The standard's address."),
                            "url": _text("The base URL of this endpoint."),
                            "changeset": date_time,
                            "type": _text(
                                "production or test.", enum=["production", "test"]
                            ),
                            "formats": {
                                "type": "array",
                                "items": _text("A media type the endpoint answers."),
                            },
                        },
                    },
                },
            },
        },
        "Service": {
            "type": "object",
            "required": ["service_code", "service_name", "metadata", "type"],
            "properties": {
                "service_code": _text("The code to post requests with."),
                "service_name": _text("The name residents read."),
                "description": _nullable("What the service is for."),
                "metadata": {
                    "type": "boolean",
                    "description": "True when the service asks extra questions; "
                    "read them from services/{service_code}.",
                },
                "type": _text(
                    "Always batch: a post is answered with a token, and "
                    "tokens/{token} gives the request's id once it is filed, "
                    "usually within seconds.",
                    enum=["realtime", "batch", "blackbox"],
                ),
                "keywords": _nullable("Comma-separated words residents search by."),
                "group": _nullable("The group the service is listed under."),
            },
        },
        "Services": {"type": "array", "items": _ref("schemas", "Service")},
        "AttributeValue": {
            "type": "object",
            "required": ["key", "name"],
            "properties": {
                "key": _text("The value to send."),
                "name": _text("The value as residents read it."),
            },
        },
        "Attribute": {
            "type": "object",
            "required": ["variable", "code", "datatype", "required", "order"],
            "properties": {
                "variable": {
                    "type": "boolean",
                    "description": "False for a note that takes no answer.",
                },
                "code": _text("Send the answer as attribute[code]."),
                "datatype": _text(
                    "The kind of answer.",
                    enum=[
                        "string",
                        "number",
                        "datetime",
                        "text",
                        "singlevaluelist",
                        "multivaluelist",
                    ],
                ),
                "required": {"type": "boolean"},
                "datatype_description": _nullable("A hint, such as a unit."),
                "order": {"type": "integer"},
                "description": _text("The question."),
                "values": {
                    "type": "array",
                    "items": _ref("schemas", "AttributeValue"),
                    "description": "The choices of a list question.",
                },
            },
        },
        "ServiceDefinition": {
            "type": "object",
            "required": ["service_code", "attributes"],
            "properties": {
                "service_code": _text("The service these questions belong to."),
                "attributes": {"type": "array", "items": _ref("schemas", "Attribute")},
            },
        },
        "ServiceRequest": {
            "type": "object",
            "required": ["service_request_id", "status", "requested_datetime"],
            "properties": {
                "service_request_id": _text("The request's id, always a string."),
                "status": _text("open or closed.", enum=["open", "closed"]),
                "status_notes": _nullable(
                    "The latest public reply of staff, or the resolution in words."
                ),
                "service_name": _nullable("The service's name."),
                "service_code": _nullable("The service's code."),
                "description": _nullable("What the resident wrote."),
                "agency_responsible": _nullable(
                    "The department working it, or the agency it was referred to."
                ),
                "service_notice": _nullable("A notice about the service."),
                "requested_datetime": {**date_time, "description": "Submitted at."},
                "updated_datetime": {**date_time, "nullable": True},
                "expected_datetime": {
                    **date_time,
                    "nullable": True,
                    "description": "When the department expects to close it.",
                },
                "address": _nullable("The address or place described."),
                "address_id": _nullable("The gazetteer place, when one was given."),
                "zipcode": _nullable("The postal code, when known."),
                "lat": {"type": "number", "nullable": True},
                "long": {"type": "number", "nullable": True},
                "media_url": _nullable("The first public photo or the posted media."),
                "extended_attributes": {
                    "type": "object",
                    "description": "With extensions=true: answers to the service's "
                    "questions, channel, duplicate, parent_request_id, photos and "
                    "public notes.",
                },
            },
        },
        "ServiceRequests": {
            "type": "array",
            "items": _ref("schemas", "ServiceRequest"),
        },
        "RequestCreated": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["token"],
                "properties": {
                    "service_request_id": _nullable(
                        "The request's id, when it was filed before the answer "
                        "(a repeated post)."
                    ),
                    "token": _text("Look the request's id up by it in tokens/{token}."),
                    "service_notice": _nullable("A notice about the service."),
                    "account_id": _nullable("The account_id that was posted."),
                },
            },
        },
        "Tokens": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["token"],
                "properties": {
                    "service_request_id": _nullable(
                        "The request made from the post; null while it is being filed."
                    ),
                    "token": _text("The token asked for."),
                },
            },
        },
        "NewServiceRequest": {
            "type": "object",
            "required": ["api_key", "service_code"],
            "properties": {
                "api_key": _text("Your API key (ask the town's administrator)."),
                "jurisdiction_id": _text("The town's jurisdiction id (optional)."),
                "service_code": _text(
                    "A code from services.{format}.", example=service_code_example
                ),
                "lat": {
                    "type": "number",
                    "minimum": -90,
                    "maximum": 90,
                    "description": "Latitude (WGS 84); send with long, or send "
                    "address_string or address_id instead.",
                },
                "long": {"type": "number", "minimum": -180, "maximum": 180},
                "address_string": _text("An address or landmark in the town."),
                "address_id": _text("The id of a place in the town's gazetteer."),
                "email": _text("The resident's e-mail (never published)."),
                "device_id": _text("The device the request came from."),
                "account_id": _text("The resident's account in your system."),
                "first_name": _text("The resident's first name (never published)."),
                "last_name": _text("The resident's last name (never published)."),
                "phone": _text("The resident's phone (never published)."),
                "description": _text(
                    "What is wrong, in plain text.",
                    maxLength=DESCRIPTION_MAX_LENGTH,
                ),
                "media_url": _text("A photo of the problem, as a URL."),
            },
            "additionalProperties": {
                "type": "string",
                "description": "Answers to the service's questions as "
                "attribute[CODE]=value; repeat attribute[CODE][] for each value "
                "of a multivaluelist.",
            },
        },
        "RequestUpdate": {
            "type": "object",
            "required": ["update_id", "service_request_id", "status"],
            "properties": {
                "update_id": _text("The update's id, always a string."),
                "service_request_id": _text("The request it belongs to."),
                "status": _text(
                    "The request's status after this update.", enum=EXTENDED_STATUSES
                ),
                "updated_datetime": date_time,
                "description": _nullable("The public text of the update."),
                "media_url": _nullable("A public photo of the update."),
            },
        },
        "RequestUpdates": {"type": "array", "items": _ref("schemas", "RequestUpdate")},
        "NewRequestUpdate": {
            "type": "object",
            "required": ["api_key", "service_request_id", "description"],
            "properties": {
                "api_key": _text("Your API key."),
                "jurisdiction_id": _text("The town's jurisdiction id (optional)."),
                "service_request_id": _text("The request to add to."),
                "update_id": _text(
                    "Your own id for the update; posting it again records it once."
                ),
                "updated_datetime": {"type": "string", "format": "date-time"},
                "status": _text(
                    "What the resident wishes; staff decide the request's status.",
                    enum=["OPEN", "CLOSED"],
                ),
                "description": _text(
                    "What the resident adds, in plain text.",
                    maxLength=DESCRIPTION_MAX_LENGTH,
                ),
                "email": _text("The resident's e-mail (never published)."),
                "first_name": _text("Never published."),
                "last_name": _text("Never published."),
                "media_url": _text("A photo, as a URL."),
            },
        },
        "UpdateCreated": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["update_id"],
                "properties": {"update_id": _text("Our id of the recorded update.")},
            },
        },
    }


def _parameters() -> dict:
    date_time = QUERY_DATE_TIME
    return {
        "format": {
            "name": "format",
            "in": "path",
            "required": True,
            "description": "json or xml.",
            "schema": {"type": "string", "enum": ["json", "xml"]},
        },
        "jurisdiction_id": _query(
            "jurisdiction_id",
            {"type": "string"},
            "The town's jurisdiction id; optional, as the server serves one town.",
        ),
        "start_date": _query(
            "start_date", date_time, "Only what happened at or after this time."
        ),
        "end_date": _query(
            "end_date", date_time, "Only what happened before this time."
        ),
        "page": _query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "Extension: the page to answer, from 1.",
        ),
        "page_size": _query(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            f"Extension: results per page, at most {MAX_PAGE_SIZE}.",
        ),
    }


def _paths() -> dict:
    param = _ref("parameters", "format")
    jurisdiction = _ref("parameters", "jurisdiction_id")
    date_range = [_ref("parameters", "start_date"), _ref("parameters", "end_date")]
    paging = [_ref("parameters", "page"), _ref("parameters", "page_size")]
    date_time = QUERY_DATE_TIME
    return {
        "/discovery.{format}": {
            "get": {
                "operationId": "discovery",
                "summary": "Where the endpoints are and what they support.",
                "parameters": [param],
                "responses": {
                    "200": _ok("The discovery document.", "Discovery"),
                    **_errors(404),
                },
            }
        },
        "/services.{format}": {
            "get": {
                "operationId": "services",
                "summary": "The services residents can report.",
                "parameters": [param, jurisdiction],
                "responses": {
                    "200": _ok("Every public service.", "Services"),
                    **_errors(400, 404),
                },
            }
        },
        "/services/{service_code}.{format}": {
            "get": {
                "operationId": "service-definition",
                "summary": "The extra questions of one service.",
                "parameters": [
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "description": "A code from services.{format}.",
                        "schema": {"type": "string"},
                    },
                    param,
                    jurisdiction,
                ],
                "responses": {
                    "200": _ok("The service definition.", "ServiceDefinition"),
                    **_errors(400, 404),
                },
            }
        },
        "/requests.{format}": {
            "get": {
                "operationId": "requests",
                "summary": "Public requests, newest first.",
                "description": "Without dates, the last 90 days; at most 1,000 "
                "results per page. service_request_id overrides every other filter.",
                "parameters": [
                    param,
                    jurisdiction,
                    _query(
                        "service_request_id",
                        {"type": "string"},
                        "Comma-separated request ids.",
                    ),
                    _query(
                        "service_code", {"type": "string"}, "Comma-separated codes."
                    ),
                    *date_range,
                    _query(
                        "status",
                        {
                            "type": "string",
                            "pattern": "^(open|closed)(,(open|closed))*$",
                        },
                        "open, closed, or both comma-separated.",
                    ),
                    *paging,
                    _query(
                        "updated_after", date_time, "Extension: updated at or after."
                    ),
                    _query("updated_before", date_time, "Extension: updated before."),
                    _query(
                        "extensions",
                        {"type": "boolean"},
                        "Extension: true adds extended_attributes.",
                    ),
                ],
                "responses": {
                    "200": _ok("The matching requests.", "ServiceRequests"),
                    **_errors(400, 404),
                },
            },
            "post": {
                "operationId": "request-create",
                "summary": "Submit a request (needs an API key).",
                "parameters": [param],
                "requestBody": _form_body("NewServiceRequest"),
                "responses": {
                    "200": _ok("The request was taken.", "RequestCreated"),
                    "201": _ok("The request was taken.", "RequestCreated"),
                    **_errors(400, 403, 404, 429),
                },
            },
        },
        "/requests/{service_request_id}.{format}": {
            "get": {
                "operationId": "request",
                "summary": "One public request.",
                "parameters": [
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    param,
                    jurisdiction,
                    _query(
                        "extensions",
                        {"type": "boolean"},
                        "Extension: true adds extended_attributes.",
                    ),
                ],
                "responses": {
                    "200": _ok("A list holding the request.", "ServiceRequests"),
                    **_errors(400, 404),
                },
            }
        },
        "/tokens/{token_id}.{format}": {
            "get": {
                "operationId": "token",
                "summary": "The request made from a post, by the post's token.",
                "parameters": [
                    {
                        "name": "token_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    param,
                    jurisdiction,
                ],
                "responses": {
                    "200": _ok(
                        "The token and its request, or null for a request "
                        "still being filed.",
                        "Tokens",
                    ),
                    **_errors(400, 404),
                },
            }
        },
        "/servicerequestupdates.{format}": {
            "get": {
                "operationId": "updates",
                "summary": "Extension: public updates of public requests.",
                "parameters": [param, jurisdiction, *date_range, *paging],
                "responses": {
                    "200": _ok("The updates, oldest first.", "RequestUpdates"),
                    **_errors(400, 404),
                },
            },
            "post": {
                "operationId": "update-create",
                "summary": "Extension: add a resident's update (needs an API key).",
                "parameters": [param],
                "requestBody": _form_body("NewRequestUpdate"),
                "responses": {
                    "200": _ok("The update was recorded.", "UpdateCreated"),
                    "201": _ok("The update was recorded.", "UpdateCreated"),
                    **_errors(400, 403, 404, 429),
                },
            },
        },
    }


def example_service_code() -> str | None:
    """A public service of this town, for examples that really work."""
    return (
        Service.objects.public()
        .order_by("order", "pk")
        .values_list("code", flat=True)
        .first()
    )


def openapi_document(*, service_code: str | None = None) -> dict:
    """The whole API description, with this site's address and a real service
    code (this town's first, unless given) as the example to post."""
    example = service_code or example_service_code() or "pothole"
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "town311 Open311 GeoReport v2",
            "version": "2",
            "description": "Report and follow the town's non-emergency service "
            "requests. Reporters' names, e-mails and phones, internal notes and "
            "staff-only services are never published.",
        },
        "servers": [{"url": f"{settings.SITE_URL}{API_PREFIX}"}],
        "paths": _paths(),
        "components": {
            "parameters": _parameters(),
            "schemas": _schemas(example),
            "responses": {
                "BadRequest": _error_response("An argument is missing or wrong."),
                "Forbidden": _error_response("The api_key is missing or not valid."),
                "NotFound": _error_response(
                    "No such service, request, token or format."
                ),
                "RateLimited": _error_response(
                    "The api_key made too many calls this minute."
                ),
            },
        },
    }
