"""Where Riverton is: its outline, its districts, its neighbourhoods, its
streets and landmarks.

Riverton is invented. It sits on farmland in eastern Nebraska, drawn in
kilometres around a centre point and turned into longitude and latitude
only when written out, so the shapes stay easy to read and edit. The map is
an affine stretch of the kilometre grid, so a point inside a shape in
kilometres is inside the same shape in degrees.
"""

import json
import math
import random
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

CENTRE = (40.95, -97.35)
KM_PER_DEGREE_LAT = 111.0
KM_PER_DEGREE_LONG = 111.32 * math.cos(math.radians(CENTRE[0]))

Outline = list[tuple[float, float]]

# The town limits, (east, north) in km from the centre: about 210 km², a fair
# size for 250,000 people, with the bulges and notches of a town that grew
# along its roads and annexed a subdivision at a time.
BOUNDARY: Outline = [
    (-8.0, -5.5),
    (-3.0, -6.5),
    (0.5, -7.2),
    (2.5, -6.0),
    (5.5, -6.3),
    (7.8, -4.0),
    (8.4, -0.5),
    (9.6, 1.5),
    (8.2, 4.2),
    (6.0, 5.0),
    (4.8, 7.4),
    (1.0, 7.0),
    (-1.5, 8.1),
    (-4.2, 6.2),
    (-7.1, 6.0),
    (-7.6, 2.8),
    (-9.3, 0.9),
    (-8.4, -2.0),
]

DOWNTOWN: Outline = [
    (-0.9, -0.5),
    (0.4, -0.9),
    (1.6, -0.6),
    (1.9, 0.5),
    (1.2, 1.3),
    (-0.2, 1.2),
    (-1.0, 0.5),
]

# Inside Downtown: the plaza around the county courthouse.
COURTHOUSE_SQUARE: Outline = [(0.15, 0.2), (0.45, 0.2), (0.45, 0.5), (0.15, 0.5)]

# A strip along the Sable River, south-west of Downtown.
RIVERSIDE_PARK: Outline = [
    (-4.2, -2.0),
    (-2.6, -1.5),
    (-1.0, -0.6),
    (-0.8, -1.0),
    (-2.5, -1.95),
    (-4.0, -2.5),
]

# County Road 12 crosses the east side of town; the county still owns it.
COUNTY_ROAD_12: Outline = [
    (6.44, -7.5),
    (6.54, -2.0),
    (6.84, 2.0),
    (6.94, 6.0),
    (7.06, 6.0),
    (6.96, 2.0),
    (6.66, -2.0),
    (6.56, -7.5),
]

# A newer subdivision whose streetlights belong to the electric cooperative.
NORTHGATE: Outline = [
    (3.4, 3.1),
    (5.9, 2.9),
    (6.2, 4.6),
    (5.3, 5.6),
    (3.7, 5.5),
    (3.2, 4.3),
]

# Tallgrass County, which surrounds the town, and the cooperative's much
# larger service territory.
COUNTY: Outline = [
    (-24.0, -20.0),
    (22.0, -21.0),
    (23.0, 19.0),
    (6.0, 20.0),
    (-23.0, 18.5),
]
COOPERATIVE_TERRITORY: Outline = [
    (-70.0, -55.0),
    (65.0, -50.0),
    (60.0, 52.0),
    (-66.0, 48.0),
]

# The neighbourhoods residents know, which tile the whole town. Each outline
# shares its edges with its neighbours' (and with Downtown's and Northgate's,
# which are the districts above), and reaches out past the town limits,
# where it is cut to the boundary; FAR is safely beyond them.
FAR = 15.0
PRAIRIE_HEIGHTS: Outline = [
    (-FAR, 0.5),
    DOWNTOWN[6],
    DOWNTOWN[5],
    DOWNTOWN[4],
    (1.2, FAR),
    (-FAR, FAR),
]
# North of Downtown, wrapped around the Northgate subdivision.
BLUESTEM: Outline = [
    DOWNTOWN[4],
    (1.2, FAR),
    (FAR, FAR),
    (FAR, 4.6),
    NORTHGATE[2],
    NORTHGATE[3],
    NORTHGATE[4],
    NORTHGATE[5],
    NORTHGATE[0],
    DOWNTOWN[3],
]
EASTFIELD: Outline = [
    DOWNTOWN[3],
    NORTHGATE[0],
    NORTHGATE[1],
    NORTHGATE[2],
    (FAR, 4.6),
    (FAR, -1.5),
    (2.5, -1.5),
    DOWNTOWN[2],
]
KILN_HILL: Outline = [(2.5, -1.5), (FAR, -1.5), (FAR, -FAR), (2.5, -FAR)]
# The old south side, where the flour mill stood on the millrace.
OLD_MILL: Outline = [
    DOWNTOWN[0],
    DOWNTOWN[1],
    DOWNTOWN[2],
    (2.5, -1.5),
    (2.5, -FAR),
    (-1.5, -FAR),
    (-0.6, -1.3),
]
# Along the Sable River, with Riverside Park, to the south-west.
RIVERSIDE: Outline = [
    (-FAR, 0.5),
    (-FAR, -FAR),
    (-1.5, -FAR),
    (-0.6, -1.3),
    DOWNTOWN[0],
    DOWNTOWN[6],
]
NEIGHBOURHOODS: list[tuple[str, Outline]] = [
    ("Downtown", DOWNTOWN),
    ("Northgate", NORTHGATE),
    ("Prairie Heights", PRAIRIE_HEIGHTS),
    ("Bluestem", BLUESTEM),
    ("Eastfield", EASTFIELD),
    ("Kiln Hill", KILN_HILL),
    ("Old Mill", OLD_MILL),
    ("Riverside", RIVERSIDE),
]

