"""Settings for the API benchmark's web server: the site's own, with the
bench-only URLs added. Only `manage.py bench --api` starts a server with
them, so the minimal views never exist in the normal site."""

from town311.settings import *  # noqa: F403

ROOT_URLCONF = "town311.bench.api_urls"
