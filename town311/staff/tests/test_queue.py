from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from town311.accounts.models import User
from town311.directory.models import Neighbourhood
from town311.servicerequests import services
from town311.servicerequests.models import (
    Channel,
    Follower,
    MeToo,
    ServiceRequest,
)
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase, square

# 10:00 in Testville (America/Chicago keeps daylight time from 8 March 2026),
# so the town's day began at 05:00 UTC.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TOWN_MIDNIGHT = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)


class QueueTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def submit(self, service=None, *, ago=timedelta(0), **fields) -> ServiceRequest:
        fields.setdefault("lat", CENTRE[0])
        fields.setdefault("long", CENTRE[1])
        fields.setdefault("reporter_email", RESIDENT_EMAIL)
        return services.request_submit(
            service=service or self.pothole, at=NOW - ago, **fields
        )

    def many(self, count: int, *, department=None) -> list[ServiceRequest]:
        """Requests made straight in the database, for tests that need many."""
        department = department or self.roads
        service = self.pothole if department == self.roads else self.park_upkeep
        return ServiceRequest.objects.bulk_create(
            ServiceRequest(
                service=service,
                lat=CENTRE[0],
                long=CENTRE[1],
                department=department,
                department_entered_at=NOW - timedelta(hours=count - i),
                submitted_at=NOW - timedelta(hours=count - i),
                updated_at=NOW - timedelta(hours=count - i),
            )
            for i in range(count)
        )

    def get_queue(self, user=None, **params):
        self.client.force_login(user or self.roads_clerk)
        return self.client.get(reverse("staff:queue"), params)

    def numbers(self, response) -> list[int]:
        return [row.pk for row in response.context["rows"]]


