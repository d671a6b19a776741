import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    if (
        request.node.get_closest_marker("postgres")
        and connection.vendor != "postgresql"
    ):
        pytest.skip("needs PostgreSQL; run `make test-postgres`")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Figures kept in the cache belong to one test's data; the next test's
    # requests may reuse the same primary keys.
    from django.core.cache import cache

    cache.clear()
