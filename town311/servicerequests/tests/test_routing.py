import json

from town311.directory.models import Agency, RoutingArea, Town
from town311.lib import geo
from town311.lib.errors import ActionError, HandledElsewhere, OutsideServiceArea
from town311.servicerequests.models import Event
from town311.servicerequests.routing import route
from town311.servicerequests.services import request_submit
from town311.test import CENTRE, BaseTestCase, square

LAT, LONG = CENTRE
# Inside the town (half-side 0.01) but outside the 0.002 "Downtown" square.
EDGE_OF_TOWN = (LAT + 0.008, LONG + 0.008)
OUTSIDE_TOWN = (LAT + 0.05, LONG)


class RouteTestCase(BaseTestCase):
    def area(self, name: str, area: str, **kwargs) -> RoutingArea:
        kwargs.setdefault("department", self.parks)
        return RoutingArea.objects.create(name=name, area=area, **kwargs)

    def test_it_uses_the_default_department_without_an_area(self):
        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.roads)
        self.assertEqual(decision.reason, "Pothole goes to Roads by default")

    def test_it_uses_an_area_for_all_services(self):
        self.area("Riverside", square(LAT, LONG, 0.005))

        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.parks)
        self.assertEqual(decision.reason, "Pothole inside “Riverside” → Parks")

        # Outside the area the service's own department takes it.
        decision = route(service=self.pothole, lat=EDGE_OF_TOWN[0], long=LONG)
        self.assertEqual(decision.department, self.roads)

    def test_it_prefers_an_area_for_the_service_to_one_for_all(self):
        self.area("Downtown", square(LAT, LONG, 0.002))
        # Larger than Downtown, but specific to potholes:
        self.area(
            "Pothole crews",
            square(LAT, LONG, 0.009),
            department=self.roads,
            service=self.pothole,
        )

        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.roads)
        self.assertEqual(decision.reason, "Pothole inside “Pothole crews” → Roads")

        # Other services still follow the all-services area.
        decision = route(service=self.park_upkeep, lat=LAT, long=LONG)
        self.assertEqual(decision.reason, "Park upkeep inside “Downtown” → Parks")

    def test_it_prefers_the_smaller_of_nested_areas(self):
        self.area("District", square(LAT, LONG, 0.009), department=self.parks)
        self.area("Downtown", square(LAT, LONG, 0.002), department=self.roads)

        decision = route(service=self.park_upkeep, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.roads)
        self.assertIn("“Downtown”", decision.reason)

        decision = route(service=self.park_upkeep, lat=EDGE_OF_TOWN[0], long=LONG)
        self.assertEqual(decision.department, self.parks)
        self.assertIn("“District”", decision.reason)

    def test_it_counts_an_edge_and_a_vertex_as_inside(self):
        self.area("Downtown", square(LAT, LONG, 0.002))

        on_edge = route(service=self.pothole, lat=LAT, long=LONG + 0.002)
        self.assertEqual(on_edge.department, self.parks)

        on_vertex = route(service=self.pothole, lat=LAT - 0.002, long=LONG - 0.002)
        self.assertEqual(on_vertex.department, self.parks)

        just_outside = route(service=self.pothole, lat=LAT, long=LONG + 0.0021)
        self.assertEqual(just_outside.department, self.roads)

    def test_it_ignores_inactive_areas(self):
        self.area("Downtown", square(LAT, LONG, 0.002), is_active=False)

        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.roads)

    def test_it_passes_over_an_area_of_an_inactive_department(self):
        self.area("District", square(LAT, LONG, 0.009), department=self.parks)
        self.area("Downtown", square(LAT, LONG, 0.002), department=self.roads)
        self.roads.is_active = False
        self.roads.save()

        decision = route(service=self.park_upkeep, lat=LAT, long=LONG)
        self.assertEqual(decision.reason, "Park upkeep inside “District” → Parks")

    def test_it_hands_an_area_to_an_agency(self):
        utility = Agency.objects.create(
            name="Riverton Power",
            kind=Agency.Kind.UTILITY,
            phone="555-0100",
            website="https://power.example",
        )
        self.area(
            "Power lines", square(LAT, LONG, 0.002), department=None, agency=utility
        )

        with self.assertRaises(HandledElsewhere) as cm:
            route(service=self.pothole, lat=LAT, long=LONG)

        self.assertNotIsInstance(cm.exception, OutsideServiceArea)
        self.assertEqual(cm.exception.agency, utility)
        self.assertEqual(cm.exception.field, "location")
        self.assertEqual(
            cm.exception.message,
            "Pothole requests here are handled by Riverton Power: contact them at "
            "555-0100, https://power.example.",
        )

    def test_it_names_the_smallest_agency_covering_a_place_outside_town(self):
        Agency.objects.create(name="State Highways", area=square(LAT, LONG, 1.0))
        county = Agency.objects.create(
            name="Lake County",
            kind=Agency.Kind.COUNTY,
            email="roads@county.example",
            area=square(*OUTSIDE_TOWN, 0.1),
        )

        with self.assertRaises(OutsideServiceArea) as cm:
            route(service=self.pothole, lat=OUTSIDE_TOWN[0], long=OUTSIDE_TOWN[1])

        self.assertEqual(cm.exception.agency, county)
        self.assertEqual(
            cm.exception.message,
            "This place is outside Testville. Lake County handles it: contact them "
            "at roads@county.example.",
        )

    def test_it_refuses_a_place_outside_town_with_no_agency(self):
        Agency.objects.create(name="Far County", area=square(LAT + 5, LONG, 0.1))
        Agency.objects.create(name="Water Board")  # covers no particular area

        with self.assertRaises(OutsideServiceArea) as cm:
            route(service=self.pothole, lat=OUTSIDE_TOWN[0], long=OUTSIDE_TOWN[1])

        self.assertIsNone(cm.exception.agency)
        self.assertEqual(
            cm.exception.message,
            "This place is outside Testville's service area, so the town cannot "
            "take the request.",
        )

    def test_it_stores_the_reason_on_the_routed_event(self):
        self.area("Downtown", square(LAT, LONG, 0.002), department=self.roads)

        service_request = request_submit(
            service=self.park_upkeep, lat=LAT, long=LONG, description="Broken bench"
        )
        self.assertEqual(service_request.department, self.roads)

        event = service_request.events.get(kind=Event.Kind.ROUTED)
        self.assertEqual(event.text, "Park upkeep inside “Downtown” → Roads")
        self.assertEqual(event.to_department, self.roads)

    def test_it_routes_with_a_multipolygon(self):
        west = json.loads(square(LAT, LONG - 0.006, 0.002))["coordinates"]
        east = json.loads(square(LAT, LONG + 0.006, 0.002))["coordinates"]
        area = json.dumps({"type": "MultiPolygon", "coordinates": [west, east]})
        self.area("Both ends", area)

        for long, department in [
            (LONG - 0.006, self.parks),
            (LONG + 0.006, self.parks),
            (LONG, self.roads),  # between the two parts
        ]:
            decision = route(service=self.pothole, lat=LAT, long=long)
            self.assertEqual(decision.department, department)

    def test_it_routes_with_a_feature_collection(self):
        features = [
            {"type": "Feature", "properties": {}, "geometry": json.loads(s)}
            for s in (square(LAT, LONG - 0.006, 0.002), square(LAT, LONG, 0.002))
        ]
        area = json.dumps({"type": "FeatureCollection", "features": features})
        self.area("Old town", area)

        decision = route(service=self.pothole, lat=LAT, long=LONG - 0.006)
        self.assertEqual(decision.department, self.parks)
        decision = route(service=self.pothole, lat=LAT, long=LONG + 0.006)
        self.assertEqual(decision.department, self.roads)

    def test_it_reuses_the_prepared_area_and_sees_a_change_at_once(self):
        text = square(LAT, LONG, 0.002)
        self.assertIs(geo.prepared_area(text), geo.prepared_area(text))

        downtown = self.area("Downtown", text)
        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.parks)

        # Moved to the east edge of town: the centre is no longer inside.
        downtown.area = square(LAT, LONG + 0.008, 0.002)
        downtown.save()
        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.roads)
        decision = route(service=self.pothole, lat=LAT, long=LONG + 0.008)
        self.assertEqual(decision.department, self.parks)

    def test_it_skips_a_stored_area_that_is_not_valid(self):
        # objects.create skips validation, as a script or raw import would.
        broken = self.area("Broken", '{"type": "Polygon"')
        self.area("Downtown", square(LAT, LONG, 0.002))

        with self.assertLogs("town311.servicerequests.routing", "ERROR") as logs:
            decision = route(service=self.pothole, lat=LAT, long=LONG)

        self.assertEqual(decision.department, self.parks)
        self.assertIn(f"Skipping RoutingArea {broken.pk}", logs.output[0])

    def test_it_needs_a_town(self):
        Town.objects.all().delete()

        with self.assertRaises(ActionError) as cm:
            route(service=self.pothole, lat=LAT, long=LONG)

        self.assertIn("The town is not set up yet", cm.exception.message)
