"""A sent claim that no commissioner may decide: sending it and declaring the conflict of
interest that causes it both go through, the administrators are told once, and the claim's page,
the review queue and the conflicts page say so."""

from itertools import product

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.users.roles import Role
from coprod_hub.users.services import grant_role
from notifications.models import Message
from payments import services
from payments.models import Claim, ConflictOfInterest
from payments.services import deciders
from tests.factories import UserFactory

from .factories import SignUpFactory, claim_in_state

pytestmark = pytest.mark.django_db

NOBODY = "No commissioner may decide this claim"


def _told(person=None):
    told = Message.objects.filter(kind=deciders.KIND)
    return told.filter(recipient=person) if person is not None else told


def _sent_for(person, *, by, on_commit):
    """`by` starts and sends a claim for `person`, as staff helping someone would."""
    signup = SignUpFactory(resident=person)
    claim = services.start_claim(signup, by=by, on_behalf_note="They asked me on the phone")
    services.update_claim_details(
        claim,
        by=by,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    with on_commit(execute=True):
        return services.submit_claim(
            Claim.objects.get(pk=claim.pk), by=by, benefits_acknowledged=True
        )


def _send(person, on_commit):
    claim = claim_in_state(person, status=Claim.Status.DRAFT)
    with on_commit(execute=True):
        return services.submit_claim(claim, by=person, benefits_acknowledged=True)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=[Role.COMMISSIONER])


# Sending a claim.


def test_the_only_commissioner_sends_their_own_claim_and_the_admins_hear(
    policy, commissioner, admin_user, django_capture_on_commit_callbacks
):
    claim = _send(commissioner, django_capture_on_commit_callbacks)

    assert claim.status == Claim.Status.SUBMITTED
    message = _told(admin_user).get()
    assert message.subject == f"No commissioner may decide claim {claim.reference}"
    assert claim.reference in message.body_text
    assert reverse("payments:claim", args=[claim.pk]) in message.body_text
    assert "give the commissioner role to someone who may decide it" in message.body_text
    # Told to administrators only: the commissioner cannot act on it.
    assert not _told(commissioner).exists()


def test_a_claim_sent_for_someone_the_only_other_commissioner_has_a_conflict_with(
    policy,
    commissioner,
    second_commissioner,
    resident,
    admin_user,
    django_capture_on_commit_callbacks,
):
    ConflictOfInterest.objects.create(
        commissioner=second_commissioner, person=resident, reason="My sister"
    )

    claim = _sent_for(resident, by=commissioner, on_commit=django_capture_on_commit_callbacks)

    assert claim.status == Claim.Status.SUBMITTED
    assert claim.reference in _told(admin_user).get().body_text


def test_nobody_hears_when_another_commissioner_may_decide(
    policy, commissioner, second_commissioner, admin_user, django_capture_on_commit_callbacks
):
    _send(commissioner, django_capture_on_commit_callbacks)

    assert not _told().exists()


def test_every_admin_hears_once_and_an_account_closed_does_not(
    policy, commissioner, admin_user, django_capture_on_commit_callbacks
):
    other_admin = UserFactory(roles=[], is_superuser=True, is_staff=True)
    UserFactory(roles=[], is_superuser=True, is_active=False)

    claim = _send(commissioner, django_capture_on_commit_callbacks)
    again = deciders.tell_administrators(Claim.objects.filter(pk=claim.pk))

    assert again == 0
    assert sorted(_told().values_list("recipient_id", flat=True)) == sorted(
        [admin_user.pk, other_admin.pk]
    )


def test_a_claim_returned_and_sent_again_is_news_again(
    policy, commissioner, resident, admin_user, django_capture_on_commit_callbacks
):
    claim = _send(commissioner, django_capture_on_commit_callbacks)
    # An admin decides it (they may), and returns it: the commissioner sends it again.
    services.return_claim(claim, by=admin_user, reason="Add the bus ticket")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_claim(
            Claim.objects.get(pk=claim.pk), by=commissioner, benefits_acknowledged=True
        )

    assert _told(admin_user).count() == 2


# Declaring a conflict of interest.