class QueueListTests(QueueTestCase):
    def test_it_shows_only_the_departments_open_requests(self):
        pothole = self.submit(description="Deep hole")
        self.submit(self.park_upkeep, description="Broken swing")
        closed = self.submit()
        services.request_close(closed, by=self.roads_clerk, resolution="fixed")

        response = self.get_queue()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.numbers(response), [pothole.pk])
        self.assertContains(response, "Roads queue")
        self.assertContains(
            response, f'href="{reverse("staff:request", args=[pothole.pk])}"'
        )
        self.assertNotContains(response, "Park upkeep</td>")

    def test_it_shows_a_coordinator_every_department(self):
        pothole = self.submit(ago=timedelta(days=2))
        park = self.submit(self.park_upkeep, ago=timedelta(days=1))

        response = self.get_queue(self.coordinator)

        self.assertEqual(self.numbers(response), [pothole.pk, park.pk])
        self.assertContains(response, "Queue of all departments")

    def test_it_filters_a_coordinator_by_department(self):
        self.submit()
        park = self.submit(self.park_upkeep)

        response = self.get_queue(self.coordinator, department="parks")

        self.assertEqual(self.numbers(response), [park.pk])
        self.assertContains(response, "Parks queue")

    def test_it_shows_granted_departments_too(self):
        self.roads_clerk.granted_departments.add(self.parks)
        pothole = self.submit(ago=timedelta(days=1))
        park = self.submit(self.park_upkeep)

        response = self.get_queue()

        self.assertEqual(self.numbers(response), [pothole.pk, park.pk])
        self.assertContains(response, "Your queues")

    def test_it_refuses_a_department_the_person_does_not_work(self):
        self.parks_clerk.granted_departments.add(self.parks)
        self.submit()

        response = self.get_queue(self.parks_clerk, department="roads")

        self.assertEqual(self.numbers(response), [])
        self.assertContains(response, "That is not a queue you work")

    def test_it_ignores_a_department_filter_for_a_clerk_of_one_department(self):
        park = self.submit(self.park_upkeep)

        response = self.get_queue(self.parks_clerk, department="roads")

        self.assertEqual(self.numbers(response), [park.pk])

    def test_it_lists_the_oldest_first(self):
        new = self.submit(ago=timedelta(hours=1))
        old = self.submit(ago=timedelta(days=3))
        middle = self.submit(ago=timedelta(days=1))

        response = self.get_queue()

        self.assertEqual(self.numbers(response), [old.pk, middle.pk, new.pk])

    def test_it_lists_the_newest_first_when_asked(self):
        new = self.submit(ago=timedelta(hours=1))
        old = self.submit(ago=timedelta(days=3))

        response = self.get_queue(sort="newest")

        self.assertEqual(self.numbers(response), [new.pk, old.pk])

    def test_it_sorts_by_impact(self):
        quiet = self.submit(ago=timedelta(days=3))
        followed = self.submit(ago=timedelta(days=2))
        for email in ("a@example.org", "b@example.org"):
            Follower.objects.create(request=followed, email=email)
        shared = self.submit(ago=timedelta(days=1))
        for visitor in ("one", "two", "three"):
            MeToo.objects.create(request=shared, visitor=visitor)

        response = self.get_queue(sort="impact")

        self.assertEqual(self.numbers(response), [shared.pk, followed.pk, quiet.pk])
        rows = {row.pk: row for row in response.context["rows"]}
        # The reporter follows their own request.
        self.assertEqual(rows[shared.pk].impact, 4)
        self.assertEqual(rows[followed.pk].impact, 3)
        self.assertEqual(rows[quiet.pk].impact, 1)

    def test_it_sorts_by_the_due_date_that_matters_now(self):
        later = self.submit(ago=timedelta(days=3))
        sooner = self.submit(ago=timedelta(days=2))
        acknowledged = self.submit(ago=timedelta(days=1))
        undated = self.submit()
        services.request_acknowledge(acknowledged, by=self.roads_clerk)
        ServiceRequest.objects.filter(pk=later.pk).update(
            acknowledge_due_at=NOW + timedelta(days=2)
        )
        ServiceRequest.objects.filter(pk=sooner.pk).update(
            acknowledge_due_at=NOW + timedelta(hours=1)
        )
        # Acknowledged: what counts now is its close date.
        ServiceRequest.objects.filter(pk=acknowledged.pk).update(
            acknowledge_due_at=NOW - timedelta(days=5),
            close_due_at=NOW + timedelta(days=1),
        )
        ServiceRequest.objects.filter(pk=undated.pk).update(
            acknowledge_due_at=None, close_due_at=None
        )

        response = self.get_queue(sort="due")

        self.assertEqual(
            self.numbers(response),
            [sooner.pk, acknowledged.pk, later.pk, undated.pk],
        )

    def test_it_paginates_by_fifty(self):
        made = self.many(51)

        first = self.get_queue()
        second = self.get_queue(page=2)

        self.assertEqual(len(first.context["rows"]), 50)
        self.assertEqual(self.numbers(second), [made[-1].pk])
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "51 open requests")

    def test_it_keeps_the_filters_in_page_links(self):
        self.many(51)

        response = self.get_queue(sort="newest")

        self.assertContains(response, 'href="?sort=newest&amp;page=2"')

    def test_it_costs_the_same_queries_for_more_rows(self):
        self.many(5)
        self.client.force_login(self.roads_clerk)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("staff:queue"))

        self.many(25)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(reverse("staff:queue"))

        self.assertEqual(len(response.context["rows"]), 30)

    def test_it_shows_age_status_assignee_channel_and_blocker(self):
        from town311.directory.models import Blocker

        blocker = Blocker.objects.create(
            name="Waiting on a contractor", public_text="A contractor does it."
        )
        request = self.submit(
            ago=timedelta(days=3, hours=2), channel=Channel.PHONE, by=self.roads_clerk
        )
        services.request_assign(request, by=self.roads_lead, assignee=self.roads_clerk)
        ServiceRequest.objects.filter(pk=request.pk).update(blocker=blocker)

        response = self.get_queue()

        self.assertContains(response, "3\u00a0days")
        self.assertContains(response, "Submitted")
        self.assertContains(response, "Rosa")
        self.assertContains(response, "Phone")
        self.assertContains(response, "Waiting on a contractor")

    def test_it_sends_a_resident_to_sign_in(self):
        response = self.client.get(reverse("staff:queue"))

        self.assertRedirects(
            response,
            f"{reverse('staff:login')}?next={reverse('staff:queue')}",
            fetch_redirect_response=False,
        )

    def test_it_refuses_an_account_without_a_department(self):
        nobody = User.objects.create_user("nobody")
        self.client.force_login(nobody)

        response = self.client.get(reverse("staff:queue"))

        self.assertEqual(response.status_code, 403)

    def test_it_answers_htmx_with_the_results_only(self):
        self.submit()
        self.client.force_login(self.roads_clerk)

        response = self.client.get(
            reverse("staff:queue"), {"older_than": "x"}, HTTP_HX_REQUEST="true"
        )

        self.assertTemplateUsed(response, "staff/queue_results.html")
        self.assertTemplateNotUsed(response, "staff/queue.html")
        self.assertContains(response, 'id="queue-results"')
        self.assertContains(response, 'hx-swap-oob="true"')
        self.assertContains(response, "Enter a whole number of days")


