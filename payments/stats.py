"""Summary numbers for reports: median and 90th percentile days from sending to payment.

Worked out in the database with a count and one or two ordered look-ups, so the cost stays
the same whether there are ten paid claims or a million (the claim_days_to_pay_idx index
serves the ordering), and it works the same on SQLite and PostgreSQL.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class DaysToPay:
    count: int
    median: Decimal | None
    p90: Decimal | None
    over_target: int


def _percentile(ordered_values, count: int, fraction: float) -> Decimal:
    # Linear interpolation between the two nearest ranks, as PERCENTILE_CONT does.
    position = (count - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    values = list(ordered_values[low : high + 1])
    if low == high or len(values) == 1:
        result = Decimal(values[0])
    else:
        result = Decimal(values[0]) + (Decimal(values[1]) - Decimal(values[0])) * Decimal(
            str(position - low)
        )
    return result.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def days_to_pay(claims, *, target_days: int) -> DaysToPay:
    paid = claims.filter(status="paid", days_to_pay__isnull=False)
    count = paid.count()
    if not count:
        return DaysToPay(0, None, None, 0)
    ordered = paid.order_by("days_to_pay").values_list("days_to_pay", flat=True)
    return DaysToPay(
        count=count,
        median=_percentile(ordered, count, 0.5),
        p90=_percentile(ordered, count, 0.9),
        over_target=paid.filter(days_to_pay__gt=target_days).count(),
    )
