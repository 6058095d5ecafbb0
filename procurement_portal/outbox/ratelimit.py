"""The send-rate limit of the outbox, shared by every worker.

Celery's own ``rate_limit`` counts per worker process, so four workers would send four
times the allowed rate. This limiter keeps its state in Redis (the broker's server), so it
holds for all workers together: a GCRA ("virtual scheduling" token bucket) in one Lua
script, timed by the Redis server's clock so that workers on machines whose clocks differ
still agree. Without Redis (the embedded default, tasks in-process) the same algorithm runs
in the process.

``OUTBOX_SEND_RATE_PER_SECOND`` is the rate (0 = no limit) and ``OUTBOX_SEND_BURST`` how
many messages may go at once after a quiet spell.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

REDIS_KEY = "outbox:send-rate"

# Returns 0 when a message may go now (and books its slot), else microseconds to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return math.floor(wait) + 1 end
local new_tat = tat + interval
local ttl = math.floor((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl)
return 0
"""


class NoLimit:
    def acquire(self) -> float:
        return 0.0


class LocalLimiter:
    """GCRA in this process (no shared state): for the embedded default only."""

    def __init__(self, rate: float, burst: int):
        self.interval = 1.0 / rate
        self.tolerance = self.interval * max(burst - 1, 0)
        self.tat = 0.0
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        with self._lock:
            now = time.monotonic()
            tat = max(self.tat, now)
            wait = tat - self.tolerance - now
            if wait > 0:
                return wait
            self.tat = tat + self.interval
            return 0.0

    def acquire(self) -> float:
        waited = 0.0
        while (wait := self.try_acquire()) > 0:
            time.sleep(wait)
            waited += wait
        return waited


class RedisLimiter:
    """GCRA on Redis: one slot at a time for every process that shares the Redis server."""

    def __init__(self, url: str, rate: float, burst: int, key: str = REDIS_KEY):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.script = self.client.register_script(_GCRA)
        self.key = key
        self.interval_us = int(1_000_000 / rate)
        self.tolerance_us = self.interval_us * max(burst - 1, 0)
        self.fallback = LocalLimiter(rate, burst)

    def try_acquire(self) -> float:
        wait_us = int(self.script(keys=[self.key], args=[self.interval_us, self.tolerance_us]))
        return wait_us / 1_000_000

    def acquire(self) -> float:
        import redis

        waited = 0.0
        while True:
            try:
                wait = self.try_acquire()
            except redis.RedisError as exc:
                # Redis is the broker too: without it nothing is delivered anyway, so a
                # short outage falls back to this process's own limit rather than failing.
                logger.warning("outbox rate limiter: Redis unavailable (%s); local limit", exc)
                return waited + self.fallback.acquire()
            if wait <= 0:
                return waited
            time.sleep(wait)
            waited += wait


@lru_cache(maxsize=8)
def _limiter(rate: float, burst: int, url: str):
    if rate <= 0:
        return NoLimit()
    if url:
        return RedisLimiter(url, rate, burst)
    return LocalLimiter(rate, burst)


def send_limiter():
    """The limiter for the current settings (one per process and configuration)."""
    return _limiter(
        float(settings.OUTBOX_SEND_RATE_PER_SECOND),
        int(settings.OUTBOX_SEND_BURST),
        settings.OUTBOX_RATE_LIMIT_REDIS_URL,
    )