def test_the_conflict_that_leaves_nobody_is_declared_and_the_admins_hear_once(
    policy,
    commissioner,
    second_commissioner,
    resident,
    admin_user,
    django_capture_on_commit_callbacks,
):
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Friend")
    first, second = (claim_in_state(resident) for _ in range(2))
    decided = claim_in_state(resident, status=Claim.Status.APPROVED, reviewer=second_commissioner)

    with django_capture_on_commit_callbacks(execute=True):
        conflict = services.declare_conflict(
            commissioner=second_commissioner, person=resident, reason="My neighbour"
        )

    assert conflict.pk and conflict.withdrawn_at is None
    message = _told(admin_user).get()
    assert message.subject == "No commissioner may decide 2 claims"
    assert first.reference in message.body_text and second.reference in message.body_text
    assert decided.reference not in message.body_text
    assert deciders.tell_administrators(Claim.objects.filter(claimant=resident)) == 0
    assert _told().count() == 1


def test_a_conflict_from_whoever_sent_the_claim_tells_nothing_new(
    policy, commissioner, resident, admin_user, django_capture_on_commit_callbacks
):
    claim = _sent_for(resident, by=commissioner, on_commit=django_capture_on_commit_callbacks)
    assert _told().count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.declare_conflict(commissioner=commissioner, person=resident, reason="Cousin")

    assert _told().count() == 1
    assert Claim.objects.no_commissioner_may_decide().get() == claim


def test_a_new_commissioner_who_then_declares_a_conflict_is_news_again(
    policy, commissioner, resident, admin_user, django_capture_on_commit_callbacks
):
    _sent_for(resident, by=commissioner, on_commit=django_capture_on_commit_callbacks)
    newcomer = UserFactory(roles=[Role.COMMISSIONER])
    assert not Claim.objects.no_commissioner_may_decide().exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.declare_conflict(commissioner=newcomer, person=resident, reason="Neighbour")

    assert _told(admin_user).count() == 2


def test_nobody_hears_when_a_conflict_leaves_someone_who_may_decide(
    policy,
    commissioner,
    second_commissioner,
    resident,
    admin_user,
    django_capture_on_commit_callbacks,
):
    claim_in_state(resident)

    with django_capture_on_commit_callbacks(execute=True):
        services.declare_conflict(commissioner=commissioner, person=resident, reason="Friend")

    assert not _told().exists()


# The rule, written once.


