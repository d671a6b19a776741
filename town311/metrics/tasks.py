"""Background tasks of the metrics: thin wrappers around the services."""

from django_tasks import task

from town311.metrics import areas


@task()
def place_requests() -> int:
    """Place every request in its area again, after the areas changed."""
    return areas.requests_place()
