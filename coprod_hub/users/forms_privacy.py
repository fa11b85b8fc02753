from allauth.core import ratelimit
from django import forms


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        help_text="To keep your account safe, enter your password to confirm.",
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand my account and information will be deleted and cannot be restored",
        error_messages={"required": "Tick the box to confirm you want to delete your account"},
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Limited like allauth's own password checks (ACCOUNT_RATE_LIMITS "reauthenticate"), or
        # a borrowed session could try passwords here for ever.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError(
                "You have entered your password too many times. Wait 5 minutes, then try again"
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right")
        return password

    def clean(self):
        from . import privacy

        for reason in privacy.erasure_blockers(self.user):
            self.add_error(None, reason.to_person)
        return super().clean()
