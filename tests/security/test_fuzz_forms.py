"""Every form in the hub, sent random and hostile input (hypothesis).

For each example: never a server error; a form shown again carries the GOV.UK error summary
and changed nothing in the tables it writes to; an accepted form (a redirect) kept what was
sent, trimmed. What a form needs (a claim, a project, an opportunity) is made once per test
by a fixture; each example runs in a rolled-back savepoint with an empty cache, so examples
cannot affect each other and rate limits never carry over.

Figures: 44 forms posted, 30 examples each (`fuzz.EXAMPLES`; FUZZ_EXAMPLES=500 for a deeper
run), and 15 search and filter pages sent hostile query strings, 30 examples each: 1,770
requests, about two minutes on SQLite; then a NUL byte in every parameter of those pages.
Run it on PostgreSQL as well: NUL bytes and column lengths only bite there.
"""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from insight.forms import EqualityForm
from insight.models import EqualityMonitoring, SurveyResponse, WeAssessment
from insight.statements import I_STATEMENTS, WE_STATEMENTS
from insight.tokens import survey_token
from learning.models import Entry, Finding, ModerationEvent
from notifications.models import Message, Unsubscribe
from participation.models import GroupMessage, Opportunity, Profile, SignUp, Venue
from payments import services as payment_services
from payments.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    ExpenseRule,
    FeeRate,
    LedgerEntry,
    PaymentPolicy,
    PaymentRun,
    PaymentRunItem,
    Receipt,
)
from payments.receipts import MAX_RECEIPT_BYTES, sniff_content_type
from projects.models import Project, StepChange, Update
from tests.factories import PASSWORD, UserFactory, date_boxes
from tests.insight import factories as insight_factories
from tests.learning import factories as learning_factories
from tests.learning.conftest import PERSONAL_TEXT
from tests.participation import factories as participation_factories
from tests.payments import factories as payment_factories
from tests.projects import factories as project_factories

from .fuzz import (
    GOOD_FILES,
    any_text,
    assert_kept,
    check_response,
    fuzz_settings,
    isolated,
    junk,
    sent,
    snapshot,
    submissions,
    upload,
    upload_specs,
)

pytestmark = pytest.mark.django_db


class QuickClient(Client):
    """Django's test client without its record of every template rendered and a copy of each
    one's context: on these form pages that copying costs more than the request itself."""

    def request(self, **request):
        environ = self._base_environ(**request)
        exception_uid = f"request-exception-{id(request)}"
        got_request_exception.connect(self.store_exc_info, dispatch_uid=exception_uid)
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid=exception_uid)
        self.check_exception(response)  # a server error raises here, with its traceback
        response.client = self
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


# One client for the whole module: building its middleware (WhiteNoise indexes every static
# file) takes half a second, far longer than a request. Cookies are cleared for each example.
CLIENT = QuickClient()


def _as_posted(value):
    """Files are drawn as (name, content, type) so each example gets a fresh upload."""
    if isinstance(value, list):
        return [_as_posted(item) for item in value]
    return upload(value) if isinstance(value, tuple) else value


def fuzz_post(
    data, *, url, valid, tables, user=None, saved=None, fields=None, reshown_ok=None, after=None
):
    """Draw one submission from `valid`, post it in isolation, and apply the checks."""
    submission = data.draw(submissions(valid, fields=fields), label="submission")
    with isolated():
        CLIENT.cookies.clear()
        if user is not None:
            CLIENT.force_login(user)
        before = snapshot(tables)
        response = CLIENT.post(url, {name: _as_posted(v) for name, v in submission.items()})
        outcome = check_response(
            response,
            before=before,
            tables=tables,
            saved=(lambda r: saved(submission, r)) if saved else None,
            reshown_ok=reshown_ok,
        )
        if after is not None:
            after(outcome)


def _with_profile(person):
    """Profiles are made on a person's first visit; make it now so it is not a change."""
    Profile.objects.get_or_create(user=person)
    return person


# --- Accounts (allauth) and the account itself -------------------------------------------------

NEW_PASSWORD = "purple-otter-lantern-2026"
ACCOUNT_TABLES = [(User, ("last_login",)), EmailAddress, User.groups.through]


