import pytest

from coprod_hub.lib.money import PoundsField, format_pounds, parse_pounds


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("12.50", 1250), ("£12.50", 1250), ("12", 1200), ("0.5", 50), ("1,250.00", 125000)],
)
def test_it_parses_pounds_exactly(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    "typed",
    # "3,50" and "12,5" are pounds and pence written with a comma: never £350 or £125.
    ["twelve", "12.505", "1e3", "", "£", "12.5.0", "NaN", "3,50", "12,5", "1,25.00", ",5"],
)
def test_it_refuses_what_is_not_an_amount(typed):
    with pytest.raises(ValueError):
        parse_pounds(typed)


@pytest.mark.parametrize(
    ("pence", "shown"), [(1250, "£12.50"), (1200, "£12"), (5, "£0.05"), (-300, "-£3")]
)
def test_it_formats_pence_as_pounds(pence, shown):
    assert format_pounds(pence) == shown


def test_the_form_field_rejects_negative_and_over_cap_amounts():
    field = PoundsField(max_pence=2000)

    assert field.clean("£20") == 2000
    for bad, message in [("-1", "less than £0"), ("20.01", "£20 or less"), ("abc", "like 12.50")]:
        with pytest.raises(Exception) as error:
            field.clean(bad)
        assert message in str(error.value)
