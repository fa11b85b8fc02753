"""The claims queue counts the wait only while a claim waits to be paid, and finds claims by
person or claim number."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _row(page: str, claim) -> str:
    return page.split(f">{claim.reference}</a>", 1)[1].split("</tr>", 1)[0]


def test_finished_claims_show_days_to_pay_or_the_decision_date_not_a_growing_wait(
    client, make_claim, resident, commissioner
):
    paid = make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)
    rejected = make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)
    waiting = make_claim(resident)
    month_ago = timezone.now() - timedelta(days=29)
    Claim.objects.filter(pk__in=[paid.pk, rejected.pk, waiting.pk]).update(
        first_submitted_at=month_ago, submitted_at=month_ago
    )
    Claim.objects.filter(pk=paid.pk).update(days_to_pay=3)
    client.force_login(commissioner)

    page = client.get(reverse("payments:review"), {"status": "all"}).content.decode()

    assert "Paid in 3 days" in _row(page, paid)
    assert "29 days" not in _row(page, paid)
    assert f"rejected {timezone.localdate():%-d %b %Y}" in _row(page, rejected)
    assert "29 days" not in _row(page, rejected)
    assert "29 days" in _row(page, waiting)


@pytest.mark.parametrize("how", ["name", "email", "reference", "number"])
def test_a_claim_is_found_by_person_or_claim_number(
    client, make_claim, resident, commissioner, how
):
    someone = UserFactory(display_name="Priya Shah", email="priya@example.org")
    wanted = make_claim(someone, status=Claim.Status.PAID, reviewer=commissioner)
    other = make_claim(resident)
    search = {
        "name": "priya sh",
        "email": "PRIYA@example",
        "reference": wanted.reference.lower(),
        "number": str(wanted.pk),
    }[how]
    client.force_login(commissioner)

    page = client.get(reverse("payments:review"), {"search": search}).content.decode()

    # Any status: a paid claim is found though the list starts with those waiting.
    assert f">{wanted.reference}</a>" in page
    assert f">{other.reference}</a>" not in page
    assert f'value="{search}"' in page
    # Another search is its own copy of the page, never the one kept for the first.
    page = client.get(reverse("payments:review"), {"search": "nobody-like-this"}).content
    assert wanted.reference not in page.decode() and "No claims match." in page.decode()
