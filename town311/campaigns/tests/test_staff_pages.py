"""The staff campaign pages: who may open them, setting a campaign up
through its form, and each moderation action through its view."""

from datetime import date

from django.contrib.messages import get_messages
from django.urls import reverse

from town311.accounts.models import User
from town311.campaigns.models import Campaign, CampaignQuestion, Datatype, Submission
from town311.campaigns.tests.base import (
    CONTRIBUTOR_EMAIL,
    EAST,
    OTHER_EMAIL,
    CampaignTestCase,
    moved,
)
from town311.notifications.models import Message
from town311.test import square

Status = Submission.Status


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class StaffCampaignTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.queue_url = reverse("staff-campaigns:moderation", args=["bike-racks"])

    def action_url(self, action: str, submission: Submission) -> str:
        return reverse(
            f"staff-campaigns:{action}", args=[self.campaign.slug, submission.pk]
        )

    def near(self, point: Submission, metres: float = 5, **fields) -> Submission:
        """A pending submission `metres` north of a point."""
        lat, long = moved(point.lat, point.long, north_m=metres)
        return self.submit(lat=lat, long=long, different_point=True, **fields)

    def thanks_to(self, email: str) -> int:
        return Message.objects.filter(to=email, kind="campaign-thanks").count()


class AccessTests(StaffCampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.submission = self.submit()
        # Signed in, but in no department: not staff.
        self.outsider = User.objects.create_user("outsider")

    def test_anonymous_visitors_are_sent_to_the_staff_sign_in(self):
        for url in (
            reverse("staff-campaigns:list"),
            reverse("staff-campaigns:add"),
            self.queue_url,
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/staff/login/"))

    def test_an_anonymous_post_changes_nothing(self):
        response = self.client.post(
            self.action_url("approve", self.submission), {"seen": "pending"}
        )

        self.assertEqual(response.status_code, 302)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PENDING)

    def test_people_outside_the_staff_are_refused(self):
        self.client.force_login(self.outsider)

        for url in (reverse("staff-campaigns:list"), self.queue_url):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

        response = self.client.post(
            self.action_url("approve", self.submission), {"seen": "pending"}
        )
        self.assertEqual(response.status_code, 403)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PENDING)

    def test_any_staff_member_moderates(self):
        self.client.force_login(self.parks_clerk)

        self.assertEqual(
            self.client.get(reverse("staff-campaigns:list")).status_code, 200
        )
        response = self.client.get(self.queue_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"Submission {self.submission.pk}")

    def test_only_coordinators_and_administrators_set_campaigns_up(self):
        edit_url = reverse("staff-campaigns:edit", args=["bike-racks"])
        for person in (self.roads_clerk, self.roads_lead):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                self.assertEqual(
                    self.client.get(reverse("staff-campaigns:add")).status_code, 403
                )
                self.assertEqual(self.client.get(edit_url).status_code, 403)
                self.assertEqual(
                    self.client.post(edit_url, {"title": "Taken over"}).status_code,
                    403,
                )

        for person in (self.coordinator, self.admin):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                self.assertEqual(self.client.get(edit_url).status_code, 200)

        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.title, "Every bike rack in Testville")

    def test_the_list_offers_set_up_only_to_those_who_may(self):
        self.client.force_login(self.roads_clerk)
        response = self.client.get(reverse("staff-campaigns:list"))
        self.assertNotContains(response, "Set up a campaign")
        self.assertNotContains(response, "/staff/campaigns/bike-racks/edit/")

        self.client.force_login(self.coordinator)
        response = self.client.get(reverse("staff-campaigns:list"))
        self.assertContains(response, "Set up a campaign")
        self.assertContains(response, "/staff/campaigns/bike-racks/edit/")

    def test_actions_take_posts_only(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(self.action_url("approve", self.submission))

        self.assertEqual(response.status_code, 405)

    def test_the_staff_navigation_links_to_campaigns(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(reverse("staff:queue"))

        self.assertContains(response, 'href="/staff/campaigns/">Campaigns</a>')


class ListTests(StaffCampaignTestCase):
    def test_it_counts_the_submissions_of_each_status(self):
        point = self.published()
        self.near(point, 40)
        self.near(point, 80)
        rejected = self.near(point, 120)
        self.client.force_login(self.coordinator)
        self.client.post(
            self.action_url("reject", rejected), {"seen": "pending", "reason": "Blurry"}
        )
        Campaign.objects.create(
            slug="shade",
            title="Bus stops without shade",
            description="Which stops have no shade?",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 8, 31),
        )

        response = self.client.get(reverse("staff-campaigns:list"))

        rows = {c.slug: c for c in response.context["campaigns"]}
        racks = rows["bike-racks"]
        self.assertEqual(
            (racks.pending, racks.published, racks.rejected, racks.merged),
            (2, 1, 1, 0),
        )
        self.assertEqual(racks.state_words, "Open")
        self.assertEqual(rows["shade"].state_words, "Not started")
        self.assertEqual(rows["shade"].pending, 0)
        self.assertContains(
            response,
            '<strong>2</strong><span class="visually-hidden"> waiting in Every bike',
        )


class CampaignFormTests(StaffCampaignTestCase):
    def post_data(self, **changes) -> dict:
        data = {
            "title": "Bus stops without shade",
            "slug": "shade",
            "description": "Tell us which bus stops have no shade.",
            "why": "We plant trees where they are needed most.",
            "area_name": "",
            "area": "",
            "starts_on": "2026-06-01",
            "ends_on": "2026-08-31",
            "photo_required": "on",
            "publication": "immediate",
            "licence_name": "",
            "licence_url": "",
            "questions-TOTAL_FORMS": "2",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-code": "shelter",
            "questions-0-description": "Is there a shelter?",
            "questions-0-datatype": "singlevaluelist",
            "questions-0-values": "yes: Yes, a shelter\nno: No shelter\nTree shade",
            "questions-0-required": "on",
            "questions-0-order": "1",
            "questions-1-datatype": "string",
        }
        return data | changes

    def issued(self) -> str:
        self.client.force_login(self.coordinator)
        response = self.client.get(reverse("staff-campaigns:add"))
        return response.context["form"]["issued"].value()

    def test_a_coordinator_creates_a_campaign_with_a_list_question(self):
        issued = self.issued()

        response = self.client.post(
            reverse("staff-campaigns:add"), self.post_data(issued=issued)
        )

        self.assertRedirects(response, reverse("staff-campaigns:list"))
        self.assertEqual(
            texts(response), ["The campaign “Bus stops without shade” is created."]
        )
        campaign = Campaign.objects.get(slug="shade")
        self.assertEqual(campaign.publication, Campaign.Publication.IMMEDIATE)
        self.assertTrue(campaign.photo_required)
        self.assertEqual(campaign.created_by, self.coordinator)
        # The empty second question is no question.
        [question] = campaign.questions.all()
        self.assertEqual(
            (question.code, question.required, question.order), ("shelter", True, 1)
        )
        self.assertEqual(
            list(question.values.values_list("key", "name")),
            [
                ("yes", "Yes, a shelter"),
                ("no", "No shelter"),
                ("tree-shade", "Tree shade"),
            ],
        )

    def test_a_second_tap_on_create_makes_no_second_campaign(self):
        data = self.post_data(issued=self.issued())
        self.client.post(reverse("staff-campaigns:add"), data)

        response = self.client.post(reverse("staff-campaigns:add"), data)

        self.assertRedirects(response, reverse("staff-campaigns:list"))
        self.assertIn(
            "The campaign “Bus stops without shade” was created already.",
            texts(response),
        )
        self.assertEqual(Campaign.objects.filter(slug="shade").count(), 1)

    def test_a_new_page_with_a_taken_address_is_told_so(self):
        self.client.force_login(self.coordinator)

        response = self.client.post(
            reverse("staff-campaigns:add"), self.post_data(slug="bike-racks")
        )

        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "The campaign “Every bike rack in Testville” already uses the address "
            "“bike-racks”; pick another.",
            status_code=400,
        )
        self.assertEqual(Campaign.objects.count(), 1)

    def test_errors_are_shown_next_to_their_fields_and_nothing_is_saved(self):
        self.client.force_login(self.coordinator)

        response = self.client.post(
            reverse("staff-campaigns:add"),
            self.post_data(
                ends_on="2026-05-01",
                area='{"type": "Polygon"}',
                **{"questions-0-values": ""},
            ),
        )

        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        self.assertIn("ends before it starts", form.errors["ends_on"][0])
        self.assertEqual(form.errors["area"], ["The polygon has no “coordinates”."])
        question_form = response.context["formset"].forms[0]
        self.assertEqual(
            question_form.errors["values"],
            ["List the choices, one per line, such as “wave: Wave rack”."],
        )
        self.assertContains(response, "Nothing was saved", status_code=400)
        self.assertContains(response, 'href="#question-1"', status_code=400)
        self.assertFalse(Campaign.objects.filter(slug="shade").exists())

    def test_a_bad_date_is_a_form_error_not_a_crash(self):
        self.client.force_login(self.coordinator)

        response = self.client.post(
            reverse("staff-campaigns:add"), self.post_data(starts_on="next week")
        )

        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["starts_on"],
            ["Enter a date such as 2026-05-01."],
        )

    def test_the_edit_page_shows_the_campaign_and_saves_changes(self):
        self.client.force_login(self.admin)
        edit_url = reverse("staff-campaigns:edit", args=["bike-racks"])
        response = self.client.get(edit_url)
        self.assertContains(response, 'value="Every bike rack in Testville"')
        self.assertContains(response, "inverted-u: Inverted U\nwave: Wave")
        bikes, rack_type = self.campaign.questions.order_by("order")

        response = self.client.post(
            edit_url,
            self.post_data(
                slug="bike-racks",
                title="Every bike rack",
                area=square(*EAST, 0.004),
                publication="moderated",
                **{
                    "questions-TOTAL_FORMS": "3",
                    "questions-INITIAL_FORMS": "2",
                    "questions-0-pk": str(bikes.pk),
                    "questions-0-code": "bikes",
                    "questions-0-description": "How many bikes fit at once?",
                    "questions-0-datatype": "number",
                    "questions-0-values": "",
                    "questions-0-order": "1",
                    "questions-1-pk": str(rack_type.pk),
                    "questions-1-code": "type",
                    "questions-1-description": "Type",
                    "questions-1-datatype": "singlevaluelist",
                    "questions-1-values": "wave: Wave",
                    "questions-1-DELETE": "on",
                    "questions-2-datatype": "string",
                },
            ),
        )

        self.assertRedirects(response, reverse("staff-campaigns:list"))
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.title, "Every bike rack")
        self.assertEqual(self.campaign.area, square(*EAST, 0.004))
        self.assertEqual(
            list(self.campaign.questions.values_list("code", "description")),
            [("bikes", "How many bikes fit at once?")],
        )


