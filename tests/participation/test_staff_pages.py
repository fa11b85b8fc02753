import csv
import io
import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from notifications.models import Message
from participation import services
from participation.models import Opportunity, Profile, SignUp, Venue
from payments.models import Claim
from projects.models import ServiceArea
from tests.factories import UserFactory, date_boxes
from tests.payments.factories import SignUpFactory as PaidSignUpFactory
from tests.payments.factories import claim_in_state, make_policy

from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    VenueFactory,
    person_in_each_format,
)

pytestmark = pytest.mark.django_db


def url(name, opportunity):
    return reverse(f"participation:{name}", args=[opportunity.pk])


def form_data(*, day=None, **overrides):
    """The opportunity form filled in; `day` is the session's date (the form has day, month
    and year boxes), two weeks from now unless given."""
    data = {
        "title": "Carers' focus group",
        "description": "Tell us what would make respite easier to book.",
        "kind": "focus_group",
        "format": "online",
        "level": "service",
        "step": "5",
        "not_coproduction_reason": "The council decides; we want carers' views first.",
        **date_boxes("date", day or timezone.localdate() + timedelta(days=14)),
        "start_time": "10am",
        "end_time": "12:30pm",
        "capacity": "8",
        "offer_window_hours": "48",
        "fee_basis": "per_hour",
        "pays_expenses": "on",
        "contact_name": "Sam",
    }
    if not overrides.get("project"):
        # Standing alone, it needs a topic of its own.
        data["topic"] = ServiceArea.objects.get_or_create(slug="carers", name="Carers")[0].pk
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_create_a_standalone_opportunity_as_a_draft_then_publish_it(client, staff):
    client.force_login(staff)

    response = client.post(reverse("participation:create"), form_data())

    opportunity = Opportunity.objects.get()
    assert response["Location"] == url("manage", opportunity)
    assert opportunity.status == Opportunity.Status.DRAFT
    assert opportunity.created_by == staff
    local = timezone.localtime(opportunity.starts_at)
    assert (local.hour, local.minute) == (10, 0)
    assert timezone.localtime(opportunity.ends_at).hour == 12
    assert client.get(opportunity.get_absolute_url()).status_code == 200  # the runner sees it
    client.logout()
    assert client.get(opportunity.get_absolute_url()).status_code == 404  # nobody else

    client.force_login(staff)
    client.post(url("publish", opportunity))
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.PUBLISHED
    assert opportunity.published_at is not None


def test_an_opportunity_on_its_own_cannot_call_itself_co_production(client, staff):
    """Co-design and co-production are checked against evidence, and only projects record
    it: an opportunity standing alone goes up to engagement."""
    client.force_login(staff)

    form = client.get(reverse("participation:create")).text
    response = client.post(reverse("participation:create"), form_data(step="7"))

    assert "5. Engagement" in form and "Co-production</option>" not in form
    assert "To call it co-design or co-production, add it to a project" in form
    assert "govuk-error-summary" in response.text
    assert 'value="Carers&#x27; focus group"' in response.text  # nothing typed is lost
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (date_boxes("date", date(2030, 2, 1)) | {"date_0": "31"}, "The date must be a real date"),
        ({"date_1": ""}, "The date must include a month"),
        ({"date_2": "30"}, "The date must include a year with 4 numbers"),
        (date_boxes("date", date(2001, 1, 1)), "The date must be in the future"),
        ({"deadline_date_0": "1", "deadline_date_2": "2030"}, "deadline must include a month"),
        ({"start_time": "25:00"}, "Enter a time"),
        ({"end_time": "9am"}, "The end time must be after the start time"),
        ({"capacity": "0"}, "There must be at least 1 place"),
        ({"capacity": "lots"}, "Enter the number of places"),
        ({"format": "in_person"}, "Choose a venue"),
        ({"level": ""}, "Choose a level, or choose a project"),
        ({"title": ""}, "Enter a title"),
        ({"not_coproduction_reason": "  "}, "Say why this is not co-production, or choose a"),
        ({"description": ""}, "Enter a description"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, staff, overrides, error):
    client.force_login(staff)

    response = client.post(reverse("participation:create"), form_data(**overrides))

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert error in response.text
    kept = "Carers&#x27; focus group" if "description" in overrides else "respite easier"
    assert kept in response.text
    assert not Opportunity.objects.exists()


def test_a_date_in_the_past_links_from_the_summary_to_its_day_box_and_keeps_the_boxes(
    client, staff
):
    client.force_login(staff)

    response = client.post(reverse("participation:create"), form_data(day=date(2001, 1, 31)))

    assert '<a href="#id_date_0">The date must be in the future</a>' in response.text
    for box, typed in (("date_0", "31"), ("date_1", "1"), ("date_2", "2001")):
        assert f'name="{box}" value="{typed}"' in response.text
    assert 'inputmode="numeric"' in response.text  # a keypad of numbers on phones


