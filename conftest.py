import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    if (
        request.node.get_closest_marker("postgres")
        and connection.vendor != "postgresql"
    ):
        pytest.skip("needs PostgreSQL; run `make test-postgres`")
