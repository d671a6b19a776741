"""Who can reach what in the staff workspace, tried through every URL.

The URLs come from the staff URL configuration itself, so an action added
later is covered without touching this file: each one must refuse a clerk
of another department, an anonymous visitor and a signed-in resident,
leave the request exactly as it was, and never show its internal notes.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse
from PIL import Image

from town311.accounts.models import User
from town311.directory.models import Blocker
from town311.notifications.models import Message
from town311.residents.session import SESSION_KEY
from town311.servicerequests import services
from town311.servicerequests.models import (
    Event,
    Follower,
    MeToo,
    Photo,
    Redaction,
    ServiceRequest,
)
from town311.staff import urls as staff_urls
from town311.staff.models import Escalation, ResponseTemplate
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

NOTE = "Internal: the contractor owes us for the last patch on Mill Road."
TEMPLATE_BODY = "Roads-only wording: we patch within the week."
PUBLIC_PAGES = {"login"}
LOGIN_PATH = "/staff/login/"


def staff_patterns(patterns=None, prefix=""):
    """(URL name, route, converter names) of every staff URL, includes and
    all."""
    for pattern in staff_urls.urlpatterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from staff_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, route, set(pattern.pattern.regex.groupindex)


def is_template_page(route: str) -> bool:
    return route.startswith("templates/")


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "grey").save(buffer, "PNG")
    return SimpleUploadedFile("pothole.png", buffer.getvalue(), "image/png")


class StaffAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.blocker = Blocker.objects.create(
            name="Scheduled", public_text="The work is on our schedule."
        )
        self.request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            address="12 Mill Road",
            description="A deep pothole by the bus stop.",
            reporter_email=RESIDENT_EMAIL,
        )
        self.request = services.request_add_note(
            self.request, by=self.roads_clerk, text=NOTE
        )
        self.duplicate = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            description="Same pothole again.",
            reporter_email="neighbour@example.org",
        )
        self.photo = Photo.objects.create(request=self.request, image=png())
        self.note = self.request.events.get(kind=Event.Kind.NOTE)
        self.template = ResponseTemplate.objects.create(
            department=self.roads, title="Patched", body=TEMPLATE_BODY
        )
        self.outsider = User.objects.create_user("volunteer", first_name="Val")

    def url(self, name: str, route: str, converters: set[str]) -> str:
        """The URL aimed at a Roads object: the request, or for the
        templates pages a Roads template."""
        kwargs = {}
        for converter in converters:
            if converter == "pk" and is_template_page(route):
                kwargs[converter] = self.template.pk
            elif converter == "pk":
                kwargs[converter] = self.request.pk
            elif "photo" in converter:
                kwargs[converter] = self.photo.pk
            elif "event" in converter:
                kwargs[converter] = self.note.pk
            else:
                kwargs[converter] = self.roads.slug
        return reverse(f"staff:{name}", kwargs=kwargs)

    def form_data(self) -> dict:
        """A post that would do real harm to the Roads request if a view
        forgot to check who is asking: every field an action might read."""
        data = {
            "message": "Parks was here.",
            "text": "Parks was here.",
            "body": "Parks was here.",
            "question": "Parks was here?",
            "reason": "Parks was here.",
            "resolution": "fixed",
            "department": self.parks.pk,
            "assignee": self.parks_clerk.pk,
            "agency": "",
            "original": self.duplicate.number,
            "duplicate_of": self.duplicate.pk,
            "blocker": self.blocker.pk,
            "target": "description",
            "event": self.note.pk,
            "photo": self.photo.pk,
            "title": "Parks was here",
            "is_active": "",
            "action": "close",
            "requests": [self.request.pk],
            "request": self.request.pk,
            "pk": self.request.pk,
            "ids": [self.request.pk],
        }
        data["seen_version"] = data["version"] = self.request.version
        return data

    def roads_state(self) -> dict:
        """Everything an action on the Roads request could change."""
        request = ServiceRequest.objects.get(pk=self.request.pk)
        return {
            "request": (
                request.version,
                request.status,
                request.department_id,
                request.assignee_id,
                request.duplicate_of_id,
                request.blocker_id,
                request.resolution,
                request.description,
                request.agency_id,
            ),
            "events": list(request.events.values_list("pk", "text", "is_public")),
            "photos": list(request.photos.values_list("pk", "is_hidden")),
            "followers": Follower.objects.filter(request=request).count(),
            "me_too": MeToo.objects.filter(request=request).count(),
            "redactions": Redaction.objects.filter(request=request).count(),
            "escalations": Escalation.objects.filter(request=request).count(),
            "templates": list(
                ResponseTemplate.objects.values_list("pk", "title", "body", "is_active")
            ),
        }

    def assertRefused(self, response, route: str) -> None:
        self.assertIn(response.status_code, (403, 404, 405), route)
        self.assertNotContains(response, NOTE, status_code=response.status_code)
        self.assertNotContains(
            response, TEMPLATE_BODY, status_code=response.status_code
        )

    def assertSentToSignIn(self, response, route: str) -> None:
        if response.status_code == 302:
            self.assertTrue(response["Location"].startswith(LOGIN_PATH), route)
        else:
            self.assertRefused(response, route)


class OtherDepartmentTests(StaffAccessTestCase):
    def test_it_covers_the_sign_in_urls_at_least(self):
        names = {name for name, _, _ in staff_patterns()}

        self.assertLessEqual({"login", "logout", "home"}, names)

    def test_it_refuses_every_object_url_to_a_clerk_of_another_department(self):
        before = self.roads_state()
        messages_before = Message.objects.count()

        for name, route, converters in staff_patterns():
            if not converters:
                continue

            url = self.url(name, route, converters)
            for headers in ({}, {"HX-Request": "true"}):
                with self.subTest(url=url, htmx=bool(headers)):
                    self.client.force_login(self.parks_clerk)
                    self.assertRefused(self.client.get(url, headers=headers), route)
                    self.assertRefused(
                        self.client.post(url, self.form_data(), headers=headers),
                        route,
                    )
                    self.assertRefused(self.client.post(url, headers=headers), route)

        self.assertEqual(self.roads_state(), before)
        self.assertEqual(Message.objects.count(), messages_before)

    def test_it_lets_no_other_form_post_touch_another_departments_request(self):
        before = self.roads_state()

        for name, route, converters in staff_patterns():
            if converters or name in ("login", "logout"):
                continue

            with self.subTest(route=route):
                self.client.force_login(self.parks_clerk)
                # A bulk action, a filter or a search naming the Roads
                # request must neither act on it nor show its notes.
                url = reverse(f"staff:{name}")
                query = {"department": self.roads.slug, "q": self.request.number}
                response = self.client.get(url, query)
                self.assertNotContains(response, NOTE, status_code=response.status_code)
                response = self.client.post(url, self.form_data())
                self.assertNotContains(response, NOTE, status_code=response.status_code)

        self.assertEqual(self.roads_state(), before)

    def test_it_says_whose_queue_the_request_is_in(self):
        for name, route, converters in staff_patterns():
            if converters != {"pk"} or is_template_page(route):
                continue

            with self.subTest(route=route):
                self.client.force_login(self.parks_clerk)
                response = self.client.post(self.url(name, route, converters))
                if response.status_code == 403:
                    self.assertContains(
                        response,
                        "in the Roads queue, which you do not work",
                        status_code=403,
                    )

    def test_it_lets_a_clerk_with_a_grant_work_the_request(self):
        self.parks_clerk.granted_departments.add(self.roads)
        self.client.force_login(self.parks_clerk)

        for name, route, converters in staff_patterns():
            if converters != {"pk"} or is_template_page(route):
                continue

            with self.subTest(route=route):
                response = self.client.get(self.url(name, route, converters))
                self.assertNotIn(response.status_code, (403, 404), route)


class CoordinatorTests(StaffAccessTestCase):
    def test_it_lets_the_coordinator_reach_every_request_url(self):
        for name, route, converters in staff_patterns():
            if not converters or is_template_page(route):
                continue

            with self.subTest(route=route):
                self.client.force_login(self.coordinator)
                url = self.url(name, route, converters)
                # A page answers; an action without its form data explains
                # what is missing; neither refuses the coordinator.
                self.assertNotIn(self.client.get(url).status_code, (403, 404), route)
                self.assertNotEqual(self.client.post(url).status_code, 403, route)

    def test_it_shows_the_coordinator_the_internal_note(self):
        if "request" not in {name for name, _, _ in staff_patterns()}:
            self.skipTest("the staff request page does not exist yet")

        self.client.force_login(self.coordinator)
        response = self.client.get(reverse("staff:request", args=[self.request.pk]))

        self.assertContains(response, NOTE)

    def test_it_shows_the_roads_clerk_the_internal_note(self):
        if "request" not in {name for name, _, _ in staff_patterns()}:
            self.skipTest("the staff request page does not exist yet")

        self.client.force_login(self.roads_clerk)
        response = self.client.get(reverse("staff:request", args=[self.request.pk]))

        self.assertContains(response, NOTE)


class OutsiderTests(StaffAccessTestCase):
    def try_every_url(self, *, sign_in, refused) -> None:
        before = self.roads_state()

        for name, route, converters in staff_patterns():
            if name in PUBLIC_PAGES:
                continue

            url = self.url(name, route, converters)
            for method in (self.client.get, self.client.post):
                with self.subTest(url=url, method=method.__name__):
                    # Again before each try, since signing out is one of them.
                    sign_in()
                    refused(method(url, self.form_data()), route)

        self.assertEqual(self.roads_state(), before)

    def sign_in_resident(self) -> None:
        session = self.client.session
        session[SESSION_KEY] = RESIDENT_EMAIL
        session.save()

    def test_it_sends_an_anonymous_visitor_to_sign_in(self):
        self.try_every_url(sign_in=lambda: None, refused=self.assertSentToSignIn)

    def test_it_gives_a_resident_session_no_staff_page(self):
        self.try_every_url(
            sign_in=self.sign_in_resident, refused=self.assertSentToSignIn
        )

    def test_it_refuses_an_account_outside_every_department(self):
        def refused(response, route):
            # Signing out is the one thing such an account may do here.
            if route == "logout/" and response.status_code == 302:
                self.assertEqual(response["Location"], reverse("staff:login"))
            else:
                self.assertRefused(response, route)

        self.try_every_url(
            sign_in=lambda: self.client.force_login(self.outsider), refused=refused
        )

    def test_it_says_why_an_outside_account_is_refused(self):
        self.client.force_login(self.outsider)

        response = self.client.get(reverse("staff:home"))

        self.assertContains(
            response, "Your account is not part of a department.", status_code=403
        )
