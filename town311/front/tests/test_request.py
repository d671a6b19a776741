from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from town311.directory.models import Agency, Blocker
from town311.front.tests.base import DAY, NOW, FrontTestCase
from town311.servicerequests import services
from town311.servicerequests.models import (
    MeToo,
    Photo,
    Resolution,
    ServiceRequest,
)

# The smallest valid GIF: one transparent pixel.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01"
    b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class RequestPageTests(FrontTestCase):
    def get(self, request):
        return self.client.get(reverse("front:request", args=[request.pk]))

    def test_it_shows_the_request(self):
        request = self.submit()

        response = self.get(request)

        self.assertContains(response, "<h1>Pothole</h1>", html=True)
        self.assertContains(response, f"Request {request.pk}")
        self.assertContains(response, "Received")
        self.assertContains(response, "Sent to Roads")
        self.assertContains(response, "Deep hole by the school crossing")
        self.assertContains(response, "12 Main Street")
        self.assertContains(response, "Request received")
        self.assertContains(response, 'data-lat="40.000000"')

    def test_it_says_in_plain_words_why_an_open_request_waits(self):
        request = self.submit()
        scheduled = Blocker.objects.create(
            name="Scheduled", public_text="The work is on our schedule."
        )
        ServiceRequest.objects.filter(pk=request.pk).update(blocker=scheduled)

        self.assertContains(self.get(request), "The work is on our schedule.")

        services.request_close(
            request, by=self.roads_clerk, resolution=Resolution.FIXED
        )
        self.assertNotContains(self.get(request), "The work is on our schedule.")

    def test_it_shows_dates_in_the_town_time_zone(self):
        request = self.submit()

        response = self.get(request)

        # Submitted at 09:00 UTC, which is 04:00 in Chicago.
        self.assertContains(response, "May 4, 2026, 4 a.m.")

    def test_it_signs_staff_messages_with_the_department(self):
        request = self.submit()
        services.request_reply(
            request, by=self.roads_clerk, text="A crew will fill it on Thursday."
        )

        response = self.get(request)

        self.assertContains(response, "Roads replied")
        self.assertContains(response, "A crew will fill it on Thursday.")
        self.assertContains(response, "<footer>Roads</footer>", html=True)
        self.assertContains(response, "Acknowledged")
        self.assertNoPrivateDetails(response)

    def test_it_signs_a_reassignment_reason_with_the_department_letting_go(self):
        request = self.submit()
        services.request_reassign(
            request,
            by=self.roads_clerk,
            department=self.parks,
            reason="The hole is on the park path, which Parks looks after.",
        )
        services.request_reply(request, by=self.parks_clerk, text="On our list.")

        response = self.get(request)

        self.assertContains(response, "Moved from Roads to Parks")
        self.assertContains(response, "Parks replied")
        timeline = response.context["timeline"]
        signers = [(e.kind, e.signed_by) for e in timeline if e.message]
        self.assertEqual(signers, [("reassigned", "Roads"), ("reply", "Parks")])

    def test_it_keeps_private_details_out(self):
        request = self.submit_private_details()

        response = self.get(request)

        self.assertContains(response, "Roads asked for more information")
        self.assertContains(response, "Which side of the road?")
        self.assertNoPrivateDetails(response)

    def test_it_hides_non_public_requests(self):
        hidden = self.submit()
        hidden.is_public = False
        hidden.save()
        staff_only = self.submit(service=self.work_order)

        for request in (hidden, staff_only):
            with self.subTest(request=request):
                self.assertEqual(self.get(request).status_code, 404)

        missing = self.client.get(reverse("front:request", args=[999999]))
        self.assertEqual(missing.status_code, 404)

    def test_it_says_when_to_expect_an_acknowledgment(self):
        request = self.submit()

        response = self.get(request)

        # Roads aims for 2 working days to acknowledge and 10 to close; the
        # dates shown are the due dates, which skip nights and weekends.
        request.refresh_from_db()
        expected = response.context["expectations"]
        self.assertEqual(
            [(e.kind, e.by, e.target) for e in expected],
            [
                ("acknowledge", request.acknowledge_due_at, "2 days"),
                ("close", request.close_due_at, "10 days"),
            ],
        )
        self.assertGreater(request.close_due_at, NOW + 10 * DAY)
        self.assertContains(response, "Acknowledgment expected by")
        self.assertContains(
            response, "Roads aims to acknowledge new requests within 2 days."
        )
        self.assertContains(response, "Roads aims to close requests within 10 days.")
        self.assertNotContains(response, "taking longer than usual")

    def test_it_restarts_the_clock_in_a_new_department(self):
        request = self.submit()
        services.request_acknowledge(request, by=self.roads_clerk)
        self.clock.shift(3 * DAY)
        services.request_reassign(request, by=self.roads_clerk, department=self.parks)

        response = self.get(request)

        # Parks aims for 14 working days from when the request reached it.
        request.refresh_from_db()
        expected = response.context["expectations"]
        self.assertEqual(
            [(e.kind, e.by) for e in expected], [("close", request.close_due_at)]
        )
        self.assertGreater(request.close_due_at, NOW + 17 * DAY)
        self.assertContains(response, "Parks aims to close requests within 14 days.")
        self.assertNotContains(response, "aims to acknowledge")

    def test_it_says_when_a_target_has_passed(self):
        request = self.submit()
        self.clock.shift(3 * DAY)

        response = self.get(request)

        late = [e.kind for e in response.context["expectations"] if e.is_late]
        self.assertEqual(late, ["acknowledge"])
        self.assertContains(response, "This one is taking longer than usual.", 1)

    def test_it_shows_visible_photos_only(self):
        request = self.submit()
        for name, hidden in (("shown.gif", False), ("hidden.gif", True)):
            Photo.objects.create(
                request=request,
                image=SimpleUploadedFile(name, PIXEL),
                thumbnail=SimpleUploadedFile(f"thumb-{name}", PIXEL),
                is_hidden=hidden,
            )

        response = self.get(request)

        shown = request.photos.get(is_hidden=False)
        self.assertContains(response, f'href="{shown.image.url}"')
        self.assertContains(response, f'src="{shown.thumbnail.url}"')
        self.assertNotContains(response, "hidden.gif")
        self.assertContains(response, "Photo 1 of 1")

    def test_it_shows_the_me_too_count(self):
        request = self.submit()
        MeToo.objects.create(request=request, visitor="a" * 64)
        MeToo.objects.create(request=request, visitor="b" * 64)

        response = self.get(request)

        self.assertContains(response, "2 people say this affects them too.")
        self.assertContains(response, reverse("front:me-too", args=[request.pk]))
        self.assertContains(response, reverse("front:follow", args=[request.pk]))

    def test_it_links_a_duplicate_to_its_original(self):
        original = self.submit()
        duplicate = self.submit(description="Same hole")
        services.request_merge(duplicate, by=self.roads_clerk, original=original)

        response = self.get(duplicate)

        original_url = reverse("front:request", args=[original.pk])
        self.assertContains(
            response,
            f'<a href="{original_url}">Duplicate of request {original.pk}</a>',
            html=True,
        )
        self.assertContains(response, "Closed: a duplicate")
        self.assertContains(response, f"Get updates on request {original.pk}")
        self.assertNotContains(response, "We sent you an e-mail with a link")

    def test_it_names_the_agency_a_request_was_referred_to(self):
        agency = Agency.objects.create(
            name="County Highways",
            phone="555-0100",
            email="roads@county.example",
            website="https://county.example/roads",
        )
        request = self.submit()
        services.request_refer(request, by=self.roads_clerk, agency=agency)

        response = self.get(request)

        self.assertContains(response, "Referred to County Highways")
        self.assertContains(response, 'href="tel:555-0100"')
        self.assertContains(response, "roads@county.example")
        self.assertContains(response, "https://county.example/roads")

    def test_a_closed_request_invites_its_reporter_to_rate(self):
        request = self.submit()
        services.request_close(
            request, by=self.roads_clerk, resolution=Resolution.FIXED, message="Done"
        )

        response = self.get(request)

        self.assertContains(response, "Closed: fixed")
        self.assertContains(response, "<dt>Closed</dt>", html=True)
        self.assertContains(response, "We sent you an e-mail with a link")
        self.assertNotContains(response, "Me too: this affects me")
        self.assertContains(response, reverse("front:follow", args=[request.pk]))

    def test_a_request_closed_long_ago_cannot_be_followed(self):
        request = self.submit()
        services.request_close(request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(31 * DAY)

        response = self.get(request)

        self.assertNotContains(response, reverse("front:follow", args=[request.pk]))
        self.assertContains(response, "closed more than 30 days ago")

    def test_a_resident_reopen_is_told_in_plain_words(self):
        request = self.submit()
        services.request_close(request, by=self.roads_clerk, resolution="fixed")
        services.request_reopen(request, by=None, reason="Stored sentence")

        response = self.get(request)

        self.assertContains(
            response, "Reopened: the resident who reported it says it is not fixed"
        )
        self.assertNotContains(response, "Stored sentence")
