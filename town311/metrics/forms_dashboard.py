"""The dashboard's period and filters, as the query string gives them."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms

from town311.directory.models import Neighbourhood, Service
from town311.metrics.figures import local_midnight, month_bounds
from town311.servicerequests.models import Channel

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Local dates from `first` to `last`, both included."""

    first: date
    last: date
    is_month: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.is_month:
            return self.first.strftime("%B %Y")

        return (
            f"{self.first.day} {self.first:%B %Y} to {self.last.day} {self.last:%B %Y}"
        )

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in the town's zone, as period_figures wants them."""
        if self.is_month:
            return month_bounds(self.first.year, self.first.month, zone)

        return (
            local_midnight(self.first, zone),
            local_midnight(self.last + timedelta(days=1), zone),
        )

    def previous(self) -> "Period":
        """The period just before: the previous calendar month for a month,
        otherwise as many days ending the day before `first`."""
        if self.is_month:
            last = self.first - timedelta(days=1)
            return Period(first=last.replace(day=1), last=last, is_month=True)

        last = self.first - timedelta(days=1)
        return Period(
            first=last - timedelta(days=self.days - 1), last=last, is_month=False
        )


def last_complete_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period(first=last.replace(day=1), last=last, is_month=True)


class DashboardForm(forms.Form):
    month = forms.CharField(
        required=False,
        label="Month",
        help_text="For example 2026-01.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    start = forms.DateField(
        required=False,
        label="From",
        help_text="A date range takes the place of the month.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the first day as a date like 2026-01-01."},
    )
    end = forms.DateField(
        required=False,
        label="To (included)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the last day as a date like 2026-01-31."},
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="Any service",
        error_messages={"invalid_choice": "There is no such service; pick one."},
    )
    channel = forms.ChoiceField(
        choices=[("", "Any channel"), *Channel.choices],
        required=False,
        error_messages={"invalid_choice": "There is no such channel; pick one."},
    )
    area = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="The whole town",
        error_messages={"invalid_choice": "There is no such area; pick one."},
    )

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None

        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                f"“{value}” is not a month; give it as year and month, like 2026-01."
            )

        return int(match[1]), int(match[2])

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")

        # add_error drops the field from cleaned_data, so period() falls back
        # to the month and the page still shows figures.
        if start and not end and "end" not in self.errors:
            self.add_error("end", "Give the last day too, or clear the first day.")
        elif end and not start and "start" not in self.errors:
            self.add_error("start", "Give the first day too, or clear the last day.")
        elif start and end and end < start:
            self.add_error("end", "The last day cannot come before the first day.")

        return cleaned

    def period(self, today: date) -> Period:
        """The period asked for, or the last complete month before `today`
        (a local date) when none is, or when what was asked is unusable."""
        cleaned = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            return Period(first=start, last=end, is_month=False)

        if month := cleaned.get("month"):
            year, number = month
            last = date(year, number, calendar.monthrange(year, number)[1])
            return Period(first=last.replace(day=1), last=last, is_month=True)

        return last_complete_month(today)

    def filters(self) -> dict:
        """The valid filters, in period_figures' words."""
        cleaned = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            "service": cleaned.get("service"),
            "channel": cleaned.get("channel") or None,
            "neighbourhood": cleaned.get("area"),
        }
