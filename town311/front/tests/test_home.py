from django.test import TestCase

from town311.test import BaseTestCase


class HomeTests(BaseTestCase):
    def test_it_shows_the_town_name(self):
        self.town.colour = "#336699"
        self.town.save()

        response = self.client.get("/")

        self.assertContains(response, "<h1>Testville 311</h1>", html=True)
        self.assertContains(response, "<title>Testville 311</title>", html=True)
        self.assertContains(response, "--town-colour: #336699")


class HomeWithoutTownTests(TestCase):
    def test_it_explains_how_to_set_up(self):
        response = self.client.get("/")

        self.assertContains(response, "This installation has no town yet")
        self.assertContains(response, "load_demo_town")
