"""Shared pieces of the participation forms: UK dates and times, and the GOV.UK layout."""

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from coprod_hub.lib.forms import DateInputField
from notifications.channels import notify_configured

from ..models import Profile, SignUp

UK = ZoneInfo("Europe/London")
DATE_HINT = "For example, 27/3/2026"
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
BAD_DATE = "Enter a real date, for example 27/3/2026"


def bad_date(label=None) -> str:
    """The message for a date that is not real. With two dates on a page ("From date", "To
    date") the message must say which box is wrong, so it names the box."""
    if not label:
        return BAD_DATE
    return f"{label} must be a real date, for example 27/3/2026"


def contact_by_choices() -> list[tuple[str, str]]:
    """The ways people may ask us to contact them. Text messages only while GOV.UK Notify is
    set up: without it notifications.services.choose_channel sends email (or puts the person on
    the staff call list) instead, so offering texts would be a promise we silently break.
    Read each time a form is made, not at import, so a change of settings shows at once."""
    return [
        (value, label)
        for value, label in Profile.ContactBy.choices
        if value != Profile.ContactBy.TEXT or notify_configured()
    ]


def gds_helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


def joining_field(label, required_message) -> forms.ChoiceField:
    """How someone will join a hybrid session (SignUp.joining): in person or online."""
    return forms.ChoiceField(
        label=label,
        choices=[
            (SignUp.Joining.IN_PERSON, "In person"),
            (SignUp.Joining.ONLINE, "Online"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


def joining_layout():
    return Field.radios("joining", legend_size=Size.MEDIUM)


class UKDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("error_messages", {"invalid": bad_date(kwargs.get("label"))})
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        # "27 / 3 / 2026" and "27/03/2026 " are both fine.
        if isinstance(value, str):
            value = re.sub(r"\s*([/.-])\s*", r"\1", value.strip())
            value = re.sub(r"\s+", " ", value)
        value = super().to_python(value)
        # The same years as the hub's other date fields (coprod_hub.lib.forms.DateInputField):
        # year 1 or 9999 is a slip of the keyboard, and arithmetic on it overflows later.
        if (
            value is not None
            and not DateInputField.MIN_YEAR <= value.year <= DateInputField.MAX_YEAR
        ):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def written_date(day) -> str:
    """A date as UKDateField's hint shows it: 27/3/2026."""
    return f"{day.day}/{day.month}/{day.year}"


class ClockTimeField(forms.Field):
    """A time of day: "10:00", "10.30", "14:30", "2pm", "2:30pm"."""

    default_error_messages = {"invalid": "Enter a time, for example 10:00 or 2:30pm"}
    _pattern = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")
    _WORDS = {"midday": time(12), "noon": time(12), "midnight": time(0)}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-5"}))
        kwargs.setdefault("help_text", "For example, 10:00 or 2:30pm")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        typed = str(value).strip().lower().replace(" ", "")
        if typed in self._WORDS:  # the hub itself writes "midday" and "midnight"
            return self._WORDS[typed]
        match = self._pattern.match(typed)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
        if meridiem:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        elif match[2] is None:
            # "14" alone is ambiguous enough to ask again.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return time(hour, minute)


def uk_datetime(day, clock) -> datetime:
    """A UK wall-clock date and time as an aware datetime (handles the clock changes)."""
    return datetime.combine(day, clock, tzinfo=UK)