def test_an_opportunity_in_a_project_takes_its_topic_and_honest_step(client, staff):
    area = ServiceAreaFactory(name="Carers", slug="carers")
    project = ProjectFactory(owner=staff, service_area=area, claimed_step=6, evidenced_step=4)
    client.force_login(staff)

    client.post(reverse("participation:create"), form_data(project=project.pk, level="", step=""))

    opportunity = Opportunity.objects.get()
    assert opportunity.project == project
    assert opportunity.topic == area
    assert opportunity.effective_step == 4


def test_people_read_why_an_opportunity_on_its_own_is_not_co_production(client, staff):
    client.force_login(staff)
    client.post(reverse("participation:create"), form_data())
    opportunity = Opportunity.objects.get()
    client.post(url("publish", opportunity))
    client.logout()

    page = client.get(opportunity.get_absolute_url()).text

    assert "Why this is not co-production" in page
    assert "The council decides; we want carers&#x27; views first." in page


def test_in_a_project_the_projects_reason_is_shown_and_any_typed_here_is_not_kept(client, staff):
    project = ProjectFactory(
        owner=staff, claimed_step=4, evidenced_step=4, not_coproduction_reason="Budget is set."
    )
    client.force_login(staff)

    client.post(
        reverse("participation:create"),
        form_data(project=project.pk, level="", step="", not_coproduction_reason="Ours"),
    )

    opportunity = Opportunity.objects.get()
    assert opportunity.not_coproduction_reason == ""
    page = client.get(opportunity.get_absolute_url()).text
    assert "Budget is set." in page and "Ours" not in page


def test_a_draft_on_its_own_from_before_reasons_were_asked_for_is_not_published_without_one(
    client, staff
):
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT)
    Opportunity.objects.filter(pk=draft.pk).update(not_coproduction_reason="")
    client.force_login(staff)

    response = client.post(url("publish", draft), follow=True)

    assert "Say why this is not co-production" in response.text
    assert Opportunity.objects.get(pk=draft.pk).status == Opportunity.Status.DRAFT


def test_staff_cannot_add_to_a_project_they_may_not_edit(client, staff, other_staff):
    project = ProjectFactory(owner=other_staff)
    client.force_login(staff)

    response = client.post(reverse("participation:create"), form_data(project=project.pk))

    assert "Choose one of the options shown" in response.text
    assert not Opportunity.objects.exists()


def test_residents_cannot_create_opportunities(client, resident):
    client.force_login(resident)

    assert client.get(reverse("participation:create")).status_code == 403
    assert client.post(reverse("participation:create"), form_data()).status_code == 403


@pytest.mark.parametrize("name", ["manage", "edit", "cancel_opportunity", "sign_up_person"])
def test_staff_who_do_not_run_an_opportunity_get_404(client, other_staff, resident, name):
    opportunity = OpportunityFactory()
    for person in (other_staff, resident):
        client.force_login(person)
        assert client.get(url(name, opportunity)).status_code == 404
    for action in ("publish", "close", "attendance"):
        assert client.post(url(action, opportunity)).status_code == 404


def test_team_members_and_commissioners_run_project_opportunities(client, commissioner):
    member = UserFactory(roles=["staff"])
    project = ProjectFactory()
    project.team.add(member)
    opportunity = OpportunityFactory(project=project)

    for person in (member, commissioner):
        client.force_login(person)
        assert client.get(url("manage", opportunity)).status_code == 200


