"""review_undo (undo with a submission id, bounded runs); review (user_id, origin, id);
the queue index ends with card.id (the queue's order: due, then id)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_undo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("undone_at", quizapp.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"],
                                name=op.f("fk_review_undo_card_id_card"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_review_undo_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_undo")),
        sa.UniqueConstraint("user_id", "submission_id",
                            name=op.f("uq_review_undo_user_id")),
    )
    op.create_index("ix_review_undo_user_id_id", "review_undo", ["user_id", "id"])
    op.create_index(op.f("ix_review_undo_card_id"), "review_undo", ["card_id"])
    op.create_index("ix_review_user_id_origin_id", "review", ["user_id", "origin", "id"])
    op.create_index("ix_card_user_id_state_due_id", "card", ["user_id", "state", "due", "id"])
    op.drop_index("ix_card_user_id_state_due", table_name="card")


def downgrade():
    op.create_index("ix_card_user_id_state_due", "card", ["user_id", "state", "due"])
    op.drop_index("ix_card_user_id_state_due_id", table_name="card")
    op.drop_index("ix_review_user_id_origin_id", table_name="review")
    op.drop_index(op.f("ix_review_undo_card_id"), table_name="review_undo")
    op.drop_index("ix_review_undo_user_id_id", table_name="review_undo")
    op.drop_table("review_undo")
