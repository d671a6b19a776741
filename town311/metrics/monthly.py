"""The monthly report e-mail.

On the first of each month every department lead hears how their
department did in the month just ended: its figures beside the town's,
the change since the month before, its place on the leaderboard, and its
oldest requests still waiting for an acknowledgment. Each coordinator gets
the whole table and both rankings. The figures come from the dashboard's
and the leaderboard's own code, so the e-mail, the dashboard and the
leaderboard agree to the tenth of a day.

The tone is the leaderboard's: improvements are green, nothing is red, and
a department with too few requests is told why it is not ranked instead of
being placed last.

`run_schedule` sends the reports once a month; coordinators preview them
and send them again by hand at /metrics/monthly/.
"""

import base64
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation

from town311.accounts.models import User
from town311.directory.models import Department, Town
from town311.lib.errors import ActionError
from town311.metrics.cells import COLUMNS, figure_table
from town311.metrics.charts import median_trend_chart
from town311.metrics.figures import SECONDS_PER_DAY, month_bounds, period_figures
from town311.metrics.leaderboard import (
    MIN_REQUESTS,
    Leaderboard,
    Month,
    Ranking,
    leaderboard_for_month,
)
from town311.metrics.models import JobRun, MonthlyReportSend
from town311.metrics.trends import median_trend
from town311.notifications.emails import email_queue, email_render, url
from town311.notifications.models import Message
from town311.notifications.services import Attachment
from town311.servicerequests.models import ServiceRequest, Status

logger = logging.getLogger(__name__)

KIND_DEPARTMENT = "monthly-report"
KIND_COORDINATOR = "monthly-report-coordinator"
KINDS = (KIND_DEPARTMENT, KIND_COORDINATOR)

UNACKNOWLEDGED_LISTED = 10
RESEND_JOB = "monthly-report-again"
# A second tap on "Send again", or a reload of the page, within this long
# is refused: nobody means to send the same report twice in a minute.
RESEND_GUARD = timedelta(minutes=1)

# Every figure of the dashboard, as the department's report names them.
FIGURE_LABELS = {
    "received": "Requests received",
    "acknowledged": "Requests acknowledged",
    "closed": "Requests closed",
    "open_at_end": "Open at the end of the month",
    "ack_median_days": "Median time to acknowledge",
    "ack_mean_days": "Mean time to acknowledge",
    "ack_p90_days": "90th percentile time to acknowledge",
    "ack_within_target_share": "Acknowledged within target",
    "close_median_days": "Median time to close",
    "close_mean_days": "Mean time to close",
    "close_p90_days": "90th percentile time to close",
    "close_within_target_share": "Closed within target",
}

# Every department in one table must fit an e-mail's width, so the
# coordinator's report keeps the figures the competition is about; the
# dashboard has the rest.
COORDINATOR_COLUMNS = {
    "received": "Received",
    "ack_median_days": "Median to acknowledge",
    "ack_within_target_share": "Acknowledged within target",
    "close_median_days": "Median to close",
    "close_within_target_share": "Closed within target",
    "open_at_end": "Open at month end",
}

RANKING_WORDS = {
    "acknowledge": ("Time to acknowledge", "acknowledged"),
    "close": ("Time to close", "closed"),
}


@dataclass(frozen=True)
class Recipient:
    """Someone who gets a monthly report: a department's (its lead, or its
    own address) or a coordinator's whole table."""

    key: str
    to: str
    kind: str
    name: str
    department: Department | None = None
    user: User | None = None

    @property
    def label(self) -> str:
        if self.kind == KIND_COORDINATOR:
            return f"{self.name}, coordinator ({self.to})"

        if self.user is None:
            return f"{self.department} team address ({self.to})"

        return f"{self.name}, {self.department} lead ({self.to})"


