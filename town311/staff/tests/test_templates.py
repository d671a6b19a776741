"""Response templates: filling the placeholders, and who manages them."""

from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from town311.servicerequests import services
from town311.staff.models import ResponseTemplate
from town311.staff.templates_fill import (
    filled_templates,
    placeholder_values,
    template_fill,
)
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase


class TemplateFillTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            reporter_name="  maria del Carmen Lopez ",
            reporter_email=RESIDENT_EMAIL,
        )

    def test_it_fills_every_placeholder(self):
        values = placeholder_values(self.request, today=date(2026, 5, 4))

        filled = template_fill(
            "Hi {first_name}, {number} is with {department} since {date}.", values
        )

        self.assertEqual(
            filled,
            f"Hi maria, {self.request.number} is with Roads since Monday, May 4.",
        )

    def test_without_a_name_it_greets_there(self):
        self.request.reporter_name = ""

        values = placeholder_values(self.request, today=date(2026, 5, 4))

        self.assertEqual(template_fill("Hi {first_name},", values), "Hi there,")

    def test_unknown_placeholders_and_odd_braces_stay_as_written(self):
        values = placeholder_values(self.request, today=date(2026, 5, 4))

        filled = template_fill("{firstname} {0} {number:>5} { } {number}", values)

        self.assertEqual(
            filled, f"{{firstname}} {{0}} {{number:>5}} {{ }} {self.request.number}"
        )

    @time_machine.travel(datetime(2026, 5, 5, 3, 0, tzinfo=UTC), tick=False)
    def test_the_date_is_today_in_the_towns_time_zone(self):
        # 03:00 on Tuesday in UTC is still Monday evening in Chicago.
        values = placeholder_values(self.request)

        self.assertEqual(values["date"], "Monday, May 4")

    def test_a_template_with_a_stray_brace_is_offered_as_written(self):
        ResponseTemplate.objects.create(
            department=self.roads, title="Broken", body="Hi {first_name"
        )

        [(template, body)] = filled_templates(self.request)

        self.assertEqual(body, "Hi {first_name")


class TemplateManagementTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.template = ResponseTemplate.objects.create(
            department=self.roads, title="Scheduled", body="Hi {first_name}."
        )
        self.parks_template = ResponseTemplate.objects.create(
            department=self.parks, title="Mowing", body="We mow on Mondays."
        )

    def test_a_lead_lists_their_departments_templates(self):
        self.client.force_login(self.roads_lead)

        response = self.client.get(reverse("staff:templates"))

        self.assertContains(response, "Scheduled")
        self.assertNotContains(response, "Mowing")
        self.assertContains(response, "{first_name}")

    def test_a_lead_adds_a_template_to_their_department(self):
        self.client.force_login(self.roads_lead)

        response = self.client.post(
            reverse("staff:template-add"),
            {
                "department": self.roads.pk,
                "title": "Fixed",
                "body": "Request {number} is fixed.",
                "order": 1,
                "is_active": "on",
            },
        )

        self.assertRedirects(response, reverse("staff:templates"))
        added = ResponseTemplate.objects.get(title="Fixed")
        self.assertEqual(added.department, self.roads)

    def test_a_lead_cannot_add_to_another_department(self):
        self.client.force_login(self.roads_lead)

        response = self.client.post(
            reverse("staff:template-add"),
            {"department": self.parks.pk, "title": "Sneaky", "body": "x", "order": 0},
        )

        self.assertEqual(response.status_code, 200)
        self.assertFalse(ResponseTemplate.objects.filter(title="Sneaky").exists())

    def test_a_duplicate_title_is_refused(self):
        self.client.force_login(self.roads_lead)

        response = self.client.post(
            reverse("staff:template-add"),
            {
                "department": self.roads.pk,
                "title": "scheduled",
                "body": "x",
                "order": 0,
            },
        )

        self.assertContains(response, "Roads already has a template called")

    def test_a_lead_edits_and_switches_off_a_template(self):
        self.client.force_login(self.roads_lead)

        response = self.client.post(
            reverse("staff:template-edit", args=[self.template.pk]),
            {
                "department": self.roads.pk,
                "title": "Scheduled",
                "body": "New text",
                "order": 0,
            },
        )

        self.assertRedirects(response, reverse("staff:templates"))
        self.template.refresh_from_db()
        self.assertEqual(self.template.body, "New text")
        self.assertFalse(self.template.is_active)

    def test_a_lead_deletes_a_template(self):
        self.client.force_login(self.roads_lead)

        self.client.post(reverse("staff:template-delete", args=[self.template.pk]))

        self.assertFalse(ResponseTemplate.objects.filter(pk=self.template.pk).exists())

    def test_a_lead_cannot_touch_another_departments_template(self):
        self.client.force_login(self.roads_lead)
        edit = reverse("staff:template-edit", args=[self.parks_template.pk])
        delete = reverse("staff:template-delete", args=[self.parks_template.pk])

        self.assertContains(self.client.get(edit), "belongs to Parks", status_code=403)
        self.assertEqual(self.client.post(delete).status_code, 403)
        self.assertTrue(
            ResponseTemplate.objects.filter(pk=self.parks_template.pk).exists()
        )

    def test_staff_and_coordinators_are_refused_with_the_reason(self):
        for person in (self.roads_clerk, self.coordinator):
            self.client.force_login(person)
            for url in (
                reverse("staff:templates"),
                reverse("staff:template-add"),
                reverse("staff:template-edit", args=[self.template.pk]),
            ):
                with self.subTest(person=person.username, url=url):
                    response = self.client.get(url)
                    self.assertContains(
                        response, "lead (or an administrator)", status_code=403
                    )

            response = self.client.post(
                reverse("staff:template-delete", args=[self.template.pk])
            )
            self.assertEqual(response.status_code, 403)

        self.assertTrue(ResponseTemplate.objects.filter(pk=self.template.pk).exists())

    def test_an_administrator_manages_every_department(self):
        self.client.force_login(self.admin)

        response = self.client.get(reverse("staff:templates"))
        self.assertContains(response, "Scheduled")
        self.assertContains(response, "Mowing")

        self.client.post(
            reverse("staff:template-add"),
            {"department": self.parks.pk, "title": "Trees", "body": "x", "order": 0},
        )
        self.assertTrue(
            ResponseTemplate.objects.filter(
                title="Trees", department=self.parks
            ).exists()
        )

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(reverse("staff:templates"))

        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("staff:login"), response["Location"])
