from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from town311.notifications.models import Message
from town311.residents.session import SESSION_KEY
from town311.residents.tests.base import ResidentTestCase
from town311.test import RESIDENT_EMAIL

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SignInLinkTests(ResidentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.submit()
        self.client.post(reverse("residents:sign-in"), {"email": RESIDENT_EMAIL})
        body = Message.objects.get(kind="sign-in").body_text
        self.path = "/my/sign-in/" + body.split("/my/sign-in/")[1].split("/")[0] + "/"

    def test_it_signs_in_for_the_session(self):
        self.client.get("/")
        before = self.client.session.session_key

        response = self.client.get(self.path)

        self.assertRedirects(response, reverse("residents:my-requests"))
        self.assertEqual(self.client.session[SESSION_KEY], RESIDENT_EMAIL)
        self.assertNotEqual(self.client.session.session_key, before)

    def test_it_works_once(self):
        self.client.get(self.path)
        self.client.logout()

        response = self.client.get(self.path)

        self.assertContains(response, "already used", status_code=400)
        self.assertContains(response, "E-mail me a new link", status_code=400)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_opening_it_again_in_the_same_browser_carries_on(self):
        self.client.get(self.path)

        response = self.client.get(self.path)

        self.assertRedirects(response, reverse("residents:my-requests"))

    def test_it_expires_after_30_minutes(self):
        with time_machine.travel(NOW + timedelta(minutes=30, seconds=1), tick=False):
            response = self.client.get(self.path)

        self.assertContains(response, "This sign-in link has expired", status_code=400)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_works_until_then(self):
        with time_machine.travel(NOW + timedelta(minutes=29), tick=False):
            response = self.client.get(self.path)

        self.assertRedirects(response, reverse("residents:my-requests"))

    def test_a_bad_link_explains_what_to_do(self):
        for token in ("nonsense", self.path.split("/")[3][:-1], "x" * 500):
            with self.subTest(token=token[:20]):
                url = reverse("residents:sign-in-link", args=[token])
                response = self.client.get(url)

                self.assertContains(
                    response, "This sign-in link does not work", status_code=400
                )
                self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_signs_out(self):
        self.client.get(self.path)

        response = self.client.post(reverse("residents:sign-out"))

        self.assertRedirects(response, "/")
        self.assertNotIn(SESSION_KEY, self.client.session)
        response = self.client.get(reverse("residents:my-requests"))
        self.assertRedirects(response, reverse("residents:sign-in"))

    def test_signing_out_needs_a_post(self):
        response = self.client.get(reverse("residents:sign-out"))

        self.assertEqual(response.status_code, 405)
