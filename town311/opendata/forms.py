"""The filters the data files take, named as in the Open311 API so a
client can use the same words for both."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet

from town311.directory.models import Service
from town311.servicerequests.models import Status

STATUSES = ("open", "closed")
ESCAPED_PLUS = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")
DATE_FORMAT = "Use a date written YYYY-MM-DD, such as 2026-01-31."


class RequestFilterForm(forms.Form):
    service_code = forms.CharField(required=False)
    status = forms.CharField(required=False)
    start_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_FORMAT},
    )
    end_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_FORMAT},
    )
    updated_after = forms.CharField(required=False)

    def __init__(self, *args, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean_service_code(self) -> list[str]:
        codes = _listed(self.cleaned_data["service_code"])
        known = set(
            Service.objects.filter(code__in=codes, is_public=True).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                f"No public service has the code “{unknown[0]}”. Use the codes "
                "in the service_code column, separated by commas."
            )

        return codes

    def clean_status(self) -> list[str]:
        statuses = _listed(self.cleaned_data["status"])
        for status in statuses:
            if status not in STATUSES:
                raise forms.ValidationError(
                    f"“{status}” is not a status: use open or closed."
                )

        return statuses

    def clean_updated_after(self) -> datetime | None:
        text = self.cleaned_data["updated_after"].strip()
        if not text:
            return None

        # An unescaped "+" in a query string arrives as a space.
        try:
            moment = datetime.fromisoformat(ESCAPED_PLUS.sub(r"\1+\2", text))
        except ValueError:
            raise forms.ValidationError(
                "Use a date and time in ISO 8601, such as "
                "2026-01-31T09:30:00-06:00, or a date such as 2026-01-31."
            ) from None

        # A bare date or time without an offset is the town's local time.
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)

        return moment

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            raise forms.ValidationError(
                "The end_date is before the start_date; swap them."
            )

        return cleaned

    def problem(self) -> str:
        """All that is wrong, in one sentence per filter."""
        problems = []
        for name, errors in self.errors.items():
            prefix = "" if name == NON_FIELD_ERRORS else f"{name}: "
            problems.extend(f"{prefix}{error}" for error in errors)

        return " ".join(problems)

    def filter(self, requests: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data["service_code"]:
            requests = requests.filter(service__code__in=data["service_code"])

        if set(data["status"]) == {"open"}:
            requests = requests.exclude(status=Status.CLOSED)
        elif set(data["status"]) == {"closed"}:
            requests = requests.filter(status=Status.CLOSED)

        # Local dates, both ends included, as a reader of "January 1 to
        # January 31" expects.
        if data["start_date"]:
            requests = requests.filter(
                submitted_at__gte=_midnight(data["start_date"], self.zone)
            )
        if data["end_date"]:
            next_day = data["end_date"] + timedelta(days=1)
            requests = requests.filter(submitted_at__lt=_midnight(next_day, self.zone))

        if data["updated_after"]:
            requests = requests.filter(updated_at__gt=data["updated_after"])

        return requests


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)
