"""Survey links that work without signing in.

A token names one sign-up and its person, and is signed with a salt used for nothing else,
so it cannot be turned into an unsubscribe link or any other kind of link, and changing any
character breaks the signature.

How long a link works is not in the token: it works until its invitation's `closes_at`, the
date the email gives (8 weeks after the session ends), which `permissions` checks each time
the link is used. An age limit on the token itself would end it early for a long session,
whose invitation can be sent when attendance is first recorded, weeks before it ends.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "insight.outcome-survey.v1"


class SurveyLinkError(Exception):
    """Why a link cannot be used. `reason` is "invalid" or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_token(signup) -> str:
    return signing.dumps({"s": signup.pk, "r": signup.resident_id}, salt=_SALT, compress=True)


def read_survey_token(token: str) -> tuple[int, int]:
    """(signup id, resident id). Raises SurveyLinkError("invalid") for a link that was
    altered or made for something else. Whether the survey is still open is checked against
    the invitation (`permissions.get_survey_invitation`)."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise SurveyLinkError("invalid") from None
    try:
        return int(data["s"]), int(data["r"])
    except (KeyError, TypeError, ValueError):
        raise SurveyLinkError("invalid") from None


def survey_url(signup) -> str:
    return settings.SITE_URL + reverse("insight:survey", args=[survey_token(signup)])
