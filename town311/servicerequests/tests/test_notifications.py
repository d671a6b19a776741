from unittest import mock

from django.core import mail
from django.db import transaction

from town311.directory.models import Agency
from town311.lib.errors import InvalidTransition
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import (
    Follower,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.tests.base import HOUR, LifecycleTestCase
from town311.servicerequests.tokens import token_read
from town311.test import CENTRE, RESIDENT_EMAIL

NEIGHBOUR = "neighbour@example.org"


class NotificationTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.make_request(
            address="12 Mill Road",
            reporter_name="Ann Reporter",
            reporter_phone="555-0199",
        )
        Follower.objects.create(
            request=self.request, email=RESIDENT_EMAIL, is_reporter=True
        )
        Follower.objects.create(request=self.request, email=NEIGHBOUR)

    def messages(self, to: str | None = None) -> list[Message]:
        messages = Message.objects.order_by("pk")
        if to:
            messages = messages.filter(to=to)

        return list(messages)

    def only(self, to: str) -> Message:
        messages = self.messages(to)
        self.assertEqual(len(messages), 1, [m.subject for m in messages])
        return messages[0]

    def assertInBoth(self, text: str, message: Message) -> None:
        self.assertIn(text, message.body_text)
        self.assertIn(text, message.body_html)

    def assertNotInBoth(self, text: str, message: Message) -> None:
        self.assertNotIn(text, message.subject)
        self.assertNotIn(text, message.body_text)
        self.assertNotIn(text, message.body_html)


class SubmitNotificationTests(NotificationTestCase):
    def submit(self, **fields) -> ServiceRequest:
        values = {
            "service": self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "description": "Deep hole",
            "address": "4 Elm Street",
            "reporter_email": "Reporter@Example.org",
        }
        values.update(fields)
        return services.request_submit(**values)

    def test_it_confirms_to_the_reporter(self):
        request = self.submit()

        message = self.only("reporter@example.org")
        self.assertEqual(message.kind, "confirmation")
        self.assertEqual(message.request, request)
        self.assertEqual(message.subject, f"Request {request.pk} received: Pothole")
        self.assertInBoth("Its number is", message)
        self.assertInBoth("It went straight to Roads", message)
        self.assertInBoth("within 2 days", message)
        self.assertInBoth(f"http://127.0.0.1:8000/requests/{request.pk}/", message)
        self.assertInBoth("4 Elm Street", message)

    def test_it_sends_nothing_without_an_address(self):
        self.submit(reporter_email="")

        self.assertEqual(self.messages(), [])

    def test_a_repeated_submission_confirms_once(self):
        self.submit(idempotency_key="tap-1")
        self.submit(idempotency_key="tap-1")

        self.assertEqual(len(self.messages("reporter@example.org")), 1)

    def test_a_private_request_has_no_public_link(self):
        request = self.submit(
            service=self.work_order, by=self.roads_clerk, channel="phone"
        )

        message = self.only("reporter@example.org")
        self.assertInBoth("not published on the website", message)
        self.assertNotInBoth(f"/requests/{request.pk}/", message)

    def test_it_is_sent_after_the_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.submit()
            self.assertEqual(len(mail.outbox), 0)

        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["reporter@example.org"])


class HistoryReplayTests(NotificationTestCase):
    def test_replayed_actions_tell_nobody(self):
        with services.history_replay():
            submitted = services.request_submit(
                service=self.pothole,
                lat=CENTRE[0],
                long=CENTRE[1],
                reporter_email="old@example.org",
            )
            services.request_acknowledge(self.request, by=self.roads_clerk)
            services.request_close(
                submitted, by=self.roads_clerk, resolution=Resolution.FIXED
            )

        self.assertEqual(self.messages(), [])

        # Outside the replay the same actions are news again.
        services.request_reply(self.request, by=self.roads_clerk, text="On it")
        self.assertEqual(len(self.messages()), 2)


class TransactionTests(NotificationTestCase):
    def test_a_rolled_back_action_leaves_no_message(self):
        with self.assertRaises(RuntimeError):
            with transaction.atomic():
                services.request_acknowledge(self.request, by=self.roads_clerk)
                raise RuntimeError("the caller failed after the action")

        self.assertEqual(self.messages(), [])
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

    def test_a_failure_to_queue_undoes_the_action(self):
        with mock.patch(
            "town311.notifications.followers.email_queue",
            side_effect=RuntimeError("template missing"),
        ):
            with self.assertRaises(RuntimeError):
                services.request_acknowledge(self.request, by=self.roads_clerk)

        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)
        self.assertFalse(self.request.events.exists())

    def test_a_refused_action_queues_nothing(self):
        services.request_acknowledge(self.request, by=self.roads_clerk)
        Message.objects.all().delete()

        with self.assertRaises(InvalidTransition):
            services.request_acknowledge(self.request, by=self.roads_clerk)

        self.assertEqual(self.messages(), [])


