"""review.previous_state: the card's state before each review

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review") as batch:
        batch.add_column(
            sa.Column("previous_state", sa.SmallInteger(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("review") as batch:
        batch.drop_column("previous_state")
