"""The monthly report preview, and sending the report again by hand.

The preview renders the chosen recipient's e-mail through the same
function the sender uses (`monthly_report_render`), so what the page shows
is what goes out. The HTML sits in a sandboxed <iframe srcdoc>: it is a
whole document with its own styles, and the sandbox keeps it from running
anything in the page. Its cid: images become data: addresses there, since
only a mail program resolves cid:, so the page needs no image URL of its
own and shows the very bytes that are attached.
"""

import logging
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from town311.lib.errors import ActionError
from town311.metrics.forms_monthly import EVERYONE, MonthlyReportForm, MonthlySendForm
from town311.metrics.models import MonthlyReportSend
from town311.metrics.monthly import (
    monthly_figures,
    monthly_report,
    monthly_report_inline,
    monthly_report_recipients,
    monthly_report_render,
    monthly_reports_send_again,
    town_zone,
)
from town311.staff.access import staff_required

logger = logging.getLogger(__name__)


def _check_coordinator(user) -> None:
    if not user.sees_all_departments:
        raise PermissionDenied(
            "The monthly report preview is for coordinators, who send the "
            "report to every department. Your lead receives your department's "
            "report on the first of each month, and the dashboard has the same "
            "figures."
        )


@require_GET
@staff_required
def monthly(request):
    """The report of ?month=YYYY-MM (by default the last complete month)
    as ?recipient= will get it, and when that month's report was sent."""
    _check_coordinator(request.user)
    now, zone = timezone.now(), town_zone()
    form = MonthlyReportForm(request.GET, now=now, zone=zone)
    context = {"form": form, "latest": form.latest, "zone": zone}
    if not form.is_valid():
        context["error"] = " ".join(form.errors.get("month", []))
        context["asked"] = request.GET.get("month", "")
        return render(request, "metrics/monthly.html", context, status=400)

    month = form.cleaned_data["month"]
    figures = monthly_figures(month, zone)
    recipients = monthly_report_recipients(month, figures=figures)
    context.update(
        month=month,
        recipients=recipients,
        sends=MonthlyReportSend.objects.filter(month=str(month))
        .select_related("message", "sent_by")
        .order_by("-created_at", "-pk"),
        token=secrets.token_urlsafe(16),
        everyone=EVERYONE,
    )
    if not recipients:
        return render(request, "metrics/monthly.html", context)

    chosen = _recipient(recipients, form.cleaned_data["recipient"])
    if chosen is None:
        context["error"] = (
            "Nobody by that name gets this month's report: choose a recipient "
            "from the list."
        )
        return render(request, "metrics/monthly.html", context, status=400)

    report = monthly_report(chosen, figures, now=now)
    subject, text, html = monthly_report_render(report)
    context.update(
        chosen=chosen,
        subject=subject,
        text=text,
        html=monthly_report_inline(html, report.attachments),
    )
    return render(request, "metrics/monthly.html", context)


@require_POST
@staff_required
def monthly_send(request):
    """Send the month's report again, to one recipient or to everyone."""
    _check_coordinator(request.user)
    now, zone = timezone.now(), town_zone()
    form = MonthlySendForm(request.POST, now=now, zone=zone)
    back = reverse("metrics:monthly")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)

    month, key = form.cleaned_data["month"], form.cleaned_data["recipient"]
    recipients = monthly_report_recipients(month)
    if key != EVERYONE:
        chosen = _recipient(recipients, key)
        if chosen is None:
            messages.error(
                request,
                "Nobody by that name gets this month's report, so nothing was "
                "sent: choose a recipient from the list.",
            )
            return redirect(back + "?" + urlencode({"month": month}))
        recipients = [chosen]

    # Back to the same preview, so the list of sends shows this one.
    back += "?" + urlencode(
        {"month": month, "recipient": "" if key == EVERYONE else key}
    )

    if not recipients:
        messages.error(request, "Nobody gets this month's report, so nothing was sent.")
        return redirect(back)

    try:
        sent = monthly_reports_send_again(
            month,
            recipients=recipients,
            by=request.user,
            token=form.cleaned_data["token"],
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        to = recipients[0].to if len(sent) == 1 else f"{len(sent)} recipients"
        messages.success(
            request,
            f"The {month.first_day:%B %Y} report is on its way again to {to}.",
        )

    return redirect(back)


def _recipient(recipients, key: str):
    """The recipient with this key; with no key, the first one."""
    if not key:
        return recipients[0]

    return next((each for each in recipients if each.key == key), None)
