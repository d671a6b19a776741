"""Campaigns at work: residents send points and confirm them, staff
moderate them.

A submission is checked whole before anything is written: the campaign
must be open on the day it is sent (in the town's time zone, both dates
included), the point inside the campaign's area, the photo a photo and the
answers those the questions allow. A published point within NEARBY_METRES
stops the submission with PointNearby, so the resident can confirm the
existing point instead of adding the same bike rack twice.

Moderation moves a submission between statuses:

    pending   --approve-->  published
    pending   --reject--->  rejected   (with a reason for other moderators)
    pending   --merge---->  merged     (into a published point)
    published --reject--->  rejected   (taken off the map)
    published --merge---->  merged     (its confirmations go along)
    rejected  --approve-->  published  (a moderator changed their mind)

A merged submission counts as a confirmation of the point it went into and
never moves again. The contributor is thanked once, when their submission
first reaches the map, published or merged.

`at` is when it happened; it defaults to now and is set only by the demo
town, which replays past weeks.
"""

import logging
import secrets
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext

from town311.accounts.models import User
from town311.campaigns.emails import contributor_thank
from town311.campaigns.models import (
    Campaign,
    CampaignQuestion,
    Confirmation,
    Submission,
)
from town311.campaigns.publication import (
    campaign_csv_chunks as campaign_csv_chunks,
)
from town311.campaigns.publication import (
    campaign_geojson as campaign_geojson,
)
from town311.campaigns.publication import published_points
from town311.directory.models import Town
from town311.lib import geo
from town311.lib.errors import ActionError, InvalidInput, InvalidTransition, NotAllowed
from town311.servicerequests import photos
from town311.servicerequests.attributes import attributes_clean
from town311.servicerequests.services import location_clean
from town311.staff.access import is_staff_member

logger = logging.getLogger(__name__)

# Closer than this to a published point, a new point is probably the same
# thing: phone GPS is good to 5 to 10 m outdoors, and bike racks, bus stops
# and broken slabs are rarely closer together than this.
NEARBY_METRES = 15

Status = Submission.Status

REASON_MAX_LENGTH = Submission._meta.get_field("reject_reason").max_length
KEY_MAX_LENGTH = Submission._meta.get_field("idempotency_key").max_length
EMAIL_MAX_LENGTH = Submission._meta.get_field("contributor_email").max_length


class PointNearby(ActionError):
    """A published point is within NEARBY_METRES of the one sent. `points`
    is what `nearby_points` found: (point, metres), nearest first."""

    def __init__(self, message: str, *, points: list[tuple[Submission, float]]):
        super().__init__(message, field="location")
        self.points = points


# The campaign


def campaign_area_text(campaign: Campaign) -> str:
    """The campaign's area as GeoJSON text: its own, or the town boundary."""
    if campaign.area.strip():
        return campaign.area

    town = Town.objects.current()
    return town.boundary if town else ""


def campaign_area_name(campaign: Campaign) -> str:
    """The area in words, for sentences such as “outside Downtown”."""
    if campaign.area_name.strip():
        return campaign.area_name.strip()

    town = Town.objects.current()
    return town.name if town else gettext("the town")


def campaign_state(campaign: Campaign, today: date | None = None) -> str:
    """“upcoming”, “open” or “ended” on `today` (the town's today by
    default); both dates are days of the campaign."""
    today = today or _today()
    if today < campaign.starts_on:
        return "upcoming"

    if today > campaign.ends_on:
        return "ended"

    return "open"


def campaign_is_open(campaign: Campaign, today: date | None = None) -> bool:
    return campaign_state(campaign, today) == "open"


def campaigns_started(today: date | None = None):
    """Campaigns that have opened, ended ones included: each has a dataset."""
    return Campaign.objects.filter(starts_on__lte=today or _today()).order_by(
        "-starts_on", "title"
    )


def campaign_questions(campaign: Campaign) -> list[CampaignQuestion]:
    """The questions in the order they are asked, with their values."""
    return list(campaign.questions.prefetch_related("values").order_by("order", "pk"))


def nearby_points(
    campaign: Campaign, lat: float, long: float, *, metres: float = NEARBY_METRES
) -> list[tuple[Submission, float]]:
    """Published points within `metres` of the place, nearest first, each
    with its distance in metres."""
    candidates = published_points(campaign).filter(geo.near(lat, long, metres))
    found = [
        (point, geo.distance_m(lat, long, point.lat, point.long))
        for point in candidates
    ]
    return sorted(
        [(point, distance) for point, distance in found if distance <= metres],
        key=lambda pair: pair[1],
    )


def photo_position(upload) -> tuple[float, float] | None:
    """Where the camera was, (lat, long), when the photo says; the upload
    is rewound so it can be sent next."""
    return photos.photo_gps(upload)


# Residents


