"""login_failure: failed logins per account and address, when there is no Redis

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failed_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_key_failed_at", "login_failure", ["key", "failed_at"])


def downgrade():
    op.drop_index("ix_login_failure_key_failed_at", table_name="login_failure")
    op.drop_table("login_failure")