class QueueTests(StaffCampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.point = self.published()
        self.clock.shift(60)
        self.first = self.near(self.point, 5)
        self.clock.shift(60)
        self.second = self.near(self.point, 200, contributor_email="")
        self.client.force_login(self.roads_clerk)

    def test_it_lists_waiting_submissions_the_longest_waiting_first(self):
        response = self.client.get(self.queue_url)

        cards = response.context["cards"]
        self.assertEqual(
            [card.submission.pk for card in cards], [self.first.pk, self.second.pk]
        )
        self.assertEqual(
            cards[0].answers, [("How many bikes fit?", "6"), ("Type", "Inverted U")]
        )
        self.assertNotContains(response, CONTRIBUTOR_EMAIL)

    def test_each_card_offers_the_published_points_nearby_as_merge_targets(self):
        response = self.client.get(self.queue_url)

        first, second = response.context["cards"]
        [(point, distance)] = first.nearby
        self.assertEqual(point, self.point)
        self.assertAlmostEqual(distance, 5, places=1)
        self.assertEqual(second.nearby, [])
        self.assertContains(response, f"Point {self.point.pk}, 5 m away")
        self.assertContains(response, "None: this is a new point on the map.")

    def test_a_time_answer_is_offered_for_editing_in_town_time(self):
        CampaignQuestion.objects.create(
            campaign=self.campaign,
            code="seen-at",
            description="When did you see it?",
            datatype=Datatype.DATETIME,
            order=3,
        )
        self.first.answers["seen-at"] = "2026-05-03T19:30:00+00:00"
        self.first.save()

        response = self.client.get(self.queue_url)

        card = response.context["cards"][0]
        self.assertIn(("When did you see it?", "May 3, 2026, 2:30 p.m."), card.answers)
        # Chicago is five hours behind UTC in May.
        self.assertContains(response, 'value="2026-05-03T14:30"')

    def test_all_shows_waiting_submissions_first(self):
        response = self.client.get(self.queue_url, {"status": "all"})

        statuses = [card.submission.status for card in response.context["cards"]]
        self.assertEqual(statuses, [Status.PENDING, Status.PENDING, Status.PUBLISHED])

    def test_a_status_filter_shows_that_status_only(self):
        response = self.client.get(self.queue_url, {"status": "published"})

        self.assertEqual(
            [card.submission for card in response.context["cards"]], [self.point]
        )
        self.assertContains(response, "1 submission: published")

    def test_an_unknown_status_says_so_and_shows_the_waiting_ones(self):
        response = self.client.get(self.queue_url, {"status": "lost"})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["cards"]), 2)
        self.assertContains(response, "There is no such status")

    def test_another_campaigns_submission_is_not_found(self):
        other = self.make_campaign(slug="racks-2")
        url = reverse("staff-campaigns:approve", args=[other.slug, self.first.pk])

        response = self.client.post(url, {"seen": "pending"})

        self.assertEqual(response.status_code, 404)
        self.first.refresh_from_db()
        self.assertEqual(self.first.status, Status.PENDING)


