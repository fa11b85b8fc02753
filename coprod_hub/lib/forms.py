"""Form pieces every app can use, so bad input gets a form error rather than a server error.

- `DateInputField`: the GOV.UK date input (day, month and year boxes), with one message for
  each bad date in GOV.UK's words. crispy-forms-gds built the date with
  `date(int(day), int(month), int(year))`, and a day like 99999999999 raised OverflowError,
  which it did not catch: the page crashed. Years are also kept to a range that date
  arithmetic elsewhere (adding days, tax years) can never overflow.
- `ModelMultipleChoiceField`: checkboxes of database rows. Django looks every ticked id up
  in one query, and on SQLite an id beyond 64 bits (9223372036854775808) raised OverflowError
  there: refused as "not one of the choices" first.
- `PlainTextMixin`: text boxes refuse control characters. They never come from a keyboard;
  they come from pasted binary data or from someone probing. They break the Atom feed (XML
  1.0 cannot carry them: Django raises while writing it, so one update took the feed down for
  everyone), calendar files and spreadsheets, and PostgreSQL refuses the NUL byte outright.
- `clean_uk_phone`: one rule, and one stored format, for every phone number people type;
  `is_uk_mobile` says whether it can get text messages. `clean_uk_postcode` does the same
  for postcodes.
"""

import re
from datetime import date

import phonenumbers
from crispy_forms_gds.fields import DateInputField as GdsDateInputField
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# C0 control characters and DEL, except tab, line feed and carriage return (typed text has
# those). NUL (\x00) is here too: Django's CharField already refuses it, other fields not.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_CHARACTERS_MESSAGE = (
    "This contains characters that are not ordinary text, perhaps from copying a file. "
    "Remove them, or type it again."
)


