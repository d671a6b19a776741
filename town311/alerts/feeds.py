"""The Atom feed of new public requests in an area.

Entries say what and where, the status and the department, and nothing
a resident wrote: descriptions can hold names and phone numbers, and
the feed is read by programs that keep everything.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext

from town311.alerts.selectors import Area, area_requests
from town311.alerts.services import area_words
from town311.directory.models import Town
from town311.notifications.wording import status_label
from town311.servicerequests.models import ServiceRequest


class AreaFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *, area: Area) -> Area:
        return area

    def title(self, area: Area) -> str:
        town = Town.objects.current()
        name = town.display_name if town else "town311"
        if area.neighbourhood is None and not area.is_circle:
            return gettext("%(town)s: new requests") % {"town": name}

        return gettext("%(town)s: new requests %(area)s") % {
            "town": name,
            "area": area_words(area),
        }

    def subtitle(self, area: Area) -> str:
        if area.services:
            names = ", ".join(service.name for service in area.services)
            return gettext("Public requests for %(services)s, newest first.") % {
                "services": names
            }

        return gettext("Public requests, newest first.")

    def link(self) -> str:
        return reverse("alerts:subscribe")

    def items(self, area: Area) -> list[ServiceRequest]:
        return area_requests(area)

    def item_title(self, item: ServiceRequest) -> str:
        where = item.address or (item.neighbourhood.name if item.neighbourhood else "")
        if where:
            return f"{item.service.name}: {where}"

        return item.service.name

    def item_description(self, item: ServiceRequest) -> str:
        department = item.department.name if item.department else ""
        return format_html(
            "<p>{}</p>",
            gettext("Request %(number)s. Status: %(status)s. Sent to %(department)s.")
            % {
                "number": item.number,
                "status": status_label(item.status),
                "department": department,
            },
        )

    def item_link(self, item: ServiceRequest) -> str:
        return reverse("front:request", args=[item.pk])

    def item_pubdate(self, item: ServiceRequest):
        return item.submitted_at

    def item_updateddate(self, item: ServiceRequest):
        return item.updated_at

    def item_categories(self, item: ServiceRequest) -> list[str]:
        return [item.service.name]
