from django.test import Client
from django.urls import reverse

from town311.servicerequests import services
from town311.servicerequests.models import Follower, ServiceRequest
from town311.servicerequests.tokens import token_make
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

NEIGHBOUR = "neighbour@example.org"


class UnsubscribeTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            reporter_email=RESIDENT_EMAIL,
        )
        Follower.objects.create(request=self.request, email=NEIGHBOUR)

    def url(self, request_id=None, email=NEIGHBOUR) -> str:
        token = token_make(
            "unsubscribe", request_id=request_id or self.request.pk, email=email
        )
        return reverse("notifications:unsubscribe", args=[token])

    def following(self, email=NEIGHBOUR) -> bool:
        return Follower.objects.filter(email=email).exists()

    def test_get_asks_first_and_changes_nothing(self):
        response = self.client.get(self.url())

        self.assertContains(response, "Stop e-mails about this request?")
        self.assertContains(response, f"request {self.request.pk} (Pothole)")
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertTrue(self.following())

    def test_post_stops_the_e_mails(self):
        response = self.client.post(self.url())

        self.assertContains(response, "E-mails stopped")
        self.assertFalse(self.following())
        # Only this follow ends: the reporter still hears.
        self.assertTrue(self.following(RESIDENT_EMAIL))

    def test_the_button_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)

        response = client.post(self.url())

        self.assertEqual(response.status_code, 403)
        self.assertTrue(self.following())

    def test_one_click_works_without_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)

        response = client.post(self.url(), {"List-Unsubscribe": "One-Click"})

        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.following())

    def test_it_says_so_when_already_stopped(self):
        self.client.post(self.url())

        response = self.client.get(self.url())

        self.assertContains(response, "E-mails stopped")
        self.assertNotContains(response, "Stop e-mails about this request?")

    def test_an_old_link_still_works_after_a_merge(self):
        original = services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1]
        )
        services.request_merge(self.request, by=self.roads_clerk, original=original)
        self.assertTrue(original.followers.filter(email=NEIGHBOUR).exists())

        self.client.post(self.url(self.request.pk))

        self.assertFalse(self.following())

    def test_a_private_request_is_named_by_number_only(self):
        ServiceRequest.objects.filter(pk=self.request.pk).update(is_public=False)

        response = self.client.get(self.url())

        self.assertContains(response, f"request {self.request.pk}.")
        self.assertNotContains(response, "Pothole")

    def test_a_bad_token_explains_itself(self):
        for token in ("nonsense", self.url()[len("/email/unsubscribe/") : -5]):
            with self.subTest(token=token):
                url = reverse("notifications:unsubscribe", args=[token])
                response = self.client.post(url, {"List-Unsubscribe": "One-Click"})

                self.assertContains(
                    response, "This link does not work", status_code=400
                )
                self.assertTrue(self.following())

    def test_a_token_of_another_kind_does_not_unsubscribe(self):
        token = token_make("answer", request_id=self.request.pk, email=NEIGHBOUR)
        url = reverse("notifications:unsubscribe", args=[token])

        response = self.client.post(url)

        self.assertEqual(response.status_code, 400)
        self.assertTrue(self.following())

    def test_a_deleted_request_is_already_done(self):
        ServiceRequest.objects.filter(pk=self.request.pk).delete()

        response = self.client.get(self.url())

        self.assertContains(response, "E-mails stopped")

    def test_it_refuses_other_methods(self):
        response = self.client.put(self.url())

        self.assertEqual(response.status_code, 405)
        self.assertTrue(self.following())
