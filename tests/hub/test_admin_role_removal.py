"""Taking the staff or commissioner role away in the admin, or closing an account, is refused
while the person still runs what nobody else would: sessions standing alone still to come,
projects not closed, sent claims no other commissioner may decide. The admin is told what, with
a link to where each is handed over, and may go ahead once it has been."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.handing_over import LISTED
from coprod_hub.users.roles import Role
from participation import services as participation
from participation.models import Opportunity
from payments.models import Claim, ConflictOfInterest
from projects.models import Project
from tests.factories import OpportunityFactory, ProjectFactory, UserFactory
from tests.payments.factories import claim_in_state, make_policy

pytestmark = [pytest.mark.django_db, pytest.mark.ignore_template_errors]
# ignore_template_errors: Django's own password box on the page reads an unset variable.


def _form(person, **changes) -> dict:
    """What the admin's change form for `person` posts, with `changes`; `roles=[...]` ticks
    those roles and no others."""
    data = {
        "email": person.email,
        "display_name": person.display_name,
        "groups": [group.pk for group in person.groups.all()],
        "is_active": "on" if person.is_active else "",
        "is_staff": "on" if person.is_staff else "",
        "is_superuser": "on" if person.is_superuser else "",
    }
    if "roles" in changes:
        roles = changes.pop("roles")
        data["groups"] = [Group.objects.get_or_create(name=str(role))[0].pk for role in roles]
    data.update(changes)
    return data


def _save(client, person, **changes):
    return client.post(
        reverse("admin:users_user_change", args=[person.pk]), _form(person, **changes)
    )


def _errors(response) -> list[str]:
    """The refusal's lines, as text."""
    listed = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', response.text, re.S)
    assert listed, "The page should say why it was not saved"
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def _links(response) -> dict[str, str]:
    listed = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', response.text, re.S)
    return {
        unescape(text): href
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', listed.group(1))
    }


def _roles(person) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def _session(runner, *, days=10, **fields):
    fields.setdefault("status", Opportunity.Status.PUBLISHED)
    starts = timezone.now() + timedelta(days=days)
    return OpportunityFactory(created_by=runner, starts_at=starts, **fields)


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


# Staff who run sessions and own projects.


def test_taking_the_staff_role_from_someone_who_runs_things_is_refused_with_a_list(admin, staff):
    session = _session(staff, title="Carers' cuppa")
    project = ProjectFactory(owner=staff, title="Short breaks redesign")

    response = _save(admin, staff, roles=[Role.RESIDENT])

    assert response.status_code == 200
    errors = _errors(response)
    assert errors[0] == (
        "Sam Staff still runs things that would be left with nobody to run them. Hand them "
        "over first, then save this page again."
    )
    day = f"{timezone.localtime(session.starts_at):%-d %b %Y}"
    assert errors[1] == (
        "They run 1 session with no project that is not over yet. Choose a colleague in "
        f"“Who runs this session” on each one’s page: “Carers' cuppa” on {day}."
    )
    assert errors[2] == (
        "They own 1 project that is not closed. Make a colleague the owner on each project’s "
        "“Change details” page: “Short breaks redesign”."
    )
    assert _links(response) == {
        f"“Carers' cuppa” on {day}": reverse("participation:edit", args=[session.pk]),
        "“Short breaks redesign”": reverse("projects:edit", args=[project.slug]),
    }
    assert _roles(staff) == {Role.STAFF}


def test_the_links_open_the_pages_where_the_admin_hands_each_over(admin, staff):
    _session(staff)
    ProjectFactory(owner=staff)

    links = _links(_save(admin, staff, roles=[]))

    assert len(links) == 2
    for url in links.values():
        assert admin.get(url).status_code == 200


def test_closing_the_account_of_someone_who_runs_things_is_refused_the_same_way(admin, staff):
    _session(staff, title="Carers' cuppa")

    response = _save(admin, staff, is_active="")

    assert "They run 1 session with no project" in _errors(response)[1]
    staff.refresh_from_db()
    assert staff.is_active


def test_an_admin_who_runs_a_session_stays_an_admin_until_it_is_handed_over(admin, admin_user):
    """Admins hold every role, so no longer being one takes the staff role away too."""
    colleague = UserFactory(is_superuser=True, is_staff=True, roles=[])
    _session(colleague)

    response = _save(admin, colleague, is_superuser="")

    assert "They run 1 session" in _errors(response)[1]
    colleague.refresh_from_db()
    assert colleague.is_superuser


def test_it_is_allowed_once_everything_is_handed_over(admin, admin_user, staff, other_staff):
    session = _session(staff)
    project = ProjectFactory(owner=staff)
    assert _save(admin, staff, roles=[]).status_code == 200

    participation.hand_over_opportunity(session, to=other_staff, by=admin_user)
    Project.objects.filter(pk=project.pk).update(owner=other_staff)
    response = _save(admin, staff, roles=[])

    assert response.status_code == 302
    assert _roles(staff) == set()


