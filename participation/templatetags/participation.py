"""Dates and times the GOV.UK way: "Tuesday 14 April 2026, 10am to 12:30pm"."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def clock(moment) -> str:
    """10am, 2:30pm, midday, midnight (UK time)."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.minute:
        return f"{hour}:{local.minute:02d}{suffix}"
    return f"{hour}{suffix}"


@register.filter
def day(moment) -> str:
    """Tuesday 14 April 2026."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def when(opportunity) -> str:
    """The day and times of an opportunity, in one line."""
    start = timezone.localtime(opportunity.starts_at)
    end = timezone.localtime(opportunity.ends_at)
    if start.date() == end.date():
        return f"{day(start)}, {clock(start)} to {clock(end)}"
    return f"{day(start)}, {clock(start)} to {day(end)}, {clock(end)}"


@register.filter
def day_and_clock(moment) -> str:
    """Tuesday 14 April 2026 at 10am."""
    if not moment:
        return ""
    return f"{day(moment)} at {clock(moment)}"


@register.simple_tag(takes_context=True)
def place_link(context, opportunity) -> str:
    """The path to the recipient's own place on `opportunity`, in a message queued for many
    people at once with `places` ({person's id: path}); the opportunity's page otherwise."""
    recipient = context.get("recipient")
    places = context.get("places") or {}
    return places.get(getattr(recipient, "pk", None)) or opportunity.get_absolute_url()


# A hybrid session, for one person: where they go, or how they join online, as they said
# (SignUp.joining; see Opportunity.location_for). `{{ opportunity|where_for:signup }}`.
@register.simple_tag(takes_context=True)
def recipient_joining_details(context, opportunity) -> str:
    """`joining_details_for` the recipient of a message queued for many people at once, from
    `joinings` ({person's id: SignUp.joining}), as `place_link` finds their place."""
    recipient = context.get("recipient")
    joinings = context.get("joinings") or {}
    return opportunity.joining_details_for(joinings.get(getattr(recipient, "pk", None), ""))


@register.simple_tag(takes_context=True)
def recipient_where(context, opportunity) -> str:
    """`location_for` the recipient of a message queued for many people at once, from
    `joinings`: "Online", or only the venue, for someone who said how they will join."""
    recipient = context.get("recipient")
    joinings = context.get("joinings") or {}
    return opportunity.location_for(joinings.get(getattr(recipient, "pk", None), ""))


@register.filter
def where_for(opportunity, signup) -> str:
    return opportunity.location_for(signup.joining)


@register.filter
def joining_details_for(opportunity, signup) -> str:
    return opportunity.joining_details_for(signup.joining)


@register.filter
def goes_to_venue(opportunity, signup) -> bool:
    return opportunity.venue_for(signup.joining) is not None
