"""The commissioners' policy forms: an amount per mile in pounds that a slip cannot turn into
£5 a mile; a new expense rule that starts from the rule in force and shows what changes
before it is saved; every problem with a fee rate listed at once; and messages that say
what was saved, in the hub's words."""

import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import ExpenseRule, FeeRate

pytestmark = pytest.mark.django_db

ADD_RULE = reverse("payments:add_expense_rule")
ADD_RATE = reverse("payments:add_fee_rate")
POLICY = reverse("payments:policy")


def _date(name: str, day: date) -> dict:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


class _PostForm(HTMLParser):
    """What a browser would send from the page's post form as it stands: typed values,
    chosen radios, ticked boxes and hidden fields. Buttons are left out (pass one in)."""

    def __init__(self, html):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = True
        if not self._in_form or tag != "input" or not attrs.get("name"):
            return
        kind = attrs.get("type", "text")
        if kind in ("radio", "checkbox") and "checked" not in attrs:
            return
        if kind == "checkbox":
            self.fields[attrs["name"]] = attrs.get("value") or "on"
        else:
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def _text(response) -> str:
    """The page's words, as someone reads them."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _error_messages(response) -> list[str]:
    """The messages shown beside the boxes (not the summary), as a screen reader reads them."""
    found = re.findall(
        r'class="govuk-error-message"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span>'
        r"([^<]*)",
        response.content.decode(),
    )
    return [f"Error: {' '.join(unescape(message).split())}" for message in found]


@pytest.fixture
def signed_in(client, commissioner, policy):
    client.force_login(commissioner)
    return client


# --- A. The amount per mile --------------------------------------------------------------


def test_the_mileage_box_asks_for_an_amount_per_mile_in_pounds(signed_in):
    response = signed_in.get(ADD_RULE, {"category": "mileage"})

    text = _text(response)
    assert "Amount per mile" in text
    assert "For example 0.45 for 45p" in text
    assert "Pence per mile" not in text
    html = response.content.decode()
    box = html.index('name="rate_per_mile"')
    assert 'class="govuk-input__prefix" aria-hidden="true">£</div>' in html[box - 200 : box]
    assert 'value="0.45"' in html[box : box + 300]  # the rate in force, in pounds


def test_only_mileage_is_asked_for_an_amount_per_mile(signed_in):
    response = signed_in.get(ADD_RULE, {"category": "parking"})

    assert 'name="rate_per_mile"' not in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "read_back"), [("5", "£5.00"), ("45", "£45.00"), ("2.01", "£2.01")]
)
def test_an_amount_per_mile_typed_in_pence_is_refused_with_the_amount_read_back(
    signed_in, typed, read_back
):
    response = signed_in.post(
        ADD_RULE,
        {
            "category": "mileage",
            "allowed": "yes",
            "rate_per_mile": typed,
            "receipt_rule": "never",
            **_date("starts_on", date(2030, 2, 1)),
        },
    )

    assert response.status_code == 200
    assert _error_messages(response) == [
        f"Error: Check the amount per mile: {read_back} a mile is more than we would expect. "
        "Enter an amount in pounds, for example 0.45"
    ]
    assert not ExpenseRule.objects.filter(starts_on=date(2030, 2, 1)).exists()


def test_two_pounds_a_mile_is_the_most_the_form_takes(signed_in):
    response = signed_in.post(
        ADD_RULE,
        {
            "category": "mileage",
            "allowed": "yes",
            "rate_per_mile": "2",
            "receipt_rule": "never",
            **_date("starts_on", date(2030, 2, 1)),
        },
    )

    assert "Check the new rule before saving" in _text(response)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the amount per mile, for example 0.45"),
        ("45p", "Enter the amount per mile in pounds, for example 0.45"),
        ("0", "Enter an amount more than £0"),
    ],
)
def test_each_problem_with_the_amount_per_mile_gets_one_message(signed_in, typed, message):
    response = signed_in.post(
        ADD_RULE,
        {
            "category": "mileage",
            "allowed": "yes",
            "rate_per_mile": typed,
            "receipt_rule": "never",
            **_date("starts_on", date(2030, 2, 1)),
        },
    )

    assert _error_messages(response) == [f"Error: {message}"]


def test_a_bad_receipt_amount_gets_one_message(signed_in):
    response = signed_in.post(
        ADD_RULE,
        {
            "category": "parking",
            "allowed": "yes",
            "receipt_rule": "over",
            "receipt_over": "three",
            **_date("starts_on", date(2030, 2, 1)),
        },
    )

    assert _error_messages(response) == ["Error: Enter an amount in pounds, like 12.50"]


def _save_rule(client, **fields):
    """Send the rule form, then press "Save rule" on the check page."""
    checked = client.post(ADD_RULE, fields)
    assert "Check the new rule before saving" in _text(checked), _error_messages(checked)
    return client.post(ADD_RULE, _PostForm(checked.content.decode()).fields | {"send": "yes"})


def test_the_saved_message_says_the_amount_per_mile_and_the_date_in_words(signed_in):
    response = _save_rule(
        signed_in,
        category="mileage",
        allowed="yes",
        rate_per_mile="0.45",
        receipt_rule="never",
        **_date("starts_on", date(2030, 2, 1)),
    )

    assert response.status_code == 302
    page = _text(signed_in.get(response.url))
    assert "Mileage in your own vehicle: £0.45 a mile from 1 February 2030" in page
    rule = ExpenseRule.objects.get(starts_on=date(2030, 2, 1))
    assert rule.rate_per_mile_pence == 45


def test_the_saved_message_for_a_fee_rate_says_the_amount_and_the_date_in_words(signed_in):
    response = signed_in.post(
        ADD_RATE,
        {
            "basis": "per_hour",
            "amount": "22.50",
            **_date("starts_on", date(2030, 1, 1)),
            "send": "yes",
        },
    )

    page = _text(signed_in.get(response.url))
    assert "New fee rate saved: £22.50 an hour from 1 January 2030." in page
    assert "01 Jan" not in page and "Per hour from" not in page


def test_removing_a_planned_change_says_what_it_was_in_words(signed_in, commissioner):
    planned = services.add_fee_rate(
        by=commissioner, basis="half_day", amount_pence=5500, starts_on=date(2030, 4, 6)
    )

    response = signed_in.post(
        reverse("payments:remove_scheduled", args=["fees", planned.pk]), follow=True
    )

    assert "Planned change removed: £55 for a half day from 6 April 2030." in _text(response)


def test_planned_expense_changes_are_dated_in_words(signed_in, commissioner):
    services.add_expense_rule(
        by=commissioner, category="parking", starts_on=date(2030, 3, 1), cap_pence=1200
    )

    page = _text(signed_in.get(POLICY))

    assert "1 March 2030" in page and "1 Mar 2030" not in page


# --- B. A new rule starts from the rule in force, and shows what changes -----------------


def test_each_expense_on_the_policy_page_links_to_a_new_rule_that_starts_from_it(signed_in):
    html = signed_in.get(POLICY).content.decode()

    assert f'href="{ADD_RULE}?category=taxi">Change<span class="govuk-visually-hidden"> the ' in (
        html
    )


def test_choosing_the_expense_comes_first_and_says_its_rule_now(signed_in):
    page = _text(signed_in.get(ADD_RULE))

    assert "Which expense is the new rule for?" in page
    assert "Now: Up to £40 a session. Must be agreed with us before the money is spent." in page
    assert "There is a problem" not in page


def test_continuing_without_choosing_an_expense_says_so(signed_in):
    response = signed_in.get(ADD_RULE, {"chosen": "yes"})

    assert "Choose which expense this rule is for" in _text(response)
    assert response.content.decode().count('class="govuk-error-summary"') == 1


def test_the_rule_form_starts_from_the_rule_in_force(signed_in):
    fields = _PostForm(signed_in.get(ADD_RULE, {"category": "taxi"}).content.decode()).fields

    assert fields == {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "category": "taxi",
        "allowed": "yes",
        "cap": "40",
        "receipt_rule": "always",
        "receipt_over": "",
        "needs_prior_agreement": "on",
        "starts_on_0": "",
        "starts_on_1": "",
        "starts_on_2": "",
    }


def test_changing_one_number_keeps_the_rest_of_the_rule(signed_in):
    """The audit's parking rule: raising the cap kept "receipt needed over £3"."""
    ExpenseRule.objects.filter(category="parking").update(
        receipt_rule="over", receipt_over_pence=300
    )
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "parking"}).content.decode()).fields
    typed |= {"cap": "12", **_date("starts_on", date(2030, 3, 1))}

    response = _save_rule(signed_in, **typed)

    assert response.status_code == 302
    rule = ExpenseRule.objects.get(category="parking", starts_on=date(2030, 3, 1))
    assert (rule.cap_pence, rule.receipt_rule, rule.receipt_over_pence) == (1200, "over", 300)


