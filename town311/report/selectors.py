"""The list of services residents pick from, and its search."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from town311.directory.models import Service


@dataclass
class CatalogueEntry:
    service: Service
    search_text: str
    is_match: bool


@dataclass
class CatalogueGroup:
    name: str
    entries: list[CatalogueEntry] = field(default_factory=list)

    @property
    def is_match(self) -> bool:
        return any(entry.is_match for entry in self.entries)


def service_catalogue(query: str = "") -> list[CatalogueGroup]:
    """Every service residents can report, grouped, each marked as matching
    the query or not.

    Services that do not match are kept (marked), so the page can hide them
    and a script can show them again as the search changes.
    """
    words = search_words(query)
    groups: dict[int | None, CatalogueGroup] = {}
    services = Service.objects.public().select_related("group")
    for service in services.order_by("group__order", "group__name", "order", "name"):
        key = service.group_id
        if key not in groups:
            name = service.group.name if service.group else _("Other problems")
            groups[key] = CatalogueGroup(name=name)

        text = search_fold(
            " ".join([service.name, service.keywords, service.description])
        )
        groups[key].entries.append(
            CatalogueEntry(
                service=service,
                search_text=text,
                is_match=all(word in text for word in words),
            )
        )

    # Services without a group come last, under "Other problems".
    return sorted(groups.values(), key=lambda g: g.entries[0].service.group is None)


def search_fold(text: str) -> str:
    """Lower case without accents, so “Árbol” is found by “arbol”."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_words(query: str) -> list[str]:
    # A plural finds the singular ("potholes" finds "Pothole"); any word
    # is found inside longer ones ("hole" finds "Pothole").
    words = re.findall(r"\w+", search_fold(query))
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]