@dataclass
class MonthlyFigures:
    """What every report of one month is made of, computed once."""

    month: Month
    zone: ZoneInfo
    table: list[dict]
    leaderboard: Leaderboard
    # Charts by department pk (None for the town), drawn once per send.
    charts: dict = field(default_factory=dict)

    @property
    def departments(self) -> list[Department]:
        return [entry["department"] for entry in self.table if entry["department"]]

    def cells(self, department: Department | None) -> dict:
        for entry in self.table:
            if entry["department"] == department:
                return dict(
                    zip((key for key, _ in COLUMNS), entry["cells"], strict=True)
                )

        raise KeyError(f"{department} is not in the table of {self.month}.")


@dataclass(frozen=True)
class Report:
    """One recipient's report before rendering: its template context and
    the inline images its HTML names by cid:."""

    recipient: Recipient
    context: dict
    attachments: list[Attachment]


def town_zone() -> ZoneInfo:
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def monthly_figures(month: Month, zone: ZoneInfo) -> MonthlyFigures:
    """The dashboard's table for the month, with the change since the month
    before, and the month's leaderboard."""
    start, end = month_bounds(month.year, month.month, zone)
    rows = period_figures(start=start, end=end)
    start, end = month_bounds(month.previous.year, month.previous.month, zone)
    before = period_figures(start=start, end=end)

    return MonthlyFigures(
        month=month,
        zone=zone,
        table=figure_table(rows, before),
        leaderboard=leaderboard_for_month(month=month, zone=zone),
    )


# Who gets it


def monthly_report_recipients(
    month: Month, *, figures: MonthlyFigures | None = None
) -> list[Recipient]:
    """Who gets the report for `month`, departments first, one e-mail each.

    Every active lead with an e-mail address gets their department's
    report. A department in the month's table with no such lead gets its
    report at the department's own e-mail address, if it has one, so the
    team still hears how it did. Every active coordinator with an address
    gets the whole table. People without an address are skipped.
    """
    figures = figures or monthly_figures(month, town_zone())
    departments = figures.departments
    leads = (
        User.objects.filter(
            role=User.Role.LEAD, is_active=True, department__in=departments
        )
        .exclude(email="")
        .order_by("first_name", "username")
    )
    leads_by_department: dict[int, list[User]] = {}
    for lead in leads:
        leads_by_department.setdefault(lead.department_id, []).append(lead)

    recipients = []
    for department in departments:
        for lead in leads_by_department.get(department.pk, []):
            recipients.append(
                Recipient(
                    key=f"lead-{lead.pk}",
                    to=lead.email,
                    kind=KIND_DEPARTMENT,
                    name=_name(lead),
                    department=department,
                    user=lead,
                )
            )
        if department.pk not in leads_by_department and department.email:
            recipients.append(
                Recipient(
                    key=f"department-{department.slug}",
                    to=department.email,
                    kind=KIND_DEPARTMENT,
                    name=f"{department} team",
                    department=department,
                )
            )

    coordinators = (
        User.objects.filter(role=User.Role.COORDINATOR, is_active=True)
        .exclude(email="")
        .order_by("first_name", "username")
    )
    for coordinator in coordinators:
        recipients.append(
            Recipient(
                key=f"coordinator-{coordinator.pk}",
                to=coordinator.email,
                kind=KIND_COORDINATOR,
                name=_name(coordinator),
                user=coordinator,
            )
        )

    return recipients


def _name(user: User) -> str:
    return user.first_name or user.username


# What each gets


def monthly_report(
    recipient: Recipient, figures: MonthlyFigures, *, now: datetime
) -> Report:
    """The recipient's report of the month, with its requests still waiting
    for an acknowledgment as of `now`."""
    month = figures.month
    common = {
        "person": recipient.name,
        "month": f"{month.first_day:%B %Y}",
        "previous": f"{month.previous.first_day:%B %Y}",
        "dashboard_url": url("metrics:dashboard") + "?" + urlencode({"month": month}),
        "leaderboard_url": url("metrics:leaderboard")
        + "?"
        + urlencode({"month": month}),
        "min_requests": MIN_REQUESTS,
    }
    charts = _chart_images(recipient, figures)
    common["charts"] = [
        {"cid": attachment.content_id, "alt": alt} for attachment, alt in charts
    ]

    if recipient.kind == KIND_COORDINATOR:
        context = {**common, **_coordinator_context(figures)}
    else:
        context = {**common, **_department_context(recipient, figures, now)}

    return Report(
        recipient=recipient,
        context=context,
        attachments=[attachment for attachment, _ in charts],
    )


