from django import forms
from django.contrib.auth.forms import AuthenticationForm

from town311.staff.access import is_staff_member
from town311.staff.throttle import sign_in_attempt_record, sign_in_lock_minutes


class StaffSignInForm(AuthenticationForm):
    """Username and password, refused while the throttle holds the username
    or the address, and only for people who work a department's queue."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That username and password do not match. Check both and try again; "
            "both are case-sensitive."
        ),
        "not_staff": (
            "Your account is not part of a department, so it cannot use the staff "
            "workspace. Ask an administrator to add you to one."
        ),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.ip_address = request.META.get("REMOTE_ADDR") if request else None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data

        # Checked before the password, so a locked attacker learns nothing
        # and costs the server no password hashing.
        minutes = sign_in_lock_minutes(username=username, ip_address=self.ip_address)
        if minutes:
            self._record(succeeded=False)
            unit = "minute" if minutes == 1 else "minutes"
            raise forms.ValidationError(
                f"Too many failed sign-ins. Try again in {minutes} {unit}.",
                code="locked",
            )

        try:
            super().clean()
        except forms.ValidationError as e:
            # Only a wrong password counts; the right password on an account
            # that is not staff is no guess.
            if e.code == "invalid_login":
                self._record(succeeded=False)
            raise

        self._record(succeeded=True)
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)

        if not is_staff_member(user):
            raise forms.ValidationError(
                self.error_messages["not_staff"], code="not_staff"
            )

    def _record(self, *, succeeded: bool) -> None:
        sign_in_attempt_record(
            username=self.cleaned_data["username"],
            ip_address=self.ip_address,
            succeeded=succeeded,
        )
