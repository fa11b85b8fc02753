"""The ledger page for commissioners: every entry, newest first, filtered and totalled, and
downloadable as CSV, so a figure on a report can be traced back to its claims."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users import privacy as account_privacy
from payments import services
from payments.models import Claim, LedgerEntry, PaymentRun
from payments.taxyear import tax_year_for
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory
from .test_query_counts import add_claims

pytestmark = pytest.mark.django_db

LEDGER = reverse("payments:ledger")
LEDGER_CSV = reverse("payments:ledger_csv")


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _rows(page: str) -> list[str]:
    """The text of each row of the entries table, whitespace squeezed, tags removed."""
    body = page.split('id="entries-caption"', 1)[1].split("</tbody>", 1)[0]
    rows = body.split('<tr class="govuk-table__row">')[2:]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _totals(page: str) -> dict[str, str]:
    block = page.split('id="totals-heading"', 1)[1].split("</dl>", 1)[0]
    keys = re.findall(r'summary-list__key">([^<]+)<', block)
    values = [
        re.sub(r"<[^>]+>", "", value).strip()
        for value in re.findall(r'summary-list__value">(.*?)</dd>', block)
    ]
    return dict(zip(keys, values, strict=True))


@pytest.fixture
def project():
    return ProjectFactory(title="Short breaks for carers")


@pytest.fixture
def paid(make_claim, resident, commissioner, project):
    """Rose's claim: approved (£40 fee, £4.60 bus) and paid in a run today."""
    resident.display_name = "Rose Resident"
    resident.save()
    signup = SignUpFactory(resident=resident, opportunity=OpportunityFactory(project=project))
    return make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner, signup=signup)


@pytest.fixture
def approved(make_claim, other_resident, commissioner):
    """Omar's claim: approved, not paid."""
    other_resident.display_name = "Omar Other"
    other_resident.save()
    return make_claim(other_resident, status=Claim.Status.APPROVED, reviewer=commissioner)


class TestWhatAFinanceOfficerSees:
    def test_it_lists_every_entry_newest_first_with_its_claim_person_and_run(
        self, client, commissioner, paid
    ):
        client.force_login(commissioner)

        response = client.get(LEDGER)

        page = response.content.decode()
        rows = _rows(page)
        assert len(rows) == 6  # approval: fee and expenses; payment: both sides of each
        run = PaymentRun.objects.get()
        # The payment came last, so it is first; its two sides in the order written.
        assert rows[0].startswith(f"{timezone.localdate():%-d %b %Y} {paid.reference}")
        assert "Rose Resident" in rows[0] and "Short breaks for carers" in rows[0]
        assert "Payment: expenses Paid out" in rows[0] and "£4.60" in rows[0]
        assert run.reference in rows[0] and str(commissioner) in rows[0]
        assert "Payment: expenses Owed to the person" in rows[1] and "-£4.60" in rows[1]
        assert "Approval: fee Owed to the person" in rows[5] and "£40" in rows[5]
        assert run.reference not in rows[5]
        # Negative amounts stand out, and not by colour alone.
        assert "<strong>-£4.60</strong>" in page
        assert f'href="{paid.get_absolute_url()}"' in page
        assert f'href="{run.get_absolute_url()}"' in page

    def test_totals_above_the_table_are_per_account(self, client, commissioner, paid, approved):
        client.force_login(commissioner)

        page = client.get(LEDGER).content.decode()

        # Omar's £44.60 is still owed; Rose's £44.60 was owed and then paid out.
        assert _totals(page) == {"Owed to the person": "£44.60", "Paid out": "£44.60"}
        assert "Totals for the 8 entries chosen" in page
        assert page.index('id="totals-heading"') < page.index('id="entries-caption"')

    def test_entries_on_other_dates_come_in_date_order(self, client, commissioner, paid):
        claim = paid
        for days, note in ((30, "a month ago"), (1, "yesterday")):
            LedgerEntry.objects.create(
                kind="correction",
                account="owed",
                component="fee",
                amount_pence=100,
                claim=claim,
                person_id=claim.claimant_id,
                effective_on=timezone.localdate() - timedelta(days=days),
                note=note,
                created_by=commissioner,
            )
        client.force_login(commissioner)

        rows = _rows(client.get(LEDGER).content.decode())

        assert "yesterday" in rows[-2] and "a month ago" in rows[-1]

    def test_an_erased_person_shows_as_erased(self, client, commissioner, paid, resident):
        account_privacy.erase(resident)
        client.force_login(commissioner)

        page = client.get(LEDGER).content.decode()

        assert "Rose Resident" not in page
        assert "Erased person" in _rows(page)[0]

    def test_pages_hold_fifty_entries_and_a_page_too_far_shows_the_last(
        self, client, commissioner, staff
    ):
        run = PaymentRun.objects.create(created_by=commissioner, status="paid")
        add_claims(30, start=0, creator=staff, run=run)  # 5 approved, 10 paid: 70 entries
        client.force_login(commissioner)

        first = client.get(LEDGER).content.decode()
        last = client.get(LEDGER, {"page": 999}).content.decode()

        assert len(_rows(first)) == 50 and len(_rows(last)) == 20
        assert "Ledger (page 2)" in last
        assert "Totals for the 70 entries chosen" in first


