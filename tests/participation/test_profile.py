import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.services import choose_channel
from participation import services
from participation.models import Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def test_the_profile_is_created_when_first_needed(client, resident):
    client.force_login(resident)

    response = client.get(reverse("participation:profile"))

    assert response.status_code == 200
    assert Profile.objects.filter(user=resident).count() == 1
    assert "None recorded" in response.text
    assert (
        f'href="{reverse("insight:equality")}">Answer or change the optional questions to help us '
        "reach everyone</a>" in response.text
    )


def test_access_needs_are_kept_only_with_explicit_consent(client, resident):
    client.force_login(resident)
    page = reverse("participation:access_needs")

    refused = client.post(page, {"access_needs": "A BSL interpreter"})
    assert "Tick the box to agree" in refused.text
    assert "A BSL interpreter" in refused.text  # what was typed is kept
    assert not Profile.objects.get(user=resident).access_needs

    client.post(page, {"access_needs": "A BSL interpreter", "consent": "on"})
    profile = Profile.objects.get(user=resident)
    assert profile.access_needs == "A BSL interpreter"
    assert profile.access_needs_consent_at is not None


def test_saving_the_access_needs_form_says_what_happened(client, resident):
    client.force_login(resident)
    page = reverse("participation:access_needs")

    def told(data):
        response = client.post(page, data, follow=True)
        return response.text

    assert "You have not told us about any access needs" in told({"access_needs": ""})
    assert "Your access needs have been saved" in told(
        {"access_needs": "Step-free", "consent": "on"}
    )
    assert "We have deleted your access needs" in told({"access_needs": "  "})
    assert Profile.objects.get(user=resident).access_needs == ""


def test_saving_access_needs_returns_to_the_sign_up_page(client, resident, opportunity):
    client.force_login(resident)
    sign_up = reverse("participation:sign_up", args=[opportunity.pk])

    response = client.post(
        reverse("participation:access_needs"),
        {"access_needs": "Step-free", "consent": "on", "next": sign_up},
    )

    assert response["Location"] == sign_up


def test_an_outside_next_link_is_ignored(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("participation:access_needs"),
        {"access_needs": "", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("participation:profile")


def test_deleting_access_needs_removes_them_and_session_notes(client, resident, opportunity):
    Profile.objects.create(
        user=resident, access_needs="Wheelchair user", access_needs_consent_at=timezone.now()
    )
    signup = services.sign_up(opportunity, resident=resident, access_needs_note="Ramp")
    client.force_login(resident)

    page = client.get(reverse("participation:delete_access_needs"))
    assert "Are you sure" in page.text
    client.post(reverse("participation:delete_access_needs"))

    profile = Profile.objects.get(user=resident)
    assert profile.access_needs == "" and profile.access_needs_consent_at is None
    assert SignUp.objects.get(pk=signup.pk).access_needs_note == ""


def test_interests_levels_and_formats_are_saved(client, resident):
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    client.force_login(resident)

    client.post(
        reverse("participation:interests"),
        {
            "interests": [carers.pk],
            "preferred_levels": ["strategic"],
            "preferred_formats": ["online", "phone"],
        },
    )

    profile = Profile.objects.get(user=resident)
    assert list(profile.interests.all()) == [carers]
    assert profile.preferred_levels == ["strategic"]
    text = client.get(reverse("participation:profile")).text
    assert "Carers" in text and "Strategic" in text and "By phone" in text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"contact_by": "text", "phone": ""}, "Enter a mobile number"),
        # A landline takes a text and nobody reads it.
        ({"contact_by": "text", "phone": "01632 960 123"}, "Enter a mobile number, starting 07"),
        ({"contact_by": "email", "phone": "not a number"}, "Enter a phone number"),
        ({"contact_by": "pigeon"}, "Choose one of the options shown"),
    ],
)
def test_contact_preferences_reject_bad_input(client, resident, settings, data, error):
    settings.NOTIFY_API_KEY = "test-key"  # so text messages are a choice
    client.force_login(resident)
    data = {"format": "standard", **data}

    response = client.post(reverse("participation:contact"), data)

    assert error in response.text
    assert Profile.objects.get(user=resident).contact_by == "email"


