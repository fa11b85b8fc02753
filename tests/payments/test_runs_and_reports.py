"""Payment runs (export, confirm, cancel) and the commissioners' reports and CSVs."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from payments import services
from payments.models import Claim, LedgerEntry, PaymentRun
from payments.services import PaymentError

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


class TestRuns:
    def test_a_run_holds_approved_unpaid_claims_and_marks_nothing_paid(
        self, make_claim, resident, other_resident, commissioner
    ):
        approved = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        waiting = make_claim(other_resident)

        run = services.create_payment_run(by=commissioner)

        assert list(run.items.values_list("claim", flat=True)) == [approved.pk]
        assert (run.claim_count, run.total_pence) == (1, 4460)
        approved.refresh_from_db()
        assert approved.status == Claim.Status.APPROVED and approved.payment_run == run
        assert not LedgerEntry.objects.paid_out().exists()
        waiting.refresh_from_db()
        assert waiting.payment_run is None
        with pytest.raises(PaymentError, match="no approved claims"):
            services.create_payment_run(by=commissioner)

    def test_confirming_marks_claims_paid_once(self, make_claim, resident, commissioner):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        run = services.create_payment_run(by=commissioner)
        today = timezone.localdate()

        services.confirm_payment_run(run, by=commissioner, paid_on=today)
        with pytest.raises(PaymentError, match="already been confirmed"):
            services.confirm_payment_run(run, by=commissioner, paid_on=today)

        claim.refresh_from_db()
        assert claim.status == Claim.Status.PAID and claim.paid_on == today
        assert claim.days_to_pay == 0
        assert LedgerEntry.objects.paid_out().balance() == 4460
        assert LedgerEntry.objects.filter(kind="payment").count() == 4  # two parts, two sides
        assert claim.events.filter(to_status="paid").count() == 1

    def test_the_date_paid_cannot_be_in_the_future_or_before_the_run(
        self, make_claim, resident, commissioner
    ):
        make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        run = services.create_payment_run(by=commissioner)
        today = timezone.localdate()

        with pytest.raises(PaymentError, match="future"):
            services.confirm_payment_run(run, by=commissioner, paid_on=today + timedelta(days=1))
        with pytest.raises(PaymentError, match="before the payment run"):
            services.confirm_payment_run(run, by=commissioner, paid_on=today - timedelta(days=1))

    def test_cancelling_puts_the_claims_back_for_the_next_run(
        self, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        run = services.create_payment_run(by=commissioner)

        services.cancel_payment_run(run, by=commissioner)

        claim.refresh_from_db()
        assert claim.payment_run is None and claim.status == Claim.Status.APPROVED
        assert run.items.count() == 1  # the run still records what it held
        with pytest.raises(PaymentError, match="cancelled"):
            services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
        assert services.create_payment_run(by=commissioner).items.get().claim == claim

    def test_the_pages_export_and_confirm_a_run(self, client, make_claim, resident, commissioner):
        resident.display_name = "=HYPERLINK(evil)"
        resident.save()
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        client.force_login(commissioner)

        response = client.post(reverse("payments:runs"))
        run = PaymentRun.objects.get()
        assert response["Location"] == run.get_absolute_url()

        export = client.get(reverse("payments:run_csv", args=[run.pk]))
        assert export["Content-Disposition"].startswith("attachment;")
        header, row = _csv(export)
        assert header[:3] == ["Payment run", "Claim", "Name"]
        assert row[1] == claim.reference
        assert row[2] == "'=HYPERLINK(evil)"  # never a formula in a spreadsheet
        assert row[5:8] == ["40.00", "4.60", "44.60"]

        confirm = reverse("payments:confirm_run", args=[run.pk])
        bad = client.post(confirm, {"paid_on_0": "1", "paid_on_1": "1", "paid_on_2": "2199"})
        assert "The date paid cannot be in the future" in bad.content.decode()
        today = timezone.localdate()
        missing = client.post(
            confirm,
            {"paid_on_0": today.day, "paid_on_1": today.month, "paid_on_2": today.year},
        )
        assert "Confirm that finance has paid every claim" in missing.content.decode()
        client.post(
            confirm,
            {
                "paid_on_0": today.day,
                "paid_on_1": today.month,
                "paid_on_2": today.year,
                "confirmed": "on",
            },
        )
        again = client.post(
            confirm,
            {
                "paid_on_0": today.day,
                "paid_on_1": today.month,
                "paid_on_2": today.year,
                "confirmed": "on",
            },
            follow=True,
        )
        assert "Paid" in again.content.decode()
        assert LedgerEntry.objects.paid_out().balance() == 4460
        # Once paid, the file is offered as a record, never as one to send to finance.
        assert "Download for finance" not in again.content.decode()
        assert "Do not send its file to finance again" in again.content.decode()
        record = client.get(reverse("payments:run_csv", args=[run.pk]))
        assert "already-paid.csv" in record["Content-Disposition"]

    def test_only_commissioners_see_runs(self, client, resident, staff):
        for person in (resident, staff):
            client.force_login(person)
            assert client.get(reverse("payments:runs")).status_code == 403
            assert client.post(reverse("payments:runs")).status_code == 403


class TestReports:
    @pytest.fixture
    def paid(self, make_claim, resident, other_resident, commissioner):
        project = ProjectFactory(title="Day services", budget_pence=20_000)
        claims = [
            make_claim(
                person,
                status=Claim.Status.PAID,
                reviewer=commissioner,
                signup=SignUpFactory(
                    resident=person, opportunity=OpportunityFactory(project=project)
                ),
            )
            for person in (resident, other_resident)
        ]
        make_claim(
            resident,
            status=Claim.Status.APPROVED,
            reviewer=commissioner,
            signup=SignUpFactory(
                resident=resident, opportunity=OpportunityFactory(project=project)
            ),
        )
        return claims

    def test_tax_year_totals_per_person_with_csv(self, client, commissioner, resident, paid):
        client.force_login(commissioner)

        html = client.get(reverse("payments:report_people")).content.decode()
        assert str(resident) in html and "£44.60" in html

        rows = _csv(client.get(reverse("payments:report_people_csv")))
        assert rows[0] == [
            "Tax year",
            "Name",
            "Email",
            "Fees paid (£)",
            "Expenses paid (£)",
            "Total paid (£)",
        ]
        assert sorted(row[1] for row in rows[1:]) == sorted(
            [resident.display_name, paid[1].claimant.display_name]
        )
        assert {row[5] for row in rows[1:]} == {"44.60"}

    def test_budget_versus_spend_per_project_with_csv(self, client, commissioner, paid):
        client.force_login(commissioner)

        html = client.get(reverse("payments:report_budgets")).content.decode()
        assert "Day services" in html

        rows = _csv(client.get(reverse("payments:report_budgets_csv")))
        day_services = next(row for row in rows if row[0] == "Day services")
        assert day_services == ["Day services", "200.00", "89.20", "44.60", "66.20"]

    def test_owed_to_each_person(self, client, commissioner, resident, paid):
        client.force_login(commissioner)

        html = client.get(reverse("payments:report_owed")).content.decode()
        assert str(resident) in html and "£44.60" in html
        rows = _csv(client.get(reverse("payments:report_owed_csv")))
        assert rows[1][2] == "44.60"

    def test_median_and_90th_percentile_days_to_pay(self, client, commissioner, resident, paid):
        for claim, days in zip(paid, [3, 30], strict=True):
            Claim.objects.filter(pk=claim.pk).update(days_to_pay=days)
        client.force_login(commissioner)

        html = client.get(reverse("payments:report_days")).content.decode()
        assert "16.5" in html  # median of 3 and 30
        assert "27.3" in html  # 90th percentile, interpolated
        rows = _csv(client.get(reverse("payments:report_days_csv")))
        assert sorted(int(row[5]) for row in rows[1:]) == [3, 30]

    def test_the_overview(self, client, commissioner, paid):
        client.force_login(commissioner)

        html = client.get(reverse("payments:reports")).content.decode()

        assert "£89.20" in html  # paid this tax year
        assert "£44.60" in html  # owed now

    def test_reports_are_for_commissioners_only(self, client, resident, staff):
        urls = [
            "payments:reports",
            "payments:report_people",
            "payments:report_people_csv",
            "payments:report_budgets_csv",
            "payments:report_owed",
            "payments:report_days_csv",
        ]
        for person in (resident, staff):
            client.force_login(person)
            for name in urls:
                assert client.get(reverse(name)).status_code == 403

    def test_a_nonsense_tax_year_is_ignored(self, client, commissioner, paid):
        client.force_login(commissioner)

        assert client.get(reverse("payments:report_people"), {"tax_year": "abc"}).status_code == 200


def test_a_cancelled_run_offers_no_download_and_its_file_is_refused(
    client, make_claim, resident, commissioner
):
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)
    csv_url = reverse("payments:run_csv", args=[run.pk])
    assert csv_url in client.get(run.get_absolute_url()).content.decode()

    services.cancel_payment_run(run, by=commissioner)

    page = client.get(run.get_absolute_url()).content.decode()
    assert csv_url not in page
    assert "Download for finance" not in page
    assert "nothing to send to finance" in page
    assert client.get(csv_url).status_code == 404


def test_days_to_pay_count_from_the_first_time_a_claim_was_sent_even_if_it_was_returned(
    client, make_claim, resident, commissioner, time_machine
):
    time_machine.move_to("2026-03-02 10:00 +00:00", tick=False)
    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    first_sent = claim.first_submitted_at
    time_machine.move_to("2026-03-12 10:00 +00:00", tick=False)
    claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    assert claim.first_submitted_at == first_sent  # sending again never moves it
    assert claim.submitted_at > first_sent
    services.approve_claim(claim, by=commissioner)
    time_machine.move_to("2026-03-22 10:00 +00:00", tick=False)
    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    claim.refresh_from_db()
    assert claim.days_to_pay == 20  # 2 to 22 March, not 12 to 22 March
    client.force_login(commissioner)
    html = client.get(reverse("payments:report_days")).content.decode()
    assert "2 Mar 2026" in html and "12 Mar 2026" not in html
    header, row = _csv(client.get(reverse("payments:report_days_csv")))
    assert header[3] == "First sent"
    assert row[3:6] == ["2026-03-02", "2026-03-22", "20"]


def test_the_migration_copies_when_each_existing_claim_was_sent(make_claim, resident):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("payments.migrations.0005_claim_first_submitted_at")
    sent = make_claim(resident)
    draft = make_claim(resident, status=Claim.Status.DRAFT)
    Claim.objects.update(first_submitted_at=None)

    migration.copy_submitted_at(apps, None)

    sent.refresh_from_db()
    draft.refresh_from_db()
    assert sent.first_submitted_at == sent.submitted_at
    assert draft.first_submitted_at is None


def test_a_claim_finance_could_not_pay_is_taken_out_and_the_rest_of_the_run_is_paid(
    client, make_claim, resident, other_resident, commissioner
):
    bounced = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    paid = make_claim(other_resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)
    not_paid = reverse("payments:take_out_of_run", args=[run.pk, bounced.pk])
    run_page = client.get(run.get_absolute_url()).content.decode()
    assert not_paid in run_page
    # An action, under a heading that says when to use it: not a status that reads as one.
    assert "If finance could not pay it</th>" in run_page
    assert f'Take out<span class="govuk-visually-hidden"> {bounced.reference}</span>' in run_page

    # Bad input first: a clear error, nothing changed.
    empty = client.post(not_paid, {"reason": "  "})
    assert "Enter the reason" in empty.content.decode()
    assert Claim.objects.get(pk=bounced.pk).payment_run == run
    client.post(not_paid, {"reason": "The bank returned it: wrong account number."})

    run.refresh_from_db()
    assert (run.claim_count, run.total_pence) == (1, 4460)
    bounced.refresh_from_db()
    assert bounced.payment_run is None and bounced.status == Claim.Status.APPROVED
    assert "wrong account number" in bounced.events.latest("pk").note
    assert bounced.events.latest("pk").summary == "Payment did not go through"
    # The person hears, and is asked to check their bank details before the next run.
    told = Message.objects.get(kind="claim_not_paid", recipient=resident).body_text
    assert "did not go through" in told and "wrong account number" in told
    assert "bank details" in told
    # Finance's file now lists only what is to be paid; the page still shows what happened.
    rows = _csv(client.get(reverse("payments:run_csv", args=[run.pk])))[1:]
    assert [row[1] for row in rows] == [paid.reference]
    assert "Not paid" in client.get(run.get_absolute_url()).content.decode()
    with pytest.raises(PaymentError, match="not waiting to be paid"):
        services.take_out_of_run(run, bounced, by=commissioner, reason="Again")

    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    assert Claim.objects.get(pk=paid.pk).status == Claim.Status.PAID
    bounced.refresh_from_db()
    assert bounced.status == Claim.Status.APPROVED and bounced.paid_on is None
    assert LedgerEntry.objects.paid_out().balance() == 4460  # only the claim that was paid
    with pytest.raises(PaymentError, match="is paid"):
        services.take_out_of_run(run, paid, by=commissioner, reason="Too late")
    next_run = services.create_payment_run(by=commissioner)
    assert next_run.items.get().claim == bounced


def test_only_commissioners_take_a_claim_out_of_a_run(
    client, make_claim, resident, staff, commissioner
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    url = reverse("payments:take_out_of_run", args=[run.pk, claim.pk])

    for person in (resident, staff):
        client.force_login(person)
        assert client.post(url, {"reason": "No"}).status_code in (403, 404)
    with pytest.raises(PaymentError, match="Only commissioners"):
        services.take_out_of_run(run, claim, by=staff, reason="No")
    assert Claim.objects.get(pk=claim.pk).payment_run == run
