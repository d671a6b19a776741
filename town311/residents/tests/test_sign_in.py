from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from town311.notifications.models import Message
from town311.residents.models import SignInLink
from town311.residents.tests.base import ResidentTestCase
from town311.servicerequests.models import Follower
from town311.test import RESIDENT_EMAIL

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URL = reverse("residents:sign-in")
SENT = "has requests with us, we sent a link to sign in."


@time_machine.travel(NOW, tick=False)
class SignInTests(ResidentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.submit()
        Message.objects.all().delete()

    def links(self, email=RESIDENT_EMAIL) -> list[Message]:
        return list(Message.objects.filter(kind="sign-in", to=email))

    def test_it_shows_the_form(self):
        response = self.client.get(URL)

        self.assertContains(response, "Sign in to see your requests")
        self.assertContains(response, 'type="email"')
        self.assertContains(response, '<label for="id_email">', html=False)

    def test_it_sends_a_link_to_a_reporter(self):
        response = self.client.post(URL, {"email": " Resident@Example.org "})

        self.assertContains(response, f"If {RESIDENT_EMAIL} {SENT}")
        (message,) = self.links()
        self.assertEqual(message.subject, "Your link to sign in to Testville 311")
        self.assertRegex(
            message.body_text, r"http://127\.0\.0\.1:8000/my/sign-in/[\w-]{43}/"
        )
        self.assertIn("within 30 minutes", message.body_text)
        self.assertEqual(message.headers, {})

    def test_it_sends_a_link_to_a_follower(self):
        request = self.submit(email="")
        Follower.objects.create(request=request, email="neighbour@example.org")

        self.client.post(URL, {"email": "neighbour@example.org"})

        self.assertEqual(len(self.links("neighbour@example.org")), 1)

    def test_it_answers_the_same_for_an_unknown_address(self):
        response = self.client.post(URL, {"email": "stranger@example.org"})

        self.assertContains(response, f"If stranger@example.org {SENT}")
        self.assertFalse(Message.objects.exists())

    def test_it_stores_no_usable_secret(self):
        self.client.post(URL, {"email": RESIDENT_EMAIL})

        secret = self.links()[0].body_text.split("/my/sign-in/")[1].split("/")[0]
        link = SignInLink.objects.get()
        self.assertEqual(len(link.secret_hash), 64)
        self.assertNotIn(secret, link.secret_hash)

    def test_a_bad_address_is_shown_again_with_the_problem(self):
        response = self.client.post(URL, {"email": "resident at example"})

        self.assertContains(response, "Enter a valid email address.")
        self.assertContains(response, 'value="resident at example"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(SignInLink.objects.exists())

    def test_it_sends_at_most_five_links_an_hour(self):
        for _ in range(5):
            self.client.post(URL, {"email": RESIDENT_EMAIL})

        response = self.client.post(URL, {"email": RESIDENT_EMAIL})

        self.assertContains(response, "asked for 5 times in the last hour")
        self.assertContains(response, f'value="{RESIDENT_EMAIL}"')
        self.assertEqual(len(self.links()), 5)

        with time_machine.travel(NOW + timedelta(hours=1, seconds=1), tick=False):
            self.client.post(URL, {"email": RESIDENT_EMAIL})

        self.assertEqual(len(self.links()), 6)

    def test_the_limit_reads_the_same_for_an_unknown_address(self):
        for _ in range(5):
            self.client.post(URL, {"email": "stranger@example.org"})

        response = self.client.post(URL, {"email": "stranger@example.org"})

        self.assertContains(response, "asked for 5 times in the last hour")

    def test_it_forgets_old_links(self):
        self.client.post(URL, {"email": RESIDENT_EMAIL})

        with time_machine.travel(NOW + timedelta(days=2), tick=False):
            self.client.post(URL, {"email": "stranger@example.org"})

        self.assertEqual(
            list(SignInLink.objects.values_list("email", flat=True)),
            ["stranger@example.org"],
        )

    def test_it_says_who_is_signed_in(self):
        self.sign_in()

        response = self.client.get(URL)

        self.assertContains(response, f"You are signed in as {RESIDENT_EMAIL}.")
