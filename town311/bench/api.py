"""The API benchmark: the Open311 endpoints under load, beside minimal views.

A real web server (gunicorn, two workers, DEBUG off) serves the generated
town, and autocannon loads it over loopback. Each endpoint takes turns
with its minimal counterpart, a view doing the least work that gives the
same answer, so the ratio between them holds even when the machine is
busy with other work.

After a warm-up, every URL is loaded with four connections (two per
worker, so each worker always has a call waiting) for the median latency,
and with ten for the throughput.
"""

import itertools
import json
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from shapely.geometry import Point
from shapely.prepared import prep

from town311.accounts.models import User
from town311.bench.api_views import DEFAULT_DAYS, PAGE_SIZE
from town311.directory.models import Service, Town
from town311.lib.geo import parse_area
from town311.metrics.figures import local_midnight
from town311.metrics.leaderboard import Month
from town311.notifications.models import Message
from town311.open311.keys import api_key_create
from town311.open311.models import ApiKey, ApiRateWindow, RequestToken
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

AUTOCANNON = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "autocannon"
POST_LOAD = Path(__file__).with_name("post_load.js")
WORKERS = 2
LATENCY_CONNECTIONS = 2 * WORKERS
THROUGHPUT_CONNECTIONS = 10
SECONDS = 10
# Each figure's seconds are split into this many turns, alternating with
# the other calls of its group.
ROUNDS = 2
WARM_UP_SECONDS = 3
LIST_DAYS = 7
# A client polling for what is new asks for the last day.
POLL_DAYS = 1
# Posts take these points in turn, each inside the town boundary.
POST_POINTS = 500
BENCH_KEY_NAME = "Benchmark (make bench)"
SERVER_START_SECONDS = 30
TASKS_BACKENDS = ("database", "immediate")

DESCRIPTIONS = (
    "Pothole in the right lane, about a foot across.",
    "Streetlight out since last week; the corner is dark.",
    "Overflowing bin by the bus stop.",
    "Graffiti on the underpass wall, facing the path.",
)


@dataclass(frozen=True)
class Load:
    """What autocannon measured for one URL at one concurrency."""

    median_ms: float
    per_second: float
    answered: int
    failed: int
    seconds: float = 0.0


@dataclass(frozen=True)
class Measured:
    """One URL's median latency run and throughput run."""

    latency: Load
    throughput: Load


@dataclass(frozen=True)
class Call:
    key: str
    label: str
    url: str
    # Form bodies for a post, taken in turn; None for a GET.
    bodies: list[str] | None = None
    # How many requests a GET answers.
    rows: int | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_key() -> tuple[ApiKey, str]:
    """A fresh key for this run, limited far above what the load reaches."""
    ApiKey.objects.filter(name=BENCH_KEY_NAME).delete()
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    return api_key_create(name=BENCH_KEY_NAME, owner=owner, rate_limit=10**9)


def last_days(last_day: date, zone, days: int = LIST_DAYS) -> tuple[str, str]:
    """The `days` days ending with `last_day` in the town's zone, as the
    API's start_date and end_date."""
    end = local_midnight(last_day + timedelta(days=1), zone)
    start = local_midnight(last_day - timedelta(days=days - 1), zone)
    return start.isoformat(), end.isoformat()


def busiest_service(start: str, end: str) -> Service:
    """The public service with the most public requests in [start, end]."""
    top = (
        ServiceRequest.objects.public()
        .filter(submitted_at__gte=start, submitted_at__lte=end)
        .values("service")
        .annotate(n=Count("pk"))
        .order_by("-n", "service")
        .first()
    )
    return Service.objects.get(pk=top["service"])


def postable_service() -> Service:
    """A public service with no required questions, so a bare post is valid."""
    return (
        Service.objects.public()
        .exclude(attributes__required=True)
        .order_by("order", "pk")
        .first()
    )


def points_inside(boundary: str, count: int, seed: int = 311) -> list[tuple]:
    """`count` (lat, long) points spread over the town, the same every run."""
    area = parse_area(boundary)
    inside = prep(area)
    west, south, east, north = area.bounds
    rng = random.Random(seed)
    points = []
    while len(points) < count:
        lat, long = (
            round(rng.uniform(south, north), 6),
            round(rng.uniform(west, east), 6),
        )
        if inside.contains(Point(long, lat)):
            points.append((lat, long))
    return points


