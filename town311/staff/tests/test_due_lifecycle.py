"""The lifecycle sets due dates at submission, reassignment and reopening."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from town311.directory.models import Holiday
from town311.servicerequests import services
from town311.servicerequests.models import Resolution
from town311.test import CENTRE, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


class DueDatesLifecycleTestCase(BaseTestCase):
    def submit(self, at: datetime, **fields):
        fields.setdefault("service", self.pothole)
        return services.request_submit(lat=CENTRE[0], long=CENTRE[1], at=at, **fields)

    def test_it_sets_both_due_dates_at_submission(self) -> None:
        Holiday.objects.create(date=date(2026, 5, 25), name="Memorial Day")

        service_request = self.submit(local(2026, 5, 22, 15, 0))

        # Roads: 2 days to acknowledge, 10 to close, Memorial Day skipped.
        service_request.refresh_from_db()
        self.assertEqual(service_request.acknowledge_due_at, local(2026, 5, 27, 15))
        self.assertEqual(service_request.close_due_at, local(2026, 6, 8, 15))

    def test_it_restarts_the_clock_with_the_new_departments_targets(self) -> None:
        service_request = self.submit(local(2026, 5, 18, 10, 0))

        services.request_reassign(
            service_request,
            by=self.roads_clerk,
            department=self.parks,
            reason="The hole is on a park path.",
            at=local(2026, 5, 19, 16, 0),
        )

        # Parks: 1 day to acknowledge, 14 to close, from Tuesday 16:00;
        # the 14th working day after it is Monday 8 June.
        self.assertEqual(service_request.acknowledge_due_at, local(2026, 5, 20, 16))
        self.assertEqual(service_request.close_due_at, local(2026, 6, 8, 16))

    def test_it_gives_a_reopened_request_its_close_target_again(self) -> None:
        service_request = self.submit(local(2026, 5, 18, 10, 0))
        services.request_close(
            service_request,
            by=self.roads_clerk,
            resolution=Resolution.FIXED,
            at=local(2026, 5, 19, 9, 0),
        )
        acknowledge_due_at = service_request.acknowledge_due_at

        services.request_reopen(
            service_request,
            by=self.roads_clerk,
            reason="The patch sank.",
            at=local(2026, 6, 1, 9, 0),
        )

        self.assertEqual(service_request.close_due_at, local(2026, 6, 15, 9))
        self.assertEqual(service_request.acknowledge_due_at, acknowledge_due_at)

    def test_it_counts_staff_only_services_too(self) -> None:
        service_request = self.submit(
            local(2026, 5, 18, 10, 0),
            service=self.work_order,
            by=self.roads_clerk,
        )
        self.assertEqual(service_request.acknowledge_due_at, local(2026, 5, 20, 10))

    def test_it_keeps_due_dates_through_other_actions(self) -> None:
        service_request = self.submit(local(2026, 5, 18, 10, 0))
        due = service_request.acknowledge_due_at, service_request.close_due_at

        services.request_acknowledge(
            service_request, by=self.roads_clerk, at=local(2026, 5, 18, 11)
        )
        services.request_start_work(
            service_request, by=self.roads_clerk, at=local(2026, 5, 18, 12)
        )

        service_request.refresh_from_db()
        self.assertEqual(
            (service_request.acknowledge_due_at, service_request.close_due_at), due
        )
