"""user: a random session token in the cookies; ids never reused on SQLite (AUTOINCREMENT)

Existing sessions end (their cookies carry the old "id:version"): everyone logs in again.

Revision ID: 0009
Revises: 0008
"""
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

USERNAME_INDEX = "uq_user_username_lower"
TOKEN_INDEX = "uq_user_session_token"


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        _add_tokens()
        op.alter_column("user", "session_token", nullable=False)
        op.create_unique_constraint(TOKEN_INDEX, "user", ["session_token"])
        return
    with _foreign_keys_off():
        _add_tokens()
        _rebuild_user_table(autoincrement=True, token=True)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(TOKEN_INDEX, "user", type_="unique")
        op.drop_column("user", "session_token")
        return
    with _foreign_keys_off():
        _rebuild_user_table(autoincrement=False, token=False)


def _add_tokens() -> None:
    """The column, with a token of its own for every existing account."""
    bind = op.get_bind()
    op.add_column("user", sa.Column("session_token", sa.String(length=64), nullable=True))
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in bind.execute(sa.select(user.c.id)).all():
        bind.execute(user.update().where(user.c.id == user_id)
                     .values(session_token=secrets.token_urlsafe(32)))


def _rebuild_user_table(*, autoincrement: bool, token: bool) -> None:
    """SQLite can add or remove AUTOINCREMENT only by copying the table (Alembic's batch
    mode). Batch mode cannot carry the expression index on lower(username): made again."""
    op.drop_index(USERNAME_INDEX, table_name="user")
    with op.batch_alter_table("user", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}) as batch:
        if token:
            batch.alter_column("session_token", existing_type=sa.String(length=64),
                               nullable=False)
            batch.create_unique_constraint(TOKEN_INDEX, ["session_token"])
        else:
            batch.drop_constraint(TOKEN_INDEX, type_="unique")
            batch.drop_column("session_token")
    op.create_index(USERNAME_INDEX, "user", [sa.text("lower(username)")], unique=True)


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """The copy drops the old table, which with foreign keys on would delete (cascade)
    every row that refers to a user, and PRAGMA foreign_keys is ignored inside a
    transaction. So: commit what came before, turn foreign keys off around a transaction
    of the block's own, check every reference still holds, and turn them on again."""
    raw = op.get_bind().connection.dbapi_connection
    raw.execute("COMMIT")
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("BEGIN IMMEDIATE")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rebuilding the user table broke references: {broken[:5]}")
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("BEGIN IMMEDIATE")  # Alembic goes on in (and commits) a transaction