def monthly_report_render(report: Report) -> tuple[str, str, str]:
    """The subject, text and HTML exactly as `monthly_reports_send` queues
    them: the same templates, context and language."""
    with translation.override("en"):
        return email_render(
            report.recipient.kind, {**report.context, "unsubscribe_url": ""}
        )


def monthly_report_inline(html: str, attachments: list[Attachment]) -> str:
    """The HTML with each cid: image as a data: address, for showing the
    e-mail in a page, where no mail program resolves cid: links."""
    for attachment in attachments:
        if attachment.content_id:
            encoded = base64.b64encode(attachment.content).decode("ascii")
            html = html.replace(
                f"cid:{attachment.content_id}",
                f"data:{attachment.content_type};base64,{encoded}",
            )
    return html


def _department_context(
    recipient: Recipient, figures: MonthlyFigures, now: datetime
) -> dict:
    department = recipient.department
    mine, town = figures.cells(department), figures.cells(None)
    board = figures.leaderboard
    waiting = (
        ServiceRequest.objects.filter(department=department, status=Status.SUBMITTED)
        .select_related("service")
        .order_by("submitted_at", "pk")
    )
    listed = list(waiting[:UNACKNOWLEDGED_LISTED])

    return {
        "department": department.name,
        "lead": recipient.user is not None,
        "figures": [
            {"label": label, "mine": mine[key], "town": town[key]}
            for key, label in FIGURE_LABELS.items()
        ],
        "rankings": [
            _department_placing(board.acknowledge, department),
            _department_placing(board.close, department),
        ],
        "unacknowledged": [
            {
                "number": r.number,
                "service": r.service.name,
                "age": _days_text((now - r.submitted_at).total_seconds()),
                "staff_url": url("staff:request", r.pk),
            }
            for r in listed
        ],
        "unacknowledged_more": waiting.count() - len(listed),
        "queue_url": url("staff:queue"),
    }


def _department_placing(ranking: Ranking, department: Department) -> dict:
    title, verb = RANKING_WORDS[ranking.figure]
    placing = {"title": title, "verb": verb, "of": len(ranking.placings)}
    for each in ranking.placings:
        if each.department == department:
            improvement = next(
                (i for i in ranking.most_improved if i.department == department), None
            )
            return {
                **placing,
                "ranked": True,
                "rank": each.rank,
                "median": f"{each.median_days:.1f}",
                "count": each.count,
                "movement": each.movement.spoken,
                "moved_up": each.movement.kind == "up",
                "most_improved": improvement
                and {
                    "previous": f"{improvement.previous_days:.1f}",
                    "drop": f"{improvement.drop_days:.1f}",
                },
            }

    count = next((u.count for u in ranking.unranked if u.department == department), 0)
    return {**placing, "ranked": False, "count": count}


def _coordinator_context(figures: MonthlyFigures) -> dict:
    board = figures.leaderboard
    rows = []
    for entry in figures.table:
        cells = figures.cells(entry["department"])
        rows.append(
            {
                "name": entry["department"].name if entry["department"] else "Town",
                "is_town": entry["department"] is None,
                "cells": [
                    {"label": label, **cells[key]}
                    for key, label in COORDINATOR_COLUMNS.items()
                ],
            }
        )

    return {
        "columns": list(COORDINATOR_COLUMNS.values()),
        "rows": rows,
        "rankings": [_ranking(board.acknowledge), _ranking(board.close)],
    }


def _ranking(ranking: Ranking) -> dict:
    title, verb = RANKING_WORDS[ranking.figure]
    return {
        "title": title,
        "verb": verb,
        "placings": [
            {
                "rank": p.rank,
                "department": p.department.name,
                "median": f"{p.median_days:.1f}",
                "count": p.count,
                "movement": p.movement.spoken,
                "moved_up": p.movement.kind == "up",
            }
            for p in ranking.placings
        ],
        "unranked": [
            {"department": u.department.name, "count": u.count}
            for u in ranking.unranked
        ],
        "most_improved": [
            {
                "department": i.department.name,
                "previous": f"{i.previous_days:.1f}",
                "median": f"{i.median_days:.1f}",
                "drop": f"{i.drop_days:.1f}",
            }
            for i in ranking.most_improved
        ],
    }


