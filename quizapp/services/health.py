"""Readiness: can this instance serve? The database answers a query within a second, and
Redis answers a ping when it is configured. Never raises; says what failed."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quizapp.extensions import db, redis_store


def readiness() -> dict[str, str]:
    checks = {"database": _database()}
    if redis_store.configured:
        checks["redis"] = "ok" if redis_store.ping() else "unreachable"
    return checks


def _database() -> str:
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL statement_timeout = 1000"))
            conn.execute(text("SELECT 1"))
            conn.rollback()
    except SQLAlchemyError as e:
        return "unreachable: " + (str(e.orig if getattr(e, "orig", None) else e)
                                  .splitlines() or ["error"])[0][:200]
    return "ok"
