"""run_schedule: the digest once per local day, from 07:00 in the town's
time zone, on however many machines."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.utils import timezone

from town311.metrics.models import JobRun
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
UTC = ZoneInfo("UTC")


class RunScheduleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Not acknowledged within Roads' 2 working days by Monday 1 June.
        services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=datetime(2026, 5, 25, 10, 0, tzinfo=CHICAGO),
        )

    def run_schedule(self, moment: datetime, *args: str) -> str:
        with time_machine.travel(moment, tick=False):
            return call_command("run_schedule", *args, stdout=StringIO())

    def digests(self) -> int:
        return Message.objects.filter(kind="lingering-digest").count()

    def test_it_sends_the_digest_once_per_local_day(self) -> None:
        monday_7 = datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO)

        summary = self.run_schedule(monday_7)
        again = self.run_schedule(monday_7 + timedelta(minutes=5))

        self.assertEqual(self.digests(), 1)
        self.assertIn("lingering digest for 2026-06-01: 1 e-mail(s)", summary)
        self.assertIn("lingering digest already sent for 2026-06-01", again)
        [run] = JobRun.objects.all()
        self.assertEqual((run.job, run.period), ("lingering-digest", "2026-06-01"))

    def test_it_skips_the_digest_another_machine_claimed(self) -> None:
        JobRun.objects.create(
            job="lingering-digest", period="2026-06-01", started_at=timezone.now()
        )

        summary = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))

        self.assertEqual(self.digests(), 0)
        self.assertIn("already sent for 2026-06-01", summary)

    def test_it_waits_for_7_am_in_the_towns_time_zone(self) -> None:
        # 11:30 UTC is 06:30 in Chicago (daylight time).
        summary = self.run_schedule(datetime(2026, 6, 1, 11, 30, tzinfo=UTC))

        self.assertEqual(self.digests(), 0)
        self.assertIn("not due before 07:00", summary)
        self.assertFalse(JobRun.objects.exists())

        self.run_schedule(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
        self.assertEqual(self.digests(), 1)

    def test_it_counts_days_in_the_towns_time_zone(self) -> None:
        self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))
        # Already Tuesday in UTC, still Monday evening in Chicago.
        self.run_schedule(datetime(2026, 6, 2, 1, 0, tzinfo=UTC))
        self.assertEqual(self.digests(), 1)

        self.run_schedule(datetime(2026, 6, 2, 7, 0, tzinfo=CHICAGO))
        self.assertEqual(self.digests(), 2)
        periods = JobRun.objects.order_by("period").values_list("period", flat=True)
        self.assertEqual(list(periods), ["2026-06-01", "2026-06-02"])

    def test_it_runs_escalations_and_the_outbox_every_time(self) -> None:
        self.roads_lead.email = "luis@testville.example"
        self.roads_lead.save()

        summary = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))

        self.assertIn("Sent 1 escalation reminder(s) in 1 e-mail(s)", summary)
        self.assertIn("outbox: 2 sent", summary)
        sent = Message.objects.filter(status=Message.Status.SENT)
        self.assertEqual(
            sorted(sent.values_list("kind", flat=True)),
            ["escalation", "lingering-digest"],
        )

    def test_a_dry_run_sends_and_records_nothing(self) -> None:
        summary = self.run_schedule(
            datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO), "--dry-run"
        )

        self.assertIn("would send the lingering digest for 2026-06-01", summary)
        self.assertIn("would sweep the outbox", summary)
        self.assertEqual(self.digests(), 0)
        self.assertFalse(JobRun.objects.exists())

    def test_nothing_lingering_sends_no_digest_but_claims_the_day(self) -> None:
        ServiceRequest.objects.all().delete()

        summary = self.run_schedule(datetime(2026, 6, 1, 8, 0, tzinfo=CHICAGO))

        self.assertIn("lingering digest for 2026-06-01: 0 e-mail(s)", summary)
        self.assertEqual(self.digests(), 0)
