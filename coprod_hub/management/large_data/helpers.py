"""What every part of the large data set shares: random picking, dates and writing rows.

`pick` draws one value by weight, `zipf_cumulative` gives the Zipf-like weights behind the
"few very active, most rarely" shapes and `weighted_distinct` draws different members by
them; `local_dt` makes London times. `Seeder` is the base of every part: it lists the state
one part leaves for the next and gives each part `_copy`, which writes rows with COPY and
counts them for the summary, and `_step`, which prints the progress lines.
"""

import time
from bisect import bisect_left
from collections.abc import Callable
from datetime import date, datetime
from itertools import accumulate
from random import Random
from zoneinfo import ZoneInfo

from django.apps import apps

from ..bulk_copy import copy_rows

LONDON = ZoneInfo("Europe/London")


def zipf_cumulative(n: int, exponent: float, offset: float) -> list[float]:
    """Cumulative weights for rank 0..n-1: weight 1/(rank + offset)^exponent.

    The offset flattens the very top so nobody has thousands of sign-ups."""
    return list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


def weighted_distinct(rng, population, cumulative, k):
    """k different members, drawn by weight."""
    k = min(k, len(population))
    chosen = {}
    total = cumulative[-1]
    while len(chosen) < k:
        index = bisect_left(cumulative, rng.random() * total)
        member = population[min(index, len(population) - 1)]
        chosen[member] = True
    return list(chosen)


def pick(rng, weighted):
    """One value from [(value, weight), ...]."""
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def local_dt(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def has_model(app_label: str, model_name: str) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


class Seeder:
    """The base of every part of `LargeData`: shared state, COPY writing and progress lines.

    The parts run in order (see `LargeData.run`) and each leaves attributes for the later
    ones; they are listed here so a part can be read without the others."""

    size: float
    log: Callable[[str], object]
    rng: Random
    now: datetime
    today: date
    target: dict[str, int]
    written: dict[str, int]
    # Left by the people: ids by role, names and addresses, and residents ranked by activity.
    profile_ids: list[int]
    residents: list[int]
    staff: list[int]
    commissioners: list[int]
    names: dict[int, str]
    emails: dict[int, str]
    active_order: list[int]
    activity_weights: list[float]
    # Left by the projects and opportunities (see those modules for the tuples' shape).
    areas: list[int]
    projects: list[tuple]
    opportunities: list
    # Left by the sign-ups: the ones where the person came, which claims and surveys need.
    attended: list

    def _step(self, name, function):
        started = time.monotonic()
        self.log(f"{name}...")
        function()
        self.log(f"{name} done in {time.monotonic() - started:.1f} s")

    def _copy(self, model, fields, rows, key=None, label=None):
        count = copy_rows(model, fields, rows, log=self.log, label=label)
        if key:
            self.written[key] = self.written.get(key, 0) + count
        return count
