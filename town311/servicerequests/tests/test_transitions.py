from datetime import timedelta

from town311.directory.models import Agency
from town311.lib.errors import ActionError, InvalidInput, InvalidTransition
from town311.servicerequests import services
from town311.servicerequests.models import Event, Resolution, Status
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase
from town311.test import CENTRE

OPEN = [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS]
PLAIN_RESOLUTIONS = [
    Resolution.FIXED,
    Resolution.NO_ACTION,
    Resolution.NOT_LOCATED,
    Resolution.NO_RESPONSE,
]


class SubmitTests(LifecycleTestCase):
    def test_it_starts_as_submitted(self):
        request = services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1]
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.SUBMITTED)
        self.assertEqual(request.resolution, "")
        self.assertIsNone(request.acknowledged_at)
        self.assertIsNone(request.closed_at)

        submitted, routed = request.events.all()
        self.assertEqual(submitted.kind, Event.Kind.SUBMITTED)
        self.assertEqual(submitted.from_status, "")
        self.assertEqual(submitted.to_status, Status.SUBMITTED)
        self.assertEqual(submitted.created_at, SUBMITTED_AT)
        self.assertEqual(routed.kind, Event.Kind.ROUTED)
        self.assertEqual(routed.to_department, self.roads)


class AcknowledgeTests(LifecycleTestCase):
    def test_it_acknowledges_a_submitted_request(self):
        request = self.make_request()
        self.clock.shift(HOUR)

        services.request_acknowledge(
            request, by=self.roads_clerk, message=" On our list. "
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertEqual(request.acknowledged_at, SUBMITTED_AT + HOUR)
        self.assertEqual(request.updated_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.ACKNOWLEDGED)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.text, "On our list.")
        self.assertEqual(event.from_status, Status.SUBMITTED)
        self.assertEqual(event.to_status, Status.ACKNOWLEDGED)
        self.assertEqual(event.created_at, SUBMITTED_AT + HOUR)
        self.assertTrue(event.is_public)

    def test_it_refuses_an_acknowledged_request(self):
        request = self.make_request(Status.ACKNOWLEDGED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_acknowledge,
            request,
            by=self.roads_clerk,
        )
        self.assertEqual(
            error.message,
            f"Request {request.number} is already acknowledged; "
            "there is nothing to acknowledge.",
        )

    def test_it_refuses_a_request_in_progress(self):
        request = self.make_request(Status.IN_PROGRESS)

        error = self.assertRefused(
            InvalidTransition,
            services.request_acknowledge,
            request,
            by=self.roads_clerk,
        )
        self.assertIn("already in progress", error.message)

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_acknowledge,
            request,
            by=self.roads_clerk,
        )
        self.assertIn("already closed", error.message)

    def test_it_refuses_a_moment_before_submission(self):
        request = self.make_request()

        self.assertRefused(
            ActionError,
            services.request_acknowledge,
            request,
            by=self.roads_clerk,
            at=SUBMITTED_AT - timedelta(seconds=1),
        )


class StartWorkTests(LifecycleTestCase):
    def test_it_starts_work_on_a_submitted_request(self):
        request = self.make_request()
        self.clock.shift(HOUR)

        services.request_start_work(request, by=self.roads_clerk, message="Crew out")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.IN_PROGRESS)
        self.assertEqual(request.acknowledged_at, SUBMITTED_AT + HOUR)
        self.assertEqual(request.updated_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.WORK_STARTED)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.text, "Crew out")
        self.assertEqual(event.from_status, Status.SUBMITTED)
        self.assertEqual(event.to_status, Status.IN_PROGRESS)

    def test_it_starts_work_on_an_acknowledged_request(self):
        request = self.make_request(Status.ACKNOWLEDGED)
        self.clock.shift(HOUR)

        services.request_start_work(request, by=self.roads_clerk)

        request.refresh_from_db()
        self.assertEqual(request.status, Status.IN_PROGRESS)
        self.assertEqual(request.updated_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.WORK_STARTED)
        self.assertEqual(event.from_status, Status.ACKNOWLEDGED)
        self.assertEqual(event.to_status, Status.IN_PROGRESS)

    def test_it_refuses_a_request_in_progress(self):
        request = self.make_request(Status.IN_PROGRESS)

        error = self.assertRefused(
            InvalidTransition,
            services.request_start_work,
            request,
            by=self.roads_clerk,
        )
        self.assertEqual(
            error.message, f"Request {request.number} is already in progress."
        )

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_start_work,
            request,
            by=self.roads_clerk,
        )
        self.assertEqual(
            error.message,
            f"Request {request.number} is closed; reopen it before you start "
            "work on it.",
        )


