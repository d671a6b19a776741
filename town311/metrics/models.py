from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One run of a scheduled job for one period, such as the lingering
    digest for one local day. The unique pair is the claim: when several
    machines run the scheduler at once, only the one that inserts the row
    runs the job."""

    job = models.CharField(max_length=50)
    period = models.CharField(max_length=32)
    started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "period"], name="metrics_jobrun_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.period}"


class MonthlyReportSend(models.Model):
    """One monthly report e-mail put in the outbox, so the preview page can
    say when a month's report went to whom, and by whose hand."""

    month = models.CharField(max_length=7, help_text="The month reported, YYYY-MM.")
    message = models.ForeignKey(
        "notifications.Message",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.EmailField()
    kind = models.CharField(max_length=50)
    sent_by = models.ForeignKey(
        "accounts.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent it again by hand; empty when the schedule sent it.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["month", "created_at"], name="monthly_report_send"),
        ]

    def __str__(self) -> str:
        return f"Report for {self.month} to {self.to}"
