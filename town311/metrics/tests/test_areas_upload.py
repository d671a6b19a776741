import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from town311.alerts.models import Subscription
from town311.directory.models import Neighbourhood
from town311.metrics.areas import (
    AreaUploadError,
    areas_apply,
    areas_parse,
    areas_plan,
    requests_place,
)
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.servicerequests.routing import neighbourhood_at
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

WEST = (40.0, -90.005)
EAST = (40.0, -89.995)


def ring(lat: float, long: float, half_side: float) -> list:
    return [
        [long - half_side, lat - half_side],
        [long + half_side, lat - half_side],
        [long + half_side, lat + half_side],
        [long - half_side, lat + half_side],
        [long - half_side, lat - half_side],
    ]


def feature(name, lat, long, half_side=0.004, key="name") -> dict:
    return {
        "type": "Feature",
        "properties": {key: name} if name is not None else {},
        "geometry": {"type": "Polygon", "coordinates": [ring(lat, long, half_side)]},
    }


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


# A polygon whose edges cross, inside the town.
BOW_TIE = {
    "type": "Feature",
    "properties": {"name": "Knot"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-90.002, 39.998], [-89.998, 40.002], [-89.998, 39.998],
             [-90.002, 40.002], [-90.002, 39.998]]
        ],
    },
}  # fmt: skip


class AreasParseTests(BaseTestCase):
    def problems(self, data: bytes, **options) -> list[str]:
        with self.assertRaises(AreaUploadError) as caught:
            areas_parse(data, **options)
        return caught.exception.problems

    def test_it_reads_named_polygons(self):
        areas = areas_parse(
            collection(
                feature("West", *WEST),
                feature("East side", *EAST, key="NAME"),
                feature("Centre", *CENTRE, 0.001, key="Name"),
            )
        )

        self.assertEqual(
            [(a.position, a.name, a.slug) for a in areas],
            [
                (1, "West", "west"),
                (2, "East side", "east-side"),
                (3, "Centre", "centre"),
            ],
        )
        self.assertEqual(json.loads(areas[0].area)["type"], "Polygon")

    def test_it_refuses_what_is_not_json(self):
        (problem,) = self.problems(b'{"type": "FeatureCollection", "features": [')

        self.assertIn("not valid JSON", problem)

    def test_it_refuses_text_that_is_not_utf8_or_nests_too_deeply(self):
        (not_utf8,) = self.problems('{ "name": "Peñas" }'.encode("latin-1"))
        (too_deep,) = self.problems(b"[" * 100_000)

        self.assertIn("not text in UTF-8", not_utf8)
        self.assertIn("nests its data too deeply", too_deep)

    def test_it_refuses_what_is_not_a_feature_collection(self):
        (problem,) = self.problems(json.dumps(feature("West", *WEST)).encode())

        self.assertIn("must be a GeoJSON FeatureCollection", problem)

    def test_it_refuses_an_empty_collection(self):
        (problem,) = self.problems(collection())

        self.assertIn("has no features", problem)

    def test_it_refuses_a_file_over_the_limit(self):
        (problem,) = self.problems(collection(feature("West", *WEST)), max_bytes=100)

        self.assertIn("the limit is 0.0 MB", problem)

    def test_it_names_a_bad_geometry_by_position_and_name(self):
        problems = self.problems(
            collection(feature("West", *WEST), feature("East", *EAST), BOW_TIE)
        )

        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith("Feature 3 (“Knot”): "), problems)
        self.assertIn("not valid (Self-intersection", problems[0])

    def test_it_reports_every_bad_feature(self):
        problems = self.problems(
            collection(
                feature(None, *WEST),
                feature("East", *EAST),
                feature("east", *WEST),
                {"type": "Feature", "properties": {"name": "Line"}, "geometry": {
                    "type": "LineString", "coordinates": [[-90, 40], [-90.001, 40]]
                }},
                feature("Far away", 50.0, 10.0),
            )
        )  # fmt: skip

        self.assertEqual(
            problems,
            [
                "Feature 1 has no name: give it a “name” property, such as “Old Town”.",
                "Feature 3 (“east”): another area has this name (feature 2, “East”); "
                "give each area its own name.",
                "Feature 4 (“Line”): the geometry must be a Polygon or MultiPolygon.",
                "Feature 5 (“Far away”): the area lies entirely outside Testville. "
                "Check that the file lists longitude before latitude.",
            ],
        )