class ReplyTests(LifecycleTestCase):
    def test_it_acknowledges_a_submitted_request(self):
        request = self.make_request()
        self.clock.shift(HOUR)

        services.request_reply(request, by=self.roads_clerk, text=" Thanks! ")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertEqual(request.updated_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.REPLY)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.text, "Thanks!")
        self.assertEqual(event.from_status, Status.SUBMITTED)
        self.assertEqual(event.to_status, Status.ACKNOWLEDGED)
        self.assertTrue(event.is_public)

    def test_it_keeps_the_status_of_an_acknowledged_or_started_request(self):
        for status in [Status.ACKNOWLEDGED, Status.IN_PROGRESS]:
            with self.subTest(status=status):
                request = self.make_request(status)

                services.request_reply(request, by=self.roads_clerk, text="Soon")

                request.refresh_from_db()
                self.assertEqual(request.status, status)
                self.assertEqual(request.updated_at, SUBMITTED_AT)

                event = request.events.get()
                self.assertEqual(event.kind, Event.Kind.REPLY)
                self.assertEqual(event.from_status, "")
                self.assertEqual(event.to_status, "")

    def test_it_replies_on_a_closed_request_without_reopening_it(self):
        # Residents write back after a close; staff may answer them.
        request = self.make_request(Status.CLOSED)
        self.clock.shift(HOUR)

        services.request_reply(request, by=self.roads_clerk, text="It was fixed")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.CLOSED)
        self.assertEqual(request.closed_at, SUBMITTED_AT)
        self.assertEqual(request.events.get().kind, Event.Kind.REPLY)

    def test_it_refuses_an_empty_reply(self):
        request = self.make_request()

        error = self.assertRefused(
            InvalidInput,
            services.request_reply,
            request,
            by=self.roads_clerk,
            text="  \n ",
        )
        self.assertEqual(error.errors, {"text": "Write the reply before sending it."})


class NoteTests(LifecycleTestCase):
    def test_it_adds_a_private_note_in_each_open_status(self):
        for status in OPEN:
            with self.subTest(status=status):
                request = self.make_request(status)
                self.clock.shift(HOUR)

                services.request_add_note(
                    request, by=self.roads_clerk, text="Needs the big truck"
                )

                request.refresh_from_db()
                self.assertEqual(request.status, status)
                # Residents see no change, so their "last update" stays.
                self.assertEqual(request.updated_at, request.submitted_at)

                event = request.events.get()
                self.assertEqual(event.kind, Event.Kind.NOTE)
                self.assertEqual(event.actor, self.roads_clerk)
                self.assertEqual(event.text, "Needs the big truck")
                self.assertFalse(event.is_public)

    def test_it_refuses_an_empty_note(self):
        request = self.make_request()

        error = self.assertRefused(
            InvalidInput,
            services.request_add_note,
            request,
            by=self.roads_clerk,
            text="",
        )
        self.assertEqual(error.errors, {"text": "Write the note before saving it."})


