"""Login throttling: count first, then decide.

Every attempt is counted before its password is checked, in one atomic step (a Lua script
on Redis; `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` in the database), so N guesses
sent at once let exactly the limit through, whatever the number of workers and instances.
A successful login gives its attempt back, so successes never lock anyone out.

The login limits, in order (config LOGIN_LIMITS): per account and address (5 a minute), then
per account from any address, slowly (30 per 15 minutes), which bounds spraying from many
addresses; per address across accounts (30 a minute), which bounds spraying many accounts
from one; and a ceiling for the whole site. An attempt refused by one limit is not counted
by the later ones, so one address hammering an account cannot lock its owner out
everywhere. Windows are fixed and
start at the first attempt, so a refusal never lengthens its own wait.

Counters live on Redis when REDIS_URL is set and Redis answers; otherwise, and while Redis
is unreachable, in the database table throttle_counter (shared by every worker too).
The counter writes commit at once, as bookkeeping (`unit_of_work.bookkeeping`): a login's count must
stand even when the request fails afterwards, and no argon2 hash may run inside them.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from quizapp import unit_of_work
from quizapp.extensions import db, redis_store
from quizapp.models import ThrottleCounter
from quizapp.redis_store import UNAVAILABLE
from quizapp.services.errors import ServiceError

# KEYS: one counter per limit, in order. ARGV: limit, window in ms, for each.
# Returns {index of the limit that refused (0 = none), ms to wait}.
_COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  if n > limit then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then redis.call('PEXPIRE', key, ARGV[2 * i]); ttl = tonumber(ARGV[2 * i]) end
    return {i, ttl}
  end
end
return {0, 0}
"""
_GIVE_BACK_SCRIPT = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: `retry_after` seconds to wait if it was refused, else None."""

    keys: tuple[str, ...]
    retry_after: int | None
    on_redis: bool

    @property
    def refused(self) -> bool:
        return self.retry_after is not None


class Throttled(ServiceError):
    """Too many attempts: the answer is a 429 with Retry-After (quizapp.errors)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def login_keys(username: str, address: str | None) -> tuple[str, str, str, str]:
    """Counter keys for a login (config LOGIN_LIMITS): the account and address, the account
    alone, the address alone, the whole site. The name is the one typed, so unknown names
    are throttled too (each costs a hash) and every way in shares a key."""
    name = username.strip().lower()[:100]
    where = (address or "-")[:100]
    return f"login|{name}|{where}", f"login|{name}", f"login-from|{where}", "login-all"


def register_keys(address: str | None) -> tuple[str, str]:
    """Counter keys for a registration (config REGISTER_LIMITS): the address, the site."""
    return f"register-from|{(address or '-')[:100]}", "register-all"


def reauth_keys(user_id: int) -> tuple[str]:
    """The counter for asking an account's current password again (REAUTH_LIMITS)."""
    return (f"reauth|{user_id}",)


def optimise_keys(user_id: int) -> tuple[str]:
    return (f"optimise|{user_id}",)


def require(keys: tuple[str, ...], limits: list[tuple[int, int]], now: datetime,
            what: str | Sequence[str]) -> Attempt:
    """Count an attempt; raise Throttled ("Too many {what}") if it may not go on. `what`
    may name each limit, in order: the message then says which one refused."""
    attempt = count_attempt(keys, limits, now)
    if attempt.refused:
        if not isinstance(what, str):
            what = what[len(attempt.keys) - 1]
        raise Throttled(f"Too many {what}. Try again in {attempt.retry_after} seconds.",
                        attempt.retry_after)
    return attempt


def reset_keys(identifier: str, address: str | None) -> tuple[str, str]:
    """Counter keys for a password-reset request: the name or address asked for, then the
    client's address, so nobody can flood one mailbox or mail every account."""
    return f"reset|{identifier.strip().lower()[:100]}", f"reset-from|{(address or '-')[:100]}"


def count_attempt(keys: tuple[str, ...], limits: list[tuple[int, int]], now: datetime
                  ) -> Attempt:
    """Count one attempt under each key (limit i for key i) and say whether it may go on."""
    scripted = redis_store.run(lambda r: r.eval(
        _COUNT_SCRIPT, len(keys), *(redis_store.key(k) for k in keys),
        *(str(v) for limit, window in limits for v in (limit, window * 1000))))
    if scripted is not UNAVAILABLE:
        refused_by, wait_ms = int(scripted[0]), int(scripted[1])
        if refused_by:
            return Attempt(keys[:refused_by], max(1, math.ceil(wait_ms / 1000)), on_redis=True)
        return Attempt(keys, None, on_redis=True)
    return _count_in_database(keys, limits, now)


def give_back(attempt: Attempt, now: datetime) -> None:
    """Un-count an attempt that succeeded."""
    if attempt.on_redis:
        done = redis_store.run(lambda r: r.eval(
            _GIVE_BACK_SCRIPT, len(attempt.keys), *(redis_store.key(k) for k in attempt.keys)))
        if done is not UNAVAILABLE:
            return
    with unit_of_work.bookkeeping():
        for key in attempt.keys:  # one row at a time, in the order they were counted
            db.session.execute(update(ThrottleCounter)
                               .where(ThrottleCounter.key == key, ThrottleCounter.count > 0,
                                      ThrottleCounter.expires_at > now)
                               .values(count=ThrottleCounter.count - 1))


def _count_in_database(keys: tuple[str, ...], limits: list[tuple[int, int]], now: datetime
                       ) -> Attempt:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ThrottleCounter.__table__
    with unit_of_work.bookkeeping():
        attempt = _count_rows(insert, table, keys, limits, now)
    _forget_expired(now)
    return attempt


def _count_rows(insert, table, keys, limits, now) -> Attempt:
    attempt = Attempt(keys, None, on_redis=False)
    for n, (key, (limit, window)) in enumerate(zip(keys, limits, strict=True), start=1):
        expires = now + timedelta(seconds=window)
        expired = table.c.expires_at <= now
        statement = insert(table).values(key=key, count=1, expires_at=expires)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((expired, 1), else_=table.c.count + 1),
                  "expires_at": case((expired, expires), else_=table.c.expires_at)},
        ).returning(table.c.count, table.c.expires_at)
        count, expires_at = db.session.execute(statement).one()
        if count > limit:
            wait = math.ceil((expires_at - now).total_seconds())
            attempt = Attempt(keys[:n], max(1, wait), on_redis=False)
            break
    return attempt


def _forget_expired(now: datetime) -> None:
    """Drop counters whose window is over, a batch at a time, in a transaction of its own
    that skips rows others hold (it never waits, so it can never deadlock a login)."""
    old = (select(ThrottleCounter.key).where(ThrottleCounter.expires_at <= now)
           .limit(100).with_for_update(skip_locked=True))
    with unit_of_work.bookkeeping():
        db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(old)))
