"""A Redis cache that keeps the hub working while Redis is down.

Django's RedisCache raises on connection errors, and the cache sits under every sign-in
(allauth's rate limits) and every practice guide share (django-ratelimit): with Redis stopped,
people could not sign in at all. This backend logs the outage and answers as if the cache
were empty and every write had succeeded:

- get / get_many / has_key: nothing found (`default`, `{}`, False);
- set / set_many / delete / delete_many / touch / clear: nothing done;
- add: True, "stored". allauth takes a lock with `add` and django-ratelimit starts a counter
  with it; answering False would make every sign-in wait for a lock and then be refused.
- incr: `delta`, a counter that has just started.

So rate limits FAIL OPEN while Redis is down: sign-in attempts and anonymous shares are not
counted and nobody is limited. That is deliberate. Failing closed would lock every resident
and member of staff out of the hub because of an infrastructure fault; the limits are there
to slow password guessing and spam, which passwords, the share form's bot trap and the
moderators still stand in the way of for the minutes Redis is away. /health/ reports Redis
as down meanwhile, so the outage is seen and fixed.

After a failure the backend does not try Redis again for `RETRY_AFTER` seconds. While
Redis is unreachable each attempt can wait for the socket timeout, and a page makes several
cache calls; without the pause every page would be seconds slower during an outage.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER = 5.0  # seconds

# {LOCATION: monotonic time until which Redis is not tried}. Django makes a cache object per
# thread; the pause is shared by every thread of the process.
_paused_until: dict[str, float] = {}
_lock = threading.Lock()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis-py client object for every cache call, and each
    one fills a table of response callbacks: about a third of the time a small get takes.
    The object holds nothing but its connection pool and is safe to share, so one is made
    per pool and reused."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        now = time.monotonic()
        if _paused_until.get(self._location, 0.0) > now:
            return fallback
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as error:
            with _lock:
                first = _paused_until.get(self._location, 0.0) <= now
                _paused_until[self._location] = time.monotonic() + RETRY_AFTER
            if first:
                logger.warning(
                    "Redis cache unavailable (%s on %s); carrying on without it, rate limits "
                    "are not counted until it is back",
                    error.__class__.__name__,
                    operation,
                )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # set_many answers with the keys it could not store: all of them.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
