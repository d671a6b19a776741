from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from town311.demo import texts

CHICAGO = ZoneInfo("America/Chicago")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    # 2026-06-01 is a Monday.
    return datetime(2026, 6, day, hour, minute, tzinfo=CHICAGO)


class ClockTests(SimpleTestCase):
    def test_it_rounds_up_to_the_half_hour(self):
        self.assertEqual(texts.clock(local(1, 16, 17)), "4:30 PM")
        self.assertEqual(texts.clock(local(1, 11, 31)), "12:00 PM")
        self.assertEqual(texts.clock(local(1, 9, 0)), "9:00 AM")


class WhenTests(SimpleTestCase):
    def test_it_says_today_tomorrow_or_the_weekday(self):
        now = local(1, 8)
        self.assertEqual(texts.when(now, local(1, 15)), "today")
        self.assertEqual(texts.when(now, local(2, 9)), "tomorrow")
        self.assertEqual(texts.when(now, local(4, 9)), "on Thursday")

    def test_it_is_vague_about_later_visits(self):
        now = local(1, 8)
        self.assertEqual(texts.when(now, local(9, 9)), "next week")
        self.assertEqual(texts.when(now, local(20, 9)), "in the next few weeks")

    def test_it_promises_a_time_when_work_ends_the_same_day(self):
        message = texts.start_work(_FirstChoice(), local(1, 8), local(1, 16, 40))
        self.assertEqual(
            message,
            "We have you on our schedule today, so you should be squared away by "
            "5:00 PM.",
        )


class _FirstChoice:
    def choice(self, options):
        return options[0]
