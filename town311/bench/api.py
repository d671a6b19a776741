"""The API benchmark: the Open311 endpoints under load, beside minimal views.

A real web server (gunicorn, two workers, DEBUG off) serves the generated
town, and autocannon loads it over loopback with ten connections. Each
endpoint is measured right after its minimal counterpart in the same run,
so the ratio between them holds even when the machine is busy with other
work.
"""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from town311.accounts.models import User
from town311.directory.models import Service, Town
from town311.lib.geo import parse_area
from town311.metrics.figures import month_bounds
from town311.metrics.leaderboard import Month
from town311.open311.keys import api_key_create
from town311.open311.models import ApiKey, ApiRateWindow
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

AUTOCANNON = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "autocannon"
POST_LOAD = Path(__file__).with_name("post_load.js")
CONNECTIONS = 10
SECONDS = 10
WORKERS = 2
BENCH_KEY_NAME = "Benchmark (make bench)"
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Load:
    """What autocannon measured for one URL."""

    median_ms: float
    per_second: float
    answered: int
    failed: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_key() -> tuple[ApiKey, str]:
    """A fresh key for this run, limited far above what the load reaches."""
    ApiKey.objects.filter(name=BENCH_KEY_NAME).delete()
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    return api_key_create(name=BENCH_KEY_NAME, owner=owner, rate_limit=10**9)


def busiest_service(month: Month, zone) -> tuple[Service, str, str]:
    """The service with the most requests in the month, and the month's
    bounds as the API's start_date and end_date."""
    start, end = month_bounds(month.year, month.month, zone)
    top = (
        ServiceRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values("service")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    service = Service.objects.get(pk=top["service"])
    return service, start.isoformat(), end.isoformat()


def postable_service() -> Service:
    """A public service with no required questions, so a bare post is valid."""
    return (
        Service.objects.public()
        .exclude(attributes__required=True)
        .order_by("order", "pk")
        .first()
    )


class Server:
    """gunicorn serving this database with the bench URLs, for one run."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "town311.bench.settings",
            "DATABASE_URL": settings.DATABASE_URL,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base,
            "TASKS_BACKEND": os.getenv("TASKS_BACKEND", "database"),
            "LOG_LEVEL": "ERROR",
        }
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
            env=env,
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
                    pass
            except OSError:
                time.sleep(0.2)
                continue

            # Each worker loads the site on its first call; keep that out.
            load(f"{self.base}/open311/v2/services.json", seconds=2)
            return
        raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS} s.")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load(url: str, *, body: str | None = None, seconds: int = SECONDS) -> Load:
    """autocannon's figures for `url`; a body makes it a form post, with
    the text "[n]" in it replaced by a counter, so every call differs."""
    if body is None:
        command = [str(AUTOCANNON), "-j", "-c", str(CONNECTIONS), "-d", str(seconds)]
        command.append(url)
    else:
        command = ["node", str(POST_LOAD), url, body, str(CONNECTIONS), str(seconds)]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    if not result.stdout.strip():
        raise RuntimeError(f"autocannon gave no figures for {url}: {result.stderr}")

    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Load(
        median_ms=figures["latency"]["p50"],
        per_second=figures["requests"]["average"],
        answered=figures["2xx"],
        failed=figures["non2xx"] + figures["errors"] + figures["timeouts"],
    )


def api_loads(month: Month) -> dict[str, Load]:
    """Load the list and the post endpoints and their minimal views."""
    zone = Town.objects.current().zone
    service, start, end = busiest_service(month, zone)
    api_key, raw_key = bench_key()
    point = parse_area(Town.objects.current().boundary).representative_point()
    some_request = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True)[
        0
    ]
    started = timezone.now()

    query = urlencode(
        {"start_date": start, "end_date": end, "service_code": service.code}
    )
    post = urlencode(
        {
            "api_key": raw_key,
            "service_code": postable_service().code,
            "lat": f"{point.y:.6f}",
            "long": f"{point.x:.6f}",
            "description": "Benchmark request ",
        }
    )
    # urlencode would escape the marker post_load.js replaces.
    post += "[n]"

    try:
        with Server() as server:
            base = server.base
            loads = {
                "read minimal": load(f"{base}/bench/minimal-read?id={some_request}"),
                "read list": load(f"{base}/open311/v2/requests.json?{query}"),
                "write minimal": load(
                    f"{base}/bench/minimal-write", body=f"key={api_key.pk}&n=[n]"
                ),
                "write post": load(f"{base}/open311/v2/requests.json", body=post),
            }
    finally:
        _clean_up(api_key, started)

    logger.info("API benchmark: %s", loads)
    return loads


def _clean_up(api_key: ApiKey, started) -> None:
    """Leave the generated town as it was: drop what the load wrote."""
    ServiceRequest.objects.filter(
        api_token__isnull=False, submitted_at__gte=started
    ).delete()
    ApiRateWindow.objects.filter(api_key=api_key).delete()
    api_key.delete()
