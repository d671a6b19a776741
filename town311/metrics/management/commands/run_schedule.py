"""Run the periodic jobs that are due, at the right local time.

One command for cron or systemd instead of a crontab line per job, so the
times live in code, in the town's time zone, and survive a server set to
UTC. The jobs:

- the lingering digest, once per local day from 07:00 (a run missed at
  07:00 sends it at the next run that day);
- the monthly report (`town311/metrics/monthly.py`) for the month just
  ended, once per month from 07:00 on the 1st; a run missed then (the
  server was down) sends it at the next run in the first week, and after
  the 7th the schedule leaves a missed report to a coordinator, who can
  send it from /metrics/monthly/, rather than surprise everyone with last
  month's figures weeks late;
- escalation reminders (`town311/staff/escalation.py`), every run;
- the outbox sweep (`messages_send_due`), every run;
- API posts whose filing task was lost (`posted_requests_file_late`),
  every run.

Several machines may run this at once. A daily or monthly job claims its
day or month with a `JobRun` row, unique per job and period, in the same
transaction as the e-mails it queues: the second machine finds the row and
skips the job, and a job that fails leaves no row, so the next run tries
again. The jobs run every time already send nothing twice on their own.
See docs/scheduling.md.
"""

import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from town311.directory.models import Town
from town311.metrics.digests import lingering_digests_send
from town311.metrics.leaderboard import Month
from town311.metrics.models import JobRun
from town311.metrics.monthly import monthly_reports_send
from town311.notifications.services import messages_send_due
from town311.open311.services import posted_requests_file_late
from town311.staff.escalation import escalations_send, escalations_summary

DIGEST_JOB = "lingering-digest"
DIGEST_HOUR = 7
MONTHLY_JOB = "monthly-report"
MONTHLY_HOUR = 7
# The last day of a month on which a missed report still goes out.
MONTHLY_LAST_DAY = 7
LOOP_INTERVAL = timedelta(seconds=60)


def _local_now() -> datetime:
    town = Town.objects.current()
    zone = town.zone if town else timezone.get_current_timezone()
    return timezone.now().astimezone(zone)


def _digest(now: datetime, dry_run: bool) -> str:
    if now.hour < DIGEST_HOUR:
        return f"lingering digest not due before {DIGEST_HOUR:02}:00"

    today = now.date()
    period = today.isoformat()
    if dry_run:
        if JobRun.objects.filter(job=DIGEST_JOB, period=period).exists():
            return f"lingering digest already sent for {period}"
        return f"would send the lingering digest for {period}"

    with transaction.atomic():
        _, created = JobRun.objects.get_or_create(
            job=DIGEST_JOB, period=period, defaults={"started_at": timezone.now()}
        )
        if not created:
            return f"lingering digest already sent for {period}"

        messages = lingering_digests_send(today=today)

    return f"lingering digest for {period}: {len(messages)} e-mail(s)"


def _monthly_report(now: datetime, dry_run: bool) -> str:
    month = Month(now.year, now.month).previous
    period = str(month)
    if now.day == 1 and now.hour < MONTHLY_HOUR:
        return f"monthly report for {period} not due before {MONTHLY_HOUR:02}:00"

    if now.day > MONTHLY_LAST_DAY:
        return "monthly report not due"

    if dry_run:
        if JobRun.objects.filter(job=MONTHLY_JOB, period=period).exists():
            return f"monthly report already sent for {period}"
        return f"would send the monthly report for {period}"

    with transaction.atomic():
        _, created = JobRun.objects.get_or_create(
            job=MONTHLY_JOB, period=period, defaults={"started_at": timezone.now()}
        )
        if not created:
            return f"monthly report already sent for {period}"

        messages = monthly_reports_send(month)

    return f"monthly report for {period}: {len(messages)} e-mail(s)"


def _escalations(dry_run: bool) -> str:
    reminders = escalations_send(dry_run=dry_run)
    return escalations_summary(reminders, dry_run=dry_run).rstrip(".")


def _outbox(dry_run: bool) -> str:
    if dry_run:
        return "would sweep the outbox"

    run = messages_send_due()
    return f"outbox: {run.sent} sent, {run.retrying} retrying, {run.given_up} given up"


def _api_posts(dry_run: bool) -> str:
    if dry_run:
        return "would file late API posts"

    return f"API posts: {posted_requests_file_late()} filed"


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that are due (lingering digest, monthly report, "
        "escalations, outbox, late API posts)."
    )

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs that are due and exit (the default).",
        )
        mode.add_argument(
            "--loop",
            action="store_true",
            help="Run the jobs that are due every 60 seconds until interrupted.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would run, and run nothing.",
        )

    def handle(self, *args, loop: bool = False, dry_run: bool = False, **options):
        if not loop:
            return self.run_due(dry_run)

        try:
            while True:
                started = time.monotonic()
                self.stdout.write(self.run_due(dry_run))
                elapsed = time.monotonic() - started
                time.sleep(max(LOOP_INTERVAL.total_seconds() - elapsed, 0))
        except KeyboardInterrupt:
            return None

    def run_due(self, dry_run: bool) -> str:
        now = _local_now()
        parts = [
            _digest(now, dry_run),
            _monthly_report(now, dry_run),
            _escalations(dry_run),
            _outbox(dry_run),
            _api_posts(dry_run),
        ]
        return f"{now:%Y-%m-%d %H:%M %Z}: " + "; ".join(parts) + "."
