from town311.directory.models import AttributeValue, ServiceAttribute
from town311.lib.errors import ActionError, InvalidInput
from town311.servicerequests import services
from town311.servicerequests.models import (
    Channel,
    Event,
    Follower,
    ServiceRequest,
    Status,
)
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase
from town311.test import CENTRE, RESIDENT_EMAIL

Datatype = ServiceAttribute.Datatype


class SubmitTests(LifecycleTestCase):
    def submit(self, **kwargs) -> ServiceRequest:
        kwargs.setdefault("service", self.pothole)
        kwargs.setdefault("lat", CENTRE[0])
        kwargs.setdefault("long", CENTRE[1])
        return services.request_submit(**kwargs)

    def assertInvalid(self, **kwargs) -> dict[str, str]:
        """Submit, expect InvalidInput, and return its errors by field."""
        with self.assertRaises(InvalidInput) as refused:
            self.submit(**kwargs)

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertFalse(Event.objects.exists())
        for message in refused.exception.errors.values():
            self.assertSentence(message)
        return refused.exception.errors

    def test_it_stores_a_routed_request(self):
        request = self.submit(
            description="  Deep hole  ",
            address=" 12 Main St ",
            reporter_name=" Ann ",
            reporter_email=" Resident@Example.ORG ",
            reporter_phone=" 555-0100 ",
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.SUBMITTED)
        self.assertEqual(request.department, self.roads)
        self.assertEqual(request.description, "Deep hole")
        self.assertEqual(request.address, "12 Main St")
        self.assertEqual(request.reporter_name, "Ann")
        self.assertEqual(request.reporter_email, RESIDENT_EMAIL)
        self.assertEqual(request.reporter_phone, "555-0100")
        self.assertEqual(request.channel, Channel.WEB)
        self.assertTrue(request.is_public)
        self.assertEqual(request.submitted_at, SUBMITTED_AT)
        self.assertEqual(request.updated_at, SUBMITTED_AT)
        self.assertEqual(request.department_entered_at, SUBMITTED_AT)
        self.assertIsNone(request.idempotency_key)

        submitted, routed = request.events.all()
        self.assertEqual(submitted.kind, Event.Kind.SUBMITTED)
        self.assertIsNone(submitted.actor)
        self.assertEqual(routed.kind, Event.Kind.ROUTED)
        self.assertEqual(routed.text, "Pothole goes to Roads by default")

    def test_it_makes_the_reporter_a_follower(self):
        request = self.submit(reporter_email=RESIDENT_EMAIL)

        follower = request.followers.get()
        self.assertEqual(follower.email, RESIDENT_EMAIL)
        self.assertTrue(follower.is_reporter)
        self.assertEqual(follower.created_at, SUBMITTED_AT)

    def test_it_adds_no_follower_without_an_email(self):
        request = self.submit(reporter_email="  ")

        self.assertFalse(request.followers.exists())

    def test_it_refuses_a_bad_latitude(self):
        for lat in [90.5, -91, "north", None, float("nan"), float("inf")]:
            with self.subTest(lat=lat):
                errors = self.assertInvalid(lat=lat)
                self.assertEqual(
                    errors, {"lat": "Latitude must be a number between -90 and 90."}
                )

    def test_it_refuses_a_bad_longitude(self):
        for long in [180.01, -200, "", float("-inf")]:
            with self.subTest(long=long):
                errors = self.assertInvalid(long=long)
                self.assertEqual(list(errors), ["long"])

    def test_it_names_both_coordinates_when_both_are_bad(self):
        errors = self.assertInvalid(lat="x", long="y")

        self.assertEqual(list(errors), ["lat", "long"])

    def test_it_accepts_coordinates_as_text(self):
        request = self.submit(lat=" 40.001 ", long="-90.002")

        request.refresh_from_db()
        self.assertEqual((request.lat, request.long), (40.001, -90.002))

    def test_it_refuses_a_long_description(self):
        errors = self.assertInvalid(description="x" * 4001)

        self.assertEqual(
            errors,
            {"description": "Keep the description to 4000 characters or fewer."},
        )

    def test_it_accepts_the_longest_description(self):
        request = self.submit(description="x" * 4000)

        self.assertEqual(len(request.description), 4000)

    def test_it_refuses_an_invalid_email(self):
        for email in ["resident", "resident@", "a b@example.org"]:
            with self.subTest(email=email):
                errors = self.assertInvalid(reporter_email=email)
                self.assertEqual(list(errors), ["reporter_email"])

    def test_it_refuses_over_long_fields(self):
        # The database would refuse these on PostgreSQL with an error page.
        errors = self.assertInvalid(
            address="a" * 301,
            reporter_name="n" * 201,
            reporter_email="e" * 250 + "@example.org",
            reporter_phone="5" * 41,
            idempotency_key="k" * 101,
        )

        self.assertEqual(
            errors,
            {
                "address": "Keep the address to 300 characters or fewer.",
                "reporter_name": "Keep the reporter name to 200 characters or fewer.",
                "reporter_email": "Keep the reporter email to 254 characters or fewer.",
                "reporter_phone": "Keep the reporter phone to 40 characters or fewer.",
                "idempotency_key": "Keep the idempotency key to 100 characters or "
                "fewer.",
            },
        )

    def test_it_refuses_an_inactive_service(self):
        self.pothole.is_active = False
        self.pothole.save()

        with self.assertRaises(ActionError) as refused:
            self.submit()

        self.assertEqual(
            refused.exception.message,
            "“Pothole” is no longer offered; pick another service.",
        )
        self.assertEqual(refused.exception.field, "service")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_refuses_an_unknown_channel(self):
        with self.assertRaises(ActionError) as refused:
            self.submit(channel="fax")

        self.assertEqual(refused.exception.field, "channel")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_it_records_the_staff_member_who_entered_it(self):
        request = self.submit(channel=Channel.PHONE, by=self.roads_clerk)

        submitted = request.events.get(kind=Event.Kind.SUBMITTED)
        self.assertEqual(submitted.actor, self.roads_clerk)