class QueueFilterTests(QueueTestCase):
    def test_it_filters_by_service(self):
        self.submit()
        park = self.submit(self.park_upkeep)

        response = self.get_queue(self.coordinator, service="park-upkeep")

        self.assertEqual(self.numbers(response), [park.pk])

    def test_it_filters_by_status(self):
        self.submit()
        acknowledged = self.submit()
        services.request_acknowledge(acknowledged, by=self.roads_clerk)

        response = self.get_queue(status="acknowledged")

        self.assertEqual(self.numbers(response), [acknowledged.pk])

    def test_it_refuses_the_closed_status(self):
        open_request = self.submit()

        response = self.get_queue(status="closed")

        self.assertEqual(self.numbers(response), [open_request.pk])
        self.assertContains(response, "The queue holds open requests only")

    def test_it_filters_by_age(self):
        old = self.submit(ago=timedelta(days=8))
        self.submit(ago=timedelta(days=6))

        response = self.get_queue(older_than="7")

        self.assertEqual(self.numbers(response), [old.pk])

    def test_it_reports_a_bad_age_and_leaves_it_out(self):
        request = self.submit()

        response = self.get_queue(older_than="a week")

        self.assertEqual(self.numbers(response), [request.pk])
        self.assertContains(response, "Enter a whole number of days, such as 7.")

    def test_it_filters_by_assignee(self):
        mine = self.submit(ago=timedelta(days=3))
        leads = self.submit(ago=timedelta(days=2))
        nobodys = self.submit(ago=timedelta(days=1))
        services.request_assign(mine, by=self.roads_lead, assignee=self.roads_clerk)
        services.request_assign(leads, by=self.roads_lead, assignee=self.roads_lead)

        self.assertEqual(self.numbers(self.get_queue(assignee="me")), [mine.pk])
        self.assertEqual(self.numbers(self.get_queue(assignee="nobody")), [nobodys.pk])
        self.assertEqual(
            self.numbers(self.get_queue(assignee=str(self.roads_lead.pk))), [leads.pk]
        )

    def test_it_refuses_an_assignee_of_another_department(self):
        self.submit()

        response = self.get_queue(assignee=str(self.parks_clerk.pk))

        self.assertContains(response, "That person does not work these queues")

    def test_it_filters_by_channel(self):
        self.submit()
        phoned = self.submit(channel=Channel.PHONE, by=self.roads_clerk)

        response = self.get_queue(channel="phone")

        self.assertEqual(self.numbers(response), [phoned.pk])

    def test_it_filters_by_area(self):
        Neighbourhood.objects.create(
            name="Old Mill",
            slug="old-mill",
            area=square(CENTRE[0] + 0.005, CENTRE[1] + 0.005, 0.002),
        )
        inside = self.submit(lat=CENTRE[0] + 0.005, long=CENTRE[1] + 0.005)
        self.submit()

        response = self.get_queue(area="old-mill")

        self.assertEqual(self.numbers(response), [inside.pk])
        self.assertContains(response, "Old Mill")

    def test_it_searches_description_address_and_number(self):
        hole = self.submit(description="Deep hole by the school", ago=timedelta(1))
        street = self.submit(address="40 Oak Avenue")

        self.assertEqual(self.numbers(self.get_queue(q="school")), [hole.pk])
        self.assertEqual(self.numbers(self.get_queue(q="oak avenue")), [street.pk])
        self.assertEqual(self.numbers(self.get_queue(q=f"#{street.pk}")), [street.pk])
        self.assertEqual(self.numbers(self.get_queue(q="9" * 30)), [])


class QueueCountTests(QueueTestCase):
    def test_it_counts_new_today_from_the_towns_midnight(self):
        self.submit(ago=NOW - (TOWN_MIDNIGHT + timedelta(minutes=30)))
        # Today in UTC, but yesterday evening in the town.
        self.submit(ago=NOW - (TOWN_MIDNIGHT - timedelta(minutes=30)))
        closed = self.submit(ago=timedelta(hours=1))
        services.request_close(closed, by=self.roads_clerk, resolution="fixed")

        counts = self.get_queue().context["counts"]

        self.assertEqual(counts["new_today"], 2)

    def test_it_counts_unacknowledged_and_overdue(self):
        self.submit()
        late = self.submit(ago=timedelta(days=3))
        acknowledged = self.submit(ago=timedelta(days=1))
        services.request_acknowledge(acknowledged, by=self.roads_clerk)
        past_close = self.submit(ago=timedelta(days=20))
        services.request_acknowledge(past_close, by=self.roads_clerk)
        ServiceRequest.objects.filter(pk=late.pk).update(
            acknowledge_due_at=NOW - timedelta(hours=1)
        )
        ServiceRequest.objects.filter(pk=past_close.pk).update(
            close_due_at=NOW - timedelta(days=1)
        )
        self.submit(self.park_upkeep, ago=timedelta(days=9))

        response = self.get_queue()
        counts = response.context["counts"]

        self.assertEqual(counts["unacknowledged"], 2)
        self.assertEqual(counts["overdue"], 2)
        self.assertContains(response, "<dt>Overdue</dt>\n    <dd>2</dd>", html=False)

    def test_it_counts_a_coordinators_chosen_department(self):
        self.submit()
        self.submit(self.park_upkeep)

        counts = self.get_queue(self.coordinator, department="parks").context["counts"]

        self.assertEqual(counts["unacknowledged"], 1)


