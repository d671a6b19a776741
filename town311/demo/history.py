"""A year of requests in the demo town, replayed through the lifecycle
functions, so every status, timestamp and timeline event is what real use
would have written and the metrics pages have something true to show.

The same seed and end give the same history: every choice comes from one
random.Random, drawn in a fixed order.
"""

import heapq
import itertools
import logging
import random
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from town311.accounts.models import User
from town311.demo import texts
from town311.demo.places import Places, to_lat_long
from town311.demo.town import SERVICE_GROUPS, DemoTown, Question
from town311.directory.models import RoutingArea, Service, ServiceAttribute
from town311.lib import geo
from town311.servicerequests import services
from town311.servicerequests.models import Channel, Resolution, ServiceRequest

logger = logging.getLogger(__name__)

Datatype = ServiceAttribute.Datatype
HISTORY_LENGTH = timedelta(days=365)


@dataclass(frozen=True)
class Profile:
    """How a department works. Hours and factors are for the start of the
    year; both shrink by `improvement` by its end."""

    # Median working hours (not clock hours) until someone answers.
    acknowledge_hours: float
    close_factor: float
    improvement: float
    # A crew on call every day, instead of weekdays only.
    weekend_crew: bool
    # Share of requests that stall for months, or for good.
    backlog: float


PROFILES = {
    "streets": Profile(8, 1.0, 0.35, False, 0.15),
    "sanitation": Profile(4, 0.8, 0.15, False, 0.06),
    "parks-forestry": Profile(12, 1.2, 0.5, False, 0.25),
    "water-sewer": Profile(2, 0.9, 0.10, True, 0.08),
    "code-enforcement": Profile(18, 1.1, 0.6, False, 0.32),
    "traffic-lighting": Profile(7, 1.0, 0.30, False, 0.15),
    "animal-services": Profile(1.5, 1.0, 0.05, True, 0.05),
    "customer-service": Profile(5, 1.0, 0.30, False, 0.10),
}
# Hours a crew works each day: weekdays only, or every day for crews on call.
SHIFTS = {False: ((7, 0), (16, 30)), True: ((7, 0), (19, 0))}

FLAT = (1,) * 12


@dataclass(frozen=True)
class Pattern:
    """How residents report a service and how long it takes to fix."""

    per_day: float
    close_days: float
    season: tuple[float, ...] = FLAT
    storms: tuple[str, ...] = ()
    districts: tuple[tuple[str, float], ...] = (("downtown", 0.08), ("park", 0.01))
    duplicates: float = 0.0
    corner: bool = False
    referral: str | None = None
    # Where requests that landed in the wrong queue really belong.
    misrouted_to: tuple[str, ...] = ()
    reassign: float = 0.07
    # Picked up or done on the spot, often without a word first.
    quick: bool = False


