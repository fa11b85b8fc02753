"""Staff may start a claim for someone only for sessions they run, by the same rule that
decides who takes the register (participation.permissions.can_run)."""

import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from payments import permissions, services
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(db):
    return UserFactory(roles=[Role.STAFF], display_name="Cora Creator")


@pytest.fixture
def signup(policy, resident, project_with_team, creator):
    # Made by a member of staff who was on the team then and has since left it.
    return SignUpFactory(
        resident=resident,
        opportunity=OpportunityFactory(project=project_with_team, created_by=creator),
    )


def _offered_on_behalf(client, person, resident, signup) -> bool:
    client.force_login(person)
    page = client.get(reverse("payments:on_behalf"), {"q": resident.email})
    return reverse("payments:start", args=[signup.pk]) in page.content.decode()


@pytest.mark.parametrize("who", ["staff", "team_member"])
def test_the_project_owner_and_team_members_may_claim_for_an_attendee(
    client, request, resident, signup, who
):
    person = request.getfixturevalue(who)

    assert permissions.may_claim_for(person, signup)
    assert _offered_on_behalf(client, person, resident, signup)
    assert client.get(reverse("payments:start", args=[signup.pk])).status_code == 200


def test_a_former_team_member_who_created_the_session_may_not(client, creator, resident, signup):
    assert not permissions.may_claim_for(creator, signup)
    assert not _offered_on_behalf(client, creator, resident, signup)
    assert client.get(reverse("payments:start", args=[signup.pk])).status_code == 404
    assert not permissions.staff_signups(creator).exists()


def test_staff_from_elsewhere_may_not(client, other_staff, resident, signup):
    assert not permissions.may_claim_for(other_staff, signup)
    assert not _offered_on_behalf(client, other_staff, resident, signup)
    assert client.get(reverse("payments:start", args=[signup.pk])).status_code == 404


def test_the_creator_of_a_session_with_no_project_runs_it(client, creator, resident, policy):
    signup = SignUpFactory(
        resident=resident, opportunity=OpportunityFactory(project=None, created_by=creator)
    )

    assert permissions.may_claim_for(creator, signup)
    assert _offered_on_behalf(client, creator, resident, signup)


def test_the_payments_rule_matches_who_runs_the_session(
    staff, team_member, creator, other_staff, signup
):
    from participation import permissions as participation_permissions

    for person in (staff, team_member, creator, other_staff):
        runs = participation_permissions.can_run(person, signup.opportunity)
        assert permissions.may_claim_for(person, signup) == runs
        assert permissions.staff_signups(person).filter(pk=signup.pk).exists() == runs


def test_staff_who_leave_the_team_lose_the_claims_they_made_for_people(
    client, team_member, resident, signup, project_with_team
):
    claim = services.start_claim(signup, by=team_member, on_behalf_note="She rang me")
    client.force_login(team_member)
    assert client.get(reverse("payments:claim", args=[claim.pk])).status_code == 200
    assert claim.reference in client.get(reverse("payments:on_behalf")).content.decode()

    project_with_team.team.remove(team_member)

    assert client.get(reverse("payments:claim", args=[claim.pk])).status_code == 404
    assert client.get(reverse("payments:claim_details", args=[claim.pk])).status_code == 404
    assert claim.reference not in client.get(reverse("payments:on_behalf")).content.decode()
    with pytest.raises(services.PaymentError, match="Only the person claiming"):
        services.update_claim_details(
            claim,
            by=team_member,
            payment_method="bank_transfer",
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
    # The person themselves still has it.
    client.force_login(resident)
    assert client.get(reverse("payments:claim", args=[claim.pk])).status_code == 200
