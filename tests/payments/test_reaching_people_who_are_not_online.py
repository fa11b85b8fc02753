"""Finance must be able to reach everyone a payment run pays: for bank details, or to send
vouchers. Someone staff added without an email address has a placeholder one under the
reserved ".invalid" domain, which no page or export may show as a way to reach them: their
phone number, postal address and how they want to be contacted go instead."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participation import services as participation
from participation.models import Profile
from payments import services
from payments.models import Claim, PaymentRun
from tests.participation.factories import OpportunityFactory as UpcomingFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db

ADDRESS = "1 High Street\nAnytown\nAT1 1AA"
PLACEHOLDER = ".invalid"


def _offline_person(staff, name="Doris Day", phone="01632 960 123", address=ADDRESS):
    """Someone staff added with no email address, who came to a session staff ran."""
    session = OpportunityFactory(created_by=staff, project=None, title=f"Panel with {name}")
    place = participation.add_person_and_sign_up(
        UpcomingFactory(created_by=staff, project=None),
        by=staff,
        display_name=name,
        phone=phone,
        postal_address=address,
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )
    return SignUpFactory(resident=place.resident, opportunity=session)


def _approved_for_vouchers(staff, commissioner, attended):
    """Staff claim vouchers by post for the person, and a commissioner approves it."""
    claim = services.start_claim(attended, by=staff, on_behalf_note="She rang me")
    services.update_claim_details(
        claim,
        by=staff,
        payment_method="voucher",
        voucher_delivery="post",
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    services.save_expense(
        claim,
        by=staff,
        category="public_transport",
        description="Bus",
        amount_pence=300,
        miles=None,
    )
    claim = services.submit_claim(
        Claim.objects.get(pk=claim.pk), by=staff, benefits_acknowledged=True
    )
    return services.approve_claim(claim, by=commissioner)


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def offline_claim(policy, staff, commissioner):
    return _approved_for_vouchers(staff, commissioner, _offline_person(staff))


class TestTheClaimPage:
    def test_commissioners_see_how_to_reach_the_person_and_never_the_placeholder(
        self, client, commissioner, offline_claim
    ):
        client.force_login(commissioner)

        page = client.get(reverse("payments:claim", args=[offline_claim.pk])).text

        assert PLACEHOLDER not in page
        assert "No email address" in page
        assert "01632 960 123" in page
        assert "1 High Street<br>Anytown<br>AT1 1AA" in page
        assert "Post or a phone call from staff" in page
        assert "How to send the vouchers" in page and "By post" in page

    def test_someone_with_an_email_address_shows_it(
        self, client, commissioner, resident, make_claim
    ):
        claim = make_claim(resident, reviewer=commissioner)
        client.force_login(commissioner)

        page = client.get(reverse("payments:claim", args=[claim.pk])).text

        assert resident.email in page
        assert "No email address" not in page

    def test_staff_who_claimed_for_them_see_no_placeholder_and_no_address(
        self, client, staff, offline_claim
    ):
        client.force_login(staff)

        page = client.get(reverse("payments:claim", args=[offline_claim.pk])).text

        assert "Doris Day" in page
        assert PLACEHOLDER not in page
        # Contact details are for commissioners, who send the run to finance.
        assert "AT1 1AA" not in page and "How they want to be contacted" not in page

    def test_the_person_sees_their_own_claim_as_before(self, client, offline_claim):
        client.force_login(offline_claim.claimant)

        page = client.get(reverse("payments:claim", args=[offline_claim.pk])).text

        assert PLACEHOLDER not in page
        assert "How they want to be contacted" not in page

    def test_the_contact_details_cost_no_extra_query(
        self, client, commissioner, resident, make_claim
    ):
        claim = make_claim(resident, reviewer=commissioner)
        client.force_login(commissioner)
        url = reverse("payments:claim", args=[claim.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as without_profile:
            client.get(url)
        Profile.objects.create(user=resident, phone="01632 960 999", postal_address=ADDRESS)

        with CaptureQueriesContext(connection) as with_profile:
            page = client.get(url).text

        assert "01632 960 999" in page and "AT1 1AA" in page
        assert len(with_profile) == len(without_profile)


class TestThePaymentRunFile:
    def test_it_has_no_placeholder_and_has_the_phone_address_and_preference(
        self, client, commissioner, offline_claim
    ):
        run = services.create_payment_run(by=commissioner)
        client.force_login(commissioner)

        response = client.get(reverse("payments:run_csv", args=[run.pk]))

        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert PLACEHOLDER not in text
        (row,) = list(csv.DictReader(io.StringIO(text)))
        assert row["Name"] == "Doris Day"
        assert row["Email"] == ""
        assert row["Phone"] == "01632 960 123"
        assert row["Postal address"] == "1 High Street, Anytown, AT1 1AA"
        assert row["How they want to be contacted"] == "Post or a phone call from staff"
        assert row["Payment method"] == "Vouchers"
        assert row["How to send vouchers"] == "By post"

    def test_the_columns_finance_already_reads_keep_their_places(
        self, client, commissioner, offline_claim
    ):
        run = services.create_payment_run(by=commissioner)
        client.force_login(commissioner)

        response = client.get(reverse("payments:run_csv", args=[run.pk]))

        header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert header[:14] == [
            "\ufeffPayment run",
            "Claim",
            "Name",
            "Email",
            "Payment method",
            "Fee (£)",
            "Expenses (£)",
            "Total (£)",
            "Project",
            "Activity",
            "Activity date",
            "Approved on",
            "Person number",
            "Of which fee top-up (£)",
        ]
        assert header[14:] == [
            "Phone",
            "Postal address",
            "How they want to be contacted",
            "How to send vouchers",
        ]

    def test_someone_with_an_email_address_has_it(self, client, commissioner, resident, make_claim):
        make_claim(resident, status="approved", reviewer=commissioner)
        run = services.create_payment_run(by=commissioner)
        client.force_login(commissioner)

        (row,) = _csv_rows(client.get(reverse("payments:run_csv", args=[run.pk])))

        assert row["Email"] == resident.email
        assert row["How they want to be contacted"] == "Email"
        assert row["How to send vouchers"] == ""

    def test_typed_contact_details_cannot_run_as_formulas(
        self, client, policy, staff, commissioner
    ):
        attended = _offline_person(
            staff, name="=HYPERLINK(1)", phone="+44 1632 960 123", address="=cmd|x\nAT1 1AA"
        )
        _approved_for_vouchers(staff, commissioner, attended)
        run = services.create_payment_run(by=commissioner)
        client.force_login(commissioner)

        (row,) = _csv_rows(client.get(reverse("payments:run_csv", args=[run.pk])))

        assert row["Name"] == "'=HYPERLINK(1)"
        assert row["Phone"] == "'+44 1632 960 123"
        assert row["Postal address"] == "'=cmd|x, AT1 1AA"

    def test_it_takes_the_same_queries_however_many_people_it_pays(
        self, client, policy, staff, commissioner, django_assert_max_num_queries
    ):
        def run_with(count, start):
            for number in range(start, start + count):
                attended = _offline_person(
                    staff, name=f"Person {number}", phone=f"01632 960 {number:03d}"
                )
                _approved_for_vouchers(staff, commissioner, attended)
            return services.create_payment_run(by=commissioner)

        client.force_login(commissioner)
        few = run_with(2, 0)
        url = reverse("payments:run_csv", args=[few.pk])
        b"".join(client.get(url).streaming_content)
        with CaptureQueriesContext(connection) as two:
            b"".join(client.get(url).streaming_content)
        services.confirm_payment_run(few, by=commissioner, paid_on=timezone.localdate())
        many = run_with(8, 2)

        with django_assert_max_num_queries(len(two)):
            rows = _csv_rows(client.get(reverse("payments:run_csv", args=[many.pk])))
        assert len(rows) == 8 and all(row["Phone"] for row in rows)


class TestTheReports:
    def test_the_owed_and_paid_files_have_no_placeholder(self, client, commissioner, offline_claim):
        client.force_login(commissioner)

        owed = b"".join(client.get(reverse("payments:report_owed_csv")).streaming_content).decode()
        run = services.create_payment_run(by=commissioner)
        services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
        paid = b"".join(
            client.get(reverse("payments:report_people_csv")).streaming_content
        ).decode()

        assert "Doris Day" in owed and "Doris Day" in paid
        assert PLACEHOLDER not in owed and PLACEHOLDER not in paid
        assert PaymentRun.objects.get().is_paid
