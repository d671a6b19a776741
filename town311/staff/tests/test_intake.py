"""Phone and walk-in intake: the same checks and routing as the public
form, entered by staff for someone else."""

from django.contrib.messages import get_messages
from django.urls import reverse

from town311.accounts.models import User
from town311.directory.models import Place, ServiceAttribute
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import Channel, Event, ServiceRequest
from town311.test import CENTRE, BaseTestCase

DRAFT_KEY = "intake-draft-key-0123456789"


class IntakeTestCase(BaseTestCase):
    url = reverse("staff:intake")

    def setUp(self) -> None:
        super().setUp()
        Place.objects.create(
            name="Elm Street", kind=Place.Kind.STREET, lat=CENTRE[0], long=CENTRE[1]
        )
        self.client.force_login(self.roads_clerk)

    def post(self, service="pothole", **data):
        fields = {
            "draft_key": DRAFT_KEY,
            "channel": Channel.PHONE,
            "address": "12 Elm Street",
            "description": "A deep hole by the bus stop.",
            "reporter_name": "Dana Caller",
            "reporter_phone": "555-0100",
            "reporter_email": "dana@example.org",
            **data,
        }
        return self.client.post(f"{self.url}?service={service}", fields)

    def test_it_offers_every_active_service_including_staff_only_ones(self) -> None:
        response = self.client.get(self.url)

        self.assertContains(response, "Pothole (Roads)")
        self.assertContains(response, "Internal work order (Roads, staff only)")

    def test_it_shows_the_form_for_the_chosen_service(self) -> None:
        response = self.client.get(self.url, {"service": "pothole"})

        self.assertContains(response, "How did they reach us?")
        self.assertContains(response, 'value="walk_in"')
        self.assertContains(response, "Their e-mail")

    def test_it_enters_a_phone_request_and_lands_on_its_staff_page(self) -> None:
        response = self.post()

        service_request = ServiceRequest.objects.get()
        self.assertRedirects(
            response,
            reverse("staff:request", args=[service_request.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(
            [str(m) for m in get_messages(response.wsgi_request)],
            [
                f"Sent to Roads: request {service_request.number}, Pothole. Give "
                "the caller the number."
            ],
        )
        self.assertEqual(service_request.channel, Channel.PHONE)
        self.assertEqual(service_request.department, self.roads)
        self.assertEqual(service_request.address, "12 Elm Street")
        self.assertEqual(
            (
                service_request.reporter_name,
                service_request.reporter_phone,
                service_request.reporter_email,
            ),
            ("Dana Caller", "555-0100", "dana@example.org"),
        )
        self.assertIsNotNone(service_request.acknowledge_due_at)
        submitted = service_request.events.get(kind=Event.Kind.SUBMITTED)
        self.assertEqual(submitted.actor, self.roads_clerk)
        # The caller gets the confirmation with the number, like anyone.
        self.assertTrue(
            Message.objects.filter(kind="confirmation", to="dana@example.org").exists()
        )

    def test_it_enters_a_walk_in_request_by_coordinates(self) -> None:
        self.post(channel=Channel.WALK_IN, address="", lat=CENTRE[0], long=CENTRE[1])

        service_request = ServiceRequest.objects.get()
        self.assertEqual(service_request.channel, Channel.WALK_IN)
        self.assertEqual((service_request.lat, service_request.long), CENTRE)

    def test_it_enters_a_staff_only_service(self) -> None:
        self.post(service="work-order")

        service_request = ServiceRequest.objects.get()
        self.assertEqual(service_request.service, self.work_order)
        self.assertFalse(service_request.is_public)

    def test_it_sends_staff_of_another_queue_back_to_a_fresh_form(self) -> None:
        self.client.force_login(self.parks_clerk)

        response = self.post()

        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertEqual(ServiceRequest.objects.get().department, self.roads)
        response = self.client.get(self.url)
        self.assertContains(response, "Sent to Roads: request")

    def test_it_asks_the_services_questions_and_checks_the_answers(self) -> None:
        ServiceAttribute.objects.create(
            service=self.pothole,
            code="depth",
            description="How deep is it, in inches?",
            datatype=ServiceAttribute.Datatype.NUMBER,
            required=True,
        )

        response = self.post()
        self.assertContains(response, "How deep is it, in inches?")
        self.assertFalse(ServiceRequest.objects.exists())

        self.post(attribute_depth="4")
        self.assertEqual(ServiceRequest.objects.get().attributes, {"depth": 4})

    def test_it_says_where_the_location_is_missing(self) -> None:
        response = self.post(address="")

        self.assertContains(response, "Tell us where the problem is")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_names_the_agency_for_a_place_outside_town(self) -> None:
        response = self.post(address="", lat=CENTRE[0] + 1, long=CENTRE[1])

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="location-problem"')
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_refuses_the_web_channel(self) -> None:
        response = self.post(channel=Channel.WEB)

        self.assertContains(response, "Select a valid choice")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_files_one_request_when_sent_twice(self) -> None:
        self.post()
        response = self.post()

        service_request = ServiceRequest.objects.get()
        self.assertRedirects(
            response,
            reverse("staff:request", args=[service_request.pk]),
            fetch_redirect_response=False,
        )

    def test_it_refuses_an_unknown_service_on_the_choice_form(self) -> None:
        response = self.client.get(self.url, {"service": "no-such-service"})
        self.assertContains(response, "That service is not offered any more")

    def test_it_sends_visitors_to_sign_in(self) -> None:
        self.client.logout()

        response = self.client.get(self.url)

        self.assertRedirects(
            response,
            f"{reverse('staff:login')}?next={self.url}",
            fetch_redirect_response=False,
        )

    def test_it_refuses_an_account_outside_any_department(self) -> None:
        self.client.force_login(User.objects.create_user("outsider"))

        response = self.post()

        self.assertEqual(response.status_code, 403)
        self.assertFalse(ServiceRequest.objects.exists())


class IntakeNearbyTests(BaseTestCase):
    """The open requests of the same service close by, before filing."""

    url = IntakeTestCase.url
    post = IntakeTestCase.post

    def setUp(self) -> None:
        super().setUp()
        Place.objects.create(
            name="Elm Street", kind=Place.Kind.STREET, lat=CENTRE[0], long=CENTRE[1]
        )
        self.client.force_login(self.roads_clerk)
        self.existing = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0] + 0.0005,
            long=CENTRE[1],
            address="14 Elm Street",
            description="Hole near the bus stop.",
            channel=Channel.WEB,
        )

    def test_it_shows_nearby_open_requests_before_filing(self) -> None:
        response = self.post()

        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assertContains(response, "Is it one of these?")
        self.assertContains(
            response,
            f'<a href="{reverse("staff:request", args=[self.existing.pk])}">'
            f"Request {self.existing.number}: Pothole</a>",
            html=True,
        )
        self.assertContains(response, "None of these, file the new request")
        # Every field is kept, so the clerk need not type it again.
        for kept in (
            f'value="{DRAFT_KEY}"',
            'value="12 Elm Street"',
            "A deep hole by the bus stop.",
            'value="Dana Caller"',
            'value="555-0100"',
            'value="dana@example.org"',
            'id="id_channel_0" checked',
        ):
            self.assertContains(response, kept)

    def test_it_files_the_new_request_once_the_clerk_confirms(self) -> None:
        response = self.post(not_duplicate="on")

        filed = ServiceRequest.objects.exclude(pk=self.existing.pk).get()
        self.assertRedirects(
            response,
            reverse("staff:request", args=[filed.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(filed.reporter_name, "Dana Caller")

    def test_it_files_at_once_when_nothing_of_the_service_is_near(self) -> None:
        self.post(service="park-upkeep")

        self.assertEqual(ServiceRequest.objects.count(), 2)

    def test_it_lists_nearby_requests_for_the_script(self) -> None:
        response = self.client.get(
            self.url,
            {"service": "pothole", "nearby": "1", "lat": CENTRE[0], "long": CENTRE[1]},
        )

        self.assertEqual(
            response.json()["requests"],
            [
                {
                    "number": self.existing.number,
                    "url": reverse("staff:request", args=[self.existing.pk]),
                    "service": "Pothole",
                    "address": "14 Elm Street",
                    "distance_m": 56,
                    "status": self.existing.get_status_display(),
                }
            ],
        )

    def test_it_refuses_a_nearby_look_up_without_a_point(self) -> None:
        response = self.client.get(
            self.url, {"service": "pothole", "nearby": "1", "lat": "north"}
        )

        self.assertEqual(response.status_code, 400)
