"""Delete the photos of report forms that were never sent.

The report form uploads each photo as soon as it is picked, before the
request exists, so a resident who gives up half-way leaves photos behind:
often of their street, their house or their car. Nobody will ever see
them, and keeping them would hold on to images of people for no reason.
Run this daily (from cron or the platform's scheduler); it deletes drafts
older than a day, files included.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from town311.servicerequests.photos import photo_drafts_prune


class Command(BaseCommand):
    help = "Delete photos uploaded more than a day ago for requests never submitted."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the drafts that would be deleted, and delete nothing.",
        )

    def handle(self, *args, **options) -> str:
        count = photo_drafts_prune(dry_run=options["dry_run"])
        if options["dry_run"]:
            return ngettext(
                "Would delete %(count)d photo draft older than a day.",
                "Would delete %(count)d photo drafts older than a day.",
                count,
            ) % {"count": count}

        return ngettext(
            "Deleted %(count)d photo draft older than a day.",
            "Deleted %(count)d photo drafts older than a day.",
            count,
        ) % {"count": count}
