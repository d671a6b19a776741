"""Due dates in working time, checked against cases worked out by hand.

The test town works Monday to Friday, 8:00 to 17:00 in America/Chicago:
a working day is 9 hours, so a target of 2 days is 18 working hours.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from town311.directory.models import Holiday, Town
from town311.staff.due import WorkingCalendar, department_due_dates
from town311.test import BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
TWO_DAYS = timedelta(days=2)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


class WorkingCalendarTestCase(BaseTestCase):
    def add(self, start: datetime, target: timedelta) -> datetime:
        return WorkingCalendar.for_town(self.town).add(start, target)

    def test_it_counts_friday_afternoon_plus_two_days_into_tuesday(self) -> None:
        # Friday 15-17 is 2 hours, Monday 9, and the last 7 end at 15:00 Tuesday.
        due = self.add(local(2026, 5, 15, 15, 0), TWO_DAYS)
        self.assertEqual(due, local(2026, 5, 19, 15, 0))

    def test_it_skips_a_holiday(self) -> None:
        Holiday.objects.create(date=date(2026, 5, 25), name="Memorial Day")

        due = self.add(local(2026, 5, 22, 15, 0), TWO_DAYS)

        self.assertEqual(due, local(2026, 5, 27, 15, 0))

    def test_it_keeps_the_local_time_across_the_spring_change(self) -> None:
        # Daylight saving time starts on Sunday 8 March 2026.
        start = local(2026, 3, 6, 15, 0)

        due = self.add(start, TWO_DAYS)

        self.assertEqual(due, local(2026, 3, 10, 15, 0))
        self.assertEqual(due.astimezone(UTC), datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
        self.assertEqual(due - start, timedelta(days=4, hours=-1))

    def test_it_keeps_the_local_time_across_the_autumn_change(self) -> None:
        # Daylight saving time ends on Sunday 1 November 2026.
        start = local(2026, 10, 30, 15, 0)

        due = self.add(start, TWO_DAYS)

        self.assertEqual(due.astimezone(UTC), datetime(2026, 11, 3, 21, 0, tzinfo=UTC))
        self.assertEqual(due - start, timedelta(days=4, hours=1))

    def test_it_starts_a_request_arriving_at_night_at_the_next_opening(self) -> None:
        # Wednesday and Thursday 8-17 are the 18 hours.
        due = self.add(local(2026, 5, 19, 22, 30), TWO_DAYS)
        self.assertEqual(due, local(2026, 5, 21, 17, 0))

    def test_it_starts_a_request_arriving_before_opening_at_opening(self) -> None:
        due = self.add(local(2026, 5, 19, 6, 15), timedelta(hours=3))
        self.assertEqual(due, local(2026, 5, 19, 11, 0))

    def test_it_starts_a_request_arriving_at_the_weekend_on_monday(self) -> None:
        due = self.add(local(2026, 5, 16, 11, 0), timedelta(hours=4))
        self.assertEqual(due, local(2026, 5, 18, 12, 0))

    def test_it_counts_hours_beyond_whole_days_into_the_next_day(self) -> None:
        # 1 day 4 hours is 13 working hours: 7 on Monday, 6 on Tuesday.
        due = self.add(local(2026, 5, 18, 10, 0), timedelta(days=1, hours=4))
        self.assertEqual(due, local(2026, 5, 19, 14, 0))

    def test_it_ends_at_closing_when_the_day_has_just_enough(self) -> None:
        due = self.add(local(2026, 5, 18, 13, 0), timedelta(hours=4))
        self.assertEqual(due, local(2026, 5, 18, 17, 0))

    def test_it_counts_ten_days_past_a_holiday_to_the_same_time(self) -> None:
        Holiday.objects.create(date=date(2026, 5, 25), name="Memorial Day")

        due = self.add(local(2026, 5, 18, 10, 0), timedelta(days=10))

        self.assertEqual(due, local(2026, 6, 2, 10, 0))

    def test_it_counts_saturdays_for_a_town_that_works_them(self) -> None:
        self.town.business_days = "123456"
        self.town.save()

        due = self.add(local(2026, 5, 15, 15, 0), TWO_DAYS)

        self.assertEqual(due, local(2026, 5, 18, 15, 0))

    def test_it_counts_in_the_towns_hours(self) -> None:
        self.town.business_hours_start = time(7, 30)
        self.town.business_hours_end = time(15, 30)
        self.town.save()

        # 8-hour days: Tuesday 14:30-15:30 is 1, Wednesday 8, Thursday 7.
        due = self.add(local(2026, 5, 19, 14, 30), TWO_DAYS)

        self.assertEqual(due, local(2026, 5, 21, 14, 30))

    def test_it_accepts_a_start_in_utc(self) -> None:
        start = datetime(2026, 5, 15, 20, 0, tzinfo=UTC)  # 15:00 in Chicago
        self.assertEqual(self.add(start, TWO_DAYS), local(2026, 5, 19, 15, 0))

    def test_it_counts_clock_time_when_the_hours_make_no_sense(self) -> None:
        self.town.business_hours_start = time(17, 0)
        self.town.business_hours_end = time(8, 0)
        self.town.save()
        start = local(2026, 5, 15, 15, 0)

        self.assertEqual(self.add(start, TWO_DAYS), start + TWO_DAYS)

    def test_it_treats_a_zero_target_as_the_next_working_moment(self) -> None:
        due = self.add(local(2026, 5, 15, 18, 0), timedelta(0))
        self.assertEqual(due, local(2026, 5, 18, 8, 0))


class DepartmentDueDatesTestCase(BaseTestCase):
    def test_it_uses_both_targets_of_the_department(self) -> None:
        # Roads: acknowledge within 2 days, close within 10.
        start = local(2026, 5, 18, 10, 0)

        acknowledge_due, close_due = department_due_dates(self.roads, start)

        self.assertEqual(acknowledge_due, local(2026, 5, 20, 10, 0))
        self.assertEqual(close_due, local(2026, 6, 1, 10, 0))

    def test_it_gives_none_without_a_department(self) -> None:
        start = local(2026, 5, 18, 10, 0)
        self.assertEqual(department_due_dates(None, start), (None, None))

    def test_it_counts_clock_time_without_a_town(self) -> None:
        Town.objects.all().delete()
        start = local(2026, 5, 18, 10, 0)

        acknowledge_due, close_due = department_due_dates(self.roads, start)

        self.assertEqual(acknowledge_due, start + timedelta(days=2))
        self.assertEqual(close_due, start + timedelta(days=10))

    def test_it_starts_a_request_arriving_on_a_holiday_the_next_day(self) -> None:
        Holiday.objects.create(date=date(2026, 5, 25), name="Memorial Day")

        acknowledge_due, _ = department_due_dates(self.roads, local(2026, 5, 25, 9))

        self.assertEqual(acknowledge_due, local(2026, 5, 27, 17, 0))
