"""Shared set-up for the test suite: a small town and its people.

The town is a square around (40.0, -90.0), about 2.2 km a side. Roads
handles potholes, Parks handles park upkeep, and a staff-only service
exists for internal work orders. The people: a resident (who has no
account, only an e-mail address), a Roads clerk, a Parks clerk, a Roads
lead, a coordinator and an administrator.
"""

import json
from datetime import timedelta

from django.test import TestCase

from town311.accounts.models import User
from town311.directory.models import Department, Service, ServiceGroup, Town


def square(lat: float, long: float, half_side: float) -> str:
    """GeoJSON of a square centred on (lat, long), half_side degrees wide."""
    ring = [
        [long - half_side, lat - half_side],
        [long + half_side, lat - half_side],
        [long + half_side, lat + half_side],
        [long - half_side, lat + half_side],
        [long - half_side, lat - half_side],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


CENTRE = (40.0, -90.0)
RESIDENT_EMAIL = "resident@example.org"


class TownTestMixin:
    """Creates the town and people; mix into TestCase or TransactionTestCase."""

    def make_town(self) -> None:
        self.town = Town.objects.create(
            name="Testville",
            display_name="Testville 311",
            time_zone="America/Chicago",
            boundary=square(*CENTRE, 0.01),
        )
        self.roads = Department.objects.create(
            name="Roads",
            slug="roads",
            email="roads@testville.example",
            acknowledge_target=timedelta(days=2),
            close_target=timedelta(days=10),
        )
        self.parks = Department.objects.create(
            name="Parks",
            slug="parks",
            email="parks@testville.example",
            acknowledge_target=timedelta(days=1),
            close_target=timedelta(days=14),
        )
        streets = ServiceGroup.objects.create(name="Streets", order=1)
        outdoors = ServiceGroup.objects.create(name="Parks and trees", order=2)
        self.pothole = Service.objects.create(
            code="pothole",
            name="Pothole",
            group=streets,
            keywords="hole, road damage",
            department=self.roads,
        )
        self.park_upkeep = Service.objects.create(
            code="park-upkeep",
            name="Park upkeep",
            group=outdoors,
            department=self.parks,
        )
        self.work_order = Service.objects.create(
            code="work-order",
            name="Internal work order",
            group=streets,
            department=self.roads,
            is_public=False,
        )

        self.roads_clerk = User.objects.create_user(
            "roads-clerk",
            first_name="Rosa",
            role=User.Role.STAFF,
            department=self.roads,
        )
        self.roads_lead = User.objects.create_user(
            "roads-lead",
            first_name="Luis",
            role=User.Role.LEAD,
            department=self.roads,
        )
        self.parks_clerk = User.objects.create_user(
            "parks-clerk",
            first_name="Pat",
            role=User.Role.STAFF,
            department=self.parks,
        )
        self.coordinator = User.objects.create_user(
            "coordinator", first_name="Cora", role=User.Role.COORDINATOR
        )
        self.admin = User.objects.create_superuser(
            "admin", "admin@testville.example", "admin-password"
        )


class BaseTestCase(TownTestMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_town()