class IdempotentSubmitTests(LifecycleTestCase):
    def submit(self, **kwargs) -> ServiceRequest:
        return services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            reporter_email=RESIDENT_EMAIL,
            **kwargs,
        )

    def test_it_returns_the_first_request_for_the_same_key(self):
        first = self.submit(idempotency_key="tap-1")
        self.clock.shift(HOUR)

        second = self.submit(idempotency_key="tap-1", description="Again")

        self.assertEqual(second.pk, first.pk)
        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assertEqual(
            list(first.events.values_list("kind", flat=True)),
            [Event.Kind.SUBMITTED, Event.Kind.ROUTED],
        )
        self.assertEqual(Follower.objects.count(), 1)

        first.refresh_from_db()
        self.assertEqual(first.idempotency_key, "tap-1")
        self.assertEqual(first.description, "")
        self.assertEqual(first.submitted_at, SUBMITTED_AT)

    def test_it_creates_a_request_per_key(self):
        first = self.submit(idempotency_key="tap-1")
        second = self.submit(idempotency_key="tap-2")

        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual(ServiceRequest.objects.count(), 2)

    def test_it_treats_an_empty_key_as_none(self):
        first = self.submit(idempotency_key="")
        second = self.submit(idempotency_key="")

        self.assertNotEqual(first.pk, second.pk)
        first.refresh_from_db()
        self.assertIsNone(first.idempotency_key)


