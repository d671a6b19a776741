"""Find the town's places from what a resident types.

The gazetteer is the town's own list of streets and landmarks (`Place`),
so residents can say where a problem is without a map and without an
outside geocoding service. A town has a few thousand places at most, so
matching runs in Python over all of them: that is what makes it
insensitive to case and accents on every database.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from town311.directory.models import Place

MIN_QUERY_LENGTH = 2

# People type "Elm St" for "Elm Street" and the other way round; both
# sides are reduced to one spelling before they are compared.
STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "terrace": "ter",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}

DIRECTIONS = {"n", "s", "e", "w"}

# "123 Elm Street", "12b Elm St", "40-42 Elm St": a house number, then the rest.
HOUSE_NUMBER = re.compile(r"^\s*(\d+[a-z]?(?:\s*-\s*\d+[a-z]?)?)[\s,]+(.+)$", re.I)

EXACT, PREFIX, WORD_PREFIXES, SUBSTRING = 4, 3, 2, 1
NO_MATCH = (0, 0, 0)


@dataclass(frozen=True)
class PlaceMatch:
    """A place that matches what was typed.

    `address` is what to store as the request's address: the place's name,
    with the house number in front when one was typed before a street.
    `is_exact` is true when the text is the place's name or an alias.
    """

    place: Place
    address: str
    is_exact: bool

    @property
    def lat(self) -> float:
        return self.place.lat

    @property
    def long(self) -> float:
        return self.place.long


def places_search(text: str, *, limit: int = 8) -> list[PlaceMatch]:
    """Places whose name or alias matches `text`, best matches first."""
    query = normalize(text)
    if len(query) < MIN_QUERY_LENGTH:
        return []

    places = list(Place.objects.all())
    scored = {place.pk: (_score(place, query), place, "") for place in places}

    # A typed house number is kept for the address but cannot be matched:
    # streets are found by the rest.
    if found := HOUSE_NUMBER.match(text):
        number, street = found[1].replace(" ", ""), normalize(found[2])
        readings = [(street, number)]
        # "1234 E Main St" may be on a street named just "Main Street": then
        # the direction stays in the address but not in the street's name.
        direction, _, rest = street.partition(" ")
        if direction in DIRECTIONS and rest:
            readings.append((rest, f"{number} {direction.upper()}"))
        for place in places:
            if place.kind != Place.Kind.STREET:
                continue
            for name, prefix in readings:
                if len(name) < MIN_QUERY_LENGTH:
                    continue
                score = _score(place, name)
                if score > scored[place.pk][0]:
                    scored[place.pk] = (score, place, prefix)

    matches = [m for m in scored.values() if m[0] > NO_MATCH]
    matches.sort(key=lambda m: (*(-part for part in m[0]), m[1].name, m[1].pk))
    return [
        PlaceMatch(
            place=place,
            address=f"{number} {place.name}" if number else place.name,
            is_exact=score[0] == EXACT,
        )
        for score, place, number in matches[:limit]
    ]


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, street words abbreviated."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("&", " and ")
    plain = plain.replace("'", "").replace("\u2019", "")
    words = re.sub(r"[^\w]+", " ", plain).split()
    return " ".join(STREET_WORDS.get(word, word) for word in words)


def _score(place: Place, query: str) -> tuple[int, int, int]:
    """How well the place matches: (kind of match, name over alias, -length)."""
    best = NO_MATCH
    for n, name in enumerate(_names(place.name, place.aliases)):
        if kind := _match_kind(name, query):
            best = max(best, (kind, int(n == 0), -len(name)))

    return best


# Keyed by the text itself, so an edited place is simply folded again.
@lru_cache(maxsize=16_384)
def _names(name: str, aliases: str) -> tuple[str, ...]:
    """The place's name, then its aliases, folded for matching."""
    others = [normalize(alias) for alias in aliases.split(",") if alias.strip()]
    return (normalize(name), *others)


def _match_kind(name: str, query: str) -> int:
    if name == query:
        return EXACT

    if name.startswith(query):
        return PREFIX

    words = name.split()
    if all(any(w.startswith(q) for w in words) for q in query.split()):
        return WORD_PREFIXES

    if query in name:
        return SUBSTRING

    return 0
