from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="The name you would like us to use. It does not have to be your full name.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain, GOV.UK-style labels and hints rather than allauth's placeholders.
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "We will send you a link to confirm it."
        self.fields["password1"].label = "Create a password"
        self.fields[
            "password1"
        ].help_text = "At least 8 characters. Avoid common words and passwords you use elsewhere."
        self.fields["password2"].label = "Type the password again"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
