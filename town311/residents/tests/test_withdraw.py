from django.urls import reverse

from town311.notifications.models import Message
from town311.residents.tests.base import ResidentTestCase
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, Status


class WithdrawViewTests(ResidentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit()

    def withdraw(self, request=None):
        url = reverse("residents:withdraw", args=[(request or self.request).pk])
        return self.client.post(url, follow=True)

    def test_it_withdraws_the_resident_s_report(self):
        self.sign_in()

        response = self.withdraw()

        self.assertRedirects(response, reverse("residents:my-requests"))
        self.assertContains(response, f"Request {self.request.pk} is withdrawn.")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)
        self.assertEqual(self.request.resolution, Resolution.WITHDRAWN)
        self.assertTrue(Message.objects.filter(kind="withdrawn").exists())

    def test_it_needs_a_signed_in_resident(self):
        response = self.withdraw()

        self.assertRedirects(response, reverse("residents:sign-in"))
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

    def test_someone_else_s_request_is_not_found(self):
        self.sign_in("other@example.org")

        response = self.withdraw()

        self.assertEqual(response.status_code, 404)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

    def test_an_acknowledged_request_stays_and_says_why(self):
        services.request_acknowledge(self.request, by=self.roads_clerk)
        self.sign_in()

        response = self.withdraw()

        self.assertContains(response, "is already acknowledged")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)

    def test_it_needs_a_post(self):
        self.sign_in()

        response = self.client.get(
            reverse("residents:withdraw", args=[self.request.pk])
        )

        self.assertEqual(response.status_code, 405)
