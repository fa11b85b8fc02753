"""Follow-up questions sit under the answer they belong to and show only once it is chosen
(the GOV.UK conditional reveal, shown and hidden by frontend/hub.mjs). Without JavaScript
they all show, so the server still checks."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from payments import services
from payments.models import Claim, ExpenseCategory, ExpenseRule

pytestmark = pytest.mark.django_db

_VOID = {"input", "br", "img", "hr", "meta", "link"}


class _Page(HTMLParser):
    """Radios and what each one reveals: {(name, value): (hidden, [input names inside])}."""

    def __init__(self):
        super().__init__()
        self.controls = {}  # reveal's id -> (radio name, value)
        self.reveals = {}
        self.input_names = []
        self._open = None  # (key, depth) while inside a reveal

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.input_names.append(attrs.get("name"))
            if "data-hub-controls" in attrs:
                self.controls[attrs["data-hub-controls"]] = (attrs["name"], attrs["value"])
        if self._open:
            key, depth = self._open
            if tag == "input":
                self.reveals[key][1].append(attrs.get("name"))
            if tag not in _VOID:
                self._open = (key, depth + 1)
        elif attrs.get("id") in self.controls:
            key = self.controls[attrs["id"]]
            hidden = "govuk-radios__conditional--hidden" in attrs.get("class", "")
            assert "govuk-radios__conditional" in attrs.get("class", "")
            self.reveals[key] = (hidden, [])
            self._open = (key, 1)

    def handle_endtag(self, tag):
        if self._open:
            key, depth = self._open
            self._open = (key, depth - 1) if depth > 1 else None


def _read(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def claim(attended, resident):
    return services.start_claim(attended, by=resident)


class TestPaymentDetails:
    def _url(self, claim):
        return reverse("payments:claim_details", args=[claim.pk])

    def test_the_paid_job_confirmation_shows_only_under_yes(self, client, resident, claim):
        client.force_login(resident)

        response = client.get(self._url(claim))

        page = _read(response)
        assert page.reveals == {
            ("payment_method", "voucher"): (True, ["voucher_delivery", "voucher_delivery"]),
            ("employed_by_partner", "yes"): (True, ["not_part_of_paid_job"]),
        }
        assert page.input_names.count("not_part_of_paid_job") == 1
        # Under "Yes" it needs no "If you answered yes" to say whom it is for.
        html = response.content.decode()
        assert "If you answered yes" not in html
        assert "I confirm this activity was not part of my paid job" in html

    def test_post_or_email_and_the_address_show_only_under_vouchers(self, client, resident, claim):
        client.force_login(resident)

        response = client.get(self._url(claim))

        html = response.content.decode()
        reveal = html.split('id="conditional-id_payment_method_2"', 1)[1].split(
            'id="id_payment_method_3"', 1
        )[0]
        assert "How do you want to get your vouchers?" in reveal
        assert 'name="postal_address"' in reveal
        assert html.count('name="postal_address"') == 1

    def test_it_is_open_when_the_answer_is_already_yes(self, client, resident, claim):
        services.update_claim_details(
            claim,
            by=resident,
            payment_method="bank_transfer",
            employed_by_partner=True,
            not_part_of_paid_job=True,
        )
        client.force_login(resident)

        page = _read(client.get(self._url(claim)))

        assert page.reveals[("employed_by_partner", "yes")] == (False, ["not_part_of_paid_job"])

    def test_yes_without_the_tick_is_still_refused_with_the_tick_box_in_view(
        self, client, resident, claim
    ):
        client.force_login(resident)

        response = client.post(
            self._url(claim), {"payment_method": "bank_transfer", "employed_by_partner": "yes"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "Confirm that this activity was not part of your paid job" in html
        assert 'href="#id_not_part_of_paid_job"' in html  # the error summary's link
        assert _read(response).reveals[("employed_by_partner", "yes")][0] is False
        assert Claim.objects.get(pk=claim.pk).employed_by_partner is None

    def test_a_tick_left_behind_after_changing_to_no_is_not_kept(self, client, resident, claim):
        client.force_login(resident)

        client.post(
            self._url(claim),
            {
                "payment_method": "bank_transfer",
                "employed_by_partner": "no",
                "not_part_of_paid_job": "on",
            },
        )

        claim.refresh_from_db()
        assert claim.employed_by_partner is False and claim.not_part_of_paid_job is False

    def test_each_question_is_a_heading_not_body_text(self, client, resident, claim):
        client.force_login(resident)

        html = client.get(self._url(claim)).content.decode()

        for question in (
            "How do you want to be paid?",
            "Do you work for the council or one of its partners?",
        ):
            assert f'<h2 class="govuk-fieldset__heading">{question}</h2>' in html
        assert html.count("govuk-fieldset__legend--m") == 2
        # Errors link to the first radio: that id must exist.
        assert 'id="id_payment_method_1"' in html and 'id="id_employed_by_partner_1"' in html


class TestExpenseForm:
    def _url(self, claim):
        return reverse("payments:expense_add", args=[claim.pk])

    def test_miles_show_only_under_mileage_and_who_agreed_only_under_taxi(
        self, client, resident, claim
    ):
        client.force_login(resident)

        page = _read(client.get(self._url(claim)))

        assert page.reveals == {
            ("category", "mileage"): (True, ["miles"]),
            ("category", "taxi"): (True, ["agreed_with"]),
        }
        # How much it cost is asked of every kind, so it sits below them all.
        assert page.input_names.count("amount") == 1
        assert page.input_names.count("miles") == 1

    def test_a_mistake_in_the_miles_keeps_them_in_view(self, client, resident, claim):
        client.force_login(resident)

        response = client.post(self._url(claim), {"category": "mileage", "miles": "lots"})

        assert "Enter miles as a number" in response.content.decode()
        assert _read(response).reveals[("category", "mileage")] == (False, ["miles"])

    def test_if_several_kinds_need_agreement_it_is_asked_below_them_all(
        self, client, resident, claim
    ):
        ExpenseRule.objects.create(
            category=ExpenseCategory.PARKING,
            starts_on=date(2021, 4, 1),
            cap_pence=1000,
            receipt_rule="never",
            needs_prior_agreement=True,
        )
        client.force_login(resident)

        page = _read(client.get(self._url(claim)))

        assert page.reveals == {("category", "mileage"): (True, ["miles"])}
        assert page.input_names.count("agreed_with") == 1

    def test_if_no_kind_needs_agreement_it_is_not_asked(self, client, resident, claim):
        ExpenseRule.objects.create(
            category=ExpenseCategory.TAXI,
            starts_on=date(2021, 4, 1),
            cap_pence=4000,
            receipt_rule="always",
            needs_prior_agreement=False,
        )
        client.force_login(resident)

        page = _read(client.get(self._url(claim)))

        assert "agreed_with" not in page.input_names
        assert page.reveals == {("category", "mileage"): (True, ["miles"])}
