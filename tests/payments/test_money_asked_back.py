"""Asking for an overpayment back does something: the person is told once, kindly; money that
comes back is recorded in the ledger (so their tax-year totals and the project's spend go
down); commissioners can stop asking for the rest; and finance has a list of what is still to
come back."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.models import ClaimEvent, ConflictOfInterest, FeeAdjustment, LedgerEntry
from payments.querysets import budget_use_of
from payments.services import PaymentError
from payments.taxyear import tax_year_for
from tests.factories import UserFactory

from .test_fee_corrections import (
    BUS,
    HALF_DAY,
    PER_ACTIVITY,
    claim_for,
    correct,
    half_day_session,
    paid_out,
)

pytestmark = pytest.mark.django_db

OVERPAID = HALF_DAY - PER_ACTIVITY  # £25: a half day that was really one activity


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


@pytest.fixture
def overpaid(session, staff, commissioner):
    """A paid claim whose session's fee was corrected down: £25 paid over the fee."""
    from payments.models import Claim

    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    return FeeAdjustment.objects.get(claim=claim)


@pytest.fixture
def asked_back(overpaid, second_commissioner):
    services.decide_overpayment(
        overpaid, by=second_commissioner, outcome="recover", reason="Agreed on the phone."
    )
    return FeeAdjustment.objects.get(pk=overpaid.pk)


def told(kind, adjustment):
    return Message.objects.filter(kind=kind, recipient=adjustment.claim.claimant)


def fresh(adjustment):
    return FeeAdjustment.objects.get(pk=adjustment.pk)


def receive(adjustment, by, pence, on=None, **kwargs):
    return services.record_money_back(
        fresh(adjustment),
        by=by,
        amount_pence=pence,
        received_on=on or timezone.localdate(),
        **kwargs,
    )


# --- Asking for it back ---------------------------------------------------------------------


def test_asking_for_it_back_tells_the_person_once_how_much_why_and_that_they_can_wait(
    overpaid, second_commissioner
):
    claim = overpaid.claim
    entries = LedgerEntry.objects.count()

    services.decide_overpayment(
        overpaid, by=second_commissioner, outcome="recover", reason="Agreed on the phone."
    )

    message = told("claim_money_back_asked", overpaid).get()
    body = message.body_text
    assert "We are asking you to pay back £25" in body
    assert "We paid you £50" in body and "The fee for it is now £25" in body
    assert "You do not need to do anything yet" in body
    assert "how to pay it back" in body
    assert "If paying it back would be hard for you, please tell us" in body
    assert "Agreed on the phone" not in body  # the commissioner's reason is theirs
    event = claim.events.order_by("pk").last()
    assert message.event_key == f"claim-event:{event.pk}"
    assert event.summary == "Asked for money back"
    assert event.resident_summary == "We asked for money back"
    assert "We have asked you to pay back £25" in event.resident_note
    assert "You do not need to do anything until we contact you" in event.resident_note
    assert LedgerEntry.objects.count() == entries  # nothing has come back yet
    assert fresh(overpaid).state == "Asked back: nothing paid back yet"


def test_leaving_an_overpayment_tells_nobody(overpaid, second_commissioner):
    services.decide_overpayment(overpaid, by=second_commissioner, outcome="left", reason="Ours.")

    assert not Message.objects.filter(kind__startswith="claim_money_back").exists()


# --- Money received back --------------------------------------------------------------------


def test_money_received_back_comes_off_what_was_paid_on_the_day_it_came_back(
    asked_back, second_commissioner
):
    claim = asked_back.claim
    paid_before = paid_out(claim)
    spent_before = budget_use_of(claim.project_id).spent_pence
    # Recorded three days on, for money that came back the day after it was asked for.
    day = timezone.localdate() + timedelta(days=1)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        receive(asked_back, second_commissioner, 1000, on=day)

    entry = LedgerEntry.objects.get(claim=claim, kind=LedgerEntry.Kind.REPAYMENT)
    assert (entry.account, entry.component, entry.amount_pence) == ("paid", "fee", -1000)
    assert (entry.effective_on, entry.tax_year) == (day, tax_year_for(day))
    assert entry.created_by == second_commissioner
    assert paid_out(claim) == paid_before - 1000
    assert budget_use_of(claim.project_id).spent_pence == spent_before - 1000
    totals = {
        row["person"]: row
        for row in LedgerEntry.objects.tax_year_totals().filter(tax_year=entry.tax_year)
    }
    assert totals[claim.claimant_id]["fee"] == HALF_DAY - 1000
    adjustment = fresh(asked_back)
    assert (adjustment.recovered_pence, adjustment.still_asked_back_pence) == (1000, 1500)
    assert adjustment.repaid_on is None
    message = told("claim_money_back_received", asked_back).get()
    assert "We have received £10 from you" in message.body_text
    assert "Thank you" in message.body_text
    assert "There is £15 still to pay back" in message.body_text
    event = claim.events.order_by("pk").last()
    assert event.resident_summary == "Money paid back"
    assert "Thank you. £15 is still to pay back." in event.resident_note


