"""job: background work and its progress; pending_import.claimed_at (single-use tokens)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("created_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_job_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index(op.f("ix_job_user_id"), "job", ["user_id"])
    with op.batch_alter_table("pending_import") as batch:
        batch.add_column(sa.Column("claimed_at",
                                   quizapp.models.types.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table("pending_import") as batch:
        batch.drop_column("claimed_at")
    op.drop_index(op.f("ix_job_user_id"), table_name="job")
    op.drop_table("job")
