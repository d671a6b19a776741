import smtplib
from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus

from town311.notifications.models import Message
from town311.notifications.services import (
    message_queue,
    message_send,
    messages_send_due,
    retry_delay,
)
from town311.notifications.tasks import deliver_due_messages, deliver_message
from town311.test import RESIDENT_EMAIL, BaseTestCase

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SERVICES_LOGGER = "town311.notifications.services"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RejectingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient, quoting the address."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({RESIDENT_EMAIL: (550, b"No such user")})


REFUSING = "town311.notifications.tests.test_outbox.RefusingBackend"
REJECTING = "town311.notifications.tests.test_outbox.RejectingBackend"
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@time_machine.travel(NOW, tick=False)
class OutboxTestCase(BaseTestCase):
    def queue(self, **kwargs) -> Message:
        kwargs.setdefault("to", RESIDENT_EMAIL)
        kwargs.setdefault("subject", "Request 1: Pothole acknowledged")
        kwargs.setdefault("body_text", "Roads has your request.")
        with self.captureOnCommitCallbacks(execute=True):
            message = message_queue(**kwargs)

        message.refresh_from_db()
        return message

    def send_outbox(self) -> str:
        stdout = StringIO()
        call_command("send_outbox", stdout=stdout)
        return stdout.getvalue().strip()

    def test_it_sends_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            message = message_queue(
                to=RESIDENT_EMAIL,
                subject="Request 1: Pothole acknowledged",
                body_text="Roads has your request.",
                body_html="<p>Roads has your request.</p>",
                kind="acknowledged",
            )
            # Nothing leaves before the change it reports is committed.
            stored = Message.objects.get()
            self.assertEqual(stored.status, Message.Status.PENDING)
            self.assertEqual(len(mail.outbox), 0)

        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.subject, "Request 1: Pothole acknowledged")
        self.assertEqual(email.to, [RESIDENT_EMAIL])
        self.assertEqual(email.from_email, "town311@localhost")
        self.assertEqual(email.body, "Roads has your request.")
        self.assertEqual(
            email.alternatives, [("<p>Roads has your request.</p>", "text/html")]
        )

        message.refresh_from_db()
        self.assertEqual(message.status, Message.Status.SENT)
        self.assertEqual(message.sent_at, NOW)
        self.assertEqual(message.attempts, 1)
        self.assertEqual(message.kind, "acknowledged")

    def test_it_sends_plain_text_alone_without_html(self):
        self.queue()
        self.assertEqual(mail.outbox[0].alternatives, [])

    def test_it_forgets_a_message_whose_transaction_rolls_back(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            with self.assertRaises(RuntimeError), transaction.atomic():
                message_queue(to=RESIDENT_EMAIL, subject="Oops", body_text="Oops")
                raise RuntimeError("the change failed")

        self.assertEqual(callbacks, [])
        self.assertFalse(Message.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(EMAIL_BACKEND=REFUSING)
    def test_it_keeps_a_message_when_the_mail_server_is_down(self):
        with self.assertLogs(SERVICES_LOGGER, "WARNING") as logs:
            message = self.queue()

        self.assertEqual(message.status, Message.Status.PENDING)
        self.assertEqual(message.attempts, 1)
        self.assertEqual(
            message.last_error, "ConnectionRefusedError: [Errno 111] Connection refused"
        )
        self.assertEqual(message.next_attempt_at, NOW + timedelta(minutes=1))
        self.assertIsNone(message.sent_at)
        self.assertIn("failed (attempt 1)", logs.output[0])

    @override_settings(EMAIL_BACKEND=REFUSING)
    def test_it_backs_off_exponentially(self):
        delays = []
        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            message = self.queue()
            for _ in range(4):
                previous = message.next_attempt_at
                with time_machine.travel(previous, tick=False):
                    self.assertFalse(message_send(message.pk))
                message.refresh_from_db()
                delays.append(message.next_attempt_at - previous)

        self.assertEqual(delays, [timedelta(minutes=m) for m in (2, 4, 8, 16)])
        self.assertEqual(message.attempts, 5)
        # The wait stops growing at six hours.
        self.assertEqual(retry_delay(20), timedelta(hours=6))

    def test_it_sends_once_the_mail_server_recovers(self):
        with override_settings(EMAIL_BACKEND=REFUSING):
            message = self.queue()

        # Before the retry time the sweep does nothing.
        self.assertEqual(
            self.send_outbox(),
            "Sent 0 message(s); 0 failed and will be retried, 0 given up.",
        )
        self.assertEqual(mail.outbox, [])

        with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
            self.assertEqual(
                self.send_outbox(),
                "Sent 1 message(s); 0 failed and will be retried, 0 given up.",
            )
            self.assertEqual(
                self.send_outbox(),
                "Sent 0 message(s); 0 failed and will be retried, 0 given up.",
            )

        self.assertEqual(len(mail.outbox), 1)
        message.refresh_from_db()
        self.assertEqual(message.status, Message.Status.SENT)
        self.assertEqual(message.attempts, 2)
        self.assertEqual(message.last_error, "")

    @override_settings(EMAIL_BACKEND=REFUSING)
    def test_it_reports_retries_in_the_command_summary(self):
        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            self.queue()
            with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
                self.assertEqual(
                    self.send_outbox(),
                    "Sent 0 message(s); 1 failed and will be retried, 0 given up.",
                )

    @override_settings(EMAIL_BACKEND=REFUSING, OUTBOX_MAX_ATTEMPTS=3)
    def test_it_gives_up_after_the_last_attempt(self):
        with self.assertLogs(SERVICES_LOGGER, "WARNING") as logs:
            message = self.queue()
            with time_machine.travel(NOW + timedelta(hours=1), tick=False):
                self.assertEqual(messages_send_due(), (0, 1, 0))
            with time_machine.travel(NOW + timedelta(hours=2), tick=False):
                self.assertEqual(messages_send_due(), (0, 0, 1))

        message.refresh_from_db()
        self.assertEqual(message.status, Message.Status.FAILED)
        self.assertEqual(message.attempts, 3)
        self.assertEqual(logs.records[-1].levelname, "ERROR")
        self.assertIn(
            f"Gave up on outbox message {message.pk} after 3 attempts",
            logs.output[-1],
        )

        # A message given up is not tried again.
        with time_machine.travel(NOW + timedelta(days=2), tick=False):
            self.assertEqual(messages_send_due(), (0, 0, 0))
        message.refresh_from_db()
        self.assertEqual(message.attempts, 3)

    @override_settings(EMAIL_BACKEND=REJECTING)
    def test_it_keeps_the_address_out_of_the_log(self):
        with self.assertLogs(SERVICES_LOGGER, "WARNING") as logs:
            message = self.queue()

        self.assertIn(RESIDENT_EMAIL, message.last_error)
        self.assertIn("SMTPRecipientsRefused", logs.output[0])
        self.assertNotIn(RESIDENT_EMAIL, "\n".join(logs.output))

    def test_it_does_not_send_a_claimed_message_twice(self):
        # Another worker claimed it a moment ago and is talking to the server.
        message = Message.objects.create(
            to=RESIDENT_EMAIL,
            subject="Claimed",
            body_text="Claimed",
            attempts=1,
            next_attempt_at=NOW + timedelta(minutes=10),
        )

        self.assertFalse(message_send(message.pk))
        self.assertEqual(messages_send_due(), (0, 0, 0))
        self.assertEqual(mail.outbox, [])
        message.refresh_from_db()
        self.assertEqual(message.attempts, 1)

    def test_it_does_not_send_a_sent_message_again(self):
        message = self.queue()
        self.assertEqual(message.status, Message.Status.SENT)

        self.assertFalse(message_send(message.pk))
        self.assertEqual(len(mail.outbox), 1)

    def test_it_survives_a_message_django_cannot_send(self):
        # A newline in a header is refused before any server is contacted.
        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            broken = self.queue(subject="Pothole\nBcc: someone@example.org")
        Message.objects.create(to=RESIDENT_EMAIL, subject="Fine", body_text="Fine")

        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
                self.assertEqual(messages_send_due(), (1, 1, 0))

        self.assertEqual([e.subject for e in mail.outbox], ["Fine"])
        broken.refresh_from_db()
        self.assertEqual(broken.status, Message.Status.PENDING)
        self.assertEqual(broken.attempts, 2)
        self.assertTrue(broken.last_error.startswith("BadHeaderError"))

    @override_settings(EMAIL_BACKEND=REFUSING)
    def test_it_does_not_defer_a_retry_with_the_immediate_backend(self):
        message = Message.objects.create(to=RESIDENT_EMAIL, subject="S", body_text="B")

        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            result = deliver_message.enqueue(message.pk)

        self.assertEqual(result.status, TaskResultStatus.SUCCESSFUL)
        self.assertIs(result.return_value, False)
        message.refresh_from_db()
        self.assertEqual(message.status, Message.Status.PENDING)

    @override_settings(EMAIL_BACKEND=REFUSING, TASKS=DUMMY_TASKS)
    def test_it_defers_a_retry_when_the_backend_can(self):
        backend = deliver_message.get_backend()
        message = self.queue()
        # The dummy backend only records the delivery queued after commit.
        self.assertEqual(len(backend.results), 1)
        self.assertEqual(message.attempts, 0)

        with self.assertLogs(SERVICES_LOGGER, "WARNING"):
            self.assertFalse(deliver_message.call(message.pk))

        message.refresh_from_db()
        retry = backend.results[-1]
        self.assertEqual(len(backend.results), 2)
        self.assertEqual(retry.task.run_after, message.next_attempt_at)
        self.assertEqual(retry.task.run_after, NOW + timedelta(minutes=1))
        self.assertEqual(retry.args, [message.pk])

    def test_it_sweeps_due_messages_in_a_task(self):
        Message.objects.create(to=RESIDENT_EMAIL, subject="Left", body_text="B")

        result = deliver_due_messages.enqueue()
        self.assertEqual(result.return_value, 1)
        self.assertEqual([e.subject for e in mail.outbox], ["Left"])

    def test_it_sends_a_given_up_message_again_from_the_admin(self):
        message = Message.objects.create(
            to=RESIDENT_EMAIL,
            subject="After the outage",
            body_text="Sorry for the delay.",
            status=Message.Status.FAILED,
            attempts=8,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
        self.client.force_login(self.admin)

        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                "/admin/notifications/message/",
                {"action": "send_again", "_selected_action": [str(message.pk)]},
            )
        self.assertRedirects(r, "/admin/notifications/message/")

        message.refresh_from_db()
        self.assertEqual(message.status, Message.Status.SENT)
        self.assertEqual(message.attempts, 1)
        self.assertEqual([e.subject for e in mail.outbox], ["After the outage"])
