"""Forms of the staff campaign pages: setting a campaign up with its
questions, and moderating its submissions.

The forms check what was typed (dates, numbers, lines of choices, a
reason where one is needed); campaign_save and the moderation services
check the rules of campaigns and of moderation.
"""

from datetime import datetime

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.text import slugify

from town311.campaigns.models import Campaign, CampaignQuestion, Datatype, Submission
from town311.report.forms import (
    AnswerChoiceField,
    AnswerField,
    AnswerMultipleChoiceField,
)

Status = Submission.Status
ANSWER_PREFIX = "answer-"
ISSUED_SALT = "town311.campaigns.campaign-form"
MAX_REASON_LENGTH = Submission._meta.get_field("reject_reason").max_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    """A campaign's own fields. `issued` is when the page was drawn, signed,
    so a second tap on "Create" is known to repeat the first."""

    title = forms.CharField(max_length=150)
    slug = forms.SlugField(
        label="Address",
        max_length=80,
        help_text="The end of the campaign's web address and dataset names, "
        "such as “bike-racks”. Keep it stable once the campaign is announced.",
        error_messages={
            "invalid": "Use only letters, digits, hyphens and underscores, such "
            "as “bike-racks”."
        },
    )
    description = forms.CharField(
        label="What residents are asked to map",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    why = forms.CharField(
        label="Why it matters",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the town will do with the data.",
    )
    area_name = forms.CharField(
        label="Area in words",
        max_length=150,
        required=False,
        help_text="Such as “Downtown and the riverside”; residents read it when "
        "a point is outside the area. Leave empty for the whole town.",
    )
    area = forms.CharField(
        label="Area (GeoJSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Paste a GeoJSON Polygon or MultiPolygon (longitude first), "
        "or a Feature of one, drawn in any GeoJSON editor. Leave empty to "
        "take submissions anywhere in the town.",
    )
    starts_on = forms.DateField(
        label="First day",
        widget=DateInput,
        error_messages={"invalid": "Enter a date such as 2026-05-01."},
    )
    ends_on = forms.DateField(
        label="Last day",
        widget=DateInput,
        help_text="Submissions are taken until the end of this day, town time.",
        error_messages={"invalid": "Enter a date such as 2026-06-30."},
    )
    photo_required = forms.BooleanField(
        label="A photo is required with each submission", required=False
    )
    publication = forms.ChoiceField(
        label="Publish submissions",
        choices=Campaign.Publication.choices,
        widget=forms.RadioSelect,
    )
    licence_name = forms.CharField(
        label="Licence of the data",
        max_length=200,
        required=False,
        help_text="Such as “Open Data Commons Open Database License”. Leave "
        "empty to use the town's open-data licence.",
    )
    licence_url = forms.URLField(
        label="Licence address",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the licence's web address, https://…"},
    )
    issued = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["issued"] = signing.dumps(
                timezone.now().isoformat(), salt=ISSUED_SALT
            )

    @classmethod
    def for_campaign(cls, campaign: Campaign, *args, **kwargs) -> "CampaignForm":
        initial = {
            name: getattr(campaign, name)
            for name in cls.base_fields
            if name != "issued"
        }
        return cls(*args, initial=initial, **kwargs)

    def campaign_data(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name != "issued"
        }

    def issued_at(self) -> datetime | None:
        """When the page holding this form was drawn, if it says so truly."""
        try:
            text = signing.loads(self.data.get("issued", ""), salt=ISSUED_SALT)
            return datetime.fromisoformat(text)
        except (signing.BadSignature, TypeError, ValueError):
            return None


class ChoicesField(forms.CharField):
    """The choices of a list question, one per line as “key: name”. A line
    without a colon is a name, and its key is made from it."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def to_python(self, value) -> list[tuple[str, str]]:
        text = super().to_python(value)
        choices = []
        for line in text.splitlines():
            if not line.strip():
                continue

            key, colon, name = line.partition(":")
            if not colon:
                key, name = slugify(line), line
            choices.append((key.strip(), name.strip()))

        return choices

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


class QuestionForm(forms.Form):
    """One question of the campaign; `pk` ties it to the saved one."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(
        max_length=50,
        required=False,
        help_text="The answer's column name in the data, such as “capacity”.",
    )
    description = forms.CharField(
        label="Question",
        max_length=300,
        required=False,
        help_text="As residents read it, such as “How many bikes fit?”.",
    )
    datatype = forms.ChoiceField(
        label="Kind of answer", choices=Datatype.choices, initial=Datatype.STRING
    )
    datatype_description = forms.CharField(
        label="Hint", max_length=300, required=False, help_text="Such as “in feet”."
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    order = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        help_text="Questions are asked in this order.",
        error_messages={"invalid": "Enter a whole number, such as 1."},
    )
    values = ChoicesField(
        label="Choices",
        required=False,
        help_text="For “pick one” and “pick any” questions: one choice per "
        "line, as “key: name”, such as “inverted-u: Inverted U”.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def question(self) -> dict:
        return dict(self.cleaned_data)


class BaseQuestionFormSet(forms.BaseFormSet):
    def questions(self) -> list[dict]:
        """The questions to keep, in the order of the page: the saved ones
        and the filled-in new ones, unless ticked for removal."""
        return [
            form.question()
            for form in self.forms
            if (form.cleaned_data.get("pk") or form.has_changed())
            and not self._should_delete_form(form)
        ]


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=1, can_delete=True
)


def question_initial(question: CampaignQuestion) -> dict:
    values = "\n".join(f"{v.key}: {v.name}" for v in question.values.all())
    return {
        "pk": question.pk,
        "code": question.code,
        "description": question.description,
        "datatype": question.datatype,
        "datatype_description": question.datatype_description,
        "required": question.required,
        "order": question.order,
        "values": values,
    }


