"""Forms of the staff request page, one per action.

Each form carries the request's version as the page showed it; the view
passes it to the lifecycle, which refuses the action if someone else
changed the request in between.
"""

from django import forms
from django.db.models import Q

from town311.accounts.models import User
from town311.directory.models import Agency, Blocker, Department
from town311.servicerequests.models import Redaction, Resolution, ServiceRequest
from town311.staff.templates_fill import filled_templates

# Closing with a plain word; duplicates and referrals have their own action
# because they carry more (the original, the agency), and only residents
# withdraw.
PLAIN_RESOLUTIONS = [
    (value, label)
    for value, label in Resolution.choices
    if value not in (Resolution.DUPLICATE, Resolution.REFERRED, Resolution.WITHDRAWN)
]


class ActionForm(forms.Form):
    """One action on one request. `action` names it, and gives the fields
    ids of their own, since every action's form is on the same page."""

    action = ""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, service_request: ServiceRequest, user: User, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)
        self.service_request = service_request
        self.user = user


class TemplatePickForm(ActionForm):
    """A message to the resident that can start from a response template.

    The template's text is filled in for the request when the page is
    drawn: the script copies it into the box, and without the script "Use
    template" posts the form back to get the box filled by the server.
    """

    text_field = "message"

    template = forms.TypedChoiceField(
        label="Start from a template", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = filled_templates(self.service_request)
        self.fields["template"].choices = [("", "No template")] + [
            (template.pk, template.title) for template, _body in self.templates
        ]

    def with_template(self) -> "TemplatePickForm":
        """This form again, its message box filled from the picked template."""
        data = self.data.copy()
        try:
            picked = int(data.get("template") or 0)
        except ValueError:
            picked = 0
        for template, body in self.templates:
            if template.pk == picked:
                data[self.text_field] = body

        return type(self)(data, service_request=self.service_request, user=self.user)


class AcknowledgeForm(TemplatePickForm):
    action = "acknowledge"

    message = forms.CharField(
        label="Message to the resident (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Followers get it by e-mail and it shows on the public page.",
    )


class StartForm(ActionForm):
    action = "start"

    message = forms.CharField(
        label="Message to the resident (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(TemplatePickForm):
    action = "reply"
    text_field = "text"

    text = forms.CharField(
        label="Public reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Followers get it by e-mail and it shows on the public page, "
        "signed by the department.",
        error_messages={"required": "Write the reply before sending it."},
    )


class NoteForm(ActionForm):
    action = "note"

    text = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff read it; residents are never told.",
        error_messages={"required": "Write the note before saving it."},
    )


class AskForm(ActionForm):
    action = "ask"

    question = forms.CharField(
        label="Question for the resident",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The reporter gets it by e-mail with a link to answer.",
        error_messages={"required": "Write the question for the resident."},
    )


class AssignForm(ActionForm):
    action = "assign"

    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.service_request.department
        people = User.objects.filter(is_active=True).filter(
            Q(department=department) | Q(granted_departments=department)
        )
        # "Assign to me" works for a coordinator helping out, too.
        if self.user.works_for(department):
            people = people | User.objects.filter(pk=self.user.pk)
        self.fields["assignee"].queryset = people.distinct().order_by(
            "first_name", "last_name", "username"
        )


class ReassignForm(ActionForm):
    action = "reassign"

    department = forms.ModelChoiceField(
        label="Move to department",
        queryset=Department.objects.none(),
        empty_label="Choose a department",
        error_messages={"required": "Choose the department to move it to."},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Residents see this reason on the public page and in their "
        "e-mail, so write it for them.",
        error_messages={"required": "Say why, for the resident."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            is_active=True
        ).exclude(pk=self.service_request.department_id)


class ReferForm(ActionForm):
    action = "refer"

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.all(),
        empty_label="Choose an agency",
        help_text="The resident is told who handles it and how to reach them.",
        error_messages={"required": "Choose the agency that handles it."},
    )
    message = forms.CharField(
        label="Message to the resident (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(ActionForm):
    action = "merge"

    original = forms.IntegerField(
        label="Number of the original request",
        min_value=1,
        help_text="This request closes as its duplicate; its followers move to the "
        "original and are told by e-mail.",
        error_messages={"required": "Enter the number of the request it repeats."},
    )

    def clean_original(self) -> ServiceRequest:
        number = self.cleaned_data["original"]
        original = ServiceRequest.objects.filter(pk=number).first()
        if original is None:
            raise forms.ValidationError(f"There is no request {number}.")

        return original


class CloseForm(ActionForm):
    action = "close"

    resolution = forms.ChoiceField(
        label="Resolution",
        choices=[("", "Choose how it ended")] + PLAIN_RESOLUTIONS,
        help_text="For a duplicate, merge it; for another agency's problem, refer it.",
        error_messages={"required": "Choose how the request was resolved."},
    )
    message = forms.CharField(
        label="Message to the resident (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(ActionForm):
    action = "reopen"

    reason = forms.CharField(
        label="Why reopen it? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Residents see the reason.",
    )


class BlockForm(ActionForm):
    action = "block"

    blocker = forms.ModelChoiceField(
        label="Waiting on",
        queryset=Blocker.objects.filter(is_active=True),
        required=False,
        empty_label="Nothing: not waiting",
        help_text="Residents read the reason in plain words on the public page.",
    )


class RedactForm(ActionForm):
    action = "redact"

    target = forms.ChoiceField(choices=Redaction.Target.choices)
    event = forms.IntegerField(required=False, widget=forms.HiddenInput)
    photo = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why redact it?",
        max_length=300,
        error_messages={"required": "Say why you are redacting it."},
    )

    def clean(self) -> dict:
        data = super().clean()
        target = data.get("target")
        if target == Redaction.Target.EVENT:
            data["event"] = self.service_request.events.filter(
                pk=data.get("event") or 0
            ).first()
            if data["event"] is None:
                raise forms.ValidationError(
                    "That timeline entry is not on this request."
                )
        elif target == Redaction.Target.PHOTO:
            data["photo"] = self.service_request.photos.filter(
                pk=data.get("photo") or 0
            ).first()
            if data["photo"] is None:
                raise forms.ValidationError("That photo is not on this request.")

        return data
