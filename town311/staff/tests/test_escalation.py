"""Escalation reminders: the assignee, then the leads, then the
coordinators, one working day apart, each step once."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core.management import call_command

from town311.notifications.models import Message
from town311.servicerequests import services
from town311.staff.escalation import _send, escalations_due, escalations_send
from town311.staff.models import Escalation
from town311.test import CENTRE, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")

Step = Escalation.Step


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


class EscalationBase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for person in (self.roads_clerk, self.roads_lead, self.coordinator):
            person.email = f"{person.username}@testville.example"
            person.save()

        # Roads acknowledges within 2 working days: due Wednesday 20 May 10:00.
        self.request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            address="12 Elm Street",
            at=local(2026, 5, 18, 10, 0),
        )

    def assign(self) -> None:
        services.request_assign(
            self.request,
            by=self.roads_lead,
            assignee=self.roads_clerk,
            at=local(2026, 5, 18, 11, 0),
        )

    def run_at(self, *moment) -> list[str]:
        """Run the reminders at a local time; the addresses e-mailed."""
        before = set(Message.objects.values_list("pk", flat=True))
        with time_machine.travel(local(*moment), tick=False):
            escalations_send()

        new = Message.objects.exclude(pk__in=before).order_by("pk")
        return list(new.values_list("to", flat=True))


class EscalationTestCase(EscalationBase):
    def test_it_reminds_the_assignee_then_the_lead_then_the_coordinator(
        self,
    ) -> None:
        self.assign()

        self.assertEqual(self.run_at(2026, 5, 20, 9, 59), [])
        self.assertEqual(self.run_at(2026, 5, 20, 10, 0), [self.roads_clerk.email])
        self.assertEqual(self.run_at(2026, 5, 21, 9, 59), [])
        self.assertEqual(self.run_at(2026, 5, 21, 10, 0), [self.roads_lead.email])
        self.assertEqual(self.run_at(2026, 5, 22, 10, 0), [self.coordinator.email])
        self.assertEqual(self.run_at(2026, 6, 30, 10, 0), [])

        steps = self.request.escalations.order_by("created_at")
        self.assertEqual(
            list(steps.values_list("step", "sent_to")),
            [
                (Step.ASSIGNEE, self.roads_clerk.pk),
                (Step.LEAD, self.roads_lead.pk),
                (Step.COORDINATOR, self.coordinator.pk),
            ],
        )

    def test_it_sends_nothing_new_when_run_twice(self) -> None:
        self.assign()

        self.assertEqual(len(self.run_at(2026, 5, 20, 10, 0)), 1)
        self.assertEqual(self.run_at(2026, 5, 20, 10, 0), [])
        self.assertEqual(self.run_at(2026, 5, 20, 16, 0), [])
        self.assertEqual(Escalation.objects.count(), 1)

    def test_it_starts_with_the_lead_when_nobody_is_assigned(self) -> None:
        self.assertEqual(self.run_at(2026, 5, 20, 10, 0), [self.roads_lead.email])
        self.assertEqual(self.run_at(2026, 5, 21, 10, 0), [self.coordinator.email])

    def test_it_passes_over_a_department_without_a_lead(self) -> None:
        self.roads_lead.role = self.roads_lead.Role.STAFF
        self.roads_lead.save()

        self.assertEqual(self.run_at(2026, 5, 20, 10, 0), [self.coordinator.email])

    def test_it_waits_a_working_day_over_the_weekend(self) -> None:
        # Submitted Wednesday 10:00, due Friday 10:00; Monday is the next
        # working day.
        self.request.acknowledge_due_at = local(2026, 5, 22, 10, 0)
        self.request.save()

        self.assertEqual(self.run_at(2026, 5, 22, 10, 0), [self.roads_lead.email])
        self.assertEqual(self.run_at(2026, 5, 25, 9, 0), [])
        self.assertEqual(self.run_at(2026, 5, 25, 10, 0), [self.coordinator.email])

    def test_it_does_not_escalate_an_acknowledged_request(self) -> None:
        self.assign()
        services.request_acknowledge(
            self.request, by=self.roads_clerk, at=local(2026, 5, 19, 9, 0)
        )

        self.assertEqual(self.run_at(2026, 5, 20, 10, 0), [])
        self.assertEqual(self.run_at(2026, 5, 29, 10, 0), [])

    def test_it_stops_when_the_request_is_acknowledged_after_a_reminder(
        self,
    ) -> None:
        self.assign()
        self.run_at(2026, 5, 20, 10, 0)
        services.request_reply(
            self.request,
            by=self.roads_clerk,
            text="We have it on tomorrow's list.",
            at=local(2026, 5, 20, 11, 0),
        )

        self.assertEqual(self.run_at(2026, 5, 21, 10, 0), [])
        self.assertEqual(self.run_at(2026, 5, 22, 10, 0), [])

    def test_it_sends_nothing_for_a_step_another_run_sent_first(self) -> None:
        with time_machine.travel(local(2026, 5, 20, 10, 0), tick=False):
            [reminder] = escalations_due()
            Escalation.objects.create(request=self.request, step=reminder.step)

            self.assertFalse(_send(reminder, local(2026, 5, 20, 10, 0)))

        self.assertFalse(Message.objects.filter(kind="escalation").exists())

    def test_it_lists_the_request_and_links_to_its_staff_page(self) -> None:
        self.assign()
        self.run_at(2026, 5, 20, 10, 0)

        message = Message.objects.get(kind="escalation")
        self.assertEqual(
            message.subject,
            f"Reminder: request {self.request.number} (Pothole) is waiting for "
            "an acknowledgment",
        )
        self.assertIn("Hello Rosa,", message.body_text)
        self.assertIn(f"Request {self.request.number}: Pothole", message.body_text)
        self.assertIn("12 Elm Street", message.body_text)
        self.assertIn("Reported 2\xa0days ago", message.body_text)
        self.assertIn("Wednesday 20 May, 10:00 AM", message.body_text)
        link = f"{settings.SITE_URL}/staff/requests/{self.request.pk}/"
        self.assertIn(f"Open it: {link}", message.body_text)
        self.assertIn(f'href="{link}"', message.body_html)
        self.assertEqual(message.request, self.request)


class SendEscalationsCommandTestCase(EscalationBase):
    def call(self, *args) -> str:
        stdout = StringIO()
        with time_machine.travel(local(2026, 5, 20, 10, 0), tick=False):
            call_command("send_escalations", *args, stdout=stdout)

        return stdout.getvalue()

    def test_it_prints_a_one_line_summary(self) -> None:
        self.assign()

        output = self.call()

        self.assertEqual(
            output,
            "Sent 1 escalation reminder(s) in 1 e-mail(s): 1 to assignees.\n",
        )

    def test_it_sends_nothing_on_a_dry_run(self) -> None:
        output = self.call("--dry-run")

        self.assertEqual(
            output,
            "Would send 1 escalation reminder(s) in 1 e-mail(s): 1 to leads.\n",
        )
        self.assertFalse(Escalation.objects.exists())
        self.assertFalse(Message.objects.filter(kind="escalation").exists())

    def test_it_says_when_there_is_nothing_to_send(self) -> None:
        self.request.acknowledge_due_at = local(2026, 5, 21, 10, 0)
        self.request.save()

        self.assertEqual(
            self.call(),
            "Sent no escalation reminders: no request is overdue for its next step.\n",
        )
