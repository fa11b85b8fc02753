"""Signed links that work without signing in: unsubscribe links in every email."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "notifications.unsubscribe"


def unsubscribe_token(user_id: int, category: str) -> str:
    return signing.dumps({"u": user_id, "c": str(category)}, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user_id, category). Raises signing.BadSignature if altered."""
    data = signing.loads(token, salt=_SALT)
    return int(data["u"]), str(data["c"])


def unsubscribe_url(user_id: int, category: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, category)])
    return settings.SITE_URL + path
