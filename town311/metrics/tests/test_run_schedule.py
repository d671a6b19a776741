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


class ScheduleBase(BaseTestCase):
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

    def monthly_reports(self) -> int:
        return Message.objects.filter(kind__startswith="monthly-report").count()


class RunScheduleTestCase(ScheduleBase):
    def test_it_sends_the_digest_once_per_local_day(self) -> None:
        monday_7 = datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO)

        summary = self.run_schedule(monday_7)
        again = self.run_schedule(monday_7 + timedelta(minutes=5))

        self.assertEqual(self.digests(), 1)
        self.assertIn("lingering digest for 2026-06-01: 1 e-mail(s)", summary)
        self.assertIn("lingering digest already sent for 2026-06-01", again)
        [run] = JobRun.objects.filter(job="lingering-digest")
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
        periods = (
            JobRun.objects.filter(job="lingering-digest")
            .order_by("period")
            .values_list("period", flat=True)
        )
        self.assertEqual(list(periods), ["2026-06-01", "2026-06-02"])

    def test_it_runs_escalations_and_the_outbox_every_time(self) -> None:
        self.roads_lead.email = "luis@testville.example"
        self.roads_lead.save()

        summary = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))

        self.assertIn("Sent 1 escalation reminder(s) in 1 e-mail(s)", summary)
        self.assertIn("outbox: 4 sent", summary)
        sent = Message.objects.filter(status=Message.Status.SENT)
        self.assertEqual(
            sorted(sent.values_list("kind", flat=True)),
            ["escalation", "lingering-digest", "monthly-report", "monthly-report"],
        )

    def test_a_dry_run_sends_and_records_nothing(self) -> None:
        summary = self.run_schedule(
            datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO), "--dry-run"
        )

        self.assertIn("would send the lingering digest for 2026-06-01", summary)
        self.assertIn("would send the monthly report for 2026-05", summary)
        self.assertIn("would sweep the outbox", summary)
        self.assertEqual(self.digests(), 0)
        self.assertEqual(self.monthly_reports(), 0)
        self.assertFalse(JobRun.objects.exists())

    def test_nothing_lingering_sends_no_digest_but_claims_the_day(self) -> None:
        ServiceRequest.objects.all().delete()

        summary = self.run_schedule(datetime(2026, 6, 1, 8, 0, tzinfo=CHICAGO))

        self.assertIn("lingering digest for 2026-06-01: 0 e-mail(s)", summary)
        self.assertEqual(self.digests(), 0)


class MonthlyReportScheduleTestCase(ScheduleBase):
    """The monthly report for May goes out once, from 07:00 on 1 June; to
    the Roads and Parks addresses, as neither department has a lead with
    an address."""

    def test_it_sends_the_report_on_the_first_at_7_and_not_twice(self) -> None:
        first = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))
        again = self.run_schedule(datetime(2026, 6, 1, 7, 5, tzinfo=CHICAGO))
        next_day = self.run_schedule(datetime(2026, 6, 2, 7, 0, tzinfo=CHICAGO))

        self.assertIn("monthly report for 2026-05: 2 e-mail(s)", first)
        self.assertIn("monthly report already sent for 2026-05", again)
        self.assertIn("monthly report already sent for 2026-05", next_day)
        self.assertEqual(
            sorted(
                Message.objects.filter(kind="monthly-report").values_list(
                    "to", flat=True
                )
            ),
            ["parks@testville.example", "roads@testville.example"],
        )
        self.assertTrue(
            JobRun.objects.filter(job="monthly-report", period="2026-05").exists()
        )

    def test_it_waits_for_7_am_on_the_first_in_the_towns_time_zone(self) -> None:
        # 11:30 UTC is 06:30 in Chicago; 04:00 UTC on the 1st is still May there.
        for moment in (
            datetime(2026, 6, 1, 4, 0, tzinfo=UTC),
            datetime(2026, 6, 1, 11, 30, tzinfo=UTC),
        ):
            summary = self.run_schedule(moment)
            self.assertEqual(self.monthly_reports(), 0)

        self.assertIn("monthly report for 2026-05 not due before 07:00", summary)
        self.assertFalse(JobRun.objects.filter(job="monthly-report").exists())

        self.run_schedule(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
        self.assertEqual(self.monthly_reports(), 2)

    def test_a_report_missed_on_the_first_goes_out_in_the_first_week(self) -> None:
        summary = self.run_schedule(datetime(2026, 6, 3, 5, 0, tzinfo=CHICAGO))

        self.assertIn("monthly report for 2026-05: 2 e-mail(s)", summary)

    def test_after_the_first_week_the_schedule_leaves_it_to_a_person(self) -> None:
        summary = self.run_schedule(datetime(2026, 6, 8, 9, 0, tzinfo=CHICAGO))

        self.assertIn("monthly report not due", summary)
        self.assertEqual(self.monthly_reports(), 0)
        self.assertFalse(JobRun.objects.filter(job="monthly-report").exists())

    def test_it_skips_a_month_another_machine_claimed(self) -> None:
        JobRun.objects.create(
            job="monthly-report", period="2026-05", started_at=timezone.now()
        )

        dry = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO), "--dry-run")
        summary = self.run_schedule(datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO))

        self.assertIn("monthly report already sent for 2026-05", dry)
        self.assertIn("monthly report already sent for 2026-05", summary)
        self.assertEqual(self.monthly_reports(), 0)
