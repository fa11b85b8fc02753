"""The resident's claim pages and the staff and commissioner pages, through the client."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim, ClaimLine
from projects.models import Project

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _details(client, claim, **data):
    return client.post(
        reverse("payments:claim_details", args=[claim.pk]),
        {"payment_method": "bank_transfer", "employed_by_partner": "no", **data},
    )


class TestStartingAClaim:
    def test_attended_sessions_are_listed_with_a_start_button(self, client, resident, attended):
        client.force_login(resident)

        html = client.get(reverse("payments:claims")).content.decode()

        assert attended.opportunity.title in html
        assert reverse("payments:start", args=[attended.pk]) in html

    def test_the_start_page_shows_the_fee_and_starting_makes_a_draft(
        self, client, resident, attended
    ):
        client.force_login(resident)
        url = reverse("payments:start", args=[attended.pk])

        assert "2 hours at £20 an hour" in client.get(url).content.decode()
        response = client.post(url)

        claim = Claim.objects.get()
        assert response["Location"] == reverse("payments:claim_details", args=[claim.pk])
        assert claim.claimant == resident and claim.fee_pence == 4000

    def test_the_next_claim_offers_the_last_claims_answers_to_check(
        self, client, resident, make_claim
    ):
        earlier = make_claim(resident, status=Claim.Status.DRAFT)
        services.update_claim_details(
            earlier,
            by=resident,
            payment_method=Claim.PaymentMethod.VOUCHER,
            employed_by_partner=True,
            not_part_of_paid_job=True,
        )
        claim = services.start_claim(SignUpFactory(resident=resident), by=resident)
        client.force_login(resident)

        page = client.get(reverse("payments:claim_details", args=[claim.pk])).text

        checked = re.findall(r'name="(\w+)" type="\w+" value="(\w+)"[^>]*checked', page)
        # Offered, not saved: the claim has no answers until the person saves the page, and
        # "not part of my paid job" is about this activity, so it is asked afresh.
        assert ("payment_method", "voucher") in checked
        assert ("employed_by_partner", "yes") in checked
        assert "not_part_of_paid_job" not in dict(checked)
        claim.refresh_from_db()
        assert claim.payment_method == "" and claim.employed_by_partner is None

    def test_a_first_claim_starts_with_no_answers(self, client, resident, attended):
        claim = services.start_claim(attended, by=resident)
        client.force_login(resident)

        page = client.get(reverse("payments:claim_details", args=[claim.pk])).text

        assert "checked" not in page

    def test_nobody_can_claim_for_someone_elses_attendance(self, client, other_resident, attended):
        client.force_login(other_resident)
        url = reverse("payments:start", args=[attended.pk])

        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        assert not Claim.objects.exists()

    def test_a_session_without_recorded_attendance_cannot_be_started(
        self, client, resident, policy
    ):
        signup = SignUpFactory(resident=resident, attendance="")
        client.force_login(resident)

        assert client.post(reverse("payments:start", args=[signup.pk])).status_code == 404

    def test_without_a_rate_in_the_policy_the_person_is_told_and_nothing_is_saved(
        self, client, resident
    ):
        signup = SignUpFactory(resident=resident)  # no policy at all
        client.force_login(resident)

        response = client.post(reverse("payments:start", args=[signup.pk]))

        assert "The payment policy has no per hour fee rate" in response.content.decode()
        assert not Claim.objects.exists()


class TestFillingIn:
    @pytest.fixture
    def claim(self, attended, resident):
        return services.start_claim(attended, by=resident)

    @pytest.mark.parametrize(("typed", "pence"), [("12.50", 1250), ("£12.50", 1250), ("12", 1200)])
    def test_amounts_are_read_exactly(self, client, resident, claim, typed, pence):
        client.force_login(resident)

        response = client.post(
            reverse("payments:expense_add", args=[claim.pk]),
            {"category": "public_transport", "description": "Train", "amount": typed},
        )

        assert response.status_code == 302
        assert ClaimLine.objects.get(kind="expense").amount_pence == pence
        claim.refresh_from_db()
        assert claim.expenses_pence == pence

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            # -5 and 0 get the same message: nobody is told "not less than £0", types 0,
            # and is only then told that £0 will not do either.
            ("-5", "Enter an amount more than £0"),
            ("twelve", "Enter an amount in pounds, like 12.50"),
            ("12.555", "Enter an amount in pounds, like 12.50"),
            ("0", "Enter an amount more than £0"),
            ("", "Enter how much you spent"),
            ("11", "The most we pay for parking is £10 for each session"),
        ],
    )
    def test_bad_amounts_get_a_clear_error_and_nothing_is_saved(
        self, client, resident, claim, typed, message
    ):
        client.force_login(resident)

        response = client.post(
            reverse("payments:expense_add", args=[claim.pk]),
            {"category": "parking", "description": "Car park", "amount": typed},
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Add an expense" in html
        assert "govuk-error-summary" in html and message in html
        assert 'value="Car park"' in html  # what was typed is kept
        assert not ClaimLine.objects.filter(kind="expense").exists()
        claim.refresh_from_db()
        assert claim.expenses_pence == 0

    def test_a_missing_receipt_links_straight_to_the_upload_box(self, client, resident, claim):
        client.force_login(resident)
        client.post(
            reverse("payments:expense_add", args=[claim.pk]),
            {"category": "meals", "description": "Lunch", "amount": "6", "receipt_missing": "on"},
        )
        line = ClaimLine.objects.get(kind="expense")
        change = reverse("payments:expense_change", args=[claim.pk, line.pk])

        claim_page = client.get(claim.get_absolute_url()).content.decode()
        assert f'href="{change}#id_receipt"' in claim_page

        form_page = client.get(change).content.decode()
        assert 'id="id_receipt"' in form_page
        assert "add a receipt at the bottom of the page" in form_page
        assert "Add one expense at a time" not in form_page

    def test_an_expense_can_be_changed_and_removed(self, client, resident, claim):
        client.force_login(resident)
        client.post(
            reverse("payments:expense_add", args=[claim.pk]),
            {"category": "parking", "amount": "4"},
        )
        line = ClaimLine.objects.get(kind="expense")

        client.post(
            reverse("payments:expense_change", args=[claim.pk, line.pk]),
            {"category": "parking", "amount": "5.20"},
        )
        claim.refresh_from_db()
        assert claim.expenses_pence == 520

        client.post(reverse("payments:expense_remove", args=[claim.pk, line.pk]))
        claim.refresh_from_db()
        assert claim.expenses_pence == 0
        assert not ClaimLine.objects.filter(kind="expense").exists()

    def test_employed_people_must_confirm_it_was_not_their_paid_job(self, client, resident, claim):
        client.force_login(resident)

        response = _details(client, claim, employed_by_partner="yes")

        assert "Confirm that this activity was not part of your paid job" in (
            response.content.decode()
        )
        response = _details(client, claim, employed_by_partner="yes", not_part_of_paid_job="on")
        assert response.status_code == 302

    def test_the_benefits_warning_must_be_acknowledged_before_sending(
        self, client, resident, claim
    ):
        client.force_login(resident)
        _details(client, claim)
        url = reverse("payments:submit", args=[claim.pk])

        page = client.get(url).content.decode()
        assert "Being paid for taking part can affect your benefits and tax" in page
        assert "citizensadvice.org.uk" in page
        # The warning offers expenses without a fee: the way to choose it is beside it.
        details = reverse("payments:claim_details", args=[claim.pk])
        assert f'href="{details}">Change<span class="govuk-visually-hidden"> how to pay' in page

        response = client.post(url, {})
        assert "Confirm that you have read about benefits and tax" in response.content.decode()
        claim.refresh_from_db()
        assert claim.status == Claim.Status.DRAFT

        response = client.post(url, {"acknowledged": "on"})
        claim.refresh_from_db()
        assert response.status_code == 302
        assert claim.status == Claim.Status.SUBMITTED
        assert claim.benefits_acknowledged_at is not None

    def test_a_draft_is_saved_and_found_again_later(self, client, resident, claim):
        client.force_login(resident)
        _details(client, claim)
        client.logout()
        client.force_login(resident)

        html = client.get(reverse("payments:claims")).content.decode()
        assert claim.reference in html and "Not sent yet" in html
        detail = client.get(claim.get_absolute_url()).content.decode()
        assert "Bank transfer" in detail and "Continue to send" in detail

    def test_other_people_cannot_see_or_change_the_claim(
        self, client, claim, other_resident, staff
    ):
        urls = [
            reverse("payments:claim", args=[claim.pk]),
            reverse("payments:claim_details", args=[claim.pk]),
            reverse("payments:expense_add", args=[claim.pk]),
            reverse("payments:submit", args=[claim.pk]),
            reverse("payments:delete", args=[claim.pk]),
        ]
        for person in (other_resident, staff):
            client.force_login(person)
            for url in urls:
                assert client.get(url).status_code == 404, url
                assert client.post(url, {"acknowledged": "on"}).status_code == 404, url
        claim.refresh_from_db()
        assert claim.status == Claim.Status.DRAFT

    def test_commissioners_see_a_claim_but_cannot_edit_it(self, client, claim, commissioner):
        client.force_login(commissioner)

        assert client.get(claim.get_absolute_url()).status_code == 200
        assert client.get(reverse("payments:claim_details", args=[claim.pk])).status_code == 404

    def test_a_sent_claim_cannot_be_changed(self, client, resident, make_claim):
        claim = make_claim(resident)
        client.force_login(resident)

        response = client.post(
            reverse("payments:expense_add", args=[claim.pk]), {"category": "parking", "amount": "2"}
        )

        assert response.status_code == 302
        assert claim.lines.filter(category="parking").count() == 0

    def test_deleting_a_draft(self, client, resident, claim):
        client.force_login(resident)

        response = client.post(reverse("payments:delete", args=[claim.pk]))

        assert response["Location"] == reverse("payments:claims")
        assert not Claim.objects.exists()


class TestOnBehalf:
    def test_staff_find_the_person_and_claim_for_a_session_they_ran(
        self, client, staff, resident, policy
    ):
        opportunity = OpportunityFactory(created_by=staff, project=ProjectFactory(owner=staff))
        signup = SignUpFactory(resident=resident, opportunity=opportunity)
        client.force_login(staff)

        page = client.get(reverse("payments:on_behalf"), {"q": resident.email})
        assert signup.opportunity.title in page.content.decode()

        url = reverse("payments:start", args=[signup.pk])
        response = client.post(url, {})
        assert "Say how the person asked you to claim for them" in response.content.decode()
        client.post(url, {"on_behalf_note": "Phoned on Tuesday"})

        claim = Claim.objects.get()
        assert claim.claimant == resident and claim.started_by == staff
        _details(client, claim)
        client.post(reverse("payments:submit", args=[claim.pk]), {"acknowledged": "on"})
        claim.refresh_from_db()
        assert claim.status == Claim.Status.SUBMITTED and claim.submitted_by == staff
        detail = client.get(claim.get_absolute_url()).content.decode()
        assert "made this claim for" in detail and "Phoned on Tuesday" in detail

    def test_staff_cannot_claim_for_sessions_they_do_not_run(self, client, staff, resident, policy):
        signup = SignUpFactory(resident=resident)  # run by someone else
        client.force_login(staff)

        assert (
            client.post(
                reverse("payments:start", args=[signup.pk]), {"on_behalf_note": "x"}
            ).status_code
            == 404
        )

    def test_residents_cannot_use_the_on_behalf_page(self, client, resident):
        client.force_login(resident)

        assert client.get(reverse("payments:on_behalf")).status_code == 403


class TestReviewPages:
    def test_the_queue_lists_waiting_claims_with_age_and_flags(
        self, client, commissioner, make_claim, resident, time_machine
    ):
        time_machine.move_to("2026-01-05 10:00 +00:00", tick=False)
        old = make_claim(resident)
        time_machine.move_to("2026-01-20 10:00 +00:00", tick=False)
        nearing = make_claim(resident)
        time_machine.move_to("2026-02-10 10:00 +00:00", tick=False)
        fresh = make_claim(resident)
        client.force_login(commissioner)

        html = client.get(reverse("payments:review")).content.decode()

        assert (
            html.index(old.reference) < html.index(nearing.reference) < html.index(fresh.reference)
        )
        assert "36 days" in html and "Past target" in html
        assert "21 days" in html and "Nearing target" in html
        overdue = client.get(reverse("payments:review"), {"flag": "overdue"}).content.decode()
        assert old.reference in overdue and fresh.reference not in overdue
        nearing_page = client.get(reverse("payments:review"), {"flag": "nearing"}).content.decode()
        assert nearing.reference in nearing_page and old.reference not in nearing_page

    def test_the_queue_filters_by_project_and_status(
        self, client, commissioner, make_claim, resident
    ):
        one = make_claim(resident)
        two = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        client.force_login(commissioner)

        Project.objects.filter(pk=one.project_id).update(title="Carers' breaks review")
        Project.objects.filter(pk=two.project_id).update(title="Day services")

        # Part of the name, in any case, is enough.
        by_project = client.get(reverse("payments:review"), {"project": "CARERS", "status": "all"})
        assert one.reference in by_project.content.decode()
        assert two.reference not in by_project.content.decode()
        approved = client.get(reverse("payments:review"), {"status": "approved"}).content.decode()
        assert two.reference in approved and one.reference not in approved

    def test_the_project_filter_is_a_labelled_text_box_not_a_list_of_every_project(
        self, client, commissioner, make_claim, resident
    ):
        make_claim(resident)
        ProjectFactory(title="Library opening hours")  # no claims
        client.force_login(commissioner)

        html = client.get(reverse("payments:review"), {"project": "Carers"}).content.decode()

        assert '<label for="id_project" class="govuk-label">' in html
        assert '<input type="text" name="project" value="Carers"' in html
        assert "Library opening hours" not in html

    def test_bad_filter_values_do_not_break_the_queue(self, client, commissioner):
        client.force_login(commissioner)

        response = client.get(reverse("payments:review"), {"project": "x", "page": "999"})

        assert response.status_code == 200

    def test_only_commissioners_see_the_queue(self, client, resident, staff):
        for person in (resident, staff):
            client.force_login(person)
            assert client.get(reverse("payments:review")).status_code == 403

    def test_approve_return_and_reject_through_the_pages(
        self, client, commissioner, make_claim, resident
    ):
        client.force_login(commissioner)
        first, second, third = (make_claim(resident) for _ in range(3))

        client.post(reverse("payments:approve", args=[first.pk]))
        client.post(reverse("payments:return", args=[second.pk]), {"reason": "Add the ticket"})
        response = client.post(reverse("payments:reject", args=[third.pk]), {"reason": ""})
        assert "Enter the reason" in response.content.decode()
        client.post(reverse("payments:reject", args=[third.pk]), {"reason": "Duplicate"})

        statuses = dict(Claim.objects.values_list("pk", "status"))
        assert statuses == {first.pk: "approved", second.pk: "returned", third.pk: "rejected"}

    def test_a_superuser_cannot_approve_their_own_claim_through_the_page(
        self, client, admin_user, make_claim
    ):
        claim = make_claim(admin_user)
        client.force_login(admin_user)

        page = client.get(claim.get_absolute_url()).content.decode()
        assert "Approve claim" not in page

        response = client.post(reverse("payments:approve", args=[claim.pk]), follow=True)
        assert "You cannot approve, return or reject your own claim" in response.content.decode()
        claim.refresh_from_db()
        assert claim.status == Claim.Status.SUBMITTED

    def test_residents_cannot_approve(self, client, other_resident, make_claim, resident):
        claim = make_claim(resident)
        client.force_login(other_resident)

        assert client.post(reverse("payments:approve", args=[claim.pk])).status_code == 403
        claim.refresh_from_db()
        assert claim.status == Claim.Status.SUBMITTED

    def test_the_claim_page_shows_the_history_to_the_resident(
        self, client, commissioner, make_claim, resident
    ):
        claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
        client.force_login(resident)

        html = client.get(claim.get_absolute_url()).content.decode()

        assert "Needs changes" in html
        assert "What needs changing" in html and "Add a receipt" in html
        # In the words of their claim's status, not the approval workflow's.
        assert "We asked for changes" in html and str(commissioner) in html
        assert "Sent to us" in html and "Claim started" in html
        assert "Sent for approval" not in html and "Returned for changes" not in html

    def test_conflicts_are_declared_and_withdrawn_on_their_page(
        self, client, commissioner, resident, make_claim
    ):
        claim = make_claim(resident)
        client.force_login(commissioner)

        response = client.post(
            reverse("payments:conflicts"), {"email": resident.email, "reason": "My neighbour"}
        )
        assert response.status_code == 302
        page = client.get(claim.get_absolute_url()).content.decode()
        assert "declared a conflict of interest" in page and "Approve claim" not in page

        unknown = client.post(
            reverse("payments:conflicts"), {"email": "nobody@example.org", "reason": "x"}
        )
        assert "There is no one with that email address" in unknown.content.decode()

        conflict = commissioner.declared_conflicts.get()
        client.post(reverse("payments:withdraw_conflict", args=[conflict.pk]))
        assert "Approve claim" in client.get(claim.get_absolute_url()).content.decode()


def test_withdrawing_a_conflict_of_interest_is_on_the_audit_trail_with_who_did_it(
    client, commissioner, resident
):
    from auditlog.models import LogEntry

    conflict = services.declare_conflict(
        commissioner=commissioner, person=resident, reason="My neighbour"
    )
    client.force_login(commissioner)

    client.post(reverse("payments:withdraw_conflict", args=[conflict.pk]))
    client.post(reverse("payments:withdraw_conflict", args=[conflict.pk]))  # a double click

    conflict.refresh_from_db()
    assert conflict.withdrawn_at is not None
    entry = LogEntry.objects.get_for_object(conflict).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == commissioner
    assert "withdrawn_at" in entry.changes_dict


class TestBudgetOnTheReviewPage:
    """A commissioner deciding a claim sees its project's budget, as the budget report
    works it out. Each claim here is £44.60: a £40 fee and £4.60 bus fare."""

    @pytest.fixture
    def project(self):
        return ProjectFactory(title="Carers' breaks review", budget_pence=100_000)

    @pytest.fixture
    def claim_on(self, make_claim, commissioner):
        def claim_on(project, person, status=Claim.Status.SUBMITTED):
            signup = SignUpFactory(resident=person, opportunity=OpportunityFactory(project=project))
            return make_claim(person, status=status, reviewer=commissioner, signup=signup)

        return claim_on

    @pytest.fixture
    def waiting(self, project, claim_on, resident, other_resident):
        """One claim paid, one approved and not yet paid, and this one waiting."""
        claim_on(project, other_resident, Claim.Status.PAID)
        claim_on(project, other_resident, Claim.Status.APPROVED)
        return claim_on(project, resident)

    @staticmethod
    def _figures(page):
        rows = re.findall(
            r'<dt class="govuk-summary-list__key">([^<]+)</dt>\s*'
            r'<dd class="govuk-summary-list__value">([^<]+)</dd>',
            page,
        )
        wanted = ("Budget", "Already paid", "Approved but not yet paid", "Left before this claim")
        return {key: value for key, value in rows if key in wanted}

    def test_it_shows_the_budget_paid_approved_and_left(self, client, commissioner, waiting):
        client.force_login(commissioner)

        page = client.get(waiting.get_absolute_url()).text

        assert "Budget for Carers&#x27; breaks review" in page
        assert self._figures(page) == {
            "Budget": "£1,000",
            "Already paid": "£44.60",
            "Approved but not yet paid": "£44.60",
            "Left before this claim": "£910.80",
        }
        assert "over its budget" not in page
        assert "Approve claim" in page

    def test_the_figures_are_the_budget_reports(self, client, commissioner, waiting):
        client.force_login(commissioner)

        report = client.get(reverse("payments:report_budgets")).text

        for amount in ("£1,000", "£44.60", "£910.80"):
            assert amount in report

    @pytest.mark.parametrize(
        ("budget", "warned"),
        [
            (13_380, False),  # paid, approved and this claim use it exactly
            (13_379, True),
        ],
    )
    def test_it_warns_only_when_approving_would_go_over_the_budget(
        self, client, commissioner, project, waiting, budget, warned
    ):
        Project.objects.filter(pk=project.pk).update(budget_pence=budget)
        client.force_login(commissioner)

        page = client.get(waiting.get_absolute_url()).text

        warning = "Approving this claim would take the project £0.01 over its budget."
        assert (warning in page) is warned
        assert ("govuk-warning-text" in page) is warned

    def test_a_project_already_over_its_budget_says_so(
        self, client, commissioner, project, waiting
    ):
        Project.objects.filter(pk=project.pk).update(budget_pence=5_000)
        client.force_login(commissioner)

        page = client.get(waiting.get_absolute_url()).text

        assert self._figures(page)["Left before this claim"] == "Nothing: £39.20 over budget"
        assert (
            "The project is already over its budget. Approving this claim would take it "
            "£83.80 over." in page
        )

    def test_a_project_without_a_budget_shows_none(self, client, commissioner, project, waiting):
        Project.objects.filter(pk=project.pk).update(budget_pence=None)
        client.force_login(commissioner)

        page = client.get(waiting.get_absolute_url()).text

        assert "Budget for" not in page and "Already paid" not in page
        assert "Approve claim" in page

    def test_only_a_commissioner_who_can_decide_the_claim_sees_it(
        self, client, commissioner, resident, project, claim_on, waiting
    ):
        approved = claim_on(project, resident, Claim.Status.APPROVED)
        client.force_login(commissioner)
        # Already decided: nothing to weigh the budget against.
        assert "Budget for" not in client.get(approved.get_absolute_url()).text

        # The person who made the claim.
        client.force_login(resident)
        assert "Budget for" not in client.get(waiting.get_absolute_url()).text

        # A commissioner with a conflict of interest may not decide it.
        services.declare_conflict(commissioner=commissioner, person=resident, reason="Neighbour")
        client.force_login(commissioner)
        page = client.get(waiting.get_absolute_url()).text
        assert "declared a conflict of interest" in page and "Budget for" not in page

    def test_the_budget_costs_the_same_queries_however_many_claims_the_project_has(
        self, client, commissioner, project, claim_on, waiting, django_assert_max_num_queries
    ):
        from tests.factories import UserFactory

        client.force_login(commissioner)
        url = waiting.get_absolute_url()
        client.get(url)  # warm up: the session, content types
        with django_assert_max_num_queries(100) as few:
            client.get(url)

        people = [UserFactory(display_name=f"Person {n}") for n in range(4)]
        # Each payment run pays every approved claim, so the paid ones come first.
        for person in people:
            claim_on(project, person, Claim.Status.PAID)
        for person in people:
            claim_on(project, person, Claim.Status.APPROVED)

        with django_assert_max_num_queries(len(few)):
            page = client.get(url).text
        assert self._figures(page)["Already paid"] == "£267.60"  # 6 claims
        assert self._figures(page)["Approved but not yet paid"] == "£178.40"  # 4 claims


def test_commissioners_see_who_recorded_the_attendance_a_claim_rests_on(
    client, resident, staff, commissioner, make_claim
):
    from participation.models import SignUp

    claim = make_claim(resident)
    SignUp.objects.filter(pk=claim.signup_id).update(
        attendance_recorded_by=staff, attendance_recorded_at=timezone.now()
    )
    client.force_login(commissioner)
    review = client.get(claim.get_absolute_url()).content.decode()
    client.force_login(resident)
    own = client.get(claim.get_absolute_url()).content.decode()

    day = f"{timezone.localdate():%-d %B %Y}"
    assert f"Attended, recorded by Sam Staff on {day}" in review
    assert "recorded by Sam Staff" not in own  # the person sees their claim, not the register


def test_answers_copied_from_the_last_claim_say_so(client, resident):
    from tests.payments.factories import SignUpFactory, claim_in_state, make_policy

    make_policy()
    claim_in_state(resident)  # sent: bank transfer, not employed by a partner
    second = services.start_claim(SignUpFactory(resident=resident), by=resident)
    client.force_login(resident)
    url = reverse("payments:claim_details", args=[second.pk])

    page = client.get(url).content.decode()

    assert "We have filled in the answers from your last claim." in page
    assert 'value="bank_transfer" checked' in page
    _details(client, second)
    assert "We have filled in" not in client.get(url).content.decode()  # its own answers now


def test_a_first_claim_has_nothing_copied(client, resident, attended, policy):
    claim = services.start_claim(attended, by=resident)
    client.force_login(resident)
    page = client.get(reverse("payments:claim_details", args=[claim.pk])).content.decode()
    assert "We have filled in" not in page
