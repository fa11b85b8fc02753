"""Small things commissioners ran into: a review button's address opened by mistake, the
total of a cancelled run, and a stable reference for each person in the run's file."""

import csv
import io

import pytest
from django.urls import reverse

from payments import services
from payments.models import Claim, PaymentRun

pytestmark = pytest.mark.django_db


def test_opening_the_approve_address_goes_to_the_claim_not_a_blank_error(
    client, make_claim, resident, commissioner
):
    claim = make_claim(resident)
    client.force_login(commissioner)

    response = client.get(reverse("payments:approve", args=[claim.pk]))

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED
    client.force_login(resident)
    assert client.get(reverse("payments:approve", args=[claim.pk])).status_code == 403


def test_a_cancelled_run_shows_as_cancelled_without_a_total(
    client, make_claim, resident, commissioner
):
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    services.cancel_payment_run(run, by=commissioner)
    client.force_login(commissioner)

    runs = client.get(reverse("payments:runs")).content.decode()
    row = runs.split(f">{run.reference}</a>", 1)[1].split("</tr>", 1)[0]

    assert "None: cancelled" in row
    assert "£44.60" not in row
    assert "£44.60" not in client.get(run.get_absolute_url()).content.decode().split("<table")[0]


def test_the_run_file_has_each_persons_number(client, make_claim, resident, commissioner):
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)

    response = client.get(reverse("payments:run_csv", args=[PaymentRun.objects.get().pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    # After every column finance read before it (a new column goes after it, not before).
    number = rows[0].index("Person number")
    assert number == 12
    assert rows[1][number] == str(resident.pk)
    assert rows[1][1] == run.items.get().claim.reference
