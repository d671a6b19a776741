"""Open311 responses in JSON and XML, and Open311 error responses.

Views build plain data (dicts, lists, strings, numbers, None) once; this
module writes it in the format the path asked for. XML element names for
list items follow GeoReport v2: a <services> list holds <service>
elements, <service_requests> holds <request>, and so on (the updates
extension's <service_request_updates> holds <request_update>).
"""

import functools
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import orjson
from django.http import HttpResponse

logger = logging.getLogger(__name__)

JSON = "json"
XML = "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# A list under one of these names is written as a wrapper element holding
# one item element per entry; any other list repeats its own element.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "photos": "photo",
    "notes": "note",
}

# XML 1.0 forbids most control characters even when escaped, so resident
# text holding one would make the whole document unreadable.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A call the API refuses, answered as an Open311 error list."""

    def __init__(
        self, status: int, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.descriptions = [description]
        self.retry_after = retry_after

    @classmethod
    def several(cls, status: int, descriptions: list[str]) -> "Open311Error":
        error = cls(status, descriptions[0])
        error.descriptions = descriptions
        return error


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """Write `data` as JSON, or as XML under the element `root`."""
    if fmt == XML:
        body = xml_document(root, data)
    else:
        # A page of a thousand requests: orjson writes it several times
        # faster than the json module, as UTF-8 with no escaped letters.
        body = orjson.dumps(data)

    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(
    fmt: str, status: int, descriptions: list[str], *, retry_after: int | None = None
) -> HttpResponse:
    errors = [{"code": status, "description": d} for d in descriptions]
    response = respond(fmt, "errors", errors, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def xml_document(root: str, data) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        _append_items(element, ITEM_TAGS[root], data)
    else:
        _fill(element, data)

    # Writing to text and encoding once is several times faster than
    # letting ElementTree encode each piece; the declaration is ours.
    text = ET.tostring(element, encoding="unicode")
    return XML_DECLARATION + text.encode("utf-8", "xmlcharrefreplace")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        # Scalars are written here rather than by recursing: a page of
        # requests holds some twenty thousand of them.
        for key, child in value.items():
            if isinstance(child, list) and key not in ITEM_TAGS:
                for item in child:
                    _fill(ET.SubElement(element, key), item)
            elif isinstance(child, dict | list):
                _fill(ET.SubElement(element, key), child)
            else:
                ET.SubElement(element, key).text = _text(child)
    elif isinstance(value, list):
        _append_items(element, ITEM_TAGS[element.tag], value)
    else:
        element.text = _text(value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_FORBIDDEN.sub("", str(value))


def _append_items(element: ET.Element, tag: str, items: list) -> None:
    for item in items:
        _fill(ET.SubElement(element, tag), item)


def _name_holding_nul(request, path_arguments: dict) -> str | None:
    # PostgreSQL refuses NUL in text, so a query holding one would fail.
    arguments = [*path_arguments.items(), *request.GET.lists()]
    if request.method == "POST":
        arguments += request.POST.lists()
    for name, value in arguments:
        values = value if isinstance(value, list) else [value]
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "")
    return None


def open311_view(view: Callable) -> Callable:
    """Check the format suffix and answer Open311Error as an error list.

    An unknown format is answered in JSON, the one format every client
    can read.
    """

    @functools.wraps(view)
    def wrapper(request, *args, fmt: str, **kwargs):
        if fmt not in CONTENT_TYPES:
            return error_response(
                JSON, 404, [f"Unknown format “{fmt}”: use .json or .xml."]
            )

        if name := _name_holding_nul(request, kwargs):
            return error_response(
                fmt, 400, [f"{name} holds a NUL character; send text without it."]
            )

        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            return error_response(
                fmt, e.status, e.descriptions, retry_after=e.retry_after
            )

    return wrapper
