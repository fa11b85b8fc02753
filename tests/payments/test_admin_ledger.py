"""Money in the admin: to look at, newest first, and every page opens."""

import pytest
from django.urls import reverse

from payments.models import Claim, PaymentPolicy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admins_ledger_lists_the_newest_lines_first(
    client, admin_user, commissioner, make_claim
):
    """Oldest first put today's lines on the last of thousands of pages."""
    older = make_claim(UserFactory(), status=Claim.Status.APPROVED, reviewer=commissioner)
    newer = make_claim(UserFactory(), status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(admin_user)

    page = client.get(reverse("admin:payments_ledgerentry_changelist")).text

    assert page.index(newer.reference) < page.index(older.reference)


def test_the_payment_policy_opens_in_the_admin(client, admin_user, policy):
    client.force_login(admin_user)

    url = reverse("admin:payments_paymentpolicy_change", args=[PaymentPolicy.current().pk])

    assert client.get(url).status_code == 200
