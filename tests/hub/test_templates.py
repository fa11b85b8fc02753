"""Rules every template keeps, checked by reading the files."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\".*?</form>", re.S | re.I)
# GOV.UK Frontend's button script does the ignoring, so it applies to its buttons.
BUTTON = re.compile(r"<button\b[^>]*data-module=\"govuk-button\"[^>]*>", re.S)


def test_every_button_that_sends_a_form_ignores_a_double_click():
    """A double click must not send a claim, an update or a sign-up twice. The services also
    refuse repeats; this keeps people from seeing an error for a click they did not mean."""
    unguarded = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in POST_FORM.findall(path.read_text()):
            for button in BUTTON.findall(form):
                if 'data-prevent-double-click="true"' not in button:
                    unguarded.append(f"{path.relative_to(TEMPLATES)}: {button}")
    assert unguarded == []


def test_number_web_address_and_date_boxes_get_the_govuk_input_style():
    from crispy_forms.utils import render_crispy_form
    from django import forms

    class Boxes(forms.Form):
        days = forms.IntegerField(label="Days")
        web = forms.URLField(label="Web address", assume_scheme="https")
        day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))

    html = render_crispy_form(Boxes())

    for name in ["days", "web", "day"]:
        (box,) = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert re.search(r'class="[^"]*\bgovuk-input\b', box), box


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("2.50"), "2.5 hours"),
        (Decimal("2.00"), "2 hours"),
        (1, "1 hour"),
        (0.75, "0.75 hours"),
    ],
)
def test_lengths_of_time_are_written_as_people_write_them(value, written):
    from coprod_hub.templatetags.hub import hours

    assert hours(value) == written


def test_no_short_comment_runs_onto_a_second_line():
    """Django ends a {# #} comment at the end of its line: one that runs on is printed on the
    page, as the directory's note about phones once was, above its filters. Longer notes use
    {% comment %}."""
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert unclosed == []
