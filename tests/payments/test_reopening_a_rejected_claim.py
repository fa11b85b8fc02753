"""A claim we decided not to pay (rejected, or its approval withdrawn) can be put right: a
commissioner other than whoever decided it reopens it with a reason, and it goes back to the
person to change and send again, as a returned claim does."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from coprod_hub.users.roles import Role
from notifications import services as notifications
from notifications.kinds import Category
from notifications.models import Message
from participation.models import SignUp
from payments import services
from payments.models import Claim, ClaimEvent, LedgerEntry
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "We can pay your bus fare if you add the ticket."


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Rhea Reviewer", roles=[Role.COMMISSIONER])


@pytest.fixture
def rejected(make_claim, resident, commissioner):
    return make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)


def _url(claim):
    return reverse("payments:reopen", args=[claim.pk])


def _page(client, claim) -> str:
    return " ".join(client.get(claim.get_absolute_url()).content.decode().split())


def test_another_commissioner_reopens_it_from_the_claim_page_and_the_person_can_send_it_again(
    client, rejected, resident, second_commissioner
):
    client.force_login(second_commissioner)
    assert f'href="{_url(rejected)}">Reopen this claim</a>' in _page(client, rejected)
    assert "Reopen claim" in client.get(_url(rejected)).content.decode()

    response = client.post(_url(rejected), {"reason": REASON})

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.RETURNED
    assert (rejected.reason, rejected.decided_by) == (REASON, second_commissioner)
    event = rejected.events.last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "rejected",
        "returned",
        second_commissioner,
        REASON,
    )
    assert "Reopened: returned for changes" in _page(client, rejected)
    # The person sees what to change, and can change and send it again.
    client.force_login(resident)
    page = _page(client, rejected)
    assert "Needs changes" in page and "We looked at it again" in page and REASON in page
    assert "Continue to send again" in page
    services.submit_claim(rejected, by=resident, benefits_acknowledged=True)
    assert Claim.objects.get(pk=rejected.pk).status == Claim.Status.SUBMITTED


def test_the_change_is_in_the_audit_trail_with_who_made_it(client, rejected, second_commissioner):
    client.force_login(second_commissioner)

    client.post(_url(rejected), {"reason": REASON})

    entry = LogEntry.objects.get_for_object(rejected).order_by("pk").last()
    assert entry.actor == second_commissioner
    assert entry.changes_dict["status"] == ["rejected", "returned"]


def test_the_person_is_told_even_if_they_stopped_claim_messages(
    rejected, resident, second_commissioner
):
    notifications.unsubscribe(resident.pk, Category.CLAIMS)

    services.reopen_claim(rejected, by=second_commissioner, reason=REASON)

    message = Message.objects.get(kind="claim_reopened", recipient=resident)
    assert message.status == Message.Status.PENDING
    assert message.subject == f"We have looked again at your claim {rejected.reference}"
    body = " ".join(message.body_text.split())
    assert "We have looked at it again. Now you can change it and send it to us again." in body
    assert REASON in body and rejected.get_absolute_url() in body


def test_whoever_rejected_it_cannot_reopen_it(client, rejected, commissioner):
    with pytest.raises(PaymentError, match="another commissioner must reopen it"):
        services.reopen_claim(rejected, by=commissioner, reason=REASON)

    client.force_login(commissioner)
    assert "You decided not to pay this claim" in _page(client, rejected)
    assert "Reopen claim" not in client.get(_url(rejected)).content.decode()
    client.post(_url(rejected), {"reason": REASON})
    assert Claim.objects.get(pk=rejected.pk).status == Claim.Status.REJECTED
    assert not Message.objects.filter(kind="claim_reopened").exists()


def test_nobody_reopens_their_own_claim(make_claim, commissioner, second_commissioner):
    own = make_claim(second_commissioner, status=Claim.Status.REJECTED, reviewer=commissioner)

    with pytest.raises(PaymentError, match="your own claim"):
        services.reopen_claim(own, by=second_commissioner, reason=REASON)


def test_only_commissioners_may_and_a_reason_is_needed(client, rejected, resident, staff):
    for person in (resident, staff):
        with pytest.raises(PaymentError, match="Only commissioners"):
            services.reopen_claim(rejected, by=person, reason=REASON)
        client.force_login(person)
        assert client.post(_url(rejected), {"reason": REASON}).status_code == 403
    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    with pytest.raises(PaymentError, match="Enter why"):
        services.reopen_claim(rejected, by=commissioner, reason="  ")
    client.force_login(commissioner)
    response = client.post(_url(rejected), {"reason": ""})
    assert "Enter the reason" in response.content.decode()
    assert Claim.objects.get(pk=rejected.pk).status == Claim.Status.REJECTED


@pytest.mark.parametrize("status", ["submitted", "returned", "approved", "paid"])
def test_only_a_claim_we_would_not_pay_can_be_reopened(
    client, make_claim, resident, commissioner, second_commissioner, status
):
    claim = make_claim(resident, status=status, reviewer=commissioner)

    with pytest.raises(PaymentError, match="cannot be reopened"):
        services.reopen_claim(claim, by=second_commissioner, reason=REASON)
    client.force_login(second_commissioner)
    assert "Reopen this claim" not in _page(client, claim)
    assert "so there is nothing to reopen" in client.get(_url(claim)).content.decode()


def test_a_claim_whose_approval_was_withdrawn_can_be_reopened_and_approved_again(
    make_claim, resident, commissioner, second_commissioner
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    services.withdraw_approval(claim, by=commissioner, reason="Looks like a duplicate")

    with pytest.raises(PaymentError, match="another commissioner must reopen it"):
        services.reopen_claim(claim, by=commissioner, reason=REASON)
    services.reopen_claim(claim, by=second_commissioner, reason="It was not a duplicate.")
    claim = services.submit_claim(
        Claim.objects.get(pk=claim.pk), by=resident, benefits_acknowledged=True
    )
    services.approve_claim(claim, by=commissioner)

    # Owed once: the first approval reversed, the new one standing.
    assert LedgerEntry.objects.owed().filter(person=resident).balance() == 4460
    assert Claim.objects.get(pk=claim.pk).approved_total_pence == 4460


def test_a_claim_the_register_no_longer_backs_is_not_reopened(rejected, second_commissioner):
    SignUp.objects.filter(pk=rejected.signup_id).update(attendance=SignUp.Attendance.NO_SHOW)

    with pytest.raises(PaymentError, match="register no longer shows this person attended"):
        services.reopen_claim(rejected, by=second_commissioner, reason=REASON)


def test_reopening_twice_says_it_was_done_already(rejected, second_commissioner):
    services.reopen_claim(rejected, by=second_commissioner, reason=REASON)

    with pytest.raises(PaymentError, match="is returned, so it cannot be reopened"):
        services.reopen_claim(rejected, by=second_commissioner, reason=REASON)
    assert ClaimEvent.objects.filter(claim=rejected, to_status="returned").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_commissioners_reopening_at_once_give_one_reopening(rejected, resident):
    first = UserFactory(roles=[Role.COMMISSIONER])
    second = UserFactory(roles=[Role.COMMISSIONER])

    _, errors = run_at_once(
        [
            lambda: services.reopen_claim(
                Claim.objects.get(pk=rejected.pk), by=first, reason=REASON
            ),
            lambda: services.reopen_claim(
                Claim.objects.get(pk=rejected.pk), by=second, reason=REASON
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert ClaimEvent.objects.filter(claim=rejected, from_status="rejected").count() == 1
    assert Message.objects.filter(kind="claim_reopened", recipient=resident).count() == 1
    assert Claim.objects.get(pk=rejected.pk).status == Claim.Status.RETURNED
