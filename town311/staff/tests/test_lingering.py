"""The lingering list, the page coordinators read it on, and the nudge."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from town311.lib.errors import ActionError, NotAllowed
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, ServiceRequest
from town311.staff.lingering import (
    department_nudge,
    lingering_by_department,
    lingering_requests,
)
from town311.staff.models import Nudge
from town311.test import CENTRE, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
# Monday 1 June 2026, mid-morning.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=CHICAGO)


class LingeringBase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def submit(self, days_ago: float, service=None, **fields) -> ServiceRequest:
        return services.request_submit(
            service=service or self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=NOW - timedelta(days=days_ago),
            **fields,
        )


class LingeringRequestsTestCase(LingeringBase):
    def test_it_lists_a_request_not_acknowledged_within_target(self) -> None:
        # Roads has 2 working days: Wednesday 27 May 10:00 is due Friday.
        late = self.submit(5)
        self.submit(0.5)

        [found] = lingering_requests()

        self.assertEqual(found, late)
        self.assertTrue(found.is_unacknowledged)
        self.assertFalse(found.has_no_update)

    def test_it_lists_an_open_request_with_no_update_for_14_days(self) -> None:
        stale = self.submit(20)
        services.request_acknowledge(
            stale, by=self.roads_clerk, at=NOW - timedelta(days=19)
        )
        updated = self.submit(20)
        services.request_acknowledge(
            updated, by=self.roads_clerk, at=NOW - timedelta(days=3)
        )

        [found] = lingering_requests()

        self.assertEqual(found, stale)
        self.assertFalse(found.is_unacknowledged)
        self.assertTrue(found.has_no_update)

    def test_it_leaves_out_closed_requests(self) -> None:
        closed = self.submit(30)
        services.request_close(
            closed,
            by=self.roads_clerk,
            resolution=Resolution.FIXED,
            at=NOW - timedelta(days=29),
        )

        self.assertEqual(list(lingering_requests()), [])

    def test_it_counts_the_target_when_a_request_has_no_due_date(self) -> None:
        imported = self.submit(1.5)
        ServiceRequest.objects.filter(pk=imported.pk).update(acknowledge_due_at=None)
        # Parks acknowledges within 1 day of clock time here.
        parks = self.submit(1.5, service=self.park_upkeep)
        ServiceRequest.objects.filter(pk=parks.pk).update(acknowledge_due_at=None)

        self.assertEqual(list(lingering_requests()), [parks])

    def test_it_groups_by_department_with_counts(self) -> None:
        self.submit(5)
        self.submit(20)
        self.submit(5, service=self.park_upkeep)

        groups = lingering_by_department()

        self.assertEqual([g.department for g in groups], [self.parks, self.roads])
        roads = groups[1]
        self.assertEqual(
            (roads.count, roads.unacknowledged, roads.no_update), (2, 2, 1)
        )


class NudgeTestCase(LingeringBase):
    def test_it_emails_the_department_its_lingering_requests(self) -> None:
        late = self.submit(5, address="12 Elm Street")
        self.submit(5, service=self.park_upkeep)

        nudge = department_nudge(department=self.roads, by=self.coordinator)

        self.assertEqual((nudge.department, nudge.request_count), (self.roads, 1))
        message = Message.objects.get(kind="nudge")
        self.assertEqual(message.to, "roads@testville.example")
        self.assertEqual(
            message.subject, "A friendly nudge: 1 request waiting in Roads"
        )
        self.assertIn(
            f"- Request {late.number}: Pothole, 12 Elm Street", message.body_text
        )
        self.assertIn("not acknowledged yet", message.body_text)
        self.assertIn(reverse("staff:request", args=[late.pk]), message.body_text)
        self.assertIn("Thank you,\nCora", message.body_text)

    def test_it_refuses_a_second_nudge_within_the_hour(self) -> None:
        self.submit(5)
        department_nudge(department=self.roads, by=self.coordinator)

        with self.assertRaisesMessage(ActionError, "Roads was nudged"):
            department_nudge(
                department=self.roads,
                by=self.coordinator,
                now=NOW + timedelta(minutes=10),
            )

        department_nudge(
            department=self.roads, by=self.coordinator, now=NOW + timedelta(hours=2)
        )
        self.assertEqual(Message.objects.filter(kind="nudge").count(), 2)

    def test_it_refuses_when_nothing_lingers(self) -> None:
        with self.assertRaisesMessage(ActionError, "Nothing lingers in Roads"):
            department_nudge(department=self.roads, by=self.coordinator)

        self.assertFalse(Nudge.objects.exists())

    def test_it_is_for_coordinators_only(self) -> None:
        self.submit(5)

        with self.assertRaises(NotAllowed):
            department_nudge(department=self.roads, by=self.roads_lead)


class LingeringPageTestCase(LingeringBase):
    url = reverse("staff:lingering")

    def test_it_lists_lingering_requests_by_department(self) -> None:
        late = self.submit(5, address="12 Elm Street")
        self.client.force_login(self.coordinator)

        response = self.client.get(self.url)

        self.assertContains(response, "Roads <span")
        self.assertContains(
            response, f'href="{reverse("staff:request", args=[late.pk])}"'
        )
        self.assertContains(response, "Not acknowledged within target")
        self.assertContains(response, "1 not acknowledged within target")
        self.assertContains(response, "Not nudged yet.")

    def test_it_says_when_nothing_lingers(self) -> None:
        self.client.force_login(self.coordinator)
        self.assertContains(self.client.get(self.url), "Nothing lingers")

    def test_it_is_open_to_administrators(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_refuses_staff_and_says_why(self) -> None:
        self.client.force_login(self.roads_lead)

        response = self.client.get(self.url)

        self.assertContains(response, "is for coordinators", status_code=403)

    def test_it_sends_visitors_to_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response,
            f"{reverse('staff:login')}?next={self.url}",
            fetch_redirect_response=False,
        )

    def test_it_nudges_and_says_so(self) -> None:
        self.submit(5)
        self.client.force_login(self.coordinator)

        response = self.client.post(reverse("staff:nudge", args=["roads"]), follow=True)

        self.assertContains(
            response,
            "Sent Roads a friendly reminder at roads@testville.example listing "
            "1 request.",
        )
        self.assertContains(response, "Nudged 0\xa0minutes ago by Cora.")
        self.assertTrue(
            Message.objects.filter(kind="nudge", to=self.roads.email).exists()
        )

    def test_it_shows_a_refused_nudge_on_the_page(self) -> None:
        self.client.force_login(self.coordinator)

        response = self.client.post(reverse("staff:nudge", args=["roads"]), follow=True)

        self.assertContains(response, "Nothing lingers in Roads any more")
        self.assertEqual(response.status_code, 200)

    def test_it_refuses_a_nudge_by_staff(self) -> None:
        self.submit(5)
        self.client.force_login(self.roads_lead)

        response = self.client.post(reverse("staff:nudge", args=["roads"]))

        self.assertEqual(response.status_code, 403)
        self.assertFalse(Message.objects.filter(kind="nudge").exists())

    def test_it_refuses_a_nudge_by_get(self) -> None:
        self.client.force_login(self.coordinator)
        response = self.client.get(reverse("staff:nudge", args=["roads"]))
        self.assertEqual(response.status_code, 405)
