"""The GOV.UK date input (day, month and year boxes): one message for each bad date, in
GOV.UK's words, what was typed kept, and the error summary linking to a box that can take
focus."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from coprod_hub.lib.forms import DateInputField
from payments.models import ExpenseRule, FeeRate
from projects.models import Project
from tests.projects.factories import ServiceAreaFactory, project_post_data

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The error summary's links, and every input by id."""

    def __init__(self, html):
        super().__init__()
        self.links = []  # (href, text) in the error summary
        self.inputs = {}
        self._depth_in_summary = 0
        self._href = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "id" in attrs:
            self.inputs[attrs["id"]] = attrs
        if "govuk-error-summary" in (attrs.get("class") or "").split():
            self._depth_in_summary = 1
        elif self._depth_in_summary and tag not in ("input", "br"):
            self._depth_in_summary += 1
        if self._depth_in_summary and tag == "a":
            self._href = attrs.get("href")
            self.links.append([self._href, ""])

    def handle_endtag(self, tag):
        if self._depth_in_summary:
            self._depth_in_summary -= 1
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href is not None and self.links:
            self.links[-1][1] += data

    def summary(self):
        return [(href, " ".join(text.split())) for href, text in self.links]

    def invalid_boxes(self, name):
        """The boxes a screen reader announces as wrong."""
        return [
            index
            for index in range(3)
            if self.inputs[f"id_{name}_{index}"].get("aria-invalid") == "true"
        ]

    def red_boxes(self, name):
        return [
            index
            for index in range(3)
            if "govuk-input--error" in self.inputs[f"id_{name}_{index}"].get("class", "")
        ]

    def typed(self, name):
        return [self.inputs[f"id_{name}_{index}"].get("value", "") for index in range(3)]


class DatesForm(forms.Form):
    optional = DateInputField(label="End date", required=False)
    needed = DateInputField(label="Date paid", subject="The date paid")


def errors_for(day, month, year):
    typed = {"0": day, "1": month, "2": year}
    data = {f"{name}_{i}": text for name in ("optional", "needed") for i, text in typed.items()}
    form = DatesForm(data)
    form.is_valid()
    return form.errors.get("optional"), form.errors.get("needed")


@pytest.mark.parametrize(
    ("typed", "optional", "needed"),
    [
        (("", "4", "2026"), "End date must include a day", "The date paid must include a day"),
        (("1", "", "2026"), "End date must include a month", None),
        (("1", "4", ""), "End date must include a year", None),
        (("", "", "2026"), "End date must include a day and month", None),
        (("1", "", ""), "End date must include a month and year", None),
        (("x", "", "26"), "End date must include a month", None),
        (("31", "2", "2030"), "End date must be a real date", "The date paid must be a real date"),
        (("1", "13", "2026"), "End date must be a real date", None),
        (("0", "4", "2026"), "End date must be a real date", None),
        (("x", "4", "2026"), "End date must be a real date", None),
        (("1", "April", "2026"), "End date must be a real date", None),
        (("1", "4", "twenty"), "End date must be a real date", None),
        (("99999999999", "4", "2026"), "End date must be a real date", None),
        (("1", "4", "1066"), "End date must be a real date", None),
        (("1", "4", "26"), "End date must include a year with 4 numbers", None),
        (("1", "4", "202"), "End date must include a year with 4 numbers", None),
        (("1", "4", "20260"), "End date must be a real date", None),
        (("1", "4", "9223372036854775808"), "End date must be a real date", None),
    ],
)
def test_a_bad_date_gets_one_message_saying_what_is_wrong(typed, optional, needed):
    optional_errors, needed_errors = errors_for(*typed)
    assert optional_errors == [optional]
    assert needed_errors == [needed or optional.replace("End date", "The date paid")]


def test_all_empty_is_an_error_only_when_the_date_is_needed():
    optional_errors, needed_errors = errors_for("", "", "")
    assert optional_errors is None
    assert needed_errors == ["Enter the date paid"]


def test_a_real_date_with_spaces_and_leading_zeros_is_taken():
    form = DatesForm({"needed_0": " 05 ", "needed_1": "04", "needed_2": "2026 "})
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["needed"]) == "2026-04-05"
    assert form.cleaned_data["optional"] is None


