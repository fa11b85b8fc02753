"""The pages around a session's fee corrected after people claimed: the check staff see before
saving, and what commissioners see (the fee corrections list, approving a top-up, deciding an
overpayment, payment runs)."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity
from payments import services
from payments.models import Claim, ConflictOfInterest, FeeAdjustment, FeeRate
from tests.factories import UserFactory

from .test_fee_corrections import (
    FULL_DAY,
    HALF_DAY,
    approve_top_ups,
    claim_for,
    correct,
    fresh,
    half_day_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


def form_data(client, opportunity, **changes):
    """What the session's form sends as it stands, with `changes` typed over it."""
    form = client.get(reverse("participation:edit", args=[opportunity.pk])).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(field.widget, "decompress"):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else part
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data.update(changes)
    return data


def edit(client, opportunity, **changes):
    url = reverse("participation:edit", args=[opportunity.pk])
    return client.post(url, form_data(client, opportunity, **changes))


# --- Staff check what the new fee does before saving ----------------------------------------


def test_staff_see_how_many_claims_and_people_a_new_fee_affects_before_saving(
    client, session, staff, commissioner
):
    claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    claim_for(session, Claim.Status.REJECTED, reviewer=commissioner)
    client.force_login(staff)

    response = edit(client, session, fee_basis="full_day")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Check what the new fee does to claims" in page
    assert "makes its fee £90 for a full day instead of £50 for a half day" in page
    assert "3 claims for this session are affected, from 2 people" in page
    assert "1 claim not yet approved" in page
    assert "£40 more in all, for a commissioner to approve." in page
    assert "A commissioner must approve any extra fee" in page
    assert "1 claim rejected" in page
    assert "We tell 1 person what changes" in page
    # Nothing is saved until they say so.
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "half_day"
    assert not FeeAdjustment.objects.exists()


def test_saving_from_the_check_saves_the_session_and_updates_its_claims(
    client, session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    client.force_login(staff)
    check = edit(client, session, fee_basis="full_day")
    posted = dict(check.context["posted"])

    response = client.post(
        reverse("participation:edit", args=[session.pk]), {**posted, "send": "yes"}
    )

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "full_day"
    assert fresh(claim).fee_pence == FULL_DAY


def test_changing_from_the_check_goes_back_to_the_form_as_typed(
    client, session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    client.force_login(staff)
    posted = dict(edit(client, session, fee_basis="full_day").context["posted"])

    response = client.post(
        reverse("participation:edit", args=[session.pk]), {**posted, "change": "yes"}
    )

    assert response.status_code == 200
    assert response.context["form"]["fee_basis"].value() == "full_day"
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "half_day"
    assert fresh(claim).fee_pence == HALF_DAY


def test_staff_moving_a_session_to_a_day_with_another_rate_see_the_claims_move_with_it(
    client, session, staff, commissioner
):
    later = timezone.localdate(session.starts_at) + timedelta(days=1)
    FeeRate.objects.create(basis="half_day", amount_pence=6000, starts_on=later)
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    client.force_login(staff)

    check = edit(client, session, date_0=later.day, date_1=later.month, date_2=later.year)

    page = check.content.decode()
    assert "makes its fee £60 for a half day instead of £50 for a half day" in page
    assert f"The session is now on {later:%A %-d %B %Y}, so the claim for it" in page
    response = client.post(
        reverse("participation:edit", args=[session.pk]),
        {**dict(check.context["posted"]), "send": "yes"},
    )
    assert response.status_code == 302
    claim = fresh(claim)
    assert (claim.activity_date, claim.fee_pence) == (later, 6000)


def test_a_session_nobody_claimed_for_saves_without_a_check(client, session, staff):
    client.force_login(staff)

    response = edit(client, session, fee_basis="full_day")

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "full_day"


def test_other_changes_to_a_claimed_session_need_no_check(client, session, staff, commissioner):
    claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    client.force_login(staff)

    response = edit(client, session, capacity="12")

    assert response.status_code == 302


def test_a_fee_the_policy_has_no_rate_for_is_an_error_next_to_the_fee(
    client, session, staff, commissioner
):
    claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    FeeRate.objects.filter(basis="full_day").delete()
    client.force_login(staff)

    response = edit(client, session, fee_basis="full_day")

    assert response.status_code == 200
    assert "no full day fee rate" in str(response.context["form"].errors["fee_basis"])
    assert 'href="#id_fee_basis' in response.content.decode()  # in the error summary
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "half_day"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),  # runs the session (its project's owner)
        ("team_member", True),
        ("commissioner", True),
        ("other_staff", False),
        ("resident", False),
    ],
)
def test_only_staff_running_the_session_or_commissioners_may_correct_its_fee(
    client, session, staff, commissioner, other_staff, resident, team_member, who, allowed
):
    session.project.team.add(team_member)
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    people = {
        "owner": staff,
        "team_member": team_member,
        "commissioner": UserFactory(roles=["commissioner"]),
        "other_staff": other_staff,
        "resident": resident,
    }
    client.force_login(staff)
    data = form_data(client, session, fee_basis="full_day")
    client.force_login(people[who])

    check = client.post(reverse("participation:edit", args=[session.pk]), data)
    sent = client.post(reverse("participation:edit", args=[session.pk]), {**data, "send": "yes"})

    if allowed:
        assert check.status_code == 200
        assert sent.status_code == 302
        assert fresh(claim).fee_pence == FULL_DAY
    else:
        assert (check.status_code, sent.status_code) == (404, 404)
        assert fresh(claim).fee_pence == HALF_DAY