class TwoAreasMixin:
    """West and the small Old Quarter in the centre, whose alerts two
    residents follow; one resident follows West."""

    def setUp(self) -> None:
        super().setUp()
        self.west = Neighbourhood.objects.create(
            name="West", slug="west", area=json.dumps(feature("", *WEST)["geometry"])
        )
        self.old = Neighbourhood.objects.create(
            name="Old Quarter",
            slug="old-quarter",
            area=json.dumps(feature("", *CENTRE, 0.001)["geometry"]),
        )
        self.west_alert = self.subscribe(self.west)
        self.old_alert = self.subscribe(self.old)
        self.subscribe(self.old)

    def subscribe(self, neighbourhood) -> Subscription:
        return Subscription.objects.create(
            email=RESIDENT_EMAIL,
            neighbourhood=neighbourhood,
            confirmed_at=timezone.now(),
        )

    def submit(self, place):
        with services.history_replay():
            return services.request_submit(
                service=self.pothole,
                lat=place[0],
                long=place[1],
                reporter_email=RESIDENT_EMAIL,
            )

    def upload(self):
        # West grows to take in the centre; East is new.
        return areas_parse(
            collection(feature("west", *WEST, 0.006), feature("East", *EAST))
        )


class AreasApplyTests(TwoAreasMixin, BaseTestCase):
    def test_it_plans_additions_updates_and_kept_areas(self):
        plan = areas_plan(self.upload(), remove_missing=False)

        self.assertEqual(plan.to_add, ["East"])
        self.assertEqual(plan.to_update, ["west"])
        self.assertEqual(plan.kept, ["Old Quarter"])
        self.assertEqual((plan.to_remove, plan.subscriptions_affected), ([], 0))

    def test_it_counts_the_subscriptions_removing_would_take(self):
        plan = areas_plan(self.upload(), remove_missing=True)

        self.assertEqual(plan.to_remove, ["Old Quarter"])
        self.assertEqual(plan.subscriptions_affected, 2)

    def test_it_sees_an_unchanged_area(self):
        same = areas_parse(collection(feature("West", *WEST)))

        self.assertEqual(areas_plan(same, remove_missing=False).unchanged, ["West"])

    def test_it_updates_by_name_and_keeps_missing_areas(self):
        result = areas_apply(self.upload(), remove_missing=False)

        self.assertEqual((result.added, result.updated, result.removed), (1, 1, 0))
        self.west.refresh_from_db()
        self.assertEqual(self.west.name, "west")
        self.assertIn("-90.011", self.west.area)
        self.assertTrue(Neighbourhood.objects.filter(slug="old-quarter").exists())
        self.assertTrue(Neighbourhood.objects.filter(slug="east").exists())
        # The updated area keeps its residents' alerts.
        self.assertEqual(Subscription.objects.count(), 3)

    def test_it_removes_missing_areas_with_their_subscriptions_when_asked(self):
        result = areas_apply(self.upload(), remove_missing=True)

        self.assertEqual((result.removed, result.subscriptions_removed), (1, 2))
        self.assertEqual(
            sorted(Neighbourhood.objects.values_list("slug", flat=True)),
            ["east", "west"],
        )
        self.assertEqual(list(Subscription.objects.all()), [self.west_alert])

    def test_it_places_requests_again_once_committed(self):
        centre = self.submit(CENTRE)
        east = self.submit(EAST)
        self.assertEqual(centre.neighbourhood, self.old)
        self.assertIsNone(east.neighbourhood)

        with self.captureOnCommitCallbacks(execute=True):
            areas_apply(self.upload(), remove_missing=True)

        # The centre is now inside the grown West only.
        centre.refresh_from_db()
        east.refresh_from_db()
        self.assertEqual(centre.neighbourhood, self.west)
        self.assertEqual(east.neighbourhood.slug, "east")


