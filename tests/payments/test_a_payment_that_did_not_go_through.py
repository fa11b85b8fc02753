"""A claim finance could not pay: the person sees why at the top of their claim, and what to
do, in their own words; staff keep the payment run's reference."""

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Message
from participation.models import Profile
from payments import services
from payments.models import Claim, ClaimEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_paid(make_claim, resident, commissioner):
    """An approved claim taken out of its payment run: the bank account was closed."""
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    services.take_out_of_run(run, claim, by=commissioner, reason="Bank account closed")
    return Claim.objects.get(pk=claim.pk)


def _page(client, user, claim) -> str:
    client.force_login(user)
    return client.get(claim.get_absolute_url()).content.decode()


def test_the_person_is_told_at_the_top_of_their_claim_that_it_was_not_paid_and_why(
    client, resident, not_paid
):
    html = _page(client, resident, not_paid)

    banner = html.index("We tried to pay this claim, but the payment did not go through")
    assert banner < html.index("<h1")
    assert "What happened: Bank account closed." in html
    assert "If your bank details have changed" in html
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in html and settings.SUPPORT_PHONE in html


def test_the_person_never_sees_the_payment_run_or_its_reference(client, resident, not_paid):
    html = _page(client, resident, not_paid)

    assert "PR-" not in html
    assert "payment run" not in html.lower()
    # The history still says what happened, as a sentence.
    assert "Payment did not go through" in html
    assert "Bank account closed It will go" not in html


def test_staff_still_see_which_run_it_was_taken_out_of(client, commissioner, not_paid):
    run = not_paid.run_items.get().run

    html = _page(client, commissioner, not_paid)

    assert f"Not paid in {run.reference}: Bank account closed. It will go in the next" in html
    assert "We tried to pay this claim" not in html  # the banner speaks to the person


def test_the_note_ends_the_reason_with_one_full_stop(make_claim, resident, commissioner):
    asked = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    stopped = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)

    services.take_out_of_run(run, asked, by=commissioner, reason="Is the account closed?")
    services.take_out_of_run(run, stopped, by=commissioner, reason="The bank returned it.")

    assert asked.events.latest("pk").note == (
        f"Not paid in {run.reference}: Is the account closed? It will go in the next payment run."
    )
    assert stopped.events.latest("pk").resident_note == "The bank returned it."


def test_a_note_written_before_the_full_stop_fix_still_reads_as_a_sentence(not_paid):
    event = ClaimEvent(
        claim=not_paid,
        from_status=Claim.Status.APPROVED,
        to_status=Claim.Status.APPROVED,
        note="Not paid in PR-0002: Bank account closed It will go in the next payment run.",
    )

    assert event.summary == "Payment did not go through"
    assert event.resident_note == "Bank account closed."


def test_the_email_gives_the_reason_without_the_run_and_asks_for_bank_details(not_paid):
    message = Message.objects.get(kind="claim_not_paid")

    assert "PR-" not in message.body_text and "PR-" not in message.subject
    assert "payment run" not in message.body_text
    assert "What happened:\nBank account closed.\n" in message.body_text
    assert "If your bank details have changed" in message.body_text
    assert "with our next batch of payments" in message.body_text


def test_someone_paid_in_vouchers_is_asked_about_their_address_not_their_bank(
    make_claim, resident, commissioner
):
    Profile.objects.create(user=resident, format="easy_read")
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    Claim.objects.filter(pk=claim.pk).update(payment_method=Claim.PaymentMethod.VOUCHER)
    run = services.create_payment_run(by=commissioner)

    services.take_out_of_run(run, claim, by=commissioner, reason="Voucher returned by post")

    told = Message.objects.get(kind="claim_not_paid").body_text
    assert "Has your address or email address changed?" in told  # the easy read version
    assert "bank" not in told and "PR-" not in told


@pytest.mark.parametrize("then", ["put in the next run", "paid"])
def test_the_warning_goes_once_the_claim_is_tried_again(
    client, resident, commissioner, not_paid, then
):
    run = services.create_payment_run(by=commissioner)
    if then == "paid":
        services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    html = _page(client, resident, not_paid)

    assert "the payment did not go through" not in html
    assert "PR-" not in html  # "Paid in PR-…" is for staff too


def test_a_cancelled_run_is_not_a_payment_that_failed(client, make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    services.cancel_payment_run(services.create_payment_run(by=commissioner), by=commissioner)

    assert claim.failed_payment() is None
    assert "the payment did not go through" not in _page(client, resident, claim)


def test_a_cancelled_run_after_a_failed_payment_keeps_the_warning(
    client, resident, commissioner, not_paid
):
    services.cancel_payment_run(services.create_payment_run(by=commissioner), by=commissioner)

    assert "What happened: Bank account closed." in _page(client, resident, not_paid)
