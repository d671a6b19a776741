"""The monthly leaderboard: departments ranked by their median times.

It is the friendly competition of DESIGN.md, so it is built only from the
dashboard's own figures (`period_figures`): a department's clock starts
when the request entered its queue, acknowledgments count in the month
they happened and closes in the month of the latest close. Medians are
compared as people read them, to a tenth of a day, so two departments
shown with the same median share a rank.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from town311.directory.models import Department
from town311.metrics.figures import month_bounds, period_figures

# Below this many requests one slow request moves the median too far for
# a ranking to be fair to the department.
MIN_REQUESTS = 10

MONTH_PATTERN = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


class MonthError(ValueError):
    """A month the leaderboard cannot show; the message says why."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> "Month":
        if self.month == 1:
            return Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    @property
    def following(self) -> "Month":
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_last_complete(*, now: datetime, zone: ZoneInfo) -> Month:
    """The month before the one `now` falls in, in the town's time zone."""
    today = now.astimezone(zone).date()
    return Month(today.year, today.month).previous


def month_parse(text: str, *, now: datetime, zone: ZoneInfo) -> Month:
    """The month written as YYYY-MM, if the leaderboard can show it."""
    found = MONTH_PATTERN.fullmatch(text.strip())
    if not found:
        raise MonthError(
            f"“{text}” is not a month. Write it as year and month, like 2026-01."
        )

    year, month = int(found["year"]), int(found["month"])
    if not 1 <= month <= 12:
        raise MonthError(
            f"“{text}” has no month {month:02d}: months run from 01 to 12."
        )

    # The previous month is needed for movement, and year 1 has none.
    if year < 1900:
        raise MonthError(f"{year} is too long ago: choose a month from 1900 on.")

    chosen = Month(year, month)
    today = now.astimezone(zone).date()
    if chosen > Month(today.year, today.month):
        raise MonthError(
            f"{chosen.first_day:%B %Y} has not begun yet, so it has no figures."
        )

    return chosen


@dataclass(frozen=True)
class Movement:
    """How a department's rank changed since the previous month."""

    kind: str  # "up", "down", "same" or "new"
    places: int = 0

    @property
    def shown(self) -> str:
        return {
            "up": f"▲ {self.places}",
            "down": f"▼ {self.places}",
            "same": "=",
            "new": "new",
        }[self.kind]

    @property
    def spoken(self) -> str:
        places = f"{self.places} place{'' if self.places == 1 else 's'}"
        return {
            "up": f"up {places}",
            "down": f"down {places}",
            "same": "same rank as the month before",
            "new": "not ranked the month before",
        }[self.kind]


@dataclass(frozen=True)
class Placing:
    department: Department
    rank: int
    median_days: float
    count: int
    movement: Movement


@dataclass(frozen=True)
class Unranked:
    department: Department
    count: int


@dataclass(frozen=True)
class Improvement:
    department: Department
    previous_days: float
    median_days: float

    @property
    def drop_days(self) -> float:
        return _tenths(self.previous_days - self.median_days)


@dataclass(frozen=True)
class Ranking:
    """One of the two rankings: by median time to acknowledge or to close."""

    figure: str  # "acknowledge" or "close"
    placings: list[Placing]
    unranked: list[Unranked]
    most_improved: list[Improvement]


@dataclass(frozen=True)
class Leaderboard:
    month: Month
    acknowledge: Ranking
    close: Ranking


# The two figures: the count that decides whether a department is ranked,
# and the median it is ranked by.
FIGURES = {
    "acknowledge": ("acknowledged", "ack_median_days"),
    "close": ("closed", "close_median_days"),
}


def leaderboard_for_month(*, month: Month, zone: ZoneInfo) -> Leaderboard:
    """Both rankings for the month, with movement since the month before."""
    current = _rows(month, zone)
    previous = _rows(month.previous, zone)

    rankings = {figure: _ranking(figure, current, previous) for figure in FIGURES}
    return Leaderboard(month=month, **rankings)


def _rows(month: Month, zone: ZoneInfo) -> list[dict]:
    start, end = month_bounds(month.year, month.month, zone)
    rows = period_figures(start=start, end=end)

    # The last row is the town's, which is not in the competition.
    return [row for row in rows if row["department"] is not None]


def _ranking(figure: str, current: list[dict], previous: list[dict]) -> Ranking:
    count_key, median_key = FIGURES[figure]
    ranked, unranked = _split(current, count_key, median_key)
    ranks = _ranks(ranked)
    previous_ranked, _ = _split(previous, count_key, median_key)
    previous_ranks = _ranks(previous_ranked)
    previous_days = {row["department"].pk: days for row, days in previous_ranked}

    placings = [
        Placing(
            department=row["department"],
            rank=ranks[row["department"].pk],
            median_days=days,
            count=row[count_key],
            movement=_movement(
                ranks[row["department"].pk],
                previous_ranks.get(row["department"].pk),
            ),
        )
        for row, days in ranked
    ]

    improvements = [
        Improvement(
            department=placing.department,
            previous_days=previous_days[placing.department.pk],
            median_days=placing.median_days,
        )
        for placing in placings
        if placing.department.pk in previous_days
    ]
    improvements = [each for each in improvements if each.drop_days > 0]
    largest = max((each.drop_days for each in improvements), default=None)

    return Ranking(
        figure=figure,
        placings=placings,
        unranked=[
            Unranked(department=row["department"], count=row[count_key])
            for row in unranked
        ],
        most_improved=[each for each in improvements if each.drop_days == largest],
    )


def _split(rows: list[dict], count_key: str, median_key: str):
    """The departments with enough requests to rank, fastest first and each
    with its median in tenths of a day, and the others by name."""
    ranked = [
        (row, _tenths(row[median_key]))
        for row in rows
        if row[count_key] >= MIN_REQUESTS
    ]
    ranked.sort(key=lambda pair: (pair[1], pair[0]["department"].name))
    unranked = [row for row in rows if row[count_key] < MIN_REQUESTS]
    return ranked, unranked


def _ranks(ranked: list[tuple[dict, float]]) -> dict[int, int]:
    """Department pk to rank; equal medians share the better rank and the
    next one skips, as in sport (1, 1, 3)."""
    ranks: dict[int, int] = {}
    last_days, last_rank = None, 0
    for position, (row, days) in enumerate(ranked, start=1):
        rank = last_rank if days == last_days else position
        ranks[row["department"].pk] = rank
        last_days, last_rank = days, rank
    return ranks


def _movement(rank: int, previous_rank: int | None) -> Movement:
    if previous_rank is None:
        return Movement("new")

    if rank < previous_rank:
        return Movement("up", previous_rank - rank)

    if rank > previous_rank:
        return Movement("down", rank - previous_rank)

    return Movement("same")


def _tenths(days: float) -> float:
    """Days to one decimal, halves rounded up, as the page shows them."""
    return float(Decimal(repr(days)).quantize(Decimal("0.1"), ROUND_HALF_UP))