def reject_control_characters(value) -> None:
    """A validator for any text field. NUL is left to Django's own validator, which every
    CharField has, so a NUL byte does not get two messages."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value.replace("\x00", "")):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def strip_control_characters(text: str) -> str:
    """For text that cannot carry them: output (XML, iCalendar) of text saved before the
    check, and searches typed into an address."""
    return CONTROL_CHARACTERS.sub("", text)


class PlainTextMixin:
    """Put first in a form's bases: every text field (CharField, EmailField, ...) refuses
    control characters with a clear message. Fields a form adds in its own __init__ are
    covered too: the check is added just before the form is cleaned."""

    def full_clean(self):
        for field in self.fields.values():
            if (
                isinstance(field, forms.CharField)
                and not isinstance(field.widget, forms.PasswordInput)
                and reject_control_characters not in field.validators
            ):
                field.validators.append(reject_control_characters)
        super().full_clean()


class LimitedTextField(forms.CharField):
    """Text with a length limit, refused in words that name it (`what`) and write numbers as
    people read them ("2,000", not Django's "2000"). The field has no maxlength attribute:
    pair it with the GOV.UK character count (`with_character_count`), as the browser would
    otherwise cut pasted text off without a word."""

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                f"{self.what[:1].upper()}{self.what[1:]} must be {self.max_length:,} characters "
                f"or fewer. It has {len(value):,} now.",
                code="max_length",
            )
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


# crispy-forms-gds's field template with the character count's limit written "20,000".
CHARACTER_COUNT_TEMPLATE = "components/character_count_field.html"


def with_character_count(field):
    """A crispy-forms-gds layout Field (given max_characters) shown with the hub's wording."""
    field.template = CHARACTER_COUNT_TEMPLATE
    return field


# The error class crispy-forms-gds gives a date box; DateInputField sets it on each box that
# is wrong.
BOX_ERROR_CLASS = "govuk-input--error"


class DateBoxes(DateInputWidget):
    """The day, month and year boxes. Django marks every box `aria-invalid` when the date has
    an error; where only some are wrong (a missing year, say) only those are marked, as only
    those are outlined, so a screen reader does not call a right box wrong."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        boxes = context["widget"]["subwidgets"]
        outlined = [BOX_ERROR_CLASS in box["attrs"].get("class", "").split() for box in boxes]
        if any(outlined):  # else the whole date is wrong: every box stays marked
            for box, wrong in zip(boxes, outlined, strict=True):
                if not wrong:
                    box["attrs"].pop("aria-invalid", None)
        return context


class DateInputField(GdsDateInputField):
    """crispy-forms-gds' date input, answering any input with a date or with one message in
    GOV.UK's words ("Start date must include a month"). crispy-forms-gds checks each box on
    its own, so one bad date got up to three messages ("Enter a valid date", "Enter a valid
    month", ...) and a two-digit year passed as the year 26.

    The message names the field by its label, or by `subject` where the label does not read
    well in a sentence ("Starts on"). A form may still set its own message for any of the
    keys in `error_messages`; "incomplete" may use %(parts)s for what is missing.
    """

    widget = DateBoxes
    MIN_YEAR = 1900
    MAX_YEAR = 2200
    PARTS = ("day", "month", "year")

    def __init__(self, *, subject=None, error_messages=None, **kwargs):
        super().__init__(**kwargs)
        for box in self.widget.widgets:
            # A keypad of numbers on phones, as GOV.UK's own date input asks for.
            box.attrs["inputmode"] = "numeric"
        name = str(subject or self.label or "The date").replace("%", "%%")
        self.error_messages.update(
            {
                "required": f"Enter {name[:1].lower()}{name[1:]}",
                "incomplete": f"{name} must include a %(parts)s",
                "invalid": f"{name} must be a real date",
                "year_digits": f"{name} must include a year with 4 numbers",
            }
        )
        self.error_messages.update(error_messages or {})

    def clean(self, value):
        if self.disabled and not isinstance(value, (list, tuple)):
            value = self.widget.decompress(value)
        if not isinstance(value, (list, tuple)):
            value = ()
        typed = [str(value[i]).strip() if i < len(value) and value[i] else "" for i in range(3)]
        self._mark_boxes([])
        if not any(typed):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [i for i, text in enumerate(typed) if not text]
        if missing:
            parts = " and ".join(self.PARTS[i] for i in missing)
            message = self.error_messages["incomplete"] % {"parts": parts}
            self._mark_boxes(missing, message)
            raise ValidationError(message, code="incomplete")
        day, month, year = typed
        # Digits only: int() also takes "²", "+5" and " 5", and 11-digit days overflow date().
        if not all(is_plain_number(text) and len(text) <= 4 for text in (day, month)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not is_plain_number(year):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        # "26" is someone used to writing years short, and would be taken as the year 26. A
        # year of 5 or more digits is no real date (the year check in compress says so).
        if len(year) < 4:
            self._mark_boxes([2], self.error_messages["year_digits"])
            raise ValidationError(self.error_messages["year_digits"], code="year_digits")
        value = self.compress([day, month, year])
        self.validate(value)
        self.run_validators(value)
        return value

    def compress(self, data_list):
        if not all(data_list):
            return None
        try:
            value = date(*(int(data_list[i]) for i in (2, 1, 0)))
        except (OverflowError, ValueError):
            # "day is out of range for month" and the like: say it in plain words instead.
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not self.MIN_YEAR <= value.year <= self.MAX_YEAR:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def _mark_boxes(self, boxes, message=""):
        """Highlight the boxes that are wrong; an error with no box marked highlights all
        three (crispy-forms-gds' rule). The message is kept on the first of them only: the
        error summary makes one link for each box that holds it, and it should make one."""
        for index, (subfield, box) in enumerate(zip(self.fields, self.widget.widgets, strict=True)):
            subfield.widget.errors = [str(message)] if boxes[:1] == [index] and message else []
            classes = box.attrs.get("class", "").split()
            if BOX_ERROR_CLASS in classes:
                classes.remove(BOX_ERROR_CLASS)
            if index in boxes:
                classes.append(BOX_ERROR_CLASS)
            box.attrs["class"] = " ".join(classes)


# The largest id a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
LARGEST_ID = 2**63 - 1


def is_plain_number(text: str) -> bool:
    """Digits 0 to 9 only. str.isdigit() alone also takes "²" and the like, which int() and
    the database refuse."""
    return text.isascii() and text.isdigit()


def is_database_id(text: str) -> bool:
    """Whether `text` (from an address) could be a row's id: digits only, and no larger than
    a database integer holds. Anything else matches no row, and must not reach a query."""
    return is_plain_number(text) and len(text) <= 19 and int(text) <= LARGEST_ID


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing what cannot be an id of the rows offered before it queries for
    them: ids no database could hold, and (for integer ids) anything but digits. Either gets
    the field's own "invalid_choice" message, not Django's "“²” is not a valid value"."""

    def clean(self, value):
        integer_ids = self.to_field_name is None and isinstance(
            self.queryset.model._meta.pk, models.IntegerField
        )
        for item in value or ():
            text = str(item).strip()
            digits = text.removeprefix("-")
            # 19 digits at most: also keeps int() away from Python's limit on huge numbers.
            if is_plain_number(digits):
                refused = len(digits) > 19 or abs(int(text)) > LARGEST_ID
            else:
                refused = integer_ids and text != ""
            if refused:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super().clean(value)


def clean_uk_phone(value: str) -> str:
    """A UK phone number as people write it ("07700 900982"), or "" when left empty. One
    rule for every form that asks for one, so the profile stores one format."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        number = None
    # "Possible" rather than "valid": numbers in new ranges, and Ofcom's drama numbers used
    # in our examples, are still numbers people can type.
    if number is None or not phonenumbers.is_possible_number(number):
        raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# The shape of a UK postcode: an outward code (AT1, AT12, AT1A, A1) and an inward code (1AA).
UK_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")


def clean_uk_postcode(value: str) -> str:
    """A UK postcode written the usual way ("AT1 1AA"), or "" when left empty."""
    squeezed = "".join(value.split()).upper()
    if not squeezed:
        return ""
    match = UK_POSTCODE.fullmatch(squeezed)
    if match is None:
        raise forms.ValidationError("Enter a postcode, like AT1 1AA")
    return f"{match[1]} {match[2]}"


def is_uk_mobile(phone: str) -> bool:
    """Whether a number from `clean_uk_phone` can get text messages: UK mobiles start 07.
    A landline takes the text and nobody ever reads it."""
    return phone.startswith("07")
