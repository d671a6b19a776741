from datetime import timedelta

from town311.report.tests.base import ReportTestCase
from town311.servicerequests.models import ServiceRequest
from town311.test import RESIDENT_EMAIL

SPOT = (40.004, -89.996)


class ReportDoneTests(ReportTestCase):
    def report(self, **data) -> ServiceRequest:
        self.post_report(lat=SPOT[0], long=SPOT[1], **data)
        return ServiceRequest.objects.get()

    def test_it_confirms_the_request(self):
        request = self.report(reporter_email=RESIDENT_EMAIL)

        response = self.client.get(f"/report/done/{request.pk}/")

        self.assertContains(
            response,
            f"Your request number is <strong>{request.pk}</strong>.",
            html=True,
        )
        self.assertContains(response, "Sent to Roads.")
        self.assertContains(
            response, "Roads aims to look at new requests within 2 days"
        )
        self.assertContains(response, "finish the work within 10 days")
        self.assertContains(response, "We sent a confirmation to your e-mail")
        self.assertContains(response, f'href="/requests/{request.pk}/"')
        self.assertNotContains(response, RESIDENT_EMAIL)

    def test_it_says_nothing_of_e_mail_when_none_was_given(self):
        request = self.report()

        response = self.client.get(f"/report/done/{request.pk}/")

        self.assertNotContains(response, "confirmation")

    def test_it_puts_targets_in_plain_words(self):
        self.roads.acknowledge_target = timedelta(hours=4)
        self.roads.close_target = timedelta(days=1, hours=12)
        self.roads.save()
        request = self.report()

        response = self.client.get(f"/report/done/{request.pk}/")

        self.assertContains(response, "within 4 hours")
        self.assertContains(response, "within 36 hours")

    def test_it_sends_other_browsers_to_the_request_page(self):
        request = self.report()
        self.client.logout()

        response = self.client.get(f"/report/done/{request.pk}/")

        self.assertRedirects(
            response, f"/requests/{request.pk}/", fetch_redirect_response=False
        )
