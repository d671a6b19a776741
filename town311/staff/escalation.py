"""Reminders about requests nobody acknowledged in time.

A request still submitted after its `acknowledge_due_at` is escalated one
step at a time, each step once:

1. its assignee, if it has one;
2. the leads of its department;
3. the coordinators.

The first step falls due at `acknowledge_due_at`. Each later step falls
due one working day (in the town's calendar, see `due.py`) after the
previous reminder was sent, so everyone reminded has a full working day to
act before the next person hears of it. A step with nobody to tell (no
assignee, a department without a lead, people without an e-mail address)
is passed over, and the next step falls due at the same moment. Any
acknowledgment (an explicit one, a reply, a start of work, a close) stops
the chain; a request acknowledged later and then reassigned is not
escalated again, since it is no longer submitted.

Each step is an `Escalation` row, unique per request and step, created in
the same transaction as the e-mails it queues and before them. When two
machines run the command at once, the second insert fails and that run
sends nothing for the step; a crash in between leaves neither.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone, translation
from django.utils.timesince import timesince

from town311.accounts.models import User
from town311.directory.models import Town
from town311.notifications.emails import email_queue, url
from town311.servicerequests.models import ServiceRequest, Status
from town311.staff.due import WorkingCalendar
from town311.staff.models import Escalation

logger = logging.getLogger(__name__)

Step = Escalation.Step
STEPS = [Step.ASSIGNEE, Step.LEAD, Step.COORDINATOR]
# Working time between one reminder and the next.
NEXT_STEP_AFTER = timedelta(days=1)


@dataclass
class Reminder:
    """One step of escalation due for one request."""

    request: ServiceRequest
    step: str
    recipients: list[User]


def escalations_due(*, now: datetime | None = None) -> list[Reminder]:
    """The reminders that should go out now, oldest request first."""
    now = now or timezone.now()
    overdue = (
        ServiceRequest.objects.filter(
            status=Status.SUBMITTED, acknowledge_due_at__lte=now
        )
        .exclude(escalations__step=Step.COORDINATOR)
        .select_related("service", "department", "assignee")
        .prefetch_related("escalations")
        .order_by("acknowledge_due_at", "pk")
    )
    people = _People()
    calendar = _calendar()

    reminders = []
    for service_request in overdue:
        reminder = _next_reminder(service_request, people, calendar, now)
        if reminder is not None:
            reminders.append(reminder)

    return reminders


def escalations_send(
    *, now: datetime | None = None, dry_run: bool = False
) -> list[Reminder]:
    """Send the reminders that are due and return them. With `dry_run`,
    only return them."""
    now = now or timezone.now()
    reminders = escalations_due(now=now)
    if dry_run:
        return reminders

    sent = [r for r in reminders if _send(r, now)]
    logger.debug("Sent %s of %s due escalation reminder(s)", len(sent), len(reminders))
    return sent


def escalations_summary(reminders: list[Reminder], *, dry_run: bool = False) -> str:
    """One line saying what was (or would be) sent."""
    verb = "Would send" if dry_run else "Sent"
    if not reminders:
        return (
            f"{verb} no escalation reminders: no request is overdue for its next step."
        )

    steps = Counter(r.step for r in reminders)
    e_mails = sum(len(r.recipients) for r in reminders)
    parts = [
        f"{steps[step]} to {label}"
        for step, label in (
            (Step.ASSIGNEE, "assignees"),
            (Step.LEAD, "leads"),
            (Step.COORDINATOR, "coordinators"),
        )
        if steps[step]
    ]
    return (
        f"{verb} {len(reminders)} escalation reminder(s) in {e_mails} e-mail(s): "
        + ", ".join(parts)
        + "."
    )


def _next_reminder(
    service_request: ServiceRequest,
    people: "_People",
    calendar: WorkingCalendar | None,
    now: datetime,
) -> Reminder | None:
    sent = sorted(service_request.escalations.all(), key=lambda e: STEPS.index(e.step))
    if sent:
        last = sent[-1]
        due_at = _after_working_day(last.created_at, calendar)
        remaining = STEPS[STEPS.index(last.step) + 1 :]
    else:
        due_at = service_request.acknowledge_due_at
        remaining = STEPS

    if due_at > now:
        return None

    for step in remaining:
        recipients = people.for_step(step, service_request)
        if recipients:
            return Reminder(service_request, step, recipients)

    return None


def _after_working_day(moment: datetime, calendar: WorkingCalendar | None) -> datetime:
    if calendar is None:
        return moment + NEXT_STEP_AFTER

    return calendar.add(moment, NEXT_STEP_AFTER)


def _calendar() -> WorkingCalendar | None:
    town = Town.objects.current()
    return WorkingCalendar.for_town(town) if town else None


class _People:
    """Who can be reminded, looked up once per run."""

    def __init__(self) -> None:
        reachable = User.objects.filter(is_active=True).exclude(email="")
        self.leads = defaultdict(list)
        for lead in reachable.filter(role=User.Role.LEAD).order_by("pk"):
            self.leads[lead.department_id].append(lead)

        self.coordinators = list(
            reachable.filter(role=User.Role.COORDINATOR).order_by("pk")
        )

    def for_step(self, step: str, service_request: ServiceRequest) -> list[User]:
        if step == Step.ASSIGNEE:
            assignee = service_request.assignee
            reachable = assignee and assignee.is_active and assignee.email
            return [assignee] if reachable else []

        if step == Step.LEAD:
            return self.leads[service_request.department_id]

        return self.coordinators


def _send(reminder: Reminder, now: datetime) -> bool:
    service_request = reminder.request
    with transaction.atomic():
        # The row lock makes a concurrent acknowledgment wait or win: a
        # reminder never goes out for a request acknowledged meanwhile.
        still_submitted = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .filter(pk=service_request.pk, status=Status.SUBMITTED)
            .exists()
        )
        if not still_submitted:
            return False

        try:
            with transaction.atomic():
                Escalation.objects.create(
                    request=service_request,
                    step=reminder.step,
                    # One person is worth naming; several leads or
                    # coordinators are all in the e-mails.
                    sent_to=(
                        reminder.recipients[0]
                        if len(reminder.recipients) == 1
                        else None
                    ),
                    created_at=now,
                )
        except IntegrityError:
            # Another run sent this step first.
            return False

        for person in reminder.recipients:
            _queue_email(reminder, person, now)

    return True


def _queue_email(reminder: Reminder, person: User, now: datetime) -> None:
    service_request = reminder.request
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    due_at = service_request.acknowledge_due_at.astimezone(zone)

    # Staff e-mails are in English, like the staff workspace.
    with translation.override("en"):
        context = {
            "town": town,
            "step": reminder.step,
            "person": person,
            "number": service_request.number,
            "service": service_request.service.name,
            "department": service_request.department.name,
            "address": service_request.address,
            "age": timesince(service_request.submitted_at, now, depth=1),
            # Formatted here: the date filter would show the server's zone.
            "due_at": dateformat.format(due_at, "l j F, g:i A"),
            "staff_url": url("staff:request", service_request.pk),
        }
        email_queue(
            "escalation", to=person.email, context=context, request=service_request
        )
