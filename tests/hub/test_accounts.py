import re

import pytest
from django.core import mail
from django.urls import reverse

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Nadia Patel",
    "email": "nadia@example.org",
    "password1": "a-long-memorable-phrase",
    "password2": "a-long-memorable-phrase",
}


def test_a_new_account_is_a_resident_and_must_confirm_its_email(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="nadia@example.org")
    assert user.display_name == "Nadia Patel"
    assert user.has_role(Role.RESIDENT)
    assert not user.has_role(Role.STAFF)
    assert len(mail.outbox) == 1
    assert "confirm your email address" in mail.outbox[0].body
    # The hub's own sentence-case subject, not allauth's "Please Confirm Your Email Address".
    assert mail.outbox[0].subject == "Co-production Hub: Confirm your email address"


def test_the_confirmation_link_confirms_the_email(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)

    client.post(link)

    assert User.objects.get(email="nadia@example.org").emailaddress_set.get().verified


def test_confirming_in_the_browser_that_signed_up_signs_the_person_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)

    response = client.post(link, follow=True)

    assert response.context["user"].email == "nadia@example.org"


def test_confirming_from_another_browser_asks_the_person_to_sign_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    client.cookies.clear()

    response = client.post(link)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"password2": "something-else-entirely"}, "You must type the same password each time"),
        ({"display_name": ""}, "Enter your name"),
        ({"password1": "", "password2": ""}, "Create a password"),
    ],
)
def test_bad_sign_up_shows_an_error_summary_and_keeps_what_was_typed(client, change, message):
    data = SIGNUP | change

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert 'value="Nadia Patel"' in page or change.get("display_name") == ""
    assert not User.objects.filter(email=data["email"]).exists()


def test_signing_up_with_an_existing_email_creates_nothing(client):
    UserFactory(email="nadia@example.org")

    response = client.post(reverse("account_signup"), SIGNUP)

    # allauth does not reveal that the account exists: it emails the owner instead.
    assert response.status_code == 302
    assert User.objects.filter(email="nadia@example.org").count() == 1
    assert "already" in mail.outbox[-1].body.lower() or "sign in" in mail.outbox[-1].body.lower()
    assert mail.outbox[-1].subject == "Co-production Hub: You already have an account"
    assert "There is already an account with this email address" in mail.outbox[-1].body


def test_a_person_signs_in_with_their_email(client, resident):
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.context["user"] == resident
    assert f"You are signed in as {resident.display_name}." in home.text
    assert "Successfully" not in home.text


def test_an_empty_sign_in_says_what_to_enter(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    page = response.content.decode()
    assert "Enter your email address" in page and "Enter your password" in page
    assert "This field is required" not in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_password_pages_link_to_a_reset_once_styled_as_a_link(client, resident, signed_in):
    # allauth adds an unstyled "Forgot your password?" under the password box as well.
    if signed_in:
        client.force_login(resident)
    page = client.get(
        reverse("account_change_password" if signed_in else "account_login")
    ).content.decode()

    reset = reverse("account_reset_password")
    assert page.count(f'href="{reset}"') == 1
    assert f'<a class="govuk-link" href="{reset}">' in page
    assert "Forgot your password?" not in page


def test_a_wrong_password_shows_an_error_summary(client, resident):
    response = client.post(reverse("account_login"), {"login": resident.email, "password": "no"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "The email address or password is wrong. Check them and try again." in page
    assert "and/or" not in page


def test_a_common_password_typed_differently_twice_is_told_both(client):
    response = client.post(
        reverse("account_signup"), SIGNUP | {"password1": "password", "password2": "passw0rd"}
    )

    page = response.content.decode()
    assert "This password is too common" in page
    assert "You must type the same password each time" in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_a_new_password_typed_differently_twice_is_told_both_when_changing_it(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "password", "password2": "passw0rd"},
    )

    page = response.content.decode()
    assert "This password is too common" in page
    assert "You must type the same password each time" in page


def test_repeated_failed_sign_ins_are_rate_limited(client, resident):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": resident.email, "password": "wrong"})

    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_commissioners_hold_the_staff_role_too(commissioner):
    assert commissioner.has_role(Role.STAFF)
    assert not commissioner.has_role(Role.MODERATOR)


def test_superusers_hold_every_role(admin_user):
    assert all(admin_user.has_role(role) for role in Role)


def test_an_inactive_account_holds_no_roles(staff):
    staff.is_active = False
    assert not staff.has_role(Role.STAFF)


def test_people_can_correct_the_name_we_use_for_them(client, resident):
    client.force_login(resident)

    account = client.get(reverse("account_email")).content.decode()
    empty = client.post(reverse("change_name"), {"display_name": "   "})
    client.post(reverse("change_name"), {"display_name": "  Rita   Okafor "})

    assert reverse("change_name") in account
    assert "Enter your name" in empty.content.decode()
    resident.refresh_from_db()
    assert resident.display_name == "Rita Okafor"


@pytest.mark.parametrize(
    ("name", "called"),
    [
        ("Jane Smith", "Jane"),
        ("Dr Jane Smith", "Dr Smith"),
        ("Mrs. Ada Okafor-Brown", "Mrs. Okafor-Brown"),
        ("Sir John Major", "Sir John"),
        ("Dr", "Dr"),
        ("Prof", "Prof"),
    ],
)
def test_messages_call_people_by_a_name_not_by_their_title_alone(name, called):
    assert UserFactory.build(display_name=name).get_short_name() == called


@pytest.mark.parametrize(
    ("known", "subject", "words"),
    [
        (True, "Reset your password", "choose a new password here"),
        (False, "We do not have an account for this email address", "create an account here"),
    ],
)
def test_password_reset_emails_are_in_plain_sentence_case(client, resident, known, subject, words):
    email = resident.email if known else "nobody@example.org"

    client.post(reverse("account_reset_password"), {"email": email})

    (sent,) = mail.outbox
    assert sent.to == [email]
    assert sent.subject == f"Co-production Hub: {subject}"
    assert words in sent.body