def test_changing_the_time_tells_everyone_booked_and_waiting(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    booked, waiting = make_residents(2)
    services.sign_up(opportunity, resident=booked)
    services.sign_up(opportunity, resident=waiting)
    new_day = timezone.localtime(opportunity.starts_at + timedelta(days=2))
    client.force_login(staff)

    client.post(
        url("edit", opportunity),
        form_data(
            title=opportunity.title,
            day=new_day.date(),
            capacity="1",
            level="service",
            step="5",
        ),
    )

    changed = Message.objects.filter(kind="opportunity_changed")
    assert set(changed.values_list("recipient", flat=True)) == {booked.pk, waiting.pk}
    assert new_day.strftime("%-d %B") in changed.first().subject


def test_a_new_joining_link_reaches_people_with_a_place_and_only_them(staff, make_residents):
    opportunity = OpportunityFactory(
        created_by=staff, capacity=1, format="online", online_details="Old link"
    )
    booked, waiting = make_residents(2)
    services.sign_up(opportunity, resident=booked)
    services.sign_up(opportunity, resident=waiting)

    services.update_opportunity(opportunity, by=staff, online_details="https://meet.example/new")

    def told(person):
        return Message.objects.get(kind="opportunity_changed", recipient=person)

    assert told(booked).subject == f"Changed: {opportunity.title}"  # the date did not change
    assert "We have changed how to join" in told(booked).body_text
    assert "https://meet.example/new" in told(booked).body_text
    assert "https://meet.example/new" not in told(waiting).body_text
    assert "You do not have a place yet" in told(waiting).body_text
    assert "cancel so someone else can have your place" not in told(waiting).body_text


def test_adding_places_offers_them_to_the_waiting_list(staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    first, second = make_residents(2)
    services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)

    services.update_opportunity(opportunity, by=staff, capacity=2)

    assert SignUp.objects.get(resident=second).status == SignUp.Status.OFFERED


def test_places_cannot_be_cut_below_those_taken(staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=3)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    with pytest.raises(services.ParticipationError, match="at least 2 places"):
        services.update_opportunity(opportunity, by=staff, capacity=1)


def test_cancelling_tells_everyone_and_takes_it_out_of_the_directory(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    people = make_residents(2)
    for person in people:
        services.sign_up(opportunity, resident=person)
    client.force_login(staff)

    page = client.get(url("cancel_opportunity", opportunity))
    assert "We will tell the 2 people" in page.text
    empty = client.post(url("cancel_opportunity", opportunity), {"reason": ""})
    assert "Enter why the session is cancelled" in empty.text
    client.post(url("cancel_opportunity", opportunity), {"reason": "The venue flooded."})

    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.CANCELLED
    messages = Message.objects.filter(kind="opportunity_cancelled")
    assert set(messages.values_list("recipient", flat=True)) == {p.pk for p in people}
    assert "The venue flooded." in messages.first().body_text
    assert opportunity.title not in client.get(reverse("participation:directory")).text


def test_closing_stops_new_sign_ups_but_keeps_places(client, staff, resident, other_resident):
    opportunity = OpportunityFactory(created_by=staff)
    services.sign_up(opportunity, resident=resident)
    client.force_login(staff)

    client.post(url("close", opportunity))

    with pytest.raises(services.ParticipationError, match="closed"):
        services.sign_up(opportunity, resident=other_resident)
    assert SignUp.objects.get(resident=resident).status == SignUp.Status.BOOKED


def test_the_manage_page_shows_access_needs_and_fullness(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=5)
    people = make_residents(4)
    Profile.objects.create(
        user=people[0], access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    for person in people:
        services.sign_up(opportunity, resident=person, access_needs_note="Quiet seat")
    client.force_login(staff)

    response = client.get(url("manage", opportunity))

    assert "Hearing loop" in response.text and "Quiet seat" in response.text
    assert "80% full" in response.text
    services.sign_up(opportunity, resident=UserFactory())
    assert "It is full." in client.get(url("manage", opportunity)).text


def test_the_manage_page_says_nothing_about_places_left_once_the_session_is_over(
    client, staff, make_residents
):
    starts = timezone.now() - timedelta(days=3)
    opportunity = OpportunityFactory(
        created_by=staff, capacity=5, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    for person in make_residents(4):
        SignUp.objects.create(opportunity=opportunity, resident=person, status="booked")
    client.force_login(staff)

    response = client.get(url("manage", opportunity))

    assert "% full" not in response.text and "places left" not in response.text


def test_the_manage_page_says_which_formats_each_person_needs(client, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=5)
    people = person_in_each_format()
    for person in people.values():
        services.sign_up(opportunity, resident=person)
    client.force_login(staff)

    page = client.get(url("manage", opportunity)).text

    rows = {name: page[page.index(f">{name}</a>") :].split("</tr>")[0] for name in people}
    said = {name: re.findall(r"Information in [a-z ]+", row) for name, row in rows.items()}
    assert said == {
        "Both Formats": ["Information in easy read and large print"],
        "Easy Words": ["Information in easy read"],
        "Big Type": ["Information in large print"],
        "Plain Standard": [],
    }


def test_the_manage_page_names_the_project_and_offers_no_closing_once_started(client, staff):
    project = ProjectFactory(owner=staff, title="Short breaks review")
    opportunity = OpportunityFactory(project=project, created_by=staff)
    client.force_login(staff)

    before = client.get(url("manage", opportunity)).text
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    after = client.get(url("manage", opportunity)).text

    assert "Part of" in before and project.get_absolute_url() in before
    assert "Close sign-up" in before
    assert "Close sign-up" not in after  # sign-up closed by itself when it started


def test_a_commissioner_off_the_team_manages_a_session_without_seeing_access_needs(
    client, staff, commissioner, make_residents
):
    project = ProjectFactory(owner=staff)
    opportunity = OpportunityFactory(created_by=staff, project=project)
    person = make_residents(1)[0]
    Profile.objects.create(
        user=person, access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    services.sign_up(opportunity, resident=person, access_needs_note="Quiet seat")

    client.force_login(commissioner)
    off_team = client.get(url("manage", opportunity))
    project.team.add(commissioner)
    on_team = client.get(url("manage", opportunity))

    assert off_team.status_code == 200
    assert escape(str(person)) in off_team.text  # a made-up name may be O'Brien: escaped in HTML
    assert "Hearing loop" not in off_team.text and "Quiet seat" not in off_team.text
    assert "Only the project’s owner and team see people’s access needs." in off_team.text
    assert "Hearing loop" in on_team.text and "Quiet seat" in on_team.text


def test_staff_stop_seeing_access_needs_two_weeks_after_the_session(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff)
    person = make_residents(1)[0]
    Profile.objects.create(
        user=person, access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    place = services.sign_up(opportunity, resident=person, access_needs_note="Quiet seat")
    client.force_login(staff)
    ended = opportunity.ends_at

    with time_machine.travel(ended + timedelta(days=13)):
        follow_up = client.get(url("manage", opportunity)).text
    with time_machine.travel(ended + timedelta(days=14, minutes=1)):
        later = client.get(url("manage", opportunity)).text
        place_page = client.get(place.get_absolute_url()).text
        client.force_login(person)
        own_page = client.get(place.get_absolute_url()).text

    assert "Hearing loop" in follow_up and "Quiet seat" in follow_up
    assert "Hearing loop" not in later and "Quiet seat" not in later
    assert "two weeks have passed since the session" in later
    assert "Hearing loop" not in place_page and "two weeks have passed" in place_page
    assert "Hearing loop" in own_page  # people always see their own


def test_staff_sign_up_someone_by_email_or_add_a_person_without_an_account(client, staff, resident):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    client.force_login(staff)

    missing = client.post(url("sign_up_person", opportunity), {"q": "nobody@example.org"})
    assert "There is nobody with that email address" in missing.text
    client.post(url("sign_up_person", opportunity), {"q": resident.email.upper()})
    client.post(
        url("add_person", opportunity),
        {"display_name": "Edna Offline", "phone": "01632 960 001", "contact_by": "post_or_phone"},
    )

    signup = SignUp.objects.get(resident=resident)
    assert signup.status == SignUp.Status.BOOKED and signup.signed_up_by == staff
    edna = User.objects.get(display_name="Edna Offline")
    assert edna.is_resident and not edna.has_usable_password()
    assert SignUp.objects.get(resident=edna).status == SignUp.Status.WAITING
    # Edna has no email address: her waiting-list message goes on the staff call list.
    assert Message.objects.get(recipient=edna).status == Message.Status.CALL_LIST


def test_someone_added_for_text_messages_needs_a_mobile_number(client, staff, settings):
    settings.NOTIFY_API_KEY = "test-key"
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)
    person = {"display_name": "Tex Landline", "email": "", "contact_by": "text"}

    response = client.post(url("add_person", opportunity), {**person, "phone": "01632 960 123"})

    assert "Enter a mobile number, starting 07, so we can send them text messages" in response.text
    assert not User.objects.filter(display_name="Tex Landline").exists()


def test_someone_added_without_email_needs_a_phone_number_or_an_address(client, staff):
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)
    person = {"display_name": "Pat Offline", "email": "", "contact_by": "post_or_phone"}

    unreachable = client.post(url("add_person", opportunity), {**person, "phone": ""})
    client.post(
        url("add_person", opportunity), {**person, "postal_address": "2 Mill Lane\nMB1 2CD"}
    )

    assert "Enter their phone number or postal address" in unreachable.text
    assert 'value="Pat Offline"' in unreachable.text
    pat = User.objects.get(display_name="Pat Offline")  # one account: the second try
    assert pat.profile.postal_address == "2 Mill Lane\nMB1 2CD"
    assert pat.profile.contact_by == Profile.ContactBy.POST_OR_PHONE


def test_someone_added_without_email_who_wants_texts_gets_texts(client, staff, settings):
    settings.NOTIFY_API_KEY = "test-key"
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)

    client.post(
        url("add_person", opportunity),
        {"display_name": "Tex Offline", "phone": "07700 900 982", "contact_by": "text"},
    )

    assert User.objects.get(display_name="Tex Offline").profile.contact_by == "text"


def test_texts_are_not_a_choice_for_someone_added_while_we_cannot_send_them(
    client, staff, settings
):
    settings.NOTIFY_API_KEY = ""
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)
    person = {"display_name": "Tex Offline", "phone": "07700 900 982", "contact_by": "text"}

    page = client.get(url("add_person", opportunity)).text
    response = client.post(url("add_person", opportunity), person)

    assert (
        'value="post_or_phone"' in page
        and 'value="text"' not in page
        and "Text message" not in page
    )
    assert "Choose one of the options shown" in response.text
    assert not User.objects.filter(display_name="Tex Offline").exists()
    with pytest.raises(services.ParticipationError, match="cannot send text messages"):
        services.add_person_and_sign_up(opportunity, by=staff, **person)


def test_adding_a_person_to_a_session_that_refuses_them_leaves_no_account_behind(client, staff):
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT)
    client.force_login(staff)
    person = {"display_name": "Pat Offline", "email": "pat@example.org", "contact_by": "email"}

    page = client.get(url("manage", draft)).text
    assert "You can sign people up once the opportunity is published." in page
    first = client.post(url("add_person", draft), person)
    assert "This opportunity is not open yet." in first.text
    assert not User.objects.filter(display_name="Pat Offline").exists()

    # Once it is open, the same details work first time: no "already has an account".
    services.publish_opportunity(draft, by=staff)
    client.post(url("add_person", draft), person)
    assert SignUp.objects.get(resident__email="pat@example.org").status == SignUp.Status.BOOKED


def test_attendance_is_recorded_after_the_start_and_prompts_a_claim(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, fee_basis="per_hour")
    came, apologised = make_residents(2)
    signups = [services.sign_up(opportunity, resident=p) for p in (came, apologised)]
    client.force_login(staff)
    data = {f"signup_{signups[0].pk}": "attended", f"signup_{signups[1].pk}": "apologies"}

    client.post(url("attendance", opportunity), data)
    assert SignUp.objects.get(pk=signups[0].pk).attendance == ""  # not started yet

    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    client.post(url("attendance", opportunity), data)
    client.post(url("attendance", opportunity), data)  # saving again changes nothing

    first, second = (SignUp.objects.get(pk=s.pk) for s in signups)
    assert first.attendance == "attended" and first.attendance_recorded_by == staff
    assert second.attendance == "apologies"
    prompts = Message.objects.filter(kind="claim_prompt")
    assert list(prompts.values_list("recipient", flat=True)) == [came.pk]
    assert "/claims/" in prompts.get().body_text


def test_opening_the_register_address_leads_back_to_the_register(client, staff):
    """Signed out while taking the register, staff sign in and come back to the address the
    register posts to: they land on the session's page with the register, not a blank page."""
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)

    page = client.get(url("attendance", opportunity), follow=True)

    assert page.redirect_chain == [(url("manage", opportunity), 302)]
    assert "Attendance" in page.text


