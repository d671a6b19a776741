import hashlib
import json
import re
from datetime import date, datetime
from io import StringIO
from unittest.mock import patch
from zoneinfo import ZoneInfo

from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from town311.accounts.models import User
from town311.demo import places, town
from town311.directory.models import (
    Agency,
    AttributeValue,
    Department,
    Neighbourhood,
    Place,
    RoutingArea,
    Service,
    ServiceAttribute,
    ServiceGroup,
    Town,
)
from town311.lib.errors import OutsideServiceArea
from town311.notifications.models import Message
from town311.notifications.services import message_queue
from town311.servicerequests import routing, services
from town311.servicerequests.models import Event, Resolution, ServiceRequest, Status

SEED = 7
END_DATE = date(2026, 5, 31)
END = datetime(2026, 6, 1, tzinfo=ZoneInfo("America/Chicago"))


def load(**options) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    options.setdefault("requests", 200)
    call_command(
        "load_demo_town",
        seed=SEED,
        end_date=END_DATE,
        stdout=stdout,
        stderr=stderr,
        **options,
    )
    return stdout.getvalue(), stderr.getvalue()


def history_digest() -> str:
    """A fingerprint of the generated data that ignores primary keys and the
    request numbers made from them, since a database hands out new ones
    after a delete."""
    requests = ServiceRequest.objects.order_by("submitted_at", "lat", "long")
    rows = list(
        requests.values_list(
            "service__code",
            "lat",
            "long",
            "address",
            "description",
            "attributes",
            "channel",
            "reporter_email",
            "status",
            "resolution",
            "department__slug",
            "agency__name",
            "duplicate_of__submitted_at",
            "submitted_at",
            "acknowledged_at",
            "closed_at",
            "updated_at",
        )
    )
    events = Event.objects.order_by("request__submitted_at", "created_at", "pk")
    rows += list(
        events.values_list(
            "request__submitted_at",
            "kind",
            "created_at",
            "actor__username",
            "text",
            "to_department__slug",
        )
    )
    text = json.dumps(rows, default=str, sort_keys=True)
    text = re.sub(r"[Rr]equest \d+", "request N", text)
    return hashlib.sha256(text.encode()).hexdigest()


class LoadDemoTownTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output, cls.progress = load()

    def test_it_creates_the_town(self):
        riverton = Town.objects.get()
        self.assertEqual(riverton.display_name, "Riverton 311")
        self.assertEqual(riverton.time_zone, "America/Chicago")
        self.assertTrue(riverton.covers(*places.CENTRE))
        self.assertFalse(riverton.covers(places.CENTRE[0] + 0.2, places.CENTRE[1]))

    def test_it_creates_a_valid_directory(self):
        for model in (
            Town,
            Department,
            Agency,
            ServiceGroup,
            Service,
            ServiceAttribute,
            AttributeValue,
            RoutingArea,
            Neighbourhood,
            Place,
        ):
            for obj in model.objects.all():
                obj.full_clean()

    def test_it_creates_departments_with_targets(self):
        departments = Department.objects.all()
        self.assertEqual(departments.count(), 8)
        for department in departments:
            self.assertTrue(department.email.endswith(".example"))
            self.assertLess(department.acknowledge_target, department.close_target)

    def test_it_creates_services_with_questions(self):
        self.assertEqual(ServiceGroup.objects.count(), 6)
        self.assertGreaterEqual(Service.objects.count(), 24)
        self.assertGreaterEqual(Service.objects.filter(is_public=False).count(), 3)

        attributes = ServiceAttribute.objects.all()
        datatypes = set(attributes.values_list("datatype", flat=True))
        self.assertEqual(datatypes, set(ServiceAttribute.Datatype.values))
        self.assertTrue(attributes.filter(required=True).exists())
        for question in attributes.filter(datatype__in=ServiceAttribute.LIST_DATATYPES):
            self.assertGreaterEqual(question.values.count(), 2)

    def test_it_creates_agencies_and_routing_areas(self):
        self.assertEqual(Agency.objects.count(), 2)
        self.assertEqual(RoutingArea.objects.count(), 5)
        self.assertTrue(RoutingArea.objects.filter(service=None).exists())
        self.assertTrue(RoutingArea.objects.exclude(agency=None).exists())

        # Just beyond the western edge of town, on county land.
        lat, long = places.to_lat_long(-9.6, 0.9)
        pothole = Service.objects.get(code="pothole")
        with self.assertRaises(OutsideServiceArea) as caught:
            routing.route(service=pothole, lat=lat, long=long)
        self.assertEqual(caught.exception.agency.kind, Agency.Kind.COUNTY)

    def test_it_routes_nested_areas_to_the_smallest(self):
        cleaning = Service.objects.get(code="street-cleaning")
        lat, long = places.to_lat_long(0.3, 0.35)
        square = routing.route(service=cleaning, lat=lat, long=long)
        lat, long = places.CENTRE
        downtown = routing.route(service=cleaning, lat=lat, long=long)
        self.assertEqual(square.department.slug, "parks-forestry")
        self.assertEqual(downtown.department.slug, "sanitation")

    def test_it_tiles_the_town_with_neighbourhoods(self):
        names = list(Neighbourhood.objects.values_list("name", flat=True))
        self.assertEqual(len(names), 8)
        self.assertIn("Old Mill", names)
        self.assertEqual(Neighbourhood.objects.get(name="Old Mill").slug, "old-mill")

        # Every point of the town is in exactly one; these stay off the edges.
        riverton = Town.objects.get()
        neighbourhoods = list(Neighbourhood.objects.all())
        for x in range(-10, 10):
            for y in range(-8, 9):
                lat, long = places.to_lat_long(x + 0.37, y + 0.41)
                holding = [n for n in neighbourhoods if n.covers(lat, long)]
                self.assertEqual(len(holding), int(riverton.covers(lat, long)), (x, y))

    def test_it_gives_requests_their_neighbourhood(self):
        requests = ServiceRequest.objects.select_related("neighbourhood")
        for r in requests:
            self.assertIsNotNone(r.neighbourhood, r.address)
            self.assertTrue(r.neighbourhood.covers(r.lat, r.long), r.address)

        used = requests.values_list("neighbourhood", flat=True).distinct()
        self.assertEqual(used.count(), 8)

    def test_it_creates_a_gazetteer_inside_the_town(self):
        riverton = Town.objects.get()
        for place in Place.objects.all():
            self.assertTrue(riverton.covers(place.lat, place.long), place.name)

        kinds = {kind: Place.objects.filter(kind=kind) for kind in Place.Kind.values}
        self.assertGreater(kinds["street"].count(), 60)
        self.assertGreaterEqual(kinds["landmark"].count(), 20)
        self.assertGreaterEqual(kinds["intersection"].count(), 5)
        self.assertEqual(Place.objects.filter(aliases="").count(), 0)

        corner = Place.objects.get(name="Main St & Millrace Ave")
        self.assertEqual(corner.aliases, "Millrace Ave & Main St")
        self.assertIn("First St", Place.objects.get(name="1st St").aliases)

    def test_it_puts_landmarks_in_their_neighbourhoods(self):
        for name, neighbourhood in [
            ("City Hall", "Downtown"),
            ("Riverton Public Library", "Downtown"),
            ("Old Mill Park", "Old Mill"),
            ("Riverside Park", "Riverside"),
            ("Northgate Elementary School", "Northgate"),
            ("Riverton High School", "Prairie Heights"),
        ]:
            place = Place.objects.get(name=name)
            found = routing.neighbourhood_at(place.lat, place.long)
            self.assertEqual(found.name, neighbourhood, name)

        self.assertIn("the old mill", Place.objects.get(name="Old Mill Park").aliases)

    def test_it_knows_every_street_the_addresses_name(self):
        streets = set(Place.objects.values_list("name", flat=True))
        for address in ServiceRequest.objects.values_list("address", flat=True):
            # "240 E Main St", "3rd St & Yarrow Ave", "County Road 12 near
            # 5th St", "Riverside Park, by the boat ramp".
            address = re.sub(r"^\d+ [NSEW] ", "", address).split(", ")[0]
            for part in re.split(r" & | near ", address):
                self.assertIn(part, streets, address)

    def test_it_creates_logins(self):
        self.assertEqual(User.objects.count(), 18)
        for username in town.demo_usernames():
            user = authenticate(username=username, password=town.PASSWORD)
            self.assertIsNotNone(user, username)
            self.assertTrue(user.is_staff)

        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser)
        lead = User.objects.get(username="streets-lead")
        self.assertEqual(lead.role, User.Role.LEAD)
        self.assertEqual(lead.department.slug, "streets")

    def test_it_prints_logins_and_summary(self):
        self.assertIn("http://127.0.0.1:8000/admin/", self.output)
        self.assertIn("riverton-demo", self.output)
        self.assertIn("streets-lead", self.output)
        self.assertTrue(
            self.output.rstrip().endswith(
                "Loaded Riverton 311: 8 departments, 26 services, 200 requests, "
                "1 campaign."
            )
        )
        self.assertEqual(self.progress, "")

    def test_it_places_requests_inside_the_town(self):
        riverton = Town.objects.get()
        requests = ServiceRequest.objects.all()
        self.assertEqual(requests.count(), 200)
        for lat, long in requests.values_list("lat", "long"):
            self.assertTrue(riverton.covers(lat, long), (lat, long))

    def test_it_keeps_the_lifecycle_in_order(self):
        for r in ServiceRequest.objects.all():
            self.assertGreaterEqual(r.department_entered_at, r.submitted_at)
            self.assertLessEqual(r.updated_at, END)
            self.assertEqual(r.status == Status.SUBMITTED, r.acknowledged_at is None)
            if r.acknowledged_at:
                self.assertGreaterEqual(r.acknowledged_at, r.submitted_at)
                self.assertLessEqual(
                    r.acknowledged_department_entered_at, r.acknowledged_at
                )
            if r.status == Status.CLOSED:
                self.assertGreaterEqual(r.closed_at, r.acknowledged_at)
                self.assertNotEqual(r.resolution, "")
            else:
                self.assertIsNone(r.closed_at)
                self.assertEqual(r.resolution, "")
            if r.resolution == Resolution.DUPLICATE:
                self.assertIsNotNone(r.duplicate_of)
            if r.resolution == Resolution.REFERRED:
                self.assertIsNotNone(r.agency)

            times = list(r.events.order_by("pk").values_list("created_at", flat=True))
            self.assertEqual(times, sorted(times))
            self.assertEqual(times[0], r.submitted_at)

    def test_it_mixes_statuses_channels_and_actions(self):
        requests = ServiceRequest.objects.all()
        statuses = set(requests.values_list("status", flat=True))
        self.assertGreaterEqual(statuses, {"acknowledged", "in_progress", "closed"})
        channels = set(requests.values_list("channel", flat=True))
        self.assertGreaterEqual(channels, {"web", "phone", "email", "api"})
        resolutions = set(requests.values_list("resolution", flat=True))
        self.assertGreaterEqual(len(resolutions), 5)

        kinds = set(Event.objects.values_list("kind", flat=True))
        self.assertGreaterEqual(kinds, set(Event.Kind.values) - {"merged"})
        reassigned = requests.filter(events__kind=Event.Kind.REASSIGNED).distinct()
        self.assertGreater(reassigned.count(), 4)

    def test_it_sends_no_email(self):
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Message.objects.exists())


