from town311.accounts.models import User
from town311.directory.models import Agency
from town311.lib.errors import NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import (
    Channel,
    Event,
    ServiceRequest,
    Status,
)
from town311.servicerequests.tests.base import LifecycleTestCase
from town311.test import CENTRE


class StaffActionRightsTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.county = Agency.objects.create(name="County Highways")

    def staff_actions(self):
        """Each staff action with what it needs to succeed on a Roads request,
        and the status that request must be in."""
        return [
            ("acknowledge", services.request_acknowledge, {}, Status.SUBMITTED),
            ("start work", services.request_start_work, {}, Status.SUBMITTED),
            ("reply", services.request_reply, {"text": "Soon"}, Status.SUBMITTED),
            ("note", services.request_add_note, {"text": "Big"}, Status.SUBMITTED),
            (
                "ask",
                services.request_ask_information,
                {"question": "Where exactly?"},
                Status.SUBMITTED,
            ),
            (
                "assign",
                services.request_assign,
                {"assignee": self.roads_clerk},
                Status.SUBMITTED,
            ),
            (
                "reassign",
                services.request_reassign,
                {"department": self.parks},
                Status.SUBMITTED,
            ),
            (
                "refer",
                services.request_refer,
                {"agency": self.county},
                Status.SUBMITTED,
            ),
            (
                "merge",
                services.request_merge,
                {"original": self.make_request()},
                Status.SUBMITTED,
            ),
            (
                "close",
                services.request_close,
                {"resolution": "fixed"},
                Status.SUBMITTED,
            ),
            ("reopen", services.request_reopen, {}, Status.CLOSED),
        ]

    def assertCanDoEverything(self, user: User) -> None:
        for name, action, kwargs, status in self.staff_actions():
            with self.subTest(action=name):
                request = self.make_request(status)

                action(request, by=user, **kwargs)

                # The action's own event comes last and names who acted.
                self.assertEqual(request.events.last().actor, user)

    def assertCanDoNothing(self, user: User | None) -> list[str]:
        messages = []
        for name, action, kwargs, status in self.staff_actions():
            with self.subTest(action=name):
                request = self.make_request(status)

                error = self.assertRefused(
                    NotAllowed, action, request, by=user, **kwargs
                )
                messages.append(error.message)

        return messages

    def test_it_refuses_a_parks_clerk_on_a_roads_request(self):
        messages = self.assertCanDoNothing(self.parks_clerk)

        self.assertIn("is in the Roads queue, which you do not work", messages[0])
        self.assertIn("Ask a coordinator to reassign it", messages[0])

    def test_it_lets_a_roads_clerk_act(self):
        self.assertCanDoEverything(self.roads_clerk)

    def test_it_lets_a_coordinator_act_on_any_request(self):
        self.assertCanDoEverything(self.coordinator)

    def test_it_lets_an_admin_act_on_any_request(self):
        self.assertCanDoEverything(self.admin)

    def test_it_lets_a_user_granted_the_department_act(self):
        self.parks_clerk.granted_departments.add(self.roads)

        self.assertCanDoEverything(self.parks_clerk)

    def test_it_refuses_an_inactive_user(self):
        self.roads_clerk.is_active = False
        self.roads_clerk.save()

        messages = self.assertCanDoNothing(self.roads_clerk)
        self.assertEqual(messages[0], "Sign in as town staff to do this.")

    def test_it_refuses_an_inactive_coordinator(self):
        self.coordinator.is_active = False
        self.coordinator.save()

        self.assertCanDoNothing(self.coordinator)

    def test_it_refuses_residents_staff_actions(self):
        # Reopening is left out: residents reopen through their rating.
        for name, action, kwargs, status in self.staff_actions()[:-1]:
            with self.subTest(action=name):
                request = self.make_request(status)

                error = self.assertRefused(
                    NotAllowed, action, request, by=None, **kwargs
                )
                self.assertEqual(error.message, "Sign in as town staff to do this.")

    def test_it_refuses_a_parks_clerk_reopening_a_roads_request(self):
        request = self.make_request(Status.CLOSED)

        self.assertRefused(
            NotAllowed, services.request_reopen, request, by=self.parks_clerk
        )


class AssigneeRightsTests(LifecycleTestCase):
    def test_it_refuses_someone_outside_the_department(self):
        request = self.make_request()

        error = self.assertRefused(
            NotAllowed,
            services.request_assign,
            request,
            by=self.roads_lead,
            assignee=self.parks_clerk,
        )
        self.assertEqual(
            error.message,
            "Pat does not work for Roads; assign someone from that department.",
        )
        self.assertEqual(error.field, "assignee")

    def test_it_refuses_an_inactive_colleague(self):
        self.roads_clerk.is_active = False
        self.roads_clerk.save()
        request = self.make_request()

        error = self.assertRefused(
            NotAllowed,
            services.request_assign,
            request,
            by=self.roads_lead,
            assignee=self.roads_clerk,
        )
        self.assertEqual(
            error.message, "Rosa's account is switched off; assign someone else."
        )

    def test_it_accepts_someone_granted_the_department(self):
        self.parks_clerk.granted_departments.add(self.roads)
        request = self.make_request()

        services.request_assign(request, by=self.roads_lead, assignee=self.parks_clerk)

        request.refresh_from_db()
        self.assertEqual(request.assignee, self.parks_clerk)


class SubmissionRightsTests(LifecycleTestCase):
    def submit(self, **kwargs) -> ServiceRequest:
        kwargs.setdefault("service", self.pothole)
        return services.request_submit(lat=CENTRE[0], long=CENTRE[1], **kwargs)

    def test_it_refuses_a_staff_only_service_from_a_resident(self):
        with self.assertRaises(NotAllowed) as refused:
            self.submit(service=self.work_order)

        self.assertEqual(
            refused.exception.message,
            "“Internal work order” can only be reported by town staff.",
        )
        self.assertEqual(refused.exception.field, "service")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_accepts_a_staff_only_service_from_staff(self):
        request = self.submit(service=self.work_order, by=self.roads_clerk)

        request.refresh_from_db()
        self.assertEqual(request.service, self.work_order)
        self.assertFalse(request.is_public)

        submitted = request.events.get(kind=Event.Kind.SUBMITTED)
        self.assertEqual(submitted.actor, self.roads_clerk)

    def test_it_refuses_a_staff_only_service_from_inactive_staff(self):
        self.roads_clerk.is_active = False
        self.roads_clerk.save()

        with self.assertRaises(NotAllowed):
            self.submit(service=self.work_order, by=self.roads_clerk)

        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_refuses_staff_channels_from_a_resident(self):
        for channel in [Channel.PHONE, Channel.WALK_IN, Channel.EMAIL]:
            with self.subTest(channel=channel):
                with self.assertRaises(NotAllowed) as refused:
                    self.submit(channel=channel)

                self.assertEqual(refused.exception.field, "channel")
                self.assertFalse(ServiceRequest.objects.exists())

    def test_it_accepts_staff_channels_from_staff(self):
        for channel in [Channel.PHONE, Channel.WALK_IN, Channel.EMAIL]:
            with self.subTest(channel=channel):
                request = self.submit(channel=channel, by=self.parks_clerk)

                request.refresh_from_db()
                self.assertEqual(request.channel, channel)

    def test_it_accepts_web_and_api_from_residents(self):
        for channel in [Channel.WEB, Channel.API]:
            with self.subTest(channel=channel):
                request = self.submit(channel=channel)

                request.refresh_from_db()
                self.assertEqual(request.channel, channel)
