from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from town311.accounts.models import User
from town311.directory.models import Department, Service
from town311.metrics.leaderboard import (
    Month,
    MonthError,
    Movement,
    leaderboard_for_month,
    month_last_complete,
    month_parse,
)
from town311.servicerequests import services
from town311.servicerequests.models import Resolution
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
DAY = timedelta(days=1)
# Mondays at 06:00 in the town, well inside their months.
JANUARY_START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
FEBRUARY_START = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
JANUARY, FEBRUARY = Month(2026, 1), Month(2026, 2)


class LeaderboardTownMixin:
    """Two months worked out by hand, in median days (10 requests each
    unless said):

    | department | January ack | February ack | January close | February close |
    | Parks      | 0.5         | 1.0          | 0.5, 5 closed | 5.0            |
    | Lights     | 0.8         | 2.0          | 6.0           | 4.0            |
    | Roads      | 2.0 (3rd)   | 1.0          | 3.0           | 3.0            |
    | Trees      | none        | 1 request    | none          | 1 request      |

    Roads's clocks start when each request entered its queue: half its
    February requests waited 3 days in Parks's queue first.
    """

    def make_months(self) -> None:
        group = self.pothole.group
        self.lights = Department.objects.create(
            name="Lights", slug="lights", email="lights@testville.example"
        )
        self.trees = Department.objects.create(
            name="Trees", slug="trees", email="trees@testville.example"
        )
        self.streetlight = Service.objects.create(
            code="streetlight",
            name="Streetlight out",
            group=group,
            department=self.lights,
        )
        self.tree_down = Service.objects.create(
            code="tree-down", name="Tree down", group=group, department=self.trees
        )
        self.lights_clerk = User.objects.create_user(
            "lights-clerk", role=User.Role.STAFF, department=self.lights
        )
        self.trees_clerk = User.objects.create_user(
            "trees-clerk", role=User.Role.STAFF, department=self.trees
        )

        self.work(self.park_upkeep, self.parks_clerk, JANUARY_START, 0.5, 0.5, 10, 5)
        self.work(self.streetlight, self.lights_clerk, JANUARY_START, 0.8, 6)
        self.work(self.pothole, self.roads_clerk, JANUARY_START, 2, 3)

        self.work(self.park_upkeep, self.parks_clerk, FEBRUARY_START, 1, 5)
        self.work(self.streetlight, self.lights_clerk, FEBRUARY_START, 2, 4)
        self.work(self.pothole, self.roads_clerk, FEBRUARY_START, 1, 3, count=5)
        self.work_reassigned(FEBRUARY_START, count=5)
        self.work(self.tree_down, self.trees_clerk, FEBRUARY_START, 1, 2, count=1)

    def submit(self, service, at):
        with services.history_replay():
            return services.request_submit(
                service=service,
                lat=CENTRE[0],
                long=CENTRE[1],
                reporter_email=RESIDENT_EMAIL,
                at=at,
            )

    def work(self, service, clerk, start, ack_days, close_days, count=10, closed=None):
        """`count` requests acknowledged after `ack_days`, the first `closed`
        of them (all by default) closed after `close_days`."""
        closed = count if closed is None else closed
        for number in range(count):
            service_request = self.submit(service, start)
            services.request_acknowledge(
                service_request, by=clerk, at=start + ack_days * DAY
            )
            if number < closed:
                services.request_close(
                    service_request,
                    by=clerk,
                    resolution=Resolution.FIXED,
                    at=start + close_days * DAY,
                )

    def work_reassigned(self, start, count):
        """Roads requests that spent 3 days in Parks's queue, then took Roads
        1 day to acknowledge and 3 to close."""
        entered = start + 3 * DAY
        for _ in range(count):
            service_request = self.submit(self.park_upkeep, start)
            services.request_reassign(
                service_request, by=self.coordinator, department=self.roads, at=entered
            )
            services.request_acknowledge(
                service_request, by=self.roads_clerk, at=entered + DAY
            )
            services.request_close(
                service_request,
                by=self.roads_clerk,
                resolution=Resolution.FIXED,
                at=entered + 3 * DAY,
            )