class LoadDemoTownGuardTests(TestCase):
    def test_it_refuses_a_database_with_a_town(self):
        Town.objects.create(
            name="Elsewhere",
            display_name="Elsewhere 311",
            boundary=places.geojson(places.DOWNTOWN),
        )

        with self.assertRaisesMessage(CommandError, "Use --force"):
            load()
        self.assertFalse(Department.objects.exists())

    def test_it_refuses_a_database_with_neighbourhoods(self):
        Neighbourhood.objects.create(
            name="Old Town", slug="old-town", area=places.geojson(places.DOWNTOWN)
        )

        with self.assertRaisesMessage(CommandError, "Use --force"):
            load()
        self.assertFalse(Town.objects.exists())

    def test_it_refuses_a_database_with_a_demo_username(self):
        User.objects.create_user("admin")

        with self.assertRaisesMessage(CommandError, "--if-empty"):
            load()
        self.assertFalse(Town.objects.exists())

    def test_it_skips_a_non_empty_database_with_if_empty(self):
        Town.objects.create(
            name="Elsewhere",
            display_name="Elsewhere 311",
            boundary=places.geojson(places.DOWNTOWN),
        )

        output, _ = load(if_empty=True)
        self.assertIn("riverton-demo", output)
        self.assertIn("was not loaded", output)
        self.assertEqual(Town.objects.get().name, "Elsewhere")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_replaces_everything_with_force_and_repeats_itself(self):
        load(requests=60)
        first = history_digest()

        places_count = Place.objects.count()
        _, progress = load(requests=60, force=True, verbosity=2)
        self.assertEqual(history_digest(), first)
        self.assertEqual(Town.objects.count(), 1)
        self.assertEqual(Neighbourhood.objects.count(), 8)
        self.assertEqual(Place.objects.count(), places_count)
        self.assertEqual(ServiceRequest.objects.count(), 60)
        self.assertIn("60 of 60 requests", progress)

    def test_it_varies_with_the_seed(self):
        load(requests=20)
        first = history_digest()

        call_command(
            "load_demo_town",
            requests=20,
            seed=SEED + 1,
            end_date=END_DATE,
            force=True,
            stdout=StringIO(),
        )
        self.assertNotEqual(history_digest(), first)

    def test_it_discards_mail_the_history_queues(self):
        acknowledge = services.request_acknowledge

        def acknowledge_and_tell(service_request, **kwargs):
            acknowledge(service_request, **kwargs)
            message_queue(
                to="resident@example.net",
                subject="We have your request",
                body_text="Thanks!",
                request=service_request,
            )

        with patch.object(services, "request_acknowledge", acknowledge_and_tell):
            with self.captureOnCommitCallbacks(execute=True):
                load(requests=30)

        self.assertTrue(Event.objects.filter(kind=Event.Kind.ACKNOWLEDGED).exists())
        self.assertFalse(Message.objects.exists())
        self.assertEqual(mail.outbox, [])
