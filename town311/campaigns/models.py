"""Campaigns: the town asks residents to map something (every bike rack,
every broken sidewalk), and publishes what they send as open data.

A campaign asks its own questions, with the same datatypes as a service's.
Each submission is a point with a photo and answers. Published points are
the campaign's dataset; a submission within a few metres of a published
point may instead confirm it ("still there"), and moderators may merge a
submission into a point, which counts as a confirmation too.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from town311.directory.models import ServiceAttribute, validate_optional_area

Datatype = ServiceAttribute.Datatype

# The columns every point of a campaign's dataset has; a question's code
# becomes a column too, so it may not take one of these names.
POINT_COLUMNS = (
    "id",
    "campaign",
    "lat",
    "long",
    "photo_url",
    "thumbnail_url",
    "published_at",
    "confirmations",
    "last_confirmed_at",
)


def campaign_photo_path(submission, filename: str) -> str:
    return f"campaigns/{timezone.now():%Y/%m}/{filename}"


class Campaign(models.Model):
    """A call to residents to map something, over an area and some dates."""

    class Publication(models.TextChoices):
        IMMEDIATE = "immediate", "As soon as they are sent"
        MODERATED = "moderated", "After a moderator approves them"

    slug = models.SlugField(
        max_length=80, unique=True, help_text="The campaign's address: keep it stable."
    )
    title = models.CharField(max_length=150)
    description = models.TextField(help_text="What residents are asked to map.")
    why = models.TextField("why it matters", blank=True)
    area_name = models.CharField(
        max_length=150,
        blank=True,
        help_text="The area in words, e.g. “Downtown and the riverside”; "
        "leave empty for the whole town.",
    )
    area = models.TextField(
        blank=True,
        validators=[validate_optional_area],
        help_text="GeoJSON polygon the campaign covers; empty means the town boundary.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day submissions are taken.")
    photo_required = models.BooleanField(default=True)
    publication = models.CharField(
        max_length=20, choices=Publication, default=Publication.MODERATED
    )
    licence_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The licence of the published points; empty means the "
        "town's open-data licence.",
    )
    licence_url = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="campaigns_created",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
                violation_error_message="The campaign must end on or after the "
                "day it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CampaignQuestion(models.Model):
    """A question each submission answers; it reads like a service's
    attribute (`code`, `description`, `datatype`, `required`, `values`),
    so the same checks clean the answers."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=50, help_text="The answer's column name.")
    description = models.CharField(
        "question", max_length=300, help_text="The question as residents read it."
    )
    datatype = models.CharField(max_length=20, choices=Datatype)
    datatype_description = models.CharField(
        max_length=300, blank=True, help_text="A hint, e.g. “in feet”."
    )
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    # Every campaign question takes an answer; a service's attribute may be
    # a note that takes none.
    variable = True

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"], name="campaign_question_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.code in POINT_COLUMNS:
            raise ValidationError(
                {
                    "code": f"“{self.code}” is a column every point already has; "
                    "pick another code."
                }
            )


class CampaignQuestionValue(models.Model):
    """One choice of a list question."""

    question = models.ForeignKey(
        CampaignQuestion, models.CASCADE, related_name="values"
    )
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"], name="campaign_value_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One point a resident sent, with its photo and answers.

    A published submission is a point of the campaign's dataset. A merged
    one was folded into another point (`merged_into`) and counts as one of
    its confirmations. The contributor's e-mail is kept only to thank them
    and is never published.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        MERGED = "merged", "Merged into another point"

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="submissions")
    status = models.CharField(
        max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    lat = models.FloatField()
    long = models.FloatField()
    answers = models.JSONField(default=dict, blank=True)
    photo = models.ImageField(
        upload_to=campaign_photo_path,
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    thumbnail = models.ImageField(upload_to=campaign_photo_path, blank=True)
    photo_width = models.PositiveIntegerField(null=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, editable=False)
    contributor_email = models.EmailField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # A published point's confirmations: the residents who said it is
    # still there, and the submissions merged into it.
    confirmations = models.PositiveIntegerField(default=0)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_submissions",
    )
    reject_reason = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=100, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["campaign", "status", "lat", "long"],
                name="submission_campaign_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} point {self.pk}"


class Confirmation(models.Model):
    """A resident saying a published point is still there."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="confirmation_records"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    contributor_email = models.EmailField(blank=True)
    idempotency_key = models.CharField(
        max_length=100, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return f"Confirmation of {self.submission}"