def submission_submit(
    *,
    campaign: Campaign,
    lat: float,
    long: float,
    answers: dict,
    photo=None,
    contributor_email: str = "",
    idempotency_key: str | None = None,
    different_point: bool = False,
    at: datetime | None = None,
) -> Submission:
    """Take a resident's point, with its answers and photo.

    Raises ActionError when the campaign is not open or the place is outside
    its area, InvalidInput naming each field to fix, and PointNearby when a
    published point is this close, unless `different_point` says the
    resident saw it and theirs is another. A campaign that publishes
    immediately puts the point on the map at once. The same idempotency
    key again returns the first submission.
    """
    if idempotency_key:
        existing = Submission.objects.filter(idempotency_key=idempotency_key)
        if found := existing.first():
            return found

    at = at or timezone.now()
    _check_open(campaign, at)

    lat, long = location_clean(lat, long)
    _check_place(campaign, lat, long)

    # Every field's problem at once, so the form shows them together.
    errors = {}
    contributor_email = _collect(errors, _clean_email, contributor_email)
    _collect(errors, _check_key, idempotency_key)
    cleaned_answers = _collect(
        errors,
        attributes_clean,
        None,
        answers if answers is not None else {},
        questions=campaign_questions(campaign),
    )
    if photo is None and campaign.photo_required:
        errors["photo"] = gettext(
            "This campaign needs a photo of each point: add one and send it again."
        )
    clean_photo = _collect(errors, _photo_clean, photo) if photo is not None else None
    if errors:
        raise InvalidInput(errors)

    if not different_point:
        points = nearby_points(campaign, lat, long)
        if points:
            raise PointNearby(_nearby_message(points[0][1]), points=points)

    submission = Submission(
        campaign=campaign,
        lat=lat,
        long=long,
        answers=cleaned_answers,
        contributor_email=contributor_email,
        submitted_at=at,
        idempotency_key=idempotency_key or None,
    )
    if clean_photo is not None:
        _photo_attach(submission, clean_photo)

    try:
        with transaction.atomic():
            submission.save()
            if campaign.publication == Campaign.Publication.IMMEDIATE:
                _publish(submission, by=None, at=at)
    except Exception as error:
        # Without its row nothing would ever find and delete the files.
        _files_delete(submission)
        if isinstance(error, IntegrityError) and idempotency_key:
            # Two identical submissions raced; the other one won.
            existing = Submission.objects.filter(idempotency_key=idempotency_key)
            if found := existing.first():
                return found
        raise

    return submission