def test_staff_are_told_when_the_register_no_longer_backs_a_paid_claim(client, staff):
    make_policy()
    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    resident = UserFactory(display_name="Priya Shah")
    signup = PaidSignUpFactory(resident=resident, opportunity__project__owner=staff)
    claim = claim_in_state(resident, status=Claim.Status.PAID, reviewer=commissioner, signup=signup)
    client.force_login(staff)
    assert "The register says" not in client.get(url("manage", signup.opportunity)).text

    client.post(url("attendance", signup.opportunity), {f"signup_{signup.pk}": "no_show"})

    # The register says what happened; the money is for a commissioner to put right.
    assert SignUp.objects.get(pk=signup.pk).attendance == "no_show"
    page = client.get(url("manage", signup.opportunity)).text
    assert (
        f"The register says Priya Shah did not attend, but their claim {claim.reference} has "
        "been paid. Tell a commissioner, who can correct the payment."
    ) in page


def test_the_attendance_list_downloads_as_csv_without_caching(client, staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)
    evil = UserFactory(display_name="=HYPERLINK(1)")
    Profile.objects.create(user=evil, format=Profile.InformationFormat.EASY_READ, large_print=True)
    services.sign_up(opportunity, resident=evil)
    client.force_login(staff)

    response = client.get(url("attendance_csv", opportunity))
    page = client.get(url("manage", opportunity)).text

    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and len(rows) == 4
    assert "'=HYPERLINK(1)" in [row[0] for row in rows]
    # Staff preparing papers see who needs easy read, in the list and on the page.
    formats = {row[0]: row[rows[0].index("Information written in")] for row in rows[1:]}
    assert formats["'=HYPERLINK(1)"] == "Easy read"
    large_print = {row[0]: row[rows[0].index("Large print")] for row in rows[1:]}
    assert large_print["'=HYPERLINK(1)"] == "Yes"
    assert set(large_print.values()) == {"Yes", "No"}
    assert "Information in easy read" in page