class RequestsPlaceTests(TwoAreasMixin, BaseTestCase):
    def test_the_smallest_area_holding_a_request_wins(self):
        big = Neighbourhood.objects.create(
            name="Everything",
            slug="everything",
            area=json.dumps(feature("", *CENTRE, 0.009)["geometry"]),
        )
        inside_old = self.submit(CENTRE)
        inside_west = self.submit(WEST)
        edge = self.submit((40.004, -90.005))  # West's northern edge
        ServiceRequest.objects.update(neighbourhood=None)

        changed = requests_place()

        self.assertEqual(changed, 3)
        placed = dict(ServiceRequest.objects.values_list("pk", "neighbourhood"))
        self.assertEqual(placed[inside_old.pk], self.old.pk)
        self.assertEqual(placed[inside_west.pk], self.west.pk)
        self.assertEqual(placed[edge.pk], self.west.pk)
        self.assertNotIn(big.pk, placed.values())
        # As submission places them.
        for each in (inside_old, inside_west, edge):
            self.assertEqual(placed[each.pk], neighbourhood_at(each.lat, each.long).pk)

    def test_it_walks_the_requests_in_batches(self):
        for place in (WEST, WEST, CENTRE, (40.0, -89.995), WEST):
            self.submit(place)
        seen = []

        changed = requests_place(
            batch_size=2, progress=lambda done, total: seen.append((done, total))
        )

        self.assertEqual(changed, 0)
        self.assertEqual(seen, [(2, 5), (4, 5), (5, 5)])

    def test_it_takes_requests_out_of_removed_areas(self):
        centre = self.submit(CENTRE)
        self.old.area = json.dumps(feature("", 40.005, -90.005, 0.001)["geometry"])
        self.old.save()

        self.assertEqual(requests_place(), 1)
        centre.refresh_from_db()
        self.assertIsNone(centre.neighbourhood)