def test_the_check_page_shows_what_changes_before_anything_is_saved(signed_in):
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "taxi"}).content.decode()).fields
    typed |= {"cap": "50", **_date("starts_on", date(2030, 3, 1))}
    del typed["needs_prior_agreement"]

    response = signed_in.post(ADD_RULE, typed)

    page = _text(response)
    assert "Check the new rule before saving" in page
    assert "What changes on 1 March 2030" in page
    assert "Part of the rule Now From 1 March 2030" in page
    assert "Most we pay for each session £40 £50" in page
    assert "Must be agreed with us before the money is spent Yes No" in page
    assert "Receipts Receipt needed Receipt needed" not in page  # unchanged: not listed
    assert not ExpenseRule.objects.filter(starts_on=date(2030, 3, 1)).exists()


def test_saving_from_the_check_page_saves_what_was_checked(signed_in, commissioner):
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "taxi"}).content.decode()).fields
    typed |= {"cap": "50", **_date("starts_on", date(2030, 3, 1))}
    del typed["needs_prior_agreement"]

    response = _save_rule(signed_in, **typed)

    assert response.status_code == 302
    rule = ExpenseRule.objects.get(category="taxi", starts_on=date(2030, 3, 1))
    assert (rule.cap_pence, rule.needs_prior_agreement, rule.receipt_rule) == (
        5000,
        False,
        "always",
    )
    assert rule.created_by == commissioner
    page = _text(signed_in.get(response.url))
    assert (
        "New expense rule saved: Taxi (agreed with us before the journey): up to £50 a session "
        "from 1 March 2030." in page
    )


