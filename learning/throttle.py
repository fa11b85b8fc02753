"""How often people may share, counted in the cache with django-ratelimit.

Visitors who are not signed in are counted by IP address; signed-in people by account, with
a higher limit. Only submissions that are saved (or caught by the bot trap) count, so a
person correcting mistakes in the form is never held back.
"""

import logging

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

GROUP = "learning:share"
# Per IP address, so everyone on one connection shares the count: a drop-in session or a
# carers' group on the venue's Wi-Fi can have a dozen people sharing within the hour, and 5
# an hour turned most of them away. 20 an hour still stops a flood; the bot trap catches
# most bots anyway, and a moderator reads everything before it is public.
VISITOR_RATE = "20/h"
SIGNED_IN_RATE = "20/h"


def _usage(request, *, increment: bool):
    if request.user.is_authenticated:
        return get_usage(request, group=GROUP, key="user", rate=SIGNED_IN_RATE, increment=increment)
    return get_usage(request, group=GROUP, key="ip", rate=VISITOR_RATE, increment=increment)


def minutes_until_allowed(request) -> int:
    """0 if this person may share now, else how many minutes until they may."""
    usage = _usage(request, increment=False)
    if usage is None:
        return 0
    if usage["time_left"] < 0:
        # The cache could not be reached. Sharing stays open: the bot trap still works,
        # and a moderator reads everything before it is public.
        logger.warning("Rate-limit cache unavailable; letting a practice guide share through")
        return 0
    if usage["count"] < usage["limit"]:
        return 0
    return max(1, -(-usage["time_left"] // 60))


def count_share(request) -> None:
    _usage(request, increment=True)