def test_contact_preferences_are_saved(client, resident):
    client.force_login(resident)

    client.post(
        reverse("participation:contact"),
        {
            "contact_by": "post_or_phone",
            "phone": "",
            "postal_address": "  1 Mill Lane\r\nMillbrook\r\nMB1 2CD ",
            "format": "easy_read",
        },
    )

    profile = Profile.objects.get(user=resident)
    assert (profile.contact_by, profile.format) == ("post_or_phone", "easy_read")
    assert profile.postal_address == "1 Mill Lane\r\nMillbrook\r\nMB1 2CD"
    page = client.get(reverse("participation:profile")).content.decode()
    assert "1 Mill Lane<br>Millbrook<br>MB1 2CD" in page


def test_post_or_phone_needs_a_number_or_an_address_and_keeps_what_was_typed(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("participation:contact"),
        {
            "contact_by": "post_or_phone",
            "phone": "",
            "postal_address": " ",
            "format": "easy_read",
            "large_print": "on",
        },
    )

    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_phone"' in page  # the first of the two boxes
    assert "Enter a phone number or a postal address" in page
    assert re.search(r'value="easy_read"\s+checked', page)
    assert re.search(r'<input[^>]*name="large_print"[^>]*checked', page)
    assert Profile.objects.get(user=resident).contact_by == "email"


def test_someone_can_ask_for_easy_read_and_large_print_together(client, resident):
    client.force_login(resident)
    contact = reverse("participation:contact")

    form = client.get(contact).content.decode()
    assert "Send me information in large print" in form
    # Large print is no longer one of the ways to write, but a choice of its own.
    assert 'value="large_print"' not in form

    client.post(
        contact,
        {"contact_by": "email", "phone": "", "postal_address": "", "format": "easy_read"}
        | {"large_print": "on"},
    )

    profile = Profile.objects.get(user=resident)
    assert (profile.format, profile.large_print) == ("easy_read", True)
    summary = client.get(reverse("participation:profile")).content.decode()
    assert re.search(r"Information written in</dt>\s*<dd[^>]*>Easy read</dd>", summary)
    assert re.search(r"Large print</dt>\s*<dd[^>]*>Yes</dd>", summary)
    again = client.get(contact).content.decode()
    assert re.search(r'value="easy_read"\s+checked', again)
    assert re.search(r'<input[^>]*name="large_print"[^>]*checked', again)

    # An unticked box is not sent at all: that means no large print.
    client.post(
        contact, {"contact_by": "email", "phone": "", "postal_address": "", "format": "standard"}
    )

    profile.refresh_from_db()
    assert (profile.format, profile.large_print) == ("standard", False)
    summary = client.get(reverse("participation:profile")).content.decode()
    assert re.search(r"Large print</dt>\s*<dd[^>]*>No</dd>", summary)


def test_other_people_never_see_someones_access_needs_on_public_pages(
    client, resident, other_resident
):
    Profile.objects.create(
        user=resident, access_needs="Secret need", access_needs_consent_at=timezone.now()
    )
    opportunity = OpportunityFactory()
    services.sign_up(opportunity, resident=resident)

    client.force_login(other_resident)
    for page in (opportunity.get_absolute_url(), reverse("participation:directory")):
        assert "Secret need" not in client.get(page).text
    assert client.get(reverse("participation:manage", args=[opportunity.pk])).status_code == 404


def test_a_persons_data_export_includes_profile_and_sign_ups(resident, opportunity):
    from participation import privacy

    Profile.objects.create(
        user=resident,
        access_needs="Large print",
        access_needs_consent_at=timezone.now(),
        format=Profile.InformationFormat.EASY_READ,
        large_print=True,
    )
    services.sign_up(opportunity, resident=resident, access_needs_note="Front row")

    data = privacy.export(resident)

    assert data["profile"]["access_needs"] == "Large print"
    assert data["profile"]["format_for_information"] == "Easy read"
    assert data["profile"]["large_print"] is True
    assert data["sign_ups"][0]["opportunity"] == opportunity.title
    assert data["sign_ups"][0]["access_needs_for_this_session"] == "Front row"