class TestFilters:
    def test_a_claim_reference_shows_that_claims_entries_only(
        self, client, commissioner, paid, approved
    ):
        client.force_login(commissioner)

        page = client.get(LEDGER, {"search": approved.reference.lower()}).content.decode()

        rows = _rows(page)
        assert len(rows) == 2 and all(approved.reference in row for row in rows)
        assert _totals(page) == {"Owed to the person": "£44.60", "Paid out": "£0"}
        assert f'value="{approved.reference.lower()}"' in page  # kept as typed

    def test_a_name_matches_as_the_claims_queue_does(self, client, commissioner, paid, approved):
        client.force_login(commissioner)

        rows = _rows(client.get(LEDGER, {"search": "omar"}).content.decode())

        assert len(rows) == 2 and all("Omar Other" in row for row in rows)

    def test_kind_account_and_dates(self, client, commissioner, paid, approved):
        today = timezone.localdate()
        client.force_login(commissioner)

        payments = client.get(LEDGER, {"kind": "payment", "account": "paid"}).content.decode()
        none_yet = client.get(
            LEDGER, {"to_date": f"{today - timedelta(days=1):%d/%m/%Y}"}
        ).content.decode()
        today_only = client.get(
            LEDGER, {"from_date": f"{today:%d/%m/%Y}", "to_date": f"{today:%d/%m/%Y}"}
        ).content.decode()

        assert len(_rows(payments)) == 2
        assert _totals(payments) == {"Owed to the person": "£0", "Paid out": "£44.60"}
        assert "No entries match the filters." in none_yet
        assert len(_rows(today_only)) == 8

    def test_project_and_payment_run(self, client, commissioner, paid, approved):
        run = PaymentRun.objects.get()
        client.force_login(commissioner)

        by_project = client.get(LEDGER, {"project": "short breaks"}).content.decode()
        by_run = client.get(LEDGER, {"payment_run": f"pr{run.pk}"}).content.decode()

        assert len(_rows(by_project)) == 6
        assert all(paid.reference in row for row in _rows(by_project))
        assert len(_rows(by_run)) == 4
        assert _totals(by_run) == {"Owed to the person": "-£44.60", "Paid out": "£44.60"}

    def test_a_tax_year_keeps_to_its_own_entries(self, client, commissioner, paid):
        this_year = tax_year_for(timezone.localdate())
        last_year_day = date(this_year, 4, 5)  # the last day of the tax year before
        LedgerEntry.objects.create(
            kind="correction",
            account="owed",
            component="fee",
            amount_pence=-500,
            claim=paid,
            person_id=paid.claimant_id,
            effective_on=last_year_day,
            created_by=commissioner,
        )
        client.force_login(commissioner)

        now = client.get(LEDGER, {"tax_year": this_year}).content.decode()
        before = client.get(LEDGER, {"tax_year": this_year - 1}).content.decode()

        assert len(_rows(now)) == 6
        assert _rows(before)[0].startswith(f"5 Apr {this_year} {paid.reference}")
        assert _totals(before) == {"Owed to the person": "-£5", "Paid out": "£0"}
        assert f"in the tax year 6 April {this_year - 1} to 5 April {this_year}" in before

    def test_one_person_by_link_says_who_and_can_be_taken_off(
        self, client, commissioner, paid, approved
    ):
        client.force_login(commissioner)

        page = client.get(LEDGER, {"person": approved.claimant_id}).content.decode()

        assert len(_rows(page)) == 2
        assert "Showing entries for Omar Other only" in page
        assert 'href="/payments/ledger/?">Show entries for everyone' in page


