"""accounts: password-reset links; disabled accounts; the first login (getting started)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_password_reset_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    op.create_index("ix_password_reset_user_id", "password_reset", ["user_id"])
    # Plain ALTER TABLE (no batch copy on SQLite, which would drop the lower(username) index).
    for name in ("disabled_at", "first_login_at"):
        op.add_column("user", sa.Column(name, quizapp.models.types.UTCDateTime(timezone=True),
                                        nullable=True))


def downgrade():
    for name in ("first_login_at", "disabled_at"):
        op.drop_column("user", name)
    op.drop_index("ix_password_reset_user_id", table_name="password_reset")
    op.drop_table("password_reset")
