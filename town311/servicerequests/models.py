from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class Resolution(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    DUPLICATE = "duplicate", _("Duplicate")
    REFERRED = "referred", _("Referred to another agency")
    NO_ACTION = "no_action", _("No action needed")
    NOT_LOCATED = "not_located", _("Could not locate")
    NO_RESPONSE = "no_response", _("No response to a question")
    WITHDRAWN = "withdrawn", _("Withdrawn by the resident")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class ServiceRequestQuerySet(models.QuerySet):
    def open(self) -> "ServiceRequestQuerySet":
        return self.exclude(status=Status.CLOSED)

    def public(self) -> "ServiceRequestQuerySet":
        return self.filter(is_public=True, service__is_public=True)


class ServiceRequest(models.Model):
    """A problem a resident reported.

    The status and the timestamps below are written only by the lifecycle
    functions in `services.py`; the metrics read them as they are:

    - `acknowledged_at` is the first acknowledgment in any of its forms,
      kept with the department that gave it and the moment the request had
      entered that department's queue, so the department is charged only
      for its own time;
    - `closed_at` is the latest close, and the department's close clock
      starts at `department_entered_at`, which freezes while closed.
    """

    service = models.ForeignKey(
        "directory.Service", models.PROTECT, related_name="requests"
    )
    description = models.TextField(blank=True)
    lat = models.FloatField("latitude")
    long = models.FloatField("longitude")
    address = models.CharField(max_length=300, blank=True)
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        editable=False,
        help_text="Where the request is, worked out once at submission.",
    )
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Answers to the service's questions."
    )
    channel = models.CharField(max_length=20, choices=Channel, default=Channel.WEB)
    is_public = models.BooleanField(
        default=True, help_text="Shown on the public site and in open data."
    )

    status = models.CharField(
        max_length=20, choices=Status, default=Status.SUBMITTED, editable=False
    )
    resolution = models.CharField(
        max_length=20, choices=Resolution, blank=True, editable=False
    )
    department = models.ForeignKey(
        "directory.Department",
        models.PROTECT,
        null=True,
        related_name="requests",
        editable=False,
        help_text="The queue the request is in.",
    )
    department_entered_at = models.DateTimeField(null=True, editable=False)
    agency = models.ForeignKey(
        "directory.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        editable=False,
        help_text="The outside agency it was referred to.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        editable=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        editable=False,
    )

    # Kept private: never shown publicly, in the API or in open data.
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)

    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(null=True, editable=False)
    acknowledged_department = models.ForeignKey(
        "directory.Department",
        models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    acknowledged_department_entered_at = models.DateTimeField(null=True, editable=False)
    closed_at = models.DateTimeField(null=True, editable=False)
    updated_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="The last change a resident can see.",
    )

    acknowledge_due_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the department should have acknowledged it.",
    )
    close_due_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the department should have closed it; what residents "
        "see as expected.",
    )
    blocker = models.ForeignKey(
        "directory.Blocker",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        editable=False,
        help_text="Why the request is waiting, if it is.",
    )
    blocked_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts changes, so a page acting on an old state is refused.",
    )

    idempotency_key = models.CharField(
        max_length=100, null=True, blank=True, unique=True, editable=False
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["lat", "long"], name="request_location"),
            models.Index(fields=["status", "department"], name="request_queue"),
            models.Index(fields=["submitted_at"], name="request_submitted"),
            # Open311 clients ask for one service's requests over some days.
            models.Index(
                fields=["service", "submitted_at"], name="request_service_submitted"
            ),
            # The metrics read a period's acknowledgments and closes, and
            # the requests open at its end, from these indexes alone,
            # without visiting the rows: on a million requests that is the
            # difference between one second and several.
            models.Index(
                fields=[
                    "acknowledged_at",
                    "acknowledged_department",
                    "acknowledged_department_entered_at",
                    "submitted_at",
                ],
                name="request_acknowledged",
            ),
            models.Index(
                fields=[
                    "closed_at",
                    "department",
                    "department_entered_at",
                    "submitted_at",
                    "resolution",
                ],
                name="request_closed",
            ),
            models.Index(
                fields=["department", "submitted_at", "closed_at"],
                name="request_open_at_end",
            ),
            models.Index(fields=["updated_at"], name="request_updated"),
            models.Index(fields=["reporter_email"], name="request_reporter"),
        ]

    def __str__(self) -> str:
        return f"Request {self.number}: {self.service}"

    @property
    def number(self) -> str:
        """The public request number residents quote."""
        return str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Event(models.Model):
    """One entry in a request's timeline. Events are never changed or
    deleted: the timeline is the record the metrics can be checked
    against."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        WORK_STARTED = "work_started", _("Work started")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        INFORMATION_REQUESTED = "information_requested", _("Information requested")
        INFORMATION_PROVIDED = "information_provided", _("Information provided")
        ASSIGNED = "assigned", _("Assigned")
        REASSIGNED = "reassigned", _("Reassigned")
        REFERRED = "referred", _("Referred")
        MERGED = "merged", _("Merged as duplicate")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who acted; empty for residents and routing.",
    )
    is_public = models.BooleanField(default=True)
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status, blank=True)
    from_department = models.ForeignKey(
        "directory.Department", models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_department = models.ForeignKey(
        "directory.Department", models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "directory.Agency", models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=20, choices=Resolution, blank=True)
    duplicate_of = models.ForeignKey(
        ServiceRequest, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_timeline"),
            models.Index(fields=["kind", "created_at"], name="event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on request {self.request_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Timeline events cannot be changed.")

        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Timeline events cannot be deleted.")


def photo_path(photo: "Photo", filename: str) -> str:
    return f"requests/{timezone.now():%Y/%m}/{filename}"


class Photo(models.Model):
    """A photo of a request, stored without its EXIF data.

    A photo uploaded before its request exists (the report form uploads
    as soon as one is picked) has no request yet, only the `draft_key` of
    the form it belongs to; it is attached when the request is submitted.
    """

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="photos", null=True, blank=True
    )
    draft_key = models.CharField(max_length=64, blank=True, db_index=True)
    image = models.ImageField(
        upload_to=photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to=photo_path, blank=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden from the public site."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Photo of request {self.request_id}"


class Follower(models.Model):
    """Someone who gets e-mail updates on a request."""

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="followers"
    )
    email = models.EmailField()
    is_reporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "email"], name="one_follow_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"Follower of request {self.request_id}"


class MeToo(models.Model):
    """A resident saying "this affects me too" without filing a duplicate."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="me_toos")
    visitor = models.CharField(
        max_length=64, help_text="A hash of the browser session or e-mail address."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "visitor"], name="one_me_too_per_visitor"
            )
        ]

    def __str__(self) -> str:
        return f"Me too on request {self.request_id}"


class Rating(models.Model):
    """How the resident judged the outcome of a closed request."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="ratings")
    is_fixed = models.BooleanField("fixed")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Rating of request {self.request_id}"


class Redaction(models.Model):
    """What staff hid from a request because it exposed personal details or
    was abusive. The original stays here, for staff allowed to see it."""

    class Target(models.TextChoices):
        DESCRIPTION = "description", "Description"
        EVENT = "event", "Timeline entry"
        PHOTO = "photo", "Photo"

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="redactions"
    )
    target = models.CharField(max_length=20, choices=Target)
    event = models.ForeignKey(
        Event, models.CASCADE, null=True, blank=True, related_name="redactions"
    )
    photo = models.ForeignKey(
        Photo, models.CASCADE, null=True, blank=True, related_name="redactions"
    )
    original_text = models.TextField(blank=True)
    reason = models.CharField(max_length=300)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Redaction on request {self.request_id}"