def test_the_check_costs_the_same_queries_for_3_claims_as_for_30(
    client, session, staff, commissioner
):
    def count():
        data = form_data(client, session, fee_basis="full_day")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("participation:edit", args=[session.pk]), data)
        assert response.status_code == 200
        return len(queries)

    for status in (Claim.Status.SUBMITTED, Claim.Status.PAID, Claim.Status.APPROVED):
        claim_for(session, status, reviewer=commissioner)
    client.force_login(staff)
    count()
    few = count()
    for index in range(27):
        status = [Claim.Status.SUBMITTED, Claim.Status.PAID, Claim.Status.DRAFT][index % 3]
        claim_for(session, status, reviewer=commissioner)
    client.force_login(staff)

    assert count() == few


# --- Commissioners: fee corrections, decisions, payment runs ---------------------------------


@pytest.fixture
def overpaid(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    return FeeAdjustment.objects.get(claim=claim)


def test_commissioners_see_overpayments_to_decide(client, overpaid, second_commissioner):
    client.force_login(second_commissioner)

    page = client.get(reverse("payments:fee_adjustments")).content.decode()

    assert "1 overpayment to decide" in page
    assert overpaid.claim.reference in page
    assert reverse("payments:decide_overpayment", args=[overpaid.pk]) in page
    queue = client.get(reverse("payments:review")).content.decode()
    assert "1 overpayment to decide" in queue


def test_a_commissioner_records_a_decision(client, overpaid, second_commissioner):
    client.force_login(second_commissioner)
    url = reverse("payments:decide_overpayment", args=[overpaid.pk])
    assert "Talk to the person before you ask for money back" in client.get(url).content.decode()

    response = client.post(url, {"outcome": "recover", "reason": "Paid for a half day twice."})

    assert response.status_code == 302
    overpaid.refresh_from_db()
    assert (overpaid.outcome, overpaid.closed_by) == ("recover", second_commissioner)
    # Decided: it has left the list, and its page says so.
    assert client.get(url).status_code == 302


def test_a_decision_without_a_reason_keeps_what_was_chosen_and_says_what_is_missing(
    client, overpaid, second_commissioner
):
    client.force_login(second_commissioner)
    url = reverse("payments:decide_overpayment", args=[overpaid.pk])

    response = client.post(url, {"outcome": "left", "reason": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the reason for your decision" in page
    assert 'value="left" checked' in page
    assert FeeAdjustment.objects.get(pk=overpaid.pk).is_open


def test_a_commissioner_with_a_conflict_sees_why_they_cannot_decide(
    client, overpaid, second_commissioner
):
    ConflictOfInterest.objects.create(
        commissioner=second_commissioner, person=overpaid.claim.claimant, reason="Neighbour"
    )
    client.force_login(second_commissioner)
    url = reverse("payments:decide_overpayment", args=[overpaid.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, {"outcome": "left", "reason": "Fine"})

    assert "declared a conflict of interest" in page
    assert "Record decision" not in page
    assert refused.status_code == 200
    assert FeeAdjustment.objects.get(pk=overpaid.pk).is_open


@pytest.mark.parametrize("who", ["staff", "resident", "other_resident"])
def test_only_commissioners_see_fee_corrections(client, overpaid, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("payments:fee_adjustments")).status_code == 403
    url = reverse("payments:decide_overpayment", args=[overpaid.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"outcome": "left", "reason": "x"}).status_code == 403
    assert FeeAdjustment.objects.get(pk=overpaid.pk).is_open


def test_the_fee_corrections_list_costs_the_same_queries_for_2_and_20(
    client, session, staff, commissioner, second_commissioner
):
    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("payments:fee_adjustments"), params).status_code == 200
        return len(queries)

    def add(number):
        for _ in range(number):
            claim_for(session, Claim.Status.PAID, reviewer=commissioner)
            claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
        # Up, then down: a top-up each, cancelled, then an overpayment each.
        FeeAdjustment.objects.all().delete()
        Opportunity.objects.filter(pk=session.pk).update(fee_basis="half_day")
        correct(session, by=staff, fee_basis=Opportunity.FeeBasis.FULL_DAY)
        correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    Opportunity.objects.filter(pk=session.pk).update(capacity=100)
    add(1)
    client.force_login(second_commissioner)
    count({})
    few = {show: count({"show": show}) for show in ("", "top_ups", "all")}
    add(9)

    assert {show: count({"show": show}) for show in ("", "top_ups", "all")} == few


def test_commissioners_see_top_ups_before_making_a_run_and_in_the_run(
    client, session, staff, commissioner
):
    paid = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    approved = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff)
    client.force_login(commissioner)

    runs = client.get(reverse("payments:runs")).content.decode()
    assert "2 top-ups (£80 in all) are waiting for a commissioner to approve them." in runs
    assert "No run pays them until then." in runs
    assert "top-up on claims already paid" not in runs
    assert "owed because staff corrected" not in runs

    approve_top_ups(by=commissioner)
    runs = client.get(reverse("payments:runs")).content.decode()

    assert "1 approved claim waiting to go in a run: £94.60." in runs
    assert "1 top-up on claims already paid waiting to go in a run: £40." in runs
    assert "2 approved top-ups (£80 in all) are owed because staff corrected" in runs
    assert "waiting for a commissioner to approve" not in runs
    assert "Make a payment run" in runs

    client.post(reverse("payments:runs"))
    run = fresh(paid).fee_adjustments.get().payment_run
    detail = client.get(run.get_absolute_url()).content.decode()
    assert "Top-up only" in detail
    assert "Includes a £40 top-up" in detail
    response = client.get(reverse("payments:run_csv", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    top_up = rows[0].index("Of which fee top-up (£)")
    by_claim = {row[1]: row for row in rows[1:]}
    assert by_claim[paid.reference][5:8] == ["40.00", "0.00", "40.00"]
    assert by_claim[paid.reference][top_up] == "40.00"
    assert by_claim[approved.reference][top_up] == "40.00"


def test_the_claim_page_shows_the_top_up_to_the_person_and_the_overpayment_to_commissioners(
    client, session, staff, commissioner, second_commissioner
):
    topped_up = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    client.force_login(topped_up.claimant)
    assert "Extra fee we owe you" not in client.get(topped_up.get_absolute_url()).content.decode()
    # Commissioners can go from the claim to approving its top-up.
    client.force_login(second_commissioner)
    top_up = FeeAdjustment.objects.get(claim=topped_up)
    page = client.get(topped_up.get_absolute_url()).content.decode()
    assert reverse("payments:decide_top_up", args=[top_up.pk]) in page
    approve_top_ups(by=second_commissioner)
    assert reverse("payments:decide_top_up", args=[top_up.pk]) not in (
        client.get(topped_up.get_absolute_url()).content.decode()
    )
    client.force_login(topped_up.claimant)

    page = client.get(topped_up.get_absolute_url()).content.decode()

    assert "Extra fee we owe you" in page
    assert "We will pay it with our next batch of payments." in page
    assert "Fee changed" in page  # its history, in the person's words

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    page = client.get(topped_up.get_absolute_url()).content.decode()
    assert "Extra fee we owe you" not in page  # cancelled, and nothing said of overpaying
    assert "Overpayment" not in page
    client.force_login(second_commissioner)
    page = client.get(topped_up.get_absolute_url()).content.decode()
    assert "Overpayment" in page
    overpayment = FeeAdjustment.objects.to_decide().get()
    assert reverse("payments:decide_overpayment", args=[overpayment.pk]) in page


def test_an_approved_claim_over_the_corrected_fee_points_to_correcting_it(
    client, session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.get(claim=claim)
    client.force_login(second_commissioner)

    page = client.get(reverse("payments:decide_overpayment", args=[overpayment.pk]))

    html = page.content.decode()
    assert reverse("payments:correct", args=[claim.pk]) in html
    assert 'value="recover"' not in html
    assert services.decision_choices(overpayment) == [("left", "Left as it is")]


# --- Commissioners approve or refuse top-ups --------------------------------------------------


@pytest.fixture
def to_approve(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    return FeeAdjustment.objects.get(claim=claim)


def test_commissioners_see_top_ups_to_approve_apart_from_those_for_the_next_run(
    client, session, staff, commissioner, second_commissioner
):
    first = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    second = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    services.approve_top_up(FeeAdjustment.objects.get(claim=first), by=commissioner)
    waiting = FeeAdjustment.objects.to_approve().get()
    assert waiting.claim == second
    client.force_login(second_commissioner)

    page = client.get(reverse("payments:fee_adjustments")).content.decode()

    assert "1 top-up to approve, and 0 overpayments to decide." in page
    assert "1 to approve or decide" in page
    assert reverse("payments:decide_top_up", args=[waiting.pk]) in page
    assert (
        f'Approve or refuse<span class="govuk-visually-hidden"> the top-up on {second.reference}'
        in page
    )
    assert first.reference not in page
    approved = client.get(reverse("payments:fee_adjustments"), {"show": "top_ups"})
    assert "1 top-up approved, not paid yet" in approved.content.decode()
    assert first.reference in approved.content.decode()
    queue = client.get(reverse("payments:review")).content.decode()
    assert "1 top-up to approve" in queue
    assert "1 top-up approved, for the next payment run" in queue


def test_a_commissioner_approves_a_top_up(client, to_approve, second_commissioner):
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[to_approve.pk])
    page = client.get(url).content.decode()
    assert "Approve a top-up" in page
    assert "Nothing more is owed until a commissioner approves it." in page

    response = client.post(url, {"decision": "approve", "reason": ""})

    assert response.status_code == 302
    to_approve.refresh_from_db()
    assert to_approve.approved_by == second_commissioner
    assert fresh(to_approve.claim).approved_fee_pence == FULL_DAY
    assert client.get(url).status_code == 302  # dealt with: back to the list
    listed = client.get(reverse("payments:fee_adjustments"), {"show": "all"}).content.decode()
    assert "Approved, for the next payment run" in listed
    assert f"by {second_commissioner}" in listed


def test_whoever_corrected_the_fee_is_told_another_commissioner_must_approve(
    client, session, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=second_commissioner)
    top_up = FeeAdjustment.objects.get(claim=claim)
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[top_up.pk])

    assert "another commissioner must approve the extra fee" in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "reason": ""})

    assert "another commissioner must approve the extra fee it means" in response.content.decode()
    assert FeeAdjustment.objects.get(pk=top_up.pk).approved_at is None


def test_refusing_a_top_up_without_a_reason_keeps_the_choice_and_says_what_is_missing(
    client, to_approve, second_commissioner
):
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[to_approve.pk])

    response = client.post(url, {"decision": "refuse", "reason": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why you are refusing the top-up" in page
    assert 'value="refuse" checked' in page
    assert FeeAdjustment.objects.get(pk=to_approve.pk).can_be_approved
    nothing = client.post(url, {})
    assert "Choose whether you approve the extra fee" in nothing.content.decode()


def test_a_commissioner_refuses_a_top_up_and_says_why(client, to_approve, second_commissioner):
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[to_approve.pk])

    response = client.post(url, {"decision": "refuse", "reason": "The register says a half day."})

    assert response.status_code == 302
    to_approve.refresh_from_db()
    assert (to_approve.outcome, to_approve.reason) == ("refused", "The register says a half day.")
    assert fresh(to_approve.claim).approved_fee_pence == HALF_DAY
    claim_page = client.get(to_approve.claim.get_absolute_url()).content.decode()
    assert "Refused: The register says a half day." in claim_page


@pytest.mark.parametrize("block", ["conflict", "own_claim"])
def test_a_commissioner_who_may_not_approve_the_claim_sees_why_and_cannot_approve_its_top_up(
    client, session, staff, commissioner, second_commissioner, block
):
    if block == "own_claim":
        claim = claim_for(
            session, Claim.Status.PAID, reviewer=commissioner, person=second_commissioner
        )
        expected = "You cannot approve, return or reject your own claim"
    else:
        claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
        ConflictOfInterest.objects.create(
            commissioner=second_commissioner, person=claim.claimant, reason="Neighbour"
        )
        expected = "declared a conflict of interest"
    correct(session, by=staff)
    top_up = FeeAdjustment.objects.get(claim=claim)
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[top_up.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, {"decision": "approve"})

    assert expected in page
    assert "Save decision" not in page
    assert refused.status_code == 200
    assert expected in refused.content.decode()
    assert FeeAdjustment.objects.get(pk=top_up.pk).can_be_approved
    assert fresh(claim).approved_fee_pence == HALF_DAY


@pytest.mark.parametrize("who", ["staff", "resident", "other_resident"])
def test_only_commissioners_approve_top_ups(client, to_approve, who, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse("payments:decide_top_up", args=[to_approve.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert FeeAdjustment.objects.get(pk=to_approve.pk).can_be_approved
    assert fresh(to_approve.claim).approved_fee_pence == HALF_DAY


def test_the_overpayment_page_sends_a_top_up_to_its_own_page(
    client, to_approve, second_commissioner
):
    client.force_login(second_commissioner)

    response = client.get(reverse("payments:decide_overpayment", args=[to_approve.pk]))

    assert response.status_code == 302
    assert response.url == reverse("payments:decide_top_up", args=[to_approve.pk])


def test_a_top_up_that_is_not_there_is_not_found(client, second_commissioner):
    client.force_login(second_commissioner)

    assert client.get(reverse("payments:decide_top_up", args=[999999])).status_code == 404


def test_the_list_costs_the_same_queries_with_top_ups_to_approve_and_approved(
    client, session, staff, commissioner, second_commissioner
):
    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("payments:fee_adjustments"), params).status_code == 200
        return len(queries)

    def add(number):
        """Each round: claims topped up and approved, then more with top-ups to approve."""
        Opportunity.objects.filter(pk=session.pk).update(fee_basis="half_day")
        for _ in range(number):
            claim_for(session, Claim.Status.PAID, reviewer=commissioner)
        correct(session, by=staff)
        approve_top_ups(by=UserFactory(roles=["commissioner"]))
        Opportunity.objects.filter(pk=session.pk).update(fee_basis="half_day")
        for _ in range(number):
            claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
        correct(session, by=staff)

    Opportunity.objects.filter(pk=session.pk).update(capacity=100)
    add(1)
    client.force_login(second_commissioner)
    count({})
    few = {show: count({"show": show}) for show in ("", "top_ups", "all")}
    add(9)

    assert FeeAdjustment.objects.to_approve().count() == 9
    assert {show: count({"show": show}) for show in ("", "top_ups", "all")} == few


def test_the_check_says_how_many_claims_over_the_new_fee_a_payment_run_is_paying(
    client, session, staff, commissioner
):
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    services.create_payment_run(by=commissioner)
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(staff)

    page = edit(client, session, fee_basis="per_activity").content.decode()

    assert "3 claims approved or paid more than the new fee" in page
    assert "2 of them are already in a payment run being paid" in page


def test_the_check_says_nothing_of_payment_runs_when_no_claim_is_in_one(
    client, session, staff, commissioner
):
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(staff)

    page = edit(client, session, fee_basis="per_activity").content.decode()

    assert "1 claim approved or paid more than the new fee" in page
    assert "already in a payment run" not in page
