"""Staff message the people taking part in an opportunity they run."""

import re
import uuid
from datetime import timedelta
from html import escape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Message, Unsubscribe
from participation import services
from participation.models import GroupMessage, Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def url(opportunity, name="message_group"):
    return reverse(f"participation:{name}", args=[opportunity.pk])


def person(name, contact_by=None, phone=""):
    someone = UserFactory(display_name=name, roles=[Role.RESIDENT])
    if contact_by:
        Profile.objects.create(user=someone, contact_by=contact_by, phone=phone)
    return someone


@pytest.fixture
def group(opportunity):
    """Two booked, one offered a place, one waiting and one who cancelled."""
    people = {
        "booked": person("Bea Booked"),
        "phone": person("Pat Phone", Profile.ContactBy.POST_OR_PHONE, "01632 960001"),
        "offered": person("Otto Offered", Profile.ContactBy.TEXT, "07700 900123"),
        "waiting": person("Wren Waiting"),
        "cancelled": person("Cal Cancelled"),
    }
    statuses = {
        "booked": SignUp.Status.BOOKED,
        "phone": SignUp.Status.BOOKED,
        "offered": SignUp.Status.OFFERED,
        "waiting": SignUp.Status.WAITING,
        "cancelled": SignUp.Status.CANCELLED,
    }
    for key, someone in people.items():
        SignUpFactory(
            opportunity=opportunity,
            resident=someone,
            status=statuses[key],
            waiting_since=timezone.now() if key == "waiting" else None,
        )
    return people