class AskInformationTests(LifecycleTestCase):
    def test_it_asks_in_each_open_status(self):
        for status in OPEN:
            with self.subTest(status=status):
                request = self.make_request(status)
                self.clock.shift(HOUR)

                services.request_ask_information(
                    request, by=self.roads_clerk, question="Which side of the road?"
                )

                request.refresh_from_db()
                expected = Status.ACKNOWLEDGED if status == Status.SUBMITTED else status
                self.assertEqual(request.status, expected)
                self.assertEqual(request.updated_at, request.submitted_at + HOUR)

                event = request.events.get()
                self.assertEqual(event.kind, Event.Kind.INFORMATION_REQUESTED)
                self.assertEqual(event.actor, self.roads_clerk)
                self.assertEqual(event.text, "Which side of the road?")
                self.assertTrue(event.is_public)
                if status == Status.SUBMITTED:
                    self.assertEqual(event.from_status, Status.SUBMITTED)
                    self.assertEqual(event.to_status, Status.ACKNOWLEDGED)
                else:
                    self.assertEqual(event.from_status, "")
                    self.assertEqual(event.to_status, "")

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_ask_information,
            request,
            by=self.roads_clerk,
            question="Is it still there?",
        )
        self.assertIn("reopen it before you ask about it", error.message)

    def test_it_refuses_an_empty_question(self):
        request = self.make_request()

        self.assertRefused(
            InvalidInput,
            services.request_ask_information,
            request,
            by=self.roads_clerk,
            question=" ",
        )


class RecordAnswerTests(LifecycleTestCase):
    def test_it_records_the_answer_privately(self):
        request = self.make_request()
        services.request_ask_information(
            request, by=self.roads_clerk, question="Which side?"
        )
        self.clock.shift(HOUR)

        services.request_record_answer(request, text=" North side, call 555-0100 ")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)

        answer = request.events.last()
        self.assertEqual(answer.kind, Event.Kind.INFORMATION_PROVIDED)
        self.assertIsNone(answer.actor)
        self.assertEqual(answer.text, "North side, call 555-0100")
        self.assertEqual(answer.created_at, SUBMITTED_AT + HOUR)
        self.assertFalse(answer.is_public)

    def test_it_refuses_an_answer_nobody_asked_for(self):
        request = self.make_request()

        error = self.assertRefused(
            InvalidTransition,
            services.request_record_answer,
            request,
            text="North side",
        )
        self.assertEqual(
            error.message,
            f"Nobody has asked a question about request {request.number}.",
        )

    def test_it_refuses_an_empty_answer(self):
        request = self.make_request()
        services.request_ask_information(
            request, by=self.roads_clerk, question="Which side?"
        )

        self.assertRefused(
            InvalidInput, services.request_record_answer, request, text=""
        )


class CloseTests(LifecycleTestCase):
    def test_it_closes_from_each_open_status_with_each_plain_resolution(self):
        for status in OPEN:
            for resolution in PLAIN_RESOLUTIONS:
                with self.subTest(status=status, resolution=resolution):
                    request = self.make_request(status)
                    self.clock.shift(HOUR)
                    closed_at = request.submitted_at + HOUR

                    services.request_close(
                        request,
                        by=self.roads_clerk,
                        resolution=resolution,
                        message="Done. ",
                    )

                    request.refresh_from_db()
                    self.assertEqual(request.status, Status.CLOSED)
                    self.assertEqual(request.resolution, resolution)
                    self.assertEqual(request.closed_at, closed_at)
                    self.assertEqual(request.updated_at, closed_at)

                    event = request.events.get()
                    self.assertEqual(event.kind, Event.Kind.CLOSED)
                    self.assertEqual(event.actor, self.roads_clerk)
                    self.assertEqual(event.text, "Done.")
                    self.assertEqual(event.resolution, resolution)
                    self.assertEqual(event.from_status, status)
                    self.assertEqual(event.to_status, Status.CLOSED)
                    self.assertTrue(event.is_public)

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_close,
            request,
            by=self.roads_clerk,
            resolution=Resolution.FIXED,
        )
        self.assertIn("is closed; reopen it before you close it", error.message)

    def test_it_sends_duplicates_to_merge(self):
        request = self.make_request()

        error = self.assertRefused(
            ActionError,
            services.request_close,
            request,
            by=self.roads_clerk,
            resolution=Resolution.DUPLICATE,
        )
        self.assertEqual(error.message, "Use “merge” to close a request as duplicate.")
        self.assertEqual(error.field, "resolution")

    def test_it_sends_referrals_to_refer(self):
        request = self.make_request()

        error = self.assertRefused(
            ActionError,
            services.request_close,
            request,
            by=self.roads_clerk,
            resolution=Resolution.REFERRED,
        )
        self.assertIn("Use “refer”", error.message)
        self.assertEqual(error.field, "resolution")

    def test_it_refuses_an_unknown_resolution(self):
        request = self.make_request()

        for resolution in ["sorted", "", "FIXED"]:
            with self.subTest(resolution=resolution):
                error = self.assertRefused(
                    ActionError,
                    services.request_close,
                    request,
                    by=self.roads_clerk,
                    resolution=resolution,
                )
                self.assertEqual(error.message, "Choose how the request was resolved.")
                self.assertEqual(error.field, "resolution")


class ReferTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.county = Agency.objects.create(name="County Highways", kind="county")

    def test_it_closes_the_request_as_the_agency_s(self):
        request = self.make_request(Status.ACKNOWLEDGED)
        self.clock.shift(HOUR)

        services.request_refer(
            request, by=self.roads_clerk, agency=self.county, message="County road"
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.CLOSED)
        self.assertEqual(request.resolution, Resolution.REFERRED)
        self.assertEqual(request.agency, self.county)
        self.assertEqual(request.closed_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.REFERRED)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.agency, self.county)
        self.assertEqual(event.text, "County road")
        self.assertEqual(event.resolution, Resolution.REFERRED)
        self.assertEqual(event.from_status, Status.ACKNOWLEDGED)
        self.assertEqual(event.to_status, Status.CLOSED)

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        self.assertRefused(
            InvalidTransition,
            services.request_refer,
            request,
            by=self.roads_clerk,
            agency=self.county,
        )


class MergeTests(LifecycleTestCase):
    def test_it_closes_the_duplicate(self):
        original = self.make_request()
        request = self.make_request(Status.IN_PROGRESS)
        self.clock.shift(HOUR)

        services.request_merge(request, by=self.roads_clerk, original=original)

        request.refresh_from_db()
        self.assertEqual(request.status, Status.CLOSED)
        self.assertEqual(request.resolution, Resolution.DUPLICATE)
        self.assertEqual(request.duplicate_of, original)
        self.assertEqual(request.closed_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.MERGED)
        self.assertEqual(event.from_status, Status.IN_PROGRESS)
        self.assertEqual(event.to_status, Status.CLOSED)

        original.refresh_from_db()
        self.assertEqual(original.status, Status.SUBMITTED)

    def test_it_refuses_a_closed_request(self):
        original = self.make_request()
        request = self.make_request(Status.CLOSED)

        self.assertRefused(
            InvalidTransition,
            services.request_merge,
            request,
            by=self.roads_clerk,
            original=original,
        )
        self.assertFalse(original.events.exists())

    def test_it_refuses_merging_a_request_into_itself(self):
        request = self.make_request()

        error = self.assertRefused(
            InvalidTransition,
            services.request_merge,
            request,
            by=self.roads_clerk,
            original=request,
        )
        self.assertEqual(error.field, "original")


