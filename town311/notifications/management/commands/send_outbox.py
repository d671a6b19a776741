"""Send the outbox messages that are due.

Delivery normally happens in the background right after each change; this
command sweeps up what a stopped worker or a mail outage left behind. Run it
from cron every few minutes, or let the scheduler run it.
"""

from django.core.management.base import BaseCommand

from town311.notifications.services import messages_send_due


class Command(BaseCommand):
    help = "Send outbox messages that are due, retrying earlier failures."

    def handle(self, *args, **options) -> str:
        run = messages_send_due()
        return (
            f"Sent {run.sent} message(s); {run.retrying} failed and will be "
            f"retried, {run.given_up} given up."
        )
