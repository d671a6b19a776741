"""The directory of Riverton, the demo town: its departments, the outside
agencies, the services residents pick and their questions, the routing
areas, its neighbourhoods and gazetteer, and the people who sign in.

Everything here is invented. E-mail addresses and websites use the
reserved .example domain and phone numbers the 555-01xx range, so nothing
in the demo can reach a real person.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from town311.accounts.models import User
from town311.campaigns.models import Campaign, Submission
from town311.demo import places
from town311.directory.models import (
    Agency,
    AttributeValue,
    Blocker,
    Department,
    GeographyVersion,
    Holiday,
    Neighbourhood,
    Place,
    RoutingArea,
    Service,
    ServiceAttribute,
    ServiceGroup,
    Town,
)
from town311.servicerequests.models import Event, ServiceRequest

PASSWORD = "riverton-demo"
DOMAIN = "riverton.example"
TIME_ZONE = "America/Chicago"

Datatype = ServiceAttribute.Datatype


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str
    mailbox: str
    phone: str
    acknowledge_days: float
    close_days: float
    staff: Person
    lead: Person


DEPARTMENTS = [
    DepartmentSpec(
        "streets",
        "Streets",
        "streets",
        "(402) 555-0110",
        2,
        10,
        Person("streets", "Marisol", "Okafor"),
        Person("streets-lead", "Dale", "Brandvold"),
    ),
    DepartmentSpec(
        "sanitation",
        "Sanitation",
        "sanitation",
        "(402) 555-0111",
        2,
        4,
        Person("sanitation", "Trevor", "Lindqvist"),
        Person("sanitation-lead", "Yolanda", "Pruitt"),
    ),
    DepartmentSpec(
        "parks-forestry",
        "Parks & Forestry",
        "parks",
        "(402) 555-0112",
        2,
        21,
        Person("parks", "Hazel", "Amundsen"),
        Person("parks-lead", "Reuben", "Castellanos"),
    ),
    DepartmentSpec(
        "water-sewer",
        "Water & Sewer",
        "water",
        "(402) 555-0113",
        1,
        7,
        Person("water", "Gus", "Ferreira"),
        Person("water-lead", "Annika", "Holloway"),
    ),
    DepartmentSpec(
        "code-enforcement",
        "Code Enforcement",
        "code",
        "(402) 555-0114",
        2,
        30,
        Person("code", "Priya", "Nakashima"),
        Person("code-lead", "Walt", "Szymanski"),
    ),
    DepartmentSpec(
        "traffic-lighting",
        "Traffic & Lighting",
        "traffic",
        "(402) 555-0115",
        2,
        10,
        Person("traffic", "Jonah", "Eberhardt"),
        Person("traffic-lead", "Lucinda", "Mbeki"),
    ),
    DepartmentSpec(
        "animal-services",
        "Animal Services",
        "animals",
        "(402) 555-0116",
        1,
        3,
        Person("animals", "Rosie", "Tallchief"),
        Person("animals-lead", "Hank", "Delacroix"),
    ),
    DepartmentSpec(
        "customer-service",
        "Customer Service",
        "311",
        "(402) 555-0131",
        2,
        5,
        Person("customer", "Bea", "Lundgren"),
        Person("customer-lead", "Omar", "Haddad"),
    ),
]

COORDINATOR = Person("coordinator", "Celeste", "Varga")
ADMIN = Person("admin", "Riverton", "Administrator")


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    kind: str
    description: str
    phone: str
    email: str
    website: str
    outline: places.Outline


AGENCIES = [
    AgencySpec(
        "county",
        "Tallgrass County Highway Department",
        Agency.Kind.COUNTY,
        "Looks after county roads, including County Road 12 through town, "
        "and every road in the county outside the town limits.",
        "(402) 555-0150",
        "highways@tallgrass-county.example",
        "https://tallgrass-county.example/highways",
        places.COUNTY,
    ),
    AgencySpec(
        "cooperative",
        "Prairie Line Electric Cooperative",
        Agency.Kind.UTILITY,
        "Owns the power lines and the streetlights in Northgate; call them "
        "about outages, downed lines and their streetlights.",
        "(402) 555-0160",
        "outages@prairieline-electric.example",
        "https://prairieline-electric.example",
        places.COOPERATIVE_TERRITORY,
    ),
]


@dataclass(frozen=True)
class Question:
    code: str
    description: str
    datatype: str
    required: bool = False
    hint: str = ""
    values: tuple[tuple[str, str], ...] = ()
    variable: bool = True


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    department: str
    description: str
    keywords: str
    questions: tuple[Question, ...] = ()
    is_public: bool = True


YES_NO = (("yes", "Yes"), ("no", "No"))

SERVICE_GROUPS: list[tuple[str, list[ServiceSpec]]] = [
    (
        "Streets & sidewalks",
        [
            ServiceSpec(
                "pothole",
                "Pothole",
                "streets",
                "A hole or broken patch in a town street. County Road 12 is "
                "the county's.",
                "hole, road damage, pavement, crack",
                (
                    Question(
                        "size",
                        "About how big is it?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=(
                            ("small", "Smaller than a dinner plate"),
                            ("medium", "About the size of a tyre"),
                            ("large", "Bigger than a tyre"),
                        ),
                    ),
                    Question(
                        "position",
                        "Where is it in the road?",
                        Datatype.SINGLEVALUELIST,
                        values=(
                            ("lane", "In a driving lane"),
                            ("curb", "Along the curb"),
                            ("crosswalk", "In a crosswalk"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "street-cleaning",
                "Street cleaning",
                "streets",
                "Gravel, mud, glass or litter on the street that needs a sweeper.",
                "sweeping, debris, glass, gravel, litter, mud",
            ),
            ServiceSpec(
                "sidewalk-damage",
                "Damaged sidewalk",
                "streets",
                "A heaved, cracked or missing piece of public sidewalk.",
                "trip hazard, concrete, curb, ramp",
                (
                    Question(
                        "height",
                        "How high is the lip or gap?",
                        Datatype.NUMBER,
                        hint="in inches",
                    ),
                ),
            ),
            ServiceSpec(
                "snow-ice",
                "Snow or ice on a street",
                "streets",
                "A street that was missed by the plows or has turned to ice.",
                "plow, snow, ice, slippery, windrow",
                (
                    Question(
                        "problems",
                        "What is the problem?",
                        Datatype.MULTIVALUELIST,
                        required=True,
                        values=(
                            ("unplowed", "Not plowed yet"),
                            ("icy", "Icy"),
                            ("windrow", "Plow left a ridge across my driveway"),
                            ("blocked-drain", "Snow blocking a drain"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "street-cut-inspection",
                "Street cut inspection",
                "streets",
                "Inspection of a contractor's patch after digging in the street.",
                "permit, excavation, patch",
                (
                    Question(
                        "permit",
                        "Permit number",
                        Datatype.STRING,
                        required=True,
                    ),
                ),
                is_public=False,
            ),
        ],
    ),
    (
        "Trash & recycling",
        [
            ServiceSpec(
                "missed-pickup",
                "Missed trash pickup",
                "sanitation",
                "Your cart was out by 7 AM on your collection day and was not emptied.",
                "garbage, trash, recycling, cart, collection",
                (
                    Question(
                        "cart",
                        "Which cart was missed?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=(
                            ("trash", "Trash"),
                            ("recycling", "Recycling"),
                            ("yard-waste", "Yard waste"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "bulk-pickup",
                "Bulk item pickup",
                "sanitation",
                "Furniture, appliances and other things too big for the cart.",
                "couch, mattress, appliance, furniture, large item",
                (
                    Question(
                        "items",
                        "What needs picking up?",
                        Datatype.MULTIVALUELIST,
                        required=True,
                        values=(
                            ("furniture", "Furniture"),
                            ("mattress", "Mattress"),
                            ("appliance", "Appliance"),
                            ("electronics", "Electronics"),
                        ),
                    ),
                    Question(
                        "count",
                        "How many pieces?",
                        Datatype.NUMBER,
                    ),
                ),
            ),
            ServiceSpec(
                "leaf-collection",
                "Leaf collection",
                "sanitation",
                "Bagged or piled leaves waiting for the fall leaf crews.",
                "leaves, yard waste, bags, fall",
                (
                    Question(
                        "bags",
                        "How many bags (or about how many, for a pile)?",
                        Datatype.NUMBER,
                    ),
                ),
            ),
            ServiceSpec(
                "illegal-dumping",
                "Illegal dumping",
                "sanitation",
                "Trash or junk left on public land or in an alley.",
                "dumping, junk, tires, debris, alley",
                (
                    Question(
                        "what",
                        "What was dumped?",
                        Datatype.TEXT,
                    ),
                ),
            ),
        ],
    ),
    (
        "Parks & trees",
        [
            ServiceSpec(
                "park-maintenance",
                "Park maintenance",
                "parks-forestry",
                "Broken benches, overflowing bins, damaged play equipment and "
                "other upkeep in a town park.",
                "park, bench, playground, shelter, restroom",
                (
                    Question(
                        "park",
                        "Which park?",
                        Datatype.STRING,
                        required=True,
                    ),
                ),
            ),
            ServiceSpec(
                "tree-trimming",
                "Tree trimming",
                "parks-forestry",
                "A street tree whose branches hang over the road, the sidewalk "
                "or a streetlight.",
                "branches, tree, limbs, prune",
                (
                    Question(
                        "where",
                        "Where is the tree?",
                        Datatype.SINGLEVALUELIST,
                        values=(
                            ("street", "Between the sidewalk and the street"),
                            ("park", "In a park"),
                            ("alley", "In an alley"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "fallen-tree",
                "Fallen tree or limb",
                "parks-forestry",
                "A tree or large limb that has come down on public land.",
                "storm, branch, limb, downed tree",
                (
                    Question(
                        "blocking",
                        "Is it blocking the street?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=YES_NO,
                    ),
                ),
            ),
            ServiceSpec(
                "mowing-work-order",
                "Mowing work order",
                "parks-forestry",
                "Mowing of medians and town lots, entered by staff.",
                "mowing, median, lot",
                is_public=False,
            ),
        ],
    ),
    (
        "Water & sewer",
        [
            ServiceSpec(
                "water-leak",
                "Water leak in the street",
                "water-sewer",
                "Water bubbling up through the pavement or running from a valve box.",
                "leak, main break, water, puddle",
                (
                    Question(
                        "noticed",
                        "When did you first notice it?",
                        Datatype.DATETIME,
                    ),
                ),
            ),
            ServiceSpec(
                "sewer-backup",
                "Sewer backup",
                "water-sewer",
                "Sewage coming up from a drain, a manhole or into a basement.",
                "sewage, manhole, basement, smell",
                (
                    Question(
                        "emergency-note",
                        "If sewage is coming into your home right now, call "
                        "(402) 555-0113 day or night.",
                        Datatype.STRING,
                        variable=False,
                    ),
                    Question(
                        "where",
                        "Where is it backing up?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=(
                            ("basement", "In my basement"),
                            ("yard", "In my yard"),
                            ("manhole", "From a manhole in the street"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "storm-drain",
                "Clogged storm drain",
                "water-sewer",
                "A street drain blocked by leaves or debris, or water ponding "
                "at the curb.",
                "drain, flooding, ponding, inlet",
            ),
            ServiceSpec(
                "meter-check",
                "Water meter check",
                "water-sewer",
                "A meter reading or meter that needs a second look, entered by staff.",
                "meter, reading, bill",
                (
                    Question(
                        "meter",
                        "Meter number",
                        Datatype.STRING,
                        required=True,
                    ),
                ),
                is_public=False,
            ),
        ],
    ),
    (
        "Lights, signals & signs",
        [
            ServiceSpec(
                "streetlight-out",
                "Streetlight out",
                "traffic-lighting",
                "A streetlight that is dark, flickering or on during the day. "
                "Northgate's lights belong to Prairie Line Electric.",
                "streetlight, light, dark, lamp, flickering",
                (
                    Question(
                        "pole",
                        "Pole number",
                        Datatype.STRING,
                        hint="on the metal tag about eye height",
                    ),
                    Question(
                        "problem",
                        "What is it doing?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=(
                            ("out", "Completely out"),
                            ("flickering", "Flickering"),
                            ("day-burner", "On during the day"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "traffic-signal",
                "Traffic signal problem",
                "traffic-lighting",
                "A signal that is dark, stuck, flashing or badly timed.",
                "traffic light, signal, stoplight, flashing",
            ),
            ServiceSpec(
                "street-sign",
                "Damaged or missing sign",
                "traffic-lighting",
                "A street sign that is knocked down, turned, faded or missing.",
                "sign, stop sign, street name, speed limit",
                (
                    Question(
                        "sign",
                        "Which sign?",
                        Datatype.SINGLEVALUELIST,
                        values=(
                            ("stop", "Stop"),
                            ("yield", "Yield"),
                            ("street-name", "Street name"),
                            ("speed", "Speed limit"),
                            ("other", "Something else"),
                        ),
                    ),
                ),
            ),
        ],
    ),
    (
        "Neighbourhood",
        [
            ServiceSpec(
                "tall-grass",
                "Tall grass or weeds",
                "code-enforcement",
                "A yard or lot where grass and weeds have grown past 10 inches.",
                "grass, weeds, overgrown, yard, lot",
                (
                    Question(
                        "height",
                        "About how tall is it?",
                        Datatype.NUMBER,
                        hint="in inches",
                    ),
                ),
            ),
            ServiceSpec(
                "abandoned-vehicle",
                "Abandoned vehicle",
                "code-enforcement",
                "A vehicle left on a street for more than 72 hours, or one that "
                "cannot move.",
                "car, vehicle, junk car, parked, flat tires",
                (
                    Question(
                        "vehicle",
                        "Make, model and colour",
                        Datatype.STRING,
                        required=True,
                    ),
                    Question(
                        "plate", "Licence plate, if you can see it", Datatype.STRING
                    ),
                    Question(
                        "days",
                        "How many days has it been there?",
                        Datatype.NUMBER,
                    ),
                ),
            ),
            ServiceSpec(
                "graffiti",
                "Graffiti",
                "code-enforcement",
                "Paint or markings on public property, or on private property "
                "facing the street.",
                "graffiti, tagging, paint, vandalism",
                (
                    Question(
                        "surfaces",
                        "What is it on?",
                        Datatype.MULTIVALUELIST,
                        values=(
                            ("building", "A building"),
                            ("fence", "A fence"),
                            ("sign", "A sign or pole"),
                            ("bridge", "A bridge or underpass"),
                        ),
                    ),
                    Question(
                        "offensive",
                        "Is it offensive?",
                        Datatype.SINGLEVALUELIST,
                        values=YES_NO,
                    ),
                ),
            ),
            ServiceSpec(
                "stray-animal",
                "Stray or loose animal",
                "animal-services",
                "A dog, cat or farm animal loose in town.",
                "dog, cat, stray, loose, livestock",
                (
                    Question(
                        "animal",
                        "What kind of animal?",
                        Datatype.SINGLEVALUELIST,
                        required=True,
                        values=(
                            ("dog", "Dog"),
                            ("cat", "Cat"),
                            ("livestock", "Livestock"),
                            ("other", "Something else"),
                        ),
                    ),
                ),
            ),
            ServiceSpec(
                "dead-animal",
                "Dead animal",
                "animal-services",
                "A dead animal on a street, sidewalk or other public place.",
                "deer, raccoon, roadkill, carcass",
            ),
            ServiceSpec(
                "general-question",
                "Something else",
                "customer-service",
                "Anything that fits nowhere above. Customer Service reads "
                "every one and sends it to the right people.",
                "question, other, help, general",
            ),
        ],
    ),
]


@dataclass(frozen=True)
class RoutingAreaSpec:
    name: str
    outline: places.Outline
    service: str | None
    department: str | None = None
    agency: str | None = None


ROUTING_AREAS = [
    # Downtown streets are swept at night by the sanitation crew that
    # empties the sidewalk bins, except the courthouse plaza, which the
    # parks crew keeps along with its flower beds.
    RoutingAreaSpec(
        "Downtown", places.DOWNTOWN, "street-cleaning", department="sanitation"
    ),
    RoutingAreaSpec(
        "Courthouse Square",
        places.COURTHOUSE_SQUARE,
        "street-cleaning",
        department="parks-forestry",
    ),
    RoutingAreaSpec(
        "Riverside Park", places.RIVERSIDE_PARK, None, department="parks-forestry"
    ),
    RoutingAreaSpec(
        "County Road 12", places.COUNTY_ROAD_12, "pothole", agency="county"
    ),
    RoutingAreaSpec(
        "Northgate streetlights",
        places.NORTHGATE,
        "streetlight-out",
        agency="cooperative",
    ),
]


# Why a request waits, as staff pick it and as residents read it.
BLOCKERS = [
    (
        "Needs information from the resident",
        "We asked a question about this request and need the answer to go on.",
    ),
    ("Waiting on a contractor", "A contractor will do the work; it is booked."),
    (
        "Waiting on another agency",
        "Another agency has to do its part before we can finish.",
    ),
    ("Scheduled", "The work is on our schedule."),
]


@dataclass
class DemoTown:
    """The objects created for the demo, looked up by their keys."""

    town: Town
    departments: dict[str, Department] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    leads: dict[str, User] = field(default_factory=dict)
    coordinator: User | None = None
    admin: User | None = None
    campaigns: dict[str, Campaign] = field(default_factory=dict)


def demo_usernames() -> list[str]:
    names = [ADMIN.username, COORDINATOR.username]
    for spec in DEPARTMENTS:
        names += [spec.staff.username, spec.lead.username]

    return names


def demo_logins() -> list[tuple[str, str]]:
    """(username, what they can do) for everyone who can sign in."""
    logins = [
        (ADMIN.username, "administrator: configures everything"),
        (COORDINATOR.username, "coordinator: sees every department"),
    ]
    for spec in DEPARTMENTS:
        logins.append((spec.staff.username, f"{spec.name} staff"))
        logins.append((spec.lead.username, f"{spec.name} lead"))

    return logins


def database_holds_data() -> bool:
    """Is there anything the demo would clash with or overwrite?"""
    return (
        Town.objects.exists()
        or Department.objects.exists()
        or Agency.objects.exists()
        or Service.objects.exists()
        or Neighbourhood.objects.exists()
        or Place.objects.exists()
        or ServiceRequest.objects.exists()
        or Campaign.objects.exists()
        or User.objects.filter(username__in=demo_usernames()).exists()
    )


def demo_delete() -> None:
    """Remove every request, every campaign, the whole directory and the
    demo's users."""
    # Campaigns first: their creators are among the users. Photo files go
    # once the rows' deletion is committed, so a failed load keeps both.
    photos = [
        name
        for pair in Submission.objects.values_list("photo", "thumbnail")
        for name in pair
        if name
    ]
    Campaign.objects.all().delete()
    transaction.on_commit(lambda: _photos_delete(photos))

    # Timeline events refuse deletion one by one, and requests point at
    # each other as duplicates; clearing both in bulk first lets the rest
    # go in dependency order.
    Event.objects.all().delete()
    ServiceRequest.objects.exclude(duplicate_of=None).update(duplicate_of=None)
    ServiceRequest.objects.all().delete()

    RoutingArea.objects.all().delete()
    Blocker.objects.all().delete()
    Holiday.objects.all().delete()
    Neighbourhood.objects.all().delete()
    Place.objects.all().delete()
    Service.objects.all().delete()
    ServiceGroup.objects.all().delete()
    Agency.objects.all().delete()
    User.objects.filter(username__in=demo_usernames()).delete()
    Department.objects.all().delete()
    Town.objects.all().delete()