def test_change_the_rule_goes_back_to_the_form_with_what_was_typed(signed_in):
    checked = signed_in.post(
        ADD_RULE,
        {
            "category": "taxi",
            "allowed": "yes",
            "cap": "55",
            "receipt_rule": "never",
            **_date("starts_on", date(2030, 3, 1)),
        },
    )
    fields = _PostForm(checked.content.decode()).fields | {"change": "yes"}

    response = signed_in.post(ADD_RULE, fields)

    back = _PostForm(response.content.decode()).fields
    assert (back["cap"], back["receipt_rule"], back["starts_on_0"]) == ("55", "never", "1")
    assert "needs_prior_agreement" not in back
    assert "There is a problem" not in _text(response)
    assert not ExpenseRule.objects.filter(starts_on=date(2030, 3, 1)).exists()


def test_a_rule_that_changes_nothing_is_pointed_out(signed_in):
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "taxi"}).content.decode()).fields
    typed |= _date("starts_on", date(2030, 3, 1))

    page = _text(signed_in.post(ADD_RULE, typed))

    assert "Nothing changes: this is the same as the rule in force today." in page


def test_a_new_rule_is_compared_with_a_planned_change_it_follows(signed_in, commissioner):
    services.add_expense_rule(
        by=commissioner,
        category="taxi",
        starts_on=date(2030, 1, 1),
        cap_pence=4500,
        receipt_rule="always",
        needs_prior_agreement=True,
    )
    form_page = signed_in.get(ADD_RULE, {"category": "taxi"})
    assert "Already planned from 1 January 2030: Up to £45 a session." in _text(form_page)
    typed = _PostForm(form_page.content.decode()).fields
    typed |= {"cap": "50", **_date("starts_on", date(2030, 3, 1))}

    page = _text(signed_in.post(ADD_RULE, typed))

    assert "Part of the rule Planned from 1 January 2030 From 1 March 2030" in page
    assert "Most we pay for each session £45 £50" in page


