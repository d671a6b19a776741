from django.urls import reverse

from town311.front.tests.base import DAY, FrontTestCase
from town311.servicerequests import services
from town311.servicerequests.models import Follower

HTMX = {"HTTP_HX_REQUEST": "true"}


class FollowTests(FrontTestCase):
    def follow(self, request, email="Neighbour@Example.org", **extra):
        url = reverse("front:follow", args=[request.pk])
        return self.client.post(url, {"email": email}, **extra)

    def test_it_follows_and_goes_back_to_the_request(self):
        request = self.submit()

        response = self.follow(request)

        self.assertRedirects(
            response,
            reverse("front:request", args=[request.pk]),
            fetch_redirect_response=False,
        )
        self.assertTrue(
            request.followers.filter(email="neighbour@example.org").exists()
        )
        page = self.client.get(response.url)
        self.assertContains(page, f"You are following request {request.pk}.")
        self.assertNotContains(page, "neighbour@example.org")

    def test_it_follows_once(self):
        request = self.submit()

        self.follow(request)
        self.follow(request, email="neighbour@example.org")

        self.assertEqual(request.followers.filter(is_reporter=False).count(), 1)

    def test_a_bad_address_reshows_the_page_with_the_problem(self):
        request = self.submit()

        response = self.follow(request, email="neighbour at example")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter an e-mail address like name@example.org.")
        self.assertContains(response, 'value="neighbour at example"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertEqual(request.followers.filter(is_reporter=False).count(), 0)

    def test_htmx_gets_the_follow_box_only(self):
        request = self.submit()

        response = self.follow(request, **HTMX)

        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="follow"')
        self.assertContains(response, f"You are following request {request.pk}.")

    def test_htmx_gets_the_problem_in_the_follow_box(self):
        request = self.submit()

        response = self.follow(request, email="", **HTMX)

        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "Enter your e-mail address to get updates.")

    def test_following_a_duplicate_follows_the_original(self):
        original = self.submit()
        duplicate = self.submit()
        services.request_merge(duplicate, by=self.roads_clerk, original=original)

        response = self.follow(duplicate)

        self.assertTrue(
            original.followers.filter(email="neighbour@example.org").exists()
        )
        page = self.client.get(response.url)
        self.assertContains(page, f"so you are following request {original.pk}.")

    def test_it_refuses_a_request_closed_long_ago(self):
        request = self.submit()
        services.request_close(request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(31 * DAY)

        response = self.follow(request)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "closed more than 30 days ago")
        self.assertFalse(Follower.objects.filter(is_reporter=False).exists())

    def test_it_hides_non_public_requests(self):
        request = self.submit(service=self.work_order)

        response = self.follow(request)

        self.assertEqual(response.status_code, 404)
        self.assertFalse(Follower.objects.filter(is_reporter=False).exists())

    def test_it_needs_a_post(self):
        request = self.submit()

        response = self.client.get(reverse("front:follow", args=[request.pk]))

        self.assertEqual(response.status_code, 405)
