"""allauth's forms with plain GOV.UK-style labels and hints instead of placeholders."""

from allauth.account import forms as allauth_forms
from django import forms

EMAIL_FORMAT_ERROR = "Enter an email address in the correct format, like name@example.com"


class PlainLabelsMixin:
    labels: dict[str, str] = {}
    hints: dict[str, str] = {}
    # What to say when a field is left empty: GOV.UK style says what to do, not "This field
    # is required".
    if_empty: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.hints:
                field.help_text = self.hints[name]
            if name in self.if_empty:
                field.error_messages["required"] = self.if_empty[name]
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = EMAIL_FORMAT_ERROR


# allauth's words for two passwords that differ, kept so both checks say the same.
PASSWORDS_DIFFER = "You must type the same password each time."


class BothPasswordsCompared:
    """allauth compares a new password with its second copy only when the first passed the
    strength checks, so "This password is too common" hid "not the same": people fixed one
    and then met the other. This compares what was typed, whatever else is wrong."""

    def clean(self):
        cleaned_data = super().clean()
        typed, again = self["password1"].data, self["password2"].data
        if typed and again and typed != again and not self.has_error("password2"):
            self.add_error("password2", PASSWORDS_DIFFER)
        return cleaned_data


# A hint shown to people, not a password.
STRONG_CHOICE_HINT = "At least 8 characters. Avoid common words and passwords you use elsewhere."


class SignupForm(PlainLabelsMixin, BothPasswordsCompared, allauth_forms.SignupForm):
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="The name you would like us to use. It does not have to be your full name.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]
    labels = {
        "email": "Email address",
        "password1": "Create a password",
        "password2": "Type the password again",
    }
    hints = {"email": "We will send you a link to confirm it.", "password1": STRONG_CHOICE_HINT}
    if_empty = {
        "display_name": "Enter your name",
        "email": "Enter your email address",
        "password1": "Create a password",
        "password2": "Type the password again",
    }


class LoginForm(PlainLabelsMixin, allauth_forms.LoginForm):
    labels = {"login": "Email address", "password": "Password"}
    # allauth hints "Forgot your password?" as an unstyled link; the page has its own.
    hints = {"password": ""}
    if_empty = {"login": "Enter your email address", "password": "Enter your password"}


class ResetPasswordForm(PlainLabelsMixin, allauth_forms.ResetPasswordForm):
    labels = {"email": "Email address"}
    if_empty = {"email": "Enter your email address"}


class ResetPasswordKeyForm(
    PlainLabelsMixin, BothPasswordsCompared, allauth_forms.ResetPasswordKeyForm
):
    labels = {"password1": "New password", "password2": "Type the new password again"}
    hints = {"password1": STRONG_CHOICE_HINT}
    if_empty = {"password1": "Enter a new password", "password2": "Type the new password again"}


class ChangePasswordForm(PlainLabelsMixin, BothPasswordsCompared, allauth_forms.ChangePasswordForm):
    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "Type the new password again",
    }
    hints = {"oldpassword": "", "password1": STRONG_CHOICE_HINT}
    if_empty = {
        "oldpassword": "Enter your current password",
        "password1": "Enter a new password",
        "password2": "Type the new password again",
    }


class AddEmailForm(PlainLabelsMixin, allauth_forms.AddEmailForm):
    """The "New email address" box on the account page (ACCOUNT_CHANGE_EMAIL)."""

    labels = {"email": "New email address"}
    if_empty = {"email": "Enter your new email address"}


class ChangeNameForm(forms.Form):
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="The name you would like us to use. It does not have to be your full name.",
        error_messages={"required": "Enter your name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name")
        return name