def test_a_new_rule_before_a_planned_change_says_the_planned_one_still_starts(
    signed_in, commissioner
):
    services.add_expense_rule(
        by=commissioner, category="taxi", starts_on=date(2031, 1, 1), cap_pence=4500
    )
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "taxi"}).content.decode()).fields
    typed |= {"cap": "50", **_date("starts_on", date(2030, 3, 1))}

    page = _text(signed_in.post(ADD_RULE, typed))

    assert "Most we pay for each session £40 £50" in page
    assert "The change already planned from 1 January 2031 still starts then" in page


def test_a_second_rule_on_the_same_day_is_refused_before_the_check_page(signed_in, commissioner):
    services.add_expense_rule(
        by=commissioner, category="taxi", starts_on=date(2030, 3, 1), cap_pence=4500
    )

    response = signed_in.post(
        ADD_RULE,
        {
            "category": "taxi",
            "allowed": "yes",
            "receipt_rule": "always",
            **_date("starts_on", date(2030, 3, 1)),
        },
    )

    assert _error_messages(response) == [
        "Error: There is already a rule for this expense starting on that day. Choose another date."
    ]


def test_stopping_paying_an_expense_shows_only_that(signed_in):
    typed = _PostForm(signed_in.get(ADD_RULE, {"category": "meals"}).content.decode()).fields
    typed |= {"allowed": "no", **_date("starts_on", date(2030, 3, 1))}

    page = _text(signed_in.post(ADD_RULE, typed))

    assert "Do we pay it? Yes No Everything else stays as it is." in page


def test_an_unknown_expense_goes_back_to_choosing_one(signed_in):
    response = signed_in.post(
        ADD_RULE, {"category": "yachts", "allowed": "yes", **_date("starts_on", date(2030, 3, 1))}
    )

    assert response.status_code == 200
    assert "Choose which expense this rule is for" in _text(response)
    assert ExpenseRule.objects.filter(starts_on=date(2030, 3, 1)).count() == 0


# --- C. Every problem with a fee rate at once ---------------------------------------------


def test_a_bad_amount_and_a_start_date_of_today_are_both_listed(signed_in):
    response = signed_in.post(
        ADD_RATE,
        {"basis": "per_hour", "amount": "22,50", **_date("starts_on", timezone.localdate())},
    )

    assert _error_messages(response) == [
        "Error: Enter an amount in pounds, like 12.50",
        "Error: The start date must be tomorrow or later",
    ]
    assert not FeeRate.objects.filter(amount_pence=2250).exists()


def test_a_second_rate_on_the_same_day_is_listed_with_a_bad_amount(signed_in, commissioner):
    day = timezone.localdate() + timedelta(days=30)
    services.add_fee_rate(by=commissioner, basis="per_hour", amount_pence=2300, starts_on=day)

    response = signed_in.post(
        ADD_RATE, {"basis": "per_hour", "amount": "lots", **_date("starts_on", day)}
    )

    assert _error_messages(response) == [
        "Error: Enter an amount in pounds, like 12.50",
        "Error: There is already a rate of this kind starting on that day. Choose another date.",
    ]


def test_an_expense_rule_starting_today_is_refused_with_the_other_problems(signed_in):
    response = signed_in.post(
        ADD_RULE,
        {
            "category": "mileage",
            "allowed": "yes",
            "rate_per_mile": "5",
            "receipt_rule": "never",
            **_date("starts_on", timezone.localdate()),
        },
    )

    assert len(_error_messages(response)) == 2
    assert "Error: The start date must be tomorrow or later" in _error_messages(response)


def test_a_rule_sent_with_no_expense_goes_back_to_choosing_one(signed_in):
    response = signed_in.post(ADD_RULE, {"allowed": "yes", **_date("starts_on", date(2030, 3, 1))})

    assert "Choose which expense this rule is for" in _text(response)
