"""The monthly report: who gets it, the figures worked out by hand, the
rankings, the requests still waiting, and the preview and resend page."""

import re
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from town311.accounts.models import User
from town311.lib.errors import ActionError
from town311.metrics import monthly
from town311.metrics.leaderboard import Month
from town311.metrics.models import JobRun, MonthlyReportSend
from town311.metrics.monthly import (
    KIND_COORDINATOR,
    KIND_DEPARTMENT,
    monthly_figures,
    monthly_report,
    monthly_report_inline,
    monthly_report_recipients,
    monthly_report_render,
    monthly_reports_send,
    monthly_reports_send_again,
)
from town311.metrics.tests.test_leaderboard import FEBRUARY, LeaderboardTownMixin
from town311.notifications.models import Message
from town311.notifications.services import Attachment, messages_send_due
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
MAY = Month(2026, 5)
# The report for May goes out at 07:00 on 1 June.
NOW = datetime(2026, 6, 1, 7, 0, tzinfo=CHICAGO)
DAY = timedelta(days=1)
MINUS = "\u2212"


class MonthlyTownMixin:
    """A small April and May worked out by hand (Roads' targets: 2 days to
    acknowledge, 10 to close):

    Roads, April: two requests acknowledged after 3 days and closed after
    4; one more submitted on 20 April and never acknowledged.
    Roads, May: three requests acknowledged after 1, 2 and 3 days, the
    first closed after 5; one submitted on 25 May and never acknowledged;
    one submitted on 28 May and acknowledged on 1 June, before the report.
    Parks, May: one acknowledged after half a day; one never acknowledged.

    So Roads' May: 5 received (3 in April), 3 acknowledged, 1 closed, 5
    open at the end (1 in April); to acknowledge, median 2.0 days (3.0),
    mean 2.0 (3.0), 90th percentile 2.8 (3.0), 2 of 3 within target (0 of
    2); to close, median 5.0 days (4.0), all within target. The town's
    May: 7 received, acknowledgments of 0.5, 1, 2 and 3 days: median 1.5,
    mean 1.625.
    """

    def make_months(self) -> None:
        self.roads_lead.email = "luis@testville.example"
        self.roads_lead.save()
        self.coordinator.email = "cora@testville.example"
        self.coordinator.save()

        april = datetime(2026, 4, 6, 10, 0, tzinfo=CHICAGO)
        for _ in range(2):
            self.work(self.pothole, self.roads_clerk, april, 3, 4)
        self.oldest = self.submit(
            self.pothole, datetime(2026, 4, 20, 10, 0, tzinfo=CHICAGO)
        )

        may = datetime(2026, 5, 4, 10, 0, tzinfo=CHICAGO)
        self.work(self.pothole, self.roads_clerk, may, 1, 5)
        self.work(self.pothole, self.roads_clerk, may, 2)
        self.work(self.pothole, self.roads_clerk, may, 3)
        self.newest = self.submit(
            self.pothole, datetime(2026, 5, 25, 10, 0, tzinfo=CHICAGO)
        )
        self.answered = self.submit(
            self.pothole, datetime(2026, 5, 28, 10, 0, tzinfo=CHICAGO)
        )
        with services.history_replay():
            services.request_acknowledge(
                self.answered,
                by=self.roads_clerk,
                at=datetime(2026, 6, 1, 6, 0, tzinfo=CHICAGO),
            )

        self.work(self.park_upkeep, self.parks_clerk, may, 0.5)
        self.park_waiting = self.submit(
            self.park_upkeep, datetime(2026, 5, 10, 10, 0, tzinfo=CHICAGO)
        )

    def submit(self, service, at) -> ServiceRequest:
        with services.history_replay():
            return services.request_submit(
                service=service,
                lat=CENTRE[0],
                long=CENTRE[1],
                reporter_email=RESIDENT_EMAIL,
                at=at,
            )

    def work(self, service, clerk, start, ack_days, close_days=None) -> None:
        service_request = self.submit(service, start)
        with services.history_replay():
            services.request_acknowledge(
                service_request, by=clerk, at=start + ack_days * DAY
            )
            if close_days is not None:
                services.request_close(
                    service_request,
                    by=clerk,
                    resolution=Resolution.FIXED,
                    at=start + close_days * DAY,
                )


