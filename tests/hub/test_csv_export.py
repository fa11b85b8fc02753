from decimal import Decimal

import pytest

from coprod_hub.lib.csv_export import safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+447700900123", "'+447700900123"),  # would lose its plus sign as a number
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-12.50", "-12.50"),  # a correction: a number, kept as one
        ("Sam O'Neill", "Sam O'Neill"),
        (None, ""),
        (Decimal("-1.50"), Decimal("-1.50")),
        (3, 3),
    ],
)
def test_text_that_could_run_as_a_formula_is_quoted_and_numbers_stay_numbers(value, written):
    assert safe_cell(value) == written
