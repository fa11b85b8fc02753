"""Money is stored as whole pence (integers). This module is the only place that turns
pence into pounds for people or spreadsheets to read, or what people type into pence.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
# Commas only as thousands separators ("1,250.00"). "3,50" is three pounds fifty written the
# European way, not £350: refused, so nobody is paid a hundred times what they spent.
_WITH_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")


def format_pounds(pence: int | None) -> str:
    """1250 -> "£12.50"; 1200 -> "£12"; -300 -> "-£3"."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    if part:
        return f"{sign}£{whole:,}.{part:02d}"
    return f"{sign}£{whole:,}"


def format_rate(pence: int | None) -> str:
    """Small rates read better in pence: 45 -> "45p"; 150 -> "£1.50"."""
    if pence is None:
        return ""
    return f"{pence}p" if 0 <= pence < 100 else format_pounds(pence)


def pounds_for_spreadsheet(pence: int | None) -> Decimal | None:
    """1250 -> Decimal("12.50"): a number a spreadsheet can add up, in pounds."""
    if pence is None:
        return None
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def parse_pounds(text: str) -> int:
    """ "12.50", "£12.50", "12", "1,250" -> pence. Raises ValueError for anything else."""
    cleaned = str(text).strip().replace(" ", "")
    if cleaned.startswith("£"):
        cleaned = cleaned[1:]
    if "," in cleaned:
        if not _WITH_THOUSANDS.match(cleaned):
            raise ValueError(text)
        cleaned = cleaned.replace(",", "")
    if not _AMOUNT.match(cleaned):
        raise ValueError(text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern already rules this out
        raise ValueError(text) from error
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def pounds_for_input(pence: int | None) -> str:
    """What an amount field shows when editing: "12.50", never "£" or commas."""
    if pence is None:
        return ""
    return f"{pence / 100:.2f}" if pence % 100 else str(pence // 100)


class PoundsWidget(forms.TextInput):
    """GOV.UK "£" prefix input. The value round-trips as pounds text."""

    template_name = "components/widgets/pounds.html"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return pounds_for_input(value)
        return super().format_value(value)


class PoundsField(forms.Field):
    """A form field people type pounds into ("12.50", "£12.50" or "12"); cleans to pence.

    `allow_zero=False` for amounts that must be more than nothing (what someone spent, a fee
    rate): -5 and 0 then get the same message, so nobody who typed -5 is told the amount
    cannot be less than £0, types 0, and is only then told it must be more than £0.
    """

    widget = PoundsWidget
    default_error_messages = {
        "invalid": "Enter an amount in pounds, like 12.50",
        "negative": "The amount cannot be less than £0",
        "not_positive": "Enter an amount more than £0",
        "max": "The amount must be %(max)s or less",
    }

    def __init__(self, *, max_pence: int | None = None, allow_zero: bool = True, **kwargs):
        self.max_pence = max_pence
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def _too_small(self) -> ValidationError:
        if self.allow_zero:
            return ValidationError(self.error_messages["negative"], code="negative")
        return ValidationError(self.error_messages["not_positive"], code="not_positive")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.startswith("-") or text.startswith("£-"):
            raise self._too_small()
        try:
            return parse_pounds(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value == 0 and not self.allow_zero:
            raise self._too_small()
        if value is not None and self.max_pence is not None and value > self.max_pence:
            raise ValidationError(
                self.error_messages["max"],
                code="max",
                params={"max": format_pounds(self.max_pence)},
            )