class MonthlyBase(MonthlyTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_months()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def report(self, kind: str = KIND_DEPARTMENT, to: str = "") -> Message:
        found = Message.objects.filter(kind=kind)
        if to:
            found = found.filter(to=to)
        [message] = found
        return message

    def lines(self, text: str) -> list[str]:
        return [line.strip() for line in text.splitlines()]


class RecipientsTests(MonthlyBase):
    def test_leads_get_their_departments_report_and_coordinators_the_table(self):
        recipients = monthly_report_recipients(MAY)

        self.assertEqual(
            [(r.to, r.kind, r.department) for r in recipients],
            [
                # Parks has no lead, so its own address gets its report.
                ("parks@testville.example", KIND_DEPARTMENT, self.parks),
                ("luis@testville.example", KIND_DEPARTMENT, self.roads),
                ("cora@testville.example", KIND_COORDINATOR, None),
            ],
        )
        self.assertEqual(
            [r.label for r in recipients],
            [
                "Parks team address (parks@testville.example)",
                "Luis, Roads lead (luis@testville.example)",
                "Cora, coordinator (cora@testville.example)",
            ],
        )

    def test_people_without_an_address_or_inactive_are_skipped(self):
        self.roads_lead.is_active = False
        self.roads_lead.save()
        User.objects.create_user(
            "parks-lead", role=User.Role.LEAD, department=self.parks
        )
        User.objects.create_user("no-address", role=User.Role.COORDINATOR)
        self.parks.email = ""
        self.parks.save()

        recipients = monthly_report_recipients(MAY)

        # Roads' only lead is inactive: its team address gets the report.
        # Parks' lead has no address and Parks none either, so nobody.
        self.assertEqual(
            [r.to for r in recipients],
            ["roads@testville.example", "cora@testville.example"],
        )


class DepartmentReportTests(MonthlyBase):
    def setUp(self) -> None:
        super().setUp()
        monthly_reports_send(MAY)
        self.roads = self.report(to="luis@testville.example")

    def test_it_has_the_departments_figures_with_the_change_and_the_town(self):
        self.assertEqual(self.roads.subject, "Roads in May 2026: your monthly report")
        lines = self.lines(self.roads.body_text)

        self.assertIn("Hello Luis,", lines)
        for expected in (
            "- Requests received: 5 (+2 since April 2026); town 7",
            "- Requests acknowledged: 3 (+1 since April 2026); town 4",
            f"- Requests closed: 1 ({MINUS}1 since April 2026); town 1",
            "- Open at the end of the month: 5 (+4 since April 2026); town 7",
            f"- Median time to acknowledge: 2.0 days ({MINUS}1.0 days since April "
            "2026); town 1.5 days",
            f"- Mean time to acknowledge: 2.0 days ({MINUS}1.0 days since April "
            "2026); town 1.6 days",
            f"- 90th percentile time to acknowledge: 2.8 days ({MINUS}0.2 days "
            "since April 2026); town 2.7 days",
            "- Acknowledged within target: 67% (+67 points since April 2026); town 75%",
            "- Median time to close: 5.0 days (+1.0 days since April 2026); "
            "town 5.0 days",
            "- Closed within target: 100% (no change since April 2026); town 100%",
        ):
            self.assertIn(expected, lines)

    def test_the_html_has_the_same_figures_and_only_improvements_in_green(self):
        html = self.roads.body_html

        self.assertIn("<caption", html)
        self.assertIn("Roads in May 2026</caption>", html)
        improved = re.findall(r'color:#1d6b3a;font-weight:700;">([^<]+)<', html)
        self.assertEqual(
            improved,
            [f"{MINUS}1.0 days", f"{MINUS}1.0 days", f"{MINUS}0.2 days", "+67 points"],
        )
        # A slower close is shown calmly, never in red.
        self.assertIn('color:#555555;">+1.0 days<', html)
        self.assertNotIn("red", html.lower())
        self.assertNotIn("worst", html.lower() + self.roads.body_text.lower())

    def test_too_few_requests_to_rank_says_so(self):
        text = self.roads.body_text

        self.assertIn(
            "Time to acknowledge: not ranked this month, as too few requests "
            "were acknowledged to rank fairly (3; a ranking needs at least 10, "
            "so that one request cannot sway the median).",
            text,
        )
        self.assertIn("Time to close: not ranked this month", text)

    def test_it_lists_the_oldest_requests_still_not_acknowledged(self):
        text, html = self.roads.body_text, self.roads.body_html
        oldest = f"- Request {self.oldest.number}: Pothole, waiting 41.9 days"
        newest = f"- Request {self.newest.number}: Pothole, waiting 6.9 days"
        lines = self.lines(text)

        self.assertLess(lines.index(oldest), lines.index(newest))
        for found in (self.oldest, self.newest):
            link = f"{settings.SITE_URL}/staff/requests/{found.pk}/"
            self.assertIn(link, lines)
            self.assertIn(f'href="{link}"', html)
        listed = re.findall(r"Request (\d+)</a>", html)
        self.assertEqual(listed, [self.oldest.number, self.newest.number])
        # Acknowledged this morning, and another department's request.
        for other in (self.answered, self.park_waiting):
            self.assertNotIn(f"/staff/requests/{other.pk}/", text)

    def test_a_department_without_a_lead_gets_it_at_its_own_address(self):
        parks = self.report(to="parks@testville.example")

        self.assertEqual(parks.subject, "Parks in May 2026: your monthly report")
        self.assertIn("Hello Parks team,", parks.body_text)
        self.assertIn("- Median time to acknowledge: 0.5 days", parks.body_text)
        self.assertIn(
            f"- Request {self.park_waiting.number}: Park upkeep", parks.body_text
        )
        self.assertIn("at the Parks team's address", parks.body_text)

    def test_it_sends_text_and_html_alternatives(self):
        messages_send_due()

        email = next(e for e in mail.outbox if e.to == ["luis@testville.example"])
        parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        self.assertIn("Requests received: 5", text)
        self.assertIn("Roads in May 2026</caption>", html)

    def test_it_carries_the_departments_12_month_charts_inline(self):
        attachments = list(self.roads.attachments.order_by("pk"))

        self.assertEqual(
            [(a.filename, a.content_type, a.content_id) for a in attachments],
            [
                (
                    "ack-trend-roads-2026-05.png",
                    "image/png",
                    "ack-trend-roads-2026-05@town311",
                ),
                (
                    "close-trend-roads-2026-05.png",
                    "image/png",
                    "close-trend-roads-2026-05@town311",
                ),
            ],
        )
        for attachment in attachments:
            self.assertTrue(bytes(attachment.content).startswith(b"\x89PNG"))
            self.assertIn(f'src="cid:{attachment.content_id}"', self.roads.body_html)
        # The same words stand in for the picture in both versions.
        [alt] = re.findall(
            r'cid:ack-trend-roads-2026-05@town311" alt="([^"]+)"', self.roads.body_html
        )
        self.assertIn("Line chart of the median time to acknowledge", alt)
        self.assertIn("Roads: 3.0 days in Apr 2026, 2.0 days in May 2026.", alt)
        self.assertIn(alt, self.roads.body_text)

        coordinator = self.report(KIND_COORDINATOR)
        self.assertEqual(
            list(coordinator.attachments.values_list("content_id", flat=True)),
            ["ack-trend-town-2026-05@town311", "close-trend-town-2026-05@town311"],
        )

    def test_it_records_each_send_for_the_preview_page(self):
        sends = MonthlyReportSend.objects.order_by("pk")

        self.assertEqual(
            [(s.month, s.to, s.kind, s.sent_by) for s in sends],
            [
                ("2026-05", "parks@testville.example", KIND_DEPARTMENT, None),
                ("2026-05", "luis@testville.example", KIND_DEPARTMENT, None),
                ("2026-05", "cora@testville.example", KIND_COORDINATOR, None),
            ],
        )
        self.assertEqual(sends[1].message, self.roads)


class CoordinatorReportTests(MonthlyBase):
    def test_it_has_every_department_and_the_town_with_the_change(self):
        monthly_reports_send(MAY)

        report = self.report(KIND_COORDINATOR)
        self.assertEqual(report.to, "cora@testville.example")
        self.assertEqual(report.subject, "May 2026 across town: the monthly report")
        text = report.body_text
        self.assertIn("Hello Cora,", text)
        parks, roads, town = (text.index(name) for name in ("PARKS", "ROADS", "TOWN"))
        self.assertLess(parks, roads)
        self.assertLess(roads, town)
        roads_part = text[roads:town]
        self.assertIn("- Received: 5 (+2)", roads_part)
        self.assertIn(
            f"- Median to acknowledge: 2.0 days ({MINUS}1.0 days)", roads_part
        )
        self.assertIn("- Acknowledged within target: 67% (+67 points)", roads_part)
        self.assertIn("- Median to close: 5.0 days (+1.0 days)", roads_part)
        self.assertIn("- Open at month end: 5 (+4)", roads_part)
        self.assertIn("- Median to acknowledge: 1.5 days", text[town:])
        # Parks had nothing in April, so its figures have no change to show.
        self.assertIn("- Median to acknowledge: 0.5 days\n", text[parks:roads])

        html = report.body_html
        for name in ("Parks", "Roads", "Town"):
            self.assertIn(f'vertical-align:top;">{name}</th>', html)
        self.assertIn(
            "Too few requests to rank fairly (fewer than 10 acknowledged): "
            "Parks (1), Roads (3).",
            text,
        )


class RankingTests(LeaderboardTownMixin, BaseTestCase):
    """February 2026 of the leaderboard's tests: Roads shares first place
    in time to acknowledge with Parks, up 2 places and most improved, and
    is first in time to close, as in January."""

    def setUp(self) -> None:
        super().setUp()
        self.make_months()
        self.roads_lead.email = "luis@testville.example"
        self.roads_lead.save()
        self.coordinator.email = "cora@testville.example"
        self.coordinator.save()
        with time_machine.travel(datetime(2026, 3, 1, 7, 0, tzinfo=CHICAGO)):
            monthly_reports_send(FEBRUARY)

    def test_the_lead_reads_their_rank_and_movement(self):
        [report] = Message.objects.filter(to="luis@testville.example")
        text = report.body_text

        self.assertIn(
            "Time to acknowledge: rank 1 of 3, with a median of 1.0 days over 10 "
            "requests acknowledged; up 2 places. Most improved in town: 1.0 days "
            "faster than in January 2026. Well done!",
            text,
        )
        self.assertIn(
            "Time to close: rank 1 of 3, with a median of 3.0 days over 10 "
            "requests closed; same rank as the month before.",
            text,
        )
        self.assertIn('color:#1d6b3a;font-weight:700;">up 2 places<', report.body_html)

    def test_the_coordinator_reads_both_rankings(self):
        [report] = Message.objects.filter(kind=KIND_COORDINATOR)
        text = report.body_text

        acknowledge = text.index("LEADERBOARD: TIME TO ACKNOWLEDGE")
        close = text.index("LEADERBOARD: TIME TO CLOSE")
        self.assertIn(
            "Most improved: Roads, from 2.0 to 1.0 days (1.0 days faster than "
            "in January 2026).\n\n"
            "1. Parks: median 1.0 days over 10 requests acknowledged; same rank "
            "as the month before\n"
            "1. Roads: median 1.0 days over 10 requests acknowledged; up 2 places\n"
            "3. Lights: median 2.0 days over 10 requests acknowledged; down 1 place",
            text[acknowledge:close],
        )
        self.assertIn(
            "1. Roads: median 3.0 days over 10 requests closed; same rank as the "
            "month before",
            text[close:],
        )
        self.assertIn(
            "Too few requests to rank fairly (fewer than 10 closed): Trees (1).",
            text[close:],
        )


class InlineImageTests(MonthlyBase):
    """Charts travel as inline parts; the preview shows them as data:."""

    CHART = Attachment("ack.png", "image/png", b"\x89PNG fake", "ack-trend@town311")

    def setUp(self) -> None:
        super().setUp()
        original = monthly._chart_images
        monthly._chart_images = lambda recipient, figures: [
            (self.CHART, "Median days to acknowledge, month by month")
        ]
        self.addCleanup(setattr, monthly, "_chart_images", original)

    def test_the_charts_go_inline_with_a_matching_content_id(self):
        monthly_reports_send(MAY, recipients=monthly_report_recipients(MAY)[1:2])
        messages_send_due()

        [email] = mail.outbox
        parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
        [related] = [
            p for p in parsed.walk() if p.get_content_type() == "multipart/related"
        ]
        parts = list(related.walk())
        [html] = [p for p in parts if p.get_content_type() == "text/html"]
        [image] = [p for p in parts if p.get_content_type() == "image/png"]
        self.assertEqual(image["Content-ID"], "<ack-trend@town311>")
        self.assertEqual(image.get_content(), b"\x89PNG fake")
        self.assertIn(
            'src="cid:ack-trend@town311" alt="Median days to acknowledge, month by '
            'month"',
            html.get_content(),
        )
        self.assertIn("Median days to acknowledge, month by month", email.body)

    def test_the_preview_shows_them_as_data_addresses(self):
        figures = monthly_figures(MAY, CHICAGO)
        report = monthly_report(monthly_report_recipients(MAY)[1], figures, now=NOW)
        _, _, html = monthly_report_render(report)

        shown = monthly_report_inline(html, report.attachments)

        self.assertNotIn("cid:", shown)
        self.assertIn('src="data:image/png;base64,iVBORyBmYWtl"', shown)


class ResendTests(MonthlyBase):
    TOKEN = "a-token-of-22-letters_"

    def test_a_double_tap_sends_once(self):
        recipients = monthly_report_recipients(MAY)[1:2]

        monthly_reports_send_again(
            MAY, recipients=recipients, by=self.coordinator, token=self.TOKEN
        )
        with self.assertRaisesMessage(ActionError, "That form was already sent"):
            monthly_reports_send_again(
                MAY, recipients=recipients, by=self.coordinator, token=self.TOKEN
            )

        self.assertEqual(Message.objects.filter(kind=KIND_DEPARTMENT).count(), 1)
        self.assertTrue(JobRun.objects.filter(period=self.TOKEN).exists())

    def test_a_second_send_within_a_minute_is_refused(self):
        recipients = monthly_report_recipients(MAY)

        monthly_reports_send_again(
            MAY, recipients=recipients, by=self.coordinator, token=self.TOKEN
        )
        with self.assertRaisesMessage(
            ActionError,
            "The May 2026 report went to cora@testville.example at 07:00:00, less "
            "than a minute ago, so it was not sent again.",
        ):
            monthly_reports_send_again(
                MAY,
                recipients=recipients[2:],
                by=self.coordinator,
                token="another-token-of-22-ch",
            )

        self.assertEqual(Message.objects.count(), 3)
        with time_machine.travel(NOW + timedelta(minutes=1, seconds=1)):
            monthly_reports_send_again(
                MAY,
                recipients=recipients[2:],
                by=self.coordinator,
                token="another-token-of-22-ch",
            )
        self.assertEqual(Message.objects.count(), 4)
        self.assertEqual(MonthlyReportSend.objects.last().sent_by, self.coordinator)


class PreviewPageTests(MonthlyBase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.coordinator)

    def test_it_shows_exactly_the_html_and_text_that_are_sent(self):
        response = self.client.get(
            reverse("metrics:monthly"), {"recipient": f"lead-{self.roads_lead.pk}"}
        )
        monthly_reports_send(MAY, recipients=monthly_report_recipients(MAY)[1:2])

        sent = self.report(to="luis@testville.example")
        # The page shows the queued HTML, its cid: images as the very bytes
        # that are attached.
        attached = [
            Attachment(a.filename, a.content_type, bytes(a.content), a.content_id)
            for a in sent.attachments.all()
        ]
        self.assertEqual(len(attached), 2)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["subject"], sent.subject)
        self.assertEqual(
            response.context["html"], monthly_report_inline(sent.body_html, attached)
        )
        self.assertEqual(response.context["text"], sent.body_text)
        page = response.content.decode()
        self.assertIn(f'srcdoc="{escape(response.context["html"])}"', page)
        self.assertIn("<pre", page)
        self.assertIn(escape(sent.body_text), page)
        self.assertIn("<h1>Monthly report for May 2026</h1>", page)

    def test_it_lists_every_recipient_and_shows_the_first_by_default(self):
        response = self.client.get(reverse("metrics:monthly"))

        self.assertEqual(
            [r.key for r in response.context["recipients"]],
            [
                "department-parks",
                f"lead-{self.roads_lead.pk}",
                f"coordinator-{self.coordinator.pk}",
            ],
        )
        self.assertEqual(response.context["chosen"].key, "department-parks")
        self.assertContains(response, "Parks team address (parks@testville.example)")

    def test_it_lists_when_the_months_report_was_sent(self):
        monthly_reports_send(MAY)

        response = self.client.get(reverse("metrics:monthly"), {"month": "2026-05"})

        self.assertEqual(len(response.context["sends"]), 3)
        self.assertContains(response, "the schedule", count=3)
        self.assertContains(response, "1 Jun 2026, 07:00 CDT", count=3)
        other = self.client.get(reverse("metrics:monthly"), {"month": "2026-04"})
        self.assertContains(other, "The April 2026 report has not been sent yet.")

    def test_it_explains_a_month_it_cannot_show(self):
        for asked, reason in (
            ("2026-13", "has no month 13"),
            ("June", "is not a month"),
            ("2026-06", "June 2026 is not over yet, so it has no report"),
        ):
            response = self.client.get(reverse("metrics:monthly"), {"month": asked})
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, reason, status_code=400)

    def test_an_unknown_recipient_is_explained(self):
        response = self.client.get(
            reverse("metrics:monthly"), {"recipient": "lead-999"}
        )

        self.assertContains(
            response, "Nobody by that name gets this month", status_code=400
        )

    def test_send_again_to_one_recipient_and_a_double_tap(self):
        response = self.client.get(reverse("metrics:monthly"))
        token = response.context["token"]
        form = {
            "month": "2026-05",
            "recipient": f"lead-{self.roads_lead.pk}",
            "token": token,
        }

        first = self.client.post(reverse("metrics:monthly-send"), form, follow=True)
        second = self.client.post(reverse("metrics:monthly-send"), form, follow=True)

        self.assertContains(
            first, "The May 2026 report is on its way again to luis@testville.example."
        )
        self.assertContains(second, "That form was already sent")
        [sent] = Message.objects.all()
        self.assertEqual(sent.to, "luis@testville.example")
        [send] = MonthlyReportSend.objects.all()
        self.assertEqual(send.sent_by, self.coordinator)
        self.assertEqual(
            first.redirect_chain[-1][0],
            reverse("metrics:monthly")
            + f"?month=2026-05&recipient=lead-{self.roads_lead.pk}",
        )

    def test_send_again_to_everyone(self):
        token = self.client.get(reverse("metrics:monthly")).context["token"]

        response = self.client.post(
            reverse("metrics:monthly-send"),
            {"month": "2026-05", "recipient": "all", "token": token},
            follow=True,
        )

        self.assertContains(response, "on its way again to 3 recipients")
        self.assertEqual(
            sorted(Message.objects.values_list("to", flat=True)),
            [
                "cora@testville.example",
                "luis@testville.example",
                "parks@testville.example",
            ],
        )

    def test_send_again_refuses_bad_input_with_a_reason(self):
        for form, reason in (
            ({"month": "2026-05", "recipient": "all"}, "missing its token"),
            (
                {"month": "2026-05", "recipient": "all", "token": "x"},
                "token is damaged",
            ),
            (
                {"month": "2026-05", "recipient": "lead-999", "token": "t" * 22},
                "Nobody by that name",
            ),
            (
                {"month": "2026-06", "recipient": "all", "token": "t" * 22},
                "is not over yet",
            ),
            ({"month": "2026-05", "token": "t" * 22}, "Choose who to send"),
        ):
            response = self.client.post(
                reverse("metrics:monthly-send"), form, follow=True
            )
            self.assertContains(response, reason)

        self.assertFalse(Message.objects.exists())


class PreviewAccessTests(MonthlyBase):
    def test_leads_and_clerks_are_refused_with_a_reason(self):
        for person in (self.roads_lead, self.parks_clerk):
            self.client.force_login(person)
            page = self.client.get(reverse("metrics:monthly"))
            send = self.client.post(
                reverse("metrics:monthly-send"),
                {"month": "2026-05", "recipient": "all", "token": "t" * 22},
            )

            self.assertContains(page, "is for coordinators", status_code=403)
            self.assertEqual(send.status_code, 403)
        self.assertFalse(Message.objects.exists())

    def test_administrators_may_preview(self):
        self.client.force_login(self.admin)

        response = self.client.get(reverse("metrics:monthly"))

        self.assertEqual(response.status_code, 200)

    def test_visitors_are_sent_to_sign_in(self):
        response = self.client.get(reverse("metrics:monthly"))

        self.assertRedirects(
            response,
            reverse("staff:login") + "?next=/metrics/monthly/",
            fetch_redirect_response=False,
        )
