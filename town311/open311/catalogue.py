"""The public services and their questions, kept per process.

Checking a post needs its service, the service's questions and their
values: three queries on every post for rows that change a few times a
year. They are kept under the directory's `GeographyVersion`, which every
save of a service, question or value renews, as routing keeps its
geometry.
"""

import threading
from dataclasses import dataclass

from django.db.models import Prefetch

from town311.directory.models import Service, ServiceAttribute


@dataclass(frozen=True)
class CheckedService:
    service: Service
    # The variable questions, with their values, as `attributes_clean`
    # reads them.
    questions: list[ServiceAttribute]


_cached: tuple[int, dict[str, CheckedService]] | None = None
_loading = threading.Lock()


def public_service(code: str, version: int | None) -> CheckedService | None:
    """The public service with this code, from this process's copy while
    `version` is the one it was read under."""
    global _cached
    cached = _cached
    if cached is not None and version is not None and cached[0] == version:
        return cached[1].get(code)

    with _loading:
        services = _load()
        if version is not None:
            _cached = (version, services)
    return services.get(code)


def _load() -> dict[str, CheckedService]:
    questions = ServiceAttribute.objects.filter(variable=True).prefetch_related(
        "values"
    )
    services = (
        Service.objects.public()
        .select_related("department")
        .prefetch_related(Prefetch("attributes", queryset=questions))
    )
    return {
        service.code: CheckedService(service, list(service.attributes.all()))
        for service in services
    }
