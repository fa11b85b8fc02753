"""The demo's postcodes look real: all in one real postcode area (LN), as a county council's
venues would be, and each as the hub's own postcode check (clean_uk_postcode) writes it. "AT",
used before, is no UK postcode area. The large data set makes up its venues' postcodes in the
same area."""

import random
import re

import pytest
from django.core.management import call_command

from coprod_hub.lib.forms import UK_POSTCODE, clean_uk_postcode
from coprod_hub.management.large_data.opportunities import POSTCODE_AREA, made_up_postcode
from participation.demo import VENUES
from participation.models import Profile, Venue

# A real postcode in the LN area: districts LN1 to LN13, then a digit and two letters that are
# never C, I, K, M, O or V.
LN_DISTRICTS = {f"LN{number}" for number in range(1, 14)}
REAL_LOOKING = re.compile(r"LN(?:[1-9]|1[0-3]) [0-9][ABD-HJLNP-UW-Z]{2}")


def _looks_real(postcode: str) -> bool:
    return clean_uk_postcode(postcode) == postcode and bool(REAL_LOOKING.fullmatch(postcode))


def test_each_demo_venue_has_a_postcode_the_hub_accepts_in_a_real_area():
    postcodes = [venue["postcode"] for venue in VENUES.values()]

    assert postcodes
    assert [postcode for postcode in postcodes if not _looks_real(postcode)] == []


@pytest.mark.django_db
def test_every_postcode_the_demo_seeds_passes_the_hubs_check(capsys):
    call_command("seed_demo")

    seeded = list(Venue.objects.values_list("postcode", flat=True))
    for address in Profile.objects.exclude(postal_address="").values_list(
        "postal_address", flat=True
    ):
        seeded += [" ".join(found) for found in UK_POSTCODE.findall(address.upper())]

    assert len(seeded) >= len(VENUES)
    assert [postcode for postcode in seeded if not _looks_real(postcode)] == []


def test_the_large_data_sets_venues_have_postcodes_in_the_same_area():
    rng = random.Random(2026)

    made = [made_up_postcode(rng) for _ in range(2000)]

    assert POSTCODE_AREA == "LN"
    assert [postcode for postcode in made if not _looks_real(postcode)] == []
    assert {postcode.split()[0] for postcode in made} == LN_DISTRICTS
