"""Signed links that work without signing in: unsubscribe links in every optional message.

Two forms, both read by the same page. E-mails carry Django's signed token. Text messages
carry a short one ("<user id>.<category>.<12 characters of HMAC>"): the signed token alone
took a whole text message part (about 90 characters), and every part is paid for.
"""

import base64

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "notifications.unsubscribe"
_SHORT_SALT = "notifications.unsubscribe.short"
# 72 bits: guessing one person's link takes about 10^21 requests on average, and all it can
# do is stop someone's optional messages, which they can switch back on.
_SHORT_MAC_LENGTH = 12


def unsubscribe_token(user_id: int, category: str) -> str:
    return signing.dumps({"u": user_id, "c": str(category)}, salt=_SALT, compress=True)


def _short_mac(value: str, secret: str) -> str:
    digest = salted_hmac(_SHORT_SALT, value, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SHORT_MAC_LENGTH]


def short_unsubscribe_token(user_id: int, category: str) -> str:
    value = f"{int(user_id)}.{category}"
    return f"{value}.{_short_mac(value, settings.SECRET_KEY)}"


def _read_short_token(token: str) -> tuple[int, str]:
    value, _, mac = token.rpartition(".")
    user_id, _, category = value.partition(".")
    if not (user_id.isdigit() and category and mac):
        raise signing.BadSignature("Not an unsubscribe token")
    # Links in texts sent before a key change still work while the old key is a fallback.
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        if constant_time_compare(mac, _short_mac(value, secret)):
            return int(user_id), category
    raise signing.BadSignature("Unsubscribe token does not match")


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user_id, category), from either form. Raises signing.BadSignature if altered."""
    if ":" not in token:  # the signed form always has one (before its timestamp)
        return _read_short_token(token)
    data = signing.loads(token, salt=_SALT)
    return int(data["u"]), str(data["c"])


def unsubscribe_url(user_id: int, category: str, *, short=False) -> str:
    """`short`: the short form, for text messages."""
    token = (
        short_unsubscribe_token(user_id, category)
        if short
        else unsubscribe_token(user_id, category)
    )
    path = reverse("notifications:unsubscribe", args=[token])
    return settings.SITE_URL + path