def point_confirm(
    *,
    point: Submission,
    contributor_email: str = "",
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Confirmation:
    """Record a resident saying a published point is still there."""
    if idempotency_key:
        existing = Confirmation.objects.filter(idempotency_key=idempotency_key)
        if found := existing.first():
            return found

    at = at or timezone.now()
    errors = {}
    contributor_email = _collect(errors, _clean_email, contributor_email)
    _collect(errors, _check_key, idempotency_key)
    if errors:
        raise InvalidInput(errors)

    try:
        with transaction.atomic():
            locked = _lock(point)
            if locked.status != Status.PUBLISHED:
                raise InvalidTransition(
                    gettext(
                        "This point is not on the map any more, so it cannot be "
                        "confirmed. Send it as a new point instead."
                    )
                )
            _check_open(locked.campaign, at)

            confirmation = Confirmation.objects.create(
                submission=locked,
                confirmed_at=at,
                contributor_email=contributor_email,
                idempotency_key=idempotency_key or None,
            )
            _confirmation_add(locked, at, count=1)
    except IntegrityError:
        if idempotency_key:
            existing = Confirmation.objects.filter(idempotency_key=idempotency_key)
            if found := existing.first():
                return found
        raise

    _refreshed(point)
    return confirmation


# Moderation


def submission_approve(
    submission: Submission, *, by: User, at: datetime | None = None
) -> Submission:
    """Publish a pending (or earlier rejected) submission."""
    _check_moderator(by)
    with transaction.atomic():
        locked = _lock(submission)
        _approve(locked, by=by, at=at or timezone.now())

    return _refreshed(submission)


def submission_reject(
    submission: Submission, *, by: User, reason: str, at: datetime | None = None
) -> Submission:
    """Refuse a pending submission, or take a published point off the map,
    with a reason other moderators read."""
    _check_moderator(by)
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = _lock(submission)
        _reject(locked, by=by, reason=reason, at=at or timezone.now())

    return _refreshed(submission)


def submission_merge(
    submission: Submission,
    *,
    into: Submission,
    by: User,
    at: datetime | None = None,
) -> Submission:
    """Fold a submission into a published point of the same campaign, as a
    confirmation of it dated when the submission was sent.

    A published point merged away takes its own confirmations along, so
    merging two copies of a bike rack loses none of them.
    """
    _check_moderator(by)
    at = at or timezone.now()
    if submission.pk == into.pk:
        raise InvalidTransition(f"Point {submission.pk} cannot be merged into itself.")

    with transaction.atomic():
        # Locked in the order of their keys, so two moderators merging the
        # same pair in opposite directions cannot deadlock.
        first, second = sorted([submission.pk, into.pk])
        locked = {pk: _lock_pk(pk) for pk in (first, second)}
        merged, target = locked[submission.pk], locked[into.pk]
        _check_merge(merged, target)

        was_published = merged.status == Status.PUBLISHED
        carried = merged.confirmations if was_published else 0
        latest = merged.last_confirmed_at if was_published else None
        if was_published:
            merged.confirmation_records.update(submission=target)
            merged.merged_submissions.update(merged_into=target)

        merged.status = Status.MERGED
        merged.merged_into = target
        merged.confirmations = 0
        merged.last_confirmed_at = None
        merged.moderated_by = by
        merged.moderated_at = at
        merged.save(
            update_fields=[
                "status",
                "merged_into",
                "confirmations",
                "last_confirmed_at",
                "moderated_by",
                "moderated_at",
            ]
        )
        moments = [merged.submitted_at, *([latest] if latest else [])]
        _confirmation_add(target, max(moments), count=1 + carried)

        if not was_published:
            contributor_thank(merged)

    _refreshed(into)
    return _refreshed(submission)


def submission_answers_edit(
    submission: Submission, *, answers: dict, by: User
) -> Submission:
    """Correct the answers of a pending or published submission; they are
    checked as a resident's are."""
    _check_moderator(by)
    with transaction.atomic():
        locked = _lock(submission)
        if locked.status not in (Status.PENDING, Status.PUBLISHED):
            raise InvalidTransition(
                f"Point {locked.pk} is {locked.get_status_display().lower()}; "
                "only pending and published points have answers to edit."
            )

        locked.answers = attributes_clean(
            None, answers, questions=campaign_questions(locked.campaign)
        )
        locked.save(update_fields=["answers"])

    return _refreshed(submission)


def submissions_bulk(*, action: str, submissions, by: User, reason: str = "") -> int:
    """Approve or reject many submissions at once. Only pending ones change:
    the others were handled already, perhaps by another moderator while
    the list was on screen. Returns how many changed."""
    _check_moderator(by)
    if action not in ("approve", "reject"):
        raise ActionError(f"“{action}” is not a bulk action; use approve or reject.")

    if action == "reject":
        reason = _clean_reason(reason)

    at = timezone.now()
    changed = 0
    with transaction.atomic():
        pks = sorted({submission.pk for submission in submissions})
        pending = Submission.objects.select_for_update().filter(
            pk__in=pks, status=Status.PENDING
        )
        for locked in pending.select_related("campaign").order_by("pk"):
            if action == "approve":
                _approve(locked, by=by, at=at)
            else:
                _reject(locked, by=by, reason=reason, at=at)
            changed += 1

    logger.debug("Bulk %s changed %s of %s submission(s)", action, changed, len(pks))
    return changed


# Helpers shared by the actions above


def _today() -> date:
    town = Town.objects.current()
    return timezone.localdate(timezone=town.zone if town else None)


def _local_day(at: datetime) -> date:
    town = Town.objects.current()
    return timezone.localtime(at, town.zone if town else None).date()


def _check_open(campaign: Campaign, at: datetime) -> None:
    state = campaign_state(campaign, _local_day(at))
    dates = {
        "start": formats.date_format(campaign.starts_on, "DATE_FORMAT"),
        "end": formats.date_format(campaign.ends_on, "DATE_FORMAT"),
    }
    if state == "upcoming":
        raise ActionError(
            gettext(
                "This campaign opens on %(start)s and runs until %(end)s: "
                "come back then."
            )
            % dates
        )

    if state == "ended":
        raise ActionError(
            gettext(
                "This campaign ran from %(start)s to %(end)s and takes no more points."
            )
            % dates
        )


def _check_place(campaign: Campaign, lat: float, long: float) -> None:
    area = campaign_area_text(campaign)
    try:
        inside = bool(area) and geo.covers(area, lat, long)
    except ValidationError:
        # The admin validates areas, so only a broken boundary gets here.
        logger.warning("Campaign %s has an area that cannot be read", campaign.pk)
        inside = False

    if not inside:
        raise ActionError(
            gettext(
                "This place is outside %(area)s, the area this campaign covers: "
                "move the pin inside it."
            )
            % {"area": campaign_area_name(campaign)},
            field="location",
        )


def _collect(errors: dict, check, *args, **kwargs):
    """Run a check that raises InvalidInput, adding its problems to
    `errors` instead; returns what the check returned, or None."""
    try:
        return check(*args, **kwargs)
    except InvalidInput as invalid:
        errors.update(invalid.errors)
        return None


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email:
        return ""

    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            {
                "contributor_email": gettext(
                    "Enter an e-mail address like name@example.org."
                )
            }
        ) from None

    return email