# Avenues run north to south every 800 m, named west to east.
AVENUES = [
    "Alder Ave",
    "Bluestem Ave",
    "Cottonwood Ave",
    "Driftwood Ave",
    "Elderberry Ave",
    "Foxtail Ave",
    "Goldenrod Ave",
    "Hackberry Ave",
    "Ironweed Ave",
    "Juniper Ave",
    "Kestrel Ave",
    "Larkspur Ave",
    "Millrace Ave",
    "Nightjar Ave",
    "Osage Ave",
    "Pennyroyal Ave",
    "Quarry Ave",
    "Redbud Ave",
    "Sorghum Ave",
    "Tannery Ave",
    "Upland Ave",
    "Vetch Ave",
    "Wheatfield Ave",
    "Yarrow Ave",
    "Zenith Ave",
]
# Streets run east to west every 250 m: Main St, numbered streets north of
# it, and the older named streets of the south side.
SOUTH_STREETS = [
    "Ferry St",
    "Kiln St",
    "Cooper St",
    "Lantern St",
    "Mercantile St",
    "Ropewalk St",
    "Granary St",
    "Wicker St",
    "Harness St",
    "Anvil St",
    "Flax St",
    "Brickyard Rd",
    "Tinsmith St",
    "Carding St",
    "Saddle St",
    "Cistern St",
    "Threshing St",
    "Quill St",
    "Spindle St",
    "Wagonwheel Rd",
    "Sickle St",
    "Tallow St",
    "Beehive St",
    "Lumberyard Rd",
    "Haystack Rd",
    "Orchard Gate Rd",
    "Sable Bend Rd",
    "Creamery Rd",
    "Dovetail Rd",
    "Millstone Rd",
]
AVENUE_SPACING_KM = 0.8
STREET_SPACING_KM = 0.25

PARK_FEATURES = [
    "the shelter house",
    "the boat ramp",
    "the north playground",
    "the disc golf course",
    "the footbridge",
    "the splash pad",
    "the parking lot off Ferry St",
]


@dataclass(frozen=True)
class PlaceSpec:
    """A place of the town's gazetteer, at (x, y) km from the centre."""

    name: str
    aliases: str
    x: float
    y: float


