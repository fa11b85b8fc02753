"""CSV downloads: the one rule against spreadsheet formulas, and a streamed response.

Names, titles and notes in our exports are typed by the public or by staff. Spreadsheet
programs run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so
such text gets a leading apostrophe, which they show as plain text. Numbers, including
negative ones such as a correction of -12.50, stay numbers.
"""

import csv
import re

from django.http import StreamingHttpResponse

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel on Windows reads a CSV as UTF-8 only when it starts with a byte-order mark; without
# one, "Fee (£)" and names such as "Zoë" come out garbled in finance's spreadsheet.
EXCEL_UTF8_MARK = "\ufeff"
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def safe_cell(value):
    """A value ready for csv.writer: text that could run as a formula is quoted."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back, for streaming."""

    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Stream rows as a CSV download, so a large export never sits in memory. Exports hold
    personal data: no cache or proxy keeps them."""
    writer = csv.writer(_Echo())

    def lines():
        yield EXCEL_UTF8_MARK + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
