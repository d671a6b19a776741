"""The timings `make bench` reports, each through the code staff use: the
dashboard view, the trends, the report command and the CSV export view."""

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from town311.accounts.models import User
from town311.metrics.leaderboard import Month

# Dashboard and trend timings are the median of this many runs; the first
# run also warms the database's cache, as a page in use would find it.
RUNS = 3


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    goal: float | None = None
    # A goal is either a ceiling (times, memory) or a floor (rows per second).
    at_least: bool = False

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""

        met = self.value >= self.goal if self.at_least else self.value < self.goal
        return "PASS" if met else "MISS"

    def line(self) -> str:
        text = f"  {self.name:<34} {self.value:>12,.2f} {self.unit:<8}"
        if self.goal is not None:
            sign = ">=" if self.at_least else "<"
            text += f" goal {sign} {self.goal:,g} {self.unit:<8} {self.verdict}"
        else:
            text += " no goal"

        return text


def timed(action: Callable[[], object], runs: int = RUNS) -> float:
    """The median time of `runs` runs of `action`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)

    return statistics.median(times)


def coordinator_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    return client


def dashboard_seconds(month: Month) -> float:
    """The dashboard for one month over all departments, as a coordinator
    sees it: the page computes that month and the one before."""
    client = coordinator_client()

    def load() -> None:
        response = client.get("/metrics/", {"month": str(month)})
        if response.status_code != 200:
            raise RuntimeError(f"The dashboard answered {response.status_code}.")

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        return timed(load)


def report_seconds(month: Month) -> float:
    start, end = month.first_day, month.following.first_day

    def report() -> None:
        call_command(
            "report",
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--format",
            "json",
            stdout=io.StringIO(),
        )

    return timed(report, runs=1)


def export_here() -> dict:
    """Download every request as CSV through the export view, in this
    process; the rows, the seconds, and this process's peak memory."""
    client = coordinator_client()
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        response = client.get("/metrics/export/requests.csv")
        lines = 0
        for piece in response.streaming_content:
            lines += piece.count(b"\r\n")
        seconds = time.perf_counter() - started

    if response.status_code != 200:
        raise RuntimeError(f"The export answered {response.status_code}.")

    return {"rows": lines - 1, "seconds": seconds, "peak_kb": peak_memory_kb()}


def export_in_subprocess() -> dict:
    """The export in a process of its own, so its peak memory is the
    export's and Python's, not the data generation's."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    finished = subprocess.run(
        [sys.executable, str(manage), "bench", "--export-only"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"The export process failed:\n{finished.stderr}")

    # The child's own VmHWM, not RUSAGE_CHILDREN: Linux charges a child
    # with the memory of the parent it was forked from, before its exec.
    return json.loads(finished.stdout.strip().splitlines()[-1])


def peak_memory_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass

    # Linux reports ru_maxrss in kB as well.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
