"""Administrators set campaigns up in the Django admin, questions inline."""

from django.urls import reverse

from town311.campaigns.models import Campaign, CampaignQuestion, Submission
from town311.campaigns.tests.base import CampaignTestCase
from town311.notifications.models import Message


def inline_management(prefix: str, total: int = 1) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class CampaignAdminTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def campaign_form(self, **fields) -> dict:
        data = {
            "title": "Shade at bus stops",
            "slug": "bus-stop-shade",
            "description": "Which bus stops have no shade?",
            "why": "",
            "area_name": "",
            "area": "",
            "starts_on": "2026-05-01",
            "ends_on": "2026-05-31",
            "photo_required": "on",
            "publication": "moderated",
            "licence_name": "",
            "licence_url": "",
            **inline_management("questions"),
            "questions-0-order": "1",
            "questions-0-code": "shade",
            "questions-0-description": "Is there shade?",
            "questions-0-datatype": "singlevaluelist",
            "questions-0-datatype_description": "",
            "questions-0-required": "on",
        }
        data.update(fields)
        return data

    def test_every_page_loads(self):
        self.published()
        for url in (
            reverse("admin:campaigns_campaign_changelist"),
            reverse("admin:campaigns_campaign_add"),
            reverse("admin:campaigns_campaign_change", args=[self.campaign.pk]),
            reverse("admin:campaigns_campaignquestion_changelist"),
            reverse(
                "admin:campaigns_campaignquestion_change",
                args=[self.campaign.questions.get(code="type").pk],
            ),
            reverse("admin:campaigns_submission_changelist"),
            reverse(
                "admin:campaigns_submission_change",
                args=[Submission.objects.get().pk],
            ),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_creates_a_campaign_with_its_questions(self):
        response = self.client.post(
            reverse("admin:campaigns_campaign_add"), self.campaign_form()
        )

        self.assertEqual(response.status_code, 302)
        campaign = Campaign.objects.get(slug="bus-stop-shade")
        self.assertEqual(campaign.created_by, self.admin)
        question = CampaignQuestion.objects.get(campaign=campaign)
        self.assertEqual(question.code, "shade")
        self.assertTrue(question.required)

    def test_it_refuses_a_question_code_that_is_a_column_already(self):
        response = self.client.post(
            reverse("admin:campaigns_campaign_add"),
            self.campaign_form(**{"questions-0-code": "lat"}),
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is a column every point already has")
        self.assertFalse(Campaign.objects.filter(slug="bus-stop-shade").exists())

    def test_it_refuses_a_campaign_that_ends_before_it_starts(self):
        response = self.client.post(
            reverse("admin:campaigns_campaign_add"),
            self.campaign_form(ends_on="2026-04-30"),
        )

        self.assertContains(response, "must end on or after the day it starts")

    def test_the_approve_action_publishes_and_thanks(self):
        pending = self.submit()

        response = self.client.post(
            reverse("admin:campaigns_submission_changelist"),
            {"action": "approve", "_selected_action": [pending.pk]},
        )

        self.assertEqual(response.status_code, 302)
        pending.refresh_from_db()
        self.assertEqual(pending.status, Submission.Status.PUBLISHED)
        self.assertEqual(pending.moderated_by, self.admin)
        self.assertEqual(Message.objects.count(), 1)