def test_the_rule_agrees_with_what_stops_each_commissioner_deciding(policy, resident):
    """For claims made every way, with conflicts declared, the claims no commissioner may
    decide are those for which `review_block_reason` stops every commissioner."""
    first = UserFactory(roles=[Role.COMMISSIONER])
    second = UserFactory(roles=[Role.COMMISSIONER, Role.RESIDENT])
    commissioners = [first, second]
    claims = []
    for claimant, maker, conflicted in product(
        [resident, second], [None, first, second], [None, first, second]
    ):
        if conflicted is not None and conflicted == claimant:
            continue
        signup = SignUpFactory(resident=claimant)
        by = maker or claimant
        claim = services.start_claim(signup, by=by, on_behalf_note="Asked me")
        claim = services.update_claim_details(
            claim,
            by=by,
            payment_method=Claim.PaymentMethod.BANK_TRANSFER,
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
        claims.append((services.submit_claim(claim, by=by, benefits_acknowledged=True), conflicted))
    seen = set()
    for claim, conflicted in claims:
        ConflictOfInterest.objects.all().delete()
        if conflicted is not None:
            ConflictOfInterest.objects.create(
                commissioner=conflicted, person=claim.claimant, reason="Family"
            )
        by_the_rule = Claim.objects.no_commissioner_may_decide().filter(pk=claim.pk).exists()
        stopped = all(services.review_block_reason(claim, c) for c in commissioners)
        assert by_the_rule == stopped, (claim.claimant, claim.started_by, conflicted)
        seen.add(by_the_rule)
    assert seen == {True, False}  # some of each, or the test would prove little


def test_leaving_out_someone_losing_the_role_counts_them_as_unable(
    policy, commissioner, second_commissioner, resident
):
    claim = claim_in_state(resident)

    assert not Claim.objects.no_commissioner_may_decide(excluding=commissioner).exists()
    second_commissioner.groups.remove(Group.objects.get(name=Role.COMMISSIONER))
    assert Claim.objects.no_commissioner_may_decide(excluding=commissioner).get() == claim
    assert not Claim.objects.no_commissioner_may_decide().exists()


# Pages.


@pytest.fixture
def stuck(policy, commissioner, admin_user, django_capture_on_commit_callbacks):
    """The only commissioner's own claim, sent: nobody may decide it."""
    return _send(commissioner, django_capture_on_commit_callbacks)


def test_the_claim_page_says_nobody_may_decide_it(client, stuck, admin_user):
    client.force_login(admin_user)

    page = client.get(stuck.get_absolute_url()).content.decode()

    assert NOBODY in page
    assert "We have told the hub’s administrators" in page


def test_the_claim_page_says_nothing_once_someone_may(client, stuck, admin_user):
    UserFactory(roles=[Role.COMMISSIONER])
    client.force_login(admin_user)

    assert NOBODY not in client.get(stuck.get_absolute_url()).content.decode()


def test_a_resident_does_not_read_the_commissioners_problem(
    client, policy, resident, django_capture_on_commit_callbacks
):
    claim = _send(resident, django_capture_on_commit_callbacks)  # no commissioner at all
    client.force_login(resident)

    assert NOBODY not in client.get(claim.get_absolute_url()).content.decode()


def test_the_queue_marks_the_claim_and_counts_them(client, stuck, commissioner, resident):
    decidable = claim_in_state(resident)  # the commissioner may decide this one
    client.force_login(commissioner)

    page = client.get(reverse("payments:review")).content.decode()

    assert "No commissioner may decide 1 sent claim:" in page
    rows = page.split('<tr class="govuk-table__row">')[1:]
    marked = [row for row in rows if "Nobody may decide</strong>" in row]
    assert len(marked) == 1 and stuck.reference in marked[0]
    assert decidable.reference in page


def test_the_queue_costs_the_same_however_many_claims_nobody_may_decide(
    client, policy, commissioner, admin_user
):
    def queries_for_the_queue():
        client.get(reverse("payments:review"))  # the session and roles, loaded once
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("payments:review")).content.decode()
        return len(queries), page.count("Nobody may decide</strong>")

    client.force_login(commissioner)
    claim_in_state(commissioner)
    one = queries_for_the_queue()
    for _ in range(11):
        claim_in_state(commissioner)
    twelve = queries_for_the_queue()

    assert (one[1], twelve[1]) == (1, 12)
    assert one[0] == twelve[0]


def test_declaring_the_conflict_names_the_claims_now_waiting(
    client, policy, commissioner, second_commissioner, resident, admin_user
):
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Friend")
    claim = claim_in_state(resident)
    client.force_login(second_commissioner)

    page = client.post(
        reverse("payments:conflicts"),
        {"email": resident.email, "reason": "My neighbour"},
        follow=True,
    ).content.decode()

    assert f"Conflict of interest with {resident} declared." in page
    assert f"No commissioner may now decide this claim of theirs: {claim.reference}." in page
    assert f'href="{claim.get_absolute_url()}">{claim.reference}</a>' in page
    assert ConflictOfInterest.objects.filter(commissioner=second_commissioner).exists()


def test_declaring_a_conflict_that_leaves_someone_says_nothing_more(
    client, policy, commissioner, second_commissioner, resident
):
    claim_in_state(resident)
    client.force_login(second_commissioner)

    page = client.post(
        reverse("payments:conflicts"),
        {"email": resident.email, "reason": "My neighbour"},
        follow=True,
    ).content.decode()

    assert f"Conflict of interest with {resident} declared." in page
    assert "No commissioner may" not in page


@pytest.mark.usefixtures("caching_as_in_production")
def test_the_queue_follows_roles_and_conflicts_at_once(
    client, settings, policy, commissioner, resident
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    claim_in_state(resident)
    client.force_login(commissioner)
    assert "Nobody may decide</strong>" not in client.get(reverse("payments:review")).text

    services.declare_conflict(commissioner=commissioner, person=resident, reason="Friend")
    assert "Nobody may decide</strong>" in client.get(reverse("payments:review")).text

    grant_role(UserFactory(roles=[]), Role.COMMISSIONER)
    assert "Nobody may decide</strong>" not in client.get(reverse("payments:review")).text
