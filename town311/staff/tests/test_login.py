from django.conf import settings
from django.urls import reverse

from town311.accounts.models import User
from town311.staff.models import LoginAttempt
from town311.test import BaseTestCase

URL = reverse("staff:login")
PASSWORD = "a long staff password"


class LoginTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roads_clerk.set_password(PASSWORD)
        self.roads_clerk.save()

    def sign_in(self, username="roads-clerk", password=PASSWORD, **extra):
        return self.client.post(
            URL, {"username": username, "password": password, **extra}
        )

    def test_it_shows_the_form(self):
        response = self.client.get(URL)

        self.assertContains(response, "Staff sign-in")
        self.assertContains(response, 'autocomplete="current-password"')
        self.assertContains(response, '<label for="id_username">', html=False)

    def test_it_signs_a_staff_member_in(self):
        response = self.sign_in()

        self.assertRedirects(
            response, reverse("staff:home"), fetch_redirect_response=False
        )
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.roads_clerk.pk)
        self.assertTrue(LoginAttempt.objects.get().succeeded)

    def test_it_gives_the_session_a_new_key(self):
        self.client.get(URL)
        session = self.client.session
        session["planted"] = True
        session.save()
        before = session.session_key

        self.sign_in()

        self.assertNotEqual(self.client.session.session_key, before)

    def test_it_ends_the_session_after_a_working_day_or_at_browser_close(self):
        self.sign_in()

        self.assertTrue(self.client.session.get_expire_at_browser_close())
        self.assertEqual(self.client.session.get_expiry_age(), 10 * 60 * 60)
        self.assertEqual(settings.SESSION_COOKIE_AGE, 10 * 60 * 60)

    def test_it_goes_back_to_the_page_that_asked(self):
        response = self.sign_in(next="/staff/queue/?status=submitted")

        self.assertRedirects(
            response, "/staff/queue/?status=submitted", fetch_redirect_response=False
        )

    def test_it_ignores_a_next_address_on_another_site(self):
        for unsafe in ("https://evil.example/", "//evil.example/", "javascript:x"):
            with self.subTest(unsafe=unsafe):
                response = self.sign_in(next=unsafe)

                self.assertRedirects(
                    response, reverse("staff:home"), fetch_redirect_response=False
                )

    def test_it_keeps_next_in_the_form(self):
        response = self.client.get(URL, {"next": "/staff/queue/"})

        self.assertContains(response, 'name="next" value="/staff/queue/"', html=False)

    def test_it_refuses_a_wrong_password(self):
        response = self.sign_in(password="not it")

        self.assertContains(response, "That username and password do not match.")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(LoginAttempt.objects.get().succeeded)

    def test_it_refuses_an_account_outside_every_department(self):
        User.objects.create_user("volunteer", password=PASSWORD)

        response = self.sign_in(username="volunteer")

        self.assertContains(response, "Your account is not part of a department")
        self.assertNotIn("_auth_user_id", self.client.session)
        # The password was right, so this is no guess to throttle.
        self.assertFalse(LoginAttempt.objects.exists())

    def test_it_refuses_an_inactive_account(self):
        self.roads_clerk.is_active = False
        self.roads_clerk.save()

        response = self.sign_in()

        self.assertContains(response, "That username and password do not match.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_signs_a_coordinator_and_an_administrator_in(self):
        for person in (self.coordinator, self.admin):
            person.set_password(PASSWORD)
            person.save()
            with self.subTest(person=person.username):
                response = self.sign_in(username=person.username)

                self.assertEqual(response.status_code, 302)
                self.client.post(reverse("staff:logout"))

    def test_it_sends_a_signed_in_staff_member_on(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(URL, {"next": "/staff/queue/"})

        self.assertRedirects(response, "/staff/queue/", fetch_redirect_response=False)

    def test_it_never_sends_a_signed_in_person_back_to_itself(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(URL, {"next": URL})

        self.assertRedirects(
            response, reverse("staff:home"), fetch_redirect_response=False
        )

    def test_it_is_not_cached(self):
        response = self.client.get(URL)

        self.assertIn("no-cache", response["Cache-Control"])


class LogoutTests(BaseTestCase):
    def test_it_signs_out(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.post(reverse("staff:logout"), follow=True)

        self.assertRedirects(response, URL)
        self.assertContains(response, "You have signed out.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_signs_out_only_by_post(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(reverse("staff:logout"))

        self.assertEqual(response.status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)

    def test_it_offers_sign_out_on_staff_pages(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(reverse("staff:queue"))

        self.assertContains(
            response, 'action="/staff/logout/" method="post"', html=False
        )


class HomeTests(BaseTestCase):
    def test_it_sends_staff_to_the_queue(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(reverse("staff:home"))

        self.assertRedirects(response, "/staff/queue/", fetch_redirect_response=False)

    def test_it_sends_an_anonymous_visitor_to_sign_in(self):
        response = self.client.get(reverse("staff:home"))

        self.assertRedirects(response, f"{URL}?next=/staff/")

    def test_it_shows_leads_the_templates_and_coordinators_the_lingering_list(self):
        cases = [
            (self.roads_clerk, False, False),
            (self.roads_lead, True, False),
            (self.coordinator, False, True),
            (self.admin, True, True),
        ]
        for person, templates, lingering in cases:
            with self.subTest(person=person.username):
                self.client.force_login(person)
                response = self.client.get(reverse("staff:queue"))

                self.assertContains(response, 'href="/staff/queue/"', html=False)
                self.assertContains(response, 'href="/staff/intake/"', html=False)
                self.assertEqual('href="/staff/templates/"' in response.text, templates)
                self.assertEqual('href="/staff/lingering/"' in response.text, lingering)
