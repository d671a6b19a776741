from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address you gave when you reported or followed a request."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
