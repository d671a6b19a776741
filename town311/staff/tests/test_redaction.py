"""Redaction: the original is kept, the public page shows the marker, and
only leads, coordinators and administrators read the original."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from town311.lib.errors import InvalidTransition, NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import Event, Photo, Redaction
from town311.staff.redaction import REDACTED, request_redact
from town311.staff.tests.test_request import RequestPageTestCase

SECRET = "call me at 555-0123-9876"

# The smallest valid GIF, so the photo needs no image library at hand.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04"
    b"\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class RedactionTests(RequestPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit(description=f"Hole on my street, {SECRET}")

    def public_page(self):
        return self.client.get(reverse("front:request", args=[self.request.pk]))

    def test_redacting_the_description_keeps_the_original(self):
        response = self.act(
            "redact", {"target": "description", "reason": "Phone number"}
        )

        self.assertRedirects(response, self.page_url(), fetch_redirect_response=False)
        self.request.refresh_from_db()
        self.assertEqual(self.request.description, REDACTED)
        redaction = Redaction.objects.get()
        self.assertEqual(redaction.original_text, f"Hole on my street, {SECRET}")
        self.assertEqual(redaction.redacted_by, self.roads_clerk)
        self.assertEqual(redaction.reason, "Phone number")

    def test_the_timeline_says_who_redacted_what_but_not_the_original(self):
        self.act("redact", {"target": "description", "reason": "Phone number"})

        note = self.request.events.get(kind=Event.Kind.NOTE)
        self.assertFalse(note.is_public)
        self.assertEqual(note.actor, self.roads_clerk)
        self.assertIn("Redacted the description", note.text)
        self.assertNotIn(SECRET, note.text)

    def test_the_public_page_shows_the_marker(self):
        self.act("redact", {"target": "description", "reason": "Phone number"})
        self.client.logout()

        response = self.public_page()

        self.assertContains(response, REDACTED)
        self.assertNotContains(response, SECRET)

    def test_only_leads_and_coordinators_see_the_original(self):
        self.act("redact", {"target": "description", "reason": "Phone number"})

        for person, sees in (
            (self.roads_clerk, False),
            (self.roads_lead, True),
            (self.coordinator, True),
            (self.admin, True),
        ):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                response = self.client.get(self.page_url())
                self.assertContains(response, "Redacted by Rosa")
                if sees:
                    self.assertContains(response, "Show original")
                    self.assertContains(response, SECRET)
                else:
                    self.assertNotContains(response, "Show original")
                    self.assertNotContains(response, SECRET)

    def test_redacting_an_event_overwrites_its_text_only(self):
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which side?"
        )
        services.request_record_answer(self.request, text=f"North, {SECRET}")
        answer = self.request.events.get(kind=Event.Kind.INFORMATION_PROVIDED)

        self.act("redact", {"target": "event", "event": answer.pk, "reason": "Phone"})

        answer.refresh_from_db()
        self.assertEqual(answer.text, REDACTED)
        self.assertEqual(answer.kind, Event.Kind.INFORMATION_PROVIDED)
        self.assertEqual(Redaction.objects.get().original_text, f"North, {SECRET}")
        self.assertNotContains(self.client.get(self.page_url()), "North, ")

    def test_a_redacted_reply_shows_the_marker_on_the_public_page(self):
        services.request_reply(
            self.request, by=self.roads_clerk, text=f"We called you: {SECRET}"
        )
        reply = self.request.events.get(kind=Event.Kind.REPLY)

        self.act("redact", {"target": "event", "event": reply.pk, "reason": "Oops"})
        self.client.logout()

        response = self.public_page()
        self.assertContains(response, REDACTED)
        self.assertNotContains(response, "We called you")

    def test_hiding_a_photo(self):
        photo = Photo.objects.create(
            request=self.request,
            image=SimpleUploadedFile("face.gif", GIF, content_type="image/gif"),
        )

        self.act("redact", {"target": "photo", "photo": photo.pk, "reason": "A face"})

        photo.refresh_from_db()
        self.assertTrue(photo.is_hidden)
        self.assertEqual(Redaction.objects.get().photo, photo)
        self.client.logout()
        self.assertNotContains(self.public_page(), photo.image.url)
        self.client.force_login(self.roads_clerk)
        clerk_page = self.client.get(self.page_url())
        self.assertNotContains(clerk_page, photo.image.url)
        self.assertContains(clerk_page, "Hidden from the public")
        self.client.force_login(self.roads_lead)
        self.assertContains(self.client.get(self.page_url()), photo.image.url)

    def test_an_event_of_another_request_cannot_be_redacted(self):
        other = self.submit(description="Other")
        event = other.events.first()

        response = self.act(
            "redact", {"target": "event", "event": event.pk, "reason": "x"}
        )

        self.assertContains(response, "not on this request", status_code=400)
        self.assertFalse(Redaction.objects.exists())

    def test_a_reason_is_required(self):
        response = self.act("redact", {"target": "description", "reason": ""})

        self.assertContains(response, "Say why you are redacting it.", status_code=400)
        self.request.refresh_from_db()
        self.assertNotEqual(self.request.description, REDACTED)

    def test_redacting_twice_is_refused(self):
        request_redact(
            self.request, by=self.roads_clerk, target="description", reason="x"
        )

        with self.assertRaises(InvalidTransition):
            request_redact(
                self.request, by=self.roads_clerk, target="description", reason="y"
            )
        self.assertEqual(Redaction.objects.count(), 1)

    def test_a_stale_page_cannot_redact(self):
        self.request.refresh_from_db()
        seen = self.request.version
        services.request_acknowledge(self.request, by=self.roads_lead)

        response = self.client.post(
            reverse("staff:redact", args=[self.request.pk]),
            {"version": seen, "target": "description", "reason": "x"},
        )

        self.assertContains(response, "Someone else changed", status_code=409)
        self.assertFalse(Redaction.objects.exists())

    def test_another_department_cannot_redact(self):
        with self.assertRaises(NotAllowed):
            request_redact(
                self.request, by=self.parks_clerk, target="description", reason="x"
            )
        self.client.force_login(self.parks_clerk)

        response = self.act("redact", {"target": "description", "reason": "x"})

        self.assertEqual(response.status_code, 403)
        self.assertFalse(Redaction.objects.exists())