def post_bodies(api_key: str, service_code: str, points: list[tuple]) -> list[str]:
    """One form body per point, each with a different description; "[n]"
    in the description becomes the call's number (post_load.js)."""
    bodies = []
    for i, (lat, long) in enumerate(points):
        body = urlencode(
            {
                "api_key": api_key,
                "service_code": service_code,
                "lat": f"{lat:.6f}",
                "long": f"{long:.6f}",
                "description": DESCRIPTIONS[i % len(DESCRIPTIONS)] + " Report ",
            }
        )
        # urlencode would escape the marker.
        bodies.append(body + "[n]")
    return bodies


class Server:
    """gunicorn serving this database with the bench URLs, for one run."""

    def __init__(self, *, tasks_backend: str = "database") -> None:
        if tasks_backend not in TASKS_BACKENDS:
            raise ValueError(f"Unknown tasks backend {tasks_backend!r}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.tasks_backend = tasks_backend

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "town311.bench.settings",
            "DATABASE_URL": settings.DATABASE_URL,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base,
            # Set, never inherited: a shell that exported "immediate" for
            # the tests would otherwise send every post's e-mail work
            # into the measured call, which production never does.
            "TASKS_BACKEND": self.tasks_backend,
            "LOG_LEVEL": "ERROR",
        }

    def __enter__(self) -> "Server":
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "town311.wsgi",
                "-w",
                str(WORKERS),
                # One call at a time per worker, as the default sync worker
                # does, but with keep-alive: autocannon holds its
                # connections open, and a server that closes each one makes
                # its latencies meaningless.
                "-k",
                "gthread",
                "--threads",
                "1",
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=self.environment(),
        )
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting; see above.")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS} s.")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load(
    url: str,
    *,
    connections: int,
    seconds: int,
    bodies: list[str] | None = None,
    first: int = 0,
) -> Load:
    """autocannon's figures for `url`; bodies make it a form post, with
    "[n]" in them replaced by the call's number, counted from `first`."""
    if bodies is None:
        command = [str(AUTOCANNON), "-j", "-c", str(connections), "-d", str(seconds)]
        result = _run([*command, url])
    else:
        config = {
            "url": url,
            "bodies": bodies,
            "first": first,
            "connections": connections,
            "seconds": seconds,
        }
        result = _run(["node", str(POST_LOAD)], stdin=json.dumps(config))
    if not result.stdout.strip():
        raise RuntimeError(f"autocannon gave no figures for {url}: {result.stderr}")

    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # Only answers that worked count towards the throughput.
    return Load(
        median_ms=figures["latency"]["p50"],
        per_second=figures["2xx"] / figures["duration"],
        answered=figures["2xx"],
        failed=figures["non2xx"] + figures["errors"] + figures["timeouts"],
        seconds=figures["duration"],
    )


def _run(command: list[str], stdin: str | None = None):
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )


# Each load's calls are numbered from the next multiple of this, so no two
# calls of a benchmark share a number (a load makes far fewer calls).
CALLS_PER_LOAD = 10**8
_loads = itertools.count(1)


