from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from town311.alerts.models import Subscription
from town311.alerts.tests.base import SUBSCRIBER, AlertsTestCase
from town311.alerts.tokens import token_make
from town311.notifications.models import Message


class ConfirmTests(AlertsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.subscription = self.subscribe(confirmed=False, place_name="Mill Road")
        token = token_make(
            "confirm", subscription_id=self.subscription.pk, email=SUBSCRIBER
        )
        self.url = reverse("alerts:confirm", args=[token])

    def confirmed(self) -> bool:
        self.subscription.refresh_from_db()
        return self.subscription.is_confirmed

    def test_get_asks_first(self):
        response = self.client.get(self.url)

        self.assertContains(response, "Start the alerts")
        self.assertContains(response, "within 500 m of Mill Road")
        self.assertFalse(self.confirmed())

    def test_post_confirms_and_alerts_start(self):
        response = self.client.post(self.url)

        self.assertContains(response, "Alerts started")
        self.assertTrue(self.confirmed())
        self.submit()
        self.assertTrue(Message.objects.filter(kind="alert", to=SUBSCRIBER).exists())

    def test_confirming_twice_is_fine(self):
        self.client.post(self.url)
        first = Subscription.objects.get().confirmed_at

        response = self.client.get(self.url)

        self.assertContains(response, "Alerts started")
        self.assertEqual(Subscription.objects.get().confirmed_at, first)

    def test_the_link_lasts_a_week(self):
        later = timezone.now() + timedelta(days=7, minutes=1)
        with time_machine.travel(later):
            response = self.client.post(self.url)

        self.assertContains(response, "This link does not work", status_code=400)
        self.assertContains(response, "Subscribe again", status_code=400)
        self.assertFalse(self.confirmed())

    def test_a_bad_or_foreign_token_is_refused(self):
        unsubscribe = token_make(
            "unsubscribe", subscription_id=self.subscription.pk, email=SUBSCRIBER
        )
        for token in ("nonsense", unsubscribe):
            with self.subTest(token=token[:10]):
                response = self.client.post(reverse("alerts:confirm", args=[token]))

                self.assertEqual(response.status_code, 400)
                self.assertFalse(self.confirmed())

    def test_a_deleted_subscription_cannot_be_confirmed(self):
        self.subscription.delete()

        response = self.client.post(self.url)

        self.assertEqual(response.status_code, 400)


class UnsubscribeTests(AlertsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.subscription = self.subscribe(neighbourhood=self.hilltop)
        token = token_make(
            "unsubscribe", subscription_id=self.subscription.pk, email=SUBSCRIBER
        )
        self.url = reverse("alerts:unsubscribe", args=[token])

    def subscribed(self) -> bool:
        return Subscription.objects.filter(pk=self.subscription.pk).exists()

    def test_get_asks_first(self):
        response = self.client.get(self.url)

        self.assertContains(response, "Stop the alerts?")
        self.assertContains(response, "about new requests in Hilltop")
        self.assertTrue(self.subscribed())

    def test_post_ends_the_subscription(self):
        response = self.client.post(self.url)

        self.assertContains(response, "Alerts stopped")
        self.assertFalse(self.subscribed())

    def test_one_click_works_without_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)

        self.assertEqual(client.post(self.url).status_code, 403)
        self.assertTrue(self.subscribed())

        response = client.post(self.url, {"List-Unsubscribe": "One-Click"})

        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.subscribed())

    def test_an_ended_subscription_is_already_done(self):
        self.client.post(self.url)

        response = self.client.get(self.url)

        self.assertContains(response, "Alerts stopped")

    def test_the_link_in_an_alert_works(self):
        self.submit(40.004, -89.996)
        message = Message.objects.get(kind="alert")
        path = message.headers["List-Unsubscribe"][1:-1].removeprefix(
            "http://127.0.0.1:8000"
        )

        self.client.post(path, {"List-Unsubscribe": "One-Click"})

        self.assertFalse(self.subscribed())

    def test_a_bad_token_is_explained(self):
        response = self.client.post(
            reverse("alerts:unsubscribe", args=["nonsense"]),
            {"List-Unsubscribe": "One-Click"},
        )

        self.assertContains(response, "This link does not work", status_code=400)
        self.assertTrue(self.subscribed())