PATTERNS = {
    "pothole": Pattern(
        12,
        3,
        (1.8, 2.6, 3.0, 2.4, 1.4, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1.3),
        duplicates=0.08,
        corner=True,
        referral="county",
        # A sunken trench patch over a water line is Water & Sewer's.
        misrouted_to=("water-sewer",),
    ),
    "street-cleaning": Pattern(
        3,
        2,
        (0.6, 0.7, 1.4, 1.6, 1.2, 1, 1, 1, 1, 1.1, 1, 0.7),
        districts=(("downtown", 0.3), ("courthouse", 0.08)),
        misrouted_to=("sanitation", "streets"),
    ),
    "sidewalk-damage": Pattern(
        3,
        14,
        (0.6, 0.6, 0.9, 1.2, 1.3, 1.2, 1.1, 1.1, 1.1, 1, 0.8, 0.6),
        misrouted_to=("parks-forestry",),
    ),
    "snow-ice": Pattern(
        7,
        0.6,
        (4, 3.2, 1.2, 0.1, 0, 0, 0, 0, 0, 0.05, 0.8, 3),
        storms=("winter",),
        duplicates=0.04,
        misrouted_to=("water-sewer",),
    ),
    "street-cut-inspection": Pattern(
        1.5,
        4,
        (0.3, 0.3, 0.6, 1, 1.4, 1.5, 1.5, 1.5, 1.3, 1.1, 0.6, 0.3),
        reassign=0,
    ),
    "missed-pickup": Pattern(
        10,
        0.6,
        (1.3, 1, 1, 1, 1, 1, 1.1, 1, 1, 1, 1, 1.2),
        duplicates=0.03,
        reassign=0.02,
        misrouted_to=("code-enforcement",),
    ),
    "bulk-pickup": Pattern(
        5,
        4,
        (0.7, 0.7, 0.9, 1.3, 1.4, 1.3, 1.1, 1.2, 1, 1, 0.8, 0.8),
        misrouted_to=("code-enforcement",),
    ),
    "leaf-collection": Pattern(
        5,
        5,
        (0.1, 0, 0, 0.3, 0.1, 0, 0, 0, 0.4, 3.2, 4, 0.8),
        reassign=0.03,
        misrouted_to=("streets", "water-sewer"),
    ),
    "illegal-dumping": Pattern(
        3, 3, duplicates=0.05, misrouted_to=("code-enforcement",)
    ),
    "park-maintenance": Pattern(
        3,
        4,
        (0.3, 0.3, 0.6, 1, 1.5, 1.8, 1.8, 1.6, 1.2, 0.8, 0.4, 0.3),
        districts=(("park", 0.5),),
        misrouted_to=("sanitation",),
    ),
    "tree-trimming": Pattern(
        3,
        18,
        (0.4, 0.4, 0.6, 1, 1.4, 1.7, 1.8, 1.6, 1.2, 0.8, 0.5, 0.4),
        misrouted_to=("traffic-lighting",),
    ),
    "fallen-tree": Pattern(
        3,
        1.5,
        (0.6, 0.6, 0.8, 1.2, 1.4, 1.6, 1.4, 1.2, 0.9, 0.9, 0.7, 0.7),
        storms=("winter", "summer"),
        duplicates=0.08,
        misrouted_to=("streets",),
    ),
    "mowing-work-order": Pattern(
        1.5, 4, (0, 0, 0, 0.8, 2, 2.2, 2.2, 2, 1.5, 0.6, 0, 0), reassign=0
    ),
    "water-leak": Pattern(
        3,
        1.5,
        (1.8, 1.7, 1.2, 0.9, 0.8, 0.8, 0.9, 0.9, 0.8, 0.8, 1, 1.5),
        duplicates=0.08,
        misrouted_to=("streets",),
    ),
    "sewer-backup": Pattern(
        1.5,
        0.8,
        (0.8, 0.8, 1.2, 1.5, 1.5, 1.2, 1, 0.9, 0.8, 0.8, 0.8, 0.8),
        storms=("summer",),
        quick=True,
        reassign=0,
    ),
    "storm-drain": Pattern(
        2.5,
        3,
        (0.5, 0.5, 1, 1.5, 1.6, 1.3, 1, 0.9, 1, 1.5, 1.3, 0.6),
        storms=("summer",),
        misrouted_to=("streets",),
    ),
    "meter-check": Pattern(1.5, 3, reassign=0),
    "streetlight-out": Pattern(
        7,
        5,
        (1.4, 1.2, 1, 0.8, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.5),
        storms=("winter", "summer"),
        duplicates=0.08,
        corner=True,
        referral="cooperative",
        # Path lights in the parks belong to Parks & Forestry.
        misrouted_to=("parks-forestry",),
    ),
    "traffic-signal": Pattern(
        2,
        0.5,
        storms=("winter", "summer"),
        duplicates=0.1,
        corner=True,
        reassign=0.02,
        misrouted_to=("streets",),
    ),
    "street-sign": Pattern(3, 4, corner=True, misrouted_to=("streets",)),
    "tall-grass": Pattern(
        5,
        12,
        (0, 0, 0.1, 0.6, 1.8, 2.4, 2.6, 2.2, 1.5, 0.6, 0.1, 0),
        # Town-owned lots are mowed by Parks & Forestry.
        misrouted_to=("parks-forestry",),
    ),
    "abandoned-vehicle": Pattern(4, 10, reassign=0.02, misrouted_to=("streets",)),
    "graffiti": Pattern(
        3,
        5,
        (0.6, 0.6, 0.8, 1, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.7, 0.6),
        districts=(("downtown", 0.3), ("park", 0.05)),
        duplicates=0.05,
        misrouted_to=("parks-forestry", "traffic-lighting"),
    ),
    "stray-animal": Pattern(
        4,
        0.3,
        (0.7, 0.7, 0.8, 1, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7),
        quick=True,
        reassign=0,
    ),
    "dead-animal": Pattern(
        4,
        0.5,
        (0.8, 0.7, 0.8, 0.9, 1.1, 1, 1, 1, 1.1, 1.5, 1.5, 1),
        duplicates=0.05,
        quick=True,
        reassign=0.03,
        misrouted_to=("streets",),
    ),
    "general-question": Pattern(
        4,
        1.5,
        districts=(("downtown", 0.15),),
        # Customer Service answers some itself and passes the rest on; where
        # each goes depends on the question, so it is chosen with it.
        reassign=0.85,
    ),
}