def _manage_queries(client, staff, count):
    opportunity = OpportunityFactory(created_by=staff, capacity=count)
    people = [UserFactory() for _ in range(count + 3)]
    for person in people:
        Profile.objects.create(
            user=person, access_needs="Large print", access_needs_consent_at=timezone.now()
        )
        services.sign_up(opportunity, resident=person)
    client.force_login(staff)
    client.get(url("manage", opportunity))  # warm the content-type cache the audit trail uses
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("manage", opportunity)).status_code == 200
    return len(captured)


def test_the_manage_page_uses_the_same_number_of_queries_however_many_people(client, staff):
    few, many = _manage_queries(client, staff, 2), _manage_queries(client, staff, 30)

    assert few == many
    assert many <= 8


def test_a_long_waiting_list_comes_a_page_at_a_time_in_order(client, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    SignUpFactory(opportunity=opportunity)
    start = timezone.now() - timedelta(days=1)
    for number in range(1, 61):
        SignUpFactory(
            opportunity=opportunity,
            resident=UserFactory(display_name=f"Waiting Person {number:02}"),
            status=SignUp.Status.WAITING,
            waiting_since=start + timedelta(minutes=number),
        )
    SignUpFactory.create_batch(3, opportunity=opportunity, status=SignUp.Status.CANCELLED)
    client.force_login(staff)

    first = client.get(url("manage", opportunity)).text
    second = client.get(url("manage", opportunity) + "?page=2").text

    assert "Waiting list (60)" in first and "Waiting list (60)" in second
    assert "Waiting Person 50" in first and "Waiting Person 51" not in first
    assert "Waiting Person 51" in second and "Waiting Person 50" not in second
    assert "Showing numbers 51 to 60." in second
    assert '<td class="govuk-table__cell">51</td>' in second
    assert 'href="?page=2#waiting-list"' in first
    assert "and 60 people are waiting" in second
    assert "3 people have cancelled." in second


def test_a_venue_postcode_is_checked_and_written_the_usual_way(client, staff):
    client.force_login(staff)
    venue = {"name": "Mill Lane Hall", "address": "3 Mill Lane", "area": "Northfield"}

    wrong = client.post(reverse("participation:venue_create"), {**venue, "postcode": "not one"})
    client.post(reverse("participation:venue_create"), {**venue, "postcode": " at12  3bb"})

    assert "Enter a postcode, like AT1 1AA" in wrong.text
    assert 'value="not one"' in wrong.text
    assert Venue.objects.get().postcode == "AT12 3BB"


def test_adding_a_venue_from_the_opportunity_form_keeps_what_was_typed(client, staff):
    client.force_login(staff)
    create = reverse("participation:create")
    typed = form_data(title="Day centre drop-in", format="in_person", add_venue="yes")

    to_venue = client.post(create, typed)
    venue_page = to_venue["Location"]
    back = client.post(
        venue_page, {"name": "Mill Lane Hall", "address": "3 Mill Lane", "area": "Northfield"}
    )
    form = client.get(back["Location"]).text

    assert venue_page == f"{reverse('participation:venue_create')}?next=%2Fopportunities%2Fnew%2F"
    assert not Opportunity.objects.exists()  # nothing was saved half-done
    venue = Venue.objects.get()
    assert back["Location"] == f"{create}?venue={venue.pk}"
    assert 'value="Day centre drop-in"' in form
    assert f'<option value="{venue.pk}" selected>Mill Lane Hall' in form
    assert "Mill Lane Hall has been added and chosen as the venue." in form
    # Saving now makes the opportunity at the new venue.
    client.post(create, form_data(title="Day centre drop-in", format="in_person", venue=venue.pk))
    assert Opportunity.objects.get().venue == venue


def test_changing_an_opportunity_and_adding_a_venue_keeps_the_changes_typed(client, staff):
    opportunity = OpportunityFactory(created_by=staff, title="Old title")
    client.force_login(staff)
    edit = url("edit", opportunity)

    to_venue = client.post(
        edit, form_data(title="New title", day=date(2031, 4, 3), add_venue="yes")
    )
    back = client.post(to_venue["Location"], {"name": "Mill Lane Hall", "address": "3 Mill Lane"})
    form = client.get(back["Location"]).text

    assert 'value="New title"' in form
    assert 'name="date_0" value="3"' in form and 'name="date_1" value="4"' in form
    assert Opportunity.objects.get().title == "Old title"  # nothing saved until they save


def test_the_venue_form_only_goes_back_to_the_hubs_own_opportunity_pages(client, staff):
    client.force_login(staff)
    venue_create = reverse("participation:venue_create")

    response = client.post(
        f"{venue_create}?next=https://elsewhere.example/opportunities/",
        {"name": "Mill Lane Hall", "address": "3 Mill Lane", "area": "Northfield"},
    )

    assert response["Location"] == reverse("participation:venues")


def test_staff_manage_venues_with_the_access_checklist(client, staff, resident):
    client.force_login(resident)
    assert client.get(reverse("participation:venues")).status_code == 403
    client.force_login(staff)

    client.post(
        reverse("participation:venue_create"),
        {
            "name": "Mill Lane Hall",
            "address": "3 Mill Lane",
            "area": "Northfield",
            "step_free": "on",
            "hearing_loop": "on",
        },
    )

    venue = Venue.objects.get()
    assert venue.step_free and venue.hearing_loop and not venue.parking
    listing = client.get(reverse("participation:venues")).text
    assert "Mill Lane Hall" in listing
    assert "Step-free access; Hearing loop</td>" in listing
    client.post(
        reverse("participation:venue_edit", args=[venue.pk]),
        {"name": "Mill Lane Hall", "address": "3 Mill Lane", "area": "Northfield", "parking": "on"},
    )
    venue.refresh_from_db()
    assert venue.parking and not venue.step_free


def test_staff_see_the_opportunities_they_run(client, staff, other_staff):
    OpportunityFactory(created_by=staff, title="Mine", status=Opportunity.Status.DRAFT)
    OpportunityFactory(created_by=other_staff, title="Theirs")
    OpportunityFactory(project=ProjectFactory(owner=staff, title="Short breaks review"))
    VenueFactory()
    client.force_login(staff)

    text = client.get(reverse("participation:staff_list")).text

    assert "Mine" in text and "Theirs" not in text
    # Each says which project it belongs to.
    assert "Short breaks review" in text and "Stands alone" in text


def test_staff_search_the_opportunities_they_run_by_title_or_project(client, staff, other_staff):
    OpportunityFactory(created_by=staff, title="Carers' focus group")
    breaks = ProjectFactory(owner=staff, title="Short breaks review")
    OpportunityFactory(project=breaks, title="Walk")
    OpportunityFactory(created_by=staff, title="Transport survey")
    OpportunityFactory(created_by=other_staff, title="Their carers' group")
    client.force_login(staff)

    by_title = client.get(reverse("participation:staff_list"), {"q": "  carers'  "}).text
    by_project = client.get(reverse("participation:staff_list"), {"q": "short BREAKS"}).text

    assert "Carers&#x27; focus group" in by_title
    assert "Transport survey" not in by_title and "Their carers" not in by_title
    assert "1 opportunity matching “carers&#x27;”" in by_title
    assert 'value="carers&#x27;"' in by_title  # the box keeps what was typed
    assert ">Walk</a>" in by_project and "Carers&#x27; focus group" not in by_project


def test_the_status_links_keep_the_search_and_the_search_keeps_the_status(client, staff):
    OpportunityFactory(created_by=staff, title="Draft walk", status=Opportunity.Status.DRAFT)
    client.force_login(staff)

    text = client.get(reverse("participation:staff_list"), {"q": "walk", "status": "draft"}).text

    assert 'href="?q=walk&amp;status=past"' in text
    assert '<input type="hidden" name="status" value="draft">' in text
    assert "Draft walk" in text


def test_a_search_that_finds_nothing_says_so_and_offers_to_clear_it(client, staff):
    OpportunityFactory(created_by=staff, title="Walk")
    client.force_login(staff)

    text = client.get(reverse("participation:staff_list"), {"q": "zzz"}).text

    assert "No opportunities here match “zzz”" in text
    assert 'href="?">clear the search</a>' in text


def test_past_opportunities_list_the_latest_first(client, staff):
    now = timezone.now()
    OpportunityFactory(created_by=staff, title="Last year", starts_at=now - timedelta(days=365))
    OpportunityFactory(created_by=staff, title="Last week", starts_at=now - timedelta(days=7))
    client.force_login(staff)

    text = client.get(reverse("participation:staff_list"), {"status": "past"}).text

    assert text.index("Last week") < text.index("Last year")


def test_the_staff_list_reads_the_same_number_of_queries_for_few_or_many_rows(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    OpportunityFactory.create_batch(2, created_by=staff, title="Walk")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("participation:staff_list"), {"q": "walk"})
    OpportunityFactory.create_batch(20, created_by=staff, title="Walk")

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("participation:staff_list"), {"q": "walk"})

    assert "22 opportunities" in response.text


