from django.db import models
from django.utils import timezone


class Message(models.Model):
    """An e-mail waiting in the outbox, or the record of one sent.

    A message is written in the same transaction as the change it reports,
    so it exists exactly when the change does; sending happens afterwards
    and is retried until the mail server takes it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(
        default=dict,
        blank=True,
        help_text="Extra e-mail headers, such as List-Unsubscribe.",
    )
    kind = models.CharField(
        max_length=50, blank=True, help_text="What caused it, e.g. “acknowledged”."
    )
    request = models.ForeignKey(
        "servicerequests.ServiceRequest",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageAttachment(models.Model):
    """A file sent with a message. With a `content_id` it is an inline part
    that the HTML body shows as <img src="cid:...">, so the picture appears
    without the mail program loading anything from the internet."""

    message = models.ForeignKey(Message, models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    content_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="Blank for an ordinary attachment; the cid: the HTML uses "
        "for an inline one.",
    )

    def __str__(self) -> str:
        return self.filename