# A winter storm brings snow, ice and downed limbs for a few days; a summer
# storm brings wind, downed trees and flooded drains.
STORM_MONTHS = {"winter": (12, 1, 2), "summer": (5, 6, 7, 8)}
STORM_SURGE = (6.0, 3.0, 1.6)

WEEKDAY_VOLUME = (1.25, 1.15, 1.1, 1.05, 0.95, 0.55, 0.5)

# Requests by hour of day: the phone line and front desk keep office hours,
# the website is busiest in the morning and after dinner.
# fmt: off
ONLINE_HOURS = (
    0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.0, 2.2, 2.1, 2.0,
    2.0, 2.0, 2.0, 1.9, 1.9, 2.0, 2.1, 2.2, 2.0, 1.6, 1.1, 0.6,
)
OFFICE_HOURS = (
    0, 0, 0, 0, 0, 0, 0, 0.5, 2.0, 2.4, 2.3, 2.0,
    1.4, 2.0, 2.1, 1.9, 1.4, 0, 0, 0, 0, 0, 0, 0,
)
# fmt: on
CHANNEL_HOURS = {
    Channel.WEB: ONLINE_HOURS,
    Channel.API: ONLINE_HOURS,
    Channel.EMAIL: ONLINE_HOURS,
    Channel.PHONE: OFFICE_HOURS,
    Channel.WALK_IN: OFFICE_HOURS,
}
OFFICE_CHANNELS = (Channel.PHONE, Channel.WALK_IN)

PARK_NAMES = [
    "Bluestem Meadow Park",
    "Kiln Hill Park",
    "Cooper Street Playground",
    "Prairie Commons",
    "Sable Bend Park",
    "Granary Green",
]
VEHICLES = [
    "Silver sedan",
    "Blue pickup, older model",
    "White minivan",
    "Red hatchback",
    "Green station wagon",
    "Black SUV with a flat tire",
]
# Ranges of the answers to number questions, by service and question.
NUMBER_ANSWERS = {
    ("sidewalk-damage", "height"): (1, 4),
    ("tall-grass", "height"): (10, 36),
    ("bulk-pickup", "count"): (1, 5),
    ("leaf-collection", "bags"): (3, 40),
    ("abandoned-vehicle", "days"): (3, 30),
}
DUMPED = [
    "Four tires and a couch",
    "Bags of household trash",
    "Drywall scraps and paint cans",
    "A mattress and an old TV",
]


@dataclass
class Submission:
    at: datetime
    service_code: str
    channel: str
    order: int


@dataclass
class Step:
    at: datetime
    action: Callable
    kwargs: dict = field(default_factory=dict)


@dataclass
class Recent:
    """A request that a later resident may report again."""

    request: ServiceRequest
    x: float
    y: float
    address: str
    open_until: datetime | None