def test_staff_seeing_access_needs_is_recorded_in_the_audit_trail(client, staff, resident):
    from auditlog.models import LogEntry

    opportunity = OpportunityFactory(created_by=staff)
    Profile.objects.create(
        user=resident, access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(staff)

    client.get(url("manage", opportunity))
    client.get(signup.get_absolute_url())

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=staff)
    assert entries.count() == 2
    assert all("access needs" in str(entry.changes) for entry in entries)
    assert str(resident.pk) in str(entries.get(object_pk=str(opportunity.pk)).changes)

    # The person looking at their own needs is not an event for the trail.
    client.force_login(resident)
    client.get(signup.get_absolute_url())
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 2


def test_staff_no_longer_see_access_needs_once_a_place_is_cancelled(client, staff, resident):
    from auditlog.models import LogEntry

    opportunity = OpportunityFactory(created_by=staff)
    signup = services.sign_up(opportunity, resident=resident, access_needs_note="Step-free")
    services.cancel_sign_up(signup, by=resident)
    # Added afterwards: a cancelled place is no way in to what a person tells us later.
    Profile.objects.create(
        user=resident, access_needs="Epilepsy", access_needs_consent_at=timezone.now()
    )
    client.force_login(staff)

    page = client.get(signup.get_absolute_url()).text

    assert "Epilepsy" not in page and "Step-free" not in page
    assert "Not shown, because this place was cancelled" in page
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    client.force_login(resident)
    assert "Epilepsy" in client.get(signup.get_absolute_url()).text