def _photos_delete(names: list[str]) -> None:
    storage = Submission._meta.get_field("photo").storage
    for name in names:
        storage.delete(name)


def town_create() -> DemoTown:
    town = Town.objects.create(
        name="Riverton",
        display_name="Riverton 311",
        time_zone=TIME_ZONE,
        boundary=places.geojson(places.BOUNDARY),
        colour="#2e6b4f",
        email=f"311@{DOMAIN}",
        phone="(402) 555-0131",
        website=f"https://{DOMAIN}",
    )
    demo = DemoTown(town=town)

    for spec in DEPARTMENTS:
        demo.departments[spec.slug] = Department.objects.create(
            name=spec.name,
            slug=spec.slug,
            email=f"{spec.mailbox}@{DOMAIN}",
            phone=spec.phone,
            acknowledge_target=timedelta(days=spec.acknowledge_days),
            close_target=timedelta(days=spec.close_days),
        )

    for spec in AGENCIES:
        demo.agencies[spec.key] = Agency.objects.create(
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            phone=spec.phone,
            email=spec.email,
            website=spec.website,
            area=places.geojson(spec.outline),
        )

    _services_create(demo)
    _routing_areas_create(demo)
    _neighbourhoods_create()
    _places_create()
    _people_create(demo)
    Blocker.objects.bulk_create(
        Blocker(name=name, public_text=text, order=order)
        for order, (name, text) in enumerate(BLOCKERS, start=1)
    )
    return demo


