"""card (user_id, state, due): the study queue reads one range per kind of card

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_card_user_id_state_due", "card", ["user_id", "state", "due"])


def downgrade():
    op.drop_index("ix_card_user_id_state_due", table_name="card")
