"""pending_import: uploads between the dry-run preview and the go-ahead

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", quizapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"],
                                name=op.f("fk_pending_import_bank_id_bank"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_pending_import_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_import")),
        sa.UniqueConstraint("token", name=op.f("uq_pending_import_token")),
    )
    op.create_index(op.f("ix_pending_import_user_id"), "pending_import", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_pending_import_user_id"), table_name="pending_import")
    op.drop_table("pending_import")