class AttributeTests(LifecycleTestCase):
    def ask(self, code: str, datatype: str, **fields) -> ServiceAttribute:
        return ServiceAttribute.objects.create(
            service=self.pothole,
            code=code,
            description=fields.pop("description", code.capitalize() + "?"),
            datatype=datatype,
            **fields,
        )

    def choices(self, question: ServiceAttribute, *keys: str) -> None:
        for order, key in enumerate(keys):
            AttributeValue.objects.create(
                attribute=question, key=key, name=key.capitalize(), order=order
            )

    def submit(self, attributes) -> ServiceRequest:
        request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            attributes=attributes,
        )
        request.refresh_from_db()
        return request

    def assertInvalid(self, attributes) -> dict[str, str]:
        with self.assertRaises(InvalidInput) as refused:
            self.submit(attributes)

        self.assertFalse(ServiceRequest.objects.exists())
        return refused.exception.errors

    def test_it_stores_numbers(self):
        self.ask("depth", Datatype.NUMBER, description="How deep, in inches?")

        cases = [("3", 3), (" 2.5 ", 2.5), (4, 4), (["-1"], -1), ("1e3", 1000)]
        for answer, stored in cases:
            with self.subTest(answer=answer):
                request = self.submit({"depth": answer})
                self.assertEqual(request.attributes, {"depth": stored})

    def test_it_refuses_what_is_not_a_number(self):
        self.ask("depth", Datatype.NUMBER, description="How deep, in inches?")

        for answer in ["deep", "NaN", "Infinity", "3 inches", True]:
            with self.subTest(answer=answer):
                errors = self.assertInvalid({"depth": answer})
                self.assertEqual(
                    errors,
                    {
                        "depth": "“How deep, in inches?”: enter a number, "
                        "such as 3 or 2.5."
                    },
                )

    def test_it_refuses_enormous_numbers_quickly(self):
        # Turning 1e2000000 into an integer would take over a minute.
        self.ask("depth", Datatype.NUMBER)

        errors = self.assertInvalid({"depth": "1e2000000"})

        self.assertEqual(errors, {"depth": "“Depth?”: enter a smaller number."})

    def test_it_stores_a_date_and_time(self):
        self.ask("seen", Datatype.DATETIME)

        request = self.submit({"seen": "2026-05-01T14:30:00-05:00"})

        self.assertEqual(request.attributes, {"seen": "2026-05-01T14:30:00-05:00"})

    def test_it_reads_a_local_date_and_time_in_the_town_time_zone(self):
        self.ask("seen", Datatype.DATETIME)

        # Testville is in America/Chicago, on daylight time in May.
        request = self.submit({"seen": "2026-05-01T14:30"})

        self.assertEqual(request.attributes, {"seen": "2026-05-01T14:30:00-05:00"})

    def test_it_refuses_what_is_not_a_date_and_time(self):
        self.ask("seen", Datatype.DATETIME)

        for answer in ["yesterday", "2026-02-30T10:00", "14:30"]:
            with self.subTest(answer=answer):
                errors = self.assertInvalid({"seen": answer})
                self.assertIn("enter a date and time", errors["seen"])

    def test_it_stores_one_choice(self):
        surface = self.ask("surface", Datatype.SINGLEVALUELIST)
        self.choices(surface, "asphalt", "gravel")

        request = self.submit({"surface": " gravel "})

        self.assertEqual(request.attributes, {"surface": "gravel"})

    def test_it_refuses_an_unknown_choice(self):
        surface = self.ask("surface", Datatype.SINGLEVALUELIST)
        self.choices(surface, "asphalt", "gravel")

        errors = self.assertInvalid({"surface": "lava"})

        self.assertEqual(
            errors, {"surface": "“Surface?”: “lava” is not one of the choices."}
        )

    def test_it_refuses_two_answers_to_a_single_choice(self):
        surface = self.ask("surface", Datatype.SINGLEVALUELIST)
        self.choices(surface, "asphalt", "gravel")

        errors = self.assertInvalid({"surface": ["asphalt", "gravel"]})

        self.assertEqual(errors, {"surface": "“Surface?”: give one answer only."})

    def test_it_stores_several_choices_once_each(self):
        hazards = self.ask("hazards", Datatype.MULTIVALUELIST)
        self.choices(hazards, "water", "glass", "traffic")

        request = self.submit({"hazards": ["glass", "water", "glass", ""]})

        self.assertEqual(request.attributes, {"hazards": ["glass", "water"]})

    def test_it_takes_a_single_answer_to_several_choices(self):
        hazards = self.ask("hazards", Datatype.MULTIVALUELIST)
        self.choices(hazards, "water", "glass")

        request = self.submit({"hazards": "water"})

        self.assertEqual(request.attributes, {"hazards": ["water"]})

    def test_it_refuses_an_unknown_choice_among_several(self):
        hazards = self.ask("hazards", Datatype.MULTIVALUELIST)
        self.choices(hazards, "water", "glass")

        errors = self.assertInvalid({"hazards": ["water", "sharks"]})

        self.assertEqual(
            errors, {"hazards": "“Hazards?”: “sharks” is not one of the choices."}
        )

    def test_it_requires_an_answer_to_a_required_question(self):
        self.ask("depth", Datatype.NUMBER, required=True)

        for attributes in [{}, {"depth": ""}, {"depth": "  "}, {"depth": []}]:
            with self.subTest(attributes=attributes):
                errors = self.assertInvalid(attributes)
                self.assertEqual(errors, {"depth": "Please answer “Depth?”."})

    def test_it_leaves_out_unanswered_optional_questions(self):
        self.ask("depth", Datatype.NUMBER)
        self.ask("notes", Datatype.TEXT)

        request = self.submit({"notes": ""})

        self.assertEqual(request.attributes, {})

    def test_it_drops_unknown_questions(self):
        self.ask("depth", Datatype.NUMBER)

        request = self.submit({"depth": "2", "colour": "red"})

        self.assertEqual(request.attributes, {"depth": 2})

    def test_it_ignores_notes_that_take_no_answer(self):
        self.ask("safety", Datatype.STRING, required=True, variable=False)

        request = self.submit({"safety": "anything"})

        self.assertEqual(request.attributes, {})

    def test_it_names_every_question_to_fix(self):
        self.ask("depth", Datatype.NUMBER)
        self.ask("seen", Datatype.DATETIME, required=True)

        errors = self.assertInvalid({"depth": "deep"})

        self.assertEqual(list(errors), ["depth", "seen"])

    def test_it_refuses_over_long_text(self):
        self.ask("notes", Datatype.TEXT)

        errors = self.assertInvalid({"notes": "x" * 4001})

        self.assertEqual(errors, {"notes": "“Notes?”: keep it under 4000 characters."})

    def test_it_refuses_answers_that_are_not_pairs(self):
        self.ask("depth", Datatype.NUMBER)

        errors = self.assertInvalid(["3"])

        self.assertEqual(list(errors), ["attributes"])

    def test_it_stores_answers_for_another_service_s_questions_nowhere(self):
        # Questions belong to one service; park upkeep's are not asked here.
        ServiceAttribute.objects.create(
            service=self.park_upkeep,
            code="depth",
            description="Depth?",
            datatype=Datatype.NUMBER,
            required=True,
        )

        request = self.submit({"depth": "deep"})

        self.assertEqual(request.attributes, {})
