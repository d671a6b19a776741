"""Fill an empty database with Riverton, an invented town of 250,000, and a
year of its requests.

It exists so that anyone can try town311 in a minute, with queues to work,
lingering requests to chase and metrics worth comparing, and so that
developers and tests share one realistic data set. `make run` calls it with
--if-empty. Every demo login uses the password printed at the end.
"""

import argparse
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from town311.demo import town
from town311.demo.services import demo_town_load

DEFAULT_SEED = 311
DEFAULT_REQUESTS = 5000
LOGIN_URL = "http://127.0.0.1:8000/admin/"


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{value}” is not a date; write it as YYYY-MM-DD, e.g. 2026-05-31."
        ) from None


class Command(BaseCommand):
    help = "Load the Riverton demo town and a year of generated requests."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed and end date give the same data "
            f"(default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=DEFAULT_REQUESTS,
            help=f"How many requests to generate (default {DEFAULT_REQUESTS}).",
        )
        parser.add_argument(
            "--end-date",
            type=day,
            help="The last day of the history, YYYY-MM-DD, before today "
            "(default: the history ends now).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip loading, quietly, when the database already has data.",
        )
        group.add_argument(
            "--force",
            action="store_true",
            help="Delete all requests, the directory and the demo users, then load.",
        )

    def handle(self, *args, **options) -> str:
        if options["requests"] < 0:
            raise CommandError("--requests must be 0 or more.")

        end = self._end(options["end_date"])
        if town.database_holds_data() and not options["force"]:
            if options["if_empty"]:
                self._print_logins(options["verbosity"])
                return "The database is not empty; the demo was not loaded."

            raise CommandError(
                "The database already has a town, departments, services, "
                "neighbourhoods, places, requests or demo users. Use --force to "
                "delete them and load the demo, or --if-empty to leave them alone."
            )

        progress = None
        if options["verbosity"] >= 2:
            progress = self._progress

        demo, created = demo_town_load(
            seed=options["seed"],
            requests=options["requests"],
            end=end,
            replace=options["force"],
            progress=progress,
        )

        self._print_logins(options["verbosity"])
        campaigns = len(demo.campaigns)
        return (
            f"Loaded {demo.town.display_name}: {len(demo.departments)} departments, "
            f"{len(demo.services)} services, {created:,} requests, "
            f"{campaigns} campaign{'' if campaigns == 1 else 's'}."
        )

    def _end(self, end_date: date | None) -> datetime:
        """When the history ends: now, or the midnight that ends `end_date`
        in the town's time zone. A day still under way would put part of
        the history in the future, so it is refused."""
        if end_date is None:
            return timezone.now().replace(microsecond=0)

        zone = zoneinfo.ZoneInfo(town.TIME_ZONE)
        if end_date >= timezone.now().astimezone(zone).date():
            raise CommandError(
                "--end-date must be a day before today; leave it out to end the "
                "history now."
            )

        return datetime.combine(end_date + timedelta(days=1), time(), tzinfo=zone)

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"  {done:,} of {total:,} requests")

    def _print_logins(self, verbosity: int) -> None:
        if verbosity < 1:
            return

        self.stdout.write(f"Sign in at {LOGIN_URL} with password “{town.PASSWORD}”:")
        width = max(len(username) for username, _ in town.demo_logins())
        for username, role in town.demo_logins():
            self.stdout.write(f"  {username.ljust(width)}  {role}")
