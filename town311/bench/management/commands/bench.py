"""Time the metrics pages on a generated town of a million requests.

The dashboard, the trends, the monthly report and the CSV export must stay
usable for a large town on the hardware a small town can afford, on
PostgreSQL and on SQLite alike. `make bench` runs this once per database;
it generates the town on the first run (and whenever the count or seed
changes) and keeps it for the next, then prints each timing beside its
goal. With --api (or --api-only, on the town already generated) it also
loads the Open311 API through a real web server (town311.bench.api).
"""

import json
import logging
import time

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from town311.bench import api, measure
from town311.bench.generate import (
    NotABenchDatabase,
    first_month_for,
    marker_read,
    town_generate,
)
from town311.bench.measure import Figure
from town311.directory.models import Town
from town311.metrics import trends
from town311.metrics.leaderboard import Month
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

DEFAULT_REQUESTS = 1_000_000
DEFAULT_SEED = 311

# Goals on a two-core machine (docs/benchmarks.md).
DASHBOARD_GOALS = {"postgresql": 1.0, "sqlite": 3.0}
EXPORT_ROWS_PER_SECOND = 50_000
EXPORT_PEAK_MB = 300
API_LIST_MEDIAN_MS = {"postgresql": 50.0}
# Each endpoint keeps at least this share of its minimal view's throughput.
API_SHARE_OF_MINIMAL = 0.4