def test_erasing_a_person_frees_their_places_and_keeps_only_attendance(
    resident, make_residents, staff
):
    from datetime import timedelta

    from participation import privacy

    upcoming = OpportunityFactory(capacity=1, created_by=staff)
    past = OpportunityFactory(
        created_by=staff,
        starts_at=timezone.now() - timedelta(days=5),
        ends_at=timezone.now() - timedelta(days=5) + timedelta(hours=1),
    )
    Profile.objects.create(
        user=resident, access_needs="Wheelchair", access_needs_consent_at=timezone.now()
    )
    services.sign_up(upcoming, resident=resident)
    (waiting,) = make_residents(1)
    services.sign_up(upcoming, resident=waiting)
    SignUp.objects.create(
        opportunity=past,
        resident=resident,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
        access_needs_note="Ramp",
    )

    privacy.erase(resident)

    assert not Profile.objects.filter(user=resident).exists()
    kept = SignUp.objects.filter(resident=resident)
    assert list(kept.values_list("opportunity", "access_needs_note")) == [(past.pk, "")]
    assert SignUp.objects.get(resident=waiting).status == SignUp.Status.OFFERED


# --- Text messages, only while we can send them ------------------------------------------


@pytest.mark.parametrize("notify", [True, False])
def test_text_messages_are_offered_only_while_we_can_send_them(client, resident, settings, notify):
    settings.NOTIFY_API_KEY = "test-key" if notify else ""
    client.force_login(resident)

    page = client.get(reverse("participation:contact")).text

    assert ('value="text"' in page) == notify
    assert ("Text message" in page) == notify
    assert ("Needed if you choose text messages" in page) == notify
    assert 'value="email"' in page and 'value="post_or_phone"' in page


@pytest.mark.parametrize("notify", [True, False])
def test_large_print_promises_big_type_in_emails_only_when_we_can_send_it(
    client, resident, settings, notify
):
    # Through GOV.UK Notify every email has the same text size.
    settings.NOTIFY_API_KEY = "test-key" if notify else ""
    client.force_login(resident)

    page = client.get(reverse("participation:contact")).text

    assert ("Our emails use big text." in page) == (not notify)
    assert ("your email app can make the text bigger" in page) == notify
    assert "If our staff write to you, they use large print" in page


@pytest.mark.parametrize("notify", [True, False])
def test_choosing_text_messages_is_saved_only_while_we_can_send_them(
    client, resident, settings, notify
):
    settings.NOTIFY_API_KEY = "test-key" if notify else ""
    client.force_login(resident)

    response = client.post(
        reverse("participation:contact"),
        {"contact_by": "text", "phone": "07700 900 982", "format": "standard"},
    )

    saved = Profile.objects.get(user=resident).contact_by
    if notify:
        assert response.status_code == 302 and saved == "text"
    else:
        assert "Choose one of the options shown" in response.text and saved == "email"
    # And the service itself refuses, whichever page asks it.
    if not notify:
        with pytest.raises(services.ParticipationError, match="cannot send text messages"):
            services.update_contact_preferences(
                Profile.objects.get(user=resident),
                contact_by="text",
                phone="07700900982",
                postal_address="",
                format="standard",
                large_print=False,
            )


@pytest.mark.parametrize("notify", [True, False])
def test_someone_who_chose_texts_is_told_how_we_really_reach_them(
    client, resident, settings, notify
):
    settings.NOTIFY_API_KEY = "test-key" if notify else ""
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900 982")
    client.force_login(resident)

    profile_page = client.get(reverse("participation:profile")).text
    contact_page = client.get(reverse("participation:contact")).text
    messages_page = client.get(reverse("notifications:preferences")).text

    told = (
        "You asked for text messages, but we cannot send them at the moment, so we will email "
        f"you at {resident.email} instead."
    )
    assert (told in profile_page) == (not notify)
    assert (told in contact_page) == (not notify)
    assert (told in messages_page) == (not notify)
    # What the pages say is what the messages do.
    assert choose_channel(resident) == (
        ("sms", "07700 900 982") if notify else ("email", resident.email)
    )
    if not notify:
        # Nothing is chosen for them: texts are not on offer, so they choose again.
        assert not re.search(r'name="contact_by"[^>]*checked', contact_page)


def test_someone_without_email_who_chose_texts_hears_staff_will_phone_or_write(client, settings):
    settings.NOTIFY_API_KEY = ""
    person = UserFactory(email="no-email-1@people.invalid")
    Profile.objects.create(user=person, contact_by="text", phone="07700 900 982")
    client.force_login(person)

    page = client.get(reverse("participation:profile")).text

    assert "so our staff will phone you or write to you instead." in page
    assert choose_channel(person) == ("call_list", "")
