import re

from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.directory.models import Place
from town311.servicerequests import services
from town311.servicerequests.models import Channel, ServiceRequest
from town311.test import CENTRE

PASSWORD = "a long clerk passphrase"


class IntakeBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roads_clerk.set_password(PASSWORD)
        self.roads_clerk.save()
        Place.objects.create(
            name="Elm Street", kind=Place.Kind.STREET, lat=CENTRE[0], long=CENTRE[1]
        )

    def test_a_clerk_enters_a_phone_request_for_a_caller(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/staff/login/"))
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="New phone request").click()

        expect(page.locator("h1")).to_have_text("New phone or walk-in request")
        page.get_by_label("Service").select_option(label="Pothole (Roads)")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Pothole")).to_be_visible()
        expect(page.get_by_label("Phone call")).to_be_checked()
        page.get_by_label("Address or landmark").fill("12 Elm Street")
        page.get_by_label("What is the problem?").fill("A deep hole by the bus stop.")
        page.get_by_label("Their name").fill("Dana Caller")
        page.get_by_label("Their phone").fill("555-0100")
        self.screenshot(page, "staff-intake")
        self.assertAccessible(page)
        page.get_by_role("button", name="Send to the department").click()

        service_request = ServiceRequest.objects.get()
        expect(page).to_have_url(re.compile(rf"/staff/requests/{service_request.pk}/$"))
        expect(page.get_by_role("status")).to_contain_text(
            f"Sent to Roads: request {service_request.number}, Pothole."
        )
        self.assertEqual(service_request.channel, Channel.PHONE)
        self.assertEqual(service_request.address, "12 Elm Street")
        self.assertEqual(service_request.reporter_name, "Dana Caller")
        self.assertEqual(service_request.department, self.roads)

    def test_a_clerk_places_the_pin_on_the_map_and_sees_requests_nearby(self) -> None:
        existing = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1] + 0.0005,
            address="14 Elm Street",
            description="Hole near the bus stop.",
            channel=Channel.WEB,
        )
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/staff/login/"))
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(self.url("/staff/intake/?service=pothole"))

        # The map fits the town, so its middle is the middle of town.
        map_element = page.locator("#report-map.leaflet-container")
        expect(map_element).to_be_visible()
        map_element.click()
        expect(page.locator("[data-location-status]")).to_contain_text("Pin placed")
        nearby = page.get_by_role("region", name="Is it one of these?")
        expect(nearby.get_by_role("link")).to_have_text(
            f"Request {existing.number}: Pothole"
        )
        expect(nearby.get_by_role("link")).to_have_attribute(
            "href", f"/staff/requests/{existing.pk}/"
        )
        page.get_by_label("What is the problem?").fill("A second hole, further on.")
        self.screenshot(page, "staff-intake-nearby")
        self.assertAccessible(page)

        # Seen on the page already, so Send files it without asking again.
        page.get_by_role("button", name="Send to the department").click()
        filed = ServiceRequest.objects.exclude(pk=existing.pk).get()
        expect(page).to_have_url(re.compile(rf"/staff/requests/{filed.pk}/$"))
        self.assertAlmostEqual(filed.lat, CENTRE[0], delta=0.002)
        self.assertAlmostEqual(filed.long, CENTRE[1], delta=0.002)

    def test_typed_addresses_suggest_places_that_set_the_pin(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/staff/login/"))
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(self.url("/staff/intake/?service=pothole"))

        page.get_by_label("Address or landmark").fill("Elm")
        page.get_by_role("button", name=re.compile("Elm Street")).click()
        expect(page.locator("[data-location-status]")).to_contain_text(
            "Pin placed at Elm Street."
        )
        expect(page.get_by_label("Latitude")).to_have_value(f"{CENTRE[0]:.6f}")