class TestBadFilters:
    @pytest.mark.parametrize(
        "params,message",
        [
            ({"from_date": "31/2/2026"}, "From date must be a real date, for example 27/3/2026"),
            (
                {"from_date": "2/3/2026", "to_date": "1/3/2026"},
                "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date",
            ),
            ({"payment_run": "zzz"}, "Enter a payment run reference, like PR-0002"),
            ({"tax_year": "1999"}, "Choose a tax year from the list"),
            ({"kind": "refund"}, "Choose a kind of entry from the list"),
            ({"account": "bank"}, "Choose an account from the list"),
            ({"person": "99999999999999999999999"}, "We could not find the person"),
            ({"search": "Rose\x01"}, "not ordinary text"),
        ],
    )
    def test_it_says_what_is_wrong_keeps_what_was_typed_and_shows_no_figures(
        self, client, commissioner, paid, params, message
    ):
        client.force_login(commissioner)

        response = client.get(LEDGER, params)

        page = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in page and message in page
        assert page.count("govuk-error-summary__list") == 1
        assert "<title>Error: Ledger" in page
        assert 'id="entries-caption"' not in page and 'id="totals-heading"' not in page
        for name, value in params.items():
            if name in ("from_date", "to_date", "payment_run"):
                assert f'value="{value}"' in page

    def test_a_csv_with_bad_filters_is_refused(self, client, commissioner, paid):
        client.force_login(commissioner)

        response = client.get(LEDGER_CSV, {"from_date": "not a date"})

        assert response.status_code == 400
        assert "correct the filters" in response.content.decode()


