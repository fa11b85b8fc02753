from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.roles import Role
from insight.models import SurveyInvitation
from notifications.models import Message
from participation import services
from participation.models import Opportunity, Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def sign_up_url(opportunity):
    return reverse("participation:sign_up", args=[opportunity.pk])


def test_the_opportunity_page_shows_the_honest_step_places_and_what_is_offered(client):
    project = ProjectFactory(claimed_step=7, evidenced_step=4, not_coproduction_reason="Budget")
    opportunity = OpportunityFactory(
        project=project,
        capacity=3,
        fee_basis=Opportunity.FeeBasis.HALF_DAY,
        refreshments=True,
        who_for="Unpaid carers",
        contact_name="Jo Bloggs",
        online_details="https://meet.example/secret",
    )
    SignUpFactory(opportunity=opportunity)

    response = client.get(opportunity.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "Consultation" in text and "Co-production</strong>" not in text
    # The same plain words as the sign-up page, not the ladder's "doing for people".
    assert "Consultation (step 4 of 7): you give your views and the council decides" in text
    assert "doing for people" not in text
    assert "Budget" in text  # why this is not co-production
    assert "2 places left of 3" in text
    assert "A fee for your time (half day)" in text
    assert "Refreshments" in text and "Unpaid carers" in text and "Jo Bloggs" in text
    # Joining details are only for people with a place.
    assert "meet.example/secret" not in text


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.usefixtures("caching_as_in_production")
def test_the_opportunity_page_counts_places_once_however_full_it_is(
    client, settings, make_residents, signed_in
):
    # Rendered each time, not a stored copy of the page, so the queries are counted.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    if signed_in:
        client.force_login(UserFactory())
    quiet = OpportunityFactory(capacity=3)
    nearly_full = OpportunityFactory(capacity=3)
    full = OpportunityFactory(capacity=3)
    for person in make_residents(2):
        SignUpFactory(opportunity=nearly_full, resident=person)
    for person in make_residents(4):
        SignUpFactory(opportunity=full, resident=person, status="booked")
    client.get(quiet.get_absolute_url())  # warm up: content types, session

    texts, counts = {}, {}
    for name, opportunity in [("quiet", quiet), ("nearly_full", nearly_full), ("full", full)]:
        with CaptureQueriesContext(connection) as queries:
            texts[name] = client.get(opportunity.get_absolute_url()).text
        counts[name] = len(queries)

    assert "3 places left of 3" in texts["quiet"]
    assert "1 place left of 3" in texts["nearly_full"]
    assert "Full. You can join the waiting list." in texts["full"]
    services.close_opportunity(full, by=full.created_by)
    closed = client.get(full.get_absolute_url()).text
    assert "Full." in closed and "You can join the waiting list." not in closed
    # The places are counted in the query that loads the opportunity, not once per mention.
    assert counts["quiet"] == counts["nearly_full"] == counts["full"]
    assert counts["quiet"] <= (4 if signed_in else 1)


def test_places_are_counted_again_after_refresh_from_db(opportunity, resident):
    assert opportunity.places_left == 10

    services.sign_up(opportunity, resident=resident)
    opportunity.refresh_from_db()

    assert opportunity.places_left == 9


def test_a_visitor_is_asked_to_sign_in_and_comes_back(client, opportunity):
    page = client.get(opportunity.get_absolute_url()).text
    expected = f"?next={sign_up_url(opportunity)}"
    assert f'/accounts/login/{expected}"' in page
    assert f'/accounts/signup/{expected}"' in page

    response = client.get(sign_up_url(opportunity))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_resident_signs_up_in_one_step_seeing_their_access_needs(client, resident, opportunity):
    Profile.objects.create(
        user=resident, access_needs="Step-free access", access_needs_consent_at=timezone.now()
    )
    client.force_login(resident)

    page = client.get(sign_up_url(opportunity))
    assert "Step-free access" in page.text
    assert "How much say you will have" in page.text
    assert "Engagement (step 5 of 7): you help shape plans and the council decides" in page.text
    response = client.post(sign_up_url(opportunity), {"access_needs_note": "Sit near the door"})

    signup = SignUp.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == signup.get_absolute_url()
    assert signup.status == SignUp.Status.BOOKED
    assert signup.access_needs_note == "Sit near the door"
    follow = client.get(opportunity.get_absolute_url())
    assert "You have a place" in follow.text


# The sign-up POST with the e-mail's delivery (Celery runs it in-process in tests): the
# person with their roles (the roles in a query of their own on databases other than
# PostgreSQL), the opportunity locked, places held and waiting with any earlier sign-up of
# theirs, the new place, the message (contact preferences and unsubscribes, insert, its id),
# the savepoint and its release; for a session in the next two weeks, whether the person has
# access needs its staff should hear of; then sending (claim it, load it, the calendar file's
# sign-up, mark it sent). It was 22, or 23 joining the waiting list, then 16.
SIGN_UP_QUERIES = 14


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.usefixtures("caching_as_in_production")
def test_signing_up_takes_a_fixed_number_of_queries(
    client,
    resident,
    make_residents,
    staff,
    full,
    is_postgres,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    opportunity = OpportunityFactory(created_by=staff, capacity=2)
    for person in make_residents(2 if full else 1):
        SignUpFactory(opportunity=opportunity, resident=person)
    Profile.objects.create(user=resident)
    client.force_login(resident)
    client.get(opportunity.get_absolute_url())  # warm up: content types, session

    with (
        django_assert_max_num_queries(SIGN_UP_QUERIES + (0 if is_postgres else 1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(sign_up_url(opportunity), {"access_needs_note": ""})

    signup = SignUp.objects.get(opportunity=opportunity, resident=resident)
    assert response.status_code == 302 and response.url == signup.get_absolute_url()
    assert signup.status == (SignUp.Status.WAITING if full else SignUp.Status.BOOKED)
    (email,) = mail.outbox
    assert len(email.attachments) == (0 if full else 1)


def test_signing_up_again_shows_the_existing_place(client, resident, opportunity):
    client.force_login(resident)
    client.post(sign_up_url(opportunity))

    response = client.post(sign_up_url(opportunity))

    assert response.status_code == 302
    assert SignUp.objects.filter(resident=resident).count() == 1
    page = client.get(response["Location"]).text
    assert "You already have a place at this. Here are the details." in page


def test_signing_up_again_from_the_waiting_list_says_so(client, make_residents):
    opportunity = OpportunityFactory(capacity=1)
    booked, waiting = make_residents(2)
    for person in (booked, waiting):
        client.force_login(person)
        client.post(sign_up_url(opportunity))

    again = client.get(client.post(sign_up_url(opportunity))["Location"]).text
    from_the_form = client.get(client.get(sign_up_url(opportunity))["Location"]).text

    for page in (again, from_the_form):
        assert "You are already on the waiting list for this." in page
        assert "Here is your place" not in page


def test_after_signing_up_people_read_what_happens_next(client, make_residents):
    opportunity = OpportunityFactory(capacity=1, fee_basis=Opportunity.FeeBasis.PER_HOUR)
    booked, waiting = make_residents(2)
    client.force_login(booked)
    page = client.get(client.post(sign_up_url(opportunity))["Location"]).text

    assert "What happens next" in page
    assert "We will remind you 2 days before the session" in page
    assert "you can claim your fee" in page

    client.force_login(waiting)
    page = client.get(client.post(sign_up_url(opportunity))["Location"]).text
    assert "Joined the waiting list" in page
    assert "We will remind you" not in page  # no place yet: nothing to be reminded of
    # ...but they read how the waiting list works: what we do, and how long they will have.
    assert "We will contact you as soon as it is your turn" in page
    assert "up to 48 hours to accept the place" in page


@pytest.mark.parametrize(
    ("starts_in", "promised"),
    [
        (timedelta(days=10), "We will remind you 2 days before the session, and on the morning"),
        # Booked for tomorrow: the two-day reminder's time has passed, and it is never sent.
        (timedelta(days=1), "We will remind you on the morning of the session"),
        # Booked an hour before it starts: both times have passed.
        (timedelta(minutes=50), None),
    ],
)
def test_the_place_promises_only_the_reminders_still_to_come(client, resident, starts_in, promised):
    starts_at = timezone.now() + starts_in
    opportunity = OpportunityFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    client.force_login(resident)

    page = client.get(client.post(sign_up_url(opportunity))["Location"]).text

    assert "What happens next" in page
    if promised:
        assert promised in page
    else:
        assert "We will remind you" not in page
    if starts_in < timedelta(days=2):
        assert "2 days before" not in page


def test_signing_up_for_a_draft_or_a_missing_opportunity_is_not_found(client, resident, staff):
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT)
    client.force_login(resident)

    assert client.post(sign_up_url(draft)).status_code == 404
    missing = reverse("participation:sign_up", args=[draft.pk + 1000])
    assert client.post(missing).status_code == 404
    assert not SignUp.objects.exists()


def test_staff_running_a_draft_are_told_it_is_not_open_yet(client):
    staff = UserFactory(roles=[Role.STAFF, Role.RESIDENT])
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT)
    client.force_login(staff)

    response = client.post(sign_up_url(draft))

    assert response.status_code == 200
    assert "This opportunity is not open yet." in response.text
    assert not SignUp.objects.exists()


def test_staff_without_the_resident_role_are_told_they_cannot_sign_up(client, other_staff):
    opportunity = OpportunityFactory()
    client.force_login(other_staff)

    page = client.get(sign_up_url(opportunity))
    response = client.post(sign_up_url(opportunity))

    assert "Only residents can sign up" in page.text
    assert "Only residents can sign up" in response.text
    assert not SignUp.objects.exists()


def test_after_the_deadline_the_page_says_so(client, resident):
    opportunity = OpportunityFactory(signup_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(resident)

    assert "The deadline to sign up has passed" in client.get(opportunity.get_absolute_url()).text
    response = client.post(sign_up_url(opportunity))
    assert "The deadline to sign up has passed" in response.text
    assert not SignUp.objects.exists()


class _Forms(HTMLParser):
    """Each form on a page: its method, action and the buttons in it, with the attributes and
    the text a screen reader reads out (visually hidden words included)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.forms, self._button = [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({**attrs, "buttons": []})
        elif tag == "button" and self.forms:
            self._button = {**attrs, "text": ""}
            self.forms[-1]["buttons"].append(self._button)

    def handle_endtag(self, tag):
        if tag == "button" and self._button:
            self._button["text"] = " ".join(self._button["text"].split())
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data


def cancel_buttons(text, signup):
    """The buttons on a page that cancel `signup` when pressed: in a form that posts to its
    cancel address, or sending their form there themselves."""
    url = reverse("participation:cancel", args=[signup.pk])
    return [
        button
        for form in _Forms(text).forms
        if form.get("method") == "post"
        for button in form["buttons"]
        if button.get("formaction", form.get("action")) == url
    ]


def assert_is_a_submit_button(button):
    assert button.get("type") == "submit"
    assert button.get("data-module") == "govuk-button"
    assert button.get("data-prevent-double-click") == "true"


def test_cancelling_is_one_click_on_the_place_page(client, resident, opportunity):
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)

    (button,) = cancel_buttons(client.get(signup.get_absolute_url()).text, signup)
    assert button["text"] == "Cancel your place"
    assert_is_a_submit_button(button)
    response = client.post(reverse("participation:cancel", args=[signup.pk]), follow=True)

    # One post, no question first: cancelled, said so, and signing up again is one step away.
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.CANCELLED
    assert response.redirect_chain == [(signup.get_absolute_url(), 302)]
    assert "You have cancelled your place at Carers&#x27; lunch and chat." in response.text
    assert "Sign up again" in response.text and sign_up_url(opportunity) in response.text
    assert "There are places left now, so you would get one" in response.text
    assert not cancel_buttons(response.text, signup)
    assert Message.objects.filter(kind="signup_cancelled", recipient=resident).count() == 1


def test_each_upcoming_place_on_the_my_page_can_be_cancelled_in_one_click(
    client, make_residents, staff
):
    person, holder, other = make_residents(3)
    booked = services.sign_up(OpportunityFactory(title="Reading group"), resident=person)
    full = OpportunityFactory(title="Popular panel", capacity=1)
    services.sign_up(full, resident=other)
    waiting = services.sign_up(full, resident=person)
    freed = OpportunityFactory(title="Carers' panel", capacity=1)
    services.sign_up(freed, resident=holder)
    offered = services.sign_up(freed, resident=person)
    services.cancel_sign_up(SignUp.objects.get(opportunity=freed, resident=holder), by=holder)
    called_off = OpportunityFactory(title="Called off", created_by=staff)
    ours = services.sign_up(called_off, resident=person)
    services.cancel_opportunity(called_off, by=staff, reason="The room flooded.")
    client.force_login(person)

    page = client.get(reverse("participation:my")).text

    # A button for each, naming its session, so each is told apart by a screen reader too.
    expected = {
        booked: "Cancel your place at Reading group",
        waiting: "Leave the waiting list for Popular panel",
        offered: "I do not want this place at Carers' panel",
    }
    for signup, name in expected.items():
        (button,) = cancel_buttons(page, signup)
        assert button["text"] == name
        assert_is_a_submit_button(button)
    assert not cancel_buttons(page, ours)  # nothing to cancel: we called it off
    # Leaving the waiting list from "/my/" is one post, and lands on a page that says so.
    response = client.post(reverse("participation:cancel", args=[waiting.pk]), follow=True)
    assert SignUp.objects.get(pk=waiting.pk).status == SignUp.Status.CANCELLED
    assert "You have left the waiting list for Popular panel." in response.text
    assert "so you would join the end of the waiting list" in response.text


def test_a_title_that_ends_in_a_question_gets_no_full_stop_after_it(client, resident):
    signup = services.sign_up(OpportunityFactory(title="What makes a good day?"), resident=resident)
    client.force_login(resident)

    done = client.post(reverse("participation:cancel", args=[signup.pk]), follow=True).text

    assert "You have cancelled your place at What makes a good day?<" in done


def test_an_old_link_to_cancel_still_asks_first_and_its_button_cancels(
    client, resident, opportunity
):
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)
    cancel_url = reverse("participation:cancel", args=[signup.pk])

    page = client.get(cancel_url)
    assert "Are you sure you want to cancel your place?" in page.text
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.BOOKED
    (button,) = cancel_buttons(page.text, signup)
    assert button["text"] == "Yes, cancel the place"
    response = client.post(cancel_url)

    assert response["Location"] == signup.get_absolute_url()
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.CANCELLED


def test_cancelling_twice_says_it_was_already_cancelled_and_tells_nobody_twice(
    client, resident, opportunity
):
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)
    cancel_url = reverse("participation:cancel", args=[signup.pk])

    client.post(cancel_url, follow=True)
    again = client.post(cancel_url, follow=True).text

    assert "This place was already cancelled." in again
    assert "You have cancelled your place" not in again
    assert Message.objects.filter(kind="signup_cancelled", recipient=resident).count() == 1


def test_accepting_an_offer_from_the_my_page(client, make_residents):
    opportunity = OpportunityFactory(capacity=1)
    first, second = make_residents(2)
    booked = services.sign_up(opportunity, resident=first)
    waiting = services.sign_up(opportunity, resident=second)
    services.cancel_sign_up(booked, by=first)
    client.force_login(second)

    page = client.get(reverse("participation:my"))
    assert "A place is free for you" in page.text
    # Turning it down is as easy to find as taking it, and as quick.
    (decline,) = cancel_buttons(page.text, waiting)
    assert decline["text"].startswith("I do not want this place")
    client.post(reverse("participation:accept", args=[waiting.pk]))

    assert SignUp.objects.get(pk=waiting.pk).status == SignUp.Status.BOOKED


def test_accepting_an_offer_after_signing_in_again_leads_back_to_the_offer(client, make_residents):
    """Signed out when they pressed "Accept the place", the person signs in and is brought
    back to the address the button posts to: they land on their place, with the button, not
    on a blank error page. Opening the address accepts nothing."""
    opportunity = OpportunityFactory(capacity=1)
    first, second = make_residents(2)
    booked = services.sign_up(opportunity, resident=first)
    waiting = services.sign_up(opportunity, resident=second)
    services.cancel_sign_up(booked, by=first)
    accept_url = reverse("participation:accept", args=[waiting.pk])
    assert client.post(accept_url)["Location"].startswith("/accounts/login/")

    client.force_login(second)
    page = client.get(accept_url, follow=True)

    assert page.redirect_chain == [(reverse("participation:signup", args=[waiting.pk]), 302)]
    assert "Accept the place" in page.text
    assert SignUp.objects.get(pk=waiting.pk).status == SignUp.Status.OFFERED


def test_the_my_page_shows_places_waiting_positions_and_the_past(client, make_residents):
    person, other = make_residents(2)
    upcoming = SignUpFactory(resident=person, opportunity__title="Coming soon")
    full = OpportunityFactory(title="Popular", capacity=1)
    services.sign_up(full, resident=other)
    services.sign_up(full, resident=person)
    past = OpportunityFactory(
        title="Last month",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=1),
    )
    SignUpFactory(resident=person, opportunity=past, attendance=SignUp.Attendance.ATTENDED)
    client.force_login(person)

    text = client.get(reverse("participation:my")).text

    assert upcoming.opportunity.title in text
    assert "Popular" in text and "You are number 1 on the waiting list." in text
    assert "Last month" in text and "Attended" in text


def test_past_sessions_lead_to_the_claim_made_the_claim_to_make_and_the_survey(client):
    from tests.insight.factories import invitation_for
    from tests.payments import factories as pay

    pay.make_policy()
    person = UserFactory(roles=[Role.RESIDENT])
    claimed = pay.SignUpFactory(resident=person, opportunity__title="Claimed already")
    claim = pay.claim_in_state(person, signup=claimed)
    to_claim = pay.SignUpFactory(resident=person, opportunity__title="Not claimed yet")
    invitation_for(to_claim)
    unpaid = pay.SignUpFactory(
        resident=person,
        opportunity__title="Unpaid chat",
        opportunity__fee_basis=Opportunity.FeeBasis.NONE,
        opportunity__pays_expenses=False,
    )
    invitation_for(unpaid, closes_at=timezone.now() - timedelta(days=1))  # closed
    client.force_login(person)

    text = client.get(reverse("participation:my")).text

    assert (
        f'href="{claim.get_absolute_url()}">Your claim <span class="hub-nowrap">{claim.reference}'
        in text
    )
    assert "</a>: sent" in text
    assert reverse("payments:start", args=[to_claim.pk]) in text
    assert reverse("payments:start", args=[claimed.pk]) not in text
    assert reverse("payments:start", args=[unpaid.pk]) not in text
    assert text.count("Tell us how it went") == 1
    assert "/survey/" in text


def _my_page_queries(client, person, count):
    staff = UserFactory(roles=["staff"])
    for n in range(count):
        opportunity = OpportunityFactory(created_by=staff, capacity=1)
        SignUpFactory(opportunity=opportunity, resident=staff)
        SignUpFactory(
            opportunity=opportunity,
            resident=person,
            status=SignUp.Status.WAITING,
            waiting_since=timezone.now(),
        )
        SignUpFactory(resident=person, opportunity__created_by=staff)
        past = OpportunityFactory(
            created_by=staff,
            starts_at=timezone.now() - timedelta(days=n + 1),
            ends_at=timezone.now() - timedelta(days=n + 1) + timedelta(hours=1),
        )
        attended = SignUpFactory(
            resident=person, opportunity=past, attendance=SignUp.Attendance.ATTENDED
        )
        SurveyInvitation.objects.create(
            signup=attended, closes_at=timezone.now() + timedelta(days=9)
        )
    client.force_login(person)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("participation:my")).status_code == 200
    return len(captured)


def test_the_my_page_uses_the_same_number_of_queries_however_many_sign_ups(client):
    few = _my_page_queries(client, UserFactory(), 2)
    many = _my_page_queries(client, UserFactory(), 25)

    assert few == many


# --- Who may see a sign-up -------------------------------------------------------------


@pytest.fixture
def signup(resident, staff):
    project = ProjectFactory(owner=staff)
    opportunity = OpportunityFactory(project=project, created_by=staff)
    Profile.objects.create(
        user=resident, access_needs="BSL interpreter", access_needs_consent_at=timezone.now()
    )
    return services.sign_up(opportunity, resident=resident, access_needs_note="Wheelchair")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 200),  # their own
        ("staff", 200),  # owns the project
        ("team_member", 200),
        ("commissioner", 200),  # may edit every project
        ("admin_user", 200),
        ("other_resident", 404),
        ("other_staff", 404),  # staff, but not running this one
        ("moderator", 404),
    ],
)
def test_only_the_person_staff_running_it_and_admins_see_a_sign_up(
    client, request, signup, who, status
):
    if who == "team_member":
        user = UserFactory(roles=["staff"])
        signup.opportunity.project.team.add(user)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)

    detail = client.get(signup.get_absolute_url())
    cancel_page = client.get(reverse("participation:cancel", args=[signup.pk]))

    assert detail.status_code == status
    assert cancel_page.status_code == status
    # Access needs are narrower still: a commissioner may manage every project, but sees
    # people's needs only on projects they are part of.
    if status == 200 and who != "commissioner":
        assert "BSL interpreter" in detail.text and "Wheelchair" in detail.text
    if who == "commissioner":
        assert "BSL interpreter" not in detail.text and "Wheelchair" not in detail.text
        assert "Only the project’s owner and team can see them" in detail.text


@pytest.mark.parametrize("who", ["other_resident", "other_staff", "moderator"])
def test_nobody_else_can_cancel_or_accept_someone_elses_place(client, request, signup, who):
    client.force_login(request.getfixturevalue(who))

    assert client.post(reverse("participation:cancel", args=[signup.pk])).status_code == 404
    assert client.post(reverse("participation:accept", args=[signup.pk])).status_code == 404
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.BOOKED


def test_a_visitor_is_sent_to_sign_in_for_a_sign_up(client, signup):
    response = client.get(signup.get_absolute_url())

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_can_cancel_a_place_on_someones_behalf(client, signup, staff):
    client.force_login(staff)
    place_page = client.get(signup.get_absolute_url()).text
    # Not one click for staff: the button leads to a page that asks why.
    assert cancel_buttons(place_page, signup) == []
    assert f'href="{reverse("participation:cancel", args=[signup.pk])}"' in place_page

    response = client.post(
        reverse("participation:cancel", args=[signup.pk]),
        {"reason": "You told us you are moving away."},
    )

    assert response["Location"] == reverse("participation:manage", args=[signup.opportunity_id])
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.CANCELLED
    message = Message.objects.get(kind="signup_cancelled", recipient=signup.resident)
    assert "We have cancelled your place" in message.body_text
    assert "Why: You told us you are moving away." in message.body_text


def test_an_opportunity_of_a_hidden_project_is_not_public_and_takes_no_sign_ups(client, resident):
    project = ProjectFactory(is_published=False)
    opportunity = OpportunityFactory(project=project, title="Shaping respite care")
    pages = [
        reverse("participation:detail", args=[opportunity.pk]),
        reverse("participation:calendar", args=[opportunity.pk]),
    ]

    for person in (None, resident):
        if person:
            client.force_login(person)
        assert [client.get(page).status_code for page in pages] == [404, 404]
        assert "Shaping respite care" not in client.get(reverse("participation:directory")).text
        assert "Shaping respite care" not in client.get(reverse("participation:feed")).text

    assert client.post(sign_up_url(opportunity)).status_code == 404
    with pytest.raises(services.ParticipationError, match="not open yet"):
        services.sign_up(opportunity, resident=resident)
    assert not SignUp.objects.exists()

    # The team still sees it, and everyone does once the project is published.
    client.force_login(project.owner)
    assert client.get(pages[0]).status_code == 200
    project.is_published = True
    project.save()
    client.force_login(resident)
    assert client.post(sign_up_url(opportunity)).status_code == 302
    assert SignUp.objects.get().status == SignUp.Status.BOOKED


def test_an_opportunity_cannot_be_published_before_its_project(staff):
    project = ProjectFactory(is_published=False, owner=staff)
    draft = OpportunityFactory(project=project, status=Opportunity.Status.DRAFT)

    with pytest.raises(services.ParticipationError, match="Publish the project first"):
        services.publish_opportunity(draft, by=staff)

    draft.refresh_from_db()
    assert draft.status == Opportunity.Status.DRAFT


def test_someone_offered_a_place_can_say_no_to_it_in_plain_words(client, make_residents):
    opportunity = OpportunityFactory(capacity=1, title="Carers' panel")
    holder, waiting = make_residents(2)
    services.sign_up(opportunity, resident=holder)
    offered = services.sign_up(opportunity, resident=waiting)
    services.cancel_sign_up(SignUp.objects.get(resident=holder), by=holder)
    offered.refresh_from_db()
    assert offered.status == SignUp.Status.OFFERED
    client.force_login(waiting)

    page = client.get(offered.get_absolute_url()).text
    confirm = client.get(reverse("participation:cancel", args=[offered.pk])).text
    done = client.post(reverse("participation:cancel", args=[offered.pk]), follow=True).text

    assert "I do not want this place" in page and "Cancel your place" not in page
    assert "Joined the waiting list" in page  # not "Signed up": they never had the place
    assert "Are you sure you do not want this place?" in confirm
    assert "Yes, give it to the next person" in confirm
    assert "You said no to the place at Carers&#x27; panel." in done
    assert SignUp.objects.get(pk=offered.pk).status == SignUp.Status.CANCELLED


def test_a_full_session_does_not_invite_someone_already_waiting_to_join_the_list(
    client, make_residents
):
    opportunity = OpportunityFactory(capacity=1)
    holder, waiting, visitor = make_residents(3)
    services.sign_up(opportunity, resident=holder)
    services.sign_up(opportunity, resident=waiting)

    for person, invited in ((holder, False), (waiting, False), (visitor, True)):
        client.force_login(person)
        page = client.get(opportunity.get_absolute_url()).text
        assert ("You can join the waiting list." in page) is invited


def test_people_signed_up_can_still_open_a_session_whose_project_was_taken_down(
    client, make_residents
):
    project = ProjectFactory(title="Short breaks review")
    opportunity = OpportunityFactory(project=project, title="Short breaks panel")
    booked, stranger = make_residents(2)
    services.sign_up(opportunity, resident=booked)
    project.is_published = False
    project.save()
    calendar = reverse("participation:calendar", args=[opportunity.pk])

    client.force_login(booked)
    page = client.get(opportunity.get_absolute_url())
    assert page.status_code == 200 and "Short breaks panel" in page.text
    assert "This is part of the project" not in page.text  # its page is not public now
    assert client.get(calendar).status_code == 200
    client.force_login(stranger)
    assert client.get(opportunity.get_absolute_url()).status_code == 404
    assert client.get(calendar).status_code == 404


def test_people_joining_a_waiting_list_are_told_how_long_they_will_have_to_accept(
    client, make_residents
):
    opportunity = OpportunityFactory(capacity=1, offer_window_hours=48)
    holder, waiting = make_residents(2)
    services.sign_up(opportunity, resident=holder)
    client.force_login(waiting)

    page = client.get(sign_up_url(opportunity)).text
    services.sign_up(opportunity, resident=waiting)

    assert "You will then have up to 48 hours to accept it" in page
    email = Message.objects.get(kind="waiting_list_joined", recipient=waiting)
    assert "you will have up to 48 hours to accept" in email.body_text


def test_a_cancelled_place_offers_signing_up_again_not_changing_access_needs(
    client, make_residents
):
    opportunity = OpportunityFactory(capacity=5)
    (person,) = make_residents(1)
    signup = services.sign_up(opportunity, resident=person)
    client.force_login(person)
    booked = client.get(signup.get_absolute_url()).text
    services.cancel_sign_up(signup, by=person)

    cancelled = client.get(signup.get_absolute_url()).text

    assert f"?next=/sign-ups/{signup.pk}/" in booked  # changing needs comes back here
    assert "Sign up again" not in booked
    assert "Sign up again" in cancelled and sign_up_url(opportunity) in cancelled
    assert 'Change<span class="govuk-visually-hidden"> access needs' not in cancelled


def test_a_note_typed_for_the_session_survives_changing_the_access_needs_first(client, resident):
    opportunity = OpportunityFactory()
    sign_up_url = reverse("participation:sign_up", args=[opportunity.pk])
    client.force_login(resident)

    response = client.post(sign_up_url, {"access_needs_note": "Breaks", "change_needs": "1"})

    assert response["Location"] == (
        f"{reverse('participation:access_needs')}?next=%2Fopportunities%2F{opportunity.pk}%2Fsign-up%2F"
    )
    assert not SignUp.objects.exists()  # nothing booked on the way
    page = client.get(sign_up_url).text
    assert "\nBreaks</textarea>" in page
    # Only once: a later visit starts empty.
    assert "Breaks</textarea>" not in client.get(sign_up_url).text
