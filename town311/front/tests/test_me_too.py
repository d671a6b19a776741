from django.test import Client
from django.urls import reverse

from town311.front.tests.base import FrontTestCase
from town311.servicerequests import services
from town311.servicerequests.models import MeToo

HTMX = {"HTTP_HX_REQUEST": "true"}


class MeTooTests(FrontTestCase):
    def me_too(self, request, client=None, **data):
        url = reverse("front:me-too", args=[request.pk])
        return (client or self.client).post(url, data)

    def test_it_counts_the_visitor_and_goes_back_to_the_request(self):
        request = self.submit()

        response = self.me_too(request)

        self.assertRedirects(
            response,
            reverse("front:request", args=[request.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(request.me_toos.count(), 1)
        page = self.client.get(response.url)
        self.assertContains(page, "1 person says this affects them too.")
        self.assertContains(page, "You said this affects you too.")
        self.assertNotContains(page, "Me too: this affects me")

    def test_the_same_browser_counts_once(self):
        request = self.submit()

        self.me_too(request)
        response = self.me_too(request)

        self.assertEqual(request.me_toos.count(), 1)
        page = self.client.get(response.url)
        self.assertContains(page, "You had already said this affects you too.")

    def test_another_browser_counts_again(self):
        request = self.submit()

        self.me_too(request)
        self.me_too(request, client=Client())

        self.assertEqual(request.me_toos.count(), 2)

    def test_it_keeps_a_hash_not_the_session_key(self):
        request = self.submit()

        self.me_too(request)

        visitor = MeToo.objects.get().visitor
        self.assertEqual(len(visitor), 64)
        self.assertNotEqual(visitor, self.client.session.session_key)

    def test_it_goes_back_to_a_safe_next_page(self):
        request = self.submit()

        response = self.me_too(request, next="/report/pothole/?step=2")

        self.assertRedirects(
            response, "/report/pothole/?step=2", fetch_redirect_response=False
        )

    def test_it_ignores_a_next_page_elsewhere(self):
        request = self.submit()

        for target in ("https://evil.example/", "//evil.example/x"):
            with self.subTest(target=target):
                response = self.me_too(request, next=target)
                self.assertRedirects(
                    response, reverse("front:request", args=[request.pk])
                )

    def test_it_refuses_a_closed_request(self):
        request = self.submit()
        services.request_close(request, by=self.roads_clerk, resolution="fixed")

        response = self.me_too(request)

        self.assertEqual(request.me_toos.count(), 0)
        page = self.client.get(response.url)
        self.assertContains(page, f"Request {request.pk} is closed.")

    def test_htmx_gets_the_me_too_box_only(self):
        request = self.submit()

        url = reverse("front:me-too", args=[request.pk])
        response = self.client.post(url, **HTMX)

        self.assertNotContains(response, "<html")
        self.assertContains(response, "1 person says this affects them too.")
        self.assertContains(response, "now counts you as affected too")

    def test_it_hides_non_public_requests(self):
        request = self.submit()
        request.is_public = False
        request.save()

        response = self.me_too(request)

        self.assertEqual(response.status_code, 404)
        self.assertFalse(MeToo.objects.exists())
