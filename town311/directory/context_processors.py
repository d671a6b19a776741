from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from town311.directory.models import Town

# The resident site's main sections: (URL name, label). Each section's app
# provides the named URL.
SITE_SECTIONS = [
    ("report:service", _("Report a problem")),
    ("front:browse", _("Browse requests")),
    ("residents:my-requests", _("My requests")),
    ("alerts:subscribe", _("Alerts")),
    ("campaigns:list", _("Campaigns")),
]


def town(request) -> dict:
    return {
        "town": Town.objects.current(),
        "map": {
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_zoom": settings.MAP_MAX_ZOOM,
        },
        "site_nav": _site_nav(request),
    }


def _site_nav(request) -> list[dict]:
    items = []
    for name, label in SITE_SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            # A section whose app is not wired up yet is left out.
            continue

        items.append({"url": url, "label": label, "current": request.path == url})

    return items