def question_formset(data=None, *, questions=()) -> forms.BaseFormSet:
    return QuestionFormSet(
        data, prefix="questions", initial=[question_initial(q) for q in questions]
    )


# Moderation


class ModerationForm(forms.Form):
    """One action on one submission. `seen` is the status the page showed:
    a second tap finds the action done already, and a moderator who acted
    on an old page learns someone else got there first."""

    action = ""
    # The server's messages say what to fix, in the words of the rule.
    use_required_attribute = False

    seen = forms.ChoiceField(
        choices=Status.choices, widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args, submission: Submission, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.action}-{submission.pk}-%s")
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("seen", submission.status)
        super().__init__(*args, **kwargs)
        self.submission = submission

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Put the service's InvalidInput messages next to their fields."""
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)


class ApproveForm(ModerationForm):
    action = "approve"


class RejectForm(ModerationForm):
    action = "reject"

    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=MAX_REASON_LENGTH,
        help_text="Kept for the record, such as “Not a bike rack”.",
        error_messages={
            "required": "Give a reason for rejecting.",
            "max_length": f"Keep the reason under {MAX_REASON_LENGTH} characters.",
        },
    )


class MergeForm(ModerationForm):
    """Merge into one of the published points the page listed nearby."""

    action = "merge"

    into = forms.TypedChoiceField(
        label="Merge into",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the published point to merge it into.",
            "invalid_choice": "That point is no longer published near this one; "
            "choose one of those listed.",
        },
    )

    def __init__(self, *args, nearby: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nearby = nearby
        self.fields["into"].choices = [
            (point.pk, f"Point {point.pk}, {distance:.0f} m away")
            for point, distance in nearby
        ]
        if len(nearby) == 1:
            self.fields["into"].initial = nearby[0][0].pk

    def into_point(self) -> Submission:
        wanted = self.cleaned_data["into"]
        return next(point for point, _ in self.nearby if point.pk == wanted)


class AnswersForm(ModerationForm):
    """The campaign's questions, filled in with the submission's answers.
    The answers service checks them, as it checks residents'. Fields are
    named ANSWER_PREFIX + code, so no code can clash with `seen`."""

    action = "answers"

    def __init__(self, *args, questions: list[CampaignQuestion], **kwargs) -> None:
        submission = kwargs["submission"]
        initial = kwargs.setdefault("initial", {})
        for question in questions:
            initial[ANSWER_PREFIX + question.code] = _answer_initial(
                question, submission.answers.get(question.code)
            )
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[ANSWER_PREFIX + question.code] = _answer_field(question)

    def answers(self) -> dict:
        return {
            q.code: self.cleaned_data.get(ANSWER_PREFIX + q.code)
            for q in self.questions
        }

    def add_service_errors(self, errors: dict[str, str]) -> None:
        codes = {q.code for q in self.questions}
        super().add_service_errors(
            {
                ANSWER_PREFIX + key if key in codes else key: message
                for key, message in errors.items()
            }
        )


def _answer_initial(question: CampaignQuestion, answer):
    if answer is None:
        return None

    if question.datatype == Datatype.DATETIME:
        try:
            moment = datetime.fromisoformat(str(answer))
        except ValueError:
            return answer
        # The browser's datetime-local box shows town time, without a zone.
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    return answer


def _answer_field(question: CampaignQuestion) -> forms.Field:
    label = question.description + ("" if question.required else " (optional)")
    options = {"label": label, "help_text": question.datatype_description}
    choices = [(v.key, v.name) for v in question.values.all()]
    match question.datatype:
        case Datatype.TEXT:
            return AnswerField(widget=forms.Textarea({"rows": 2}), **options)
        case Datatype.NUMBER:
            return AnswerField(widget=forms.NumberInput({"step": "any"}), **options)
        case Datatype.DATETIME:
            widget = forms.DateTimeInput({"type": "datetime-local"})
            return AnswerField(widget=widget, **options)
        case Datatype.SINGLEVALUELIST:
            return AnswerChoiceField(choices=[("", "No answer"), *choices], **options)
        case Datatype.MULTIVALUELIST:
            return AnswerMultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **options
            )
        case _:
            return AnswerField(**options)


class SubmissionNumbersField(forms.Field):
    """The ticked submissions, one value per checkbox."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Tick the submissions to act on first.",
        "invalid": "Submission numbers are whole numbers; reload the queue and "
        "tick them again.",
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []

        try:
            return list(dict.fromkeys(int(number) for number in value))
        except (TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid"], "invalid"
            ) from None


class BulkForm(forms.Form):
    """Approve or reject every ticked submission; rejecting takes one reason
    for them all."""

    submissions = SubmissionNumbersField()
    action = forms.ChoiceField(
        label="With the ticked submissions",
        choices=[
            ("", "Choose an action…"),
            ("approve", "Approve"),
            ("reject", "Reject"),
        ],
        error_messages={
            "required": "Choose what to do with the ticked submissions.",
            "invalid_choice": "Choose approve or reject.",
        },
    )
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        max_length=MAX_REASON_LENGTH,
        help_text="Needed to reject; kept for the record.",
        error_messages={
            "max_length": f"Keep the reason under {MAX_REASON_LENGTH} characters."
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason for rejecting.")

        return data


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            (Status.PENDING.value, "Waiting for moderation"),
            (Status.PUBLISHED.value, "Published"),
            (Status.REJECTED.value, "Rejected"),
            (Status.MERGED.value, "Merged"),
            ("all", "All submissions"),
        ],
        error_messages={
            "invalid_choice": "There is no such status; showing the submissions "
            "waiting for moderation."
        },
    )

    def chosen_status(self) -> str:
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]

        return Status.PENDING
