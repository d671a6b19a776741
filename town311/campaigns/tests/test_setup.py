"""Setting up a campaign: campaign_save and the rules it checks."""

from datetime import date

from town311.campaigns.models import Campaign, CampaignQuestion, Datatype, Submission
from town311.campaigns.setup import campaign_save, question_key
from town311.lib.errors import InvalidInput, NotAllowed
from town311.test import CENTRE, BaseTestCase, square


def campaign_data(**changes) -> dict:
    data = {
        "slug": "bike-racks",
        "title": "Every bike rack",
        "description": "Send a photo of each bike rack you pass.",
        "why": "We plan new racks where there are none.",
        "area_name": "Downtown",
        "area": square(*CENTRE, 0.005),
        "starts_on": date(2026, 5, 1),
        "ends_on": date(2026, 6, 30),
        "photo_required": True,
        "publication": Campaign.Publication.MODERATED,
        "licence_name": "",
        "licence_url": "",
    }
    return data | changes


def capacity(**changes) -> dict:
    return {
        "code": "capacity",
        "description": "How many bikes fit?",
        "datatype": Datatype.NUMBER,
        "required": True,
    } | changes


def rack_type(**changes) -> dict:
    return {
        "code": "type",
        "description": "What kind of rack is it?",
        "datatype": Datatype.SINGLEVALUELIST,
        "values": [("inverted-u", "Inverted U"), ("wave", "Wave"), ("grid", "Grid")],
    } | changes