class ReassignTests(LifecycleTestCase):
    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        error = self.assertRefused(
            InvalidTransition,
            services.request_reassign,
            request,
            by=self.roads_clerk,
            department=self.parks,
        )
        self.assertIn("reopen it before you reassign it", error.message)

    def test_it_refuses_the_department_it_is_with(self):
        request = self.make_request()

        error = self.assertRefused(
            InvalidTransition,
            services.request_reassign,
            request,
            by=self.roads_clerk,
            department=self.roads,
        )
        self.assertEqual(
            error.message, f"Request {request.number} is already with Roads."
        )
        self.assertEqual(error.field, "department")

    def test_it_refuses_an_inactive_department(self):
        self.parks.is_active = False
        self.parks.save()
        request = self.make_request()

        error = self.assertRefused(
            ActionError,
            services.request_reassign,
            request,
            by=self.roads_clerk,
            department=self.parks,
        )
        self.assertEqual(
            error.message, "Parks no longer takes requests; pick another department."
        )


class AssignTests(LifecycleTestCase):
    def test_it_assigns_a_colleague(self):
        request = self.make_request(Status.ACKNOWLEDGED)
        self.clock.shift(HOUR)

        services.request_assign(request, by=self.roads_lead, assignee=self.roads_clerk)

        request.refresh_from_db()
        self.assertEqual(request.assignee, self.roads_clerk)
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        # Residents do not see who works on it.
        self.assertEqual(request.updated_at, SUBMITTED_AT)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.ASSIGNED)
        self.assertEqual(event.actor, self.roads_lead)
        self.assertEqual(event.assignee, self.roads_clerk)
        self.assertFalse(event.is_public)

    def test_it_unassigns(self):
        request = self.make_request(assignee=self.roads_clerk)

        services.request_assign(request, by=self.roads_lead, assignee=None)

        request.refresh_from_db()
        self.assertIsNone(request.assignee)
        self.assertIsNone(request.events.get().assignee)

    def test_it_refuses_the_current_assignee(self):
        request = self.make_request(assignee=self.roads_clerk)

        self.assertRefused(
            InvalidTransition,
            services.request_assign,
            request,
            by=self.roads_lead,
            assignee=self.roads_clerk,
        )

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        self.assertRefused(
            InvalidTransition,
            services.request_assign,
            request,
            by=self.roads_lead,
            assignee=self.roads_clerk,
        )


class ReopenTests(LifecycleTestCase):
    def test_it_returns_a_closed_request_to_acknowledged(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(HOUR)

        services.request_reopen(request, by=self.roads_clerk, reason="Sank again ")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertEqual(request.resolution, "")
        self.assertIsNone(request.closed_at)
        self.assertEqual(request.acknowledged_at, SUBMITTED_AT)
        self.assertEqual(request.updated_at, SUBMITTED_AT + HOUR)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.REOPENED)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.text, "Sank again")
        self.assertEqual(event.from_status, Status.CLOSED)
        self.assertEqual(event.to_status, Status.ACKNOWLEDGED)

    def test_it_lets_the_resident_reopen(self):
        request = self.make_request(Status.CLOSED)

        services.request_reopen(request, by=None, reason="Not fixed")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertIsNone(request.events.get().actor)

    def test_it_forgets_the_agency_and_the_original(self):
        county = Agency.objects.create(name="County Highways")
        original = self.make_request()
        referred = self.make_request(
            Status.CLOSED, resolution=Resolution.REFERRED, agency=county
        )
        merged = self.make_request(
            Status.CLOSED, resolution=Resolution.DUPLICATE, duplicate_of=original
        )

        services.request_reopen(referred, by=self.roads_clerk)
        services.request_reopen(merged, by=self.roads_clerk)

        referred.refresh_from_db()
        self.assertIsNone(referred.agency)
        merged.refresh_from_db()
        self.assertIsNone(merged.duplicate_of)

    def test_it_refuses_an_open_request(self):
        for status in OPEN:
            with self.subTest(status=status):
                request = self.make_request(status)

                error = self.assertRefused(
                    InvalidTransition,
                    services.request_reopen,
                    request,
                    by=self.roads_clerk,
                )
                self.assertIn("only a closed request can be reopened", error.message)
