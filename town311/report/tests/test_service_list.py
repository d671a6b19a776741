import re

from town311.directory.models import Service, ServiceGroup
from town311.report.tests.base import ReportTestCase


class ServiceListTests(ReportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.trash = Service.objects.create(
            code="missed-trash",
            name="Missed trash pickup",
            group=ServiceGroup.objects.create(name="Trash and recycling", order=3),
            description="The truck did not come on your collection day.",
            keywords="garbage, bins",
            department=self.roads,
        )

    def shown(self, response) -> list[str]:
        """The names of the services the page shows, hidden ones left out."""
        items = re.findall(
            r'<li class="service" data-search="[^"]*"( hidden)?>\s*'
            r'<a class="service-name" href="/report/[\w-]+/">([^<]+)</a>',
            response.content.decode(),
        )
        return sorted(name for hidden, name in items if not hidden)

    def test_it_lists_public_services_by_group(self):
        response = self.client.get("/report/")

        self.assertContains(response, '<h2 id="group-1">Streets</h2>', html=True)
        self.assertContains(response, "Parks and trees")
        self.assertContains(response, "Trash and recycling")
        self.assertContains(response, "The truck did not come on your collection day.")
        self.assertEqual(
            self.shown(response), ["Missed trash pickup", "Park upkeep", "Pothole"]
        )
        content = response.content.decode()
        self.assertLess(content.index("Pothole"), content.index("Park upkeep"))

    def test_it_never_shows_staff_only_or_inactive_services(self):
        self.trash.is_active = False
        self.trash.save()

        for query in ["", "order", "trash"]:
            with self.subTest(query=query):
                response = self.client.get("/report/", {"q": query})

                self.assertNotContains(response, "Internal work order")
                self.assertNotContains(response, "/report/work-order/")
                self.assertNotContains(response, "Missed trash pickup")

    def test_it_searches_keywords(self):
        response = self.client.get("/report/", {"q": "garbage"})

        self.assertEqual(self.shown(response), ["Missed trash pickup"])
        self.assertContains(response, "1 service matches “garbage”.")

    def test_it_searches_names_inside_words(self):
        response = self.client.get("/report/", {"q": "hole"})

        self.assertEqual(self.shown(response), ["Pothole"])

    def test_it_searches_names_and_descriptions(self):
        for query, expected in [
            ("trash", ["Missed trash pickup"]),
            ("collection day", ["Missed trash pickup"]),
            ("Potholes", ["Pothole"]),
            ("PARK", ["Park upkeep"]),
        ]:
            with self.subTest(query=query):
                response = self.client.get("/report/", {"q": query})

                self.assertEqual(self.shown(response), expected)

    def test_it_ignores_accents_in_the_search(self):
        self.trash.keywords = "basura, recogida"
        self.trash.save()

        response = self.client.get("/report/", {"q": "recogída"})

        self.assertEqual(self.shown(response), ["Missed trash pickup"])

    def test_it_says_when_nothing_matches(self):
        response = self.client.get("/report/", {"q": "volcano"})

        self.assertEqual(self.shown(response), [])
        self.assertContains(response, "No service matches your search.")
        self.assertContains(response, 'value="volcano"')

    def test_it_keeps_the_no_match_message_hidden_otherwise(self):
        response = self.client.get("/report/")

        self.assertContains(response, '<div class="no-match" data-no-match hidden>')

    def test_it_groups_services_without_a_group_last(self):
        Service.objects.create(
            code="other", name="Something else", department=self.roads
        )

        response = self.client.get("/report/")

        content = response.content.decode()
        self.assertLess(
            content.index("Trash and recycling"), content.index("Other problems")
        )
        self.assertIn("Something else", content)
