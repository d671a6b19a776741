from django.conf import settings
from django.db import models
from django.utils import timezone


class ResponseTemplate(models.Model):
    """A reply a department sends often, with placeholders filled in before
    sending: {first_name}, {number}, {department}, {date}."""

    department = models.ForeignKey(
        "directory.Department", models.CASCADE, related_name="response_templates"
    )
    title = models.CharField(max_length=100)
    body = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "title"], name="template_title_per_department"
            )
        ]

    def __str__(self) -> str:
        return self.title


class LoginAttempt(models.Model):
    """A staff sign-in attempt, kept to throttle password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Sign-in attempt for {self.username}"


class Escalation(models.Model):
    """A reminder sent because a request was not acknowledged in time. Each
    step (assignee, lead, coordinator) is sent once per request."""

    class Step(models.TextChoices):
        ASSIGNEE = "assignee", "Assignee"
        LEAD = "lead", "Department lead"
        COORDINATOR = "coordinator", "Coordinator"

    request = models.ForeignKey(
        "servicerequests.ServiceRequest", models.CASCADE, related_name="escalations"
    )
    step = models.CharField(max_length=20, choices=Step)
    sent_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "step"], name="one_escalation_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} reminder for request {self.request_id}"


class Nudge(models.Model):
    """A friendly reminder a coordinator sent a department about its
    lingering requests, kept so the lingering page can say when it was."""

    department = models.ForeignKey(
        "directory.Department", models.CASCADE, related_name="nudges"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    request_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Nudge to {self.department_id} at {self.created_at:%Y-%m-%d %H:%M}"