class EventNotificationTests(NotificationTestCase):
    def test_acknowledging_tells_every_follower(self):
        services.request_acknowledge(
            self.request, by=self.roads_clerk, message="We will look this week."
        )

        for to in (RESIDENT_EMAIL, NEIGHBOUR):
            message = self.only(to)
            self.assertEqual(message.kind, "acknowledged")
            self.assertEqual(
                message.subject, f"Request {self.request.pk} acknowledged: Pothole"
            )
            self.assertInBoth("Roads has request", message)
            self.assertInBoth("We will look this week.", message)

    def test_a_reply_carries_the_staff_words(self):
        services.request_reply(
            self.request, by=self.roads_clerk, text="Crew booked for Tuesday & Wed."
        )

        message = self.only(NEIGHBOUR)
        self.assertEqual(message.kind, "reply")
        self.assertIn("Crew booked for Tuesday & Wed.", message.body_text)
        self.assertIn("Crew booked for Tuesday &amp; Wed.", message.body_html)

    def test_a_question_goes_to_the_reporter_with_an_answer_link(self):
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which side of the road?"
        )

        self.assertEqual(self.messages(NEIGHBOUR), [])
        message = self.only(RESIDENT_EMAIL)
        self.assertEqual(message.kind, "question")
        self.assertInBoth("Which side of the road?", message)
        prefix = f"http://127.0.0.1:8000/requests/{self.request.pk}/answer/"
        token = message.body_text.split(prefix)[1].split("/")[0]
        self.assertEqual(
            token_read("answer", token, max_age=None),
            (self.request.pk, RESIDENT_EMAIL),
        )

    def test_starting_work_is_news_only_as_the_acknowledgment_or_with_words(self):
        services.request_start_work(self.request, by=self.roads_clerk)
        self.assertEqual([m.kind for m in self.messages(RESIDENT_EMAIL)], ["started"])

        self.clock.shift(HOUR)
        services.request_reassign(
            self.request, by=self.roads_clerk, department=self.parks
        )
        Message.objects.all().delete()
        self.clock.shift(HOUR)
        services.request_start_work(self.request, by=self.parks_clerk)
        self.assertEqual(self.messages(), [])

    def test_reassigning_says_where_it_went_and_why(self):
        services.request_reassign(
            self.request,
            by=self.roads_clerk,
            department=self.parks,
            reason="It is inside the park.",
        )

        message = self.only(NEIGHBOUR)
        self.assertEqual(message.kind, "reassigned")
        self.assertEqual(
            message.subject, f"Request {self.request.pk} is now with Parks"
        )
        self.assertInBoth("Roads passed request", message)
        self.assertInBoth("It is inside the park.", message)

    def test_closing_gives_the_outcome_and_the_reporter_a_rating_link(self):
        services.request_close(
            self.request,
            by=self.roads_clerk,
            resolution=Resolution.FIXED,
            message="Filled this morning.",
        )

        reporter = self.only(RESIDENT_EMAIL)
        self.assertEqual(reporter.kind, "closed")
        self.assertInBoth("The problem has been fixed.", reporter)
        self.assertInBoth("Filled this morning.", reporter)
        prefix = f"http://127.0.0.1:8000/requests/{self.request.pk}/rate/"
        token = reporter.body_text.split(prefix)[1].split("/")[0]
        self.assertEqual(
            token_read("rating", token, max_age=None),
            (self.request.pk, RESIDENT_EMAIL),
        )

        # Only the reporter rates: followers get the outcome alone.
        neighbour = self.only(NEIGHBOUR)
        self.assertInBoth("The problem has been fixed.", neighbour)
        self.assertNotInBoth("/rate/", neighbour)

    def test_referring_names_the_agency_to_contact(self):
        agency = Agency.objects.create(
            name="County Highways", phone="555-0100", website="https://county.example"
        )

        services.request_refer(self.request, by=self.roads_clerk, agency=agency)

        message = self.only(RESIDENT_EMAIL)
        self.assertEqual(message.kind, "closed")
        self.assertInBoth("so it was passed to County Highways", message)
        self.assertInBoth("555-0100", message)
        self.assertInBoth("/rate/", message)

    def test_merging_points_followers_to_the_original(self):
        original = self.make_request(Status.ACKNOWLEDGED)

        services.request_merge(self.request, by=self.roads_clerk, original=original)

        message = self.only(NEIGHBOUR)
        self.assertEqual(message.kind, "merged")
        self.assertEqual(
            message.subject,
            f"Request {self.request.pk} merged into request {original.pk}",
        )
        self.assertInBoth(f"http://127.0.0.1:8000/requests/{original.pk}/", message)
        # The outcome is decided on the original, so there is nothing to
        # rate here.
        self.assertNotInBoth("/rate/", self.only(RESIDENT_EMAIL))

        # The unsubscribe link ends the follow where it now is.
        token = message.headers["List-Unsubscribe"].split("/unsubscribe/")[1][:-2]
        self.assertEqual(
            token_read("unsubscribe", token, max_age=None), (original.pk, NEIGHBOUR)
        )

    def test_reopening_by_staff_and_by_the_resident(self):
        services.request_close(
            self.request, by=self.roads_clerk, resolution=Resolution.FIXED
        )
        self.clock.shift(HOUR)
        services.request_reopen(
            self.request, by=self.roads_clerk, reason="The patch sank."
        )
        self.clock.shift(HOUR)
        services.request_close(
            self.request, by=self.roads_clerk, resolution=Resolution.FIXED
        )
        self.clock.shift(HOUR)
        services.request_reopen(
            self.request, by=None, reason="Comment from jane@example.org"
        )

        staff, resident = Message.objects.filter(
            to=NEIGHBOUR, kind="reopened"
        ).order_by("pk")
        self.assertInBoth("Roads reopened request", staff)
        self.assertInBoth("The patch sank.", staff)
        self.assertInBoth("says the problem is not fixed", resident)
        self.assertNotInBoth("jane@example.org", resident)

    def test_notes_assignments_and_answers_send_nothing(self):
        services.request_add_note(self.request, by=self.roads_clerk, text="Secret")
        services.request_assign(
            self.request, by=self.roads_clerk, assignee=self.roads_lead
        )
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which side?"
        )
        Message.objects.all().delete()

        services.request_record_answer(self.request, text="North side")

        self.assertEqual(self.messages(), [])


