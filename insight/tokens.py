"""Survey links that work without signing in.

A token names one sign-up and its person, and is signed with a salt used for nothing else,
so it cannot be turned into an unsubscribe link or any other kind of link, and changing any
character breaks the signature. It carries the time it was made: a link older than the
survey's open period is refused even before the survey's own closing date is checked.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .services import SURVEY_OPEN_FOR

_SALT = "insight.outcome-survey.v1"


class SurveyLinkError(Exception):
    """Why a link cannot be used. `reason` is one of "invalid", "expired", "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_token(signup) -> str:
    return signing.dumps({"s": signup.pk, "r": signup.resident_id}, salt=_SALT, compress=True)


def read_survey_token(token: str) -> tuple[int, int]:
    """(signup id, resident id). Raises SurveyLinkError("expired") for an old link and
    SurveyLinkError("invalid") for one that was altered or made for something else."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=SURVEY_OPEN_FOR)
    except signing.SignatureExpired:
        raise SurveyLinkError("expired") from None
    except signing.BadSignature:
        raise SurveyLinkError("invalid") from None
    try:
        return int(data["s"]), int(data["r"])
    except (KeyError, TypeError, ValueError):
        raise SurveyLinkError("invalid") from None


def survey_url(signup) -> str:
    return settings.SITE_URL + reverse("insight:survey", args=[survey_token(signup)])