def _days_text(seconds: float) -> str:
    days = Decimal(repr(seconds / SECONDS_PER_DAY)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return f"{days} day{'' if days == 1 else 's'}"


# Charts


def _chart_images(
    recipient: Recipient, figures: MonthlyFigures
) -> list[tuple[Attachment, str]]:
    """The report's charts as inline images, each with its alt text: the
    last 12 months' medians to acknowledge and to close, for the
    department beside the town, or for the town with every department."""
    department = recipient.department if recipient.kind == KIND_DEPARTMENT else None
    key = department.pk if department else None
    if key not in figures.charts:
        figures.charts[key] = _charts_draw(figures, department)
    return figures.charts[key]


def _charts_draw(
    figures: MonthlyFigures, department: Department | None
) -> list[tuple[Attachment, str]]:
    trend = median_trend(last=figures.month, zone=figures.zone, department=department)
    whose = department.slug if department else "town"
    images = []
    for clock in ("ack", "close"):
        chart = median_trend_chart(trend, clock=clock, department=department)
        name = f"{clock}-trend-{whose}-{figures.month}"
        attachment = Attachment(
            filename=f"{name}.png",
            content_type="image/png",
            content=chart.png(),
            content_id=f"{name}@town311",
        )
        images.append((attachment, chart.alt))
    return images


# Sending


def monthly_reports_send(
    month: Month,
    *,
    recipients: list[Recipient] | None = None,
    by: User | None = None,
    now: datetime | None = None,
) -> list[Message]:
    """Queue the month's reports (to everyone, or to `recipients`) in the
    outbox, and record each send for the preview page. `by` is the person
    who sent them by hand; None is the schedule."""
    now = now or timezone.now()
    figures = monthly_figures(month, town_zone())
    if recipients is None:
        recipients = monthly_report_recipients(month, figures=figures)

    messages = []
    with transaction.atomic(), translation.override("en"):
        for recipient in recipients:
            report = monthly_report(recipient, figures, now=now)
            message = email_queue(
                recipient.kind,
                to=recipient.to,
                context=report.context,
                attachments=report.attachments,
            )
            MonthlyReportSend.objects.create(
                month=str(month),
                message=message,
                to=recipient.to,
                kind=recipient.kind,
                sent_by=by,
            )
            messages.append(message)

    logger.debug("Queued %s monthly report(s) for %s", len(messages), month)
    return messages


def monthly_reports_send_again(
    month: Month, *, recipients: list[Recipient], by: User, token: str
) -> list[Message]:
    """Send the month's report again by hand, once per form.

    The form's `token` is claimed as a JobRun row, so a double tap sends
    once whatever the timing; and a report that went to any of these
    recipients less than a minute ago is not sent again either, so a
    reloaded page does not send it twice.
    """
    now = timezone.now()
    with transaction.atomic():
        _, claimed = JobRun.objects.get_or_create(
            job=RESEND_JOB, period=token, defaults={"started_at": now}
        )
        if not claimed:
            raise ActionError(
                "That form was already sent, so the report was not sent a "
                "second time. Use the form below to send it again."
            )

        recent = (
            MonthlyReportSend.objects.filter(
                month=str(month),
                to__in=[r.to for r in recipients],
                created_at__gte=now - RESEND_GUARD,
            )
            .order_by("-created_at")
            .first()
        )
        if recent:
            local = timezone.localtime(recent.created_at, town_zone())
            raise ActionError(
                f"The {month.first_day:%B %Y} report went to {recent.to} at "
                f"{local:%H:%M:%S}, less than a minute ago, so it was not sent "
                "again. Wait a minute if you do mean to send it once more."
            )

        return monthly_reports_send(month, recipients=recipients, by=by, now=now)