class PrivacyTests(NotificationTestCase):
    def assertPrivate(self, message: Message) -> None:
        for private in ("Ann Reporter", "555-0199", "Rosa", "roads-clerk"):
            self.assertNotInBoth(private, message)

        others = {RESIDENT_EMAIL, NEIGHBOUR} - {message.to}
        for email in others:
            self.assertNotInBoth(email, message)
            self.assertNotIn(email, str(message.headers))

    def test_follower_e_mails_hold_nothing_private(self):
        services.request_add_note(
            self.request, by=self.roads_clerk, text="Internal: caller was rude"
        )
        services.request_reply(self.request, by=self.roads_clerk, text="On our list.")
        services.request_close(
            self.request, by=self.roads_clerk, resolution=Resolution.FIXED
        )

        messages = self.messages()
        self.assertEqual(len(messages), 4)
        for message in messages:
            self.assertPrivate(message)
            self.assertNotInBoth("caller was rude", message)

    def test_a_private_request_e_mails_only_its_reporter(self):
        ServiceRequest.objects.filter(pk=self.request.pk).update(is_public=False)

        services.request_reply(self.request, by=self.roads_clerk, text="Noted.")

        self.assertEqual([m.to for m in self.messages()], [RESIDENT_EMAIL])
        self.assertNotInBoth(f"/requests/{self.request.pk}/", self.messages()[0])

    def test_a_staff_only_service_e_mails_only_its_reporter(self):
        ServiceRequest.objects.filter(pk=self.request.pk).update(
            service=self.work_order
        )

        services.request_reply(self.request, by=self.roads_clerk, text="Noted.")

        self.assertEqual([m.to for m in self.messages()], [RESIDENT_EMAIL])


class HeaderTests(NotificationTestCase):
    def test_every_follower_e_mail_has_one_click_unsubscribe(self):
        services.request_reply(self.request, by=self.roads_clerk, text="Soon.")

        for message in self.messages():
            link = message.headers["List-Unsubscribe"]
            self.assertRegex(
                link, r"^<http://127\.0\.0\.1:8000/email/unsubscribe/[^>]+/>$"
            )
            self.assertEqual(
                message.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
            )
            self.assertIn(link[1:-1], message.body_text)
            self.assertIn(link[1:-1], message.body_html)

    def test_the_headers_reach_the_mail_server(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.request_reply(self.request, by=self.roads_clerk, text="Soon.")

        sent = {email.to[0]: email for email in mail.outbox}
        stored = Message.objects.get(to=NEIGHBOUR)
        email = sent[NEIGHBOUR].message()
        self.assertEqual(email["List-Unsubscribe"], stored.headers["List-Unsubscribe"])
        self.assertEqual(email["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertEqual(sent[NEIGHBOUR].alternatives[0][1], "text/html")
