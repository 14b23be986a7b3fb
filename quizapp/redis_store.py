"""Redis, when REDIS_URL is set: short timeouts and a defined failure mode.

Every call goes through `RedisStore.run`, which answers `UNAVAILABLE` instead of raising
when Redis is down, hung or refusing, so callers fall back to the database. After a failure
Redis is left alone for QUIZAPP_REDIS_RETRY_SECONDS, so a hung server costs one timeout per
worker and outage, not one per request. The outage and the recovery are logged once each.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)


class _Unavailable:
    def __repr__(self) -> str:
        return "UNAVAILABLE"


UNAVAILABLE: Final = _Unavailable()


class _Connection:
    """One app's Redis client and its outage state (shared by the threads of a worker)."""

    def __init__(self, client: redis.Redis | None, prefix: str, retry_seconds: float):
        self.client, self.prefix, self.retry_seconds = client, prefix, retry_seconds
        self.down_until = 0.0
        self.down = False
        self.lock = threading.Lock()


class RedisStore:
    """A Flask extension: `init_app` keeps a client per app, the methods use the current one."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        client = None
        if url:
            timeout = float(app.config["QUIZAPP_REDIS_TIMEOUT"])
            client = redis.Redis.from_url(
                url, socket_connect_timeout=timeout, socket_timeout=timeout,
                retry_on_timeout=False, health_check_interval=30)
        app.extensions["quizapp_redis"] = _Connection(
            client, app.config["QUIZAPP_REDIS_PREFIX"],
            float(app.config["QUIZAPP_REDIS_RETRY_SECONDS"]))

    @staticmethod
    def _current() -> _Connection:
        return current_app.extensions["quizapp_redis"]

    @property
    def configured(self) -> bool:
        return self._current().client is not None

    def key(self, *parts: str) -> str:
        return ":".join((self._current().prefix, *parts))

    def run(self, call: Callable[[redis.Redis], Any]) -> Any:
        """`call(client)`, or UNAVAILABLE when Redis is not configured or not answering."""
        state = self._current()
        if state.client is None or time.monotonic() < state.down_until:
            return UNAVAILABLE
        try:
            result = call(state.client)
        except redis.RedisError as e:
            with state.lock:
                state.down_until = time.monotonic() + state.retry_seconds
                if not state.down:
                    state.down = True
                    log.warning("Redis is unreachable (%s); falling back to the database "
                                "until it answers again", e)
            return UNAVAILABLE
        if state.down:
            with state.lock:
                if state.down:
                    state.down = False
                    log.warning("Redis answers again; using it")
        return result

    def ping(self) -> bool:
        """For readiness: asks Redis even during a back-off, and never raises."""
        client = self._current().client
        if client is None:
            return False
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
