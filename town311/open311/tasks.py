"""Background tasks of the API: thin wrappers around the services."""

from django_tasks import task

from town311.open311 import services


@task()
def file_posted_requests() -> int:
    """File the requests clients posted, once their answers have gone."""
    return services.posted_requests_file_waiting()
