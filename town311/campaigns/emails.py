"""The e-mail that thanks a contributor when their point reaches the map.

It speaks of their own point only: the campaign, whether the point was
published or counted as a confirmation of one already there, and where the
map is; never who else sent or confirmed anything. Like the e-mails to a
request's followers, it is written in the site's default language, since a
submission records no language.
"""

from django.conf import settings
from django.utils import translation

from town311.campaigns.models import Submission
from town311.notifications.emails import email_queue, url


def contributor_thank(submission: Submission) -> int:
    """Queue the thank-you e-mail, in the caller's transaction, when the
    contributor left an address. Returns how many were queued (0 or 1)."""
    if not submission.contributor_email:
        return 0

    campaign = submission.campaign
    points = Submission.objects.filter(
        campaign=campaign, status=Submission.Status.PUBLISHED
    ).count()
    with translation.override(settings.LANGUAGE_CODE):
        email_queue(
            "campaign-thanks",
            to=submission.contributor_email,
            context={
                "campaign": campaign.title,
                "campaign_url": url("campaigns:detail", campaign.slug),
                "merged": submission.status == Submission.Status.MERGED,
                "points": points,
            },
        )

    return 1
