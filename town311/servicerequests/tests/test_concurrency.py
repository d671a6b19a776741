"""Two people acting at the same moment, each on their own connection.

SQLite runs one writer at a time by design, so only PostgreSQL, where the
row locks do the work, can show these races.
"""

import threading
import time
from unittest import mock

import pytest
from django.db import connections
from django.test import TransactionTestCase

from town311.lib.errors import InvalidTransition
from town311.servicerequests import services
from town311.servicerequests.models import Event, ServiceRequest, Status
from town311.servicerequests.routing import route
from town311.test import CENTRE, TownTestMixin

# Long enough that the second thread surely reaches the row lock while the
# first still holds it.
HOLD = 0.2


def race(*actions) -> list:
    """Start the actions together, one thread each; return what each
    returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except Exception as e:
            outcomes[index] = e
        finally:
            # Each thread opened its own connection; leave none behind, or
            # the test database cannot be flushed and dropped.
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, action))
        for i, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    return outcomes


@pytest.mark.postgres
class ConcurrentAcknowledgeTests(TownTestMixin, TransactionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_town()
        self.request = services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1]
        )

    def acknowledge(self, by):
        # A fresh copy per thread, as two separate web requests would have.
        request = ServiceRequest.objects.get(pk=self.request.pk)
        return services.request_acknowledge(request, by=by)

    def test_it_lets_exactly_one_of_two_acknowledgments_through(self):
        check_staff = services._check_staff

        def slow_check_staff(by, service_request):
            # Runs with the row locked: hold it while the other thread waits.
            check_staff(by, service_request)
            time.sleep(HOLD)

        with mock.patch.object(services, "_check_staff", slow_check_staff):
            outcomes = race(
                lambda: self.acknowledge(self.roads_clerk),
                lambda: self.acknowledge(self.roads_lead),
            )

        successes = [o for o in outcomes if isinstance(o, ServiceRequest)]
        refusals = [o for o in outcomes if isinstance(o, InvalidTransition)]
        self.assertEqual((len(successes), len(refusals)), (1, 1), outcomes)

        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        acknowledged = self.request.events.filter(kind=Event.Kind.ACKNOWLEDGED)
        self.assertEqual(acknowledged.count(), 1)
        self.assertEqual(acknowledged.get().created_at, self.request.acknowledged_at)


@pytest.mark.postgres
class ConcurrentSubmitTests(TownTestMixin, TransactionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_town()

    def submit(self):
        return services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            reporter_email="resident@example.org",
            idempotency_key="double-tap",
        )

    def test_it_creates_one_request_for_two_submits_with_the_same_key(self):
        # Routing runs after the look-up for an earlier submission and before
        # the insert; meeting there makes both threads miss each other's row.
        both_looked = threading.Barrier(2)

        def route_after_both_looked(**kwargs):
            both_looked.wait(timeout=10)
            return route(**kwargs)

        with mock.patch.object(services, "route", route_after_both_looked):
            outcomes = race(self.submit, self.submit)

        self.assertTrue(all(isinstance(o, ServiceRequest) for o in outcomes), outcomes)
        self.assertEqual(outcomes[0].pk, outcomes[1].pk)
        self.assertEqual(ServiceRequest.objects.count(), 1)
        self.assertEqual(Event.objects.count(), 2)
        self.assertEqual(outcomes[0].followers.count(), 1)
