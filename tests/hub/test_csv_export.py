from decimal import Decimal

import pytest

from coprod_hub.lib.csv_export import csv_response, safe_cell


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


def test_downloads_start_with_the_mark_excel_needs_to_read_utf8():
    response = csv_response("people.csv", ["Name", "Fee (£)"], [["Zoë", "12.50"]])

    content = b"".join(response.streaming_content)

    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig") == "Name,Fee (£)\r\nZoë,12.50\r\n"