class Command(BaseCommand):
    help = "Generate a large town (once) and time the metrics on it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--requests",
            type=int,
            default=DEFAULT_REQUESTS,
            help=f"Requests in the generated town (default {DEFAULT_REQUESTS:,}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed of the generated town (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--export-here",
            action="store_true",
            help="Time the export in this process instead of a separate one; "
            "its peak memory then includes the generation.",
        )
        parser.add_argument(
            "--api",
            action="store_true",
            help="Also load the Open311 API through gunicorn and autocannon.",
        )
        parser.add_argument(
            "--api-only",
            action="store_true",
            help="Load only the Open311 API, on the town generated before; "
            "never generates one.",
        )
        parser.add_argument(
            "--api-list-days",
            type=int,
            default=api.LIST_DAYS,
            help="Days of the list call's date range, ending with the last "
            f"generated day (default {api.LIST_DAYS}).",
        )
        parser.add_argument(
            "--api-tasks-backend",
            choices=api.TASKS_BACKENDS,
            default="database",
            help="The task backend of the API's server (default database, as "
            "in production), whatever TASKS_BACKEND says.",
        )
        # The separate export process runs the command with this option.
        parser.add_argument("--export-only", action="store_true", help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["export_only"]:
            self.stdout.write(json.dumps(measure.export_here()))
            return

        if options["requests"] < 1:
            raise CommandError("--requests must be 1 or more.")
        if options["api_list_days"] < 1:
            raise CommandError("--api-list-days must be 1 or more.")

        _database_create()
        _migrate()
        vendor = connection.vendor
        self._print(f"{connection.display_name} ({_database_name()})")

        marker = marker_read()
        if options["api_only"]:
            if marker is None:
                raise CommandError(
                    "--api-only needs a generated town; run without it first."
                )
            month = Month(marker.last_month.year, marker.last_month.month)
            self._api(month, vendor, options)
            return

        wanted = (options["requests"], options["seed"])
        if marker is None or (marker.requests, marker.seed) != wanted:
            started = time.perf_counter()
            try:
                marker = town_generate(
                    requests=options["requests"],
                    seed=options["seed"],
                    first_month=first_month_for(timezone.now().date()),
                )
            except NotABenchDatabase as e:
                raise CommandError(str(e)) from None
            generated = f"generated in {time.perf_counter() - started:,.1f} s"
        else:
            generated = "kept from an earlier run"

        count = ServiceRequest.objects.count()
        self._print(
            f"  {count:,} requests over 24 months from "
            f"{marker.first_month:%Y-%m}, seed {marker.seed}, {generated}"
        )

        month = Month(marker.last_month.year, marker.last_month.month)
        zone = Town.objects.current().zone
        measures = [
            (
                f"dashboard {month} (and {month.previous})",
                lambda: measure.dashboard_seconds(month),
                DASHBOARD_GOALS.get(vendor),
            ),
            # The trends are timed once: each run reads a whole year.
            (
                "median_trend, 12 months",
                lambda: measure.timed(
                    lambda: trends.median_trend(last=month, months=12, zone=zone),
                    runs=1,
                ),
                None,
            ),
            (
                "channel_volume, 12 months",
                lambda: measure.timed(
                    lambda: trends.channel_volume(last=month, months=12, zone=zone),
                    runs=1,
                ),
                None,
            ),
            (f"report {month}, json", lambda: measure.report_seconds(month), None),
        ]
        figures = []
        for name, run, goal in measures:
            figures.append(Figure(name, run(), "s", goal=goal))
            self._print(figures[-1].line())

        if options["export_here"]:
            export = measure.export_here()
        else:
            export = measure.export_in_subprocess()
        figures += [
            Figure(
                f"CSV export, {export['rows']:,} rows",
                export["rows"] / export["seconds"],
                "rows/s",
                goal=EXPORT_ROWS_PER_SECOND,
                at_least=True,
            ),
            Figure("CSV export time", export["seconds"], "s"),
            Figure(
                "CSV export peak memory (RSS)",
                export["peak_kb"] / 1024,
                "MB",
                goal=EXPORT_PEAK_MB,
            ),
        ]
        for figure in figures[-3:]:
            self._print(figure.line())

        if options["api"]:
            figures += self._api(month, vendor, options, summary=False)

        self._summary(figures, vendor)

    def _api(
        self, month: Month, vendor: str, options: dict, summary: bool = True
    ) -> list[Figure]:
        tasks_backend = options["api_tasks_backend"]
        self._print(
            f"  Open311 API: gunicorn, {api.WORKERS} gthread workers, tasks "
            f"{tasks_backend}; each URL {api.WARM_UP_SECONDS} s warm-up, then "
            f"{api.SECONDS} s at {api.LATENCY_CONNECTIONS} connections for the "
            f"median latency and {api.SECONDS} s at {api.THROUGHPUT_CONNECTIONS} "
            "for the requests per second"
        )
        loads = api.api_loads(
            month, tasks_backend=tasks_backend, list_days=options["api_list_days"]
        )
        for line in _api_table(loads):
            self._print(line)

        figures = _api_figures(loads, vendor)
        self._print("  API goals:")
        for figure in figures:
            self._print(figure.line())
        if summary:
            self._summary(figures, vendor)
        return figures

    def _summary(self, figures: list[Figure], vendor: str) -> None:
        missed = [f.name for f in figures if f.verdict == "MISS"]
        logger.info("Benchmark on %s: %d goals missed", vendor, len(missed))
        self.stdout.write(
            f"  {len(missed)} goal{'s' if len(missed) != 1 else ''} missed"
            + (f": {', '.join(missed)}" if missed else "")
        )

    def _print(self, line: str) -> None:
        # Each figure takes a while; show it as soon as it is known.
        self.stdout.write(line)
        self.stdout.flush()


def _api_table(loads: dict) -> list[str]:
    """One line per URL: the requests a GET answers, its median latency at
    four connections, its throughput at ten, and that throughput as a share
    of its minimal view's (the line above it)."""
    latency = f"median @{api.LATENCY_CONNECTIONS}"
    throughput = f"req/s @{api.THROUGHPUT_CONNECTIONS}"
    lines = [
        f"  {'call':<40} {'rows':>5} {latency:>11} {throughput:>11}"
        f" {'of minimal':>10} {'failed':>7}"
    ]
    minimal = None
    for key, (call, measured) in loads.items():
        share = ""
        if key.endswith(" minimal"):
            minimal = measured
        elif minimal is not None:
            share = f"{_share(measured, minimal):.1f}%"
        rows = "" if call.rows is None else f"{call.rows:,}"
        failed = measured.latency.failed + measured.throughput.failed
        lines.append(
            f"  {call.label:<40} {rows:>5} {measured.latency.median_ms:>8,.1f} ms"
            f" {measured.throughput.per_second:>11,.1f} {share:>10} {failed:>7,}"
        )
    return lines


def _share(ours, minimal) -> float:
    return 100 * ours.throughput.per_second / minimal.throughput.per_second


def _api_figures(loads: dict, vendor: str) -> list[Figure]:
    """The API's goals, each with its verdict; the 90-day page has none."""
    figure = {key: measured for key, (_, measured) in loads.items()}
    figures = [
        Figure(
            f"GET poll ({api.POLL_DAYS} day) median @{api.LATENCY_CONNECTIONS}",
            figure["poll"].latency.median_ms,
            "ms",
            goal=API_LIST_MEDIAN_MS.get(vendor),
        ),
        Figure(
            "GET poll, share of minimal",
            _share(figure["poll"], figure["poll minimal"]),
            "%",
            goal=100 * API_SHARE_OF_MINIMAL,
            at_least=True,
        ),
        Figure(
            f"GET list median @{api.LATENCY_CONNECTIONS}",
            figure["list"].latency.median_ms,
            "ms",
        ),
        Figure(
            "GET list, share of minimal",
            _share(figure["list"], figure["list minimal"]),
            "%",
            goal=100 * API_SHARE_OF_MINIMAL,
            at_least=True,
        ),
        Figure(
            "GET default page, share of minimal",
            _share(figure["page"], figure["page minimal"]),
            "%",
        ),
        Figure(
            "POST, share of minimal",
            _share(figure["post"], figure["post minimal"]),
            "%",
            goal=100 * API_SHARE_OF_MINIMAL,
            at_least=True,
        ),
    ]
    for key, measured in figure.items():
        failed = measured.latency.failed + measured.throughput.failed
        if failed:
            logger.warning("API benchmark %s: %d calls failed", key, failed)
    return figures


def _database_name() -> str:
    return str(connection.settings_dict["NAME"])


def _database_create() -> None:
    """Create the PostgreSQL database if it is not there yet; SQLite
    creates its file by itself."""
    if connection.vendor != "postgresql":
        return

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as e:
        raise CommandError(f"Cannot create the database {name}: {e}") from None


def _migrate() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
