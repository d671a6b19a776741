"""The town's set of areas (neighbourhoods) from an uploaded GeoJSON file.

An upload is a FeatureCollection of Polygon or MultiPolygon features, each
named by a "name" property. It is checked whole before anything changes:
one bad feature and nothing is applied. Applying it updates the
neighbourhoods by name, adds the new ones, removes the missing ones only
when asked, and then places every request again in the area holding it,
so the figures by area follow the new outlines.
"""

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy
import shapely
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from town311.alerts.models import Subscription
from town311.directory.models import Neighbourhood, Town
from town311.lib import geo
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
NAME_PROPERTIES = ("name", "NAME", "Name")
NAME_MAX_LENGTH = Neighbourhood._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Neighbourhood._meta.get_field("slug").max_length
PLACING_BATCH = 2000


class AreaUploadError(Exception):
    """The upload cannot be used; `problems` says what to fix, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadedArea:
    position: int
    name: str
    slug: str
    area: str


@dataclass
class AreaPlan:
    """What applying an upload would change, for the preview."""

    to_add: list[str] = field(default_factory=list)
    to_update: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    subscriptions_affected: int = 0
    remove_missing: bool = False


# Reading the file


def areas_parse(
    data: bytes, *, max_bytes: int | None = MAX_UPLOAD_BYTES
) -> list[UploadedArea]:
    """The areas in an uploaded file, or AreaUploadError naming every
    feature that cannot be used, by its position and name."""
    if max_bytes is not None and (problem := size_problem(len(data), max_bytes)):
        raise AreaUploadError([problem])

    try:
        # NaN and Infinity are not JSON, but Python's parser lets them in.
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse)
    except UnicodeDecodeError:
        raise AreaUploadError(
            ["The file is not text in UTF-8: save it as GeoJSON and upload it again."]
        ) from None
    except ValueError as e:
        raise AreaUploadError(
            [f"The file is not valid JSON ({e}). Export it again as GeoJSON."]
        ) from None
    except RecursionError:
        raise AreaUploadError(
            ["The file nests its data too deeply to be GeoJSON areas."]
        ) from None

    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise AreaUploadError(
            ["The file must be a GeoJSON FeatureCollection, with one feature per area."]
        )

    features = document.get("features")
    if not isinstance(features, list):
        raise AreaUploadError(["The FeatureCollection needs a list of “features”."])
    if not features:
        raise AreaUploadError(
            ["The FeatureCollection has no features: add one per area."]
        )

    town = Town.objects.current()
    boundary = geo.prepared_area(town.boundary) if town else None
    areas, problems, first_with = [], [], {}
    for position, feature in enumerate(features, start=1):
        try:
            area = _area(position, feature, boundary, town)
        except ValidationError as e:
            problems.append(" ".join(e.messages))
            continue

        earlier = first_with.setdefault(area.slug, area)
        if earlier is not area:
            problems.append(
                f"{_label(position, area.name)}: another area has this name "
                f"(feature {earlier.position}, “{earlier.name}”); give each "
                "area its own name."
            )
            continue

        areas.append(area)

    if problems:
        raise AreaUploadError(problems)

    return areas


def size_problem(size: int, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """What is wrong with a file of this size, if anything."""
    if size <= max_bytes:
        return None

    return (
        f"The file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}. "
        "Simplify the outlines (most GIS tools can) or split the file."
    )


def _area(position: int, feature, boundary, town) -> UploadedArea:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValidationError(
            f"Feature {position} is not a GeoJSON Feature with a geometry and "
            "properties."
        )

    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    name = next(
        (
            properties[key].strip()
            for key in NAME_PROPERTIES
            if isinstance(properties.get(key), str) and properties[key].strip()
        ),
        "",
    )
    label = _label(position, name)
    if not name:
        raise ValidationError(
            f"{label} has no name: give it a “name” property, such as “Old Town”."
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            f"{label}: the name is longer than {NAME_MAX_LENGTH} characters."
        )

    slug = slugify(name)[:SLUG_MAX_LENGTH].strip("-")
    if not slug:
        raise ValidationError(
            f"{label}: the name needs some letters or digits to make a web "
            "address from."
        )

    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in geo.POLYGON_TYPES:
        raise ValidationError(
            f"{label}: the geometry must be a Polygon or MultiPolygon."
        )

    area = json.dumps(geometry, separators=(",", ":"))
    try:
        shape = geo.parse_area(area)
    except ValidationError as e:
        raise ValidationError(f"{label}: {' '.join(e.messages)}") from None

    # Usually latitude and longitude are swapped; this says so.
    if boundary is not None and not boundary.intersects(shape):
        raise ValidationError(
            f"{label}: the area lies entirely outside {town.name}. Check that "
            "the file lists longitude before latitude."
        )

    return UploadedArea(position=position, name=name, slug=slug, area=area)


def _label(position: int, name: str) -> str:
    return f"Feature {position} (“{name}”)" if name else f"Feature {position}"


def _refuse(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# Comparing with the areas the town has


def areas_plan(areas: list[UploadedArea], *, remove_missing: bool) -> AreaPlan:
    """What `areas_apply` would do with these areas now."""
    plan = AreaPlan(remove_missing=remove_missing)
    matches = _matches(areas)
    for area in areas:
        existing = matches.get(area.position)
        if existing is None:
            plan.to_add.append(area.name)
        elif existing.name != area.name or not _same_area(existing.area, area.area):
            plan.to_update.append(area.name)
        else:
            plan.unchanged.append(area.name)

    matched = {each.pk for each in matches.values()}
    missing = Neighbourhood.objects.exclude(pk__in=matched).order_by("name")
    names = list(missing.values_list("name", flat=True))
    if remove_missing:
        plan.to_remove = names
        plan.subscriptions_affected = Subscription.objects.filter(
            neighbourhood__in=missing
        ).count()
    else:
        plan.kept = names

    return plan


def _matches(areas: list[UploadedArea]) -> dict[int, Neighbourhood]:
    """The neighbourhood each uploaded area updates, by its position: the
    one of the same name (ignoring case), else the one of the same slug."""
    by_name, by_slug = {}, {}
    for each in Neighbourhood.objects.all():
        by_name[each.name.casefold()] = each
        by_slug[each.slug] = each

    matches, taken = {}, set()
    for area in areas:
        existing = by_name.get(area.name.casefold()) or by_slug.get(area.slug)
        # Two uploaded names may point at one neighbourhood (one by name,
        # one by slug); the first keeps it and the other becomes new.
        if existing is not None and existing.pk not in taken:
            matches[area.position] = existing
            taken.add(existing.pk)

    return matches


def _same_area(stored: str, uploaded: str) -> bool:
    try:
        return json.loads(stored) == json.loads(uploaded)
    except ValueError:
        return False


# Applying


@dataclass(frozen=True)
class AreaResult:
    added: int
    updated: int
    removed: int
    subscriptions_removed: int


def areas_apply(
    areas: list[UploadedArea], *, remove_missing: bool, place_later: bool = True
) -> AreaResult:
    """Make the town's neighbourhoods those of the upload, in one transaction.

    With `place_later`, the requests are placed again by a background task
    once the change is committed; otherwise the caller runs
    `requests_place` itself.
    """
    with transaction.atomic():
        matches = _matches(areas)
        added = updated = 0
        uploaded = []
        for area in areas:
            existing = matches.get(area.position)
            if existing is None:
                existing = Neighbourhood.objects.create(
                    name=area.name, slug=_free_slug(area.slug), area=area.area
                )
                added += 1
            elif existing.name != area.name or not _same_area(existing.area, area.area):
                existing.name, existing.area = area.name, area.area
                existing.save(update_fields=["name", "area"])
                updated += 1
            uploaded.append(existing.pk)

        removed = subscriptions = 0
        if remove_missing:
            missing = Neighbourhood.objects.exclude(pk__in=uploaded)
            subscriptions = Subscription.objects.filter(
                neighbourhood__in=missing
            ).count()
            # Their alert subscriptions go with them (the preview said how
            # many); their requests are left in no area until placed again.
            _, deleted = missing.delete()
            removed = deleted.get(Neighbourhood._meta.label, 0)

        if place_later:
            transaction.on_commit(_enqueue_placing)

    return AreaResult(added, updated, removed, subscriptions)


def _free_slug(slug: str) -> str:
    # A renamed neighbourhood may still hold this slug; a suffix keeps both.
    candidate, number = slug, 2
    while Neighbourhood.objects.filter(slug=candidate).exists():
        suffix = f"-{number}"
        candidate = slug[: SLUG_MAX_LENGTH - len(suffix)] + suffix
        number += 1

    return candidate


def _enqueue_placing() -> None:
    # Imported here: tasks.py imports this module.
    from town311.metrics.tasks import place_requests

    # If the queue is down the areas are saved anyway; `load_areas` or the
    # next upload places the requests.
    try:
        place_requests.enqueue()
    except Exception:
        logger.exception("Could not queue placing requests in the new areas")


# Placing every request in its area


def requests_place(
    *,
    batch_size: int = PLACING_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Put every request in the smallest area holding it, as submission
    does, and return how many changed area.

    Requests are read in batches by primary key, with only their place, so
    memory stays flat however many there are; only changed rows are written.
    """
    index = _area_index()
    total = ServiceRequest.objects.count()
    done = changed = 0
    last_pk = 0
    while True:
        batch = list(
            ServiceRequest.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "lat", "long", "neighbourhood")[:batch_size]
        )
        if not batch:
            break

        places = _places(batch, index)
        moved = []
        for service_request, place in zip(batch, places, strict=True):
            if service_request.neighbourhood_id != place:
                service_request.neighbourhood_id = place
                moved.append(service_request)
        ServiceRequest.objects.bulk_update(moved, ["neighbourhood"])

        changed += len(moved)
        done += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(done, total)

    logger.info("Placed %s requests in areas again; %s changed", done, changed)
    return changed