# Places residents name instead of an address, with the names locals use.
LANDMARKS = [
    # Downtown
    PlaceSpec(
        "City Hall", "Riverton City Hall, Town Hall, Municipal Building", 0.6, 0.1
    ),
    PlaceSpec(
        "Courthouse Square",
        "Tallgrass County Courthouse, the courthouse, the square",
        0.3,
        0.35,
    ),
    PlaceSpec("Riverton Public Library", "Main Library, the library", -0.3, 0.6),
    PlaceSpec("Riverton Transit Center", "bus station, bus depot", 1.3, 0.4),
    PlaceSpec("Farmers Market Pavilion", "farmers market, the pavilion", 0.9, 0.9),
    # Riverside
    PlaceSpec("Riverside Park", "River Park", -2.4, -1.7),
    PlaceSpec("Riverside Park Boat Ramp", "the boat ramp", -3.6, -2.1),
    PlaceSpec(
        "Sable River Footbridge", "the footbridge, pedestrian bridge", -1.2, -0.95
    ),
    PlaceSpec("Riverton Water Treatment Plant", "water plant", -6.0, -3.0),
    # Prairie Heights
    PlaceSpec("Riverton High School", "RHS, Riverton High, the high school", -3.0, 3.0),
    PlaceSpec(
        "Prairie Heights Community Center", "community center, rec center", -4.5, 2.5
    ),
    PlaceSpec("Prairie Commons", "the commons", -2.0, 5.0),
    # Bluestem
    PlaceSpec("Bluestem Meadow Park", "Bluestem Park, the meadow", 2.0, 5.0),
    PlaceSpec("Riverton Aquatic Center", "swimming pool, the pool", 1.8, 3.0),
    PlaceSpec("Riverton Cemetery", "the cemetery", 2.5, 6.5),
    # Northgate
    PlaceSpec("Northgate Elementary School", "Northgate Elementary", 4.5, 4.2),
    # Eastfield
    PlaceSpec(
        "Riverton Memorial Hospital",
        "Memorial Hospital, the hospital, emergency room",
        3.5,
        1.0,
    ),
    PlaceSpec("Riverton Community College", "RCC, the college", 5.0, -0.5),
    PlaceSpec("Eastfield Shopping Center", "the mall, Eastfield Mall", 7.5, 1.0),
    # Kiln Hill
    PlaceSpec("Kiln Hill Park", "Kiln Hill playground", 4.5, -3.5),
    PlaceSpec("Riverton Fairgrounds", "the fairgrounds, county fair", 5.5, -5.0),
    PlaceSpec(
        "Riverton Recycling Center", "the dump, transfer station, recycling", 3.5, -5.0
    ),
    # Old Mill
    PlaceSpec("Old Mill Park", "Mill Park, the old mill, the flour mill", 0.05, -2.2),
    PlaceSpec("Riverton Depot", "the depot, old train station", 0.6, -1.2),
    PlaceSpec("Cooper Street Playground", "Cooper playground", 1.4, -0.76),
    PlaceSpec("Granary Green", "the green", 1.0, -1.75),
    PlaceSpec("Sable Bend Park", "Sable Bend", -0.5, -6.6),
]

# Corners people give as the place of a problem, in km (east, north); their
# names come from the street grid, as the demo's addresses do.
INTERSECTIONS = [
    (0.0, 0.0),
    (0.0, 2.5),
    (-3.2, 0.0),
    (3.2, 0.0),
    (0.0, -2.0),
    (-1.6, 4.0),
    (4.8, -2.5),
]

ORDINAL_WORDS = [
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
]


def to_lat_long(x: float, y: float) -> tuple[float, float]:
    lat = CENTRE[0] + y / KM_PER_DEGREE_LAT
    long = CENTRE[1] + x / KM_PER_DEGREE_LONG
    return round(lat, 6), round(long, 6)


def to_km(lat: float, long: float) -> tuple[float, float]:
    return (
        (long - CENTRE[1]) * KM_PER_DEGREE_LONG,
        (lat - CENTRE[0]) * KM_PER_DEGREE_LAT,
    )


def geojson(outline: Outline) -> str:
    """A GeoJSON Polygon of an outline given in km, as GeoJSON wants it:
    longitude first, ring closed."""
    ring = []
    for x, y in [*outline, outline[0]]:
        lat, long = to_lat_long(x, y)
        ring.append([long, lat])

    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")

    return f"{n}{suffix}"


def avenue_at(x: float) -> str:
    index = round(x / AVENUE_SPACING_KM) + len(AVENUES) // 2
    return AVENUES[max(0, min(index, len(AVENUES) - 1))]


def street_at(y: float) -> str:
    n = round(y / STREET_SPACING_KM)
    if n == 0:
        return "Main St"

    if n > 0:
        return f"{ordinal(n)} St"

    return SOUTH_STREETS[min(-n, len(SOUTH_STREETS)) - 1]


def shape_geojson(geometry: BaseGeometry) -> str:
    """GeoJSON of a (multi)polygon drawn in km."""
    in_degrees = shapely.transform(
        geometry, lambda points: [to_lat_long(x, y)[::-1] for x, y in points]
    )
    return json.dumps(mapping(in_degrees))


def neighbourhood_areas() -> list[tuple[str, str]]:
    """(name, GeoJSON area) of each neighbourhood, cut to the town limits."""
    town = Polygon(BOUNDARY)
    return [
        (name, shape_geojson(Polygon(outline).intersection(town)))
        for name, outline in NEIGHBOURHOODS
    ]


