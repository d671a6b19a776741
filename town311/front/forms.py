from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from town311.directory.models import Neighbourhood, Service, Town
from town311.servicerequests.engagement import MAX_COMMENT_LENGTH
from town311.servicerequests.models import OPEN_STATUSES, Status
from town311.servicerequests.services import MAX_DESCRIPTION_LENGTH

STATUS_FILTERS = [
    ("", _("Any status")),
    ("open", _("Open")),
    (Status.SUBMITTED.value, _("Received")),
    (Status.ACKNOWLEDGED.value, _("Acknowledged")),
    (Status.IN_PROGRESS.value, _("Being worked on")),
    (Status.CLOSED.value, _("Closed")),
]

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)

# Longer numbers cannot be a request number, and SQLite refuses to compare
# an integer column with them.
MAX_NUMBER_DIGITS = 18


class BrowseForm(forms.Form):
    """The filters of the browse page and of the requests map.

    A filter with a bad value is reported next to its field and left out;
    the others still apply.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words from the description or address, or a request number."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.filter(is_public=True),
        to_field_name="code",
        required=False,
        empty_label=_("All services"),
        error_messages={
            "invalid_choice": _("There is no such service; pick one from the list.")
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_FILTERS,
        required=False,
        error_messages={
            "invalid_choice": _("There is no such status; pick one from the list.")
        },
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Neighbourhood.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("The whole town"),
        error_messages={
            "invalid_choice": _("There is no such area; pick one from the list.")
        },
    )
    since = forms.DateField(
        label=_("Reported from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-05-31.")},
    )
    until = forms.DateField(
        label=_("Reported until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-05-31.")},
    )

    def clean_since(self):
        return _sensible_date(self.cleaned_data["since"])

    def clean_until(self):
        return _sensible_date(self.cleaned_data["until"])

    def clean(self) -> dict:
        cleaned_data = super().clean()
        since, until = cleaned_data.get("since"), cleaned_data.get("until")
        if since and until and until < since:
            self.add_error(
                "until", _("This date is before the first one; swap them around.")
            )

        return cleaned_data

    def filter_requests(self, requests):
        """The requests that pass every filter with a good value."""
        self.is_valid()
        data = self.cleaned_data

        if q := data.get("q", "").strip():
            matches = Q(description__icontains=q) | Q(address__icontains=q)
            number = q.removeprefix("#")
            if number.isdigit() and len(number) <= MAX_NUMBER_DIGITS:
                matches |= Q(pk=int(number))
            requests = requests.filter(matches)

        if service := data.get("service"):
            requests = requests.filter(service=service)

        if status := data.get("status"):
            if status == "open":
                requests = requests.filter(status__in=OPEN_STATUSES)
            else:
                requests = requests.filter(status=status)

        if area := data.get("area"):
            requests = requests.filter(neighbourhood=area)

        # Days start and end at midnight in the town, not in UTC.
        zone = _town_zone()
        if since := data.get("since"):
            start = datetime.combine(since, time.min, tzinfo=zone)
            requests = requests.filter(submitted_at__gte=start)

        if until := data.get("until"):
            end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
            requests = requests.filter(submitted_at__lt=end)

        return requests

    def query_string(self) -> str:
        """The good filters as a query string, for links and the map."""
        self.is_valid()
        params = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if name in ("service", "area") and value:
                value = value.code if name == "service" else value.slug
            if value:
                params[name] = str(value)

        return urlencode(params)


def _sensible_date(value: date | None) -> date | None:
    # Dates at the ends of the calendar cannot be moved between time zones.
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise forms.ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            params={"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
        )

    return value


def _town_zone():
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We only use it to send updates on this request."),
        error_messages={
            "required": _("Enter your e-mail address to get updates."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text=_("Only town staff read it; it is not shown on the public page."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer before sending it.")},
    )


FIXED_CHOICES = [("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))]
SCORE_CHOICES = [
    ("1", _("1: very poor")),
    ("2", _("2: poor")),
    ("3", _("3: fair")),
    ("4", _("4: good")),
    ("5", _("5: very good")),
]


class RatingForm(forms.Form):
    is_fixed = forms.ChoiceField(
        label=_("Is the problem fixed?"),
        choices=FIXED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether the problem was fixed.")},
    )
    score = forms.TypedChoiceField(
        label=_("How well did the town handle it?"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything else to tell us? (optional)"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        help_text=_("Only town staff read this."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_is_fixed(self) -> bool:
        return self.cleaned_data["is_fixed"] == "yes"
