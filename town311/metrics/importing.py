"""Load a town's past requests from the system it used before town311.

A town moving to town311 has years of requests in its old system; without
them the dashboard, the leaderboard and the trends would start empty. This
reads them from one CSV file in the town311 layout:

    external_id   required; the old system's id, unique within the file
    service_code  required; the code of a town311 service
    department    optional slug; defaults to the service's department
    lat, long     required; decimal degrees inside the town boundary
    address, description
    channel       web (the default), phone, email, walk_in or api
    submitted_at  required
    acknowledged_at, closed_at
    resolution    required when closed_at is set, refused otherwise

Timestamps are ISO 8601 with an offset (2026-01-05T09:30:00-06:00); naive
ones are read in the town's time zone; future ones are refused. A closed
request without acknowledged_at counts as acknowledged when closed, as a
close does in the lifecycle. Exports from other products are
read by renaming their columns (`{"Created At": "submitted_at"}`).

The whole file is checked first. If any row is refused, nothing is written:
the caller gets every refused row with its line number and reason. Each
imported request keeps `import:<external_id>` as its idempotency key, so
reading the same file again skips the rows already in.

Imported requests have no queue history: they are charged to the
department on the row from the moment they were submitted, so the
department clock equals the town clock. They get one submitted event each
and send no e-mail, since they bypass the lifecycle functions.
"""

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from town311.directory.models import Department, Neighbourhood, Service, Town
from town311.lib import geo
from town311.servicerequests.models import (
    Channel,
    Event,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.services import MAX_DESCRIPTION_LENGTH
from town311.staff.due import department_due_dates

COLUMNS = (
    "external_id",
    "service_code",
    "department",
    "lat",
    "long",
    "address",
    "description",
    "channel",
    "submitted_at",
    "acknowledged_at",
    "closed_at",
    "resolution",
)
REQUIRED_COLUMNS = ("external_id", "service_code", "lat", "long", "submitted_at")
KEY_PREFIX = "import:"
MAX_EXTERNAL_ID_LENGTH = 100 - len(KEY_PREFIX)
MAX_ADDRESS_LENGTH = 300
BATCH_SIZE = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, missing columns)."""


@dataclass(frozen=True)
class RefusedRow:
    line: int
    reason: str


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        count = self.imported
        return (
            f"{verb} {count} request{'' if count == 1 else 's'}; "
            f"{self.skipped} already imported; {len(self.refused)} refused."
        )


def mapping_parse(pairs: list[str]) -> dict[str, str]:
    """Turn `["Their Column=our_column", ...]` into a renaming dict."""
    mapping = {}
    for pair in pairs:
        theirs, sep, ours = pair.partition("=")
        theirs, ours = theirs.strip(), ours.strip()
        if not sep or not theirs or not ours:
            raise ImportFileError(
                f"Write a mapping as “Their Column=our_column”: {pair!r}."
            )
        if ours not in COLUMNS:
            raise ImportFileError(
                f"“{ours}” is not a town311 column; use one of {', '.join(COLUMNS)}."
            )
        mapping[theirs] = ours
    return mapping


def requests_import(
    *, path: str, mapping: dict[str, str] | None = None, dry_run: bool = False
) -> ImportResult:
    """Check every row of the file, then import them all or none."""
    importer = _Importer(mapping or {})
    with open(path, newline="", encoding="utf-8-sig") as csv_file:
        rows = importer.read(csv_file)

    result = ImportResult(
        imported=len(rows),
        skipped=importer.skipped,
        refused=importer.refused,
        dry_run=dry_run,
    )
    if result.refused:
        result.imported = 0
        return result

    if not dry_run:
        _write(rows)
    return result


class _Importer:
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        self.town = Town.objects.current()
        self.zone: tzinfo = (
            self.town.zone if self.town else ZoneInfo(settings.TIME_ZONE)
        )
        self.services = {
            s.code: s for s in Service.objects.select_related("department")
        }
        self.departments = {d.slug: d for d in Department.objects.all()}
        self.neighbourhoods = list(Neighbourhood.objects.all())
        self.now = timezone.now()
        self.refused: list[RefusedRow] = []
        self.skipped = 0

    def read(self, csv_file) -> list[ServiceRequest]:
        reader = csv.reader(csv_file)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFileError("The file is empty; it needs a header row.") from None

        names = [self.mapping.get(name.strip(), name.strip()) for name in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise ImportFileError(f"Missing column(s): {', '.join(missing)}.")

        wanted = {
            name: i for i, name in reversed(list(enumerate(names))) if name in COLUMNS
        }
        parsed: list[tuple[int, str, ServiceRequest]] = []
        seen: dict[str, int] = {}
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                values = {
                    name: cells[i].strip() if i < len(cells) else ""
                    for name, i in wanted.items()
                }
                external_id = values["external_id"]
                try:
                    if external_id in seen:
                        raise _Refused(
                            f"external_id {external_id!r} already appears on line "
                            f"{seen[external_id]}."
                        )
                    request = self._request(values)
                except _Refused as refused:
                    self.refused.append(RefusedRow(line, str(refused)))
                else:
                    seen[external_id] = line
                    parsed.append((line, external_id, request))
            line = reader.line_num + 1

        existing = self._already_imported([key for _, key, _ in parsed])
        fresh = [r for _, key, r in parsed if key not in existing]
        self.skipped = len(parsed) - len(fresh)
        return fresh

    def _already_imported(self, external_ids: list[str]) -> set[str]:
        found = set()
        for start in range(0, len(external_ids), BATCH_SIZE):
            keys = [KEY_PREFIX + e for e in external_ids[start : start + BATCH_SIZE]]
            found.update(
                key.removeprefix(KEY_PREFIX)
                for key in ServiceRequest.objects.filter(
                    idempotency_key__in=keys
                ).values_list("idempotency_key", flat=True)
            )
        return found

    def _request(self, values: dict[str, str]) -> ServiceRequest:
        external_id = values["external_id"]
        if not external_id:
            raise _Refused("external_id is empty.")
        if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
            raise _Refused(
                f"external_id is longer than {MAX_EXTERNAL_ID_LENGTH} characters."
            )

        code = values["service_code"]
        service = self.services.get(code)
        if service is None:
            raise _Refused(f"Unknown service_code {code!r}.")

        slug = values.get("department", "")
        if slug:
            department = self.departments.get(slug)
            if department is None:
                raise _Refused(f"Unknown department {slug!r}.")
        else:
            department = service.department

        lat = self._number(values["lat"], "lat", -90, 90)
        long = self._number(values["long"], "long", -180, 180)
        if self.town and not self.town.covers(lat, long):
            raise _Refused(f"The point ({lat}, {long}) is outside the town boundary.")

        channel = values.get("channel", "") or Channel.WEB
        if channel not in Channel.values:
            raise _Refused(
                f"Unknown channel {channel!r}; use one of {', '.join(Channel.values)}."
            )

        submitted_at = self._moment(values["submitted_at"], "submitted_at")
        if submitted_at is None:
            raise _Refused("submitted_at is empty.")
        acknowledged_at = self._moment(
            values.get("acknowledged_at", ""), "acknowledged_at"
        )
        closed_at = self._moment(values.get("closed_at", ""), "closed_at")
        for name, moment in (
            ("acknowledged_at", acknowledged_at),
            ("closed_at", closed_at),
        ):
            if moment is not None and moment < submitted_at:
                raise _Refused(f"{name} is before submitted_at.")

        resolution = values.get("resolution", "")
        if closed_at is None and resolution:
            raise _Refused("resolution is set but closed_at is empty.")
        if closed_at is not None:
            if not resolution:
                raise _Refused("A closed request needs a resolution.")
            if resolution not in Resolution.values:
                raise _Refused(
                    f"Unknown resolution {resolution!r}; use one of "
                    f"{', '.join(Resolution.values)}."
                )

        description = values.get("description", "")
        if len(description) > MAX_DESCRIPTION_LENGTH:
            raise _Refused(
                f"description is longer than {MAX_DESCRIPTION_LENGTH} characters."
            )
        address = values.get("address", "")
        if len(address) > MAX_ADDRESS_LENGTH:
            raise _Refused(f"address is longer than {MAX_ADDRESS_LENGTH} characters.")

        # A close is also an acknowledgment, as in the lifecycle.
        if closed_at is not None and acknowledged_at is None:
            acknowledged_at = closed_at
        if closed_at is not None:
            status = Status.CLOSED
        elif acknowledged_at is not None:
            status = Status.ACKNOWLEDGED
        else:
            status = Status.SUBMITTED

        acknowledge_due_at = close_due_at = None
        if status != Status.CLOSED:
            acknowledge_due_at, close_due_at = department_due_dates(
                department, submitted_at
            )

        return ServiceRequest(
            service=service,
            description=description,
            lat=lat,
            long=long,
            address=address,
            neighbourhood=self._neighbourhood(lat, long),
            channel=channel,
            is_public=service.is_public,
            status=status,
            resolution=resolution if closed_at else "",
            department=department,
            department_entered_at=submitted_at,
            submitted_at=submitted_at,
            acknowledged_at=acknowledged_at,
            acknowledged_department=department if acknowledged_at else None,
            acknowledged_department_entered_at=submitted_at
            if acknowledged_at
            else None,
            closed_at=closed_at,
            updated_at=max(m for m in (submitted_at, acknowledged_at, closed_at) if m),
            acknowledge_due_at=acknowledge_due_at,
            close_due_at=close_due_at,
            idempotency_key=KEY_PREFIX + external_id,
        )

    def _number(self, text: str, name: str, low: float, high: float) -> float:
        try:
            number = float(text)
        except ValueError:
            raise _Refused(f"{name} {text!r} is not a number.") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise _Refused(f"{name} {text!r} is not between {low} and {high}.")
        return number

    def _moment(self, text: str, name: str) -> datetime | None:
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _Refused(
                f"{name} {text!r} is not an ISO 8601 timestamp "
                "(like 2026-01-05T09:30:00-06:00)."
            ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, self.zone)
        if moment > self.now:
            raise _Refused(f"{name} {text!r} is in the future.")
        return moment

    def _neighbourhood(self, lat: float, long: float) -> Neighbourhood | None:
        holding = [n for n in self.neighbourhoods if n.covers(lat, long)]
        if not holding:
            return None
        return min(holding, key=lambda n: (geo.area_size(n.area), n.pk))


class _Refused(Exception):
    pass


def _write(requests: list[ServiceRequest]) -> None:
    with transaction.atomic():
        for start in range(0, len(requests), BATCH_SIZE):
            batch = ServiceRequest.objects.bulk_create(
                requests[start : start + BATCH_SIZE]
            )
            if any(r.pk is None for r in batch):
                # Backends that do not return new keys: look them up.
                keys = {
                    key: pk
                    for key, pk in ServiceRequest.objects.filter(
                        idempotency_key__in=[r.idempotency_key for r in batch]
                    ).values_list("idempotency_key", "pk")
                }
                for r in batch:
                    r.pk = keys[r.idempotency_key]
            Event.objects.bulk_create(
                Event(
                    request=r,
                    kind=Event.Kind.SUBMITTED,
                    created_at=r.submitted_at,
                    is_public=True,
                    to_status=Status.SUBMITTED,
                )
                for r in batch
            )