def test_part_payments_add_up_and_the_last_one_marks_it_repaid(asked_back, second_commissioner):
    claim = asked_back.claim

    receive(asked_back, second_commissioner, 1000)
    receive(asked_back, second_commissioner, 1500)

    adjustment = fresh(asked_back)
    assert adjustment.is_repaid and adjustment.repaid_on == timezone.localdate()
    assert adjustment.still_asked_back_pence == 0 and not adjustment.can_take_money_back
    assert adjustment.state.startswith("Asked back: paid back in full on")
    assert paid_out(claim) == PER_ACTIVITY + BUS  # what the corrected fee should have paid
    messages = told("claim_money_back_received", asked_back).order_by("pk")
    assert messages.count() == 2
    assert "That is all of it paid back" in messages.last().body_text
    assert not FeeAdjustment.objects.asked_back().exists()
    with pytest.raises(PaymentError, match="Nothing is still asked back"):
        receive(asked_back, second_commissioner, 1)
    # The audit trail keeps each change to what came back.
    trail = LogEntry.objects.get_for_object(adjustment).order_by("pk")
    recovered = [
        e.changes_dict["recovered_pence"] for e in trail if "recovered_pence" in e.changes_dict
    ]
    assert recovered[-2:] == [[0, 1000], [1000, 2500]]


def test_money_back_is_never_more_than_is_still_owed_back(asked_back, second_commissioner):
    receive(asked_back, second_commissioner, 2000)

    with pytest.raises(PaymentError, match="cannot be more than the £5 still to pay back") as e:
        receive(asked_back, second_commissioner, 501)
    assert e.value.field == "amount"
    assert fresh(asked_back).recovered_pence == 2000


@pytest.mark.parametrize(
    "pence, day, problem",
    [
        (0, None, "more than £0"),
        (500, date.today() + timedelta(days=2), "cannot be in the future"),
        (500, date(2020, 1, 1), "cannot be before the session's fee was corrected"),
    ],
)
def test_bad_amounts_and_dates_are_refused_and_nothing_is_recorded(
    asked_back, second_commissioner, pence, day, problem
):
    with pytest.raises(PaymentError, match=problem):
        receive(asked_back, second_commissioner, pence, on=day)

    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REPAYMENT).exists()
    assert fresh(asked_back).recovered_pence == 0


def test_the_same_payment_recorded_from_a_page_shown_before_is_refused(
    asked_back, second_commissioner, commissioner
):
    # Both opened the page while £25 was still to come back; the first records £10.
    receive(asked_back, second_commissioner, 1000, still_asked_back_pence=OVERPAID)

    with pytest.raises(PaymentError, match="while you were filling this in"):
        receive(asked_back, commissioner, 1000, still_asked_back_pence=OVERPAID)
    assert fresh(asked_back).recovered_pence == 1000
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REPAYMENT).count() == 1


def test_who_may_not_decide_the_claim_may_not_record_money_back(
    asked_back, second_commissioner, staff
):
    ConflictOfInterest.objects.create(
        commissioner=second_commissioner, person=asked_back.claim.claimant, reason="Neighbour"
    )

    with pytest.raises(PaymentError, match="conflict of interest"):
        receive(asked_back, second_commissioner, 500)
    with pytest.raises(PaymentError, match="conflict of interest"):
        services.stop_asking_for_money_back(fresh(asked_back), by=second_commissioner, reason="x")
    with pytest.raises(PaymentError, match="Only commissioners"):
        receive(asked_back, staff, 500)


def test_money_received_counts_in_the_tax_year_it_came_back(client, policy, staff, commissioner):
    """Paid on 3 April, asked back, and £10 back on 7 April: the year it was paid in keeps
    what was paid, and the new year has £10 less."""
    from payments.models import Claim

    london = ZoneInfo("Europe/London")
    second = UserFactory(roles=["commissioner"])
    with time_machine.travel(datetime(2026, 4, 3, 12, tzinfo=london)):
        session = half_day_session(staff)
        claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
        correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
        overpayment = FeeAdjustment.objects.get(claim=claim)
        services.decide_overpayment(overpayment, by=second, outcome="recover", reason="Asked")
    with time_machine.travel(datetime(2026, 4, 7, 12, tzinfo=london)):
        receive(overpayment, second, 1000, on=date(2026, 4, 7))

    totals = {
        row["tax_year"]: row["total"]
        for row in LedgerEntry.objects.tax_year_totals().filter(person=claim.claimant)
    }
    assert totals == {2025: HALF_DAY + BUS, 2026: -1000}
    # The person's own page says what the minus sign means.
    client.force_login(claim.claimant)
    page = client.get(reverse("payments:claims")).content.decode()
    assert "-£10" in page
    assert "A minus sign means you paid us back more that tax year than we paid you." in page