def test_a_form_that_words_its_own_message_keeps_it():
    field = DateInputField(label="Starts on", error_messages={"invalid": "Enter a real date"})
    field.error_messages["incomplete"] = "Give the whole date"
    with pytest.raises(forms.ValidationError) as bad:
        field.clean(["31", "2", "2030"])
    assert bad.value.messages == ["Enter a real date"]
    with pytest.raises(forms.ValidationError) as incomplete:
        field.clean(["", "2", "2030"])
    assert incomplete.value.messages == ["Give the whole date"]


@pytest.fixture
def carers(db):
    return ServiceAreaFactory(name="Carers", slug="carers")


@pytest.mark.parametrize(
    ("typed", "message", "link", "red"),
    [
        # The audit's example: several things wrong, one message, about the first of them.
        (("x", "", "26"), "End date must include a month", "#id_end_date_1", [1]),
        (("", "", "2027"), "End date must include a day and month", "#id_end_date_0", [0, 1]),
        (("31", "2", "2027"), "End date must be a real date", "#id_end_date_0", [0, 1, 2]),
        (("1", "4", "27"), "End date must include a year with 4 numbers", "#id_end_date_2", [2]),
    ],
)
def test_the_project_form_shows_one_message_linked_to_a_box_and_keeps_what_was_typed(
    client, staff, carers, typed, message, link, red
):
    client.force_login(staff)
    day, month, year = typed
    data = project_post_data(carers, staff, end_date_0=day, end_date_1=month, end_date_2=year)

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 200
    page = _Page(response.text)
    assert page.summary() == [(link, message)]
    assert response.text.count(message) == 2  # the summary and above the boxes
    assert page.typed("end_date") == list(typed)
    assert page.red_boxes("end_date") == red
    assert page.invalid_boxes("end_date") == red  # announced wrong only where outlined
    assert page.red_boxes("start_date") == page.invalid_boxes("start_date") == []
    assert not Project.objects.exists()


def test_an_error_about_the_whole_date_links_to_the_day_box(client, staff, carers):
    """The date's own id is on a <div>, which cannot take focus: the link goes nowhere."""
    client.force_login(staff)
    data = project_post_data(carers, staff, end_date_2="2025")

    response = client.post(reverse("projects:create"), data)

    page = _Page(response.text)
    assert page.summary() == [
        ("#id_end_date_0", "The end date must be the same as or after the start date")
    ]
    assert "id_end_date_0" in page.inputs


def test_other_fields_keep_their_links(client, staff, carers):
    client.force_login(staff)
    data = project_post_data(carers, staff, title="", level="", start_date_1="13")

    page = _Page(client.post(reverse("projects:create"), data).text)

    assert page.summary() == [
        ("#id_title", "Enter the project name"),
        ("#id_level_1", "Choose the level"),
        ("#id_start_date_0", "Start date must be a real date"),
    ]


def test_empty_project_dates_are_fine(client, staff, carers):
    client.force_login(staff)
    data = project_post_data(carers, staff, **{f"end_date_{i}": "" for i in range(3)})

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 302
    assert Project.objects.get().end_date is None


@pytest.mark.parametrize(
    ("address", "data"),
    [
        ("payments:add_fee_rate", {"basis": "half_day", "amount": "50"}),
        ("payments:add_expense_rule", {"category": "parking", "allowed": "yes"}),
    ],
)
@pytest.mark.parametrize(
    ("typed", "message", "link"),
    [
        (("31", "2", "2030"), "Enter a real date, like 27 3 2026", "#id_starts_on_0"),
        (("a", "b", "c"), "Enter a real date, like 27 3 2026", "#id_starts_on_0"),
        (("1", "", "2030"), "The start date must include a month", "#id_starts_on_1"),
        (("1", "6", "30"), "The start date must include a year with 4 numbers", "#id_starts_on_2"),
        (("", "", ""), "Enter the start date", "#id_starts_on_0"),
    ],
)
def test_the_policy_forms_show_one_message_for_a_bad_start_date(
    client, commissioner, address, data, typed, message, link
):
    client.force_login(commissioner)
    data = data | {"receipt_rule": "always"} | {f"starts_on_{i}": t for i, t in enumerate(typed)}

    response = client.post(reverse(address), data)

    assert response.status_code == 200
    page = _Page(response.text)
    assert page.summary() == [(link, message)]
    assert page.typed("starts_on") == list(typed)
    assert not FeeRate.objects.exists()
    assert not ExpenseRule.objects.exists()
