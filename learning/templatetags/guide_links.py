"""Links from the pages where staff do a job to the starter guide about it."""

from django import template

from .. import starter_guides

register = template.Library()

GUIDES = {
    "meetings": starter_guides.MEETINGS,
    "paying": starter_guides.PAYING,
    "honest_step": starter_guides.HONEST_STEP,
    "working_together": starter_guides.WORKING_TOGETHER,
}


@register.inclusion_tag("learning/_partials/starter_guide_link.html")
def starter_guide_link(name, lead="Read our guide"):
    """A paragraph linking to the guide, or nothing while it is not published (one query)."""
    return {"guide": starter_guides.published_guide(GUIDES[name]), "lead": lead}
