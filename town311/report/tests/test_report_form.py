import json

from town311.directory.models import (
    Agency,
    AttributeValue,
    Place,
    RoutingArea,
    ServiceAttribute,
)
from town311.report.tests.base import DRAFT_KEY, ReportTestCase, photo_upload
from town311.servicerequests.models import Channel, Event, ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, square

Datatype = ServiceAttribute.Datatype
# A point in the test town, away from the requests the tests make.
SPOT = (40.004, -89.996)


class ReportFormTests(ReportTestCase):
    def test_it_shows_the_steps(self):
        response = self.client.get("/report/pothole/")

        self.assertContains(response, "<h1>Report: Pothole</h1>", html=True)
        for heading in [
            "Where is it?",
            "Is it one of these?",
            "What's wrong?",
            "Photos",
            "How can we reach you?",
        ]:
            self.assertContains(response, heading)
        self.assertContains(response, "Only town staff see your contact details.")
        self.assertContains(response, "Add your e-mail to get updates.")
        self.assertContains(response, "Enter coordinates")
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_it_gives_each_form_a_draft_key(self):
        first = self.client.get("/report/pothole/").context["draft_key"]
        second = self.client.get("/report/pothole/").context["draft_key"]

        self.assertRegex(first, r"^[\w-]{32}$")
        self.assertNotEqual(first, second)

    def test_it_refuses_staff_only_inactive_and_unknown_services(self):
        self.park_upkeep.is_active = False
        self.park_upkeep.save()

        for code in ["work-order", "park-upkeep", "no-such-service"]:
            with self.subTest(code=code):
                self.assertEqual(self.client.get(f"/report/{code}/").status_code, 404)
                self.assertEqual(self.post_report(code).status_code, 404)

        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_files_a_request_at_a_pin(self):
        response = self.post_report(
            lat=str(SPOT[0]),
            long=str(SPOT[1]),
            address="Outside the bakery",
            description="  Deep hole by the drain  ",
            reporter_name="Ann Example",
            reporter_email=RESIDENT_EMAIL,
            reporter_phone="555-0100",
        )

        request = ServiceRequest.objects.get()
        self.assertRedirects(
            response, f"/report/done/{request.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(request.service, self.pothole)
        self.assertEqual((request.lat, request.long), SPOT)
        self.assertEqual(request.address, "Outside the bakery")
        self.assertEqual(request.description, "Deep hole by the drain")
        self.assertEqual(request.department, self.roads)
        self.assertEqual(request.channel, Channel.WEB)
        self.assertEqual(request.reporter_name, "Ann Example")
        self.assertEqual(request.reporter_email, RESIDENT_EMAIL)
        self.assertEqual(request.reporter_phone, "555-0100")
        self.assertEqual(request.idempotency_key, DRAFT_KEY)
        self.assertTrue(request.followers.filter(email=RESIDENT_EMAIL).exists())

    def test_it_files_one_request_for_a_double_tap(self):
        data = {"lat": SPOT[0], "long": SPOT[1], "description": "Hole"}

        first = self.post_report(**data)
        second = self.post_report(**data)

        request = ServiceRequest.objects.get()
        self.assertEqual(first["Location"], f"/report/done/{request.pk}/")
        self.assertEqual(second["Location"], f"/report/done/{request.pk}/")
        self.assertEqual(request.events.filter(kind=Event.Kind.SUBMITTED).count(), 1)

    def test_it_replaces_a_draft_key_that_is_not_ours(self):
        response = self.post_report(draft_key="<script>", description="Hole")

        self.assertRegex(response.context["draft_key"], r"^[\w-]{32}$")
        self.assertNotContains(response, "<script>")

    def test_it_asks_where_when_no_place_is_given(self):
        response = self.post_report(description="Hole")

        self.assertContains(response, "Tell us where the problem is")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_asks_for_both_coordinates(self):
        response = self.post_report(lat="40.001")

        self.assertEqual(
            response.context["form"].errors["long"],
            ["Enter both the latitude and the longitude."],
        )

    def test_it_refuses_coordinates_that_are_not_numbers(self):
        response = self.post_report(lat="north", long="-200")

        errors = response.context["form"].errors
        self.assertEqual(
            errors["lat"], ["Latitude must be a number between -90 and 90."]
        )
        self.assertEqual(
            errors["long"], ["Longitude must be a number between -180 and 180."]
        )
        self.assertContains(response, 'value="north"')
        self.assertContains(
            response, '<details class="coordinates" data-coordinates open>'
        )

    def test_it_keeps_every_field_when_something_is_wrong(self):
        self.add_question("depth", Datatype.NUMBER, "How deep is it, in inches?")
        response = self.post_report(
            address="Outside the bakery",
            lat=str(SPOT[0]),
            long=str(SPOT[1]),
            description="A hole & a puddle",
            attribute_depth="4",
            reporter_name="Ann Example",
            reporter_email="ann-at-example",
            reporter_phone="555-0100",
        )

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(response, 'value="Outside the bakery"')
        self.assertContains(response, f'value="{SPOT[0]}"')
        self.assertContains(response, f'value="{SPOT[1]}"')
        self.assertContains(response, "A hole &amp; a puddle</textarea>")
        self.assertContains(response, 'value="4"')
        self.assertContains(response, 'value="Ann Example"')
        self.assertContains(response, 'value="ann-at-example"')
        self.assertContains(response, 'value="555-0100"')
        self.assertContains(response, f'value="{DRAFT_KEY}"')
        self.assertContains(
            response,
            '<p class="error" id="id_reporter_email_error">'
            "Enter an e-mail address like name@example.org.</p>",
            html=True,
        )
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, 'href="#id_reporter_email"')

    def test_it_refuses_a_description_that_is_too_long(self):
        response = self.post_report(lat=SPOT[0], long=SPOT[1], description="x" * 4001)

        self.assertIn("description", response.context["form"].errors)
        self.assertFalse(ServiceRequest.objects.exists())

    # The service's questions

    def add_question(self, code, datatype, question, *, required=False, **fields):
        return ServiceAttribute.objects.create(
            service=self.pothole,
            code=code,
            datatype=datatype,
            description=question,
            required=required,
            **fields,
        )

    def add_choices(self, attribute, *names):
        for n, name in enumerate(names):
            AttributeValue.objects.create(
                attribute=attribute, key=name.lower(), name=name, order=n
            )

    def test_it_shows_each_question_by_its_datatype(self):
        self.add_question("where", Datatype.STRING, "Which lane?", order=1)
        self.add_question("more", Datatype.TEXT, "Anything else?", order=2)
        self.add_question("depth", Datatype.NUMBER, "How deep?", order=3)
        self.add_question("seen", Datatype.DATETIME, "When did you see it?", order=4)
        size = self.add_question("size", Datatype.SINGLEVALUELIST, "How big?", order=5)
        self.add_choices(size, "Small", "Large")
        kinds = self.add_question(
            "kind", Datatype.SINGLEVALUELIST, "What kind of road?", order=6
        )
        self.add_choices(kinds, "Street", "Alley", "Lane", "Road", "Path", "Drive")
        hazards = self.add_question(
            "hazards", Datatype.MULTIVALUELIST, "What else is there?", order=7
        )
        self.add_choices(hazards, "Water", "Glass")
        self.add_question(
            "note",
            Datatype.STRING,
            "Crews fill potholes within a week in dry weather.",
            variable=False,
            order=8,
        )

        response = self.client.get("/report/pothole/")

        self.assertContains(response, '<input type="text" name="attribute_where"')
        self.assertContains(response, '<textarea name="attribute_more"')
        self.assertContains(response, '<input type="number" name="attribute_depth"')
        self.assertContains(
            response, '<input type="datetime-local" name="attribute_seen"'
        )
        self.assertContains(response, 'type="radio" name="attribute_size"', count=2)
        self.assertContains(response, '<select name="attribute_kind"')
        self.assertContains(
            response, 'type="checkbox" name="attribute_hazards"', count=2
        )
        self.assertContains(
            response,
            '<p class="question-note">'
            "Crews fill potholes within a week in dry weather.</p>",
            html=True,
        )
        self.assertNotContains(response, "attribute_note")

    def test_it_marks_and_enforces_required_questions(self):
        self.add_question("lane", Datatype.STRING, "Which lane?", required=True)
        hazards = self.add_question(
            "hazards", Datatype.MULTIVALUELIST, "What else is there?", required=True
        )
        self.add_choices(hazards, "Water", "Glass")

        page = self.client.get("/report/pothole/")
        response = self.post_report(lat=SPOT[0], long=SPOT[1])

        self.assertContains(page, "(required)", count=2)
        self.assertContains(page, 'required id="id_attribute_lane"')
        errors = response.context["form"].errors
        self.assertEqual(errors["attribute_lane"], ["Please answer “Which lane?”."])
        self.assertEqual(
            errors["attribute_hazards"], ["Please answer “What else is there?”."]
        )
        self.assertContains(response, 'id="id_attribute_lane_error"')
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_checks_answers_by_datatype(self):
        self.add_question("depth", Datatype.NUMBER, "How deep?")
        self.add_question("seen", Datatype.DATETIME, "When did you see it?")
        size = self.add_question("size", Datatype.SINGLEVALUELIST, "How big?")
        self.add_choices(size, "Small", "Large")

        response = self.post_report(
            lat=SPOT[0],
            long=SPOT[1],
            attribute_depth="knee deep",
            attribute_seen="last Tuesday",
            attribute_size="enormous",
        )

        errors = response.context["form"].errors
        self.assertEqual(
            errors["attribute_depth"],
            ["“How deep?”: enter a number, such as 3 or 2.5."],
        )
        self.assertIn("enter a date and time", errors["attribute_seen"][0])
        self.assertEqual(
            errors["attribute_size"],
            ["“How big?”: “enormous” is not one of the choices."],
        )
        self.assertContains(response, 'value="knee deep"')
        self.assertContains(response, 'value="last Tuesday"')

    def test_it_stores_the_answers(self):
        self.add_question("depth", Datatype.NUMBER, "How deep?")
        self.add_question("seen", Datatype.DATETIME, "When did you see it?")
        hazards = self.add_question("hazards", Datatype.MULTIVALUELIST, "Also?")
        self.add_choices(hazards, "Water", "Glass")

        self.post_report(
            lat=SPOT[0],
            long=SPOT[1],
            attribute_depth="2.5",
            attribute_seen="2026-05-01T14:30",
            attribute_hazards=["water", "glass"],
        )

        request = ServiceRequest.objects.get()
        self.assertEqual(
            request.attributes,
            {
                "depth": 2.5,
                "seen": "2026-05-01T14:30:00-05:00",
                "hazards": ["water", "glass"],
            },
        )

    # Typing the place

    def test_it_finds_a_typed_landmark(self):
        library = self.make_place("Central Library", aliases="the library")

        response = self.post_report(address="the library", description="Hole")

        request = ServiceRequest.objects.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual((request.lat, request.long), (library.lat, library.long))
        self.assertEqual(request.address, "Central Library")

    def test_it_keeps_the_house_number_of_a_typed_address(self):
        elm = self.make_place("Elm Street", kind=Place.Kind.STREET)

        self.post_report(address="123 elm st")

        request = ServiceRequest.objects.get()
        self.assertEqual((request.lat, request.long), (elm.lat, elm.long))
        self.assertEqual(request.address, "123 Elm Street")

    def test_it_asks_which_place_when_several_match(self):
        north = self.make_place("Oak Park North")
        south = self.make_place("Oak Park South", lat=39.995)

        response = self.post_report(address="oak park", description="Hole")

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(response, "Which place do you mean?")
        self.assertContains(response, "Several places match “oak park”: pick one.")
        self.assertContains(
            response, f'type="radio" name="place" id="place-{north.pk}"'
        )
        self.assertContains(
            response, f'type="radio" name="place" id="place-{south.pk}"'
        )
        self.assertContains(response, 'href="#place-choices"')

        response = self.post_report(
            address="oak park", place=str(south.pk), description="Hole"
        )

        request = ServiceRequest.objects.get()
        self.assertEqual((request.lat, request.long), (south.lat, south.long))
        self.assertEqual(request.address, "Oak Park South")

    def test_it_takes_the_exact_match_among_several(self):
        park = self.make_place("Oak Park")
        self.make_place("Oak Park Pool")

        self.post_report(address="Oak Park")

        self.assertEqual(ServiceRequest.objects.get().lat, park.lat)

    def test_it_keeps_the_picked_place_when_something_else_is_wrong(self):
        self.make_place("Oak Park North")
        south = self.make_place("Oak Park South", lat=39.995)

        response = self.post_report(
            address="oak park", place=str(south.pk), reporter_email="nope"
        )

        self.assertContains(response, "We found “Oak Park South” for this address.")
        self.assertContains(
            response, f'<input type="hidden" name="place" value="{south.pk}">'
        )

    def test_it_asks_for_a_landmark_when_nothing_matches(self):
        self.make_place("Oak Park")

        response = self.post_report(address="Birch Park")

        self.assertEqual(
            response.context["form"].errors["address"],
            [
                "We could not find “Birch Park” in our list of streets and places. "
                "Try a street name or a nearby landmark, or enter the latitude "
                "and longitude."
            ],
        )
        self.assertContains(response, 'value="Birch Park"')

    def test_it_prefers_the_pin_to_the_typed_address(self):
        self.make_place("Central Library")

        self.post_report(address="Central Library", lat=SPOT[0], long=SPOT[1])

        request = ServiceRequest.objects.get()
        self.assertEqual((request.lat, request.long), SPOT)
        self.assertEqual(request.address, "Central Library")

    # Routing

    def test_it_names_the_agency_for_a_place_outside_town(self):
        Agency.objects.create(
            name="Prairie County Roads",
            phone="555-0199",
            email="roads@prairie.example",
            area=square(40.05, -90.0, 0.03),
        )

        response = self.post_report(lat="40.05", long="-90.0", description="Hole")

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(response, "This place is outside Testville.")
        self.assertContains(response, "<h3>Prairie County Roads</h3>", html=True)
        self.assertContains(response, 'href="tel:555-0199"')
        self.assertContains(response, 'href="mailto:roads@prairie.example"')
        self.assertContains(response, 'href="#where"')
        self.assertContains(response, "Hole</textarea>")

    def test_it_explains_a_place_outside_town_without_an_agency(self):
        response = self.post_report(lat="45.0", long="-90.0")

        self.assertContains(response, "outside Testville&#x27;s service area")

    def test_it_names_the_agency_that_handles_a_place_in_town(self):
        state = Agency.objects.create(name="State Highways", phone="555-0123")
        RoutingArea.objects.create(
            name="Route 9", area=square(*CENTRE, 0.002), agency=state
        )

        response = self.post_report(lat=CENTRE[0], long=CENTRE[1])

        self.assertContains(response, "Pothole requests here are handled by State")
        self.assertContains(response, 'href="tel:555-0123"')
        self.assertFalse(ServiceRequest.objects.exists())

    # Nearby duplicates without JavaScript

    def test_it_offers_nearby_requests_before_filing(self):
        original = self.make_request(
            lat=SPOT[0],
            long=SPOT[1],
            address="12 Elm Street",
            reporter_name="Olga Original",
            reporter_email="olga@example.org",
            reporter_phone="555-0111",
        )

        response = self.post_report(
            lat=SPOT[0] + 0.0003, long=SPOT[1], description="Another hole"
        )

        self.assertEqual(ServiceRequest.objects.get(), original)
        self.assertContains(response, f"Request {original.pk}: Pothole")
        self.assertContains(response, "12 Elm Street")
        self.assertContains(response, "About 33 m away")
        self.assertContains(
            response,
            f'<form id="follow-{original.pk}" method="post" '
            f'action="/requests/{original.pk}/follow/">',
        )
        self.assertContains(response, f'form="follow-{original.pk}"', count=2)
        self.assertContains(response, f'action="/requests/{original.pk}/me-too/"')
        self.assertContains(response, 'name="next" value="/report/pothole/"')
        self.assertContains(response, "None of these, send my report")
        self.assertContains(response, 'href="#nearby"')
        self.assertContains(response, "Another hole</textarea>")
        for private in ["Olga", "olga@example.org", "555-0111"]:
            self.assertNotContains(response, private)

        response = self.post_report(
            lat=SPOT[0] + 0.0003,
            long=SPOT[1],
            description="Another hole",
            not_duplicate="on",
        )

        self.assertEqual(ServiceRequest.objects.count(), 2)
        self.assertEqual(response.status_code, 302)

    def test_it_files_at_once_when_nothing_is_nearby(self):
        self.make_request(lat=CENTRE[0] - 0.005, long=CENTRE[1])

        response = self.post_report(lat=SPOT[0], long=SPOT[1])

        self.assertEqual(response.status_code, 302)