def holidays_create(first_year: int, last_year: int) -> None:
    """The town's holidays (the usual US federal ones, as observed) for
    these years, so its due dates skip them."""
    Holiday.objects.bulk_create(
        Holiday(date=day, name=name)
        for year in range(first_year, last_year + 1)
        for day, name in _holidays(year)
    )


def _holidays(year: int) -> list[tuple[date, str]]:
    def nth_weekday(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (n - 1))

    def observed(day: date) -> date:
        # A holiday on a Saturday is taken on the Friday, on a Sunday on
        # the Monday.
        if day.weekday() == calendar.SATURDAY:
            return day - timedelta(days=1)
        if day.weekday() == calendar.SUNDAY:
            return day + timedelta(days=1)
        return day

    last_monday_of_may = nth_weekday(5, calendar.MONDAY, 5)
    if last_monday_of_may.month != 5:
        last_monday_of_may = nth_weekday(5, calendar.MONDAY, 4)

    return [
        (observed(date(year, 1, 1)), "New Year's Day"),
        (last_monday_of_may, "Memorial Day"),
        (observed(date(year, 7, 4)), "Independence Day"),
        (nth_weekday(9, calendar.MONDAY, 1), "Labor Day"),
        (nth_weekday(11, calendar.THURSDAY, 4), "Thanksgiving"),
        (observed(date(year, 12, 25)), "Christmas Day"),
    ]


