"""Forms for entering a request on behalf of a caller or a visitor.

The request form is the residents' own (`ReportForm`), so the place is
found, the questions asked and the answers checked exactly as on the
public site; staff add how the person reached them.
"""

from django import forms

from town311.directory.models import Service
from town311.report.forms import ReportForm
from town311.servicerequests.models import Channel

INTAKE_CHANNELS = [
    (Channel.PHONE, "Phone call"),
    (Channel.WALK_IN, "Walk-in visit"),
]


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, service: Service) -> str:
        label = f"{service.name} ({service.department}"
        if not service.is_public:
            label += ", staff only"
        return label + ")"


class IntakeServiceForm(forms.Form):
    """Which service the caller's problem is: it decides the questions."""

    service = ServiceChoiceField(
        label="Service",
        queryset=Service.objects.filter(is_active=True).select_related("department"),
        to_field_name="code",
        empty_label="Choose the service",
        help_text="Staff-only services are listed too.",
        error_messages={
            "invalid_choice": "That service is not offered any more; pick another."
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class IntakeForm(ReportForm):
    """The report form as staff fill it in for someone else."""

    channel = forms.ChoiceField(
        label="How did they reach us?",
        choices=INTAKE_CHANNELS,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose phone call or walk-in visit."},
    )

    def __init__(self, service: Service, *args, **kwargs) -> None:
        super().__init__(service, *args, **kwargs)

        fields = self.fields
        # The clerk, not the caller, decides the request is new: the button
        # under the nearby requests says so.
        fields["not_duplicate"].label = "None of these, file the new request"
        fields["description"].label = "What is the problem?"
        fields["description"].help_text = (
            "In the caller's words: what they see, and anything that helps "
            "the crew find it."
        )
        fields["reporter_name"].label = "Their name"
        fields["reporter_phone"].label = "Their phone"
        fields["reporter_email"].label = "Their e-mail"
        fields[
            "reporter_email"
        ].help_text = "They get the request number and every update by e-mail."
        self.order_fields(["channel", *[n for n in fields if n != "channel"]])