class QueueBadgeTests(QueueTestCase):
    def badges(self, request) -> tuple[bool, bool]:
        response = self.get_queue()
        row = next(row for row in response.context["rows"] if row.pk == request.pk)
        return row.is_late_to_acknowledge, row.has_no_recent_update

    def test_it_flags_a_request_past_its_acknowledgment_due_date(self):
        request = self.submit(ago=timedelta(hours=5))
        ServiceRequest.objects.filter(pk=request.pk).update(
            acknowledge_due_at=NOW - timedelta(minutes=1)
        )

        self.assertEqual(self.badges(request), (True, False))
        self.assertContains(self.get_queue(), "Not acknowledged within target")

    def test_it_uses_the_department_target_without_a_due_date(self):
        late = self.submit(ago=timedelta(days=2, minutes=1))
        in_time = self.submit(ago=timedelta(days=1, hours=23))
        ServiceRequest.objects.update(acknowledge_due_at=None)

        self.assertEqual(self.badges(late), (True, False))
        self.assertEqual(self.badges(in_time), (False, False))

    def test_it_counts_from_when_the_request_entered_the_queue(self):
        request = self.submit(self.park_upkeep, ago=timedelta(days=5))
        ServiceRequest.objects.filter(pk=request.pk).update(
            acknowledge_due_at=None, department_entered_at=NOW - timedelta(hours=1)
        )
        services.request_reassign(request, by=self.coordinator, department=self.roads)
        ServiceRequest.objects.filter(pk=request.pk).update(acknowledge_due_at=None)

        self.assertEqual(self.badges(request), (False, False))

    def test_it_does_not_flag_an_acknowledged_request_as_late(self):
        request = self.submit(ago=timedelta(days=5))
        services.request_acknowledge(request, by=self.roads_clerk)
        ServiceRequest.objects.filter(pk=request.pk).update(
            acknowledge_due_at=NOW - timedelta(days=3)
        )

        self.assertEqual(self.badges(request), (False, False))

    def test_it_flags_a_request_without_an_update_in_14_days(self):
        stale = self.submit(ago=timedelta(days=15))
        services.request_acknowledge(stale, by=self.roads_clerk, at=NOW - timedelta(15))
        fresh = self.submit(ago=timedelta(days=15))
        services.request_acknowledge(fresh, by=self.roads_clerk)

        self.assertEqual(self.badges(stale), (False, True))
        self.assertEqual(self.badges(fresh), (False, False))
        self.assertContains(self.get_queue(), "No update in 14 days")


class QueueMapTests(QueueTestCase):
    def get_map(self, user=None, **params):
        self.client.force_login(user or self.roads_clerk)
        return self.client.get(reverse("staff:queue-map"), params)

    def test_it_gives_the_filtered_queue_as_geojson(self):
        request = self.submit(lat=CENTRE[0] + 0.001, long=CENTRE[1] - 0.002)
        services.request_acknowledge(request, by=self.roads_clerk)
        self.submit()
        self.submit(self.park_upkeep)

        response = self.get_map(status="acknowledged")

        self.assertEqual(response["Content-Type"], "application/geo+json")
        self.assertEqual(
            response.json()["features"],
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [CENTRE[1] - 0.002, CENTRE[0] + 0.001],
                    },
                    "properties": {
                        "number": str(request.pk),
                        "service": "Pothole",
                        "status": "acknowledged",
                        "url": reverse("staff:request", args=[request.pk]),
                    },
                }
            ],
        )

    def test_it_gives_only_requests_the_person_may_see(self):
        self.submit()
        park = self.submit(self.park_upkeep)

        response = self.get_map(self.parks_clerk, department="roads")

        numbers = [f["properties"]["number"] for f in response.json()["features"]]
        self.assertEqual(numbers, [str(park.pk)])

    def test_it_needs_a_staff_sign_in(self):
        response = self.client.get(reverse("staff:queue-map"))

        self.assertEqual(response.status_code, 302)

    def test_the_map_view_links_the_filtered_geojson(self):
        self.submit()

        response = self.get_queue(view="map", status="submitted")

        self.assertContains(
            response, f'data-queue-map="{reverse("staff:queue-map")}?status=submitted"'
        )
        self.assertContains(response, 'href="?status=submitted"')
