"""throttle_counter: atomic attempt counters (count first, then decide) replace the
login_failure log, which was checked before it was written

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttle_counter",
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counter")),
    )
    op.create_index("ix_throttle_counter_expires_at", "throttle_counter", ["expires_at"])
    # Failures logged under the old scheme expire within a minute: nothing worth carrying over.
    op.drop_index("ix_login_failure_key_failed_at", table_name="login_failure")
    op.drop_table("login_failure")


def downgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failed_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_key_failed_at", "login_failure", ["key", "failed_at"])
    op.drop_index("ix_throttle_counter_expires_at", table_name="throttle_counter")
    op.drop_table("throttle_counter")
