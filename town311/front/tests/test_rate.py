from django.urls import reverse

from town311.front.tests.base import DAY, FrontTestCase
from town311.servicerequests import services, tokens
from town311.servicerequests.models import Event, Rating, Status
from town311.test import RESIDENT_EMAIL


class RateTests(FrontTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit()
        services.request_close(
            self.request, by=self.roads_clerk, resolution="fixed", message="Filled."
        )

    def url(self, email=RESIDENT_EMAIL, kind="rating"):
        pk = self.request.pk
        token = tokens.token_make(kind, request_id=pk, email=email)
        return reverse("front:rate", args=[pk, token])

    def rate(self, **data):
        values = {"is_fixed": "yes", "score": "4", "comment": ""}
        values.update(data)
        return self.client.post(self.url(), values)

    def test_it_shows_the_form(self):
        response = self.client.get(self.url())

        self.assertContains(
            response, "<legend>Is the problem fixed?</legend>", html=True
        )
        self.assertContains(response, 'type="radio"', 7)
        self.assertContains(response, "5: very good")
        self.assertContains(response, "Only town staff read this.")
        self.assertNoPrivateDetails(response)

    def test_a_fixed_rating_is_kept(self):
        response = self.rate(score="5", comment="Quick work, thanks")

        self.assertContains(response, "Thank you for rating")
        rating = Rating.objects.get()
        self.assertEqual((rating.is_fixed, rating.score), (True, 5))
        self.assertEqual(rating.comment, "Quick work, thanks")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)

    def test_not_fixed_reopens_the_request(self):
        self.clock.shift(3 * DAY)

        response = self.rate(is_fixed="no", score="1")

        self.assertContains(response, f"We reopened request {self.request.pk}")
        self.assertContains(response, "back in Roads")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        self.assertTrue(self.request.events.filter(kind=Event.Kind.REOPENED).exists())

    def test_not_fixed_long_after_the_close_only_keeps_the_rating(self):
        self.clock.shift(31 * DAY)

        response = self.rate(is_fixed="no", score="2")

        self.assertContains(response, "so we did not reopen it")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)
        self.assertEqual(Rating.objects.count(), 1)

    def test_rating_again_shows_and_replaces_the_earlier_rating(self):
        self.rate(score="5", comment="Great")
        self.clock.shift(DAY)

        form = self.client.get(self.url())
        self.assertContains(form, "Sending the form again replaces that rating.")
        self.assertContains(form, 'id="id_score_4" checked')
        self.assertContains(form, "Great</textarea>")

        self.rate(score="3")
        self.assertEqual(Rating.objects.get().score, 3)

    def test_missing_answers_are_asked_again(self):
        response = self.client.post(self.url(), {"comment": "Hmm"})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Tell us whether the problem was fixed.")
        self.assertContains(response, "Choose a score from 1 to 5.")
        self.assertContains(response, "Hmm</textarea>")
        self.assertFalse(Rating.objects.exists())

    def test_an_open_request_cannot_be_rated(self):
        services.request_reopen(self.request, by=self.roads_clerk, reason="Not done")

        response = self.rate(is_fixed="no")

        self.assertContains(response, "there is nothing to rate yet")
        self.assertFalse(Rating.objects.exists())

    def test_only_the_reporter_can_rate(self):
        url = self.url(email="neighbour@example.org")

        response = self.client.post(url, {"is_fixed": "no", "score": "1"})

        self.assertContains(response, "Only the person who reported")
        self.assertFalse(Rating.objects.exists())
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)

    def test_it_explains_a_broken_link(self):
        response = self.client.get(self.url(kind="answer"))

        self.assertContains(response, "This link does not work", status_code=400)
