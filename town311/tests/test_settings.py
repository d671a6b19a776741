import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

# Loads the real settings module, as a production process would.
SCRIPT = (
    "import django; from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS)"
)
LONG_SECRET_KEY = "k3y-" * 15


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "town311.settings"
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=clean | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


class SettingsTestCase(SimpleTestCase):
    def assert_refused(self, result: subprocess.CompletedProcess, message: str):
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"ImproperlyConfigured: {message}", result.stderr)

    def test_it_needs_a_secret_key_without_debug(self):
        result = start(DEBUG="false", ALLOWED_HOSTS="town.example")
        self.assert_refused(result, "Set SECRET_KEY to a long random value")

    def test_it_refuses_a_short_secret_key(self):
        result = start(DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="town.example")
        self.assert_refused(result, "Set SECRET_KEY to a long random value")

    def test_it_needs_allowed_hosts_without_debug(self):
        result = start(DEBUG="false", SECRET_KEY=LONG_SECRET_KEY)
        self.assert_refused(result, "Set ALLOWED_HOSTS when DEBUG is off.")

    def test_it_starts_with_safe_production_settings(self):
        result = start(
            DEBUG="false",
            SECRET_KEY=LONG_SECRET_KEY,
            ALLOWED_HOSTS="town.example, www.town.example",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "False ['town.example', 'www.town.example']\n")

    def test_it_refuses_a_debug_value_that_is_not_a_boolean(self):
        result = start(DEBUG="maybe")
        self.assert_refused(result, "DEBUG must be true or false, not 'maybe'")
