"""When a request is due: its department's targets counted in working time.

A department's targets are working time, not clock time. A target of N
days is N working days, each as long as the town's working day (from
`business_hours_start` to `business_hours_end`), and any hours beyond the
whole days carry over into the following working days: with hours of
8:00 to 17:00, "1 day 4 hours" is 13 working hours. The clock runs only on
the town's working weekdays (`business_days`, Monday = 1), between opening
and closing, and never on a `Holiday`. A request that arrives outside those
hours starts counting at the next opening.

Working time is counted on the wall clock of the town's time zone, so a
request taken at 10:00 with a target of 2 days is due at 10:00 two working
days later, on either side of a change to or from daylight saving time.
A town without sensible hours (closing not after opening) counts targets
in plain clock time, as does an installation without a town.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from town311.directory.models import Department, Holiday, Town
from town311.servicerequests.models import ServiceRequest

logger = logging.getLogger(__name__)

# Long enough for any target a town sets, short enough that a calendar with
# no working day left (every day a holiday) cannot loop for long.
MAX_DAYS = 20 * 366


@dataclass
class WorkingCalendar:
    """The town's working hours: which days, from when to when, and the
    holidays in between."""

    zone: ZoneInfo
    days: frozenset[int]
    opens: time
    closes: time
    holidays: set[date] = field(default_factory=set)

    @classmethod
    def for_town(cls, town: Town, *, since: date | None = None) -> "WorkingCalendar":
        """The town's calendar with its holidays from `since` on (all of
        them when `since` is None)."""
        holidays = Holiday.objects.all()
        if since is not None:
            holidays = holidays.filter(date__gte=since)

        return cls(
            zone=town.zone,
            days=frozenset(int(digit) for digit in town.business_days),
            opens=town.business_hours_start,
            closes=town.business_hours_end,
            holidays=set(holidays.values_list("date", flat=True)),
        )

    @property
    def day_length(self) -> timedelta:
        """How long a working day is; zero when the hours make no sense."""
        today = date(2000, 1, 3)
        length = datetime.combine(today, self.closes) - datetime.combine(
            today, self.opens
        )
        return max(length, timedelta(0))

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in self.holidays

    def working_time(self, target: timedelta) -> timedelta:
        """A target as working time: whole days become working days."""
        hours = timedelta(seconds=target.seconds, microseconds=target.microseconds)
        return max(target.days * self.day_length + hours, timedelta(0))

    def add(self, start: datetime, target: timedelta) -> datetime:
        """The moment `target` of working time after `start` has passed."""
        if not self.day_length:
            return start + target

        remaining = self.working_time(target)
        # Naive local wall-clock time from here on: every working day then
        # has the same length whatever the offset from UTC does.
        moment = start.astimezone(self.zone).replace(tzinfo=None)
        day = moment.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                begin = max(moment, datetime.combine(day, self.opens))
                closing = datetime.combine(day, self.closes)
                if begin < closing:
                    if remaining <= closing - begin:
                        due = (begin + remaining).replace(tzinfo=self.zone)
                        # In UTC, so that subtracting it from another time
                        # in the town's zone cannot silently ignore a change
                        # of offset, as Python does within one zone.
                        return due.astimezone(UTC)

                    remaining -= closing - begin

            day += timedelta(days=1)

        logger.warning(
            "No working day within %s days of %s; counting in clock time",
            MAX_DAYS,
            start.date(),
        )
        return start + target


def due_dates(
    service_request: ServiceRequest, *, since: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """When the request's department should acknowledge and close it,
    counted from when it entered the department's queue (or from `since`,
    as after a reopen). None for a request in no department's queue."""
    start = since or service_request.department_entered_at
    return department_due_dates(service_request.department, start)


def department_due_dates(
    department: Department | None, start: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """When a request entering `department`'s queue at `start` is due."""
    if department is None or start is None:
        return None, None

    town = Town.objects.current()
    if town is None:
        return start + department.acknowledge_target, start + department.close_target

    calendar = WorkingCalendar.for_town(town, since=start.astimezone(town.zone).date())
    return (
        calendar.add(start, department.acknowledge_target),
        calendar.add(start, department.close_target),
    )
