from django import forms
from django.utils.translation import gettext_lazy as _

from town311.campaigns.models import Campaign, CampaignQuestion
from town311.lib.errors import InvalidInput
from town311.report.forms import answer_field, draft_key_clean
from town311.servicerequests.attributes import attributes_clean

ANSWER_PREFIX = "answer_"
COORDINATE_ERRORS = {
    "lat": _("Latitude must be a number between -90 and 90."),
    "long": _("Longitude must be a number between -180 and 180."),
}


def _coordinate_field(name: str, label: str, limit: int) -> forms.FloatField:
    message = COORDINATE_ERRORS[name]
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class SubmissionForm(forms.Form):
    """A point for a campaign: where it is, the answers to the campaign's
    questions and, if they like, the contributor's e-mail.

    The photo is not a field: it is stored as soon as it arrives (picked
    with JavaScript, or sent with the form), so a form shown again keeps
    it. Like the report form, every problem is found in one pass.
    """

    lat = _coordinate_field("lat", _("Latitude"), 90)
    long = _coordinate_field("long", _("Longitude"), 180)
    # Set when the resident said the published point nearby is another one.
    different_point = forms.BooleanField(required=False, widget=forms.HiddenInput)
    contributor_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_(
            "Optional: to be thanked when your point is published. Only town "
            "staff see it; it is never published."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address like name@example.org.")},
    )

    def __init__(
        self, campaign: Campaign, questions: list[CampaignQuestion], *args, **kwargs
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.questions = questions
        for question in questions:
            self.fields[ANSWER_PREFIX + question.code] = answer_field(question)

        # In the order of the page, which the list of problems follows.
        self.order_fields(
            ["lat", "long"]
            + [ANSWER_PREFIX + q.code for q in questions]
            + ["contributor_email"]
        )

        # Set by the view: what was wrong with the photo and with the place
        # (outside the campaign's area), and whether the place was filled
        # in from the photo for the resident to check.
        self.photo_errors: list[str] = []
        self.location_problem = ""
        self.location_from_photo = False

    @property
    def draft_key(self) -> str:
        """The key sent with the form, or a new one if it is missing or not
        one of ours. It ties the photo to the form and makes a double tap
        file one point."""
        if not hasattr(self, "_draft_key"):
            sent = self.data.get("draft_key") if self.is_bound else None
            self._draft_key = draft_key_clean(sent)

        return self._draft_key

    def answer_fields(self) -> list[dict]:
        return [
            {"question": q, "field": self[ANSWER_PREFIX + q.code]}
            for q in self.questions
        ]

    def answers(self) -> dict:
        """The answers as the campaign's services take them, by question code."""
        return {
            q.code: self.cleaned_data.get(ANSWER_PREFIX + q.code)
            for q in self.questions
        }

    def has_location(self) -> bool:
        return any(self.data.get(name, "").strip() for name in ("lat", "long"))

    def clean(self) -> dict:
        data = super().clean()
        self._clean_location(data)

        try:
            attributes_clean(None, self.answers(), questions=self.questions)
        except InvalidInput as e:
            self.add_service_errors(e.errors)

        return data

    def _clean_location(self, data: dict) -> None:
        if "lat" in self.errors or "long" in self.errors:
            return

        lat, long = data.get("lat"), data.get("long")
        if lat is None and long is None:
            self.add_error(
                "lat",
                _(
                    "Tell us where it is: tap the map, use your location or the "
                    "photo's, or enter the latitude and longitude."
                ),
            )
        elif lat is None or long is None:
            missing = "long" if lat is not None else "lat"
            self.add_error(missing, _("Enter both the latitude and the longitude."))

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Put an InvalidInput's errors next to their fields."""
        codes = {q.code for q in self.questions}
        for key, message in errors.items():
            if key == "photo":
                self.photo_errors.append(message)
                continue

            if key in codes:
                name = ANSWER_PREFIX + key
            elif key in self.fields:
                name = key
            else:
                name = None

            # The form's own check may have said the same already.
            if name is None or name not in self.errors:
                self.add_error(name, message)

    def error_summary(self) -> list[dict]:
        """Every problem in the order of the page, each with the id of the
        place to fix it."""
        summary = [
            {"target": "submission-form", "message": m} for m in self.non_field_errors()
        ]
        summary += [{"target": "id_photo", "message": m} for m in self.photo_errors]
        if self.location_problem:
            summary.append({"target": "where", "message": self.location_problem})

        for name in self.fields:
            summary += [
                {"target": self[name].auto_id, "message": m}
                for m in self.errors.get(name, [])
            ]

        return summary
