"""Downloads for staff: the requests behind the figures, and the
dashboard table itself."""

import io
import logging
import tempfile

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.directory.models import Department, Neighbourhood, Service, Town
from town311.metrics.exports import (
    BASES,
    TABLE_COLUMNS,
    csv_stream,
    departments_scope,
    requests_filtered,
    table_rows,
    table_write_text,
    table_write_xlsx,
    xlsx_write,
)
from town311.metrics.figures import period_figures
from town311.metrics.forms_dashboard import DashboardForm, last_complete_month
from town311.servicerequests.models import Channel, ServiceRequest
from town311.staff.access import staff_required

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A workbook under this size stays in memory; a larger one goes to disk.
XLSX_IN_MEMORY = 10 * 1024 * 1024


class ExportFilterForm(forms.Form):
    """The export's filters, as the query string gives them."""

    basis = forms.ChoiceField(
        choices=[(basis, basis) for basis in BASES],
        required=False,
        error_messages={
            "invalid_choice": "“%(value)s” is not a basis; use submitted, "
            "acknowledged or closed."
        },
    )
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
    area = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.all(),
        to_field_name="slug",
        required=False,
        error_messages={"invalid_choice": "No neighbourhood has the slug “%(value)s”."},
    )

    def clean_basis(self) -> str:
        return self.cleaned_data["basis"] or "submitted"

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start >= end:
            basis = cleaned.get("basis") or "submitted"
            raise forms.ValidationError(
                "The end date must come after the start date: the export "
                f"covers requests {basis} from start up to, not including, end."
            )

        return cleaned

    def error_text(self) -> str:
        return "\n".join(
            message for messages in self.errors.values() for message in messages
        )


@require_GET
@staff_required
def export_requests(request, extension: str):
    """One row per request the staff member may see, submitted (or
    acknowledged, or closed, as `basis` says) between the start and end
    dates (local dates, end excluded), as CSV or XLSX."""
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
    requests = requests_filtered(
        _visible_requests(request.user, filters["basis"]), zone=zone, **filters
    )
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


@require_GET
@staff_required
def export_table(request, extension: str):
    """The dashboard table for the period its query string gives, as CSV or
    XLSX: each department the person sees, then the whole town."""
    user = request.user
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()

    # The page shows figures even for a half-usable query; a download that
    # silently left a filter out would mislead, so it is refused instead.
    data = request.GET.copy()
    if not any(data.get(name) for name in ("month", "start", "end")):
        data["month"] = f"{last_complete_month(today).first:%Y-%m}"
    form = DashboardForm(data)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _error_text(form), content_type="text/plain; charset=utf-8"
        )

    period = form.period(today)
    department = None if user.sees_all_departments else user.department
    start, end = period.bounds(zone)
    figures = period_figures(
        start=start, end=end, department=department, **form.filters()
    )
    rows = table_rows(figures, first=period.first, last=period.last)
    filename = f"figures-{period.first.isoformat()}-{period.last.isoformat()}"
    filename += f".{extension}"

    if extension == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        table_write_text(rows, response, format="csv", columns=TABLE_COLUMNS)
    else:
        workbook = io.BytesIO()
        table_write_xlsx(rows, workbook, columns=TABLE_COLUMNS)
        response = HttpResponse(workbook.getvalue(), content_type=XLSX_CONTENT_TYPE)

    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _visible_requests(user, basis: str):
    """The requests this staff member may export: those in their queues,
    and for acknowledgments also those their departments acknowledged
    before handing them on, since their figures count those."""
    requests = ServiceRequest.objects.all()
    if user.sees_all_departments:
        return requests

    departments = [
        user.department_id,
        *user.granted_departments.values_list("pk", flat=True),
    ]
    return requests.filter(departments_scope(departments, basis))


def _error_text(form: forms.Form) -> str:
    return "\n".join(
        f"{name}: {message}" if name != "__all__" else message
        for name, messages in form.errors.items()
        for message in messages
    )