# --- Stopping asking ------------------------------------------------------------------------


def test_stopping_asking_says_why_and_tells_the_person_they_need_not_pay_the_rest(
    asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, 1000)
    entries = LedgerEntry.objects.count()

    services.stop_asking_for_money_back(
        fresh(asked_back), by=second_commissioner, reason="They are on Carer's Allowance."
    )

    adjustment = fresh(asked_back)
    assert adjustment.stop_reason == "They are on Carer's Allowance."
    assert adjustment.stopped_asking_by == second_commissioner
    assert (adjustment.still_asked_back_pence, adjustment.not_asked_for_pence) == (0, 1500)
    assert adjustment.state == "Asked back: £10 paid back; we stopped asking for the other £15"
    assert LedgerEntry.objects.count() == entries  # the rest stays paid to them
    message = told("claim_money_back_stopped", asked_back).get()
    assert "You do not need to pay back the £15 still to pay" in message.body_text
    assert "Carer's Allowance" not in message.body_text
    event = adjustment.claim.events.order_by("pk").last()
    assert event.resident_summary == "No need to pay the rest back"
    assert "Carer's Allowance" not in event.note
    assert not FeeAdjustment.objects.asked_back().exists()
    with pytest.raises(PaymentError, match="Nothing is still asked back"):
        services.stop_asking_for_money_back(adjustment, by=second_commissioner, reason="Again")


def test_stopping_asking_needs_a_reason(asked_back, second_commissioner):
    with pytest.raises(PaymentError, match="Enter why"):
        services.stop_asking_for_money_back(fresh(asked_back), by=second_commissioner, reason=" ")
    assert fresh(asked_back).can_take_money_back


# --- Pages ----------------------------------------------------------------------------------


def test_recording_money_back_on_the_page(client, asked_back, second_commissioner):
    client.force_login(second_commissioner)
    url = reverse("payments:record_money_back", args=[asked_back.pk])
    today = timezone.localdate()

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["amount"].value() == OVERPAID

    response = client.post(
        url,
        {
            "amount": "10",
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "still_asked_back": OVERPAID,
        },
    )

    assert response.status_code == 302
    assert response.url == asked_back.claim.get_absolute_url()
    assert fresh(asked_back).recovered_pence == 1000
    claim_page = client.get(response.url).content.decode()
    assert "£10 paid back, £15 still to come" in claim_page


