"""Response templates with their placeholders filled in for one request.

Staff pick a template in the reply box and read (and may edit) the filled
text before it is sent, so the placeholders are filled on the server when
the page is drawn rather than when the reply is saved.
"""

import logging
import string
from datetime import date

from django.utils import timezone
from django.utils.dateformat import format as date_format

from town311.directory.models import Town
from town311.servicerequests.models import ServiceRequest
from town311.staff.models import ResponseTemplate

logger = logging.getLogger(__name__)

PLACEHOLDERS = {
    "first_name": "the reporter's first name, or “there” when we do not know it",
    "number": "the request number",
    "department": "the department whose queue the request is in",
    "date": "today's date in the town, such as “Monday, May 4”",
}

# Without a name, "Hi {first_name}," still reads like a person wrote it.
NO_NAME = "there"


def placeholder_values(
    service_request: ServiceRequest, *, today: date | None = None
) -> dict[str, str]:
    """What each placeholder stands for on this request."""
    if today is None:
        town = Town.objects.current()
        today = timezone.localdate(timezone=town.zone if town else None)

    name_parts = service_request.reporter_name.split()
    return {
        "first_name": name_parts[0] if name_parts else NO_NAME,
        "number": service_request.number,
        "department": str(service_request.department or ""),
        "date": date_format(today, "l, F j"),
    }


def template_fill(body: str, values: dict[str, str]) -> str:
    """The body with its placeholders replaced. Braces that are not a
    placeholder ("{ }", "{0}", "{a.b}") are left alone."""
    filled = []
    for literal, field, spec, conversion in string.Formatter().parse(body):
        filled.append(literal)
        if field is None:
            continue

        if field in values and not spec and not conversion:
            filled.append(values[field])
        else:
            # Put back exactly what the template said.
            original = field
            if conversion:
                original += "!" + conversion
            if spec:
                original += ":" + spec
            filled.append("{" + original + "}")

    return "".join(filled)


def filled_templates(
    service_request: ServiceRequest, *, today: date | None = None
) -> list[tuple[ResponseTemplate, str]]:
    """The active templates of the request's department, each with its
    body filled in for this request."""
    if service_request.department_id is None:
        return []

    values = placeholder_values(service_request, today=today)
    templates = ResponseTemplate.objects.filter(
        department_id=service_request.department_id, is_active=True
    )
    result = []
    for template in templates:
        try:
            result.append((template, template_fill(template.body, values)))
        except ValueError:
            # A stray single brace makes the body unparseable as a format
            # string; offer it as written rather than hiding the template.
            logger.warning("Response template %s has unbalanced braces", template.pk)
            result.append((template, template.body))

    return result
