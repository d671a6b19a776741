"""Loading the demo town: the directory, then a year of history and the
bike-rack campaign, as one transaction so a failed load leaves the
database as it was."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from town311.demo.campaigns import campaign_create
from town311.demo.history import history_generate
from town311.demo.town import DemoTown, demo_delete, holidays_create, town_create
from town311.notifications.models import Message
from town311.servicerequests.services import history_replay


def demo_town_load(
    *,
    seed: int,
    requests: int,
    end: datetime,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[DemoTown, int]:
    """Create Riverton, `requests` requests ending at `end` and its
    campaign. Returns the town and how many requests were made. With
    `replace`, existing requests, campaigns, the directory and the demo's
    users are deleted first."""
    with transaction.atomic():
        if replace:
            demo_delete()

        last_message = Message.objects.aggregate(last=Max("pk"))["last"] or 0
        demo = town_create()
        # Due dates are counted in working days, so the year of history and
        # the year after it need their holidays before any request is taken.
        local_end = end.astimezone(demo.town.zone)
        holidays_create(local_end.year - 1, local_end.year + 1)
        # The replayed history happened long ago and to invented people: it
        # must tell nobody, and whatever still reached the outbox is dropped.
        with history_replay():
            created = history_generate(
                demo=demo, seed=seed, count=requests, end=end, progress=progress
            )
            campaign = campaign_create(demo=demo, seed=seed, end=end)
            demo.campaigns[campaign.slug] = campaign

        Message.objects.filter(pk__gt=last_message).delete()

    return demo, created