def form_data(**overrides):
    data = {
        "subject": "Parking at the library",
        "text": "The car park is closed on Tuesday.\r\nPlease use the one on Mill Lane.",
        "token": str(uuid.uuid4()),
        "send_to": "places",
        "send": "yes",  # the second press, after checking it
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def recipients(kind="group_message"):
    return set(Message.objects.filter(kind=kind).values_list("recipient__display_name", flat=True))


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The page ---------------------------------------------------------------------------


def test_the_manage_page_links_to_the_message_page(client, staff, opportunity, group):
    client.force_login(staff)

    page = client.get(url(opportunity, "manage")).content.decode()

    assert url(opportunity) in page
    assert "Message the people taking part" in page


def test_the_manage_page_shows_the_latest_10_messages_and_links_to_all_of_them(
    client, staff, opportunity, django_assert_max_num_queries
):
    for n in range(1, 25):
        GroupMessage.objects.create(
            opportunity=opportunity,
            token=uuid.uuid4(),
            sent_by=staff,
            subject=f"Note {n:02}",
            text="Parking is at the back.",
            recipient_count=3,
            created_at=timezone.now() - timedelta(hours=30 - n),
        )
    client.force_login(staff)
    every = url(opportunity, "group_messages")

    manage = client.get(url(opportunity, "manage")).text
    first = client.get(every).text
    with django_assert_max_num_queries(6):  # the same for any number of messages
        second = client.get(every, {"page": 2}).text

    assert "The 10 most recent messages sent" in manage
    assert "Note 24" in manage and "Note 15" in manage and "Note 14" not in manage
    assert f'href="{every}">See all the messages sent' in manage
    assert "Showing 1 to 20 of 24 messages." in first
    assert first.index("Note 24") < first.index("Note 05") and "Note 04" not in first
    assert "Note 04" in second and "Note 01" in second


def test_staff_see_who_will_get_it_and_how_before_sending(
    client, staff, opportunity, group, settings
):
    settings.NOTIFY_API_KEY = "test-key"  # text messages can go out
    Unsubscribe.objects.create(user=group["waiting"], category="sign_ups")
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()

    assert (
        "3 people: 1 by email, 1 by text message, 1 by phone or post (on the staff call list)"
        in page
    )
    assert "1 person: 1 will not get it (they turned off messages about sessions)" in page
    assert "People with a place, or offered one (3)" in page
    assert "People with a place, or offered one, and the waiting list (4)" in page
    assert "Pat Phone" in page and "Otto Offered" in page
    assert "Cal Cancelled" not in page
    assert re.search(r'name="token" value="[0-9a-f-]{36}"', page)


def test_without_text_messages_set_up_people_who_asked_for_texts_get_email(
    client, staff, opportunity, group
):
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()

    assert "3 people: 2 by email, 1 by phone or post (on the staff call list)" in page


def test_with_nobody_waiting_there_is_no_waiting_list_question(client, staff, opportunity):
    SignUpFactory(opportunity=opportunity, resident=person("Bea Booked"))
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()

    assert "1 person: 1 by email" in page
    assert "send_to" not in page


def test_with_nobody_signed_up_there_is_nothing_to_send(client, staff, opportunity):
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()
    response = client.post(url(opportunity), form_data())

    assert "there is nobody to send a message to yet" in page
    assert "Send message" not in page
    assert response.status_code == 200
    assert not Message.objects.exists() and not GroupMessage.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"subject": ""}, "Enter a subject"),
        ({"text": "   "}, "Enter your message"),
        ({"subject": "x" * 151}, "The subject must be 150 characters or fewer"),
        ({"text": "x" * 3001}, "The message must be 3,000 characters or fewer. It has 3,001"),
        ({"easy_read_text": "x" * 3001}, "The easy read version must be 3,000 characters or"),
        ({"text": "Bring\x07 a pen"}, "characters that are not ordinary text"),
        ({"send_to": None}, "Choose who should get the message"),
        ({"send_to": "the whole council"}, "Choose who should get the message"),
    ],
)
def test_bad_input_gets_the_error_summary_and_keeps_what_was_typed(
    client, staff, opportunity, group, overrides, error
):
    client.force_login(staff)
    data = form_data(**overrides)

    response = client.post(url(opportunity), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert error in page
    assert "<title>Error: " in page
    assert "You can enter up to 3,000 characters" in page  # as people read numbers
    assert data["token"] in page  # the same form: sending it later still sends once
    for name in ("subject", "text"):
        typed = data[name].strip().split("\r\n")[-1]
        assert escape(typed) in page, f"{name} was not kept"
    assert not Message.objects.exists() and not GroupMessage.objects.exists()


def test_a_broken_token_is_refused_with_a_new_one_so_the_next_try_works(
    client, staff, opportunity, group
):
    client.force_login(staff)

    response = client.post(url(opportunity), form_data(token="not-a-token"))

    page = response.content.decode()
    assert "Something went wrong with this page" in page
    assert "Please use the one on Mill Lane." in page
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', page)[1]
    response = client.post(url(opportunity), form_data(token=token))
    assert response.status_code == 302
    assert GroupMessage.objects.get().token == uuid.UUID(token)


# --- Sending ----------------------------------------------------------------------------


def test_it_goes_to_people_with_a_place_and_never_to_people_who_cancelled(
    client, staff, opportunity, group
):
    client.force_login(staff)

    response = client.post(url(opportunity), form_data())

    assert response.status_code == 302
    assert response["Location"] == url(opportunity, "manage")
    assert recipients() == {"Bea Booked", "Pat Phone", "Otto Offered"}
    assert flash(response) == [
        "Your message is being sent to 3 people. 1 person asked for contact by post or phone, "
        "so they are on the call list."
    ]
    record = GroupMessage.objects.get()
    assert (record.opportunity, record.sent_by, record.recipient_count) == (opportunity, staff, 3)
    assert record.subject == "Parking at the library"
    assert not record.include_waiting
    # The manage page shows what was sent, by whom and to how many.
    page = client.get(url(opportunity, "manage")).content.decode()
    assert "Parking at the library" in page
    assert "Please use the one on Mill Lane." in page
    assert "3 people with a place" in page
    assert "Sam Staff" in page


def test_the_waiting_list_gets_it_only_when_chosen_and_is_told_it_has_no_place(
    client, staff, opportunity, group
):
    client.force_login(staff)

    client.post(url(opportunity), form_data(send_to="everyone"))

    assert recipients() == {"Bea Booked", "Pat Phone", "Otto Offered", "Wren Waiting"}
    waiting = Message.objects.get(recipient=group["waiting"])
    booked = Message.objects.get(recipient=group["booked"])
    assert "You are on the waiting list, so you do not have a place yet." in waiting.body_text
    assert "waiting list" not in booked.body_text
    assert GroupMessage.objects.get().recipient_count == 4


def test_each_person_gets_it_the_way_they_asked(client, staff, opportunity, group, settings):
    settings.NOTIFY_API_KEY = "test-key"
    Unsubscribe.objects.create(user=group["booked"], category="sign_ups")
    client.force_login(staff)

    client.post(url(opportunity), form_data(send_to="everyone"))

    sent = {m.recipient_id: m for m in Message.objects.filter(kind="group_message")}
    assert sent[group["phone"].pk].status == Message.Status.CALL_LIST
    assert sent[group["offered"].pk].channel == Message.Channel.SMS
    assert sent[group["offered"].pk].to_address == "07700 900123"
    assert sent[group["waiting"].pk].channel == Message.Channel.EMAIL
    # Turned off "sign-ups and changes to sessions": it is a message about a session.
    assert sent[group["booked"].pk].category == "sign_ups"
    assert sent[group["booked"].pk].status == Message.Status.SKIPPED


def test_the_message_has_the_subject_text_session_details_and_a_link(
    client, staff, opportunity, group, settings
):
    opportunity.contact_name, opportunity.contact_email = "Sam Staff", "sam@council.example"
    opportunity.save()
    client.force_login(staff)

    client.post(url(opportunity), form_data())

    message = Message.objects.get(recipient=group["booked"])
    assert message.subject == "Parking at the library"
    body = message.body_text
    assert body.startswith("Hello Bea,")
    assert "Sam Staff has sent this message to the people signed up for Carers' lunch" in body
    assert "The car park is closed on Tuesday.\nPlease use the one on Mill Lane." in body
    starts = timezone.localtime(opportunity.starts_at)
    assert f"When: {starts:%A} {starts.day} {starts:%B %Y}" in body
    # Their own place, where they can cancel it or see what to bring.
    place = SignUp.objects.get(opportunity=opportunity, resident=group["booked"])
    assert f"Details: {settings.SITE_URL}{place.get_absolute_url()}\n" in body
    assert "To reply, contact Sam Staff by email at sam@council.example." in body


def test_people_whose_account_has_closed_do_not_get_it(client, staff, opportunity, group):
    group["booked"].is_active = False
    group["booked"].save()
    client.force_login(staff)

    client.post(url(opportunity), form_data())

    assert recipients() == {"Pat Phone", "Otto Offered"}


def test_sending_the_same_form_twice_sends_once(client, staff, opportunity, group):
    client.force_login(staff)
    data = form_data()

    first = client.post(url(opportunity), data)
    second = client.post(url(opportunity), data)

    assert first.status_code == second.status_code == 302
    assert Message.objects.filter(kind="group_message").count() == 3
    assert GroupMessage.objects.count() == 1
    assert "It has not been sent again." in flash(second)[-1]


def test_a_changed_message_sent_from_an_old_page_is_kept_for_sending_on_purpose(
    client, staff, opportunity, group
):
    client.force_login(staff)
    data = form_data()
    client.post(url(opportunity), data)

    response = client.post(url(opportunity), {**data, "text": "Also bring a packed lunch."})

    page = response.content.decode()
    assert response.status_code == 200
    assert "You already sent a message from this page" in page
    assert "Also bring a packed lunch." in page
    new_token = re.search(r'name="token" value="([0-9a-f-]{36})"', page)[1]
    assert new_token != data["token"]
    assert GroupMessage.objects.count() == 1
    client.post(
        url(opportunity), {**data, "text": "Also bring a packed lunch.", "token": new_token}
    )
    assert GroupMessage.objects.count() == 2
    assert Message.objects.filter(kind="group_message").count() == 6


def test_a_form_from_another_opportunity_is_not_sent_here(staff, opportunity, group):
    other = OpportunityFactory(created_by=staff)
    SignUpFactory(opportunity=other)
    token = uuid.uuid4()
    services.message_group(other, by=staff, token=token, subject="Hello", text="Hi")

    with pytest.raises(services.ParticipationError, match="another opportunity"):
        services.message_group(opportunity, by=staff, token=token, subject="Hello", text="Hi")
    assert not Message.objects.filter(recipient=group["booked"]).exists()


def test_after_the_session_people_can_still_be_thanked(client, staff, opportunity, group):
    opportunity.starts_at = timezone.now() - timedelta(days=2)
    opportunity.ends_at = opportunity.starts_at + timedelta(hours=2)
    opportunity.save()
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()
    response = client.post(url(opportunity), form_data(subject="Thank you for coming"))

    assert "This session has already started or taken place." in page
    assert response.status_code == 302
    assert len(recipients()) == 3


def test_after_cancelling_people_can_still_be_told_about_a_new_date(
    client, staff, opportunity, group
):
    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()
    client.post(url(opportunity), form_data(subject="A new date"))

    assert "This opportunity was cancelled, and everyone was told then." in page
    message = Message.objects.get(kind="group_message", recipient=group["booked"])
    assert f"{opportunity.title} (cancelled)" in message.body_text


# --- Who may send -----------------------------------------------------------------------


def test_only_staff_who_run_the_opportunity_may_message_the_group(
    client, opportunity, group, other_staff, resident
):
    for someone in (other_staff, resident, group["booked"]):
        client.force_login(someone)
        assert client.get(url(opportunity)).status_code == 404
        assert client.post(url(opportunity), form_data()).status_code == 404
    client.logout()
    response = client.post(url(opportunity), form_data())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Message.objects.filter(kind="group_message").exists()


def test_the_project_team_and_commissioners_may_message_the_group(client, commissioner):
    member = UserFactory(roles=[Role.STAFF])
    project = ProjectFactory()
    project.team.add(member)
    opportunity = OpportunityFactory(project=project)
    SignUpFactory(opportunity=opportunity)

    for someone in (member, commissioner):
        client.force_login(someone)
        assert client.get(url(opportunity)).status_code == 200
        assert client.post(url(opportunity), form_data()).status_code == 302
    assert GroupMessage.objects.count() == 2


# --- Speed ------------------------------------------------------------------------------


def _page_queries(client, staff, django_assert_max_num_queries, count):
    opportunity = OpportunityFactory(created_by=staff, capacity=count)
    for n in range(count + 3):
        someone = person(f"Person {n}", Profile.ContactBy.POST_OR_PHONE if n % 2 else None)
        services.sign_up(opportunity, resident=someone)
    client.force_login(staff)
    client.get(url(opportunity))  # the session and the user, as on any later page
    with django_assert_max_num_queries(6) as captured:
        page = client.get(url(opportunity)).content.decode()
    assert f"People with a place, or offered one, and the waiting list ({count + 3})" in page
    return len(captured)


def test_the_page_uses_the_same_number_of_queries_however_many_people(
    client, staff, django_assert_max_num_queries
):
    few = _page_queries(client, staff, django_assert_max_num_queries, 2)
    many = _page_queries(client, staff, django_assert_max_num_queries, 30)

    assert few == many


def test_a_long_waiting_list_is_named_50_at_a_time_with_a_link_to_the_rest(client, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    SignUpFactory(opportunity=opportunity, resident__display_name="Holding Place")
    for n in range(55):
        SignUpFactory(
            opportunity=opportunity,
            resident__display_name=f"Waiting {n:02}",
            status=SignUp.Status.WAITING,
        )
    client.force_login(staff)

    page = client.get(url(opportunity)).text

    assert "On the waiting list</dt>" in page and "55 people: 55 by email" in page
    assert "Holding Place" in page and "Waiting 49" in page and "Waiting 50" not in page
    assert "See all 55 people waiting" in page


def test_sending_uses_a_bounded_number_of_queries(
    client, staff, opportunity, django_assert_max_num_queries
):
    for n in range(25):
        SignUpFactory(opportunity=opportunity, resident=person(f"Person {n}"))
    client.force_login(staff)
    client.get(url(opportunity))

    with django_assert_max_num_queries(20):
        response = client.post(url(opportunity), form_data())

    assert response.status_code == 302
    assert Message.objects.filter(kind="group_message").count() == 25


def test_with_someone_on_texts_a_long_message_is_refused_and_kept(
    client, staff, opportunity, group, settings
):
    settings.NOTIFY_API_KEY = "test-key"  # so Otto, who asked for texts, gets one
    client.force_login(staff)
    long_text = "We will meet in the garden room. " * 20  # 660 characters

    response = client.post(url(opportunity), form_data(text=long_text))

    page = response.content.decode()
    assert "1 person gets this as a text message" in page
    assert "500 characters or fewer" in page
    assert escape(long_text.strip()) in page
    assert not Message.objects.filter(kind="group_message").exists()


def test_a_text_message_is_the_short_version_and_fits(client, staff, opportunity, group, settings):
    settings.NOTIFY_API_KEY = "test-key"
    client.force_login(staff)
    text = "Please bring your parking permit. " * 14  # 476 characters: allowed

    client.post(url(opportunity), form_data(subject="Parking permits", text=text))

    sms = Message.objects.get(kind="group_message", recipient=group["offered"])
    assert sms.channel == Message.Channel.SMS
    assert len(sms.body_text) <= 918
    assert sms.body_text.startswith("Co-production Hub: Parking permits")
    assert text.strip() in sms.body_text
    place = SignUp.objects.get(opportunity=opportunity, resident=group["offered"])
    assert place.get_absolute_url() in sms.body_text
    assert "Hello" not in sms.body_text  # the e-mail's greeting and footer are left out


def test_without_text_messages_a_long_message_is_fine(client, staff, opportunity, group):
    client.force_login(staff)  # no Notify key: Otto gets an email instead

    client.post(url(opportunity), form_data(text="We will meet in the garden room. " * 20))

    assert Message.objects.filter(kind="group_message").count() == 3


# --- Easy read ------------------------------------------------------------------------------


def test_staff_are_told_how_many_asked_for_easy_read(client, staff, opportunity, group):
    Profile.objects.create(user=group["booked"], format=Profile.InformationFormat.EASY_READ)
    # Easy read changes e-mails; staff phone or write to this person as they asked.
    Profile.objects.filter(user=group["phone"]).update(format=Profile.InformationFormat.EASY_READ)
    client.force_login(staff)

    page = client.get(url(opportunity)).content.decode()

    assert "1 person who could get this asked for easy read" in page
    assert "Easy read version (optional)" in page


def test_people_who_asked_for_easy_read_get_the_easy_read_version(
    client, staff, opportunity, group
):
    Profile.objects.create(user=group["booked"], format=Profile.InformationFormat.EASY_READ)
    client.force_login(staff)
    easy_words = "The car park is shut on Tuesday.\r\nPlease park on Mill Lane."

    response = client.post(url(opportunity), form_data(easy_read_text=easy_words))

    assert response.status_code == 302
    assert GroupMessage.objects.get().easy_read_text == easy_words.replace("\r\n", "\n")
    easy = Message.objects.get(recipient=group["booked"]).body_text
    assert "The car park is shut on Tuesday.\nPlease park on Mill Lane." in easy
    assert "The car park is closed on Tuesday." not in easy
    assert "Phone:" in easy or "Email:" in easy  # how to reply, in easy read too
    standard = Message.objects.get(recipient=group["offered"]).body_text
    assert "The car park is closed on Tuesday." in standard
    assert "shut" not in standard
    manage = client.get(url(opportunity, "manage")).content.decode()
    assert "Easy read version" in manage and "Please park on Mill Lane." in manage


def test_without_an_easy_read_version_people_who_asked_get_the_message_as_written(
    client, staff, opportunity, group
):
    Profile.objects.create(user=group["booked"], format=Profile.InformationFormat.EASY_READ)
    client.force_login(staff)

    client.post(url(opportunity), form_data())

    easy = Message.objects.get(recipient=group["booked"]).body_text
    assert "This is a message for the people signed up for:" in easy
    assert "The car park is closed on Tuesday.\nPlease use the one on Mill Lane." in easy


def test_a_changed_easy_read_version_from_an_old_page_is_not_sent_as_the_same_message(
    client, staff, opportunity, group
):
    client.force_login(staff)
    first = form_data()
    client.post(url(opportunity), first)

    response = client.post(url(opportunity), {**first, "easy_read_text": "Short words."})

    assert response.status_code == 200
    assert "You already sent a message from this page" in response.content.decode()
    assert "Short words." in response.content.decode()
    assert GroupMessage.objects.count() == 1


# --- Checking before sending ------------------------------------------------------------------


def test_the_check_shows_the_text_message_and_the_call_list(
    client, staff, opportunity, group, settings
):
    settings.NOTIFY_API_KEY = "test-key"  # text messages can go out
    client.force_login(staff)

    page = client.post(url(opportunity), form_data(send=None)).content.decode()

    assert "1 person who gets this asked for text messages" in page
    text = page.split("The text message</h2>")[1].split("</div>")[0]
    assert "Parking at the library" in text
    assert "The car park is closed on Tuesday." in text
    assert "Hello [their name]" not in text  # the short version, not the email's words
    assert opportunity.get_absolute_url() in text
    # As people will get it: with the line that stops these texts, which takes up room.
    assert "Stop these texts: " in text and "/unsubscribe/0." in text
    link = re.search(r"Stop these texts: (\S+)", text).group(1)
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code < 500  # nobody's
    assert "call list for the 1 person who asked for post or phone" in page


def test_the_first_press_shows_the_email_to_check_and_sends_nothing(
    client, staff, opportunity, group
):
    client.force_login(staff)

    response = client.post(url(opportunity), form_data(send=None))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Check your message before sending" in page
    assert "3 people with a place" in page
    assert "Hello [their name]," in page
    assert "The car park is closed on Tuesday.\nPlease use the one on Mill Lane." in page
    assert f"{staff} has sent this message to the people signed up for" in page
    assert "2 by email, 1 by phone or post (on the staff call list)" in page
    assert "The text message" not in page  # nobody gets one: texts cannot go out here
    assert not GroupMessage.objects.exists() and not Message.objects.exists()
    # The words go along with the button that sends them.
    assert 'type="hidden" name="subject" value="Parking at the library"' in page
    assert 'name="send" value="yes"' in page


def test_changing_the_message_goes_back_to_the_form_with_what_was_typed(
    client, staff, opportunity, group
):
    client.force_login(staff)

    response = client.post(url(opportunity), form_data(send=None, change="yes"))

    page = response.content.decode()
    assert "Check your message before sending" not in page
    assert 'value="Parking at the library"' in page
    assert "Please use the one on Mill Lane." in page
    assert "govuk-error-summary" not in page
    assert not GroupMessage.objects.exists()


def test_the_check_shows_the_easy_read_version_to_whoever_asked_for_it(
    client, staff, opportunity, group
):
    Profile.objects.create(user=group["booked"], format=Profile.InformationFormat.EASY_READ)
    client.force_login(staff)

    page = client.post(
        url(opportunity), form_data(send=None, easy_read_text="The car park is shut.")
    ).content.decode()

    assert "1 person who gets this asked for easy read, and gets this version." in page
    assert "The car park is shut." in page
