from django.core import mail

from town311.accounts.models import User
from town311.campaigns import services
from town311.campaigns.models import Submission
from town311.campaigns.tests.base import (
    CONTRIBUTOR_EMAIL,
    DAY,
    EAST,
    OTHER_EMAIL,
    CampaignTestCase,
    moved,
)
from town311.lib.errors import ActionError, InvalidInput, InvalidTransition, NotAllowed
from town311.notifications.models import Message

Status = Submission.Status


class ModerationTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pending = self.submit()

    def another(self, north_m: float, **fields) -> Submission:
        lat, long = moved(*EAST, north_m=north_m)
        fields.setdefault("contributor_email", OTHER_EMAIL)
        return self.submit(lat=lat, long=long, **fields)


class ApproveTests(ModerationTestCase):
    def test_it_publishes_and_thanks_the_contributor(self):
        self.clock.shift(DAY)

        services.submission_approve(self.pending, by=self.coordinator)

        self.assertEqual(self.pending.status, Status.PUBLISHED)
        self.assertEqual(self.pending.published_at, services.timezone.now())
        self.assertEqual(self.pending.moderated_by, self.coordinator)
        self.assertEqual(self.pending.moderated_at, services.timezone.now())
        self.assertEqual(list(services.published_points(self.campaign)), [self.pending])

        message = Message.objects.get()
        self.assertEqual(message.to, CONTRIBUTOR_EMAIL)
        self.assertEqual(message.kind, "campaign-thanks")
        self.assertEqual(
            message.subject,
            "Thank you for your point for “Every bike rack in Testville”",
        )
        self.assertIn("It is now on the map, the first one there.", message.body_text)
        self.assertIn("http://127.0.0.1:8000/campaigns/bike-racks/", message.body_text)
        self.assertIn(
            'href="http://127.0.0.1:8000/campaigns/bike-racks/"', message.body_html
        )

    def test_the_thanks_counts_the_points_and_names_nobody_else(self):
        first = self.another(40)
        services.submission_approve(first, by=self.coordinator)

        services.submission_approve(self.pending, by=self.coordinator)

        message = Message.objects.get(to=CONTRIBUTOR_EMAIL)
        self.assertIn("one of 2 points so far", message.body_text)
        for part in (message.subject, message.body_text, message.body_html):
            self.assertNotIn(OTHER_EMAIL, part)

    def test_any_staff_member_may_moderate(self):
        services.submission_approve(self.pending, by=self.parks_clerk)
        self.assertEqual(self.pending.status, Status.PUBLISHED)

    def test_it_refuses_people_who_are_not_staff(self):
        outsider = User.objects.create_user("outsider", role=User.Role.STAFF)
        self.roads_clerk.is_active = False

        for person in (None, outsider, self.roads_clerk):
            with self.subTest(person=person):
                with self.assertRaisesMessage(NotAllowed, "Sign in as town staff"):
                    services.submission_approve(self.pending, by=person)
        self.pending.refresh_from_db()
        self.assertEqual(self.pending.status, Status.PENDING)

    def test_it_refuses_approving_twice_and_thanks_once(self):
        services.submission_approve(self.pending, by=self.coordinator)

        with self.assertRaisesMessage(InvalidTransition, "is published"):
            services.submission_approve(self.pending, by=self.roads_clerk)
        self.assertEqual(self.pending.moderated_by, self.coordinator)
        self.assertEqual(Message.objects.count(), 1)

    def test_it_thanks_nobody_who_left_no_address(self):
        quiet = self.another(40, contributor_email="")

        services.submission_approve(quiet, by=self.coordinator)
        self.assertFalse(Message.objects.exists())

    def test_it_publishes_a_rejected_point_for_a_moderator_who_changed_their_mind(
        self,
    ):
        services.submission_reject(self.pending, by=self.roads_clerk, reason="Blurry")

        services.submission_approve(self.pending, by=self.coordinator)

        self.assertEqual(self.pending.status, Status.PUBLISHED)
        self.assertEqual(self.pending.reject_reason, "")
        self.assertEqual(Message.objects.count(), 1)

    def test_a_point_published_again_is_not_thanked_again(self):
        services.submission_approve(self.pending, by=self.coordinator)
        first_published_at = self.pending.published_at
        self.clock.shift(DAY)
        services.submission_reject(self.pending, by=self.coordinator, reason="Oops")

        services.submission_approve(self.pending, by=self.coordinator)

        self.assertEqual(self.pending.published_at, first_published_at)
        self.assertEqual(Message.objects.count(), 1)

    def test_the_thanks_leaves_when_the_transaction_commits(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.submission_approve(self.pending, by=self.coordinator)

        [sent] = mail.outbox
        self.assertEqual(sent.to, [CONTRIBUTOR_EMAIL])
        self.assertEqual(Message.objects.get().status, Message.Status.SENT)


class RejectTests(ModerationTestCase):
    def test_it_needs_a_reason(self):
        for reason in ("", "   "):
            with self.subTest(reason=reason):
                with self.assertRaises(InvalidInput) as refused:
                    services.submission_reject(
                        self.pending, by=self.coordinator, reason=reason
                    )
                self.assertIn("Say why", refused.exception.errors["reason"])

        self.pending.refresh_from_db()
        self.assertEqual(self.pending.status, Status.PENDING)

    def test_it_refuses_an_overlong_reason(self):
        with self.assertRaises(InvalidInput) as refused:
            services.submission_reject(
                self.pending, by=self.coordinator, reason="x" * 501
            )
        self.assertIn("500 characters", refused.exception.errors["reason"])

    def test_it_rejects_with_the_reason_and_tells_nobody(self):
        services.submission_reject(
            self.pending, by=self.roads_clerk, reason="  The photo shows a car.  "
        )

        self.assertEqual(self.pending.status, Status.REJECTED)
        self.assertEqual(self.pending.reject_reason, "The photo shows a car.")
        self.assertEqual(self.pending.moderated_by, self.roads_clerk)
        self.assertIsNone(self.pending.published_at)
        self.assertFalse(Message.objects.exists())

    def test_it_takes_a_published_point_off_the_map(self):
        services.submission_approve(self.pending, by=self.coordinator)

        services.submission_reject(self.pending, by=self.coordinator, reason="Removed")

        self.assertEqual(self.pending.status, Status.REJECTED)
        self.assertEqual(services.published_points(self.campaign).count(), 0)

    def test_it_refuses_rejecting_twice_or_a_merged_point(self):
        services.submission_reject(self.pending, by=self.coordinator, reason="Blurry")
        with self.assertRaisesMessage(InvalidTransition, "is rejected"):
            services.submission_reject(
                self.pending, by=self.coordinator, reason="Again"
            )
        self.assertEqual(self.pending.reject_reason, "Blurry")

        point = self.published(lat=EAST[0] + 0.002, long=EAST[1])
        duplicate = self.another(300, different_point=True)
        services.submission_merge(duplicate, into=point, by=self.coordinator)
        with self.assertRaisesMessage(InvalidTransition, "merged into another point"):
            services.submission_reject(duplicate, by=self.coordinator, reason="No")


class MergeTests(ModerationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clock.shift(DAY)
        self.point = services.submission_approve(self.pending, by=self.coordinator)
        self.clock.shift(DAY)
        self.duplicate = self.another(5, different_point=True)
        self.duplicate_sent_at = self.duplicate.submitted_at
        self.clock.shift(DAY)
        Message.objects.all().delete()

    def test_it_counts_the_merged_one_as_a_confirmation(self):
        services.submission_merge(self.duplicate, into=self.point, by=self.roads_clerk)

        self.assertEqual(self.duplicate.status, Status.MERGED)
        self.assertEqual(self.duplicate.merged_into, self.point)
        self.assertEqual(self.duplicate.moderated_by, self.roads_clerk)
        self.assertEqual(self.point.confirmations, 1)
        # Confirmed when it was sent, not when it was merged.
        self.assertEqual(self.point.last_confirmed_at, self.duplicate_sent_at)
        self.assertEqual(list(services.published_points(self.campaign)), [self.point])

    def test_it_thanks_the_merged_one_s_contributor_only(self):
        services.submission_merge(self.duplicate, into=self.point, by=self.coordinator)

        message = Message.objects.get()
        self.assertEqual(message.to, OTHER_EMAIL)
        self.assertIn("counts as a confirmation", message.body_text)
        self.assertNotIn(CONTRIBUTOR_EMAIL, message.body_text + message.body_html)

    def test_it_keeps_the_latest_confirmation_date(self):
        self.clock.shift(DAY)
        services.point_confirm(point=self.point)
        confirmed_at = services.timezone.now()

        services.submission_merge(self.duplicate, into=self.point, by=self.coordinator)

        self.assertEqual(self.point.confirmations, 2)
        self.assertEqual(self.point.last_confirmed_at, confirmed_at)

    def test_a_published_point_merged_away_takes_its_confirmations_along(self):
        copy = services.submission_approve(self.duplicate, by=self.coordinator)
        services.point_confirm(point=copy)
        services.point_confirm(point=copy)
        late = self.another(300, different_point=True)
        services.submission_merge(late, into=copy, by=self.coordinator)
        Message.objects.all().delete()

        services.submission_merge(copy, into=self.point, by=self.coordinator)

        self.assertEqual(copy.status, Status.MERGED)
        self.assertEqual(copy.confirmations, 0)
        # Itself, its two confirmations and the point merged into it.
        self.assertEqual(self.point.confirmations, 4)
        self.assertEqual(self.point.confirmation_records.count(), 2)
        late.refresh_from_db()
        self.assertEqual(late.merged_into, self.point)
        # Its contributor was thanked when it was published.
        self.assertFalse(Message.objects.exists())

    def test_it_merges_only_into_a_published_point_of_the_same_campaign(self):
        other_pending = self.another(300, different_point=True)
        with self.assertRaisesMessage(InvalidTransition, "merge into a published"):
            services.submission_merge(
                self.duplicate, into=other_pending, by=self.coordinator
            )

        elsewhere = self.make_campaign(slug="benches")
        foreign = self.published(campaign=elsewhere)
        with self.assertRaisesMessage(InvalidTransition, "another campaign"):
            services.submission_merge(self.duplicate, into=foreign, by=self.coordinator)

        with self.assertRaisesMessage(InvalidTransition, "into itself"):
            services.submission_merge(self.point, into=self.point, by=self.coordinator)

        self.duplicate.refresh_from_db()
        self.point.refresh_from_db()
        self.assertEqual(self.duplicate.status, Status.PENDING)
        self.assertEqual(self.point.confirmations, 0)

    def test_it_refuses_merging_a_rejected_or_merged_point(self):
        services.submission_reject(self.duplicate, by=self.coordinator, reason="Dup")
        with self.assertRaisesMessage(InvalidTransition, "is rejected"):
            services.submission_merge(
                self.duplicate, into=self.point, by=self.coordinator
            )

        services.submission_approve(self.duplicate, by=self.coordinator)
        services.submission_merge(self.duplicate, into=self.point, by=self.coordinator)
        with self.assertRaisesMessage(InvalidTransition, "merged into another point"):
            services.submission_merge(
                self.duplicate, into=self.point, by=self.coordinator
            )
        self.assertEqual(self.point.confirmations, 1)

    def test_it_refuses_people_who_are_not_staff(self):
        with self.assertRaises(NotAllowed):
            services.submission_merge(self.duplicate, into=self.point, by=None)


class AnswersEditTests(ModerationTestCase):
    def test_it_checks_and_stores_the_answers(self):
        services.submission_answers_edit(
            self.pending, answers={"bikes": "8", "type": "wave"}, by=self.coordinator
        )

        self.pending.refresh_from_db()
        self.assertEqual(self.pending.answers, {"bikes": 8, "type": "wave"})

    def test_it_refuses_answers_a_resident_could_not_give(self):
        for answers, field in [
            ({"type": "wave"}, "bikes"),
            ({"bikes": "8", "type": "spiral"}, "type"),
        ]:
            with self.subTest(answers=answers):
                with self.assertRaises(InvalidInput) as refused:
                    services.submission_answers_edit(
                        self.pending, answers=answers, by=self.coordinator
                    )
                self.assertIn(field, refused.exception.errors)

        self.pending.refresh_from_db()
        self.assertEqual(self.pending.answers, {"bikes": 6, "type": "inverted-u"})

    def test_it_edits_a_published_point_but_not_a_rejected_one(self):
        services.submission_approve(self.pending, by=self.coordinator)
        services.submission_answers_edit(
            self.pending, answers={"bikes": 3}, by=self.coordinator
        )
        self.assertEqual(self.pending.answers, {"bikes": 3})

        services.submission_reject(self.pending, by=self.coordinator, reason="Gone")
        with self.assertRaisesMessage(InvalidTransition, "is rejected"):
            services.submission_answers_edit(
                self.pending, answers={"bikes": 4}, by=self.coordinator
            )

    def test_it_refuses_people_who_are_not_staff(self):
        with self.assertRaises(NotAllowed):
            services.submission_answers_edit(
                self.pending, answers={"bikes": 1}, by=None
            )


class BulkTests(ModerationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.second = self.another(40)
        self.third = self.another(80, contributor_email="")
        self.rejected = self.another(120)
        services.submission_reject(self.rejected, by=self.coordinator, reason="Dup")
        self.done = self.another(160)
        services.submission_approve(self.done, by=self.coordinator)
        Message.objects.all().delete()

    def everyone(self) -> list[Submission]:
        return [self.pending, self.second, self.third, self.rejected, self.done]

    def statuses(self) -> list[str]:
        return [
            Submission.objects.get(pk=submission.pk).status
            for submission in self.everyone()
        ]

    def test_it_approves_the_pending_ones_and_skips_the_rest(self):
        changed = services.submissions_bulk(
            action="approve", submissions=self.everyone(), by=self.roads_clerk
        )

        self.assertEqual(changed, 3)
        self.assertEqual(
            self.statuses(),
            [Status.PUBLISHED] * 3 + [Status.REJECTED, Status.PUBLISHED],
        )
        # The two pending ones with an address, thanked once each.
        self.assertEqual(
            sorted(Message.objects.values_list("to", flat=True)),
            sorted([CONTRIBUTOR_EMAIL, OTHER_EMAIL]),
        )

    def test_it_rejects_the_pending_ones_with_the_reason(self):
        changed = services.submissions_bulk(
            action="reject",
            submissions=Submission.objects.filter(campaign=self.campaign),
            by=self.coordinator,
            reason="Test submissions",
        )

        self.assertEqual(changed, 3)
        self.assertEqual(self.statuses(), [Status.REJECTED] * 4 + [Status.PUBLISHED])
        self.rejected.refresh_from_db()
        self.assertEqual(self.rejected.reject_reason, "Dup")
        self.second.refresh_from_db()
        self.assertEqual(self.second.reject_reason, "Test submissions")
        self.assertFalse(Message.objects.exists())

    def test_rejecting_needs_a_reason(self):
        with self.assertRaises(InvalidInput):
            services.submissions_bulk(
                action="reject", submissions=self.everyone(), by=self.coordinator
            )
        self.assertEqual(self.statuses()[:3], [Status.PENDING] * 3)

    def test_it_refuses_an_unknown_action_and_outsiders(self):
        with self.assertRaisesMessage(ActionError, "use approve or reject"):
            services.submissions_bulk(
                action="merge", submissions=self.everyone(), by=self.coordinator
            )

        with self.assertRaises(NotAllowed):
            services.submissions_bulk(
                action="approve", submissions=self.everyone(), by=None
            )
        self.assertEqual(self.statuses()[:3], [Status.PENDING] * 3)

    def test_a_second_run_changes_nothing(self):
        services.submissions_bulk(
            action="approve", submissions=self.everyone(), by=self.coordinator
        )

        again = services.submissions_bulk(
            action="approve", submissions=self.everyone(), by=self.coordinator
        )
        self.assertEqual(again, 0)
        self.assertEqual(Message.objects.count(), 2)
