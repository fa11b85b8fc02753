from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from .roles import Role
from .services import grant_role


class AccountAdapter(DefaultAccountAdapter):
    # allauth's sign-in form takes its wrong-password message from here. Plain words that
    # say what to do, as GOV.UK's sign-in pattern does, instead of "and/or ... specified".
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "The email address or password is wrong. Check them and try again."
        ),
    }

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_OPEN

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        if commit:
            user.save()
            # Everyone who signs up is a resident; other roles are given by an admin.
            grant_role(user, Role.RESIDENT)
        return user
