import hashlib
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import RequestFactory, TransactionTestCase

from town311.accounts.models import User
from town311.open311.keys import (
    ApiKeyRefused,
    api_key_check,
    api_key_create,
    api_key_revoke,
)
from town311.open311.models import ApiKey, ApiRateWindow
from town311.test import BaseTestCase

NOW = datetime(2026, 3, 10, 15, 20, 45, tzinfo=UTC)


class ApiKeyCreateTestCase(BaseTestCase):
    def test_it_returns_the_raw_key_and_stores_only_its_hash(self) -> None:
        api_key, raw_key = api_key_create(
            name="County app", owner=self.coordinator, rate_limit=30
        )

        self.assertRegex(raw_key, r"^t311_[A-Za-z0-9]{32}$")
        api_key.refresh_from_db()
        self.assertEqual(api_key.prefix, raw_key[5:13])
        self.assertEqual(api_key.key_hash, hashlib.sha256(raw_key.encode()).hexdigest())
        self.assertEqual(api_key.rate_limit, 30)
        self.assertEqual(api_key.owner, self.coordinator)
        stored = [str(value) for value in ApiKey.objects.values_list().get()]
        self.assertNotIn(raw_key, stored)
        self.assertNotIn(raw_key[5:], stored)

    def test_it_makes_a_different_key_each_time(self) -> None:
        _, first = api_key_create(name="One", owner=self.coordinator)
        _, second = api_key_create(name="Two", owner=self.coordinator)

        self.assertNotEqual(first, second)
        self.assertEqual(ApiKey.objects.count(), 2)


class ApiKeyCheckTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.api_key, self.raw_key = api_key_create(
            name="County app", owner=self.coordinator, rate_limit=3
        )
        self.request = RequestFactory().post("/open311/v2/requests.json")

    def refused(self, raw_key) -> ApiKeyRefused:
        with self.assertRaises(ApiKeyRefused) as caught:
            api_key_check(self.request, raw_key)
        return caught.exception

    def test_it_accepts_a_valid_key_and_records_its_use(self) -> None:
        with time_machine.travel(NOW, tick=False):
            api_key = api_key_check(self.request, self.raw_key)

        self.assertEqual(api_key, self.api_key)
        self.api_key.refresh_from_db()
        self.assertEqual(self.api_key.last_used_at, NOW)
        window = ApiRateWindow.objects.get()
        self.assertEqual(window.window_start, datetime(2026, 3, 10, 15, 20, tzinfo=UTC))
        self.assertEqual(window.count, 1)

    def test_it_refuses_a_missing_key(self) -> None:
        for raw_key in (None, "", "   "):
            refused = self.refused(raw_key)
            self.assertEqual(refused.status, 403)
            self.assertEqual(refused.description, "api_key is missing")

    def test_it_refuses_an_unknown_key(self) -> None:
        wrong_secret = self.raw_key[:-1] + ("A" if self.raw_key[-1] != "A" else "B")
        for raw_key in ("nonsense", "t311_", wrong_secret, "t311_zzzzzzzz" + "x" * 24):
            refused = self.refused(raw_key)
            self.assertEqual(refused.status, 403)
            self.assertEqual(refused.description, "api_key is not valid or was revoked")
        self.assertFalse(ApiRateWindow.objects.exists())

    def test_it_refuses_a_revoked_key(self) -> None:
        self.api_key.revoked_at = NOW
        self.api_key.save()

        refused = self.refused(self.raw_key)

        self.assertEqual(refused.status, 403)
        self.assertEqual(refused.description, "api_key is not valid or was revoked")

    def test_it_refuses_calls_over_the_limit_until_the_next_minute(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(3):
                api_key_check(self.request, self.raw_key)
            refused = self.refused(self.raw_key)

        self.assertEqual(refused.status, 429)
        self.assertEqual(refused.retry_after, 15)
        self.assertEqual(
            refused.description,
            "Rate limit of 3 requests per minute exceeded; retry after 15 seconds",
        )

        with time_machine.travel(NOW + timedelta(seconds=15), tick=False):
            self.assertEqual(api_key_check(self.request, self.raw_key), self.api_key)
        # The new minute replaced the old window.
        window = ApiRateWindow.objects.get()
        self.assertEqual(window.window_start, datetime(2026, 3, 10, 15, 21, tzinfo=UTC))
        self.assertEqual(window.count, 1)

    def test_it_counts_in_the_database_not_in_the_object(self) -> None:
        # Separate copies stand for separate web processes.
        with time_machine.travel(NOW, tick=False):
            for _ in range(3):
                api_key_check(self.request, self.raw_key)
            ApiKey.objects.filter(pk=self.api_key.pk).update(rate_limit=4)
            api_key_check(self.request, self.raw_key)
            refused = self.refused(self.raw_key)

        self.assertEqual(refused.status, 429)
        self.assertEqual(ApiRateWindow.objects.get().count, 5)

    def test_it_updates_last_used_at_at_most_once_a_minute(self) -> None:
        with time_machine.travel(NOW, tick=False):
            api_key_check(self.request, self.raw_key)
        with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
            api_key_check(self.request, self.raw_key)

        self.api_key.refresh_from_db()
        self.assertEqual(self.api_key.last_used_at, NOW)

        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            api_key_check(self.request, self.raw_key)
        self.api_key.refresh_from_db()
        self.assertEqual(self.api_key.last_used_at, NOW + timedelta(seconds=61))


@pytest.mark.postgres
class ConcurrentCountingTestCase(TransactionTestCase):
    """Threads with their own connections stand for gunicorn workers."""

    def test_it_loses_no_call_when_workers_count_at_once(self) -> None:
        owner = User.objects.create_user("owner")
        api_key, raw_key = api_key_create(name="Busy", owner=owner, rate_limit=25)
        request = RequestFactory().get("/")
        outcomes: list[int] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            from django.db import connections

            try:
                barrier.wait()
                for _ in range(5):
                    try:
                        api_key_check(request, raw_key)
                        outcomes.append(200)
                    except ApiKeyRefused as refused:
                        outcomes.append(refused.status)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(len(outcomes), 40)
        windows = list(ApiRateWindow.objects.filter(api_key=api_key))
        self.assertEqual(sum(window.count for window in windows), 40)
        # Unless the run straddled a minute, exactly the limit got through.
        if len(windows) == 1:
            self.assertEqual(outcomes.count(200), 25)
            self.assertEqual(outcomes.count(429), 15)


class ApiKeyAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_it_shows_the_raw_key_once_after_adding(self) -> None:
        response = self.client.post(
            "/admin/open311/apikey/add/",
            {"name": "County app", "owner": self.coordinator.pk, "rate_limit": "20"},
            follow=True,
        )

        api_key = ApiKey.objects.get()
        self.assertEqual(api_key.name, "County app")
        self.assertEqual(api_key.owner, self.coordinator)
        self.assertEqual(api_key.rate_limit, 20)
        shown = [str(message) for message in response.context["messages"]]
        raw_keys = [
            word for text in shown for word in text.split() if word.startswith("t311_")
        ]
        self.assertEqual(len(raw_keys), 1)
        raw_key = raw_keys[0]
        self.assertIn("will not be shown again", response.content.decode())
        self.assertEqual(api_key_check(RequestFactory().get("/"), raw_key), api_key)

        listing = self.client.get("/admin/open311/apikey/").content.decode()
        self.assertIn(api_key.prefix, listing)
        self.assertNotIn(raw_key, listing)
        change = self.client.get(f"/admin/open311/apikey/{api_key.pk}/change/")
        self.assertNotIn(raw_key, change.content.decode())
        self.assertNotIn(api_key.key_hash, change.content.decode())

    def test_it_keeps_the_key_when_the_limit_changes(self) -> None:
        api_key, raw_key = api_key_create(name="County app", owner=self.coordinator)

        response = self.client.post(
            f"/admin/open311/apikey/{api_key.pk}/change/",
            {"name": "County app", "owner": self.coordinator.pk, "rate_limit": "90"},
            follow=True,
        )

        self.assertNotIn("t311_", response.content.decode())
        api_key.refresh_from_db()
        self.assertEqual(api_key.rate_limit, 90)
        self.assertEqual(api_key_check(RequestFactory().get("/"), raw_key), api_key)

    def test_it_revokes_selected_keys(self) -> None:
        api_key, raw_key = api_key_create(name="County app", owner=self.coordinator)
        other, _ = api_key_create(name="Campus app", owner=self.coordinator)

        with time_machine.travel(NOW, tick=False):
            response = self.client.post(
                "/admin/open311/apikey/",
                {"action": "revoke", "_selected_action": [api_key.pk]},
                follow=True,
            )

        self.assertContains(response, "1 API key(s) revoked.")
        api_key.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual(api_key.revoked_at, NOW)
        self.assertIsNone(other.revoked_at)
        with self.assertRaises(ApiKeyRefused):
            api_key_check(RequestFactory().get("/"), raw_key)

    def test_it_is_for_administrators_only(self) -> None:
        self.client.force_login(self.coordinator)

        response = self.client.get("/admin/open311/apikey/")

        self.assertEqual(response.status_code, 302)


class ApiKeyCommandTestCase(BaseTestCase):
    def run_command(self, *args) -> str:
        out = StringIO()
        call_command("api_key", *args, stdout=out)
        return out.getvalue()

    def test_it_creates_a_key_and_prints_it_once(self) -> None:
        output = self.run_command(
            "create",
            "--name",
            "County app",
            "--owner",
            "coordinator",
            "--rate-limit",
            "15",
        )

        raw_key, summary = output.strip().splitlines()
        api_key = ApiKey.objects.get()
        self.assertEqual(api_key.name, "County app")
        self.assertEqual(api_key.owner, self.coordinator)
        self.assertEqual(api_key.rate_limit, 15)
        self.assertEqual(raw_key[5:13], api_key.prefix)
        self.assertIn(f"Created API key {api_key.prefix} for County app", summary)
        self.assertEqual(api_key_check(RequestFactory().get("/"), raw_key), api_key)

    def test_it_refuses_an_unknown_owner(self) -> None:
        with self.assertRaisesMessage(CommandError, "No user is called 'nobody'"):
            self.run_command("create", "--name", "X", "--owner", "nobody")
        self.assertFalse(ApiKey.objects.exists())

    def test_it_refuses_a_zero_rate_limit(self) -> None:
        with self.assertRaisesMessage(CommandError, "--rate-limit must be"):
            self.run_command(
                "create", "--name", "X", "--owner", "coordinator", "--rate-limit", "0"
            )

    def test_it_revokes_by_prefix(self) -> None:
        api_key, raw_key = api_key_create(name="County app", owner=self.coordinator)

        output = self.run_command("revoke", api_key.prefix)

        self.assertIn(f"Revoked API key {api_key.prefix} (County app).", output)
        api_key.refresh_from_db()
        self.assertIsNotNone(api_key.revoked_at)
        self.assertIn("already revoked", self.run_command("revoke", api_key.prefix))
        with self.assertRaisesMessage(CommandError, "No API key has the prefix"):
            self.run_command("revoke", "zzzzzzzz")

    def test_it_lists_keys_without_secrets(self) -> None:
        with time_machine.travel(NOW, tick=False):
            active, active_raw = api_key_create(name="County app", owner=self.admin)
            revoked, _ = api_key_create(name="Old app", owner=self.coordinator)
            api_key_revoke(api_key=revoked)

        output = self.run_command("list")

        lines = output.strip().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertIn(active.prefix, lines[0])
        self.assertIn("owner=admin", lines[0])
        self.assertIn("60/min", lines[0])
        self.assertIn("created 2026-03-10 15:20 UTC", lines[0])
        self.assertTrue(lines[0].endswith("active"))
        self.assertTrue(lines[1].endswith("revoked 2026-03-10 15:20 UTC"))
        self.assertEqual(lines[2], "2 API key(s).")
        self.assertNotIn(active_raw, output)
