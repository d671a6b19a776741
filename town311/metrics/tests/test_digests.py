"""The daily lingering digest: one e-mail per department, one per
coordinator, and none when nothing lingers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

from town311.accounts.models import User
from town311.metrics.digests import lingering_digests_send
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
# Monday 1 June 2026, mid-morning.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=CHICAGO)
TODAY = date(2026, 6, 1)


class DigestBase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.coordinator.email = "cora@testville.example"
        self.coordinator.save()

    def submit(self, days_ago: float, service=None) -> ServiceRequest:
        return services.request_submit(
            service=service or self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=NOW - timedelta(days=days_ago),
        )

    def digests(self, kind: str = "lingering-digest") -> list[Message]:
        return list(Message.objects.filter(kind=kind).order_by("to"))


class LingeringDigestsTestCase(DigestBase):
    def test_it_sends_each_department_its_own_lingering_requests(self) -> None:
        late_pothole = self.submit(5)
        stale_pothole = self.submit(20)
        services.request_acknowledge(
            stale_pothole, by=self.roads_clerk, at=NOW - timedelta(days=19)
        )
        self.submit(0.5)  # Within target.
        late_park = self.submit(4, service=self.park_upkeep)

        lingering_digests_send(today=TODAY)

        parks, roads = self.digests()
        self.assertEqual(roads.to, "roads@testville.example")
        self.assertEqual(roads.subject, "2 requests lingering in Roads this morning")
        self.assertIn("Good morning, Roads team,", roads.body_text)
        self.assertIn("as of Monday 1 June: 2 requests", roads.body_text)
        self.assertIn("1 not acknowledged within your target", roads.body_text)
        self.assertIn("1 with no update for residents in 14 days", roads.body_text)
        for found in (late_pothole, stale_pothole):
            link = f"{settings.SITE_URL}/staff/requests/{found.pk}/"
            self.assertIn(f"Request {found.number}", roads.body_text)
            self.assertIn(link, roads.body_text)
            self.assertIn(f'href="{link}"', roads.body_html)
        self.assertNotIn(f"Request {late_park.number}:", roads.body_text)

        self.assertEqual(parks.to, "parks@testville.example")
        self.assertEqual(parks.subject, "1 request lingering in Parks this morning")
        self.assertIn(f"Request {late_park.number}", parks.body_text)
        self.assertNotIn(f"Request {late_pothole.number}:", parks.body_text)

    def test_it_sends_coordinators_every_department(self) -> None:
        late_pothole = self.submit(5)
        late_park = self.submit(4, service=self.park_upkeep)

        lingering_digests_send(today=TODAY)

        [digest] = self.digests("lingering-digest-coordinator")
        self.assertEqual(digest.to, "cora@testville.example")
        self.assertEqual(
            digest.subject, "2 requests lingering across town this morning"
        )
        self.assertIn("Good morning, Cora,", digest.body_text)
        self.assertIn("Parks: 1, 1 not acknowledged within target", digest.body_text)
        self.assertIn("Roads: 1, 1 not acknowledged within target", digest.body_text)
        for found in (late_pothole, late_park):
            link = f"{settings.SITE_URL}/staff/requests/{found.pk}/"
            self.assertIn(link, digest.body_text)
            self.assertIn(f'href="{link}"', digest.body_html)

    def test_it_leaves_out_departments_with_nothing_lingering(self) -> None:
        self.submit(5)
        self.submit(0.2, service=self.park_upkeep)

        lingering_digests_send(today=TODAY)

        self.assertEqual([m.to for m in self.digests()], ["roads@testville.example"])
        [digest] = self.digests("lingering-digest-coordinator")
        self.assertNotIn("Parks", digest.body_text)

    def test_it_skips_inactive_coordinators_and_ones_without_an_address(self) -> None:
        self.submit(5)
        self.coordinator.is_active = False
        self.coordinator.save()
        User.objects.create_user("no-address", role=User.Role.COORDINATOR)

        lingering_digests_send(today=TODAY)

        self.assertEqual(self.digests("lingering-digest-coordinator"), [])
        self.assertEqual(len(self.digests()), 1)

    def test_it_sends_nothing_when_nothing_lingers(self) -> None:
        self.submit(0.5)

        sent = lingering_digests_send(today=TODAY)

        self.assertEqual(sent, [])
        self.assertFalse(Message.objects.filter(kind__startswith="lingering").exists())