class CampaignSaveTests(BaseTestCase):
    def save(self, campaign=None, *, by=None, questions=None, **changes):
        return campaign_save(
            campaign=campaign,
            data=campaign_data(**changes),
            questions=[capacity(), rack_type()] if questions is None else questions,
            by=by or self.coordinator,
        )

    def errors(self, campaign=None, **kwargs) -> dict:
        with self.assertRaises(InvalidInput) as raised:
            self.save(campaign, **kwargs)

        return raised.exception.errors

    def test_it_creates_the_campaign_with_its_questions_and_choices(self):
        campaign = self.save()

        self.assertEqual(campaign.slug, "bike-racks")
        self.assertEqual(campaign.created_by, self.coordinator)
        self.assertEqual(campaign.ends_on, date(2026, 6, 30))
        questions = list(campaign.questions.all())
        self.assertEqual([q.code for q in questions], ["capacity", "type"])
        self.assertEqual([q.order for q in questions], [0, 1])
        self.assertTrue(questions[0].required)
        self.assertEqual(
            list(questions[1].values.values_list("key", "name", "order")),
            [("inverted-u", "Inverted U", 0), ("wave", "Wave", 1), ("grid", "Grid", 2)],
        )

    def test_an_administrator_may_set_up_a_campaign(self):
        campaign = self.save(by=self.admin)

        self.assertEqual(campaign.created_by, self.admin)

    def test_staff_and_leads_may_not(self):
        for person in (self.roads_clerk, self.roads_lead):
            with self.subTest(person=person.username):
                with self.assertRaises(NotAllowed):
                    self.save(by=person)

        self.assertFalse(Campaign.objects.exists())

    def test_an_edit_updates_questions_keeps_their_rows_and_drops_the_missing(self):
        campaign = self.save()
        capacity_row = campaign.questions.get(code="capacity")
        type_row = campaign.questions.get(code="type")
        wave = type_row.values.get(key="wave")

        self.save(
            campaign,
            title="Every bike rack, everywhere",
            area="",
            questions=[
                rack_type(
                    pk=type_row.pk,
                    values=[("wave", "Wave rack"), ("hoop", "Hoop")],
                    order=5,
                ),
                {"code": "covered", "description": "Covered?", "datatype": "string"},
            ],
        )

        campaign.refresh_from_db()
        self.assertEqual(campaign.title, "Every bike rack, everywhere")
        self.assertEqual(campaign.area, "")
        self.assertFalse(CampaignQuestion.objects.filter(pk=capacity_row.pk).exists())
        type_row.refresh_from_db()
        self.assertEqual(type_row.order, 5)
        self.assertEqual(
            list(type_row.values.values_list("pk", "key", "name")),
            [
                (wave.pk, "wave", "Wave rack"),
                (type_row.values.last().pk, "hoop", "Hoop"),
            ],
        )
        self.assertEqual(
            list(campaign.questions.values_list("code", flat=True)),
            ["covered", "type"],
        )

    def test_two_questions_may_swap_codes(self):
        campaign = self.save()
        first = campaign.questions.get(code="capacity")
        second = campaign.questions.get(code="type")

        self.save(
            campaign,
            questions=[
                capacity(pk=first.pk, code="type"),
                rack_type(pk=second.pk, code="capacity"),
            ],
        )

        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual((first.code, second.code), ("type", "capacity"))

    def test_the_slug_must_be_unique(self):
        self.save()

        errors = self.errors(title="Other racks")

        self.assertEqual(
            errors["slug"],
            "The campaign “Every bike rack” already uses the address “bike-racks”; "
            "pick another.",
        )
        self.assertEqual(Campaign.objects.count(), 1)

    def test_a_campaign_keeps_its_own_slug_when_edited(self):
        campaign = self.save()

        self.save(campaign, description="Bike racks and bike shelters.")

        campaign.refresh_from_db()
        self.assertEqual(campaign.description, "Bike racks and bike shelters.")

    def test_it_ends_on_or_after_its_first_day(self):
        errors = self.errors(starts_on=date(2026, 6, 1), ends_on=date(2026, 5, 31))

        self.assertEqual(
            errors["ends_on"],
            "The campaign ends before it starts: make the last day June 1, 2026 "
            "or later.",
        )

    def test_a_one_day_campaign_is_fine(self):
        campaign = self.save(starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 1))

        self.assertEqual(campaign.starts_on, campaign.ends_on)

    def test_the_area_must_be_a_valid_geojson_polygon(self):
        cases = {
            "not json": "This is not valid JSON",
            '{"type": "Point", "coordinates": [-90, 40]}': "must be a Polygon",
            '{"type": "Polygon", "coordinates": [[[40, -90], [40.1, -90], '
            "[40.1, -91], [40, -91], [40, -90]]]}": "longitude first",
        }
        for area, expected in cases.items():
            with self.subTest(area=area):
                self.assertIn(expected, self.errors(area=area)["area"])

        self.assertFalse(Campaign.objects.exists())

    def test_required_fields_say_what_to_fill_in(self):
        errors = self.errors(slug="", title="  ", description="", starts_on=None)

        self.assertEqual(set(errors), {"slug", "title", "description", "starts_on"})
        self.assertEqual(errors["title"], "Give the campaign a title.")

    def test_question_codes_must_be_unique(self):
        errors = self.errors(questions=[capacity(), capacity(code="Capacity")])

        self.assertEqual(
            errors[question_key(1, "code")],
            "Question 1 already has the code “Capacity”; each question needs its own.",
        )

    def test_a_question_code_may_not_be_a_column_of_the_published_points(self):
        errors = self.errors(questions=[capacity(code="confirmations")])

        self.assertEqual(
            errors[question_key(0, "code")],
            "“confirmations” is already a column of every point in the published "
            "data; choose another code.",
        )

    def test_a_question_needs_a_code_a_text_and_a_kind(self):
        errors = self.errors(
            questions=[{"code": "", "description": "", "datatype": "colour"}]
        )

        self.assertEqual(
            set(errors),
            {
                question_key(0, "code"),
                question_key(0, "description"),
                question_key(0, "datatype"),
            },
        )

    def test_list_questions_need_choices(self):
        errors = self.errors(questions=[rack_type(values=[])])

        self.assertEqual(
            errors[question_key(0, "values")],
            "List the choices, one per line, such as “wave: Wave rack”.",
        )

    def test_choices_need_distinct_slug_keys_and_names(self):
        cases = [
            ([("wave", "Wave"), ("wave", "Wave 2")], "listed twice"),
            ([("two words", "Two words")], "is not a choice key"),
            ([("wave", " ")], "a name after the colon"),
        ]
        for values, expected in cases:
            with self.subTest(values=values):
                errors = self.errors(questions=[rack_type(values=values)])
                self.assertIn(expected, errors[question_key(0, "values")])

    def test_other_questions_take_no_choices(self):
        errors = self.errors(questions=[capacity(values=[("a", "A")])])

        self.assertIn(
            "Only “pick one” and “pick any”", errors[question_key(0, "values")]
        )

    def test_every_problem_is_reported_at_once_and_nothing_is_written(self):
        campaign = self.save()

        errors = self.errors(
            campaign,
            title="",
            ends_on=date(2026, 4, 1),
            questions=[capacity(), capacity()],
        )

        self.assertEqual(set(errors), {"title", "ends_on", question_key(1, "code")})
        campaign.refresh_from_db()
        self.assertEqual(campaign.title, "Every bike rack")
        self.assertEqual(campaign.questions.count(), 2)

    def test_answered_questions_keep_their_code_and_kind(self):
        campaign = self.save()
        question = campaign.questions.get(code="capacity")
        Submission.objects.create(
            campaign=campaign, lat=CENTRE[0], long=CENTRE[1], answers={"capacity": 4}
        )

        errors = self.errors(
            campaign,
            questions=[capacity(pk=question.pk, code="bikes", datatype="string")],
        )

        self.assertIn("keep the code", errors[question_key(0, "code")])
        self.assertIn(
            "keep it, or add a new question", errors[question_key(0, "datatype")]
        )

    def test_a_question_of_another_campaign_is_refused(self):
        other = self.save(slug="shade", title="Shade at bus stops")
        foreign = other.questions.get(code="capacity")

        errors = self.errors(slug="racks", questions=[capacity(pk=foreign.pk)])

        self.assertIn("not one of the campaign's", errors[question_key(0, "code")])

    def test_a_licence_address_needs_its_name(self):
        errors = self.errors(licence_url="https://opendatacommons.org/licenses/odbl/")

        self.assertIn("Name the licence", errors["licence_name"])
