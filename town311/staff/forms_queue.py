"""The queue's filters (a GET form, so every filtered queue has its own
address) and the bulk action form under its table."""

from urllib.parse import urlencode

from django import forms

from town311.accounts.models import User
from town311.directory.models import Neighbourhood, Service
from town311.servicerequests.models import Channel, Resolution, Status
from town311.servicerequests.services import MAX_DESCRIPTION_LENGTH
from town311.staff.selectors import Sort, queue_departments, queue_people

MAX_AGE_DAYS = 3650

# Duplicates and referrals name another request or an agency, so they are
# done one at a time from the request's page; residents withdraw their own.
BULK_RESOLUTIONS = [
    (value, label)
    for value, label in Resolution.choices
    if value not in (Resolution.DUPLICATE, Resolution.REFERRED, Resolution.WITHDRAWN)
]


def _person_choices(people) -> list[tuple[str, str]]:
    return [(str(person.pk), str(person)) for person in people]


class QueueFilterForm(forms.Form):
    """A filter with a bad value is reported next to its field and left
    out; the others still apply."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Words from the description or address, or a request number.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    department = forms.ModelChoiceField(
        label="Department",
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label="All my departments",
        error_messages={
            "invalid_choice": "That is not a queue you work; pick one from the list."
        },
    )
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="All services",
        error_messages={
            "invalid_choice": "There is no such service; pick one from the list."
        },
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[
            ("", "Any open status"),
            (Status.SUBMITTED.value, "Submitted (not acknowledged)"),
            (Status.ACKNOWLEDGED.value, "Acknowledged"),
            (Status.IN_PROGRESS.value, "In progress"),
        ],
        required=False,
        error_messages={
            "invalid_choice": "The queue holds open requests only; pick a status "
            "from the list."
        },
    )
    older_than = forms.IntegerField(
        label="Older than (days)",
        required=False,
        min_value=0,
        max_value=MAX_AGE_DAYS,
        error_messages={
            "invalid": "Enter a whole number of days, such as 7.",
            "min_value": "Enter a number of days of 0 or more.",
            "max_value": f"Enter at most {MAX_AGE_DAYS} days.",
        },
    )
    assignee = forms.ChoiceField(
        label="Assignee",
        required=False,
        error_messages={
            "invalid_choice": "That person does not work these queues; pick "
            "someone from the list."
        },
    )
    channel = forms.ChoiceField(
        label="Channel",
        choices=[("", "Any channel"), *Channel.choices],
        required=False,
        error_messages={
            "invalid_choice": "There is no such channel; pick one from the list."
        },
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=Neighbourhood.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="The whole town",
        error_messages={
            "invalid_choice": "There is no such area; pick one from the list."
        },
    )
    sort = forms.ChoiceField(
        label="Sort",
        choices=Sort.CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "There is no such order; pick one from the list."
        },
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

        # One department has nothing to choose between.
        if user.sees_all_departments or user.granted_departments.exists():
            self.fields["department"].queryset = queue_departments(user)
            if user.sees_all_departments:
                self.fields["department"].empty_label = "All departments"
        else:
            del self.fields["department"]

        self.fields["assignee"].choices = [
            ("", "Anyone or nobody"),
            ("me", "Me"),
            ("nobody", "Nobody"),
            *_person_choices(queue_people(user).exclude(pk=user.pk)),
        ]

    def queue_filters(self) -> dict:
        """The good filters as keyword arguments of selectors.queue_requests."""
        self.is_valid()
        data = self.cleaned_data
        filters = {
            "department": data.get("department"),
            "service": data.get("service"),
            "status": data.get("status") or "",
            "older_than_days": data.get("older_than"),
            "channel": data.get("channel") or "",
            "area": data.get("area"),
            "q": data.get("q") or "",
            "sort": data.get("sort") or Sort.OLDEST,
        }

        assignee = data.get("assignee")
        if assignee == "nobody":
            filters["unassigned"] = True
        elif assignee == "me":
            filters["assignee"] = self.user
        elif assignee:
            filters["assignee"] = User.objects.get(pk=assignee)

        return filters

    def query_string(self, **overrides: str) -> str:
        """The good filters as a query string, for page links and the map."""
        self.is_valid()
        params = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if hasattr(value, "slug"):
                value = value.slug
            elif isinstance(value, Service):
                value = value.code
            if value not in (None, ""):
                params[name] = str(value)

        params.update(overrides)
        return urlencode({name: value for name, value in params.items() if value})

    @property
    def is_filtered(self) -> bool:
        self.is_valid()
        return any(
            self.cleaned_data.get(name) not in (None, "")
            for name in self.fields
            if name != "sort"
        )


class RequestNumbersField(forms.Field):
    """The ticked rows: request numbers, one value per checkbox."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Tick the requests to act on first.",
        "invalid": "Request numbers are whole numbers; reload the queue and "
        "tick the requests again.",
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []

        try:
            numbers = [int(number) for number in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid"], "invalid"
            ) from None

        # Keep the order of the page, once each.
        return list(dict.fromkeys(numbers))


class BulkActionForm(forms.Form):
    """One action for every ticked request. The action is one select, so it
    works without JavaScript: acknowledge, assign to a person, or close with
    a resolution."""

    requests = RequestNumbersField()
    action = forms.ChoiceField(
        label="With the ticked requests",
        error_messages={
            "required": "Choose what to do with the ticked requests.",
            "invalid_choice": "Choose an action from the list; that person "
            "may no longer work these queues.",
        },
    )
    message = forms.CharField(
        label="Message to followers",
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text="Sent with an acknowledgment or a close; assignments send nothing.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        people = list(queue_people(user))
        self.people = {str(person.pk): person for person in people}
        self.fields["action"].choices = [
            ("", "Choose an action…"),
            ("acknowledge", "Acknowledge"),
            (
                "Assign to…",
                [
                    ("assign:nobody", "Nobody (unassign)"),
                    *[(f"assign:{pk}", str(p)) for pk, p in self.people.items()],
                ],
            ),
            (
                "Close as…",
                [(f"close:{value}", label) for value, label in BULK_RESOLUTIONS],
            ),
        ]

    def clean(self) -> dict:
        cleaned_data = super().clean()
        verb, _, argument = (cleaned_data.get("action") or "").partition(":")
        cleaned_data["verb"] = verb
        if verb == "assign":
            cleaned_data["assignee"] = self.people.get(argument)
        elif verb == "close":
            cleaned_data["resolution"] = argument

        return cleaned_data

    def seen_version(self, pk: int) -> int | None:
        """The version of the request the queue showed, when it sent one."""
        value = self.data.get(f"version-{pk}", "")
        return int(value) if value.isdigit() else None
