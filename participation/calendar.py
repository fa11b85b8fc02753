"""iCalendar files: one opportunity, the public feed, and a person's own sign-ups.

Times carry TZID=Europe/London with a VTIMEZONE, so a session at 10am stays at 10am in
people's calendars across the clock changes. The UID never changes for an opportunity, so
calendars update an event in place when staff move it (SEQUENCE counts the changes).
"""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from coprod_hub.lib.forms import strip_control_characters

UK = ZoneInfo("Europe/London")
PRODUCT_ID = "-//Co-production Hub//Opportunities//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def opportunity_uid(opportunity) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "coproduction-hub"
    return f"opportunity-{opportunity.pk}@{host}"


def _description(opportunity, *, signup=None) -> str:
    lines = [" ".join(opportunity.description.split())]
    if opportunity.effective_step:
        lines.append(f"How much say you will have: {opportunity.effective_step.label}.")
    has_place = signup is not None and signup.status == signup.Status.BOOKED
    # Someone coming to a hybrid session in person is not sent the joining link.
    details = opportunity.joining_details_for(signup.joining) if has_place else ""
    if details:
        lines.append(f"How to join: {details}")
    if signup is not None and signup.status == signup.Status.WAITING:
        lines.append("You are on the waiting list for this session.")
    lines.append(f"More details: {settings.SITE_URL}{opportunity.get_absolute_url()}")
    return "\n\n".join(lines)


def _event(opportunity, *, signup=None) -> Event:
    event = Event()
    event.add("uid", opportunity_uid(opportunity))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", opportunity.starts_at.astimezone(UK))
    event.add("dtend", opportunity.ends_at.astimezone(UK))
    event.add("summary", opportunity.title)
    event.add("description", _description(opportunity, signup=signup))
    joining = signup.joining if signup is not None else ""
    event.add("location", opportunity.location_for(joining))
    event.add("url", f"{settings.SITE_URL}{opportunity.get_absolute_url()}")
    event.add("last-modified", opportunity.updated_at)
    # Whole seconds since creation: grows with every edit, as RFC 5545 asks of SEQUENCE.
    event.add("sequence", int((opportunity.updated_at - opportunity.created_at).total_seconds()))
    cancelled = opportunity.status == opportunity.Status.CANCELLED or (
        signup is not None and signup.status == signup.Status.CANCELLED
    )
    if cancelled:
        event.add("status", "CANCELLED")
    elif signup is not None and signup.status != signup.Status.BOOKED:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    if opportunity.contact_email:
        event.add("organizer", f"mailto:{opportunity.contact_email}")
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    return calendar


def _finish(calendar: Calendar) -> str:
    calendar.add_missing_timezones()
    # iCalendar text cannot hold control characters; a stray one saved before forms refused
    # them could make strict calendar apps drop the whole feed.
    return strip_control_characters(calendar.to_ical().decode("utf-8"))


def opportunity_ics(opportunity, *, signup=None) -> str:
    calendar = _calendar(opportunity.title)
    calendar.add_component(_event(opportunity, signup=signup))
    return _finish(calendar)


def feed_ics(opportunities, *, name=None) -> str:
    calendar = _calendar(name or f"{settings.SITE_NAME}: ways to get involved")
    for opportunity in opportunities:
        calendar.add_component(_event(opportunity))
    return _finish(calendar)


def personal_ics(signups, *, name) -> str:
    calendar = _calendar(name)
    for signup in signups:
        calendar.add_component(_event(signup.opportunity, signup=signup))
    return _finish(calendar)


def attachment_for(opportunity, *, signup=None) -> tuple[str, str, str]:
    """(filename, text, mimetype) for a message attachment."""
    return (
        f"opportunity-{opportunity.pk}.ics",
        opportunity_ics(opportunity, signup=signup),
        "text/calendar",
    )


def signup_attachment(signup: int) -> tuple[str, str, str] | None:
    """The calendar file for a sign-up's confirmation e-mail, built when the e-mail is sent
    (notifications.services.ATTACHMENT_BUILDERS). It describes the session and the place as
    they are then; None if the sign-up has been deleted since."""
    from .models import SignUp

    found = (
        SignUp.objects.select_related("opportunity__project", "opportunity__venue")
        .filter(pk=signup)
        .first()
    )
    if found is None:
        return None
    return attachment_for(found.opportunity, signup=found)
