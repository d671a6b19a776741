from django.urls import reverse

from town311.front.tests.base import FrontTestCase


class PublicPagesPrivacyTests(FrontTestCase):
    """Every public page, with a request full of private details and with
    requests that must not be shown at all."""

    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit_private_details()
        self.staff_only = self.submit(
            service=self.work_order, description="Staff only: fix the depot door"
        )
        self.hidden = self.submit(description="Hidden by staff: rude words")
        self.hidden.is_public = False
        self.hidden.save()

    def public_pages(self) -> dict:
        return {
            "home": "/",
            "browse": reverse("front:browse"),
            "browse search": reverse("front:browse") + "?q=the",
            "geojson": reverse("front:requests-geojson"),
            "request": reverse("front:request", args=[self.request.pk]),
        }

    def test_no_page_shows_private_details_or_private_requests(self):
        for name, url in self.public_pages().items():
            with self.subTest(page=name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNoPrivateDetails(response)
                self.assertNotContains(response, "Staff only")
                self.assertNotContains(response, "Hidden by staff")
                for private in (self.staff_only, self.hidden):
                    url = reverse("front:request", args=[private.pk])
                    self.assertNotContains(response, f'"{url}"')

    def test_private_requests_are_not_found(self):
        for private in (self.staff_only, self.hidden):
            with self.subTest(request=private.pk):
                page = reverse("front:request", args=[private.pk])
                self.assertEqual(self.client.get(page).status_code, 404)

                for name in ("front:follow", "front:me-too"):
                    url = reverse(name, args=[private.pk])
                    response = self.client.post(url, {"email": "n@example.org"})
                    self.assertEqual(response.status_code, 404)
