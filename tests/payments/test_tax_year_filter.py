"""The tax-year filter on the reports: a plain error for a year not offered, never all years
in its place; the year in the CSV's name; this and recent tax years always offered."""

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Claim
from payments.taxyear import tax_year_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(make_claim, resident, commissioner):
    return make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)


@pytest.mark.parametrize("name", ["payments:report_people", "payments:report_days"])
def test_a_year_not_on_the_list_gets_a_plain_error_and_no_figures(client, commissioner, paid, name):
    client.force_login(commissioner)

    page = client.get(reverse(name), {"tax_year": "2019"}).content.decode()

    assert "There is a problem" in page
    assert "Choose a tax year from the list" in page
    assert "not one of the available choices" not in page
    assert paid.claimant.display_name not in page


@pytest.mark.parametrize("name", ["payments:report_people_csv", "payments:report_days_csv"])
def test_a_csv_for_a_year_not_on_the_list_is_refused(client, commissioner, paid, name):
    client.force_login(commissioner)

    response = client.get(reverse(name), {"tax_year": "2019"})

    assert response.status_code == 400
    assert "choose a tax year from the list" in response.content.decode()


def test_the_csv_is_named_after_its_tax_year(client, commissioner, paid):
    year = tax_year_for(timezone.localdate())
    client.force_login(commissioner)

    one = client.get(reverse("payments:report_people_csv"), {"tax_year": year})
    every = client.get(reverse("payments:report_people_csv"))

    assert f'payments-by-person-tax-year-{year}-to-{year + 1}.csv"' in one["Content-Disposition"]
    assert 'payments-by-person-all-tax-years.csv"' in every["Content-Disposition"]


def test_this_and_recent_tax_years_are_offered_even_with_nothing_paid(client, commissioner):
    year = tax_year_for(timezone.localdate())
    client.force_login(commissioner)

    page = client.get(reverse("payments:report_people")).content.decode()

    for start in range(year - 6, year + 1):
        assert f"6 April {start} to 5 April {start + 1}" in page
    emptied = client.get(reverse("payments:report_people"), {"tax_year": year - 3})
    assert "Nothing has been paid in the tax year" in emptied.content.decode()


def test_every_year_back_to_the_first_payment_is_offered(client, commissioner, paid):
    # A payment from ten tax years ago, before the recent years always offered.
    from payments.models import LedgerEntry

    year = tax_year_for(timezone.localdate())
    entry = LedgerEntry.objects.paid_out().filter(claim=paid).first()
    old = entry.effective_on.replace(year=entry.effective_on.year - 10)
    LedgerEntry.objects.create(
        kind=entry.kind,
        account=entry.account,
        component=entry.component,
        amount_pence=1,
        claim=paid,
        person=paid.claimant,
        effective_on=old,
        created_by=commissioner,
    )
    client.force_login(commissioner)

    page = client.get(reverse("payments:report_people")).content.decode()

    for start in range(tax_year_for(old), year + 1):
        assert f"6 April {start} to 5 April {start + 1}" in page
    assert f"6 April {tax_year_for(old) - 1} to" not in page
