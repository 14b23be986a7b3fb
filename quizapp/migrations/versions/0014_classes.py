"""classes: school_class, class_member, class_bank, assignment, assignment_attempt

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "school_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=False),
        sa.Column("code_expires_at", quizapp.models.types.UTCDateTime(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("created_at", quizapp.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"],
                                name=op.f("fk_school_class_owner_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_class")),
        sa.UniqueConstraint("join_code", name=op.f("uq_school_class_join_code")),
    )
    op.create_table(
        "class_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_at", quizapp.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"],
                                name=op.f("fk_class_member_class_id_school_class"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_class_member_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_member")),
        sa.UniqueConstraint("class_id", "user_id", name=op.f("uq_class_member_class_id")),
    )
    op.create_index(op.f("ix_class_member_user_id"), "class_member", ["user_id"])
    op.create_table(
        "class_bank",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"],
                                name=op.f("fk_class_bank_bank_id_bank"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"],
                                name=op.f("fk_class_bank_class_id_school_class"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("class_id", "bank_id", name=op.f("pk_class_bank")),
    )
    op.create_index(op.f("ix_class_bank_bank_id"), "class_bank", ["bank_id"])
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("goal", sa.Float(), nullable=True),
        sa.Column("opens_at", quizapp.models.types.UTCDateTime(), nullable=True),
        sa.Column("due_at", quizapp.models.types.UTCDateTime(), nullable=False),
        sa.Column("extra_new_per_day", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("refuse_late", sa.Boolean(), nullable=False),
        sa.Column("created_at", quizapp.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"],
                                name=op.f("fk_assignment_bank_id_bank"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"],
                                name=op.f("fk_assignment_class_id_school_class"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    op.create_index(op.f("ix_assignment_class_id"), "assignment", ["class_id"])
    op.create_table(
        "assignment_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"],
                                name=op.f("fk_assignment_attempt_assignment_id_assignment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempt.id"],
                                name=op.f("fk_assignment_attempt_attempt_id_quiz_attempt"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_assignment_attempt_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_attempt")),
        sa.UniqueConstraint("assignment_id", "user_id", "number",
                            name=op.f("uq_assignment_attempt_assignment_id")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_assignment_attempt_attempt_id")),
    )
    op.create_index(op.f("ix_assignment_attempt_assignment_id"), "assignment_attempt",
                    ["assignment_id"])


def downgrade():
    op.drop_table("assignment_attempt")
    op.drop_table("assignment")
    op.drop_table("class_bank")
    op.drop_table("class_member")
    op.drop_table("school_class")
