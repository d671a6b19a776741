from urllib.parse import parse_qs, urlparse

from django.urls import reverse
from django.utils.html import escape

from town311.alerts.models import Subscription
from town311.alerts.tests.base import SUBSCRIBER, AlertsTestCase
from town311.notifications.models import Message

URL = reverse("alerts:subscribe")


class ChooseAreaTests(AlertsTestCase):
    def choose(self, **params):
        params.setdefault("where", "place")
        return self.client.get(URL, params)

    def test_it_shows_the_form(self):
        response = self.client.get(URL)

        self.assertContains(response, "Alerts for your area")
        self.assertContains(response, 'name="place"')
        self.assertContains(response, 'name="neighbourhood"')
        self.assertContains(response, "Hilltop")
        self.assertContains(response, 'value="pothole"')
        self.assertNotContains(response, 'value="work-order"')
        self.assertContains(response, "http://testserver/alerts/feed/")

    def test_a_place_by_name_leads_to_the_e_mail_step(self):
        response = self.choose(place="mill road", radius="1000")

        self.assertContains(response, "New requests within 1000 m of Mill Road")
        self.assertContains(response, 'name="email"')
        self.assertContains(
            response, '<input type="hidden" name="lat" value="40.000000">'
        )
        feed = response.context["feed_url"]
        self.assertEqual(
            parse_qs(urlparse(feed).query),
            {"lat": ["40.000000"], "long": ["-90.000000"], "radius": ["1000"]},
        )
        self.assertContains(response, escape(feed))

    def test_a_place_not_found_is_explained_next_to_the_field(self):
        response = self.choose(place="Atlantis Avenue")

        self.assertContains(response, "We could not find “Atlantis Avenue”.")
        self.assertContains(response, 'value="Atlantis Avenue"')
        self.assertNotContains(response, 'name="email"')

    def test_several_places_ask_for_the_full_name(self):
        response = self.choose(place="mill")

        self.assertContains(response, "Several places match")
        self.assertContains(response, "“Mill Pond”")
        self.assertContains(response, "“Mill Road”")

    def test_typed_coordinates_are_used_as_they_are(self):
        response = self.choose(lat="40.001", long="-90.002", radius="250")

        self.assertContains(response, "within 250 m of 40.00100, -90.00200")

    def test_coordinates_must_be_in_town_and_complete(self):
        for params, problem in (
            ({"lat": "41", "long": "-90"}, "This point is outside Testville"),
            ({"lat": "40"}, "Give the longitude too."),
            ({"lat": "north", "long": "-90"}, "Enter a number."),
            ({"place": "Mill Road", "radius": "6000"}, "less than or equal to 5000"),
            ({"place": "Mill Road", "radius": "50"}, "greater than or equal to 100"),
        ):
            with self.subTest(params=params):
                response = self.choose(**params)

                self.assertContains(response, problem)
                self.assertNotContains(response, 'name="email"')

    def test_nothing_given_asks_for_a_place(self):
        response = self.choose()

        self.assertContains(response, "Type a street or landmark")

    def test_a_neighbourhood_and_services(self):
        response = self.client.get(
            URL,
            {
                "where": "neighbourhood",
                "neighbourhood": "hilltop",
                "services": ["pothole", "park-upkeep"],
            },
        )

        self.assertContains(response, "New requests in Hilltop: Pothole, Park upkeep.")
        self.assertEqual(
            parse_qs(urlparse(response.context["feed_url"]).query),
            {"area": ["hilltop"], "service": ["pothole", "park-upkeep"]},
        )

    def test_a_neighbourhood_alone_is_taken_as_meant(self):
        response = self.choose(neighbourhood="hilltop")

        self.assertContains(response, "New requests in Hilltop, all services.")

    def test_a_neighbourhood_must_be_chosen(self):
        response = self.client.get(URL, {"where": "neighbourhood"})

        self.assertContains(response, "Choose a neighbourhood.")

    def test_a_staff_only_service_cannot_be_chosen(self):
        response = self.choose(place="Mill Road", services="work-order")

        self.assertContains(response, "Select a valid choice.")

    def test_change_goes_back_with_the_choices_kept(self):
        response = self.choose(place="Mill Road", radius="1000", services="pothole")

        back = self.client.get(response.context["change_url"])

        self.assertContains(back, 'value="Mill Road"')
        self.assertContains(back, 'value="1000"')
        self.assertContains(back, 'value="pothole" id="id_services_0" checked')
        self.assertNotContains(back, 'name="email"')


class SubscribeTests(AlertsTestCase):
    def post(self, **data):
        values = {
            "email": SUBSCRIBER,
            "where": "place",
            "place": "Mill Road",
            "lat": "40.000000",
            "long": "-90.000000",
            "radius": "500",
        }
        values.update(data)
        return self.client.post(URL, values)

    def test_it_subscribes_and_asks_for_confirmation(self):
        response = self.post(email="Subscriber@Example.org", services="pothole")

        self.assertContains(response, "Check your e-mail")
        self.assertContains(response, "We sent a link to subscriber@example.org.")
        subscription = Subscription.objects.get()
        self.assertEqual(subscription.email, SUBSCRIBER)
        self.assertEqual((subscription.lat, subscription.long), (40.0, -90.0))
        self.assertEqual(subscription.radius, 500)
        self.assertEqual(subscription.place_name, "Mill Road")
        self.assertEqual(list(subscription.services.all()), [self.pothole])
        self.assertIsNone(subscription.confirmed_at)
        self.assertEqual(subscription.language, "en")

        message = Message.objects.get(kind="alert-confirm")
        self.assertEqual(message.to, SUBSCRIBER)
        self.assertEqual(message.subject, "Confirm your alerts from Testville 311")
        self.assertIn("within 500 m of Mill Road (Pothole)", message.body_text)
        self.assertIn("http://127.0.0.1:8000/alerts/confirm/", message.body_text)

    def test_a_neighbourhood_subscription(self):
        self.post(where="neighbourhood", neighbourhood="hilltop")

        subscription = Subscription.objects.get()
        self.assertEqual(subscription.neighbourhood, self.hilltop)
        self.assertIsNone(subscription.lat)
        self.assertIsNone(subscription.radius)

    def test_a_bad_address_is_shown_next_to_its_field(self):
        response = self.post(email="not an address")

        self.assertContains(response, "Enter a valid email address.")
        self.assertContains(response, 'value="not an address"')
        self.assertContains(
            response, '<input type="hidden" name="place" value="Mill Road">'
        )
        self.assertFalse(Subscription.objects.exists())

    def test_a_spoiled_area_goes_back_to_the_first_step(self):
        response = self.post(lat="400")

        self.assertContains(response, "less than or equal to 90")
        self.assertContains(response, 'name="place"')
        self.assertFalse(Subscription.objects.exists())

    def test_it_sends_at_most_five_confirmations_a_day(self):
        for _ in range(5):
            self.post()

        response = self.post()

        self.assertContains(response, "We already sent several confirmation e-mails")
        self.assertEqual(Subscription.objects.count(), 5)
        self.assertEqual(Message.objects.filter(kind="alert-confirm").count(), 5)