class NearbyEndpointTests(ReportTestCase):
    def test_it_lists_nearby_open_requests(self):
        original = self.make_request(reporter_email="olga@example.org")

        response = self.client.get(
            "/report/pothole/nearby/", {"lat": CENTRE[0], "long": CENTRE[1]}
        )

        self.assertContains(response, f"Request {original.pk}: Pothole")
        self.assertContains(response, "<div data-nearby-list>")
        self.assertContains(response, "<div data-nearby-forms>")
        self.assertContains(response, 'name="csrfmiddlewaretoken"')
        self.assertContains(response, 'type="hidden" name="not_duplicate" value="on"')
        self.assertNotContains(response, "olga@example.org")

    def test_it_is_empty_when_nothing_is_nearby(self):
        response = self.client.get(
            "/report/pothole/nearby/", {"lat": CENTRE[0], "long": CENTRE[1]}
        )

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content.strip(), b"")

    def test_it_refuses_a_bad_point(self):
        for point in [{"lat": "x", "long": "1"}, {"lat": "91", "long": "0"}, {}]:
            with self.subTest(point=point):
                response = self.client.get("/report/pothole/nearby/", point)

                self.assertEqual(response.status_code, 400)


class PlacesEndpointTests(ReportTestCase):
    def test_it_suggests_places(self):
        elm = self.make_place("Elm Street", kind=Place.Kind.STREET)

        response = self.client.get("/report/places.json", {"q": "12 elm"})

        self.assertEqual(
            json.loads(response.content),
            {
                "places": [
                    {
                        "name": "Elm Street",
                        "kind": "Street",
                        "address": "12 Elm Street",
                        "lat": elm.lat,
                        "long": elm.long,
                    }
                ]
            },
        )

    def test_it_suggests_nothing_for_one_letter(self):
        self.make_place("Elm Street")

        response = self.client.get("/report/places.json", {"q": "e"})

        self.assertEqual(json.loads(response.content), {"places": []})


class ErrorSummaryTests(ReportTestCase):
    def test_it_lists_the_problems_in_the_order_of_the_page(self):
        ServiceAttribute.objects.create(
            service=self.pothole,
            code="lane",
            datatype=Datatype.STRING,
            description="Which lane?",
            required=True,
        )
        self.make_place("Oak Park North")
        self.make_place("Oak Park South")

        response = self.post_report(
            address="oak park",
            reporter_email="ann@example",
            photos=[photo_upload("notes.jpg", b"not a photo")],
        )

        self.assertEqual(
            [problem["target"] for problem in response.context["summary"]],
            ["place-choices", "id_attribute_lane", "id_photos", "id_reporter_email"],
        )