def _area_index():
    """An STRtree of the valid areas' prepared polygons, with the polygons,
    their pks and their ranks (smallest first, then lowest pk, as
    routing.neighbourhood_at chooses)."""
    shapes, pks = [], []
    for each in Neighbourhood.objects.order_by("pk"):
        try:
            shape = geo.parse_area(each.area)
        except ValidationError as e:
            logger.error(
                "Skipping neighbourhood %s: its area is not valid GeoJSON (%s)",
                each.pk,
                " ".join(e.messages),
            )
            continue

        shapely.prepare(shape)
        shapes.append(shape)
        pks.append(each.pk)

    order = sorted(range(len(shapes)), key=lambda i: (shapes[i].area, pks[i]))
    ranks = numpy.empty(len(shapes), dtype=numpy.int64)
    ranks[order] = numpy.arange(len(shapes))
    shapes = numpy.array(shapes, dtype=object)
    return shapely.STRtree(shapes), shapes, numpy.array(pks, dtype=numpy.int64), ranks


def _places(batch: list, index) -> list[int | None]:
    tree, shapes, pks, ranks = index
    places: list[int | None] = [None] * len(batch)
    if not len(pks):
        return places

    points = shapely.points([[each.long, each.lat] for each in batch])
    # The tree gives the areas whose bounding box holds each point; the
    # prepared polygons then decide. A point on an edge counts as inside,
    # as at submission.
    inputs, candidates = tree.query(points)
    inside = shapely.intersects(shapes[candidates], points[inputs])
    best: dict[int, int] = {}
    for point, candidate in zip(
        inputs[inside].tolist(), candidates[inside].tolist(), strict=True
    ):
        if point not in best or ranks[candidate] < ranks[best[point]]:
            best[point] = candidate

    for point, candidate in best.items():
        places[point] = int(pks[candidate])

    return places


