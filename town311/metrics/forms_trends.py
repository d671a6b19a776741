"""The trends page's choices, as its query string and chart links give them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from town311.directory.models import Department
from town311.metrics.leaderboard import (
    Month,
    MonthError,
    month_last_complete,
    month_parse,
)


class TrendsForm(forms.Form):
    month = forms.CharField(
        required=False,
        label="Last month shown",
        help_text="The charts cover the twelve months ending with it.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Every department",
        error_messages={"invalid_choice": "There is no such department; pick one."},
    )

    def __init__(self, *args, now: datetime, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.zone = zone
        self.latest = month_last_complete(now=now, zone=zone)

    def clean_month(self) -> Month:
        value = self.cleaned_data["month"].strip()
        if not value:
            return self.latest

        try:
            return month_parse(value, now=self.now, zone=self.zone)
        except MonthError as error:
            raise forms.ValidationError(str(error)) from error

    def problems(self) -> str:
        """Every error in one sentence or two, for a 400 answer."""
        return " ".join(
            str(message) for errors in self.errors.values() for message in errors
        )