def measured(calls: list[Call], base: str) -> dict[str, Measured]:
    """Each call's figures. The calls of a group take turns, in rounds, so
    an endpoint and its minimal view see the same machine: a load that
    comes and goes elsewhere falls on both."""

    def at(call: Call, connections: int, seconds: int) -> Load:
        return load(
            base + call.url,
            connections=connections,
            seconds=seconds,
            bodies=call.bodies,
            first=next(_loads) * CALLS_PER_LOAD,
        )

    def rounds(connections: int) -> list[Load]:
        runs = {call.key: [] for call in calls}
        for _ in range(ROUNDS):
            for call in calls:
                runs[call.key].append(at(call, connections, SECONDS // ROUNDS))
        return [_combined(runs[call.key]) for call in calls]

    # The first calls load code, fill caches and open connections.
    for call in calls:
        at(call, THROUGHPUT_CONNECTIONS, WARM_UP_SECONDS)
    latency = rounds(LATENCY_CONNECTIONS)
    throughput = rounds(THROUGHPUT_CONNECTIONS)
    return {
        call.key: Measured(latency=lat, throughput=thr)
        for call, lat, thr in zip(calls, latency, throughput, strict=True)
    }


def _combined(runs: list[Load]) -> Load:
    """The rounds of one URL as one load: the median of the rounds'
    medians (they are equally long), and all answers over all the time."""
    answered = sum(r.answered for r in runs)
    seconds = sum(r.seconds for r in runs)
    return Load(
        median_ms=statistics.median(r.median_ms for r in runs),
        per_second=answered / seconds,
        answered=answered,
        failed=sum(r.failed for r in runs),
        seconds=seconds,
    )


def api_calls(
    month: Month, raw_key: str, api_key: ApiKey, *, list_days: int = LIST_DAYS
) -> list[Call]:
    """What the benchmark loads, each minimal view just before its
    endpoint."""
    town = Town.objects.current()
    last_day = month.following.first_day - timedelta(days=1)
    start, end = last_days(last_day, town.zone, list_days)
    service = busiest_service(start, end)
    week = urlencode(
        {"start_date": start, "end_date": end, "service_code": service.code}
    )
    week_rows = (
        ServiceRequest.objects.public()
        .filter(service=service, submitted_at__gte=start, submitted_at__lte=end)
        .count()
    )
    page_rows = (
        ServiceRequest.objects.public()
        .filter(submitted_at__gte=timezone.now() - timedelta(days=DEFAULT_DAYS))
        .count()
    )
    poll_start, _ = last_days(last_day, town.zone, POLL_DAYS)
    poll = urlencode(
        {"start_date": poll_start, "end_date": end, "service_code": service.code}
    )
    poll_rows = (
        ServiceRequest.objects.public()
        .filter(service=service, submitted_at__gte=poll_start, submitted_at__lte=end)
        .count()
    )
    newest = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True)[0]
    points = points_inside(town.boundary, POST_POINTS)
    return [
        Call(
            "read one minimal",
            "minimal: one request by id",
            f"/bench/minimal-read?id={newest}",
            rows=1,
        ),
        Call(
            "poll minimal",
            f"minimal: {POLL_DAYS} day, {service.code}",
            f"/bench/minimal-list?{poll}",
            rows=min(poll_rows, PAGE_SIZE),
        ),
        Call(
            "poll",
            f"GET requests.json {POLL_DAYS} day, {service.code}",
            f"/open311/v2/requests.json?{poll}",
            rows=min(poll_rows, PAGE_SIZE),
        ),
        Call(
            "list minimal",
            f"minimal: {list_days} days, {service.code}",
            f"/bench/minimal-list?{week}",
            rows=min(week_rows, PAGE_SIZE),
        ),
        Call(
            "list",
            f"GET requests.json {list_days} days, {service.code}",
            f"/open311/v2/requests.json?{week}",
            rows=min(week_rows, PAGE_SIZE),
        ),
        Call(
            "page minimal",
            f"minimal: {DEFAULT_DAYS}-day default page",
            "/bench/minimal-list",
            rows=min(page_rows, PAGE_SIZE),
        ),
        Call(
            "page",
            f"GET requests.json {DEFAULT_DAYS}-day default",
            "/open311/v2/requests.json",
            rows=min(page_rows, PAGE_SIZE),
        ),
        Call(
            "post minimal",
            "minimal: insert one row",
            "/bench/minimal-write",
            [f"key={api_key.pk}&n=[n]"],
        ),
        Call(
            "post",
            "POST requests.json",
            "/open311/v2/requests.json",
            post_bodies(raw_key, postable_service().code, points),
        ),
    ]


def api_loads(
    month: Month, *, tasks_backend: str = "database", list_days: int = LIST_DAYS
) -> dict[str, tuple[Call, Measured]]:
    """Load the list and the post endpoints and their minimal views; the
    answer maps each call's key to the call and its figures."""
    api_key, raw_key = bench_key()
    started = timezone.now()
    calls = api_calls(month, raw_key, api_key, list_days=list_days)

    try:
        with Server(tasks_backend=tasks_backend) as server:
            figures = {}
            for group in _groups(calls):
                figures.update(measured(group, server.base))
            loads = {c.key: (c, figures[c.key]) for c in calls}
    finally:
        _clean_up(api_key, started)

    logger.info("API benchmark: %s", {k: m for k, (_, m) in loads.items()})
    return loads


def _groups(calls: list[Call]) -> list[list[Call]]:
    """Each minimal view with the endpoint after it."""
    groups = []
    for call in calls:
        if call.key.endswith(" minimal") or not groups:
            groups.append([call])
        else:
            groups[-1].append(call)
    return groups


def _clean_up(api_key: ApiKey, started) -> None:
    """Leave the generated town as it was: drop what the load wrote."""
    posted = ServiceRequest.objects.filter(
        api_token__isnull=False, submitted_at__gte=started
    )
    Message.objects.filter(request__in=posted).delete()
    posted.delete()
    # With the database backend the posts wait as tokens: no worker ran.
    RequestToken.objects.filter(created_at__gte=started).delete()
    # Nothing else queues work in a bench database; no worker ran it.
    DBTaskResult.objects.filter(enqueued_at__gte=started).delete()
    ApiRateWindow.objects.filter(api_key=api_key).delete()
    api_key.delete()