class ModerationTests(StaffCampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.point = self.published(contributor_email=OTHER_EMAIL)
        self.submission = self.near(self.point)
        self.client.force_login(self.roads_clerk)

    def post(self, action: str, submission=None, **data):
        data = {"seen": "pending", "next": self.queue_url} | data
        return self.client.post(
            self.action_url(action, submission or self.submission), data
        )

    def test_approving_publishes_and_thanks_the_contributor(self):
        response = self.post("approve")

        self.assertRedirects(response, self.queue_url)
        self.assertEqual(
            texts(response),
            [
                f"Submission {self.submission.pk} is approved and published. The "
                "contributor is thanked by e-mail."
            ],
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PUBLISHED)
        self.assertEqual(self.submission.moderated_by, self.roads_clerk)
        self.assertIsNotNone(self.submission.published_at)
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 1)

    def test_approving_without_an_e_mail_thanks_nobody(self):
        quiet = self.near(self.point, 50, contributor_email="")

        response = self.post("approve", quiet)

        self.assertEqual(
            texts(response), [f"Submission {quiet.pk} is approved and published."]
        )
        self.assertEqual(Message.objects.filter(kind="campaign-thanks").count(), 1)

    def test_a_second_tap_on_approve_applies_once(self):
        self.post("approve")

        response = self.post("approve")

        self.assertRedirects(response, self.queue_url)
        self.assertIn(
            f"Submission {self.submission.pk} was approved already.", texts(response)
        )
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 1)

    def test_acting_on_an_old_page_does_nothing_and_says_who_acted(self):
        self.post("reject", reason="Not a bike rack")
        self.client.force_login(self.parks_clerk)

        response = self.post("approve")

        self.assertIn(
            f"Nothing was done: submission {self.submission.pk} was rejected by "
            "Rosa in the meantime; it is listed under “Rejected”.",
            texts(response),
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.REJECTED)

    def test_rejecting_needs_a_reason(self):
        response = self.post("reject", reason="   ")

        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f"Nothing was done to submission {self.submission.pk}: Give a reason "
            "for rejecting.",
            texts(response),
        )
        self.assertEqual(
            response.context["cards"][0].forms["reject"].errors["reason"],
            ["Give a reason for rejecting."],
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PENDING)

    def test_rejecting_keeps_the_reason_and_sends_nothing(self):
        response = self.post("reject", reason="Not a bike rack")

        self.assertRedirects(response, self.queue_url)
        self.assertEqual(
            texts(response),
            [f"Submission {self.submission.pk} is rejected: Not a bike rack"],
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.REJECTED)
        self.assertEqual(self.submission.reject_reason, "Not a bike rack")
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 0)

    def test_a_rejected_submission_may_be_approved_after_all(self):
        self.post("reject", reason="Looked blurry")

        self.post("approve", seen="rejected")

        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PUBLISHED)
        self.assertEqual(self.submission.reject_reason, "")

    def test_merging_counts_a_confirmation_of_the_point(self):
        response = self.post("merge", into=self.point.pk)

        self.assertRedirects(response, self.queue_url)
        self.assertEqual(
            texts(response),
            [
                f"Submission {self.submission.pk} is merged into point "
                f"{self.point.pk}, which counts it as a confirmation. The "
                "contributor is thanked by e-mail."
            ],
        )
        self.submission.refresh_from_db()
        self.point.refresh_from_db()
        self.assertEqual(self.submission.status, Status.MERGED)
        self.assertEqual(self.submission.merged_into, self.point)
        self.assertEqual(self.point.confirmations, 1)
        self.assertEqual(self.point.last_confirmed_at, self.submission.submitted_at)
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 1)

    def test_a_second_tap_on_merge_counts_one_confirmation(self):
        self.post("merge", into=self.point.pk)

        response = self.post("merge", into=self.point.pk)

        self.assertIn(
            f"Submission {self.submission.pk} was merged already.", texts(response)
        )
        self.point.refresh_from_db()
        self.assertEqual(self.point.confirmations, 1)

    def test_merging_takes_only_a_point_listed_nearby(self):
        far = self.published(lat=EAST[0] + 0.002, long=EAST[1], contributor_email="")

        response = self.post("merge", into=far.pk)

        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f"Nothing was done to submission {self.submission.pk}: That point is "
            "no longer published near this one; choose one of those listed.",
            texts(response),
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Status.PENDING)

    def test_merging_without_a_choice_says_what_to_do(self):
        response = self.post("merge")

        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "Choose the published point to merge it into.", texts(response)[0]
        )

    def test_editing_the_answers_saves_them_cleaned(self):
        response = self.post("answers", **{"answer-bikes": "8", "answer-type": "wave"})

        self.assertRedirects(response, self.queue_url)
        self.assertEqual(
            texts(response),
            [f"The answers of submission {self.submission.pk} are saved."],
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.answers, {"bikes": 8, "type": "wave"})
        self.assertEqual(self.submission.status, Status.PENDING)

    def test_bad_answers_are_shown_next_to_their_question(self):
        response = self.post(
            "answers", **{"answer-bikes": "lots", "answer-type": "square"}
        )

        self.assertEqual(response.status_code, 400)
        form = response.context["cards"][0].forms["answers"]
        self.assertEqual(
            form.errors["answer-bikes"],
            ["“How many bikes fit?”: enter a number, such as 3 or 2.5."],
        )
        self.assertIn("not one of the choices", form.errors["answer-type"][0])
        self.assertContains(response, 'value="lots"', status_code=400)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.answers, {"bikes": 6, "type": "inverted-u"})

    def test_a_refused_move_is_explained(self):
        self.post("merge", into=self.point.pk)

        response = self.post("answers", seen="merged", **{"answer-bikes": "3"})

        self.assertEqual(response.status_code, 409)
        self.assertIn(
            f"Nothing was done to submission {self.submission.pk}: Point "
            f"{self.submission.pk} is merged into another point; only pending and "
            "published points have answers to edit.",
            texts(response),
        )

    def test_an_outside_next_address_is_not_followed(self):
        response = self.post("approve", next="https://elsewhere.example/")

        self.assertRedirects(response, self.queue_url)


