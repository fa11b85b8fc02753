from django import template
from django.template.defaultfilters import pluralize

from coprod_hub.lib import page_cache
from coprod_hub.lib.money import format_rate

from .. import policy
from ..apps import EXPENSE_RULES
from ..models import TaxiAgreement

register = template.Library()
register.filter("pence_rate", format_rate)


@register.filter
def days_waited(days: int) -> str:
    """How long a claim has waited, as people say it: "Today" for one sent today (not
    "0 days"), then "1 day", "3 days"."""
    if days == 0:
        return "Today"
    return f"{days} day{pluralize(days)}"


@register.simple_tag
def live_taxi_agreement(signup):
    """The taxi agreed for this place, or None: for pages of other apps (the place page)
    that show it without their views knowing about payments. One query."""
    return TaxiAgreement.objects.live_for(signup.pk)


@register.simple_tag
def taxis_can_be_agreed(opportunity) -> bool:
    """Whether its staff may agree taxis for this session (the manage page's link to its
    taxis page). Whether the policy pays for taxis on a day is kept until an expense rule
    changes: the manage page has a fixed budget of queries, and it would cost one every time."""

    def kept_answer(opportunity):
        day = policy.activity_date(opportunity)
        return page_cache.cached_value(
            EXPENSE_RULES,
            ["taxis paid for", day.isoformat()],
            lambda: policy.taxis_paid_for(opportunity),
        )

    return not policy.taxi_agreement_problem(opportunity, pays_for_taxis=kept_answer)