def history_generate(
    *,
    demo: DemoTown,
    seed: int,
    count: int,
    end: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Create `count` requests submitted over the year before `end`, each
    worked as far as `end` allows. Returns how many were created."""
    return History(demo=demo, seed=seed, end=end).generate(count, progress)


class History:
    def __init__(self, *, demo: DemoTown, seed: int, end: datetime) -> None:
        self.demo = demo
        self.rng = random.Random(seed)
        self.end = end.astimezone(UTC)
        self.start = self.end - HISTORY_LENGTH
        self.zone = demo.town.zone
        self.places = Places(self.rng)
        self.days = self._days()
        self.questions = {
            spec.code: spec.questions for _, specs in SERVICE_GROUPS for spec in specs
        }
        self.public = {
            code: service.is_public for code, service in demo.services.items()
        }
        self.handed_off = self._handed_off_areas()
        self.storms = self._storm_days()
        self.recent: dict[str, deque[Recent]] = {}

    def _handed_off_areas(self) -> dict[str, list[str]]:
        # The town refuses requests where a routing area hands the service to
        # an agency, so residents would never have filed them.
        areas: dict[str, list[str]] = {}
        for area in RoutingArea.objects.filter(agency__isnull=False, is_active=True):
            areas.setdefault(area.service.code, []).append(area.area)

        return areas

    def generate(self, count: int, progress: Callable[[int, int], None] | None) -> int:
        """Replay the year in time order across all requests, so that every
        timeline, and the order events were written in, reads as it would
        have happened: a merge lands on the original when it occurred, not
        after the original's whole future."""
        submissions = self._submissions(count)
        due: list[tuple[datetime, int, ServiceRequest, Step]] = []
        order = itertools.count()

        for done, submission in enumerate(submissions, start=1):
            while due and due[0][0] <= submission.at:
                self._run(*heapq.heappop(due)[2:])

            request, steps = self._live(submission)
            for step in steps:
                if step.at <= self.end:
                    heapq.heappush(due, (step.at, next(order), request, step))

            if progress and (done % 250 == 0 or done == count):
                progress(done, count)

        while due:
            self._run(*heapq.heappop(due)[2:])

        logger.debug("Generated %s demo requests", len(submissions))
        return len(submissions)

    def _run(self, request: ServiceRequest, step: Step) -> None:
        step.action(request, at=step.at, **step.kwargs)

    # When residents report

    def _days(self) -> list[date]:
        first = self.start.astimezone(self.zone).date()
        last = self.end.astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def _storm_days(self) -> dict[str, date]:
        storms = {}
        for kind, months in STORM_MONTHS.items():
            candidates = [d for d in self.days if d.month in months]
            if candidates:
                storms[kind] = self.rng.choice(candidates)

        return storms

    def _surge(self, pattern: Pattern, day: date) -> float:
        surge = 1.0
        for kind in pattern.storms:
            if kind in self.storms:
                after = (day - self.storms[kind]).days
                if 0 <= after < len(STORM_SURGE):
                    surge *= STORM_SURGE[after]

        return surge

    def _service_weights(self, day: date) -> list[float]:
        return [
            p.per_day * p.season[day.month - 1] * self._surge(p, day)
            for p in PATTERNS.values()
        ]

    def _progress(self, at: datetime) -> float:
        return min(max((at - self.start) / HISTORY_LENGTH, 0.0), 1.0)

    def _submissions(self, count: int) -> list[Submission]:
        days = self.days
        service_weights = {day: self._service_weights(day) for day in days}
        # Use of the system grows a little through the year.
        day_weights = [
            WEEKDAY_VOLUME[day.weekday()]
            * (0.9 + 0.2 * n / len(days))
            * sum(service_weights[day])
            for n, day in enumerate(days)
        ]
        cumulative, total = [], 0.0
        for weight in day_weights:
            total += weight
            cumulative.append(total)

        codes = list(PATTERNS)
        submissions = []
        while len(submissions) < count:
            day = days[bisect_right(cumulative, self.rng.uniform(0, total))]
            code = self.rng.choices(codes, weights=service_weights[day])[0]
            channel = self._channel(code, day)
            hour = self.rng.choices(range(24), weights=CHANNEL_HOURS[channel])[0]
            local = datetime(
                day.year,
                day.month,
                day.day,
                hour,
                self.rng.randrange(60),
                self.rng.randrange(60),
                tzinfo=self.zone,
            )
            at = local.astimezone(UTC)
            # The first and last days are only partly inside the year.
            if self.start <= at <= self.end:
                submissions.append(Submission(at, code, channel, len(submissions)))

        return sorted(submissions, key=lambda s: (s.at, s.order))

    def _channel(self, code: str, day: date) -> str:
        p = (day - self.days[0]).days / len(self.days)
        if not self.public[code]:
            weights = {Channel.WEB: 0.5, Channel.PHONE: 0.3, Channel.WALK_IN: 0.2}
        else:
            # Residents move from the phone to the website as word gets around.
            weights = {
                Channel.WEB: 0.30 + 0.25 * p,
                Channel.PHONE: 0.46 - 0.22 * p,
                Channel.EMAIL: 0.09 - 0.02 * p,
                Channel.WALK_IN: 0.06 - 0.02 * p,
                Channel.API: 0.09 + 0.01 * p,
            }
        if day.weekday() >= 5:
            for channel in OFFICE_CHANNELS:
                weights[channel] = 0

        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # What residents report

    def _live(self, submission: Submission) -> tuple[ServiceRequest, list[Step]]:
        """Submit the request and plan what happens to it afterwards."""
        service = self.demo.services[submission.service_code]
        pattern = PATTERNS[service.code]
        original = self._original(submission)
        if original is not None:
            x, y = self.places.near(original.x, original.y, metres=25)
            while not self._allowed(service.code, x, y):
                x, y = self.places.near(original.x, original.y, metres=25)
            address = original.address
            description = texts.duplicate_description(self.rng, service.code)
        else:
            x, y = self._location(service.code, pattern)
            corner = pattern.corner and self.rng.random() < 0.4
            address = self.places.address(x, y, corner=corner)
            description = ""

        misrouted_to = pattern.misrouted_to
        if service.code == "general-question":
            # Where Customer Service passes it on depends on the question.
            description, belongs_to = texts.general_question(self.rng)
            misrouted_to = (belongs_to,) if belongs_to else ()
        elif not description:
            description = texts.description(self.rng, service.code)

        lat, long = to_lat_long(x, y)
        entered_by = self._entered_by(service, submission.channel)
        name, email, phone = self._reporter(submission.channel, entered_by)
        request = services.request_submit(
            service=service,
            lat=lat,
            long=long,
            description=description,
            address=address,
            attributes=self._answers(service.code, submission.at, x, y),
            channel=submission.channel,
            reporter_name=name,
            reporter_email=email,
            reporter_phone=phone,
            by=entered_by,
            at=submission.at,
        )

        steps = self._plan(request, pattern, original, misrouted_to)
        if original is None and pattern.duplicates:
            closes = [s.at for s in steps if s.action in CLOSING_ACTIONS]
            self.recent.setdefault(service.code, deque()).append(
                Recent(request, x, y, address, closes[0] if closes else None)
            )

        return request, steps

    def _original(self, submission: Submission) -> Recent | None:
        """An open request this resident is unknowingly reporting again."""
        pattern = PATTERNS[submission.service_code]
        if not pattern.duplicates or self.rng.random() >= pattern.duplicates:
            return None

        recent = self.recent.get(submission.service_code)
        if not recent:
            return None

        # People rarely report again what has been open for over a week.
        cutoff = submission.at - timedelta(days=7)
        while recent and recent[0].request.submitted_at < cutoff:
            recent.popleft()
        candidates = [
            r for r in recent if r.open_until is None or r.open_until > submission.at
        ]
        return self.rng.choice(candidates) if candidates else None

    def _location(self, code: str, pattern: Pattern) -> tuple[float, float]:
        districts = [name for name, _ in pattern.districts]
        shares = [share for _, share in pattern.districts]
        roll, district = self.rng.random(), None
        for name, share in zip(districts, shares, strict=True):
            if roll < share:
                district = name
                break
            roll -= share

        while True:
            x, y = self.places.point(district)
            if self._allowed(code, x, y):
                return x, y

    def _allowed(self, code: str, x: float, y: float) -> bool:
        lat, long = to_lat_long(x, y)
        return not any(geo.covers(a, lat, long) for a in self.handed_off.get(code, []))

    def _entered_by(self, service: Service, channel: str) -> User | None:
        """The staff member who typed in a request taken by phone, e-mail or
        at the counter, or a staff-only one."""
        slug = service.department.slug
        if not service.is_public:
            return self._worker(slug)

        if channel in services.STAFF_CHANNELS:
            if self.rng.random() < 0.7:
                return self._worker("customer-service")
            return self._worker(slug)

        return None

    def _reporter(self, channel: str, entered_by: User | None) -> tuple[str, str, str]:
        if entered_by is not None and channel == Channel.WEB:
            return "", "", ""

        name, email, phone = texts.reporter(self.rng)
        roll = self.rng.random()
        if channel in (Channel.WEB, Channel.API, Channel.EMAIL):
            # Most people online leave an address so they can follow along.
            return (name, email, "") if roll < 0.8 else ("", "", "")

        if roll < 0.4:
            return name, email, phone

        return (name, "", phone) if roll < 0.85 else ("", "", "")

    def _answers(self, code: str, at: datetime, x: float, y: float) -> dict:
        answers = {}
        for question in self.questions[code]:
            if not question.variable:
                continue
            if question.required or self.rng.random() < 0.6:
                answers[question.code] = self._answer(code, question, at, x, y)

        return answers

    def _answer(
        self, code: str, question: Question, at: datetime, x: float, y: float
    ) -> str | int | list[str]:
        rng = self.rng
        keys = [key for key, _ in question.values]
        if question.datatype == Datatype.SINGLEVALUELIST:
            return rng.choice(keys)

        if question.datatype == Datatype.MULTIVALUELIST:
            return rng.sample(keys, k=rng.randint(1, min(2, len(keys))))

        if question.datatype == Datatype.DATETIME:
            noticed = at - timedelta(hours=rng.uniform(2, 72))
            return noticed.astimezone(self.zone).replace(microsecond=0).isoformat()

        if question.datatype == Datatype.NUMBER:
            low, high = NUMBER_ANSWERS.get((code, question.code), (1, 5))
            return rng.randint(low, high)

        if question.datatype == Datatype.TEXT:
            return rng.choice(DUMPED)

        return {
            "park": lambda: (
                "Riverside Park"
                if self.places.inside("park", x, y)
                else rng.choice(PARK_NAMES)
            ),
            "pole": lambda: f"RL-{rng.randint(1000, 9999)}",
            "vehicle": lambda: rng.choice(VEHICLES),
            "plate": lambda: (
                f"{rng.randint(1, 93)}-{chr(rng.randint(65, 90))}"
                f"{rng.randint(1000, 9999)}"
            ),
            "permit": lambda: f"SC-{at.year}-{rng.randint(1, 2999):04d}",
            "meter": lambda: f"M{rng.randint(100000, 999999)}",
        }[question.code]()

    # How staff work it

    def _plan(
        self,
        request: ServiceRequest,
        pattern: Pattern,
        original: Recent | None,
        misrouted_to: tuple[str, ...],
    ) -> list[Step]:
        """Every action on the request, in order, whether or not it falls
        before the end of the history."""
        rng = self.rng
        first = request.department.slug

        if original is not None:
            at = self._acknowledged(request.submitted_at, first, request, share=0.6)
            return [
                Step(
                    at,
                    services.request_merge,
                    {"by": self._worker(first), "original": original.request},
                )
            ]

        # How the department first answers.
        style = rng.choices(
            ["acknowledge", "reply", "start", "ask", "close"],
            weights=[45, 20, 22, 6, 30 if pattern.quick else 7],
        )[0]
        reassign_to = None
        targets = [s for s in misrouted_to if s != first]
        if targets and rng.random() < pattern.reassign:
            reassign_to = rng.choice(targets)
        reassign_first = reassign_to is not None and (
            style == "close" or rng.random() < 0.65
        )

        steps = []
        dept_at = _DepartmentAt(first)
        at = request.submitted_at
        if reassign_first:
            at = self._acknowledged(at, first, request, share=0.5)
            steps.append(self._reassign_step(at, first, reassign_to))
            dept_at.change(at, reassign_to)

        slug = dept_at.last
        acknowledged = self._acknowledged(at, slug, request)
        reassigned = None
        if reassign_to is not None and not reassign_first:
            reassigned = self._working(
                acknowledged + timedelta(hours=rng.uniform(1, 30)), first
            )
            dept_at.change(reassigned, reassign_to)

        final = dept_at.last
        closed = self._working(
            max(acknowledged, reassigned or acknowledged)
            + self._close_delay(final, pattern, request),
            final,
        )

        if style == "close":
            steps.append(self._close_step(acknowledged, final, request, pattern))
            return self._reopened(steps, request, pattern, final)

        local_close = closed.astimezone(self.zone)
        ask = style == "ask" or rng.random() < 0.04
        kinds = {
            "acknowledge": self._acknowledge_step,
            "reply": self._reply_step,
            "start": self._start_step,
            "ask": self._question_step,
        }
        steps.append(kinds[style](acknowledged, slug, local_close))
        if reassigned:
            steps.append(self._reassign_step(reassigned, first, reassign_to))

        asked = acknowledged if style == "ask" else None
        if ask and asked is None:
            asked = self._between(acknowledged, closed, final)
            if asked is not None:
                steps.append(self._question_step(asked, dept_at(asked), local_close))

        resolution = None
        if asked is not None:
            if rng.random() < 0.75:
                answered = asked + timedelta(hours=rng.lognormvariate(2, 1))
                text = rng.choice(texts.ANSWERS)
                steps.append(
                    Step(answered, services.request_record_answer, {"text": text})
                )
                closed = max(closed, self._working(answered, final))
            else:
                closed = self._working(
                    asked + timedelta(days=rng.uniform(7, 10)), final
                )
                resolution = Resolution.NO_RESPONSE
            local_close = closed.astimezone(self.zone)

        steps += self._work_steps(acknowledged, closed, dept_at)
        steps.sort(key=lambda s: s.at)

        if rng.random() < PROFILES[final].backlog:
            # It stalls, waiting on a contractor, a budget or the season, and
            # lingers on the coordinator's list; some are never closed.
            if rng.random() < 0.6:
                return steps
            closed = self._working(closed + timedelta(days=rng.uniform(40, 240)), final)
            local_close = closed.astimezone(self.zone)

        if style != "start" or reassigned:
            if rng.random() < 0.35:
                started = max(
                    steps[-1].at + timedelta(minutes=5),
                    self._working(closed - timedelta(hours=rng.uniform(1, 6)), final),
                )
                if started < closed:
                    steps.append(self._start_step(started, final, local_close))

        steps.append(self._close_step(closed, final, request, pattern, resolution))
        return self._reopened(steps, request, pattern, final)

    def _work_steps(
        self, acknowledged: datetime, closed: datetime, dept_at: "_DepartmentAt"
    ) -> list[Step]:
        """Notes, assignments and progress updates while the work goes on."""
        rng = self.rng
        steps = []
        for _ in range(rng.choices([0, 1, 2], weights=[60, 30, 10])[0]):
            if at := self._between(acknowledged, closed, dept_at.last):
                steps.append(
                    Step(
                        at,
                        services.request_add_note,
                        {
                            "by": self._worker(dept_at(at)),
                            "text": rng.choice(texts.NOTES),
                        },
                    )
                )

        if rng.random() < 0.2:
            if at := self._between(acknowledged, closed, dept_at.last):
                slug = dept_at(at)
                steps.append(
                    Step(
                        at,
                        services.request_assign,
                        {
                            "by": self.demo.leads[slug],
                            "assignee": self.demo.staff[slug],
                        },
                    )
                )

        if closed - acknowledged > timedelta(days=4) and rng.random() < 0.3:
            if at := self._between(acknowledged, closed, dept_at.last):
                text = texts.update(
                    rng, at.astimezone(self.zone), closed.astimezone(self.zone)
                )
                steps.append(
                    Step(
                        at,
                        services.request_reply,
                        {"by": self._worker(dept_at(at)), "text": text},
                    )
                )

        return steps

    def _reopened(
        self,
        steps: list[Step],
        request: ServiceRequest,
        pattern: Pattern,
        slug: str,
    ) -> list[Step]:
        """Now and then the fix does not hold and the request comes back."""
        rng = self.rng
        close = steps[-1]
        if close.action is not services.request_close or rng.random() >= 0.035:
            return steps

        reopened = close.at + timedelta(days=rng.uniform(1, 12))
        if rng.random() < 0.65:
            by, reason = None, rng.choice(texts.REOPEN_REASONS)
        else:
            reopened = self._working(reopened, slug)
            by, reason = self._worker(slug), rng.choice(texts.REOPEN_BY_STAFF)
        steps.append(
            Step(reopened, services.request_reopen, {"by": by, "reason": reason})
        )

        closed = self._working(
            reopened + self._close_delay(slug, pattern, request) * 0.5, slug
        )
        steps.append(
            Step(
                closed,
                services.request_close,
                {
                    "by": self._worker(slug),
                    "resolution": Resolution.FIXED,
                    "message": rng.choice(texts.SECOND_CLOSES),
                },
            )
        )
        return steps

    def _acknowledge_step(self, at: datetime, slug: str, local_close: datetime) -> Step:
        message = ""
        if self.rng.random() < 0.8:
            message = texts.acknowledgment(
                self.rng, at.astimezone(self.zone), local_close
            )

        return Step(
            at,
            services.request_acknowledge,
            {"by": self._worker(slug), "message": message},
        )

    def _reply_step(self, at: datetime, slug: str, local_close: datetime) -> Step:
        text = texts.first_reply(self.rng, at.astimezone(self.zone), local_close)
        return Step(
            at, services.request_reply, {"by": self._worker(slug), "text": text}
        )

    def _start_step(self, at: datetime, slug: str, local_close: datetime) -> Step:
        message = texts.start_work(self.rng, at.astimezone(self.zone), local_close)
        return Step(
            at,
            services.request_start_work,
            {"by": self._worker(slug), "message": message},
        )

    def _question_step(self, at: datetime, slug: str, local_close: datetime) -> Step:
        question = self.rng.choice(texts.QUESTIONS)
        return Step(
            at,
            services.request_ask_information,
            {"by": self._worker(slug), "question": question},
        )

    def _reassign_step(self, at: datetime, slug: str, to: str) -> Step:
        department = self.demo.departments[to]
        # Coordinators sort out some of the misrouted requests themselves.
        by = self.demo.coordinator if self.rng.random() < 0.3 else self._worker(slug)
        return Step(
            at,
            services.request_reassign,
            {
                "by": by,
                "department": department,
                "reason": texts.reassign_reason(self.rng, department.name),
            },
        )

    def _close_step(
        self,
        at: datetime,
        slug: str,
        request: ServiceRequest,
        pattern: Pattern,
        resolution: str | None = None,
    ) -> Step:
        rng = self.rng
        by = self._worker(slug)
        if resolution is None and pattern.referral and rng.random() < 0.07:
            agency = self.demo.agencies[pattern.referral]
            message = texts.referral(rng, agency.name, agency.phone)
            return Step(
                at,
                services.request_refer,
                {"by": by, "agency": agency, "message": message},
            )

        if resolution is None:
            resolution = rng.choices(
                [Resolution.FIXED, Resolution.NO_ACTION, Resolution.NOT_LOCATED],
                weights=[85, 10, 5],
            )[0]
        message = {
            Resolution.FIXED: lambda: texts.fixed(rng, request.service.code),
            Resolution.NO_ACTION: lambda: rng.choice(texts.NO_ACTION),
            Resolution.NOT_LOCATED: lambda: rng.choice(texts.NOT_LOCATED),
            Resolution.NO_RESPONSE: lambda: rng.choice(texts.NO_RESPONSE),
        }[resolution]()
        return Step(
            at,
            services.request_close,
            {"by": by, "resolution": resolution, "message": message},
        )

    def _worker(self, slug: str) -> User:
        if self.rng.random() < 0.75:
            return self.demo.staff[slug]

        return self.demo.leads[slug]

    # Time

    def _speed(self, slug: str, at: datetime) -> float:
        return 1 - PROFILES[slug].improvement * self._progress(at)

    def _acknowledged(
        self, at: datetime, slug: str, request: ServiceRequest, share: float = 1.0
    ) -> datetime:
        """When the department first answers a request that reached it at
        `at`; `share` of the usual wait for a quicker first look."""
        speed = self._speed(slug, request.submitted_at)
        if self.rng.random() < 0.04 * speed:
            # Slipped through the cracks for days.
            return self._working(at + timedelta(days=self.rng.uniform(3, 10)), slug)

        hours = (
            PROFILES[slug].acknowledge_hours
            * speed
            * self.rng.lognormvariate(0, 0.9)
            * share
        )
        return self._after_working(at, timedelta(hours=hours), slug)

    def _close_delay(
        self, slug: str, pattern: Pattern, request: ServiceRequest
    ) -> timedelta:
        days = (
            pattern.close_days
            * PROFILES[slug].close_factor
            * self._speed(slug, request.submitted_at)
            * self.rng.lognormvariate(0, 0.75)
        )
        return timedelta(days=days)

    def _working(self, at: datetime, slug: str) -> datetime:
        """The first moment at or after `at` when the department's crew is at
        work. Work held over starts some time after the crew clocks in."""
        local = at.astimezone(self.zone)
        opens, closes = self._shift(local, slug)
        if opens <= local < closes:
            return at

        while local >= opens or opens == closes:
            local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0)
            opens, closes = self._shift(local, slug)

        return (opens + timedelta(minutes=self.rng.uniform(5, 150))).astimezone(UTC)

    def _after_working(self, at: datetime, work: timedelta, slug: str) -> datetime:
        """The moment when `work` of the crew's working time has passed
        since `at`, counting only the hours they are at work."""
        local = self._working(at, slug).astimezone(self.zone)
        while True:
            _, closes = self._shift(local, slug)
            if local + work <= closes:
                return (local + work).astimezone(UTC)

            work -= closes - local
            local = self._working(closes, slug).astimezone(self.zone)

    def _shift(self, local: datetime, slug: str) -> tuple[datetime, datetime]:
        """When the crew starts and stops work on the day of `local`; the
        same moment twice on a day off."""
        weekend_crew = PROFILES[slug].weekend_crew
        (start_hour, start_minute), (stop_hour, stop_minute) = SHIFTS[weekend_crew]
        opens = local.replace(
            hour=start_hour, minute=start_minute, second=0, microsecond=0
        )
        if not weekend_crew and local.weekday() >= 5:
            return opens, opens

        return opens, opens.replace(hour=stop_hour, minute=stop_minute)

    def _between(self, after: datetime, before: datetime, slug: str) -> datetime | None:
        """A working moment strictly between two others, if there is one."""
        if before - after < timedelta(minutes=10):
            return None

        at = self._working(after + (before - after) * self.rng.uniform(0.05, 0.9), slug)
        return at if after < at < before else None


CLOSING_ACTIONS = (services.request_close, services.request_refer)


class _DepartmentAt:
    """Which department holds a request at a moment, so each step is
    taken by someone who works there."""

    def __init__(self, slug: str) -> None:
        self.changes: list[tuple[datetime, str]] = []
        self.first = slug

    def change(self, at: datetime, slug: str) -> None:
        self.changes.append((at, slug))

    @property
    def last(self) -> str:
        return self.changes[-1][1] if self.changes else self.first

    def __call__(self, at: datetime) -> str:
        slug = self.first
        for changed, to in self.changes:
            if at >= changed:
                slug = to

        return slug
