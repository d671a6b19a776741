"""Remind people about requests nobody acknowledged in time.

A department's target is only a promise if someone notices when it slips.
This command sends the reminders described in `town311/staff/escalation.py`
(the assignee, then the department's leads, then the coordinators, one
working day apart, each once). Run it every few minutes from cron or a
scheduler; running it again, or on several machines at once, sends nothing
twice.
"""

from django.core.management.base import BaseCommand

from town311.staff.escalation import escalations_send, escalations_summary


class Command(BaseCommand):
    help = "E-mail escalation reminders about requests not acknowledged in time."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be sent, and send nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options) -> str:
        reminders = escalations_send(dry_run=dry_run)
        if dry_run and options["verbosity"] > 1:
            for reminder in reminders:
                names = ", ".join(p.username for p in reminder.recipients)
                self.stdout.write(
                    f"Request {reminder.request.number}: {reminder.step} ({names})"
                )

        return escalations_summary(reminders, dry_run=dry_run)
