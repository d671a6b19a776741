"""The form for a department's response templates."""

from django import forms
from django.db.models import QuerySet

from town311.directory.models import Department
from town311.staff.models import ResponseTemplate
from town311.staff.templates_fill import PLACEHOLDERS


class ResponseTemplateForm(forms.ModelForm):
    """A department's response template. Leads write their own
    department's; administrators pick the department."""

    class Meta:
        model = ResponseTemplate
        fields = ["department", "title", "body", "order", "is_active"]
        labels = {"is_active": "Offer it in the reply box"}
        help_texts = {
            "body": "Placeholders: "
            + "; ".join(f"{{{name}}} is {what}" for name, what in PLACEHOLDERS.items())
            + ".",
            "order": "Templates are listed by this number, then by title.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None
        if departments.count() == 1:
            # A lead has one department: nothing to choose.
            self.fields["department"].widget = forms.HiddenInput()
            self.fields["department"].initial = departments.first()

    def clean(self) -> dict:
        data = super().clean()
        department, title = data.get("department"), data.get("title")
        if department and title:
            same = ResponseTemplate.objects.filter(
                department=department, title__iexact=title
            ).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "title", f"{department} already has a template called “{title}”."
                )

        return data


def departments_for(user) -> QuerySet:
    """The departments whose templates this person manages."""
    if user.is_superuser:
        return Department.objects.filter(is_active=True)

    return Department.objects.filter(pk=user.department_id)