def _services_create(demo: DemoTown) -> None:
    for group_order, (group_name, specs) in enumerate(SERVICE_GROUPS, start=1):
        group = ServiceGroup.objects.create(name=group_name, order=group_order)
        for order, spec in enumerate(specs, start=1):
            service = Service.objects.create(
                code=spec.code,
                name=spec.name,
                group=group,
                description=spec.description,
                keywords=spec.keywords,
                department=demo.departments[spec.department],
                is_public=spec.is_public,
                order=order,
            )
            for question_order, question in enumerate(spec.questions, start=1):
                _question_create(service, question, question_order)

            demo.services[spec.code] = service


def _question_create(service: Service, question: Question, order: int) -> None:
    attribute = ServiceAttribute.objects.create(
        service=service,
        code=question.code,
        description=question.description,
        datatype=question.datatype,
        datatype_description=question.hint,
        required=question.required,
        variable=question.variable,
        order=order,
    )
    AttributeValue.objects.bulk_create(
        AttributeValue(attribute=attribute, key=key, name=name, order=value_order)
        for value_order, (key, name) in enumerate(question.values, start=1)
    )


def _routing_areas_create(demo: DemoTown) -> None:
    for spec in ROUTING_AREAS:
        RoutingArea.objects.create(
            name=spec.name,
            area=places.geojson(spec.outline),
            service=demo.services[spec.service] if spec.service else None,
            department=demo.departments.get(spec.department),
            agency=demo.agencies.get(spec.agency),
        )


