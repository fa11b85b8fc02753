"""What residents read about their claims uses their words, not the staff workflow's: no
"payment run", no "sent for approval", and one name for a claim not sent yet."""

import pytest
from django.urls import reverse

from notifications.models import Message
from payments import services
from payments.models import Claim

pytestmark = pytest.mark.django_db


def test_an_approved_claim_says_when_we_pay_it_in_plain_words(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(resident)

    for url in (claim.get_absolute_url(), reverse("payments:claims")):
        html = client.get(url).content.decode()
        assert "We will pay it with our next batch of payments." in html, url
        assert "payment run" not in html.lower(), url


def test_the_approved_email_says_when_we_pay_without_staff_words(
    make_claim, resident, commissioner
):
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)

    told = Message.objects.get(kind="claim_approved").body_text

    assert "payment run" not in told
    assert "We will pay it with our next batch of payments" in told
    assert "We aim to pay within 28 days of getting a claim." in told  # the policy's target


def test_the_corrected_email_says_when_we_pay_without_staff_words(
    make_claim, resident, commissioner
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)

    services.correct_claim(
        claim, by=commissioner, fee_pence=4000, expenses_pence=420, reason="Ticket was £4.20"
    )

    told = Message.objects.get(kind="claim_corrected").body_text
    assert "payment run" not in told
    assert "We will pay it with our next batch of payments." in told


def test_the_history_a_resident_sees_uses_the_words_of_their_status(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)
    client.force_login(resident)

    html = client.get(claim.get_absolute_url()).content.decode()

    assert "Sent to us" in html and "Sent for approval" not in html
    assert "Not approved" in html and "Rejected" not in html


def test_staff_see_the_history_in_workflow_words(client, make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    services.correct_claim(
        claim, by=commissioner, fee_pence=4000, expenses_pence=420, reason="Ticket was £4.20"
    )
    client.force_login(commissioner)

    html = client.get(claim.get_absolute_url()).content.decode()

    assert "Sent for approval" in html and "Claim corrected" in html


def test_a_corrected_amount_reads_as_a_change_to_the_person(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    services.correct_claim(
        claim, by=commissioner, fee_pence=4000, expenses_pence=420, reason="Ticket was £4.20"
    )
    client.force_login(resident)

    html = client.get(claim.get_absolute_url()).content.decode()

    assert "Amount changed" in html and "Claim corrected" not in html
    assert "Ticket was £4.20" in html


def test_a_claim_not_sent_yet_is_deleted_as_a_claim_not_a_draft(client, attended, resident):
    claim = services.start_claim(attended, by=resident)
    client.force_login(resident)

    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Not sent yet" in page and "Delete this claim" in page
    assert "draft" not in page.lower()

    confirm = client.get(reverse("payments:delete", args=[claim.pk])).content.decode()
    assert "Delete this claim?" in confirm and "This claim has not been sent yet." in confirm
    assert "draft" not in confirm.lower()

    deleted = client.post(reverse("payments:delete", args=[claim.pk]), follow=True)
    assert "Claim deleted." in deleted.content.decode()
    assert not Claim.objects.exists()
