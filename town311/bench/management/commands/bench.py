"""Time the metrics pages on a generated town of a million requests.

The dashboard, the trends, the monthly report and the CSV export must stay
usable for a large town on the hardware a small town can afford, on
PostgreSQL and on SQLite alike. `make bench` runs this once per database;
it generates the town on the first run (and whenever the count or seed
changes) and keeps it for the next, then prints each timing beside its
goal.
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
        # The separate export process runs the command with this option.
        parser.add_argument("--export-only", action="store_true", help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["export_only"]:
            self.stdout.write(json.dumps(measure.export_here()))
            return

        if options["requests"] < 1:
            raise CommandError("--requests must be 1 or more.")

        _database_create()
        _migrate()
        vendor = connection.vendor
        self._print(f"{connection.display_name} ({_database_name()})")

        marker = marker_read()
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
            api_figures = _api_figures(api.api_loads(month), vendor)
            for figure in api_figures:
                self._print(figure.line())
            figures += api_figures

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


def _api_figures(loads: dict, vendor: str) -> list[Figure]:
    figures = []
    for kind, endpoint in (
        ("read", "GET requests.json"),
        ("write", "POST requests.json"),
    ):
        minimal, ours = (
            loads[f"{kind} minimal"],
            loads[f"{kind} {'list' if kind == 'read' else 'post'}"],
        )
        figures += [
            Figure(f"minimal {kind} view median", minimal.median_ms, "ms"),
            Figure(f"minimal {kind} view", minimal.per_second, "req/s"),
            Figure(
                f"{endpoint} median",
                ours.median_ms,
                "ms",
                goal=API_LIST_MEDIAN_MS.get(vendor) if kind == "read" else None,
            ),
            Figure(f"{endpoint}", ours.per_second, "req/s"),
            Figure(
                f"{endpoint} share of minimal",
                100 * ours.per_second / minimal.per_second,
                "%",
                goal=100 * API_SHARE_OF_MINIMAL,
                at_least=True,
            ),
        ]
        if minimal.failed or ours.failed:
            logger.warning(
                "API benchmark %s: %d and %d calls failed",
                kind,
                minimal.failed,
                ours.failed,
            )
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
