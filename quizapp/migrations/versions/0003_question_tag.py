"""question_tag: one row per (question, tag) for statistics by topic

Revision ID: 0003
Revises: 0002
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "question_tag",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"],
                                name=op.f("fk_question_tag_question_id_question"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id", "tag", name=op.f("pk_question_tag")),
    )
    op.create_index(op.f("ix_question_tag_tag"), "question_tag", ["tag"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, tags FROM question")).all()
    values = []
    for question_id, tags in rows:
        tags = json.loads(tags) if isinstance(tags, str) else (tags or [])
        values += [{"question_id": question_id, "tag": tag} for tag in sorted(set(tags))]
    if values:
        bind.execute(sa.text("INSERT INTO question_tag (question_id, tag) VALUES "
                             "(:question_id, :tag)"), values)


def downgrade():
    op.drop_index(op.f("ix_question_tag_tag"), table_name="question_tag")
    op.drop_table("question_tag")
