import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from town311.directory.models import Agency, RoutingArea, Town
from town311.test import CENTRE, BaseTestCase, square

LAT, LONG = CENTRE


class TownTestCase(BaseTestCase):
    def test_it_accepts_a_time_zone_name(self):
        self.town.time_zone = "Europe/Madrid"
        self.town.full_clean()
        self.assertEqual(self.town.zone, zoneinfo.ZoneInfo("Europe/Madrid"))

    def test_it_refuses_an_unknown_time_zone(self):
        self.town.time_zone = "Central Time"

        with self.assertRaises(ValidationError) as cm:
            self.town.full_clean()

        self.assertEqual(
            cm.exception.message_dict["time_zone"],
            [
                "“Central Time” is not a time zone name. Use a name such as "
                "America/Chicago or Europe/Madrid."
            ],
        )

    def test_it_refuses_a_colour_that_is_not_hex(self):
        for colour in ["blue", "#12345", "1f5f8b0"]:
            self.town.colour = colour
            with self.assertRaises(ValidationError) as cm:
                self.town.full_clean()
            self.assertEqual(
                cm.exception.message_dict["colour"], ["Use a colour like #1f5f8b."]
            )

    def test_it_refuses_a_boundary_that_is_not_geojson(self):
        self.town.boundary = '{"type": "Point", "coordinates": [-90, 40]}'

        with self.assertRaises(ValidationError) as cm:
            self.town.full_clean()

        self.assertIn("must be a Polygon", cm.exception.message_dict["boundary"][0])

    def test_it_allows_only_one_town(self):
        second = Town(
            name="Otherville",
            display_name="Otherville 311",
            boundary=square(LAT + 1, LONG, 0.01),
        )

        with self.assertRaises(ValidationError) as cm:
            second.full_clean()

        self.assertEqual(
            cm.exception.messages, ["There is already a town; edit it instead."]
        )
        # Editing the one town is fine.
        self.town.display_name = "Testville Requests"
        self.town.full_clean()

    def test_it_finds_the_current_town(self):
        self.assertEqual(Town.objects.current(), self.town)

        Town.objects.all().delete()
        self.assertIsNone(Town.objects.current())

    def test_it_covers_its_boundary(self):
        self.assertTrue(self.town.covers(LAT, LONG))
        self.assertTrue(self.town.covers(LAT + 0.01, LONG))
        self.assertFalse(self.town.covers(LAT + 0.02, LONG))


class AgencyTestCase(BaseTestCase):
    def test_it_may_cover_no_area(self):
        agency = Agency(name="Water Board", area="")
        agency.full_clean()
        self.assertFalse(agency.covers(LAT, LONG))

    def test_it_refuses_an_area_that_is_not_geojson(self):
        agency = Agency(name="Water Board", area="the whole county")

        with self.assertRaises(ValidationError) as cm:
            agency.full_clean()

        self.assertIn("This is not valid JSON", cm.exception.message_dict["area"][0])


class RoutingAreaTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.county = Agency.objects.create(name="Lake County")

    def test_it_accepts_one_destination(self):
        RoutingArea(
            name="Downtown", area=square(LAT, LONG, 0.002), department=self.parks
        ).full_clean()
        RoutingArea(
            name="County road", area=square(LAT, LONG, 0.002), agency=self.county
        ).full_clean()

    def test_it_needs_a_destination(self):
        area = RoutingArea(name="Downtown", area=square(LAT, LONG, 0.002))

        with self.assertRaises(ValidationError) as cm:
            area.full_clean()

        # One message, next to the field, and not the constraint's as well.
        self.assertEqual(
            cm.exception.message_dict,
            {
                "department": [
                    "Choose where requests inside the area go: a department or "
                    "an agency."
                ]
            },
        )

    def test_it_refuses_two_destinations(self):
        area = RoutingArea(
            name="Downtown",
            area=square(LAT, LONG, 0.002),
            department=self.parks,
            agency=self.county,
        )

        with self.assertRaises(ValidationError) as cm:
            area.full_clean()

        self.assertEqual(
            cm.exception.message_dict,
            {
                "agency": [
                    "Choose a department or an agency, not both: clear one of them."
                ]
            },
        )

    def test_it_has_a_constraint_for_one_destination(self):
        area = RoutingArea(name="Downtown", area=square(LAT, LONG, 0.002))
        with self.assertRaises(ValidationError) as cm:
            area.validate_constraints()
        self.assertEqual(
            cm.exception.messages,
            ["Choose a department or an agency for the area, not both."],
        )

        with self.assertRaises(IntegrityError), transaction.atomic():
            RoutingArea.objects.create(name="Nowhere", area=square(LAT, LONG, 0.002))

        with self.assertRaises(IntegrityError), transaction.atomic():
            RoutingArea.objects.create(
                name="Everywhere",
                area=square(LAT, LONG, 0.002),
                department=self.parks,
                agency=self.county,
            )

        self.assertFalse(RoutingArea.objects.exists())

    def test_it_refuses_an_area_that_is_not_geojson(self):
        area = RoutingArea(name="Downtown", area='{"type": "Polygon", "coordinates": [')
        area.department = self.parks

        with self.assertRaises(ValidationError) as cm:
            area.full_clean()

        self.assertEqual(list(cm.exception.message_dict), ["area"])
        self.assertIn("This is not valid JSON", cm.exception.message_dict["area"][0])

    def test_it_refuses_an_area_outside_the_town(self):
        area = RoutingArea(
            name="Downtown", area=square(LAT + 1, LONG, 0.002), department=self.parks
        )

        with self.assertRaises(ValidationError) as cm:
            area.full_clean()

        self.assertIn(
            "The area lies entirely outside Testville",
            cm.exception.message_dict["area"][0],
        )

    def test_it_knows_its_destination(self):
        area = RoutingArea(name="County road", area="{}", agency=self.county)
        self.assertEqual(area.destination, self.county)
