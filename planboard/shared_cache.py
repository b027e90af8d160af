"""The cache every app server shares (Redis, `REDIS_URL`), failing safe: the database is the truth, the cache only
saves work. When Redis cannot be reached a read finds nothing and a write is dropped, so pages are computed from
the database (slower, never a 500), and the failure is logged at most once a minute. After a failure the process
leaves Redis alone for a few seconds, so that a dead server costs one timeout, not one per cache call.

What is cached is keyed on the data version (`dashboards.cache`), so an entry written before an outage can never
be served for data that changed during it.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
LOG_SECONDS = 60

# Per process and per server: when to try the server again, and when its failure was last logged.
_retry_at = {}
_logged_at = {}


class FailSafeRedisCache(RedisCache):
    def _safely(self, fallback, operation, *args):
        server = ",".join(self._servers)
        now = time.monotonic()
        if now < _retry_at.get(server, 0):
            return fallback
        try:
            return operation(*args)
        except RedisError as error:
            _retry_at[server] = now + RETRY_SECONDS
            if now - _logged_at.get(server, -LOG_SECONDS) >= LOG_SECONDS:
                _logged_at[server] = now
                logger.warning("The cache at %s cannot be reached (%s): pages are computed without it.", server, error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._safely(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._safely(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._safely({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._safely(False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._safely(None, super().delete_many, keys, version)

    def clear(self):
        return self._safely(False, super().clear)
