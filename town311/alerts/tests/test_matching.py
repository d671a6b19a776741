from datetime import UTC, datetime

import time_machine
from django.db import transaction

from town311.alerts.selectors import subscriptions_matching
from town311.alerts.tests.base import SUBSCRIBER, AlertsTestCase, north_of_centre
from town311.lib.geo import distance_m
from town311.notifications.models import Message
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL


class MatchingTests(AlertsTestCase):
    def alerts(self) -> list[Message]:
        return list(Message.objects.filter(kind="alert").order_by("pk"))

    def test_the_radius_edge_is_inside(self):
        self.subscribe(radius=500)

        inside = self.submit(*north_of_centre(499.5))
        outside = self.submit(*north_of_centre(500.5))

        self.assertLess(distance_m(*CENTRE, inside.lat, inside.long), 500)
        self.assertGreater(distance_m(*CENTRE, outside.lat, outside.long), 500)
        self.assertEqual([m.request for m in self.alerts()], [inside])

    def test_the_box_corner_is_outside_the_circle(self):
        self.subscribe(radius=500)
        # 400 m north and 400 m east: inside the box, 566 m away.
        lat, _ = north_of_centre(400)
        long = CENTRE[1] + (lat - CENTRE[0]) / 0.766

        self.submit(lat, long)

        self.assertEqual(self.alerts(), [])

    def test_a_neighbourhood_matches_by_the_request_s_neighbourhood(self):
        self.subscribe(neighbourhood=self.hilltop)

        inside = self.submit(40.004, -89.996)
        self.submit(39.996, -90.004)

        self.assertEqual(inside.neighbourhood, self.hilltop)
        self.assertEqual([m.request for m in self.alerts()], [inside])

    def test_services_narrow_the_alerts(self):
        self.subscribe(services=[self.park_upkeep])
        self.subscribe(email="roads-fan@example.org", services=[self.pothole])
        self.subscribe(email="everything@example.org")

        self.submit()

        self.assertEqual(
            sorted(m.to for m in self.alerts()),
            ["everything@example.org", "roads-fan@example.org"],
        )

    def test_an_unconfirmed_subscription_gets_nothing(self):
        self.subscribe(confirmed=False)

        self.submit()

        self.assertEqual(self.alerts(), [])

    def test_private_requests_never_alert(self):
        self.subscribe()
        self.subscribe(email="hilltop@example.org", neighbourhood=self.hilltop)

        self.submit(40.004, -89.996, service=self.work_order, by=self.roads_clerk)

        self.assertEqual(self.alerts(), [])
        request = self.submit()
        ServiceRequest.objects.filter(pk=request.pk).update(is_public=False)
        request.refresh_from_db()
        self.assertEqual(subscriptions_matching(request), [])

    def test_the_reporter_is_not_alerted_about_their_own_report(self):
        self.subscribe(email=RESIDENT_EMAIL)

        self.submit()

        self.assertEqual(self.alerts(), [])

    def test_a_rolled_back_submission_alerts_nobody(self):
        self.subscribe()

        with self.assertRaises(RuntimeError):
            with transaction.atomic():
                self.submit()
                raise RuntimeError("the caller failed after submitting")

        self.assertEqual(self.alerts(), [])


@time_machine.travel(datetime(2026, 5, 4, 14, 30, tzinfo=UTC), tick=False)
class AlertContentTests(AlertsTestCase):
    def test_it_says_what_and_where_and_how_to_stop(self):
        self.subscribe(place_name="Mill Road")

        request = self.submit()

        message = Message.objects.get(kind="alert")
        self.assertEqual(message.to, SUBSCRIBER)
        self.assertEqual(
            message.subject, "New request within 500 m of Mill Road: Pothole"
        )
        for body in (message.body_text, message.body_html):
            self.assertIn(f"Request {request.pk}: Pothole", body)
            self.assertIn("12 Mill Road", body)
            self.assertIn("sent to Roads", body)
            # The town's clock: 14:30 UTC is 9:30 in Chicago.
            self.assertIn("9:30 a.m.", body)
            self.assertIn(f"http://127.0.0.1:8000/requests/{request.pk}/", body)
            self.assertIn("http://127.0.0.1:8000/alerts/unsubscribe/", body)
            for private in ("Ann", "555-0199", RESIDENT_EMAIL):
                self.assertNotIn(private, body)

        self.assertRegex(
            message.headers["List-Unsubscribe"],
            r"^<http://127\.0\.0\.1:8000/alerts/unsubscribe/[^>]+/>$",
        )
        self.assertEqual(
            message.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )

    def test_a_neighbourhood_alert_names_it(self):
        self.subscribe(neighbourhood=self.hilltop)

        self.submit(40.004, -89.996)

        message = Message.objects.get(kind="alert")
        self.assertEqual(message.subject, "New request in Hilltop: Pothole")
