import xml.etree.ElementTree as ET

import time_machine

from town311.directory.models import Place
from town311.notifications.models import Message
from town311.open311.models import RequestToken
from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import Channel, Event, ServiceRequest


@time_machine.travel(NOW, tick=False)
class RequestsPostTestCase(Open311TestCase):
    def test_it_submits_through_the_same_service_layer(self) -> None:
        response = self.post(
            email="Ann@Example.org",
            first_name="Ann",
            last_name="Lee",
            phone="555-0100",
            account_id="acct-7",
            **{"attribute[depth]": "4", "attribute[hazards][]": ["water", "glass"]},
        )

        self.assertEqual(response.status_code, 201, response.content)
        [answer] = response.json()
        service_request = ServiceRequest.objects.get()
        token = RequestToken.objects.get()
        self.assertEqual(
            answer,
            {
                "service_request_id": str(service_request.pk),
                "token": token.token,
                "service_notice": "",
                "account_id": "acct-7",
            },
        )
        self.assertEqual(token.request, service_request)
        self.assertEqual(service_request.channel, Channel.API)
        self.assertEqual(service_request.service, self.pothole)
        self.assertEqual(service_request.department, self.roads)
        self.assertEqual((service_request.lat, service_request.long), (40.001, -90.002))
        self.assertEqual(
            service_request.attributes,
            {"lane": "left", "depth": 4, "hazards": ["water", "glass"]},
        )
        self.assertEqual(service_request.reporter_name, "Ann Lee")
        self.assertEqual(service_request.reporter_email, "ann@example.org")
        self.assertEqual(service_request.reporter_phone, "555-0100")
        self.assertEqual(service_request.submitted_at, NOW)
        kinds = list(service_request.events.values_list("kind", flat=True))
        self.assertEqual(kinds, [Event.Kind.SUBMITTED, Event.Kind.ROUTED])
        # The reporter's confirmation goes through the outbox like the web form's.
        self.assertEqual(Message.objects.filter(to="ann@example.org").count(), 1)

    def test_it_answers_in_xml(self) -> None:
        response = self.post("xml")

        self.assertEqual(response.status_code, 201)
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "service_requests")
        [item] = root
        self.assertEqual(item.tag, "request")
        self.assertEqual(
            item.findtext("service_request_id"), str(ServiceRequest.objects.get().pk)
        )
        self.assertEqual(item.findtext("token"), RequestToken.objects.get().token)
        self.assertIsNone(item.findtext("account_id") or None)

    def test_a_repeated_post_makes_one_request(self) -> None:
        first = self.post().json()[0]
        again = self.post().json()[0]

        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assertEqual(first, again)

    def test_a_different_description_makes_a_second_request(self) -> None:
        self.post()
        self.post(description="Another hole nearby")

        self.assertEqual(ServiceRequest.objects.count(), 2)

    def test_the_same_post_later_makes_a_second_request(self) -> None:
        self.post()
        with time_machine.travel(NOW.replace(minute=45), tick=False):
            self.post()

        self.assertEqual(ServiceRequest.objects.count(), 2)

    def test_it_treats_empty_optional_arguments_as_missing(self) -> None:
        response = self.post(
            email="", first_name="", phone="", media_url="", jurisdiction_id=""
        )

        self.assertEqual(response.status_code, 201, response.content)
        service_request = ServiceRequest.objects.get()
        self.assertEqual(service_request.reporter_email, "")
        self.assertEqual(service_request.api_token.media_url, "")

    def test_it_accepts_the_towns_jurisdiction_id(self) -> None:
        response = self.post(jurisdiction_id="testville")

        self.assertEqual(response.status_code, 201, response.content)

    def test_it_finds_an_address_string_in_the_gazetteer(self) -> None:
        Place.objects.create(
            name="Elm Street", kind=Place.Kind.STREET, lat=40.003, long=-90.004
        )

        response = self.post(lat="", long="", address_string="12 Elm St")

        self.assertEqual(response.status_code, 201, response.content)
        service_request = ServiceRequest.objects.get()
        self.assertEqual((service_request.lat, service_request.long), (40.003, -90.004))
        self.assertEqual(service_request.address, "12 Elm Street")

    def test_it_places_the_request_at_an_address_id(self) -> None:
        mill = Place.objects.create(name="The old mill", lat=40.005, long=-90.001)

        response = self.post(lat=None, long=None, address_id=str(mill.pk))

        self.assertEqual(response.status_code, 201, response.content)
        service_request = ServiceRequest.objects.get()
        self.assertEqual((service_request.lat, service_request.long), (40.005, -90.001))
        self.assertEqual(service_request.address, "The old mill")

    def test_it_keeps_the_address_string_next_to_lat_and_long(self) -> None:
        self.post(address_string="Outside the bakery")

        self.assertEqual(ServiceRequest.objects.get().address, "Outside the bakery")

    def test_it_keeps_the_media_url(self) -> None:
        self.post(media_url="https://img.example.org/hole.jpg")

        token = RequestToken.objects.get()
        self.assertEqual(token.media_url, "https://img.example.org/hole.jpg")
