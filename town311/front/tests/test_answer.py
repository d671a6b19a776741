from django.urls import reverse

from town311.front.tests.base import DAY, FrontTestCase
from town311.servicerequests import services, tokens
from town311.servicerequests.models import Event
from town311.test import RESIDENT_EMAIL


class AnswerTests(FrontTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit()
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Is it in the bike lane?"
        )

    def url(self, request=None, kind="answer"):
        request = request or self.request
        token = tokens.token_make(kind, request_id=request.pk, email=RESIDENT_EMAIL)
        return reverse("front:answer", args=[request.pk, token])

    def test_it_shows_the_question_from_the_department(self):
        response = self.client.get(self.url())

        self.assertContains(response, "Is it in the bike lane?")
        self.assertContains(response, "Roads,")
        self.assertContains(response, "<textarea", 1)
        self.assertContains(response, 'name="robots" content="noindex"')
        self.assertNoPrivateDetails(response)

    def test_it_records_the_answer_and_thanks(self):
        url = self.url()

        response = self.client.post(url, {"answer": "Yes, right in it."})

        self.assertRedirects(response, f"{url}?sent=1")
        answer = self.request.events.get(kind=Event.Kind.INFORMATION_PROVIDED)
        self.assertEqual(answer.text, "Yes, right in it.")
        self.assertFalse(answer.is_public)
        thanks = self.client.get(response.url)
        self.assertContains(thanks, "Thank you for your answer")
        self.assertContains(thanks, "Roads has your answer")
        self.assertNotContains(thanks, "<textarea")

    def test_an_empty_answer_is_asked_again(self):
        response = self.client.post(self.url(), {"answer": "  "})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Write your answer before sending it.")
        self.assertFalse(
            self.request.events.filter(kind=Event.Kind.INFORMATION_PROVIDED).exists()
        )

    def test_it_shows_only_questions_asked_since_the_last_answer(self):
        services.request_record_answer(self.request, text="Yes.")
        self.clock.shift(DAY)
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which side of the road?"
        )

        response = self.client.get(self.url())

        self.assertContains(response, "Which side of the road?")
        self.assertNotContains(response, "Is it in the bike lane?")
        self.assertNotContains(response, "you answered already")

    def test_it_says_when_the_question_was_answered_already(self):
        self.clock.shift(DAY)
        services.request_record_answer(self.request, text="Yes.")

        response = self.client.get(self.url())

        self.assertContains(response, "Is it in the bike lane?")
        self.assertContains(response, "On May 5, 2026, 4 a.m., you answered already.")
        self.assertNotContains(response, "Yes.")

    def test_it_explains_a_broken_link(self):
        good = self.url()

        for url in (good[:-6] + "xxxxx/", self.url(kind="rating")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, "This link does not work", status_code=400
                )
                self.assertContains(
                    response, "Copy the whole link from the e-mail", status_code=400
                )

    def test_it_refuses_a_link_for_another_request(self):
        other = self.submit()
        token = tokens.token_make("answer", request_id=other.pk, email=RESIDENT_EMAIL)
        url = reverse("front:answer", args=[self.request.pk, token])

        response = self.client.post(url, {"answer": "Hello"})

        self.assertContains(response, "This link does not work", status_code=400)
        self.assertFalse(
            Event.objects.filter(kind=Event.Kind.INFORMATION_PROVIDED).exists()
        )

    def test_it_explains_an_expired_link(self):
        self.town.phone = "555-0311"
        self.town.save()
        url = self.url()
        self.clock.shift(61 * DAY)

        response = self.client.get(url)

        self.assertContains(response, "This link has expired", status_code=403)
        self.assertContains(response, 'href="tel:555-0311"', status_code=403)

    def test_it_works_for_a_request_that_is_not_public(self):
        request = self.submit(service=self.work_order)
        services.request_ask_information(
            request, by=self.roads_clerk, question="When are you home?"
        )

        response = self.client.post(self.url(request), {"answer": "Mornings"})

        self.assertEqual(response.status_code, 302)
        thanks = self.client.get(response.url)
        request_url = reverse("front:request", args=[request.pk])
        self.assertNotContains(thanks, f'href="{request_url}"')
