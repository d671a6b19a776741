"""Attachments in the outbox: ordinary files, and inline images that the
HTML body shows by Content-ID."""

from email import message_from_bytes, policy

from django.core import mail

from town311.notifications.emails import email_queue
from town311.notifications.models import MessageAttachment
from town311.notifications.services import Attachment, message_queue, messages_send_due
from town311.test import RESIDENT_EMAIL, BaseTestCase

PNG = b"\x89PNG\r\n\x1a\n not really a picture"


class AttachmentsTestCase(BaseTestCase):
    def sent(self):
        messages_send_due()
        [email] = mail.outbox
        return message_from_bytes(email.message().as_bytes(), policy=policy.default)

    def test_it_sends_inline_images_beside_the_html_in_a_multipart_related(self):
        message = message_queue(
            to=RESIDENT_EMAIL,
            subject="A chart",
            body_text="The chart, in words.",
            body_html='<p><img src="cid:chart@town311" alt="A chart"></p>',
            attachments=[Attachment("chart.png", "image/png", PNG, "chart@town311")],
        )

        [stored] = message.attachments.all()
        self.assertEqual(
            (stored.filename, stored.content_type, bytes(stored.content)),
            ("chart.png", "image/png", PNG),
        )
        parsed = self.sent()
        self.assertEqual(parsed.get_content_type(), "multipart/related")
        parts = list(parsed.walk())
        [html] = [p for p in parts if p.get_content_type() == "text/html"]
        [text] = [p for p in parts if p.get_content_type() == "text/plain"]
        [image] = [p for p in parts if p.get_content_type() == "image/png"]
        self.assertIn('src="cid:chart@town311"', html.get_content())
        self.assertEqual(text.get_content().strip(), "The chart, in words.")
        self.assertEqual(image["Content-ID"], "<chart@town311>")
        self.assertEqual(image.get_content_disposition(), "inline")
        self.assertEqual(image.get_filename(), "chart.png")
        self.assertEqual(image.get_content(), PNG)

    def test_an_ordinary_attachment_stays_an_attachment(self):
        message_queue(
            to=RESIDENT_EMAIL,
            subject="The figures",
            body_text="Attached.",
            attachments=[Attachment("figures.csv", "text/csv", b"a,b\n1,2\n")],
        )

        parsed = self.sent()
        self.assertEqual(parsed.get_content_type(), "multipart/mixed")
        [attachment] = list(parsed.iter_attachments())
        self.assertEqual(attachment.get_filename(), "figures.csv")
        self.assertEqual(attachment.get_content_disposition(), "attachment")
        self.assertIn("1,2", attachment.get_content())

    def test_email_queue_passes_attachments_through(self):
        message = email_queue(
            "sign-in",
            to=RESIDENT_EMAIL,
            context={"sign_in_url": "https://town.example/sign-in/"},
            attachments=[Attachment("chart.png", "image/png", PNG, "chart@town311")],
        )

        self.assertEqual(
            list(message.attachments.values_list("content_id", flat=True)),
            ["chart@town311"],
        )

    def test_a_message_without_attachments_is_unchanged(self):
        message_queue(to=RESIDENT_EMAIL, subject="Plain", body_text="Just text.")

        parsed = self.sent()
        self.assertEqual(parsed.get_content_type(), "text/plain")
        self.assertFalse(MessageAttachment.objects.exists())