class TestCsv:
    def test_it_has_the_same_columns_with_amounts_in_pounds(self, client, commissioner, paid):
        run = PaymentRun.objects.get()
        client.force_login(commissioner)

        response = client.get(LEDGER_CSV)

        rows = _csv(response)
        assert rows[0] == [
            "Date",
            "Claim",
            "Person",
            "Project",
            "Kind",
            "Account",
            "Component",
            "Amount (£)",
            "Payment run",
            "Made by",
            "Note",
        ]
        today = timezone.localdate().isoformat()
        assert rows[1] == [
            today,
            paid.reference,
            "Rose Resident",
            "Short breaks for carers",
            "Payment",
            "Paid out",
            "Expenses",
            "4.60",
            run.reference,
            str(commissioner),
            "",
        ]
        assert rows[2][5:8] == ["Owed to the person", "Expenses", "-4.60"]  # stays a number
        assert rows[-1][4:9] == ["Approval", "Owed to the person", "Fee", "40.00", ""]
        assert len(rows) == 7
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"] == 'attachment; filename="ledger-all-dates.csv"'

    def test_it_holds_the_filtered_entries_and_names_the_dates(
        self, client, commissioner, paid, approved
    ):
        today = timezone.localdate()
        client.force_login(commissioner)

        response = client.get(
            LEDGER_CSV,
            {"search": "Omar", "from_date": "1/4/2020", "to_date": f"{today:%d/%m/%Y}"},
        )

        rows = _csv(response)
        assert len(rows) == 3 and {row[1] for row in rows[1:]} == {approved.reference}
        assert response["Content-Disposition"] == (
            f'attachment; filename="ledger-from-2020-04-01-to-{today:%Y-%m-%d}.csv"'
        )

    def test_the_tax_year_is_in_the_file_name(self, client, commissioner, paid):
        year = tax_year_for(timezone.localdate())
        client.force_login(commissioner)

        response = client.get(LEDGER_CSV, {"tax_year": year, "from_date": f"6/4/{year}"})

        assert response["Content-Disposition"] == (
            f'attachment; filename="ledger-from-{year}-04-06-tax-year-{year}-to-{year + 1}.csv"'
        )
        assert len(_csv(response)) == 7

    def test_text_that_could_run_as_a_formula_is_made_safe(self, client, commissioner, approved):
        approved.claimant.display_name = "=cmd|' /C calc'!A0"
        approved.claimant.save()
        services.withdraw_approval(approved, by=commissioner, reason='=HYPERLINK("x")')
        client.force_login(commissioner)

        rows = _csv(client.get(LEDGER_CSV, {"kind": "reversal"}))

        assert {row[2] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
        assert {row[10] for row in rows[1:]} == {'\'=HYPERLINK("x")'}
        assert {row[7] for row in rows[1:]} == {"-40.00", "-4.60"}


class TestWhoMaySeeIt:
    @pytest.mark.parametrize("url", [LEDGER, LEDGER_CSV])
    def test_residents_and_staff_are_refused_and_visitors_sent_to_sign_in(
        self, client, resident, staff, url
    ):
        assert client.get(url).url.startswith(reverse("account_login"))
        for person in (resident, staff):
            client.force_login(person)
            assert client.get(url).status_code == 403

    @pytest.mark.parametrize("url", [LEDGER, LEDGER_CSV])
    def test_commissioners_and_admins_may(self, client, commissioner, admin_user, url):
        for person in (commissioner, admin_user):
            client.force_login(person)
            assert client.get(url).status_code == 200


class TestTheWayIn:
    def test_the_reports_and_the_claims_queue_link_to_it(self, client, commissioner):
        client.force_login(commissioner)

        for name in ("payments:reports", "payments:report_owed", "payments:review"):
            page = client.get(reverse(name)).content.decode()
            assert f'href="{LEDGER}"' in page, name

        ledger = client.get(LEDGER).content.decode()
        assert f'href="{LEDGER}" aria-current="page"' in ledger

    def test_a_claims_page_links_to_its_entries(self, client, commissioner, approved):
        client.force_login(commissioner)

        page = client.get(approved.get_absolute_url()).content.decode()

        link = f"{LEDGER}?search={approved.reference}"
        assert f'href="{link}">See this claim in the ledger' in page
        rows = _rows(client.get(link).content.decode())
        assert len(rows) == 2 and all(approved.reference in row for row in rows)

    def test_the_person_claiming_sees_no_ledger_link(self, client, approved):
        client.force_login(approved.claimant)

        page = client.get(approved.get_absolute_url()).content.decode()

        assert "See this claim in the ledger" not in page

    def test_a_persons_row_on_the_people_report_opens_their_paid_entries_for_that_year(
        self, client, commissioner, paid, approved
    ):
        year = tax_year_for(timezone.localdate())
        client.force_login(commissioner)

        page = client.get(reverse("payments:report_people"), {"tax_year": year})

        link = f"{LEDGER}?person={paid.claimant_id}&amp;account=paid&amp;tax_year={year}"
        assert f'href="{link}">Rose Resident' in page.content.decode()
        ledger = client.get(link.replace("&amp;", "&")).content.decode()
        assert _totals(ledger) == {"Owed to the person": "£0", "Paid out": "£44.60"}
        assert len(_rows(ledger)) == 2

    def test_a_persons_row_on_the_owed_report_opens_what_they_are_owed(
        self, client, commissioner, paid, approved
    ):
        client.force_login(commissioner)

        page = client.get(reverse("payments:report_owed")).content.decode()

        link = f"{LEDGER}?person={approved.claimant_id}&amp;account=owed"
        assert f'href="{link}">Omar Other' in page
        ledger = client.get(link.replace("&amp;", "&")).content.decode()
        assert _totals(ledger) == {"Owed to the person": "£44.60", "Paid out": "£0"}


class TestQueries:
    PAGES = [
        {},
        {"page": "2"},
        {"search": "person 1"},
        {"search": "CL-00009"},
        {"project": "project", "kind": "payment", "tax_year": ""},
        {"account": "owed", "from_date": "1/1/2020"},
        {"payment_run": "PR-0001"},
    ]

    def _count_all(self, client, django_assert_max_num_queries, limit):
        for params in self.PAGES:
            with django_assert_max_num_queries(limit):
                assert client.get(LEDGER, params).status_code == 200
        with django_assert_max_num_queries(limit):
            response = client.get(LEDGER_CSV)
            rows = _csv(response)
        return len(rows)

    def test_the_same_few_queries_for_few_entries_and_many(
        self, client, commissioner, staff, django_assert_max_num_queries
    ):
        run = PaymentRun.objects.create(created_by=commissioner, status="paid")
        add_claims(6, start=0, creator=staff, run=run)
        person = UserFactory()
        client.force_login(commissioner)
        client.get(LEDGER)  # warm up: session, content types
        # Session and person, the tax years offered, people or projects matched, the
        # totals, the page's ids, its rows.
        few = self._count_all(client, django_assert_max_num_queries, 7)

        add_claims(300, start=6, creator=staff, run=run)
        many = self._count_all(client, django_assert_max_num_queries, 7)

        assert many > few + 500
        with django_assert_max_num_queries(7):
            client.get(LEDGER, {"person": person.pk})