def test_a_place_staff_booked_shows_profile_needs_only_once_the_person_shares_them(
    client, staff, resident
):
    from auditlog.models import LogEntry

    opportunity = OpportunityFactory(created_by=staff)
    Profile.objects.create(
        user=resident, access_needs="Epilepsy", access_needs_consent_at=timezone.now()
    )
    client.force_login(staff)
    client.post(
        url("sign_up_person", opportunity), {"q": resident.email, "access_needs_note": "Lift"}
    )
    signup = SignUp.objects.get(resident=resident)

    # Booking someone is no way in to what they told us: staff see what was said for this
    # session, not the profile, and the audit trail records only that.
    for page in (
        client.get(url("manage", opportunity)).text,
        client.get(signup.get_absolute_url()).text,
    ):
        assert "Epilepsy" not in page and "Lift" in page
    assert (
        "Profile not shared: staff booked this place" in client.get(url("manage", opportunity)).text
    )
    confirmation = Message.objects.get(recipient=resident, kind="signup_confirmed")
    assert "see them only if you choose to share them" in confirmation.body_text
    # Only the person can share; anyone else who cannot see the place gets "not found".
    client.post(reverse("participation:share_needs", args=[signup.pk]))
    client.force_login(UserFactory())
    stranger = client.post(reverse("participation:share_needs", args=[signup.pk]))
    assert stranger.status_code == 404
    signup.refresh_from_db()
    assert not signup.profile_needs_shared

    client.force_login(resident)
    own = client.get(signup.get_absolute_url()).text
    assert "Epilepsy" in own and "Share my access needs with them" in own
    shared = client.post(reverse("participation:share_needs", args=[signup.pk]), follow=True)
    assert "The staff running this session can now see your access needs." in shared.text

    client.force_login(staff)
    assert "Epilepsy" in client.get(url("manage", opportunity)).text
    seen = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=staff).count()
    assert seen == 4  # two looks at the note alone, two at the shared needs


