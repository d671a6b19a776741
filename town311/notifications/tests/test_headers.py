from django.core import mail

from town311.notifications.models import Message
from town311.notifications.services import message_queue
from town311.test import RESIDENT_EMAIL, BaseTestCase


class HeaderTests(BaseTestCase):
    def test_it_sends_the_stored_headers(self):
        with self.captureOnCommitCallbacks(execute=True):
            message_queue(
                to=RESIDENT_EMAIL,
                subject="Request 1 closed",
                body_text="Fixed.",
                headers={"List-Unsubscribe": "<https://town.example/email/x/>"},
            )

        self.assertEqual(
            Message.objects.get().headers,
            {"List-Unsubscribe": "<https://town.example/email/x/>"},
        )
        email = mail.outbox[0].message()
        self.assertEqual(email["List-Unsubscribe"], "<https://town.example/email/x/>")

    def test_a_message_without_headers_sends_none(self):
        with self.captureOnCommitCallbacks(execute=True):
            message_queue(to=RESIDENT_EMAIL, subject="Hello", body_text="Hi.")

        self.assertEqual(Message.objects.get().headers, {})
        self.assertIsNone(mail.outbox[0].message()["List-Unsubscribe"])