def streets() -> list[PlaceSpec]:
    """Every street and avenue the demo's addresses use that crosses the
    town, placed at the middle of its longest stretch inside it, and County
    Road 12."""
    town = Polygon(BOUNDARY).buffer(-Places.EDGE_MARGIN_KM)
    found = []

    for index, name in enumerate(AVENUES):
        x = (index - len(AVENUES) // 2) * AVENUE_SPACING_KM
        line = LineString([(x, -FAR), (x, FAR)])
        if point := _middle_inside(line, town):
            found.append(PlaceSpec(name, _directions(name, "N", "S"), *point))

    for n in range(-len(SOUTH_STREETS), round(FAR / STREET_SPACING_KM)):
        y = n * STREET_SPACING_KM
        line = LineString([(-FAR, y), (FAR, y)])
        if point := _middle_inside(line, town):
            name = street_at(y)
            aliases = _directions(name, "E", "W")
            if 1 <= n <= len(ORDINAL_WORDS):
                aliases += f", {ORDINAL_WORDS[n - 1]} St"
            found.append(PlaceSpec(name, aliases, *point))

    road = Polygon(COUNTY_ROAD_12).intersection(town)
    centre = road.representative_point()
    found.append(PlaceSpec("County Road 12", "CR 12, County Rd 12", centre.x, centre.y))
    return found


def intersections() -> list[PlaceSpec]:
    """The corners in INTERSECTIONS, named both ways round."""
    corners = []
    for x, y in INTERSECTIONS:
        street, avenue = street_at(y), avenue_at(x)
        corners.append(PlaceSpec(f"{street} & {avenue}", f"{avenue} & {street}", x, y))

    return corners


def _middle_inside(line: LineString, area) -> tuple[float, float] | None:
    inside = line.intersection(area)
    if inside.is_empty:
        return None

    pieces = getattr(inside, "geoms", [inside])
    longest = max(pieces, key=lambda piece: piece.length)
    middle = longest.interpolate(0.5, normalized=True)
    return middle.x, middle.y


def _directions(name: str, *directions: str) -> str:
    # Addresses put a direction before the street ("240 E Main St").
    return ", ".join(f"{direction} {name}" for direction in directions)


class Places:
    """Draws believable places inside the town, and names them."""

    # Keep generated points this far (km) inside an edge, so rounding the
    # coordinates never pushes one across it.
    EDGE_MARGIN_KM = 0.03

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.town = self._inner(BOUNDARY)
        self.districts = {
            "downtown": self._inner(DOWNTOWN),
            "courthouse": self._inner(COURTHOUSE_SQUARE),
            "park": self._inner(RIVERSIDE_PARK),
            "northgate": self._inner(NORTHGATE),
            "county-road": self._inner(COUNTY_ROAD_12),
        }

    def _inner(self, outline: Outline):
        shape = Polygon(outline).buffer(-self.EDGE_MARGIN_KM)
        shapely.prepare(shape)
        return shape

    def inside(self, district: str, x: float, y: float) -> bool:
        return self.districts[district].contains(Point(x, y))

    def point(self, district: str | None = None) -> tuple[float, float]:
        """A point in km inside the town, or inside one of its districts.

        People live and travel more near the centre, so most points cluster
        around it; the rest spread over the whole town.
        """
        shape = self.districts[district] if district else self.town
        minx, miny, maxx, maxy = shape.bounds
        while True:
            if district is None and self.rng.random() < 0.7:
                x, y = self.rng.gauss(0, 3.8), self.rng.gauss(0, 3.4)
            else:
                x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if shape.contains(Point(x, y)) and self.town.contains(Point(x, y)):
                return x, y

    def near(self, x: float, y: float, metres: float) -> tuple[float, float]:
        """A point within about `metres` of (x, y), still inside the town."""
        while True:
            angle = self.rng.uniform(0, 2 * math.pi)
            distance = self.rng.uniform(0, metres) / 1000
            nx, ny = x + distance * math.cos(angle), y + distance * math.sin(angle)
            if self.town.contains(Point(nx, ny)):
                return nx, ny

    def address(self, x: float, y: float, *, corner: bool = False) -> str:
        """A street address (or an intersection) close to (x, y)."""
        if self.inside("courthouse", x, y):
            return self.rng.choice(
                ["Courthouse Square", "Courthouse Square, south steps"]
            )

        if self.inside("park", x, y):
            return f"Riverside Park, by {self.rng.choice(PARK_FEATURES)}"

        if self.inside("county-road", x, y):
            return f"County Road 12 near {street_at(y)}"

        if corner:
            return f"{street_at(y)} & {avenue_at(x)}"

        side = self.rng.randint(0, 1)
        if self.rng.random() < 0.6:
            number = max(100, int(abs(x) * 1000)) // 2 * 2 + side
            direction = "E" if x >= 0 else "W"
            return f"{number} {direction} {street_at(y)}"

        number = max(100, int(abs(y) * 1000)) // 2 * 2 + side
        direction = "N" if y >= 0 else "S"
        return f"{number} {direction} {avenue_at(x)}"
