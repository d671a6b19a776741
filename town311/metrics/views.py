"""Downloads of the requests behind the figures, for staff."""

import logging
import tempfile

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.directory.models import Department, Service, Town
from town311.metrics.exports import csv_stream, requests_filtered, xlsx_write
from town311.servicerequests.models import Channel
from town311.staff.access import requests_for_staff, staff_required

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A workbook under this size stays in memory; a larger one goes to disk.
XLSX_IN_MEMORY = 10 * 1024 * 1024


class ExportFilterForm(forms.Form):
    """The export's filters, as the query string gives them."""

    start = forms.DateField(
        required=False,
        error_messages={"invalid": "Give start as a date like 2026-01-31."},
    )
    end = forms.DateField(
        required=False,
        error_messages={"invalid": "Give end as a date like 2026-02-01."},
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        to_field_name="slug",
        required=False,
        error_messages={"invalid_choice": "No department has the slug “%(value)s”."},
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": "No service has the code “%(value)s”."},
    )
    channel = forms.ChoiceField(
        choices=[("", "Any"), *Channel.choices],
        required=False,
        error_messages={
            "invalid_choice": "“%(value)s” is not a channel; use one of "
            + ", ".join(Channel.values)
            + "."
        },
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start >= end:
            raise forms.ValidationError(
                "The end date must come after the start date: the export "
                "covers requests submitted from start up to, not including, end."
            )

        return cleaned

    def error_text(self) -> str:
        return "\n".join(
            message for messages in self.errors.values() for message in messages
        )


@require_GET
@staff_required
def export_requests(request, extension: str):
    """One row per request the staff member may see, submitted between
    the start and end dates (local dates, end excluded), as CSV or XLSX."""
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            form.error_text(), content_type="text/plain; charset=utf-8"
        )

    filters = form.cleaned_data
    department = filters["department"]
    if department and not request.user.works_for(department):
        raise PermissionDenied(
            f"You cannot export the requests of {department}: it is not a "
            "department you work for. Ask a coordinator for the figures."
        )

    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    requests = requests_filtered(requests_for_staff(request.user), zone=zone, **filters)
    filename = f"requests.{extension}"
    logger.info(
        "%s exports requests as %s with %s",
        request.user,
        extension,
        request.GET.urlencode() or "no filters",
    )

    if extension == "csv":
        response = StreamingHttpResponse(
            csv_stream(requests, zone=zone), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # A zip file needs its whole content before it can be sent, so the
    # workbook is written first, to disk once it outgrows memory.
    workbook = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)
    xlsx_write(requests, workbook, zone=zone)
    workbook.seek(0)
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )
