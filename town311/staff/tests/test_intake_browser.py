import re

from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.directory.models import Place
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
