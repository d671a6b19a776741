import re
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from town311.directory.gazetteer import PlaceMatch, places_search
from town311.directory.models import Service, ServiceAttribute
from town311.lib.errors import InvalidInput
from town311.servicerequests.attributes import attributes_clean
from town311.servicerequests.services import MAX_DESCRIPTION_LENGTH

Datatype = ServiceAttribute.Datatype

DRAFT_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Up to this many choices read best as radio buttons; more go in a list box.
MAX_RADIO_CHOICES = 5
ATTRIBUTE_PREFIX = "attribute_"


def draft_key_new() -> str:
    """The key of a report being written: it ties early photo uploads to
    the form, and as the idempotency key it makes a double tap file once."""
    return secrets.token_urlsafe(24)


def draft_key_clean(value: str | None) -> str:
    return value if value and DRAFT_KEY.match(value) else draft_key_new()


class AnswerField(forms.CharField):
    """An answer to one of the service's questions.

    The lifecycle checks answers (datatype, required, choices) when the
    request is submitted; the form only carries what was typed, so every
    message about an answer comes from one place.
    """

    def __init__(self, *, strip=True, **kwargs):
        super().__init__(strip=strip, required=False, **kwargs)


class AnswerChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def validate(self, value) -> None:
        pass


class AnswerMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def validate(self, value) -> None:
        pass


class ServiceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for a problem"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("For example “trash”, “hole” or “streetlight”."),
    )


