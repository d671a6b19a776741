from datetime import UTC, datetime, timedelta

import time_machine
from django.test import override_settings
from django.urls import reverse

from town311.staff.models import LoginAttempt
from town311.staff.throttle import sign_in_attempt_record, sign_in_lock_minutes
from town311.test import BaseTestCase

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URL = reverse("staff:login")
PASSWORD = "a long staff password"
LOCKED = "Too many failed sign-ins. Try again in"


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=15 * 60)
@time_machine.travel(NOW, tick=False)
class ThrottleTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for person in (self.roads_clerk, self.parks_clerk):
            person.set_password(PASSWORD)
            person.save()

    def sign_in(self, username="roads-clerk", password=PASSWORD, ip="192.0.2.1"):
        return self.client.post(
            URL, {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def fail(self, times: int, **kwargs) -> None:
        for _ in range(times):
            self.sign_in(password="guess", **kwargs)

    def test_it_locks_a_username_even_with_the_right_password(self):
        self.fail(3, ip="192.0.2.1")

        response = self.sign_in(ip="198.51.100.7")

        self.assertContains(response, f"{LOCKED} 15 minutes.", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(LoginAttempt.objects.filter(succeeded=False).count(), 4)

    def test_it_locks_an_address_whatever_the_username(self):
        self.fail(3, username="someone", ip="192.0.2.1")

        response = self.sign_in(username="parks-clerk", ip="192.0.2.1")

        self.assertContains(response, LOCKED, status_code=429)

    def test_it_lets_another_person_in_from_another_address(self):
        self.fail(3)

        response = self.sign_in(username="parks-clerk", ip="198.51.100.7")

        self.assertEqual(response.status_code, 302)

    def test_it_counts_a_username_whatever_its_case(self):
        self.fail(2, username="Roads-Clerk", ip="192.0.2.1")
        self.fail(1, username="ROADS-CLERK", ip="192.0.2.2")

        response = self.sign_in(ip="192.0.2.3")

        self.assertContains(response, LOCKED, status_code=429)

    def test_it_lets_the_person_in_once_the_window_has_passed(self):
        self.fail(3)

        with time_machine.travel(NOW + timedelta(minutes=15, seconds=1), tick=False):
            response = self.sign_in()

        self.assertEqual(response.status_code, 302)

    def test_it_says_how_long_the_lock_lasts(self):
        self.fail(3)

        with time_machine.travel(NOW + timedelta(minutes=14), tick=False):
            response = self.sign_in()

        self.assertContains(response, f"{LOCKED} 1 minute.", status_code=429)

    def test_it_keeps_locking_someone_who_keeps_trying(self):
        self.fail(3)

        # Refused attempts count too, so someone guessing through the lock
        # stays locked until they stop.
        for minutes in (6, 12, 14):
            with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
                self.sign_in(password="guess")
        with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
            response = self.sign_in()

        self.assertContains(response, f"{LOCKED} 5 minutes.", status_code=429)

    def test_a_success_does_not_wipe_earlier_failures(self):
        self.fail(2)
        self.assertEqual(self.sign_in().status_code, 302)
        self.client.post(reverse("staff:logout"))

        self.fail(1)
        response = self.sign_in()

        self.assertContains(response, LOCKED, status_code=429)

    def test_it_warns_with_the_count_and_address_only(self):
        self.fail(2)

        with self.assertLogs("town311.staff.throttle", "WARNING") as logs:
            self.fail(1)

        (line,) = logs.output
        self.assertIn("locked after 3 failed attempts (address 192.0.2.1)", line)
        self.assertNotIn("roads", line.lower())

    def test_it_warns_once_per_lock(self):
        self.fail(3)

        with self.assertNoLogs("town311.staff.throttle", "WARNING"):
            self.fail(2)

    def test_it_forgets_attempts_older_than_the_window(self):
        LoginAttempt.objects.create(
            username="roads-clerk", created_at=NOW - timedelta(hours=2)
        )

        sign_in_attempt_record(
            username="roads-clerk", ip_address="192.0.2.1", succeeded=False
        )

        self.assertEqual(LoginAttempt.objects.count(), 1)
        self.assertEqual(LoginAttempt.objects.get().created_at, NOW)

    def test_it_stores_no_password(self):
        self.fail(1)

        attempt = LoginAttempt.objects.get()
        self.assertEqual(
            (attempt.username, attempt.ip_address, attempt.succeeded),
            ("roads-clerk", "192.0.2.1", False),
        )

    def test_it_is_not_locked_below_the_limit(self):
        self.fail(2)

        self.assertEqual(
            sign_in_lock_minutes(username="roads-clerk", ip_address="192.0.2.1"), 0
        )
