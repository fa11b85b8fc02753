import re

import pytest
from django.core import mail

from coprod_hub.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link_in_last_email():
    return re.search(r"http://\S+", mail.outbox[-1].body).group(0)


def test_a_new_visitor_signs_up_confirms_signs_in_out_and_resets_password(page, axe, fits_320):
    page.goto("/")
    axe(page)
    fits_320()
    page.get_by_role("link", name="Create an account").click()
    axe(page)

    # Bad input first: the error summary appears and what was typed is kept.
    page.get_by_label("Your name").fill("Nadia Patel")
    page.get_by_label("Email address").fill("nadia@example")
    page.get_by_label("Create a password").fill("a-long-memorable-phrase")
    page.get_by_label("Type the password again").fill("a-different-phrase")
    page.get_by_role("button", name="Create account").click()
    # The page with the problems may still be loading: wait for it rather than look at once.
    page.locator(".govuk-error-summary").wait_for()
    assert page.get_by_label("Your name").input_value() == "Nadia Patel"
    axe(page)
    assert not User.objects.filter(display_name="Nadia Patel").exists()

    # A long address, as many are: the message naming it must wrap on a small screen.
    page.get_by_label("Email address").fill("nadia.abdulrahman@hotmail.co.uk")
    page.get_by_label("Create a password").fill("a-long-memorable-phrase")
    page.get_by_label("Type the password again").fill("a-long-memorable-phrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    axe(page)
    fits_320()

    page.goto(_link_in_last_email())
    axe(page)
    page.get_by_role("button", name="Confirm email address").click()
    # Confirmed in the browser she signed up in, she is signed in straight away.
    page.get_by_role("button", name="Sign out").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Sign out").click()

    page.goto("/accounts/login/")
    axe(page)
    page.get_by_label("Email address").fill("nadia.abdulrahman@hotmail.co.uk")
    page.get_by_label("Password", exact=True).fill("a-long-memorable-phrase")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    axe(page)
    fits_320()

    # She corrects the name we use for her from her account page.
    page.goto("/accounts/email/")
    axe(page)
    page.get_by_role("link", name="Change your name").click()
    axe(page)
    page.get_by_label("Your name").fill("")
    page.get_by_role("button", name="Save your name").click()
    page.get_by_role("link", name="Enter your name").wait_for()
    axe(page)
    page.get_by_label("Your name").fill("Nadia Haddad")
    page.get_by_role("button", name="Save your name").click()
    page.get_by_text("Your name has been changed.").wait_for()
    assert User.objects.get(email="nadia.abdulrahman@hotmail.co.uk").display_name == "Nadia Haddad"

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="I have forgotten my password").click()
    axe(page)
    page.get_by_label("Email address").fill("nadia.abdulrahman@hotmail.co.uk")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    page.goto(_link_in_last_email())
    axe(page)
    page.get_by_label("New password", exact=True).fill("another-memorable-phrase")
    page.get_by_label("Type the new password again").fill("another-memorable-phrase")
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("heading", name="Your password has been changed").wait_for()
    axe(page)
    assert User.objects.get(email="nadia.abdulrahman@hotmail.co.uk").check_password(
        "another-memorable-phrase"
    )


def test_the_header_works_by_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    # Following the link is asynchronous: wait for it rather than read the address at once.
    page.wait_for_url("**#main-content", timeout=5000)

    page.goto("/")
    reached = []
    for _ in range(15):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Co-production Hub" in " ".join(reached)
    assert "Sign in" in reached
    assert "Create an account" in reached
    # The focused element is always visibly outlined (GOV.UK focus style: yellow background).
    page.keyboard.press("Shift+Tab")
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"


@pytest.mark.page_answers_with(403)
def test_a_form_sent_after_its_security_token_was_lost_explains_how_to_send_it_again(
    page, axe, fits_320
):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("someone@example.org")
    page.context.clear_cookies()  # as if signed out in another tab, or cookies were blocked
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Sorry, we could not send that").wait_for()
    assert page.get_by_text("What you typed should still be there").is_visible()
    axe(page)
    fits_320()
    page.go_back()
    assert page.get_by_label("Email address").input_value() == "someone@example.org"