class BulkTests(StaffCampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.point = self.published(contributor_email="")
        self.ticked = [self.near(self.point, metres) for metres in (30, 60, 90)]
        self.bulk_url = reverse("staff-campaigns:bulk", args=["bike-racks"])
        self.client.force_login(self.roads_clerk)

    def bulk(self, submissions, **data):
        data = {
            "submissions": [s.pk for s in submissions],
            "next": f"{self.queue_url}?status=pending",
        } | data
        return self.client.post(self.bulk_url, data)

    def statuses(self) -> list[str]:
        return [Submission.objects.get(pk=s.pk).status for s in self.ticked]

    def test_it_approves_the_ticked_ones(self):
        response = self.bulk(self.ticked[:2], action="approve")

        self.assertRedirects(response, f"{self.queue_url}?status=pending")
        self.assertEqual(texts(response), ["2 submissions approved."])
        self.assertEqual(
            self.statuses(), [Status.PUBLISHED, Status.PUBLISHED, Status.PENDING]
        )
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 2)

    def test_it_rejects_the_ticked_ones_with_one_reason(self):
        response = self.bulk(self.ticked, action="reject", reason="Test photos")

        self.assertEqual(texts(response), ["3 submissions rejected."])
        self.assertEqual(
            set(
                Submission.objects.filter(status=Status.REJECTED).values_list(
                    "reject_reason", flat=True
                )
            ),
            {"Test photos"},
        )
        self.assertEqual(self.statuses(), [Status.REJECTED] * 3)

    def test_rejecting_needs_a_reason(self):
        response = self.bulk(self.ticked, action="reject", reason="")

        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            texts(response), ["Nothing was done: Give a reason for rejecting."]
        )
        self.assertContains(response, "Give a reason for rejecting.", status_code=400)
        self.assertEqual(self.statuses(), [Status.PENDING] * 3)

    def test_nothing_ticked_says_so(self):
        response = self.bulk([], action="approve")

        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            texts(response), ["Nothing was done: Tick the submissions to act on first."]
        )

    def test_a_second_tap_applies_once(self):
        self.bulk(self.ticked[:2], action="approve")

        response = self.bulk(self.ticked[:2], action="approve")

        self.assertIn("The ticked submissions were approved already.", texts(response))
        self.assertEqual(self.thanks_to(CONTRIBUTOR_EMAIL), 2)

    def test_ones_moderated_meanwhile_are_skipped_and_counted(self):
        self.bulk(self.ticked[:1], action="reject", reason="Duplicate")

        response = self.bulk(self.ticked, action="approve")

        self.assertIn(
            "2 submissions approved; 1 was skipped, as someone had moderated them "
            "already.",
            texts(response),
        )
        self.assertEqual(
            self.statuses(), [Status.REJECTED, Status.PUBLISHED, Status.PUBLISHED]
        )

    def test_a_submission_of_another_campaign_is_left_alone(self):
        other = self.make_campaign(slug="racks-2")
        stranger = self.submit(campaign=other, different_point=True)

        response = self.bulk([stranger], action="approve")

        self.assertIn("Nothing was done", texts(response)[0])
        stranger.refresh_from_db()
        self.assertEqual(stranger.status, Status.PENDING)
