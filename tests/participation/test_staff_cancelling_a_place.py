"""Staff cancelling someone else's place go through a page that says what will happen and
asks why; the person is sent the reason, and staff later see who cancelled it and why. People
cancelling their own place still do it in one click."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.models import User
from coprod_hub.users.privacy import erase as erase_account
from coprod_hub.users.roles import Role
from coprod_hub.users.services import grant_role
from notifications.models import Message
from notifications.services import body_in_format
from participation import privacy, services
from participation.models import Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(opportunity, resident):
    return services.sign_up(opportunity, resident=resident)


def cancel_url(signup):
    return reverse("participation:cancel", args=[signup.pk])


def test_the_confirmation_page_says_what_will_happen_and_asks_why(client, staff, place):
    client.force_login(staff)

    page = client.get(cancel_url(place)).text

    assert "Are you sure you want to cancel Rita Resident's place?" in page
    assert "Rita Resident will lose their place" in page
    assert "we will offer the place to the next person waiting" in page
    assert "We will tell Rita Resident that you did this, and why" in page
    assert "Why are you cancelling it?" in page
    assert 'data-module="govuk-character-count"' in page and 'data-maxlength="300"' in page
    assert SignUp.objects.get(pk=place.pk).status == SignUp.Status.BOOKED


def test_staff_must_give_a_reason(client, staff, place):
    client.force_login(staff)

    page = client.post(cancel_url(place), {"reason": "  "})

    assert page.status_code == 200
    assert "Enter why you are cancelling it, so we can tell them" in page.text
    assert SignUp.objects.get(pk=place.pk).status == SignUp.Status.BOOKED
    assert not Message.objects.filter(kind="signup_cancelled").exists()
    too_long = client.post(cancel_url(place), {"reason": "x" * 301}).text
    assert "The reason must be 300 characters or fewer" in too_long


def test_the_person_is_told_why_and_staff_see_who_cancelled_it(
    client, staff, place, other_resident
):
    full = OpportunityFactory(created_by=staff, capacity=1)
    holder = services.sign_up(full, resident=UserFactory(display_name="Hal Holder"))
    waiting = services.sign_up(full, resident=other_resident)
    assert waiting.status == SignUp.Status.WAITING
    client.force_login(staff)

    response = client.post(
        cancel_url(holder), {"reason": "You asked us to cancel it when you phoned."}
    )

    assert response["Location"] == reverse("participation:manage", args=[full.pk])
    holder.refresh_from_db()
    assert holder.status == SignUp.Status.CANCELLED
    assert holder.cancelled_by == staff
    assert holder.cancel_reason == "You asked us to cancel it when you phoned."
    message = Message.objects.get(kind="signup_cancelled", recipient=holder.resident)
    assert "We have cancelled your place" in message.body_text
    assert "Why: You asked us to cancel it when you phoned." in message.body_text
    assert SignUp.objects.get(pk=waiting.pk).status == SignUp.Status.OFFERED  # passed on

    place_page = client.get(holder.get_absolute_url()).text
    today = timezone.localdate().strftime("%-d %B %Y")
    assert "Cancelled by Sam Staff on" in place_page and today in place_page
    assert ": You asked us to cancel it when you phoned." in place_page


def test_the_reason_is_in_the_easy_read_and_text_message_words_too(staff, place):
    place = services.cancel_sign_up(place, by=staff, reason="The session is for carers only")
    context = {
        "recipient": place.resident,
        "signup": place,
        "opportunity": place.opportunity,
        "by_staff": True,
        "was_waiting": False,
        "reason": place.cancel_reason,
    }

    easy_read = body_in_format("signup_cancelled", "easy_read.txt", context, "")
    text_message = body_in_format("signup_cancelled", "sms.txt", context, "")

    assert "Why we did this:\nThe session is for carers only" in easy_read
    assert "Why: The session is for carers only. Did you not expect this?" in text_message


def test_taking_someone_off_the_waiting_list_asks_in_the_same_way(client, staff, other_resident):
    full = OpportunityFactory(created_by=staff, capacity=1)
    services.sign_up(full, resident=UserFactory())
    waiting = services.sign_up(full, resident=other_resident)
    client.force_login(staff)

    page = client.get(cancel_url(waiting)).text
    assert "Are you sure you want to take Oscar Other off the waiting list?" in page
    client.post(cancel_url(waiting), {"reason": "You have a place on the next one instead."})

    message = Message.objects.get(kind="signup_cancelled", recipient=other_resident)
    assert "We have taken you off the waiting list" in message.body_text
    assert "Why: You have a place on the next one instead." in message.body_text


def test_people_cancelling_their_own_place_still_do_it_in_one_click(client, resident, place):
    client.force_login(resident)

    response = client.post(cancel_url(place))

    assert response["Location"] == place.get_absolute_url()
    place.refresh_from_db()
    assert place.status == SignUp.Status.CANCELLED
    assert place.cancelled_by == resident and place.cancel_reason == ""
    message = Message.objects.get(kind="signup_cancelled", recipient=resident)
    assert "You have cancelled your place" in message.body_text and "Why:" not in message.body_text


def test_staff_see_when_the_person_cancelled_it_themselves(client, staff, resident, place):
    services.cancel_sign_up(place, by=resident)
    client.force_login(staff)

    page = client.get(place.get_absolute_url()).text

    assert "Rita Resident cancelled this place on" in page
    assert "Cancelled by" not in page


def test_signing_up_again_clears_who_cancelled_it(staff, resident, place, opportunity):
    services.cancel_sign_up(place, by=staff, reason="Booked by mistake")

    again = services.sign_up(opportunity, resident=resident)

    again.refresh_from_db()
    assert again.pk == place.pk and again.status == SignUp.Status.BOOKED
    assert again.cancelled_by is None and again.cancel_reason == ""


def test_a_second_press_on_a_cancelled_place_needs_no_reason(client, staff, place):
    services.cancel_sign_up(place, by=staff, reason="Booked by mistake")
    client.force_login(staff)

    response = client.post(cancel_url(place), follow=True)

    assert "This place was already cancelled." in response.text
    assert Message.objects.filter(kind="signup_cancelled").count() == 1


def test_the_reason_is_in_the_persons_data_and_goes_when_they_are_erased(staff, resident, place):
    services.cancel_sign_up(place, by=staff, reason="Booked by mistake")

    exported = privacy.export(resident)["sign_ups"][0]
    assert exported["cancelled_by"] == "Sam Staff"
    assert exported["why_staff_cancelled_it"] == "Booked by mistake"

    SignUp.objects.filter(pk=place.pk).update(attendance=SignUp.Attendance.ATTENDED)
    privacy.erase(resident)
    assert SignUp.objects.get(pk=place.pk).cancel_reason == ""


def test_erasing_the_member_of_staff_keeps_the_record_of_why(client, staff, place, admin_user):
    services.cancel_sign_up(place, by=admin_user, reason="Booked by mistake")
    leaver = UserFactory(display_name="Lee Leaver", roles=[Role.STAFF])
    other = services.sign_up(OpportunityFactory(created_by=leaver), resident=place.resident)
    services.cancel_sign_up(other, by=leaver, reason="Booked twice")

    User.objects.filter(pk=admin_user.pk).delete()
    erase_account(leaver)

    place.refresh_from_db()
    assert place.cancelled_by is None and place.cancel_reason == "Booked by mistake"
    client.force_login(staff)
    page = client.get(place.get_absolute_url()).text
    assert "Cancelled by a member of staff on" in page and "Booked by mistake" in page
    assert SignUp.objects.get(pk=other.pk).cancel_reason == "Booked twice"


def test_staff_booking_their_own_place_cancel_it_in_one_click(client, staff, opportunity):
    Profile.objects.create(user=staff)
    grant_role(staff, Role.RESIDENT)
    own = services.sign_up(opportunity, resident=staff)
    client.force_login(staff)

    client.post(cancel_url(own))

    assert SignUp.objects.get(pk=own.pk).status == SignUp.Status.CANCELLED