# Between the preview and the confirmation

PENDING_FOLDER = "area-uploads"
PENDING_SALT = "town311.metrics.areas.pending"
PENDING_MAX_AGE = timedelta(hours=1)


class PendingUploadGone(Exception):
    """The upload to confirm was applied already, or it expired."""


def upload_keep(data: bytes, *, remove_missing: bool, user_id: int) -> str:
    """Keep a checked upload until it is confirmed; return the signed token
    the confirmation carries."""
    _pending_prune()
    name = default_storage.save(
        f"{PENDING_FOLDER}/{secrets.token_hex(16)}.geojson", ContentFile(data)
    )
    return signing.dumps(
        {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "remove_missing": remove_missing,
            "user": user_id,
        },
        salt=PENDING_SALT,
    )


def upload_take(token: str, *, user_id: int) -> tuple[bytes, bool]:
    """The kept upload and its remove-missing choice, removed from keeping
    so that it is applied once; PendingUploadGone when there is none."""
    try:
        kept = signing.loads(
            token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:
        raise PendingUploadGone from None

    if kept.get("user") != user_id or not default_storage.exists(kept["file"]):
        raise PendingUploadGone

    with default_storage.open(kept["file"], "rb") as file:
        data = file.read()
    default_storage.delete(kept["file"])
    if hashlib.sha256(data).hexdigest() != kept["sha256"]:
        logger.warning("A kept area upload changed on disk; it was not applied")
        raise PendingUploadGone

    return data, bool(kept["remove_missing"])


def _pending_prune() -> None:
    # Previews nobody confirmed would otherwise pile up.
    try:
        _, names = default_storage.listdir(PENDING_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return

    cutoff = timezone.now() - PENDING_MAX_AGE
    for name in names:
        path = f"{PENDING_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
