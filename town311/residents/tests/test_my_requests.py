from django.urls import reverse

from town311.residents.tests.base import ResidentTestCase
from town311.servicerequests import services
from town311.servicerequests.models import Follower, ServiceRequest
from town311.test import RESIDENT_EMAIL

URL = reverse("residents:my-requests")


class MyRequestsTests(ResidentTestCase):
    def test_it_asks_to_sign_in_first(self):
        response = self.client.get(URL)

        self.assertRedirects(response, reverse("residents:sign-in"))

    def test_it_lists_what_the_resident_reported_and_follows(self):
        mine = self.submit(reporter_name="Ann Reporter", reporter_phone="555-0199")
        followed = self.submit(email="other@example.org", address="3 Elm Street")
        Follower.objects.create(request=followed, email=RESIDENT_EMAIL)
        Follower.objects.create(request=mine, email="neighbour@example.org")
        unrelated = self.submit(email="other@example.org", address="Quiet Lane")
        self.sign_in()

        response = self.client.get(URL)

        self.assertContains(response, f"Signed in as {RESIDENT_EMAIL}.")
        self.assertContains(response, f'href="/requests/{mine.pk}/"')
        self.assertContains(response, f'href="/requests/{followed.pk}/"')
        self.assertNotContains(response, f'href="/requests/{unrelated.pk}/"')
        self.assertContains(response, "You reported this.", count=1)
        self.assertContains(response, "You follow this.", count=1)
        self.assertContains(response, "3 Elm Street")
        for private in (
            "Ann Reporter",
            "555-0199",
            "other@example.org",
            "neighbour@example.org",
        ):
            self.assertNotContains(response, private)

    def test_it_offers_to_withdraw_only_own_unacknowledged_reports(self):
        waiting = self.submit()
        acknowledged = self.submit()
        services.request_acknowledge(acknowledged, by=self.roads_clerk)
        followed = self.submit(email="other@example.org")
        Follower.objects.create(request=followed, email=RESIDENT_EMAIL)
        self.sign_in()

        response = self.client.get(URL)

        self.assertContains(response, "Withdraw this request", count=1)
        self.assertContains(response, reverse("residents:withdraw", args=[waiting.pk]))
        self.assertContains(response, "Acknowledged")

    def test_a_private_report_is_listed_without_a_link(self):
        private = self.submit(service=self.work_order, by=self.roads_clerk)
        self.sign_in()

        response = self.client.get(URL)

        self.assertContains(response, f"Request {private.pk}: Internal work order")
        self.assertContains(response, "It is not published on the website")
        self.assertNotContains(response, f'href="/requests/{private.pk}/"')

    def test_a_private_request_followed_is_not_listed(self):
        private = self.submit(
            email="other@example.org", service=self.work_order, by=self.roads_clerk
        )
        Follower.objects.create(request=private, email=RESIDENT_EMAIL)
        self.sign_in()

        response = self.client.get(URL)

        self.assertNotContains(response, "Internal work order")
        self.assertContains(response, "There are no requests for this address yet.")

    def test_a_closed_request_shows_how_it_ended(self):
        request = self.submit()
        services.request_close(request, by=self.roads_clerk, resolution="fixed")
        self.sign_in()

        response = self.client.get(URL)

        self.assertContains(response, "Closed")
        self.assertContains(response, "The problem has been fixed.")

    def test_it_pages_long_lists(self):
        for _ in range(26):
            self.submit()
        self.sign_in()

        first = self.client.get(URL)
        second = self.client.get(URL, {"page": 2})
        nonsense = self.client.get(URL, {"page": "x"})

        self.assertContains(first, "Page 1 of 2")
        self.assertEqual(first.content.count(b'class="my-request"'), 25)
        self.assertEqual(second.content.count(b'class="my-request"'), 1)
        self.assertContains(nonsense, "Page 1 of 2")
        oldest = ServiceRequest.objects.order_by("submitted_at", "pk").first()
        self.assertContains(second, f"Request {oldest.pk}: Pothole")
