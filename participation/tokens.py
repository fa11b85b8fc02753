"""The private link to a person's own calendar feed.

Calendar apps cannot sign in, so the link itself is the key: a signed token naming the
person and their profile's current `calendar_key`. Making a new link replaces the key, so
every old link stops working at once.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "participation.personal-calendar"


def calendar_token(profile) -> str:
    return signing.dumps({"u": profile.user_id, "k": profile.calendar_key}, salt=_SALT)


def read_calendar_token(token: str) -> tuple[int, str]:
    """(user_id, calendar_key). Raises signing.BadSignature if the token was altered."""
    data = signing.loads(token, salt=_SALT)
    return int(data["u"]), str(data["k"])


def calendar_url(profile) -> str:
    return settings.SITE_URL + reverse(
        "participation:personal_feed", args=[calendar_token(profile)]
    )
