from django import template

from projects.models import Update

register = template.Library()


@register.simple_tag
def updates_about(opportunity) -> list:
    """The public "we said, we did" updates about one session, newest first: its project's
    updates that name it, and those about it standing alone. For the session's own page,
    whose view knows nothing of updates."""
    return list(Update.objects.published().about_session(opportunity).for_display())