class AreasUploadPageTests(TwoAreasMixin, BaseTestCase):
    URL = "/metrics/areas/upload/"

    def post_file(self, data: bytes, *, user=None, remove_missing=False):
        self.client.force_login(user or self.coordinator)
        form = {"file": SimpleUploadedFile("areas.geojson", data)}
        if remove_missing:
            form["remove_missing"] = "on"
        return self.client.post(self.URL, form)

    def test_it_refuses_a_clerk_with_a_reason(self):
        self.client.force_login(self.roads_clerk)

        r = self.client.get(self.URL)

        self.assertContains(
            r, "Only coordinators and administrators may replace", status_code=403
        )

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        r = self.client.get(self.URL)

        self.assertRedirects(
            r, f"/staff/login/?next={self.URL}", fetch_redirect_response=False
        )

    def test_an_administrator_may_upload(self):
        self.client.force_login(self.admin)

        self.assertContains(self.client.get(self.URL), "Remove areas not in this file")

    def test_it_previews_without_changing_anything(self):
        r = self.post_file(
            collection(feature("west", *WEST, 0.006), feature("East", *EAST)),
            remove_missing=True,
        )

        self.assertContains(r, "1 area to add: East")
        self.assertContains(r, "1 area to update: west")
        self.assertContains(r, "1 area to remove: Old Quarter")
        self.assertContains(r, "also removes 2 resident alert subscriptions")
        self.assertContains(r, "Confirm and apply")
        self.assertFalse(Neighbourhood.objects.filter(slug="east").exists())

    def test_it_lists_every_problem_of_a_bad_file(self):
        r = self.post_file(
            collection(feature(None, *WEST), feature("East", *EAST), BOW_TIE)
        )

        self.assertContains(r, "nothing was changed")
        self.assertContains(r, "Feature 1 has no name")
        self.assertContains(r, "Feature 3 (“Knot”)")
        self.assertNotContains(r, "Confirm and apply")

    def test_it_explains_a_file_that_is_not_json(self):
        r = self.post_file(b"name,lat,long\nWest,40,-90\n")

        self.assertContains(r, "The file is not valid JSON")

    def test_it_applies_once_on_confirmation(self):
        preview = self.post_file(
            collection(feature("west", *WEST, 0.006), feature("East", *EAST)),
            remove_missing=True,
        )
        token = preview.context["confirm"].initial["token"]
        centre = self.submit(CENTRE)

        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.URL, {"token": token}, follow=True)

        self.assertRedirects(r, "/metrics/areas/")
        self.assertContains(r, "1 added, 1 updated, 1 removed with 2 alert")
        self.assertContains(r, "being placed in the new areas in the background")
        centre.refresh_from_db()
        self.assertEqual(centre.neighbourhood, self.west)

        # A second click changes nothing and says why.
        Neighbourhood.objects.filter(slug="east").update(name="Renamed")
        again = self.client.post(self.URL, {"token": token}, follow=True)

        self.assertContains(again, "already applied or has expired")
        self.assertTrue(Neighbourhood.objects.filter(name="Renamed").exists())

    def test_it_refuses_another_persons_token(self):
        preview = self.post_file(collection(feature("East", *EAST)))
        token = preview.context["confirm"].initial["token"]
        self.client.force_login(self.admin)

        r = self.client.post(self.URL, {"token": token}, follow=True)

        self.assertContains(r, "already applied or has expired")
        self.assertFalse(Neighbourhood.objects.filter(slug="east").exists())

    def test_it_refuses_a_forged_token(self):
        self.client.force_login(self.coordinator)

        r = self.client.post(self.URL, {"token": "made-up"}, follow=True)

        self.assertContains(r, "already applied or has expired")


class LoadAreasCommandTests(TwoAreasMixin, BaseTestCase):
    def run_command(self, data: bytes, *options) -> str:
        with TemporaryDirectory() as folder:
            path = Path(folder) / "areas.geojson"
            path.write_bytes(data)
            out = StringIO()
            call_command("load_areas", str(path), *options, stdout=out, stderr=out)
        return out.getvalue()

    def test_a_dry_run_changes_nothing(self):
        out = self.run_command(self.upload_bytes(), "--remove-missing", "--dry-run")

        self.assertIn("1 to add, 1 to update, 0 unchanged, 1 to remove", out)
        self.assertIn("(2 alert subscription(s))", out)
        self.assertIn("Dry run: nothing was changed.", out)
        self.assertEqual(Neighbourhood.objects.count(), 2)

    def test_it_applies_and_places_the_requests(self):
        centre = self.submit(CENTRE)

        out = self.run_command(self.upload_bytes(), "--remove-missing")

        self.assertIn("Placed 1 of 1 requests", out)
        self.assertIn("1 area(s) added, 1 updated, 1 removed; 1 request(s)", out)
        centre.refresh_from_db()
        self.assertEqual(centre.neighbourhood, self.west)
        self.assertEqual(Subscription.objects.count(), 1)

    def test_it_keeps_missing_areas_by_default(self):
        self.run_command(self.upload_bytes())

        self.assertTrue(Neighbourhood.objects.filter(slug="old-quarter").exists())

    def test_it_stops_on_a_bad_file(self):
        with self.assertRaisesMessage(CommandError, "Nothing was changed: 1 problem"):
            self.run_command(collection(BOW_TIE))

    def upload_bytes(self) -> bytes:
        return collection(feature("west", *WEST, 0.006), feature("East", *EAST))