class LeaderboardTests(LeaderboardTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_months()
        self.board = leaderboard_for_month(month=FEBRUARY, zone=CHICAGO)

    def placings(self, ranking) -> list[tuple]:
        return [
            (p.department.slug, p.rank, p.median_days, p.count, p.movement)
            for p in ranking.placings
        ]

    def test_it_ranks_by_median_time_to_acknowledge_and_ties_share_a_rank(self):
        self.assertEqual(
            self.placings(self.board.acknowledge),
            [
                ("parks", 1, 1.0, 10, Movement("same")),
                ("roads", 1, 1.0, 10, Movement("up", 2)),
                ("lights", 3, 2.0, 10, Movement("down", 1)),
            ],
        )

    def test_it_ranks_by_median_time_to_close_with_new_departments(self):
        self.assertEqual(
            self.placings(self.board.close),
            [
                ("roads", 1, 3.0, 10, Movement("same")),
                ("lights", 2, 4.0, 10, Movement("same")),
                # Only 5 closes in January, so it was not ranked then.
                ("parks", 3, 5.0, 10, Movement("new")),
            ],
        )

    def test_it_names_the_most_improved_department_for_each_figure(self):
        acknowledge = self.board.acknowledge.most_improved
        close = self.board.close.most_improved

        self.assertEqual(
            [(i.department, i.previous_days, i.median_days) for i in acknowledge],
            [(self.roads, 2.0, 1.0)],
        )
        self.assertEqual(
            [(i.department, i.drop_days) for i in close], [(self.lights, 2.0)]
        )

    def test_it_lists_departments_with_too_few_requests_apart(self):
        for ranking in (self.board.acknowledge, self.board.close):
            self.assertEqual(
                [(u.department, u.count) for u in ranking.unranked], [(self.trees, 1)]
            )
            self.assertNotIn(self.trees, [p.department for p in ranking.placings])

    def test_a_month_without_enough_requests_has_no_ranking(self):
        board = leaderboard_for_month(month=Month(2025, 6), zone=CHICAGO)

        self.assertEqual(board.acknowledge.placings, [])
        self.assertEqual(board.close.most_improved, [])


class MonthTests(BaseTestCase):
    NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)

    def test_the_last_complete_month_is_counted_in_the_towns_time_zone(self):
        # 21:00 on 28 February in Chicago: March has not begun there.
        now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)

        self.assertEqual(month_last_complete(now=now, zone=CHICAGO), JANUARY)

    def test_it_rolls_back_over_new_year(self):
        now = datetime(2026, 1, 10, tzinfo=UTC)

        self.assertEqual(month_last_complete(now=now, zone=CHICAGO), Month(2025, 12))

    def test_it_reads_a_month(self):
        self.assertEqual(month_parse("2026-02", now=self.NOW, zone=CHICAGO), FEBRUARY)

    def test_it_refuses_what_is_not_a_month_it_can_show(self):
        for text, message in [
            ("February", "is not a month"),
            ("2026-2", "is not a month"),
            ("2026-13", "months run from 01 to 12"),
            ("0001-01", "too long ago"),
            ("2026-04", "April 2026 has not begun yet"),
        ]:
            with self.subTest(text), self.assertRaisesMessage(MonthError, message):
                month_parse(text, now=self.NOW, zone=CHICAGO)


class LeaderboardPageTests(LeaderboardTownMixin, BaseTestCase):
    url = reverse("metrics:leaderboard")

    def setUp(self) -> None:
        super().setUp()
        self.make_months()
        self.client.force_login(self.parks_clerk)

    def test_any_staff_member_sees_the_month_asked_for(self):
        response = self.client.get(self.url, {"month": "2026-02"})

        self.assertContains(
            response, "<h1>Leaderboard for February 2026</h1>", html=True
        )
        self.assertContains(response, "Too few requests this month to rank fairly")
        self.assertContains(response, "Most improved:")
        self.assertContains(
            response, '<span class="visually-hidden">up 2 places</span>', html=True
        )
        self.assertContains(response, "entered their queue")
        self.assertNotContains(response, "worst")

    @time_machine.travel(datetime(2026, 3, 1, 3, 0, tzinfo=UTC), tick=False)
    def test_it_shows_the_last_complete_month_by_default(self):
        response = self.client.get(self.url)

        # Still 28 February in Chicago, so January is the last complete one.
        self.assertEqual(response.context["month"], JANUARY)
        self.assertContains(response, "Leaderboard for January 2026")

    @time_machine.travel(datetime(2026, 3, 15, 12, 0, tzinfo=UTC), tick=False)
    def test_a_bad_month_gets_a_clear_message(self):
        for month, message in [
            ("banana", "“banana” is not a month"),
            ("2026-13", "months run from 01 to 12"),
            ("2030-01", "January 2030 has not begun yet"),
        ]:
            with self.subTest(month):
                response = self.client.get(self.url, {"month": month})

                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "Show February 2026", status_code=400)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.client.logout()

        response = self.client.get(self.url)

        self.assertRedirects(
            response, f"/staff/login/?next={self.url}", fetch_redirect_response=False
        )
