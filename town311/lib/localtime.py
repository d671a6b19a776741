"""Writing many UTC timestamps in a town's time zone, fast.

Exports and API pages write thousands of timestamps per answer, and
`astimezone(zone).isoformat()` on each was most of their time.
"""

from datetime import UTC, datetime, timedelta, tzinfo


class LocalTime:
    """UTC text (`YYYY-MM-DD HH:MM:SS`, with or without a fraction of a
    second) to ISO 8601 in `zone`, exactly as `astimezone(zone).isoformat()`
    writes it.

    The local date and hour are worked out once per UTC hour and the
    minutes and seconds copied over from the text. Hours in which the
    offset changes, and zones whose offset is not a whole number of hours
    (Newfoundland, India), take the long way.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        # "YYYY-MM-DD HH" in UTC: ("YYYY-MM-DDTHH" local, "+HH:MM"), or
        # None when the text cannot simply be copied over.
        self.hours: dict[str, tuple[str, str] | None] = {}

    def iso(self, text: str, moment: datetime | None = None) -> str:
        """`text` in the zone; `moment` is the text already parsed, when the
        caller has it."""
        key = text[:13]
        try:
            shift = self.hours[key]
        except KeyError:
            shift = self.hours[key] = self._shift(key)

        if shift is None:
            moment = moment or datetime.fromisoformat(text)
            return moment.replace(tzinfo=UTC).astimezone(self.zone).isoformat()

        prefix, suffix = shift
        return prefix + text[13:] + suffix

    def _shift(self, key: str) -> tuple[str, str] | None:
        hour = datetime.fromisoformat(f"{key}:00").replace(tzinfo=UTC)
        first = hour.astimezone(self.zone)
        last = (hour + timedelta(hours=1, microseconds=-1)).astimezone(self.zone)
        offset = first.utcoffset()
        if offset != last.utcoffset() or offset % timedelta(hours=1):
            return None

        local = first.isoformat()
        return local[:13], local[19:]
