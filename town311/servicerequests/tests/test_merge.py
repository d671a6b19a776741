from town311.lib.errors import InvalidTransition
from town311.servicerequests import services
from town311.servicerequests.models import (
    Event,
    Follower,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase
from town311.test import RESIDENT_EMAIL


class MergeTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.original = self.make_request(Status.ACKNOWLEDGED)
        Follower.objects.create(
            request=self.original, email="first@example.org", is_reporter=True
        )
        self.duplicate = self.make_request()
        Follower.objects.create(
            request=self.duplicate, email=RESIDENT_EMAIL, is_reporter=True
        )
        Follower.objects.create(request=self.duplicate, email="neighbour@example.org")

    def followers(self, request: ServiceRequest) -> list[tuple[str, bool]]:
        return list(
            request.followers.order_by("email").values_list("email", "is_reporter")
        )

    def test_it_moves_followers_to_the_original(self):
        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )

        # Only the original's reporter stays the reporter.
        self.assertEqual(
            self.followers(self.original),
            [
                ("first@example.org", True),
                ("neighbour@example.org", False),
                (RESIDENT_EMAIL, False),
            ],
        )
        self.assertEqual(self.followers(self.duplicate), [])

    def test_it_does_not_duplicate_someone_following_both(self):
        Follower.objects.create(request=self.original, email=RESIDENT_EMAIL)

        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )

        self.assertEqual(
            self.followers(self.original),
            [
                ("first@example.org", True),
                ("neighbour@example.org", False),
                (RESIDENT_EMAIL, False),
            ],
        )
        # Their follow of the duplicate stays where it was, harmlessly.
        self.assertEqual(self.followers(self.duplicate), [(RESIDENT_EMAIL, True)])
        note = self.original.events.get()
        self.assertIn("1 follower(s) moved here", note.text)

    def test_it_records_events_on_both_requests(self):
        self.clock.shift(HOUR)

        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )

        merged = self.duplicate.events.get()
        self.assertEqual(merged.kind, Event.Kind.MERGED)
        self.assertEqual(merged.actor, self.roads_clerk)
        self.assertEqual(merged.duplicate_of, self.original)
        self.assertEqual(merged.resolution, Resolution.DUPLICATE)
        self.assertEqual(merged.from_status, Status.SUBMITTED)
        self.assertEqual(merged.to_status, Status.CLOSED)
        self.assertEqual(merged.text, f"Merged into request {self.original.number}.")
        self.assertEqual(merged.created_at, SUBMITTED_AT + HOUR)
        self.assertTrue(merged.is_public)

        note = self.original.events.get()
        self.assertEqual(note.kind, Event.Kind.NOTE)
        self.assertEqual(note.actor, self.roads_clerk)
        self.assertEqual(
            note.text,
            f"Request {self.duplicate.number} was merged into this one; "
            "2 follower(s) moved here.",
        )
        self.assertFalse(note.is_public)

        # The original itself goes on as it was.
        self.original.refresh_from_db()
        self.assertEqual(self.original.status, Status.ACKNOWLEDGED)
        self.assertIsNone(self.original.closed_at)

    def test_it_closes_the_duplicate(self):
        self.clock.shift(HOUR)

        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )

        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.status, Status.CLOSED)
        self.assertEqual(self.duplicate.resolution, Resolution.DUPLICATE)
        self.assertEqual(self.duplicate.duplicate_of, self.original)
        self.assertEqual(self.duplicate.closed_at, SUBMITTED_AT + HOUR)
        self.assertEqual(self.duplicate.acknowledged_at, SUBMITTED_AT + HOUR)

    def test_it_points_a_chain_at_the_root(self):
        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )
        third = self.make_request()
        Follower.objects.create(request=third, email="late@example.org")

        # Staff picked the duplicate as the original; the root is meant.
        services.request_merge(third, by=self.roads_clerk, original=self.duplicate)

        third.refresh_from_db()
        self.assertEqual(third.duplicate_of, self.original)
        self.assertEqual(third.events.get().duplicate_of, self.original)
        self.assertIn(("late@example.org", False), self.followers(self.original))
        self.assertEqual(self.original.events.count(), 2)
        self.assertEqual(self.duplicate.events.count(), 1)

    def test_it_refuses_an_original_merged_into_the_request(self):
        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )
        before = self.stored(self.duplicate)

        error = self.assertRefused(
            InvalidTransition,
            services.request_merge,
            self.original,
            by=self.roads_clerk,
            original=self.duplicate,
        )
        self.assertEqual(
            error.message,
            f"Request {self.duplicate.number} was already merged into request "
            f"{self.original.number}, so it cannot be the original.",
        )
        self.assertEqual(self.stored(self.duplicate), before)

    def test_it_forgets_the_original_when_the_duplicate_is_reopened(self):
        services.request_merge(
            self.duplicate, by=self.roads_clerk, original=self.original
        )

        services.request_reopen(self.duplicate, by=self.roads_clerk)

        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.status, Status.ACKNOWLEDGED)
        self.assertIsNone(self.duplicate.duplicate_of)
        self.assertEqual(self.duplicate.resolution, "")