def test_what_is_over_called_off_closed_or_someone_elses_does_not_hold_it_up(
    admin, staff, other_staff
):
    _session(staff, days=-3)  # over
    _session(staff, status=Opportunity.Status.CANCELLED)
    _session(staff, project=ProjectFactory(owner=other_staff))  # its project's owner runs it
    ProjectFactory(owner=staff, status=Project.Status.CLOSED)
    ProjectFactory(owner=other_staff).team.add(staff)  # the owner still answers for it

    assert _save(admin, staff, roles=[Role.RESIDENT]).status_code == 302


def test_someone_who_runs_things_may_still_be_given_roles_or_renamed(admin, staff):
    _session(staff)

    assert _save(admin, staff, roles=[Role.STAFF, Role.COMMISSIONER]).status_code == 302
    assert _save(admin, staff, display_name="Samuel Staff").status_code == 302
    # Commissioners are staff too: taking only that role leaves the sessions with them.
    assert _save(admin, staff, roles=[Role.STAFF]).status_code == 302


def test_a_draft_still_to_come_holds_it_up_too(admin, staff):
    _session(staff, status=Opportunity.Status.DRAFT)

    assert _save(admin, staff, roles=[]).status_code == 200


# Commissioners and sent claims.


@pytest.fixture
def sent_claim(db):
    make_policy()
    return claim_in_state(UserFactory(display_name="Priya Shah"), status=Claim.Status.SUBMITTED)


def test_the_last_commissioner_keeps_the_role_while_a_sent_claim_waits(
    admin, commissioner, sent_claim
):
    response = _save(admin, commissioner, roles=[Role.STAFF])

    assert response.status_code == 200
    assert _errors(response)[1] == (
        "1 sent claim is waiting for a decision that no other commissioner may make: there is "
        "none, or the others claim, made the claim or have declared a conflict of interest with "
        f"the person. Decide it first, or give the commissioner role to someone who may: "
        f"{sent_claim.reference}."
    )
    assert _links(response) == {
        sent_claim.reference: reverse("payments:claim", args=[sent_claim.pk])
    }
    assert _roles(commissioner) == {Role.COMMISSIONER}


def test_a_commissioner_may_go_when_another_may_decide_the_claims(admin, commissioner, sent_claim):
    UserFactory(roles=[Role.COMMISSIONER])

    assert _save(admin, commissioner, roles=[Role.STAFF]).status_code == 302


def test_another_commissioner_with_a_conflict_or_whose_claim_it_is_does_not_count(
    admin, commissioner, sent_claim
):
    conflicted = UserFactory(roles=[Role.COMMISSIONER])
    ConflictOfInterest.objects.create(
        commissioner=conflicted, person=sent_claim.claimant, reason="My neighbour"
    )
    sent_claim.claimant.groups.add(Group.objects.get(name=Role.COMMISSIONER))
    UserFactory(roles=[Role.COMMISSIONER], is_active=False)  # closed: never counts

    assert _save(admin, commissioner, roles=[Role.STAFF]).status_code == 200

    ConflictOfInterest.objects.update(withdrawn_at=timezone.now())
    assert _save(admin, commissioner, roles=[Role.STAFF]).status_code == 302


def test_claims_decided_already_do_not_hold_it_up(admin, commissioner):
    make_policy()
    claim_in_state(UserFactory(), status=Claim.Status.APPROVED, reviewer=commissioner)
    claim_in_state(UserFactory(), status=Claim.Status.RETURNED, reviewer=commissioner)

    assert _save(admin, commissioner, roles=[]).status_code == 302


# Who may do it, and what it costs.


def test_only_admins_change_roles(client, staff, commissioner):
    """Hub roles give no way into the admin; an admin-site account that may only look at
    people cannot change them either."""
    for person in [staff, commissioner]:
        client.force_login(person)
        response = _save(client, staff, roles=[])
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    viewer = UserFactory(is_staff=True, roles=[])
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    assert _save(client, staff, roles=[]).status_code == 403
    assert _roles(staff) == {Role.STAFF}


def test_the_refusal_costs_the_same_queries_however_much_they_run(
    admin, staff, django_assert_max_num_queries
):
    def more_of_each(count):
        for days in range(count):
            _session(staff, days=days + 1)
            ProjectFactory(owner=staff)

    more_of_each(LISTED + 1)  # past what is listed: counted as well
    _save(admin, staff, roles=[])  # fills caches (content types, the signed-in person)
    with CaptureQueriesContext(connection) as few:
        _save(admin, staff, roles=[])

    more_of_each(20)
    with django_assert_max_num_queries(len(few)):
        response = _save(admin, staff, roles=[])

    errors = _errors(response)
    assert errors[1].startswith("They run 31 sessions with no project that are not over yet.")
    assert errors[1].endswith(" and 21 more.")
    assert errors[2].startswith("They own 31 projects that are not closed.")
    assert len(_links(response)) == 2 * LISTED
