"""Every admin list, and every admin page with a table of related rows, costs the same number
of queries however many rows there are: with 100,000 people and millions of ledger lines, a
query per row would make them unusable."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning import services as learning
from participation.models import Profile
from payments import services as payments
from payments.models import Claim, ClaimEvent, ConflictOfInterest
from projects.services import record_step
from tests.factories import UserFactory
from tests.learning.factories import submit
from tests.participation.factories import SignUpFactory, VenueFactory
from tests.payments.factories import OpportunityFactory, claim_in_state, make_policy
from tests.projects.factories import CONSULTATION_EVIDENCE, UpdateFactory

pytestmark = pytest.mark.django_db

# The hub's own models, and the people, roles and audit trail an administrator works with.
APPS = {"users", "auth", "auditlog", "account", "projects", "participation", "payments", "learning"}
CHANGELISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
    if model._meta.app_label in APPS
)


def _more_of_everything(count, *, commissioner, moderator):
    """`count` more rows of every kind the admin lists, made as the hub makes them."""
    for n in range(count):
        person = UserFactory()
        claim = claim_in_state(person, status=Claim.Status.PAID, reviewer=commissioner)
        project = claim.project
        record_step(
            project,
            by=project.owner,
            claimed=4,
            evidence=CONSULTATION_EVIDENCE,
            reason="The council decides.",
        )
        UpdateFactory(project=project, posted_by=project.owner)
        Profile.objects.get_or_create(user=person)
        VenueFactory()
        ConflictOfInterest.objects.create(commissioner=commissioner, person=person, reason="Kin")
        learning.reject_entry(submit(title=f"Entry {n}"), by=moderator, note="Not for the guide")


def _queries(client, url) -> int:
    client.get(url)  # the first page fills caches (content types, the signed-in person)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def admin_client_with_data(client, admin_user, commissioner, moderator):
    make_policy()
    _more_of_everything(1, commissioner=commissioner, moderator=moderator)
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_an_admin_list_costs_the_same_queries_however_long_it_is(
    admin_client_with_data, commissioner, moderator, name, django_assert_max_num_queries
):
    url = reverse(name)
    few = _queries(admin_client_with_data, url)

    _more_of_everything(3, commissioner=commissioner, moderator=moderator)

    with django_assert_max_num_queries(few):
        admin_client_with_data.get(url)


def test_an_opportunitys_page_costs_the_same_however_many_signed_up(
    client, admin_user, django_assert_max_num_queries
):
    small, big = OpportunityFactory(), OpportunityFactory()
    SignUpFactory(opportunity=small)
    for _ in range(6):
        SignUpFactory(opportunity=big)
    client.force_login(admin_user)
    few = _queries(client, reverse("admin:participation_opportunity_change", args=[small.pk]))

    with django_assert_max_num_queries(few):
        client.get(reverse("admin:participation_opportunity_change", args=[big.pk]))


def test_a_payment_runs_page_costs_the_same_however_many_claims_it_pays(
    client, admin_user, commissioner, django_assert_max_num_queries
):
    make_policy()
    claim_in_state(UserFactory(), status=Claim.Status.APPROVED, reviewer=commissioner)
    small = payments.create_payment_run(by=commissioner)
    for _ in range(5):
        claim_in_state(UserFactory(), status=Claim.Status.APPROVED, reviewer=commissioner)
    big = payments.create_payment_run(by=commissioner)
    client.force_login(admin_user)
    few = _queries(client, reverse("admin:payments_paymentrun_change", args=[small.pk]))

    with django_assert_max_num_queries(few):
        client.get(reverse("admin:payments_paymentrun_change", args=[big.pk]))


def test_a_projects_page_costs_the_same_however_long_its_step_history(
    client, admin_user, django_assert_max_num_queries
):
    small, big = OpportunityFactory().project, OpportunityFactory().project
    for project, changes in [(small, 1), (big, 6)]:
        for _ in range(changes):
            record_step(
                project,
                by=UserFactory(),
                claimed=4,
                evidence=CONSULTATION_EVIDENCE,
                reason="The council decides.",
            )
    client.force_login(admin_user)
    few = _queries(client, reverse("admin:projects_project_change", args=[small.pk]))

    with django_assert_max_num_queries(few):
        client.get(reverse("admin:projects_project_change", args=[big.pk]))


def test_a_claims_page_costs_the_same_however_long_its_history(
    client, admin_user, commissioner, django_assert_max_num_queries
):
    make_policy()
    short, long = (
        claim_in_state(UserFactory(), status=Claim.Status.PAID, reviewer=commissioner)
        for _ in range(2)
    )
    for _ in range(4):  # as a payment that did not go through and was sent again adds
        ClaimEvent.objects.create(
            claim=long, actor=commissioner, from_status="paid", to_status="paid", note="Again"
        )
    client.force_login(admin_user)
    few = _queries(client, reverse("admin:payments_claim_change", args=[short.pk]))

    with django_assert_max_num_queries(few):
        client.get(reverse("admin:payments_claim_change", args=[long.pk]))