def test_too_much_money_back_shows_the_error_and_keeps_what_was_typed(
    client, asked_back, second_commissioner
):
    client.force_login(second_commissioner)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("payments:record_money_back", args=[asked_back.pk]),
        {
            "amount": "30.50",
            "received_on_0": tomorrow.day,
            "received_on_1": tomorrow.month,
            "received_on_2": tomorrow.year,
            "still_asked_back": OVERPAID,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "The date received cannot be in the future" in html
    assert 'value="30.50"' in html

    response = client.post(
        reverse("payments:record_money_back", args=[asked_back.pk]),
        {
            "amount": "30.50",
            "received_on_0": "1",
            "received_on_1": "1",
            "received_on_2": timezone.localdate().year,
            "still_asked_back": OVERPAID,
        },
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "cannot be more than the £25 still to pay back" in html
    assert 'value="30.50"' in html
    assert fresh(asked_back).recovered_pence == 0


def test_stopping_asking_on_the_page_needs_a_reason(client, asked_back, second_commissioner):
    client.force_login(second_commissioner)
    url = reverse("payments:stop_asking", args=[asked_back.pk])

    empty = client.post(url, {"reason": ""}).content.decode()
    assert "govuk-error-summary" in empty and "Enter why you are no longer asking" in empty

    response = client.post(url, {"reason": "It would be hard for them."})
    assert response.status_code == 302
    assert fresh(asked_back).stopped_asking_at is not None
    # Nothing left to ask for: the pages send people back to the claim.
    assert client.get(url).status_code == 302


def test_the_person_sees_what_we_asked_back_on_their_claim(client, asked_back, second_commissioner):
    receive(asked_back, second_commissioner, 1000)
    client.force_login(asked_back.claim.claimant)

    page = client.get(asked_back.claim.get_absolute_url()).content.decode()

    assert "Money we asked you to pay back" in page
    assert "£10 paid back, £15 still to come" in page
    assert "You do not need to do anything until we contact you" in page
    assert "Agreed on the phone" not in page  # the commissioner's reason
    assert reverse("payments:record_money_back", args=[asked_back.pk]) not in page


def test_commissioners_list_money_still_to_come_back_in_a_constant_number_of_queries(
    client, session, staff, commissioner, second_commissioner, django_assert_max_num_queries
):
    from payments.models import Claim

    claims = [claim_for(session, Claim.Status.PAID, reviewer=commissioner) for _ in range(3)]
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    for claim in claims:
        services.decide_overpayment(
            FeeAdjustment.objects.get(claim=claim),
            by=second_commissioner,
            outcome="recover",
            reason="Asked",
        )
    receive(FeeAdjustment.objects.get(claim=claims[0]), second_commissioner, OVERPAID)
    receive(FeeAdjustment.objects.get(claim=claims[1]), second_commissioner, 1000)
    client.force_login(commissioner)
    url = reverse("payments:money_asked_back")

    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(5):
        claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
        FeeAdjustment.objects.create(
            claim=claim,
            kind=FeeAdjustment.Kind.OVERPAYMENT,
            amount_pence=OVERPAID,
            fee_before_pence=HALF_DAY,
            fee_after_pence=PER_ACTIVITY,
            what_changed="Corrected",
            created_by=staff,
            outcome=FeeAdjustment.Outcome.RECOVER,
            closed_at=timezone.now(),
            closed_by=second_commissioner,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    page = response.content.decode()
    assert response.context["page_obj"].paginator.count == 7  # the repaid one is not listed
    assert "£165 still to come back" in page  # £15 and six of £25
    assert claims[0].reference not in page
    assert claims[1].reference in page
    # Commissioners reach it from the payments pages' navigation.
    reports = client.get(reverse("payments:reports")).content.decode()
    assert url in reports


def test_residents_and_staff_cannot_see_the_list(client, resident, staff):
    for person in (resident, staff):
        client.force_login(person)
        assert client.get(reverse("payments:money_asked_back")).status_code == 403


def test_the_ledger_explains_money_paid_back(client, asked_back, second_commissioner):
    receive(asked_back, second_commissioner, 1000)
    client.force_login(second_commissioner)

    page = client.get(reverse("payments:ledger")).content.decode()

    assert "Money paid back" in page


def test_the_history_words_for_money_back_are_not_mistaken_for_other_changes():
    event = ClaimEvent(from_status="paid", to_status="paid", note="We have received £5 you ...")
    assert (event.summary, event.is_fee_corrected) == ("Money paid back", False)


# --- The session's fee corrected again -------------------------------------------------------


def test_correcting_the_fee_back_stops_asking_and_tells_the_person(
    session, staff, asked_back, second_commissioner
):
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    adjustment = fresh(asked_back)
    assert adjustment.stopped_asking_at is not None and not adjustment.can_take_money_back
    assert adjustment.stop_reason == "The session's fee was corrected again."
    assert (
        "You do not need to pay back the £25"
        in told("claim_money_back_stopped", adjustment).get().body_text
    )
    assert not told("claim_top_up", adjustment).exists()
    assert not FeeAdjustment.objects.to_decide().exists()  # paid as the fee now says


def test_a_further_correction_down_asks_only_about_what_the_person_still_has(
    session, staff, asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, OVERPAID)  # all £25 back: they have £25 now
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.NONE)

    new = FeeAdjustment.objects.to_decide().get(claim=asked_back.claim)
    assert (new.fee_before_pence, new.fee_after_pence, new.amount_pence) == (
        PER_ACTIVITY,
        0,
        PER_ACTIVITY,
    )
    assert fresh(asked_back).is_repaid  # what came back stays recorded


def test_an_account_is_not_erased_while_we_still_ask_for_money_back(
    client, asked_back, second_commissioner
):
    from coprod_hub.users import privacy as account_privacy
    from tests.factories import PASSWORD

    person = asked_back.claim.claimant
    receive(asked_back, second_commissioner, 1000)
    client.force_login(person)
    data = {"password": PASSWORD, "confirm": "on"}

    page = client.get(reverse("my_data_erase")).content.decode()
    refused = client.post(reverse("my_data_erase"), data)

    assert "We asked you to pay back £15. Call us on" in page
    assert "We asked you to pay back £15" in refused.content.decode()
    person.refresh_from_db()
    assert person.is_active
    (reason,) = account_privacy.erasure_blockers(person)
    assert reason.to_admin == (
        "we are still asking them to pay back £15. Record the money received, or stop "
        "asking for it, first"
    )

    services.stop_asking_for_money_back(
        fresh(asked_back), by=second_commissioner, reason="Hardship."
    )

    assert client.post(reverse("my_data_erase"), data).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
