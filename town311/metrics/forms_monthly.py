"""The monthly report preview's choices, and its "Send again" form."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from town311.metrics.leaderboard import (
    Month,
    MonthError,
    month_last_complete,
    month_parse,
)

EVERYONE = "all"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


class MonthlyReportForm(forms.Form):
    month = forms.CharField(
        required=False,
        label="Month",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    recipient = forms.CharField(required=False, label="Recipient")

    def __init__(self, data, *, now: datetime, zone: ZoneInfo) -> None:
        super().__init__(data)
        self.latest = month_last_complete(now=now, zone=zone)
        self.now, self.zone = now, zone

    def clean_month(self) -> Month:
        text = self.cleaned_data["month"]
        if not text:
            return self.latest

        try:
            month = month_parse(text, now=self.now, zone=self.zone)
        except MonthError as error:
            raise forms.ValidationError(str(error)) from error

        # A report covers a finished month: the schedule sends it on the 1st
        # of the next.
        if month > self.latest:
            raise forms.ValidationError(
                f"{month.first_day:%B %Y} is not over yet, so it has no report: "
                f"it goes out on 1 {month.following.first_day:%B %Y}. Choose "
                f"{self.latest.first_day:%B %Y} or earlier."
            )

        return month


class MonthlySendForm(MonthlyReportForm):
    """Send the report again, to one recipient or to everyone; the token,
    new on each page, lets the second tap of a double tap send nothing."""

    recipient = forms.CharField(
        label="Send to",
        error_messages={"required": "Choose who to send the report to."},
    )
    token = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "The form is missing its token: reload the page and send again."
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN.match(token):
            raise forms.ValidationError(
                "The form's token is damaged: reload the page and send again."
            )

        return token
