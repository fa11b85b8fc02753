"""What a claim or payment run in each status allows, asked of the model, and what the pages
show for it. The templates ask the model rather than comparing status names, so the rule
lives in one place and the services ask the same questions."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim

pytestmark = pytest.mark.django_db

S = Claim.Status


def _claim(make_claim, resident, commissioner, status, *, in_run=False):
    claim = make_claim(resident, status=status, reviewer=commissioner)
    if in_run:
        services.create_payment_run(by=commissioner)
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.parametrize(
    ("status", "in_run", "expected"),
    [
        # deleted, returned, waiting for payment, decided, corrected, waiting in a run, paid
        (S.DRAFT, False, (True, False, False, False, False, False, False)),
        (S.SUBMITTED, False, (False, False, True, True, False, False, False)),
        (S.RETURNED, False, (False, True, False, False, False, False, False)),
        (S.REJECTED, False, (False, False, False, False, False, False, False)),
        (S.APPROVED, False, (False, False, True, False, True, False, False)),
        (S.APPROVED, True, (False, False, True, False, False, True, False)),
        (S.PAID, False, (False, False, False, False, False, False, True)),
    ],
)
def test_each_claim_status_says_what_can_be_done_with_it(
    make_claim, resident, commissioner, status, in_run, expected
):
    claim = _claim(make_claim, resident, commissioner, status, in_run=in_run)

    assert (
        claim.can_be_deleted,
        claim.is_returned,
        claim.is_waiting_for_payment,
        claim.can_be_decided,
        claim.can_be_corrected,
        claim.is_waiting_in_payment_run,
        claim.is_paid,
    ) == expected


def test_only_a_returned_or_rejected_claim_shows_its_reason(make_claim, resident, commissioner):
    returned = make_claim(resident, status=S.RETURNED, reviewer=commissioner)
    assert returned.current_reason == "Add a receipt"

    sent_again = services.submit_claim(returned, by=resident, benefits_acknowledged=True)

    assert sent_again.reason == "Add a receipt"  # kept on the row
    assert sent_again.current_reason == ""


@pytest.mark.parametrize(
    ("status", "shown", "not_shown"),
    [
        (S.DRAFT, [">Continue to send</a>", "Delete this claim"], ["We aim to pay within"]),
        (S.SUBMITTED, ["We aim to pay within"], ["Delete this claim", "What needs changing"]),
        (
            S.RETURNED,
            ["What needs changing", ">Continue to send again</a>"],
            ["Delete this claim", "We aim to pay within"],
        ),
        (S.REJECTED, ["Why we cannot pay", "Not eligible"], ["We aim to pay within"]),
        (S.APPROVED, ["We aim to pay within"], ["Why we cannot pay", "Continue to send"]),
        (S.PAID, [], ["We aim to pay within", "Continue to send"]),
    ],
)
def test_the_person_claiming_sees_what_their_claims_status_means(
    client, make_claim, resident, commissioner, status, shown, not_shown
):
    claim = make_claim(resident, status=status, reviewer=commissioner)
    client.force_login(resident)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert all(text in page for text in shown), shown
    assert not any(text in page for text in not_shown), not_shown


def test_a_claim_sent_again_no_longer_shows_why_it_was_returned(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=S.RETURNED, reviewer=commissioner)
    services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    client.force_login(resident)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert "What needs changing" not in page
    assert "We aim to pay within" in page


@pytest.mark.parametrize(
    ("status", "in_run", "shown", "not_shown"),
    [
        (S.SUBMITTED, False, ["Approve claim", "Return for changes"], ["Correct the approved"]),
        (
            S.APPROVED,
            False,
            ["Correct the approved amount", "Withdraw the approval"],
            ["Approve claim"],
        ),
        (
            S.APPROVED,
            True,
            ["payment run</a> waiting to be confirmed"],
            ["Correct the approved amount", "Approve claim", "Withdraw the approval"],
        ),
        (
            S.PAID,
            False,
            ["record that the payment came back"],
            ["Correct the approved", "Withdraw the approval"],
        ),
        (S.RETURNED, False, ["Nothing to review: the claim is returned."], ["Approve claim"]),
    ],
)
def test_a_commissioner_is_offered_what_the_claims_status_allows(
    client, make_claim, resident, commissioner, status, in_run, shown, not_shown
):
    claim = _claim(make_claim, resident, commissioner, status, in_run=in_run)
    client.force_login(commissioner)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert all(text in page for text in shown), shown
    assert not any(text in page for text in not_shown), not_shown


def test_a_decided_claim_has_nothing_left_to_return_or_reject(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=S.APPROVED, reviewer=commissioner)
    client.force_login(commissioner)

    for name in ("payments:return", "payments:reject"):
        page = client.get(reverse(name, args=[claim.pk])).content.decode()
        assert "This claim is approved, so there is nothing to decide." in page
        assert '<form method="post"' not in page.split("<main", 1)[1]


@pytest.mark.parametrize(("status", "in_run"), [(S.SUBMITTED, False), (S.APPROVED, True)])
def test_only_an_approved_claim_outside_a_run_can_be_corrected(
    client, make_claim, resident, commissioner, status, in_run
):
    claim = _claim(make_claim, resident, commissioner, status, in_run=in_run)
    client.force_login(commissioner)

    page = client.get(reverse("payments:correct", args=[claim.pk])).content.decode()

    assert "Only approved claims that are not in a payment run can be corrected." in page
    assert "Save correction" not in page


def test_a_paid_claim_says_when_it_was_paid_in_the_persons_list(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident, status=S.PAID, reviewer=commissioner)
    client.force_login(resident)

    page = client.get(reverse("payments:claims")).content.decode()

    assert f'<span class="hub-meta">on {claim.paid_on:%-d %B %Y}</span>' in page


def test_each_payment_run_status_has_its_own_tag(client, make_claim, resident, commissioner):
    make_claim(resident, status=S.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)

    def tag(run):
        page = client.get(run.get_absolute_url()).content.decode()
        return re.search(r'<strong class="govuk-tag (govuk-tag--[\w-]+)">([^<]+)<', page).groups()

    assert tag(run) == ("govuk-tag--yellow", "Waiting for confirmation")
    services.cancel_payment_run(run, by=commissioner)
    assert tag(run) == ("govuk-tag--grey", "Cancelled")
    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert tag(run) == ("govuk-tag--green", "Paid")
    assert "confirmed by" in client.get(run.get_absolute_url()).content.decode()
    runs = client.get(reverse("payments:runs")).content.decode()
    assert re.findall(r'<strong class="govuk-tag (govuk-tag--[\w-]+)">', runs) == [
        "govuk-tag--green",
        "govuk-tag--grey",
    ]


@pytest.mark.parametrize("status", list(S))
def test_each_status_is_explained_to_the_person_and_to_commissioners_in_their_own_words(
    client, make_claim, resident, commissioner, status
):
    claim = _claim(make_claim, resident, commissioner, status)
    client.force_login(resident)
    theirs = client.get(claim.get_absolute_url()).text
    client.force_login(commissioner)
    reviewing = client.get(claim.get_absolute_url()).text

    # A refused claim's page shows its reason right there, so not the list's "the reason is
    # shown on the claim" (test_a_refused_claim_says_how_to_challenge_it).
    if status == S.REJECTED:
        assert "We cannot pay this claim." in theirs
    else:
        assert Claim.RESIDENT_STATUS[status][1] in theirs
    assert Claim.STAFF_STATUS[status] in reviewing
    assert Claim.RESIDENT_STATUS[status][1] not in reviewing


def test_a_refused_claim_says_how_to_challenge_it(client, make_claim, resident, commissioner):
    claim = _claim(make_claim, resident, commissioner, S.REJECTED)
    client.force_login(resident)

    page = client.get(claim.get_absolute_url()).text

    assert "The reason is shown on the claim" not in page
    assert page.count("Contact us if you think this is wrong") == 0
    assert (
        f"If you think this is wrong, call us on {settings.SUPPORT_PHONE} or email" in page
        and f"give the claim number {claim.reference}" in page
    )
    client.force_login(commissioner)
    assert "If you think this is wrong" not in client.get(claim.get_absolute_url()).text
