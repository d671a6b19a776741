from datetime import timedelta

from town311.lib.errors import InvalidInput
from town311.servicerequests import engagement, services
from town311.servicerequests.models import (
    Event,
    Follower,
    MeToo,
    Rating,
    Resolution,
    Status,
)
from town311.servicerequests.tests.base import LifecycleTestCase
from town311.test import RESIDENT_EMAIL

DAY = timedelta(days=1)
VISITOR = "a" * 64


class FollowTests(LifecycleTestCase):
    def test_it_normalises_the_address_and_follows_once(self):
        request = self.make_request()

        first = engagement.request_follow(request, email="  Neighbour@Example.ORG ")
        second = engagement.request_follow(request, email="neighbour@example.org")

        self.assertEqual(first, second)
        self.assertEqual(first.email, "neighbour@example.org")
        self.assertFalse(first.is_reporter)
        self.assertEqual(request.followers.count(), 1)

    def test_it_refuses_a_bad_address(self):
        request = self.make_request()

        for email in ("", "not an address", "a@b"):
            with self.subTest(email=email):
                with self.assertRaises(InvalidInput) as caught:
                    engagement.request_follow(request, email=email)
                self.assertIn("name@example.org", caught.exception.errors["email"])

        self.assertFalse(Follower.objects.exists())

    def test_it_keeps_the_reporter_as_reporter(self):
        request = self.make_request()
        Follower.objects.create(request=request, email=RESIDENT_EMAIL, is_reporter=True)

        follower = engagement.request_follow(request, email=RESIDENT_EMAIL.upper())

        self.assertTrue(follower.is_reporter)

    def test_it_follows_the_original_of_a_duplicate(self):
        original = self.make_request()
        duplicate = self.make_request(
            Status.CLOSED, resolution=Resolution.DUPLICATE, duplicate_of=original
        )

        follower = engagement.request_follow(duplicate, email="n@example.org")

        self.assertEqual(follower.request, original)
        self.assertFalse(duplicate.followers.exists())

    def test_it_follows_a_recently_closed_request(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(29 * DAY)

        engagement.request_follow(request, email="n@example.org")

        self.assertEqual(request.followers.count(), 1)

    def test_it_refuses_a_request_closed_long_ago(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(31 * DAY)

        with self.assertRaises(engagement.FollowingEnded) as caught:
            engagement.request_follow(request, email="n@example.org")

        self.assertIn("report it again", caught.exception.message)

    def test_it_refuses_private_requests(self):
        for fields in ({"is_public": False}, {"service": self.work_order}):
            with self.subTest(fields=fields):
                request = self.make_request(**fields)
                with self.assertRaises(engagement.NotPublic):
                    engagement.request_follow(request, email="n@example.org")


class MeTooTests(LifecycleTestCase):
    def test_it_counts_each_visitor_once(self):
        request = self.make_request()

        self.assertTrue(engagement.request_me_too(request, visitor=VISITOR))
        self.assertFalse(engagement.request_me_too(request, visitor=VISITOR))
        self.assertTrue(engagement.request_me_too(request, visitor="b" * 64))

        self.assertEqual(request.me_toos.count(), 2)

    def test_it_refuses_a_closed_request(self):
        request = self.make_request(Status.CLOSED)

        with self.assertRaises(engagement.MeTooClosed):
            engagement.request_me_too(request, visitor=VISITOR)

        self.assertFalse(MeToo.objects.exists())

    def test_it_refuses_private_requests(self):
        request = self.make_request(service=self.work_order)

        with self.assertRaises(engagement.NotPublic):
            engagement.request_me_too(request, visitor=VISITOR)

    def test_it_needs_a_visitor_hash(self):
        request = self.make_request()

        for visitor in ("", "x" * 65):
            with self.subTest(visitor=visitor), self.assertRaises(ValueError):
                engagement.request_me_too(request, visitor=visitor)


class RateTests(LifecycleTestCase):
    def rate(self, request, **fields):
        values = {"email": RESIDENT_EMAIL, "is_fixed": True, "score": 4}
        values.update(fields)
        return engagement.request_rate(request, **values)

    def test_it_keeps_a_fixed_rating(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(DAY)

        rating = self.rate(request, comment="  Thanks, quick work ")

        self.assertTrue(rating.is_fixed)
        self.assertEqual(rating.score, 4)
        self.assertEqual(rating.comment, "Thanks, quick work")
        self.assertEqual(request.status, Status.CLOSED)
        self.assertFalse(request.events.filter(kind=Event.Kind.REOPENED).exists())

    def test_not_fixed_within_30_days_reopens(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(30 * DAY)

        self.rate(request, is_fixed=False, score=1, comment="Still there, 555-0100")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertIsNone(request.closed_at)
        self.assertEqual(request.resolution, "")
        reopened = request.events.get(kind=Event.Kind.REOPENED)
        self.assertIsNone(reopened.actor)
        self.assertTrue(reopened.is_public)
        # The comment may hold personal details; the public event does not.
        self.assertNotIn("555-0100", reopened.text)
        self.assertEqual(Rating.objects.get().comment, "Still there, 555-0100")

    def test_not_fixed_after_30_days_only_keeps_the_rating(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(30 * DAY + timedelta(minutes=1))

        rating = self.rate(request, is_fixed=False, score=2)

        self.assertFalse(rating.is_fixed)
        self.assertEqual(request.status, Status.CLOSED)
        self.assertFalse(request.events.filter(kind=Event.Kind.REOPENED).exists())

    def test_rating_the_same_close_again_replaces_the_rating(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(DAY)
        first = self.rate(request, score=5)
        self.clock.shift(DAY)

        second = self.rate(request, is_fixed=False, score=2, comment="It broke again")

        self.assertEqual(first.pk, second.pk)
        stored = Rating.objects.get()
        self.assertEqual((stored.is_fixed, stored.score), (False, 2))
        self.assertEqual(request.status, Status.ACKNOWLEDGED)

    def test_each_close_gets_its_own_rating(self):
        request = self.make_request(Status.CLOSED)
        self.clock.shift(DAY)
        self.rate(request, is_fixed=False, score=1)
        self.clock.shift(DAY)
        services.request_close(request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(DAY)

        self.rate(request, score=5)

        scores = list(request.ratings.values_list("score", flat=True))
        self.assertEqual(scores, [5, 1])

    def test_it_refuses_an_open_request(self):
        request = self.make_request(Status.ACKNOWLEDGED)

        with self.assertRaises(engagement.RatingRefused) as caught:
            self.rate(request)

        self.assertIn("open", caught.exception.message)
        self.assertFalse(Rating.objects.exists())

    def test_it_refuses_anyone_but_the_reporter(self):
        request = self.make_request(Status.CLOSED)

        with self.assertRaises(engagement.RatingRefused) as caught:
            self.rate(request, email="neighbour@example.org", is_fixed=False)

        self.assertIn("Only the person who reported", caught.exception.message)
        self.assertEqual(request.status, Status.CLOSED)

    def test_it_matches_the_reporter_whatever_the_case(self):
        request = self.make_request(Status.CLOSED)

        self.rate(request, email=RESIDENT_EMAIL.upper())

        self.assertEqual(Rating.objects.count(), 1)

    def test_it_refuses_duplicates_and_withdrawn_requests(self):
        original = self.make_request()
        duplicate = self.make_request(
            Status.CLOSED, resolution=Resolution.DUPLICATE, duplicate_of=original
        )
        withdrawn = self.make_request(Status.CLOSED, resolution=Resolution.WITHDRAWN)

        with self.assertRaises(engagement.RatingRefused) as caught:
            self.rate(duplicate, is_fixed=False)
        self.assertIn(f"duplicate of request {original.pk}", caught.exception.message)

        with self.assertRaises(engagement.RatingRefused):
            self.rate(withdrawn, is_fixed=False)

        self.assertFalse(Rating.objects.exists())

    def test_it_checks_the_answers(self):
        request = self.make_request(Status.CLOSED)

        with self.assertRaises(InvalidInput) as caught:
            self.rate(request, is_fixed="no", score=6, comment="x" * 2001)

        self.assertEqual(set(caught.exception.errors), {"is_fixed", "score", "comment"})
        self.assertFalse(Rating.objects.exists())