@fuzz_settings
@given(data=st.data())
def test_sign_up_form(data):
    def saved(submission, response):
        person = User.objects.filter(email__iexact=sent(submission, "email").strip()).first()
        if person is not None:  # an address already in use is told apart only by email
            assert_kept(person.display_name, submission, "display_name")

    fuzz_post(
        data,
        url=reverse("account_signup"),
        valid={
            "display_name": "Rita Newcomer",
            "email": "rita.newcomer@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        tables=ACCOUNT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_sign_in_form(data, resident):
    fuzz_post(
        data,
        url=reverse("account_login"),
        valid={"login": resident.email, "password": PASSWORD},
        tables=ACCOUNT_TABLES,
    )


@fuzz_settings
@given(data=st.data())
def test_password_reset_form(data, resident):
    fuzz_post(
        data,
        url=reverse("account_reset_password"),
        valid={"email": resident.email},
        tables=ACCOUNT_TABLES,
    )


@fuzz_settings
@given(data=st.data())
def test_change_password_form(data, resident):
    def saved(submission, response):
        # A fresh copy: the fixture's object must keep the password the next example uses.
        assert User.objects.get(pk=resident.pk).check_password(sent(submission, "password1"))

    fuzz_post(
        data,
        user=resident,
        url=reverse("account_change_password"),
        valid={"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        tables=ACCOUNT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_add_email_address_form(data, resident):
    def saved(submission, response):
        if "action_add" not in submission:  # the page's other buttons: nothing to add
            return
        assert EmailAddress.objects.filter(
            user=resident, email__iexact=sent(submission, "email").strip()
        ).exists()

    fuzz_post(
        data,
        user=resident,
        url=reverse("account_email"),
        valid={"email": "rita.second@example.org", "action_add": ""},
        tables=ACCOUNT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_erase_account_form(data, resident):
    def saved(submission, response):
        assert response.url == reverse("account_erased")
        assert not User.objects.get(pk=resident.pk).is_active

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("my_data_erase"),
        valid={"password": PASSWORD, "confirm": "on"},
        tables=[*ACCOUNT_TABLES, Profile, SignUp],
        saved=saved,
    )


# --- Projects ----------------------------------------------------------------------------------

PROJECT_TABLES = [Project, Project.team.through, StepChange, Update, Update.opportunities.through]


@pytest.fixture
def project(staff):
    return project_factories.ProjectFactory(owner=staff)


def _project_kept(project, submission):
    for name in ("title", "summary", "contact_name", "contact_phone"):
        assert_kept(getattr(project, name), submission, name)
    assert project.end_date is None or project.end_date >= project.start_date


@fuzz_settings
@given(data=st.data())
def test_project_create_form(data, staff, project):
    def saved(submission, response):
        _project_kept(Project.objects.order_by("-pk").first(), submission)

    fuzz_post(
        data,
        user=staff,
        url=reverse("projects:create"),
        valid=project_factories.project_post_data(project.service_area, staff),
        tables=PROJECT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_project_edit_form(data, staff, project):
    def saved(submission, response):
        _project_kept(Project.objects.get(pk=project.pk), submission)

    fuzz_post(
        data,
        user=staff,
        url=reverse("projects:edit", args=[project.slug]),
        valid=project_factories.project_post_data(project.service_area, staff),
        tables=PROJECT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_project_step_form(data, staff, project):
    def saved(submission, response):
        recorded = Project.objects.get(pk=project.pk)
        assert recorded.claimed_step == int(sent(submission, "claimed_step"))
        if recorded.not_coproduction_reason:
            assert_kept(recorded.not_coproduction_reason, submission, "reason")

    def confirming(response, body):
        # A claim above the evidence is shown back once, to confirm, saving nothing.
        return "Check before you save the step" in body

    fuzz_post(
        data,
        user=staff,
        url=reverse("projects:step", args=[project.slug]),
        valid=project_factories.step_post_data(
            4, project_factories.CONSULTATION_EVIDENCE, reason="The budget was already set."
        ),
        tables=PROJECT_TABLES,
        saved=saved,
        reshown_ok=confirming,
    )


@fuzz_settings
@given(data=st.data())
def test_update_form(data, staff, project):
    with isolated():  # its setup is per example too, and rolled back
        session = project_factories.make_opportunity(project)

        def saved(submission, response):
            update = Update.objects.order_by("-pk").first()
            for name in ("said", "did", "next_steps"):
                assert_kept(getattr(update, name), submission, name)
            # Whatever was typed, the public pages and the Atom feed still work.
            for url in (
                reverse("projects:updates"),
                reverse("projects:updates_feed"),
                response.url,
            ):
                assert CLIENT.get(url).status_code == 200, url

        fuzz_post(
            data,
            user=staff,
            url=reverse("projects:update_create", args=[project.slug]),
            valid={
                "said": "The forms are too long.",
                "did": "We cut the form to one page.",
                "next_steps": "We check again in March.",
                "opportunities": [str(session.pk)],
                "send": "yes",
            },
            tables=PROJECT_TABLES,
            saved=saved,
            # Without "send" (the first press) it shows the update to check, and saves nothing.
            reshown_ok=lambda response, body: "Check your update before posting" in body,
        )


# --- Opportunities, venues, sign-ups and profiles ----------------------------------------------

PARTICIPATION_TABLES = [
    Opportunity,
    SignUp,
    Venue,
    (Profile, ("updated_at",)),
    Profile.interests.through,
    (User, ("last_login",)),
]


@pytest.fixture
def venue():
    return participation_factories.VenueFactory()


@pytest.fixture
def opportunity(staff):
    """Published, online, ten days away, run by `staff`, with one person booked."""
    opportunity = participation_factories.OpportunityFactory(created_by=staff)
    participation_factories.SignUpFactory(opportunity=opportunity)
    return opportunity


def _opportunity_valid(project, venue):
    day = timezone.localdate() + timedelta(days=30)
    return {
        "project": str(project.pk),
        "title": "Carers' lunch and chat",
        "description": "We talk about short breaks over lunch.",
        "kind": "workshop",
        "topic": "",
        "level": "",
        "step": "",
        "format": "hybrid",
        "venue": str(venue.pk),
        "online_details": "Join by video: the link comes by email.",
        **date_boxes("date", day),
        "start_time": "10:00",
        "end_time": "2pm",
        **date_boxes("deadline_date", day - timedelta(days=2)),
        "capacity": "12",
        "offer_window_hours": "48",
        "fee_basis": "per_hour",
        "pays_expenses": "on",
        "refreshments": "on",
        "who_for": "Carers of adults",
        "contact_name": "Sam Staff",
        "contact_email": "sam@anytown.example",
        "contact_phone": "01632 960 001",
    }


def _opportunity_kept(opportunity, submission):
    for name in ("title", "description", "online_details", "who_for", "contact_name"):
        assert_kept(getattr(opportunity, name), submission, name)
    assert opportunity.ends_at > opportunity.starts_at
    # Whatever was typed, its pages and calendar file still work for the staff running it.
    for name in ("participation:detail", "participation:calendar", "participation:manage"):
        url = reverse(name, args=[opportunity.pk])
        assert CLIENT.get(url).status_code == 200, url


@fuzz_settings
@given(data=st.data())
def test_opportunity_create_form(data, staff, project, venue):
    def saved(submission, response):
        _opportunity_kept(Opportunity.objects.order_by("-pk").first(), submission)

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:create"),
        valid=_opportunity_valid(project, venue),
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_opportunity_edit_form(data, staff, project, venue):
    with isolated():  # its setup is per example too, and rolled back
        opportunity = participation_factories.OpportunityFactory(project=project, created_by=staff)

        def saved(submission, response):
            _opportunity_kept(Opportunity.objects.get(pk=opportunity.pk), submission)

        fuzz_post(
            data,
            user=staff,
            url=reverse("participation:edit", args=[opportunity.pk]),
            valid=_opportunity_valid(project, venue),
            tables=PARTICIPATION_TABLES,
            saved=saved,
        )


@fuzz_settings
@given(data=st.data())
def test_cancel_opportunity_form(data, staff, opportunity):
    def saved(submission, response):
        cancelled = Opportunity.objects.get(pk=opportunity.pk)
        assert cancelled.status == Opportunity.Status.CANCELLED
        assert_kept(cancelled.cancellation_reason, submission, "reason")

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:cancel_opportunity", args=[opportunity.pk]),
        valid={"reason": "The room flooded. We will find a new date."},
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_message_the_group_form(data, staff, opportunity):
    def saved(submission, response):
        record = GroupMessage.objects.get()
        assert record.recipient_count == 1
        assert_kept(record.subject, submission, "subject")
        assert_kept(record.text, submission, "text")
        # Whatever was typed, the manage page that lists it still works.
        assert CLIENT.get(response.url).status_code == 200

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:message_group", args=[opportunity.pk]),
        valid={
            "subject": "Parking at the library",
            "text": "The car park is closed.\r\nPlease use Mill Lane.",
            "token": "0b6f3a52-3c1e-4f55-9a51-2f1f0c8e9d11",
            "send": "yes",
        },
        tables=[*PARTICIPATION_TABLES, GroupMessage, Message],
        saved=saved,
        # Without "send" (the first press) it shows the message to check, and saves nothing.
        reshown_ok=lambda response, body: "Check your message before sending" in body,
    )


VENUE = {
    "name": "Northfield Community Centre",
    "address": "1 High Street\r\nNorthfield",
    "postcode": "AT1 1AA",
    "area": "Northfield",
    "step_free": "on",
    "accessible_toilet": "on",
    "hearing_loop": "on",
    "access_notes": "The lift is at the back.",
}


def _venue_kept(venue, submission):
    for name in ("name", "address", "postcode", "area", "access_notes"):
        assert_kept(getattr(venue, name), submission, name)


@fuzz_settings
@given(data=st.data())
def test_venue_create_form(data, staff):
    def saved(submission, response):
        _venue_kept(Venue.objects.order_by("-pk").first(), submission)

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:venue_create"),
        valid=VENUE,
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_venue_edit_form(data, staff, venue):
    def saved(submission, response):
        _venue_kept(Venue.objects.get(pk=venue.pk), submission)

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:venue_edit", args=[venue.pk]),
        valid=VENUE,
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_sign_up_for_an_opportunity_form(data, resident, opportunity):
    def saved(submission, response):
        signup = SignUp.objects.get(opportunity=opportunity, resident=resident)
        assert_kept(signup.access_needs_note, submission, "access_needs_note")

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("participation:sign_up", args=[opportunity.pk]),
        valid={"access_needs_note": "A break every hour, please."},
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_staff_sign_someone_up_form(data, staff, resident, opportunity):
    def saved(submission, response):
        signup = SignUp.objects.get(opportunity=opportunity, resident=resident)
        assert signup.signed_up_by == staff
        assert_kept(signup.access_needs_note, submission, "access_needs_note")

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:sign_up_person", args=[opportunity.pk]),
        valid={"q": resident.email.upper(), "access_needs_note": "Needs a hearing loop."},
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_staff_add_a_new_person_form(data, staff, opportunity):
    def saved(submission, response):
        signup = SignUp.objects.select_related("resident").order_by("-pk").first()
        assert_kept(signup.resident.display_name, submission, "display_name")
        assert_kept(signup.access_needs_note, submission, "access_needs_note")

    fuzz_post(
        data,
        user=staff,
        url=reverse("participation:add_person", args=[opportunity.pk]),
        valid={
            "display_name": "Pat Offline",
            "email": "",
            "phone": "01632 960 002",
            "contact_by": "post_or_phone",
            "access_needs_note": "Large print, please.",
        },
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_attendance_form(data, staff):
    with isolated():  # its setup is per example too, and rolled back
        started = timezone.now() - timedelta(hours=3)
        opportunity = participation_factories.OpportunityFactory(
            created_by=staff, starts_at=started, ends_at=started + timedelta(hours=2)
        )
        signups = [participation_factories.SignUpFactory(opportunity=opportunity) for _ in range(2)]

        def saved(submission, response):
            # Attendance always goes back to the manage page; only real choices are recorded.
            for signup in SignUp.objects.filter(pk__in=[s.pk for s in signups]):
                if signup.attendance:
                    assert signup.attendance == sent(submission, f"signup_{signup.pk}")

        fuzz_post(
            data,
            user=staff,
            url=reverse("participation:attendance", args=[opportunity.pk]),
            valid={f"signup_{s.pk}": "attended" for s in signups},
            tables=PARTICIPATION_TABLES,
            saved=saved,
        )


@fuzz_settings
@given(data=st.data())
def test_interests_form(data, resident, project):
    area = project.service_area

    def saved(submission, response):
        profile = Profile.objects.get(user=resident)
        assert set(profile.preferred_levels) <= {"individual", "service", "strategic"}
        assert {a.pk for a in profile.interests.all()} <= {area.pk}

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("participation:interests"),
        valid={
            "interests": [str(area.pk)],
            "preferred_levels": ["service"],
            "preferred_formats": ["online"],
            "next": "/opportunities/",
        },
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_access_needs_form(data, resident):
    def saved(submission, response):
        assert_kept(Profile.objects.get(user=resident).access_needs, submission, "access_needs")

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("participation:access_needs"),
        valid={"access_needs": "Step-free access and a hearing loop.", "consent": "on"},
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_contact_preferences_form(data, resident):
    def saved(submission, response):
        profile = Profile.objects.get(user=resident)
        assert profile.contact_by == sent(submission, "contact_by")
        assert profile.format == sent(submission, "format")
        ticked = sent(submission, "large_print")
        # A checkbox reads any value as ticked but nothing, "false" and "0" (Django's rule).
        assert profile.large_print == (ticked.lower() not in ("", "false", "0"))

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("participation:contact"),
        valid={
            "contact_by": "text",
            "phone": "07700 900 982",
            "postal_address": "1 Mill Lane, Millbrook MB1 2CD",
            "format": "easy_read",
            "large_print": "on",
        },
        tables=PARTICIPATION_TABLES,
        saved=saved,
    )


# --- Claims, review and the payment policy -----------------------------------------------------

PAYMENT_TABLES = [
    Claim,
    ClaimLine,
    ClaimEvent,
    LedgerEntry,
    PaymentRun,
    PaymentRunItem,
    FeeRate,
    ExpenseRule,
    PaymentPolicy,
    ConflictOfInterest,
    Receipt,
]


@pytest.fixture
def policy():
    payment_factories.make_policy()
    return PaymentPolicy.current()


def _claim(person, *, status="draft", reviewer=None):
    """A claim for a two-hour paid workshop `person` attended, made through the services."""
    claim = payment_services.start_claim(
        payment_factories.SignUpFactory(resident=person), by=person
    )
    claim = payment_services.update_claim_details(
        claim,
        by=person,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    payment_services.save_expense(
        claim,
        by=person,
        category="public_transport",
        description="Bus",
        amount_pence=460,
        miles=None,
    )
    claim = Claim.objects.get(pk=claim.pk)
    if status == "draft":
        return claim
    claim = payment_services.submit_claim(claim, by=person, benefits_acknowledged=True)
    if status == "submitted":
        return claim
    return payment_services.approve_claim(claim, by=reviewer)


@pytest.fixture
def draft_claim(policy, resident):
    return _claim(resident)


@pytest.fixture
def submitted_claim(policy, resident):
    return _claim(resident, status="submitted")


@pytest.fixture
def approved_claim(policy, resident, commissioner):
    return _claim(resident, status="approved", reviewer=commissioner)


@fuzz_settings
@given(data=st.data())
def test_claim_payment_details_form(data, resident, draft_claim):
    def saved(submission, response):
        kept = Claim.objects.get(pk=draft_claim.pk)
        assert kept.payment_method == sent(submission, "payment_method")
        assert kept.employed_by_partner == (sent(submission, "employed_by_partner") == "yes")

    fuzz_post(
        data,
        user=resident,
        url=reverse("payments:claim_details", args=[draft_claim.pk]),
        valid={
            "payment_method": "voucher",
            "voucher_delivery": "post",
            "postal_address": "1 High Street\nAnytown\nAT1 1AA",
            "employed_by_partner": "yes",
            "not_part_of_paid_job": "on",
        },
        tables=PAYMENT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_claim_expense_form_with_bad_files(data, resident, draft_claim):
    lines_before = set(ClaimLine.objects.values_list("pk", flat=True))
    receipts_before = set(Receipt.objects.values_list("pk", flat=True))

    def saved(submission, response):
        line = ClaimLine.objects.exclude(pk__in=lines_before).get()
        assert_kept(line.description, submission, "description")
        if line.receipt:
            with line.receipt.file.open("rb") as stored:
                assert sniff_content_type(stored.read(32)) == line.receipt.content_type
        assert CLIENT.get(draft_claim.get_absolute_url()).status_code == 200

    def receipts_checked(outcome):
        # A receipt is kept as soon as it passes its checks, even when another field is
        # wrong, so the person need not choose the file again: allowed, but unattached.
        for receipt in Receipt.objects.exclude(pk__in=receipts_before):
            assert 0 < receipt.size <= MAX_RECEIPT_BYTES
            assert receipt.content_type in Receipt.EXTENSIONS
            if outcome == "refused":
                assert not ClaimLine.objects.filter(receipt=receipt).exists()

    fuzz_post(
        data,
        user=resident,
        url=reverse("payments:expense_add", args=[draft_claim.pk]),
        valid={
            "category": "public_transport",
            "description": "Bus from Anytown and back",
            "amount": "6.40",
            "miles": "",
            "agreed_with": "",
            "pending_receipt": "",
            "receipt": GOOD_FILES[0],
        },
        fields={"receipt": st.one_of(upload_specs, upload_specs, any_text())},
        tables=[table for table in PAYMENT_TABLES if table is not Receipt],
        saved=saved,
        after=receipts_checked,
    )


@fuzz_settings
@given(data=st.data())
def test_send_claim_form(data, resident, draft_claim):
    def saved(submission, response):
        assert Claim.objects.get(pk=draft_claim.pk).status == Claim.Status.SUBMITTED

    fuzz_post(
        data,
        user=resident,
        url=reverse("payments:submit", args=[draft_claim.pk]),
        valid={"acknowledged": "on"},
        tables=PAYMENT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_staff_start_a_claim_on_behalf_form(data, staff, resident, policy):
    with isolated():  # its setup is per example too, and rolled back
        signup = payment_factories.SignUpFactory(resident=resident)

        def saved(submission, response):
            claim = Claim.objects.get(signup=signup)
            assert claim.started_by == staff
            assert_kept(claim.on_behalf_note, submission, "on_behalf_note")

        fuzz_post(
            data,
            user=staff,
            url=reverse("payments:start", args=[signup.pk]),
            valid={"on_behalf_note": "By phone on 3 March: she does not use email."},
            tables=PAYMENT_TABLES,
            saved=saved,
        )


@pytest.mark.parametrize("action,status", [("return", "returned"), ("reject", "rejected")])
@fuzz_settings
@given(data=st.data())
def test_review_reason_forms(data, commissioner, submitted_claim, action, status):
    def saved(submission, response):
        decided = Claim.objects.get(pk=submitted_claim.pk)
        assert decided.status == status
        assert_kept(decided.reason, submission, "reason")

    fuzz_post(
        data,
        user=commissioner,
        url=reverse(f"payments:{action}", args=[submitted_claim.pk]),
        valid={"reason": "Add the receipt for the bus, please."},
        tables=PAYMENT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_review_correction_form(data, commissioner, approved_claim):
    def saved(submission, response):
        corrected = Claim.objects.get(pk=approved_claim.pk)
        owed = LedgerEntry.objects.filter(claim=approved_claim).owed().balance()
        assert owed == corrected.approved_total_pence

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:correct", args=[approved_claim.pk]),
        valid={"fee": "30.00", "expenses": "£4.60", "reason": "The session ran one hour short."},
        tables=PAYMENT_TABLES,
        saved=saved,
    )


def _date_fields(name, day: date) -> dict:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


IN_40_DAYS = timezone.localdate() + timedelta(days=40)


@fuzz_settings
@given(data=st.data())
def test_policy_fee_rate_form(data, commissioner, policy):
    def saved(submission, response):
        assert FeeRate.objects.order_by("-pk").first().amount_pence > 0

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:add_fee_rate"),
        valid={
            "basis": "per_hour",
            "amount": "21.50",
            **_date_fields("starts_on", IN_40_DAYS),
            # "Save rate" on the page that checks who the rate changes; without it, that page.
            "send": "yes",
        },
        tables=PAYMENT_TABLES,
        saved=saved,
        reshown_ok=lambda response, body: "Check the new rate before saving" in body,
    )


@fuzz_settings
@given(data=st.data())
def test_policy_expense_rule_form(data, commissioner, policy):
    def saved(submission, response):
        assert ExpenseRule.objects.order_by("-pk").first().category == sent(submission, "category")

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:add_expense_rule"),
        valid={
            "category": "mileage",
            "allowed": "yes",
            "cap": "",
            "rate_per_mile": "0.45",
            "receipt_rule": "over",
            "receipt_over": "10",
            "needs_prior_agreement": "",
            **_date_fields("starts_on", IN_40_DAYS),
            # "Save rule" on the page that checks what changes; without it, that page.
            "send": "yes",
        },
        tables=PAYMENT_TABLES,
        saved=saved,
        reshown_ok=lambda response, body: "Check the new rule before saving" in body,
    )


@fuzz_settings
@given(data=st.data())
def test_policy_settings_form(data, commissioner, policy):
    def saved(submission, response):
        kept = PaymentPolicy.current()
        for name in ("voucher_description", "advice_name", "advice_phone"):
            assert_kept(getattr(kept, name), submission, name)
        assert CLIENT.get(reverse("payments:how_we_pay")).status_code == 200

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:policy_settings"),
        valid={
            "target_days_to_pay": "28",
            "voucher_description": "High street vouchers, sent by post.",
            "advice_name": "Citizens Advice Anytown",
            "advice_url": "https://advice.anytown.example/benefits",
            "advice_phone": "0800 000 000",
        },
        tables=PAYMENT_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_conflict_of_interest_form(data, commissioner, resident):
    def saved(submission, response):
        conflict = ConflictOfInterest.objects.get(commissioner=commissioner, person=resident)
        assert_kept(conflict.reason, submission, "reason")

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:conflicts"),
        valid={"email": resident.email, "reason": "She is my neighbour."},
        tables=PAYMENT_TABLES,
        saved=saved,
    )


@pytest.fixture
def payment_run(commissioner, approved_claim):
    return payment_services.create_payment_run(by=commissioner)


@fuzz_settings
@given(data=st.data())
def test_confirm_payment_run_form(data, commissioner, approved_claim, payment_run):
    run = payment_run

    def saved(submission, response):
        assert PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.PAID
        assert LedgerEntry.objects.filter(claim=approved_claim).owed().balance() == 0

    fuzz_post(
        data,
        user=commissioner,
        url=reverse("payments:confirm_run", args=[run.pk]),
        valid={**_date_fields("paid_on", timezone.localdate()), "confirmed": "on"},
        tables=PAYMENT_TABLES,
        saved=saved,
    )


# --- The practice guide ------------------------------------------------------------------------

GUIDE_TABLES = [Entry, Finding, ModerationEvent]

ENTRY = {
    "kind": "lesson",
    "title": "Paying people on the day",
    "text": "We paid people in cash at the end of the session.\r\nIt built trust.",
    "outcome": "went_well",
    "level": "service",
    "step": "6",
    "principle": "",
    "topic": "",
    "project": "",
}


@fuzz_settings
@given(data=st.data())
def test_practice_guide_share_form_as_a_visitor(data):
    def saved(submission, response):
        assert response.url == reverse("learning:share_done")
        if sent(submission, "website").strip():
            # The bot trap: looks like success, keeps nothing.
            assert not Entry.objects.exists()
            return
        entry = Entry.objects.get()
        assert_kept(entry.title, submission, "title")
        assert_kept(entry.text, submission, "text")

    fuzz_post(
        data,
        url=reverse("learning:share"),
        valid={**ENTRY, "contact_email": "", "website": ""},
        tables=GUIDE_TABLES,
        saved=saved,
    )


@pytest.fixture
def entry_with_findings():
    return learning_factories.submit(text=PERSONAL_TEXT, contact_email="writer@example.org")


@fuzz_settings
@given(data=st.data())
def test_moderation_edit_form(data, moderator, entry_with_findings):
    def saved(submission, response):
        entry = Entry.objects.get(pk=entry_with_findings.pk)
        assert_kept(entry.title, submission, "title")
        assert_kept(entry.text, submission, "text")

    fuzz_post(
        data,
        user=moderator,
        url=reverse("learning:edit", args=[entry_with_findings.pk]),
        valid={**ENTRY, "note": "Took out a name."},
        tables=GUIDE_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_moderation_findings_form(data, moderator, entry_with_findings):
    findings = list(entry_with_findings.findings.all())

    def saved(submission, response):
        for finding in Finding.objects.filter(pk__in=[f.pk for f in findings]):
            answer = sent(submission, f"finding_{finding.pk}")
            if answer in ("redact", "not_personal"):
                assert finding.resolution == answer

    fuzz_post(
        data,
        user=moderator,
        url=reverse("learning:resolve", args=[entry_with_findings.pk]),
        valid={f"finding_{f.pk}": "redact" for f in findings},
        tables=GUIDE_TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_moderation_decision_form(data, moderator, entry_with_findings):
    with isolated():  # its setup is per example too, and rolled back
        learning_factories.resolve_all(entry_with_findings, by=moderator)

        def saved(submission, response):
            entry = Entry.objects.get(pk=entry_with_findings.pk)
            assert (
                entry.status
                == {
                    "publish": Entry.Status.PUBLISHED,
                    "return": Entry.Status.RETURNED,
                    "reject": Entry.Status.REJECTED,
                }[sent(submission, "decision")]
            )
            if entry.is_published:
                assert CLIENT.get(entry.get_absolute_url()).status_code == 200

        fuzz_post(
            data,
            user=moderator,
            url=reverse("learning:decide", args=[entry_with_findings.pk]),
            valid={"decision": "return", "note": "Could you say which group this was?"},
            tables=GUIDE_TABLES,
            saved=saved,
        )


@fuzz_settings
@given(data=st.data())
def test_moderation_withdraw_form(data, moderator):
    with isolated():  # its setup is per example too, and rolled back
        entry = learning_factories.PublishedEntryFactory()

        def saved(submission, response):
            assert Entry.objects.get(pk=entry.pk).status == Entry.Status.WITHDRAWN

        fuzz_post(
            data,
            user=moderator,
            url=reverse("learning:withdraw", args=[entry.pk]),
            valid={"note": "The person who shared it asked us to take it down."},
            tables=GUIDE_TABLES,
            saved=saved,
        )


# --- Message settings --------------------------------------------------------------------------


@fuzz_settings
@given(data=st.data())
def test_message_settings_form(data, resident):
    def saved(submission, response):
        profile = Profile.objects.get(user=resident)
        assert profile.alert_frequency == sent(submission, "alert_frequency")
        wanted = submission.get("categories", [])
        wanted = set(wanted if isinstance(wanted, list) else [wanted])
        off = set(Unsubscribe.objects.filter(user=resident).values_list("category", flat=True))
        assert not wanted & off

    fuzz_post(
        data,
        user=_with_profile(resident),
        url=reverse("notifications:preferences"),
        valid={
            "alert_frequency": "weekly",
            "categories": ["sign_ups", "reminders", "claims"],
        },
        tables=[*PARTICIPATION_TABLES, Unsubscribe],
        saved=saved,
    )


# --- Insight: the outcome survey, equality answers and team ratings ----------------------------


@fuzz_settings
@given(data=st.data())
def test_outcome_survey_form_without_signing_in(data):
    with isolated():  # its setup is per example too, and rolled back
        signup = insight_factories.SignUpFactory()
        insight_factories.invitation_for(signup)

        def saved(submission, response):
            answer = SurveyResponse.objects.get(signup=signup)
            assert_kept(answer.comment, submission, "comment")
            for statement in I_STATEMENTS:
                value = sent(submission, statement.key)
                assert getattr(answer, statement.key) == (
                    None if value == "prefer_not" else int(value)
                )

        fuzz_post(
            data,
            url=reverse("insight:survey", args=[survey_token(signup)]),
            valid={
                **{statement.key: "4" for statement in I_STATEMENTS},
                "paid_fairly": "prefer_not",
                "comment": "The tea was good and people listened.",
            },
            tables=[SurveyResponse],
            saved=saved,
        )


EQUALITY_FIELDS = list(EqualityForm().fields)


@fuzz_settings
@given(data=st.data())
def test_equality_form(data, resident):
    valid = {name: EqualityForm().fields[name].choices[0][0] for name in EQUALITY_FIELDS}

    def saved(submission, response):
        record = EqualityMonitoring.objects.get(person=resident)
        for name in EQUALITY_FIELDS:
            assert getattr(record, name) == sent(submission, name)

    fuzz_post(
        data,
        user=resident,
        url=reverse("insight:equality"),
        valid=valid,
        tables=[EqualityMonitoring],
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_team_we_rating_form(data, staff, project):
    quarter = (timezone.localdate().month - 1) // 3 + 1
    url = reverse("insight:we_rate", args=[project.slug, timezone.localdate().year, quarter])

    def saved(submission, response):
        rated = WeAssessment.objects.get(project=project)
        for statement in WE_STATEMENTS:
            assert getattr(rated, statement.key) == int(sent(submission, statement.key))
            assert_kept(
                getattr(rated, f"{statement.key}_evidence"), submission, f"{statement.key}_evidence"
            )

    valid = {}
    for statement in WE_STATEMENTS:
        valid[statement.key] = "3"
        valid[f"{statement.key}_evidence"] = "We met carers monthly and changed the form."
    fuzz_post(
        data,
        user=staff,
        url=url,
        valid=valid,
        tables=[WeAssessment],
        saved=saved,
    )


# --- Search and filter forms (GET): hostile query strings --------------------------------------

FILTER_PAGES = [
    # (URL name, who, the query parameters its form reads)
    (
        "participation:directory",
        None,
        ["q", "kind", "format", "paid", "topic", "from_date", "to_date", "access", "area"]
        + ["level", "step", "sort", "page", "past"],
    ),
    ("projects:list", None, ["q", "level", "step", "service_area", "status", "page"]),
    ("projects:updates", None, ["project", "page"]),
    ("learning:list", None, ["q", "kind", "outcome", "level", "step", "principle", "topic"]),
    ("participation:feed", None, ["kind", "format", "q"]),
    (
        "projects:manage",
        Role.STAFF,
        ["q", "level", "step", "service_area", "status", "flag", "mine", "sort", "page"],
    ),
    ("participation:staff_list", Role.STAFF, ["status", "q", "page"]),
    ("payments:on_behalf", Role.STAFF, ["q", "person", "page"]),
    ("insight:dashboard", Role.STAFF, ["start", "end", "area", "level", "format", "table"]),
    ("insight:comments", Role.STAFF, ["start", "end", "area", "level", "page"]),
    ("notifications:outbox", "admin", ["status", "page"]),
    ("payments:review", Role.COMMISSIONER, ["status", "project", "flag", "page"]),
    ("payments:report_people", Role.COMMISSIONER, ["tax_year", "page"]),
    (
        "payments:ledger",
        Role.COMMISSIONER,
        ["search", "from_date", "to_date", "tax_year", "kind", "account", "project"]
        + ["payment_run", "person", "page"],
    ),
    ("learning:moderation", Role.MODERATOR, ["status", "page"]),
]

# Values a little more likely to get past the first check (a real choice) and into a query.
PLAUSIBLE = st.sampled_from(
    ["csv", "ladder_steps", "reach_people", "open", "all", "overdue", "1", "2026-04-01"]
)


@pytest.mark.parametrize(
    "url_name,role,params", FILTER_PAGES, ids=[page[0] for page in FILTER_PAGES]
)
@fuzz_settings
@given(data=st.data())
def test_search_and_filter_pages(data, url_name, role, params):
    query = data.draw(
        st.dictionaries(
            st.sampled_from(params),
            st.one_of(junk, PLAUSIBLE, st.lists(st.one_of(junk, PLAUSIBLE), max_size=3)),
            max_size=4,
        ),
        label="query",
    )
    with isolated():
        CLIENT.cookies.clear()
        if role == "admin":
            CLIENT.force_login(UserFactory(roles=[], is_superuser=True))
        elif role is not None:
            CLIENT.force_login(UserFactory(roles=[role]))
        response = CLIENT.get(reverse(url_name), query)
        assert response.status_code < 500
        assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize(
    "url_name,role,params", FILTER_PAGES, ids=[page[0] for page in FILTER_PAGES]
)
def test_a_nul_byte_in_any_search_or_filter_is_never_a_server_error(url_name, role, params):
    """PostgreSQL refuses NUL in a query outright; /updates/?project=%00 was a 500 there."""
    CLIENT.cookies.clear()
    if role == "admin":
        CLIENT.force_login(UserFactory(roles=[], is_superuser=True))
    elif role is not None:
        CLIENT.force_login(UserFactory(roles=[role]))
    for name in params:
        for value in ("\x00", "carers\x00' OR 1=1"):
            response = CLIENT.get(reverse(url_name), {name: value})
            assert response.status_code in (200, 400), (name, response.status_code)