class ReportForm(forms.Form):
    """Everything a resident fills in to report a problem with a service.

    The location comes from a pin (latitude and longitude) or from a typed
    address or landmark found in the town's gazetteer. Validation finds
    every problem in one pass, so the page shows them all at once.
    """

    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("For example “12 Elm Street” or “Central Library”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    place = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={
            "invalid": _("Latitude must be a number between -90 and 90."),
            "min_value": _("Latitude must be a number between -90 and 90."),
            "max_value": _("Latitude must be a number between -90 and 90."),
        },
    )
    long = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={
            "invalid": _("Longitude must be a number between -180 and 180."),
            "min_value": _("Longitude must be a number between -180 and 180."),
            "max_value": _("Longitude must be a number between -180 and 180."),
        },
    )
    not_duplicate = forms.BooleanField(
        label=_("None of these, send my report"), required=False
    )

    description = forms.CharField(
        label=_("Describe the problem"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text=_("What you see, and anything that helps the crew find it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    reporter_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reporter_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Add your e-mail to get updates."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address like name@example.org.")},
    )
    reporter_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, service: Service, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.service = service
        self.questions = list(service.attributes.prefetch_related("values"))
        for question in self.questions:
            if question.variable:
                self.fields[ATTRIBUTE_PREFIX + question.code] = answer_field(question)

        # In the order of the page, which the list of problems follows.
        contact = ["reporter_name", "reporter_email", "reporter_phone"]
        self.order_fields(
            [name for name in self.fields if name not in contact] + contact
        )

        # Filled in by clean(): the gazetteer's answer for a typed address.
        self.place_found: PlaceMatch | None = None
        self.place_matches: list[PlaceMatch] = []

        # Set by the view: routing refused the place, or the place was
        # filled in from a photo's GPS position for the resident to check.
        self.location_problem = ""
        self.agency = None
        self.location_from_photo = False

    @property
    def draft_key(self) -> str:
        """The draft key sent with the form, or a new one if it is missing or
        not one of ours."""
        if not hasattr(self, "_draft_key"):
            sent = self.data.get("draft_key") if self.is_bound else None
            self._draft_key = draft_key_clean(sent)

        return self._draft_key

    def question_items(self) -> list[dict]:
        """The service's questions in order: a field to answer, or a note."""
        items = []
        for question in self.questions:
            name = ATTRIBUTE_PREFIX + question.code
            field = self[name] if question.variable else None
            items.append({"question": question, "field": field})

        return items

    def answers(self) -> dict:
        """The answers as the lifecycle takes them, keyed by question code."""
        return {
            question.code: self.cleaned_data.get(ATTRIBUTE_PREFIX + question.code)
            for question in self.questions
            if question.variable
        }

    def clean(self) -> dict:
        data = super().clean()
        self._clean_location(data)

        try:
            attributes_clean(self.service, self.answers())
        except InvalidInput as e:
            self.add_lifecycle_errors(e.errors)

        return data

    def _clean_location(self, data: dict) -> None:
        if "lat" in self.errors or "long" in self.errors:
            return

        lat, long = data.get("lat"), data.get("long")
        if lat is not None and long is not None:
            return

        if lat is not None or long is not None:
            missing = "long" if lat is not None else "lat"
            self.add_error(missing, _("Enter both the latitude and the longitude."))
            return

        address = data.get("address", "")
        if not address:
            if "address" not in self.errors:
                self.add_error(
                    "address",
                    _(
                        "Tell us where the problem is: type an address or a "
                        "landmark, place a pin on the map, or enter coordinates."
                    ),
                )
            return

        matches = places_search(address)
        found = _clear_match(matches, data.get("place"))
        if found is not None:
            self.place_found = found
            data["lat"], data["long"] = found.lat, found.long
            data["address"] = found.address
        elif matches:
            self.place_matches = matches
            self.add_error(
                "place",
                _("Several places match “%(address)s”: pick one.")
                % {"address": address},
            )
        else:
            self.add_error(
                "address",
                _(
                    "We could not find “%(address)s” in our list of streets and "
                    "places. Try a street name or a nearby landmark, or enter "
                    "the latitude and longitude."
                )
                % {"address": address},
            )

    def add_lifecycle_errors(self, errors: dict[str, str]) -> None:
        """Put the lifecycle's InvalidInput errors next to their fields."""
        codes = {q.code for q in self.questions if q.variable}
        for key, message in errors.items():
            if key in codes:
                name = ATTRIBUTE_PREFIX + key
            elif key in self.fields:
                name = key
            else:
                name = None

            # A field can already carry the form's own message for the
            # same problem; one is enough.
            if name is None or name not in self.errors:
                self.add_error(name, message)

    def error_summary(self, photo_errors=()) -> list[dict]:
        """Every problem in the order of the page, each with the id of the
        place to fix it."""
        summary = [
            {"target": "report-form", "message": m} for m in self.non_field_errors()
        ]
        if self.location_problem:
            summary.append({"target": "where", "message": self.location_problem})

        for name in self.fields:
            if name == "reporter_name":
                summary += [{"target": "id_photos", "message": m} for m in photo_errors]
            target = "place-choices" if name == "place" else self[name].auto_id
            summary += [
                {"target": target, "message": m} for m in self.errors.get(name, [])
            ]

        return summary


def _clear_match(matches: list[PlaceMatch], picked: int | None) -> PlaceMatch | None:
    """The one match to use: the picked one, the only one, or the only exact
    one. None when there is no match or the choice is the resident's."""
    if picked is not None:
        for match in matches:
            if match.place.pk == picked:
                return match

    if len(matches) == 1:
        return matches[0]

    exact = [m for m in matches if m.is_exact]
    if len(exact) == 1:
        return exact[0]

    return None


def answer_field(question: ServiceAttribute) -> forms.Field:
    options = {
        "label": question.description,
        "help_text": question.datatype_description,
    }
    choices = [(v.key, v.name) for v in question.values.all()]
    # Browsers hold back a form until required single controls are filled
    # in; a group of checkboxes cannot say "at least one", so it is left to
    # the server.
    required = {"required": True} if question.required else {}

    match question.datatype:
        case Datatype.TEXT:
            return AnswerField(
                widget=forms.Textarea({"rows": 3, **required}), **options
            )
        case Datatype.NUMBER:
            widget = forms.NumberInput({"step": "any", **required})
            return AnswerField(widget=widget, **options)
        case Datatype.DATETIME:
            widget = forms.DateTimeInput({"type": "datetime-local", **required})
            return AnswerField(widget=widget, **options)
        case Datatype.SINGLEVALUELIST if len(choices) <= MAX_RADIO_CHOICES:
            widget = forms.RadioSelect(required)
            return AnswerChoiceField(choices=choices, widget=widget, **options)
        case Datatype.SINGLEVALUELIST:
            choices = [("", _("Choose one"))] + choices
            widget = forms.Select(required)
            return AnswerChoiceField(choices=choices, widget=widget, **options)
        case Datatype.MULTIVALUELIST:
            widget = forms.CheckboxSelectMultiple
            return AnswerMultipleChoiceField(choices=choices, widget=widget, **options)
        case _:
            return AnswerField(widget=forms.TextInput(required), **options)