def test_people_who_sign_up_themselves_share_their_profile_needs(staff, resident):
    opportunity = OpportunityFactory(created_by=staff)
    Profile.objects.create(
        user=resident, access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    booked_by_staff = services.sign_up(opportunity, resident=resident, by=staff)
    assert booked_by_staff.needs_for_staff == ""
    services.cancel_sign_up(booked_by_staff, by=resident)

    again = services.sign_up(opportunity, resident=resident)

    assert again.pk == booked_by_staff.pk and again.needs_for_staff == "Hearing loop"
    with pytest.raises(services.ParticipationError):
        services.share_profile_needs(again, by=staff)


def test_staff_accept_an_offered_place_for_someone_after_a_phone_call(
    client, staff, other_staff, make_residents
):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    leaver, caller = make_residents(2)
    booked = services.sign_up(opportunity, resident=leaver)
    offer = services.sign_up(opportunity, resident=caller)
    services.cancel_sign_up(booked, by=leaver)

    client.force_login(other_staff)
    assert client.post(reverse("participation:accept", args=[offer.pk])).status_code == 404
    client.force_login(staff)
    assert "Accept for them" in client.get(url("manage", opportunity)).text
    response = client.post(reverse("participation:accept", args=[offer.pk]))

    assert response["Location"] == url("manage", opportunity)
    offer.refresh_from_db()
    assert offer.status == SignUp.Status.BOOKED and offer.signed_up_by == staff
    assert Message.objects.filter(kind="signup_confirmed", recipient=caller).count() == 1


def test_the_new_opportunity_form_asks_for_a_choice_in_words_not_dashes(client, staff):
    client.force_login(staff)

    page = client.get(reverse("participation:create")).text

    assert '<option value="" selected>Choose the kind of activity</option>' in page
    assert '<option value="" selected>Choose how it happens</option>' in page
    assert "---------" not in page


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("midday", time(12)), ("Noon", time(12)), ("midnight", time(0)), ("2:30pm", time(14, 30))],
)
def test_times_can_be_typed_the_way_the_hub_writes_them(typed, expected):
    from participation.forms.fields import ClockTimeField

    assert ClockTimeField().clean(typed) == expected


def _ended(staff, title, *, booked=1, **fields):
    """A session of `staff`'s that ended two days ago, with `booked` places and nothing on
    its register yet."""
    session = OpportunityFactory(
        created_by=staff, title=title, starts_at=timezone.now() - timedelta(days=2), **fields
    )
    for _ in range(booked):
        SignUpFactory(opportunity=session)
    return session


def _row(page, title):
    """The staff list's table row for the session called `title`."""
    (row,) = [row for row in page.split('<tr class="govuk-table__row">') if f">{title}</a>" in row]
    return row


def test_past_sessions_with_places_not_on_the_register_are_tagged(client, staff):
    _ended(staff, "Untaken", booked=2)
    half = _ended(staff, "Half taken", booked=2)
    half.signups.filter(pk=half.signups.first().pk).update(attendance="attended")
    taken = _ended(staff, "Taken", booked=2)
    taken.signups.update(attendance="no_show")
    _ended(staff, "Called off", status=Opportunity.Status.CANCELLED)
    _ended(staff, "Nobody came", booked=0)
    waiting = _ended(staff, "Only waiting", booked=0)
    SignUpFactory(opportunity=waiting, status=SignUp.Status.WAITING)
    SignUpFactory(opportunity=OpportunityFactory(created_by=staff, title="Coming up"))
    client.force_login(staff)

    past = client.get(reverse("participation:staff_list"), {"status": "past"}).text
    coming = client.get(reverse("participation:staff_list")).text

    tagged = {"Untaken", "Half taken"}
    for title in ["Untaken", "Half taken", "Taken", "Called off", "Nobody came", "Only waiting"]:
        assert ("Register not taken" in _row(past, title)) == (title in tagged), title
    assert "Register not taken" not in coming


def test_the_register_tag_costs_no_query_per_row(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    for n in range(2):
        _ended(staff, f"Walk {n}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("participation:staff_list"), {"status": "past"})
    for n in range(2, 22):
        _ended(staff, f"Walk {n}", booked=n % 3)

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("participation:staff_list"), {"status": "past"})

    assert response.text.count("Register not taken") == 2 + 13  # those with anyone booked