def _check_key(idempotency_key: str | None) -> None:
    if idempotency_key and len(idempotency_key) > KEY_MAX_LENGTH:
        raise InvalidInput(
            {
                "idempotency_key": gettext(
                    "This form has expired: reload the page and try again."
                )
            }
        )


def _photo_clean(upload) -> photos.CleanPhoto:
    # The same checks and clean copies as a request's photo.
    return photos.photo_clean(upload, field="photo")


def _photo_attach(submission: Submission, clean: photos.CleanPhoto) -> None:
    name = secrets.token_hex(16)
    for field, file_name, content in (
        (submission.photo, f"{name}.{clean.extension}", clean.photo),
        (submission.thumbnail, f"{name}-thumb.{clean.extension}", clean.thumbnail),
    ):
        # Named content: an image field reads the size from a named file only.
        field.save(file_name, ContentFile(content, name=file_name), save=False)


def _files_delete(submission: Submission) -> None:
    for field in (submission.photo, submission.thumbnail):
        if not field.name:
            continue
        try:
            field.storage.delete(field.name)
        except OSError:
            logger.warning("Could not delete campaign photo %s", field.name)


def _nearby_message(metres: float) -> str:
    return gettext(
        "A point already on the map is %(metres)s m from here. If it is the "
        "same one, confirm it is still there; if yours is another, send it as "
        "a different point."
    ) % {"metres": max(1, round(metres))}


def _check_moderator(by: User | None) -> None:
    if by is None or not is_staff_member(by):
        raise NotAllowed("Sign in as town staff to moderate campaign submissions.")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {"reason": "Say why the submission is rejected, for the other moderators."}
        )

    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            {"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer."}
        )

    return reason


def _check_merge(merged: Submission, target: Submission) -> None:
    if merged.campaign_id != target.campaign_id:
        raise InvalidTransition(
            f"Point {target.pk} belongs to another campaign; merge into a point "
            "of the same campaign."
        )

    if target.status != Status.PUBLISHED:
        raise InvalidTransition(
            f"Point {target.pk} is {target.get_status_display().lower()}; merge "
            "into a published point."
        )

    if merged.status not in (Status.PENDING, Status.PUBLISHED):
        raise InvalidTransition(
            f"Point {merged.pk} is {merged.get_status_display().lower()}; only "
            "pending and published points can be merged."
        )


def _approve(submission: Submission, *, by: User, at: datetime) -> None:
    if submission.status not in (Status.PENDING, Status.REJECTED):
        raise InvalidTransition(
            f"Point {submission.pk} is "
            f"{submission.get_status_display().lower()}; only pending and "
            "rejected points can be approved."
        )

    submission.reject_reason = ""
    _publish(submission, by=by, at=at)


def _reject(submission: Submission, *, by: User, reason: str, at: datetime) -> None:
    if submission.status not in (Status.PENDING, Status.PUBLISHED):
        raise InvalidTransition(
            f"Point {submission.pk} is "
            f"{submission.get_status_display().lower()}; only pending and "
            "published points can be rejected."
        )

    submission.status = Status.REJECTED
    submission.reject_reason = reason
    submission.moderated_by = by
    submission.moderated_at = at
    submission.save(
        update_fields=["status", "reject_reason", "moderated_by", "moderated_at"]
    )


def _publish(submission: Submission, *, by: User | None, at: datetime) -> None:
    # A point published once, rejected and approved again was already
    # thanked, and keeps its first publication date.
    first_time = submission.published_at is None
    submission.status = Status.PUBLISHED
    submission.published_at = submission.published_at or at
    submission.moderated_by = by
    submission.moderated_at = at if by else None
    submission.save(
        update_fields=[
            "status",
            "published_at",
            "reject_reason",
            "moderated_by",
            "moderated_at",
        ]
    )
    if first_time:
        contributor_thank(submission)


def _confirmation_add(point: Submission, at: datetime, *, count: int) -> None:
    latest = max(filter(None, [point.last_confirmed_at, at]))
    Submission.objects.filter(pk=point.pk).update(
        confirmations=F("confirmations") + count, last_confirmed_at=latest
    )


def _lock(submission: Submission) -> Submission:
    return _lock_pk(submission.pk)


def _lock_pk(pk: int) -> Submission:
    # Only the submission's row, not its campaign's, or every moderator of
    # the campaign would wait for every other.
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=pk)
    )


def _refreshed(submission: Submission) -> Submission:
    # The caller's copy is stale after the action; refresh it in place so
    # code holding it cannot act on the old state.
    submission.refresh_from_db()
    return submission