def _neighbourhoods_create() -> None:
    Neighbourhood.objects.bulk_create(
        Neighbourhood(name=name, slug=slugify(name), area=area)
        for name, area in places.neighbourhood_areas()
    )
    # bulk_create sends no signals: tell running web processes ourselves.
    GeographyVersion.renew()


def _places_create() -> None:
    gazetteer = [
        (Place.Kind.STREET, places.streets()),
        (Place.Kind.LANDMARK, places.LANDMARKS),
        (Place.Kind.INTERSECTION, places.intersections()),
    ]
    rows = []
    for kind, entries in gazetteer:
        for entry in entries:
            lat, long = places.to_lat_long(entry.x, entry.y)
            rows.append(
                Place(
                    name=entry.name,
                    kind=kind,
                    aliases=entry.aliases,
                    lat=lat,
                    long=long,
                )
            )

    Place.objects.bulk_create(rows)


def _people_create(demo: DemoTown) -> None:
    # Hashing is slow on purpose; everyone shares the one demo password, so
    # hash it once.
    password = make_password(PASSWORD)

    def create(person: Person, **fields) -> User:
        # Everyone signs in through the admin's login page, which admits
        # only staff accounts.
        return User.objects.create(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@{DOMAIN}",
            password=password,
            is_staff=True,
            **fields,
        )

    for spec in DEPARTMENTS:
        department = demo.departments[spec.slug]
        demo.staff[spec.slug] = create(
            spec.staff, role=User.Role.STAFF, department=department
        )
        demo.leads[spec.slug] = create(
            spec.lead, role=User.Role.LEAD, department=department
        )

    demo.coordinator = create(COORDINATOR, role=User.Role.COORDINATOR)
    demo.admin = create(ADMIN, role=User.Role.COORDINATOR, is_superuser=True)
