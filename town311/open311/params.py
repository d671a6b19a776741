"""Reading the arguments of Open311 calls.

Each function takes the raw text a client sent and returns a typed value,
or raises Open311Error(400) naming the argument and what to send instead.
Empty arguments count as missing, as many clients send every field.
"""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from town311.open311.formats import Open311Error

DATE_EXAMPLE = "2026-01-05T09:30:00-06:00"

# The list extensions' paging. A page beyond a million would skip more
# rows than any town has, and its offset would overflow SQLite's integers.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1000


def text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def date_time(data, name: str, zone: ZoneInfo) -> datetime | None:
    """A W3C date-time; one without an offset is read in the town's zone,
    and a bare date means its local midnight."""
    value = text(data, name)
    if not value:
        return None

    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400, f"{name} must be a W3C date and time, such as {DATE_EXAMPLE}."
        )

    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone)

    # In UTC, because PostgreSQL refuses offsets beyond ±15:59 that Python
    # accepts; a moment that cannot be written in UTC is no real date.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Open311Error(
            400, f"{name} must be a W3C date and time, such as {DATE_EXAMPLE}."
        ) from None


def date_range(
    start: datetime | None, end: datetime | None, start_name: str, end_name: str
) -> None:
    if start is not None and end is not None and start > end:
        raise Open311Error(400, f"{start_name} must come before {end_name}.")


def whole_number(
    data, name: str, *, default: int, minimum: int = 1, maximum: int | None = None
) -> int:
    value = text(data, name)
    if not value:
        return default

    try:
        number = int(value)
    except ValueError:
        number = None
    limit = f" and at most {maximum:,}" if maximum else ""
    if number is None or number < minimum or (maximum and number > maximum):
        raise Open311Error(
            400, f"{name} must be a whole number of at least {minimum}{limit}."
        )
    return number


def page_slice(data) -> slice:
    """The rows of the page the `page` and `page_size` arguments ask for."""
    page = whole_number(data, "page", default=1, maximum=MAX_PAGE)
    size = whole_number(data, "page_size", default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    first = (page - 1) * size
    return slice(first, first + size)


def row_id(value: str) -> int | None:
    """The database id written in `value`, or None when it can be no id:
    not plain digits, or beyond what a 64-bit key holds."""
    if not value.isascii() or not value.isdecimal():
        return None
    number = int(value)
    return number if number < 2**63 else None


def word_list(data, name: str) -> list[str]:
    """A comma-separated list, without blanks or repeats."""
    words = [w.strip() for w in text(data, name).split(",")]
    return list(dict.fromkeys(w for w in words if w))


def choices(data, name: str, allowed: tuple[str, ...]) -> list[str]:
    words = [w.lower() for w in word_list(data, name)]
    for word in words:
        if word not in allowed:
            raise Open311Error(
                400,
                f"{name} “{word}” is not one of {', '.join(allowed)}; "
                "separate several with commas.",
            )
    return words


def flag(data, name: str) -> bool:
    value = text(data, name).lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise Open311Error(400, f"{name} must be true or false.")


def coordinate(data, name: str, low: float, high: float) -> float | None:
    value = text(data, name)
    if not value:
        return None

    try:
        number = float(value)
    except ValueError:
        number = None
    # float() accepts "nan" and "inf", which are no place on Earth.
    if number is None or not low <= number <= high:
        raise Open311Error(
            400, f"{name} must be a number between {low:g} and {high:g}."
        )
    return number


def attributes(data) -> dict:
    """attribute[CODE] answers; attribute[CODE][] repeated for several."""
    answers: dict = {}
    for key in data:
        if not key.startswith("attribute["):
            continue

        inner = key[len("attribute[") :]
        values = [v.strip() for v in data.getlist(key) if v.strip()]
        if inner.endswith("][]"):
            code = inner[:-3]
        elif inner.endswith("]"):
            code = inner[:-1]
        else:
            continue

        # attribute[CODE] and attribute[CODE][] may both be sent: keep all.
        earlier = answers.get(code, [])
        values = (earlier if isinstance(earlier, list) else [earlier]) + values
        if inner.endswith("][]"):
            answers[code] = values
        else:
            answers[code] = values[0] if len(values) == 1 else values

    return answers
