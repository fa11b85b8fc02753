from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from insight.filters import Filters

UK = ZoneInfo("Europe/London")

# The financial year 2025-26 and a "now" two weeks after it ends.
YEAR = Filters(start=date(2025, 4, 1), end=date(2026, 3, 31))
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=UK)


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def csv_rows(section, table_name):
    """A table's cells as the CSV would hold them."""
    table = section.table(table_name)
    assert table is not None, f"no table {table_name}"
    rows = table.all_rows if table.all_rows is not None else table.rows
    return [[cell.csv for cell in row] for row in rows]


def shown(section, table_name):
    """{first column: second column as people see it}."""
    return {row[0].text: row[1].text for row in section.table(table_name).rows}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Test people are made by the dozen; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
