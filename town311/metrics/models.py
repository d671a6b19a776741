from django.db import models


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
