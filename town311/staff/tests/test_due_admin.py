"""The town edits its holidays and its list of blockers in the admin."""

from datetime import date

from django.urls import reverse

from town311.directory.models import Blocker, Holiday
from town311.test import BaseTestCase


class HolidayAndBlockerAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_it_adds_a_holiday(self) -> None:
        response = self.client.post(
            reverse("admin:directory_holiday_add"),
            {"date": "2026-07-03", "name": "Independence Day (observed)"},
        )

        self.assertEqual(response.status_code, 302)
        holiday = Holiday.objects.get()
        self.assertEqual(holiday.date, date(2026, 7, 3))

    def test_it_refuses_a_second_holiday_on_the_same_date(self) -> None:
        Holiday.objects.create(date=date(2026, 7, 3), name="Independence Day")

        response = self.client.post(
            reverse("admin:directory_holiday_add"),
            {"date": "2026-07-03", "name": "Another"},
        )

        self.assertContains(response, "already exists")

    def test_it_lists_blockers_in_order_and_edits_them_in_place(self) -> None:
        scheduled = Blocker.objects.create(
            name="Scheduled", public_text="The work is on our schedule.", order=2
        )
        Blocker.objects.create(
            name="Waiting on a contractor",
            public_text="A contractor will do the work.",
            order=1,
        )

        response = self.client.get(reverse("admin:directory_blocker_changelist"))
        self.assertContains(response, "The work is on our schedule.")
        content = response.content.decode()
        self.assertLess(
            content.index("Waiting on a contractor"), content.index(">Scheduled<")
        )

        self.client.post(
            reverse("admin:directory_blocker_add"),
            {
                "name": "Needs information from the resident",
                "public_text": "We asked you a question; your answer helps us go on.",
                "order": "0",
                "is_active": "on",
            },
        )
        self.assertTrue(Blocker.objects.filter(order=0).exists())
        self.assertTrue(Blocker.objects.get(pk=scheduled.pk).is_active)
